/* global localStorage, location */
// The field guides' axios set-up, now on Tessera: the access token stays in memory, the refresh token
// in an httpOnly cookie; a 401 gets one refresh shared by every request and tab, then the request again.
import axios from 'axios';
import { attachAxios } from 'tessera-auth/axios';
import { createAuthClient } from 'tessera-auth/client';
import { legacyTokenAt } from 'tessera-auth/client/legacy-readers';

// A page still holding the old tokens trades the refresh token, once, for a session: no login.
export const auth = createAuthClient({
  baseUrl: location.origin,
  adoptLegacy: legacyTokenAt(localStorage, 'refreshToken', { alsoRemove: ['token'] }),
});

const api = axios.create({ baseURL: '/api' });
attachAxios(api, auth);

export async function signIn(path, email, password) {
  await (path === '/signup' ? auth.signup(email, password) : auth.login(email, password));
}

export async function signOut() {
  await auth.logout();
}

export default api;
