/* global localStorage */
// The field guides' axios set-up: the access token from localStorage on every request, and on a 401
// one refresh with the stored refresh token, then the request again.
import axios from 'axios';

const api = axios.create({ baseURL: '/api' });

api.interceptors.request.use((config) => {
  const token = localStorage.getItem('token');
  if (token) config.headers.Authorization = `Bearer ${token}`;
  return config;
});

api.interceptors.response.use(
  (response) => response,
  async (error) => {
    const original = error.config;
    if (error.response?.status === 401 && !original._retry) {
      original._retry = true;
      const refreshToken = localStorage.getItem('refreshToken');
      const { data } = await axios.post('/api/refresh', { refreshToken });
      localStorage.setItem('token', data.accessToken);
      return api(original);
    }
    return Promise.reject(error);
  },
);

export async function signIn(path, email, password) {
  const { data } = await api.post(path, { email, password });
  localStorage.setItem('token', data.accessToken);
  localStorage.setItem('refreshToken', data.refreshToken);
}

export async function signOut() {
  await api.post('/logout', { refreshToken: localStorage.getItem('refreshToken') });
  localStorage.removeItem('token');
  localStorage.removeItem('refreshToken');
}

export default api;
