import requireExpiry from '../../src/audit/rules/require-expiry.js';
import tokenLifetime from '../../src/audit/rules/token-lifetime.js';
import refreshInterceptor from '../../src/audit/rules/refresh-interceptor.js';
import clientClockExpiry from '../../src/audit/rules/client-clock-expiry.js';
import providerTokenRefresh from '../../src/audit/rules/provider-token-refresh.js';
import { cjs, ruleTester, ts } from './rule-tester.js';

ruleTester.run('tessera/require-expiry', requireExpiry, {
  valid: [
    "import jwt from 'jsonwebtoken'; jwt.sign({ sub: user.id }, secret, { expiresIn: '15m', algorithm: 'HS256' });",
    ts({
      code: "import { SignJWT } from 'jose'; const jwt = await new SignJWT({ sub }).setProtectedHeader({ alg: 'ES256' }).setIssuedAt().setExpirationTime('10m').sign(privateKey);",
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const exp = Math.floor(Date.now() / 1000) + 900; jwt.sign({ sub, exp }, key);",
    }),
    "import jwt from 'jsonwebtoken'; export const sign = (payload, options) => jwt.sign(payload, key, options);",
    ts({
      code: "import jwt from 'jsonwebtoken'; jwt.verify(token, key, { algorithms: ['HS256'], ignoreExpiration: false, clockTolerance: 30 });",
    }),
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; const accessToken = jwt.sign({ sub: user.id }, process.env.JWT_SECRET);",
      errors: [
        {
          messageId: 'noExpiry',
          suggestions: [
            {
              messageId: 'addExpiry',
              data: { value: '15m' },
              output:
                "import jwt from 'jsonwebtoken'; const accessToken = jwt.sign({ sub: user.id }, process.env.JWT_SECRET, { expiresIn: '15m' });",
            },
          ],
        },
      ],
    },
    ts({
      code: "import { SignJWT } from 'jose'; export async function issue(sub: string): Promise<string> { return new SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).sign(key); }",
      errors: [{ messageId: 'noExpiry' }],
    }),
    cjs({
      code: "const { createSigner } = require('fast-jwt'); const signSync = createSigner({ key: process.env.KEY, algorithm: 'HS256' });",
      errors: [{ messageId: 'noExpiry' }],
    }),
    {
      code: "import jwtSimple from 'jwt-simple'; const token = jwtSimple.encode({ sub: user.id, role }, secret);",
      errors: [{ messageId: 'noExpiry' }],
    },
    ts({
      code: "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, key, { algorithms: ['RS256'], ignoreExpiration: true });",
      errors: [
        {
          messageId: 'ignored',
          data: { option: 'ignoreExpiration', check: 'expiry' },
          suggestions: [
            {
              messageId: 'removeOption',
              data: { option: 'ignoreExpiration' },
              output:
                "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, key, { algorithms: ['RS256'],  });",
            },
          ],
        },
      ],
    }),
    {
      code: "import { createVerifier } from 'fast-jwt'; const verify = createVerifier({ key, ignoreNotBefore: true, algorithms: ['HS256'] });",
      errors: [
        {
          messageId: 'ignored',
          suggestions: [
            {
              messageId: 'removeOption',
              data: { option: 'ignoreNotBefore' },
              output:
                "import { createVerifier } from 'fast-jwt'; const verify = createVerifier({ key,  algorithms: ['HS256'] });",
            },
          ],
        },
      ],
    },
  ],
});

ruleTester.run('tessera/max-token-lifetime', tokenLifetime, {
  valid: [
    "import jwt from 'jsonwebtoken'; const accessToken = jwt.sign({ sub }, key, { expiresIn: '15m' }); const refreshToken = jwt.sign({ sub, typ: 'refresh' }, refreshKey, { expiresIn: '14d' });",
    ts({
      code: "import { SignJWT } from 'jose'; const resetToken = await new SignJWT({ sub }).setExpirationTime('24h').sign(key);",
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); function createEmailVerificationToken(user) { return jwt.sign({ sub: user.id }, key, { expiresIn: '2d' }); }",
    }),
    ts({
      code: "import { jwtVerify } from 'jose'; await jwtVerify(token, key, { clockTolerance: '2 min' });",
    }),
    "import { createVerifier } from 'fast-jwt'; createVerifier({ key, clockTolerance: 60000 });",
  ],
  invalid: [
    // exp computed from a Date moved 60 days ahead, as the bulletproof-nodejs starter does.
    {
      code: "import jwt from 'jsonwebtoken'; function generateToken(user) { const today = new Date(); const exp = new Date(today); exp.setDate(today.getDate() + 60); return jwt.sign({ _id: user._id, exp: exp.getTime() / 1000 }, config.jwtSecret); }",
      errors: [{ messageId: 'accessTooLong', data: { lifetime: '60 d' } }],
    },
    {
      code: "import jwt from 'jsonwebtoken'; const token = jwt.sign({ sub: user.id }, key, { expiresIn: '7d' });",
      errors: [{ messageId: 'accessTooLong', data: { lifetime: '7 d' } }],
    },
    ts({
      code: "import { SignJWT } from 'jose'; const refreshToken = await new SignJWT({ sub }).setExpirationTime('90d').sign(refreshKey);",
      errors: [{ messageId: 'refreshTooLong', data: { lifetime: '90 d' } }],
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const accessToken = jwt.sign({ sub, exp: Math.floor(Date.now() / 1000) + 60 * 60 * 24 }, key);",
      errors: [{ messageId: 'accessTooLong', data: { lifetime: '1 d' } }],
    }),
    {
      code: "import jwt from 'jsonwebtoken'; jwt.verify(token, key, { algorithms: ['HS256'], clockTolerance: 3600 });",
      output:
        "import jwt from 'jsonwebtoken'; jwt.verify(token, key, { algorithms: ['HS256'], clockTolerance: 300 });",
      errors: [{ messageId: 'toleranceTooWide', data: { tolerance: '1 h' } }],
    },
    ts({
      code: "import { jwtVerify } from 'jose'; await jwtVerify(token, key, { clockTolerance: '1h' });",
      output:
        "import { jwtVerify } from 'jose'; await jwtVerify(token, key, { clockTolerance: '5m' });",
      errors: [{ messageId: 'toleranceTooWide' }],
    }),
    {
      code: "import { createSigner } from 'fast-jwt'; const signAccess = createSigner({ key, expiresIn: 86400000 });",
      errors: [{ messageId: 'accessTooLong', data: { lifetime: '1 d' } }],
    },
  ],
});

ruleTester.run('tessera/safe-refresh-interceptor', refreshInterceptor, {
  valid: [
    `import axios from 'axios';
     const api = axios.create({ baseURL: '/api' });
     let refreshPromise = null;
     api.interceptors.response.use((r) => r, async (error) => {
       const original = error.config;
       if (error.response?.status === 401 && !original._retry && !original.url.includes('/auth/refresh')) {
         original._retry = true;
         refreshPromise ??= api.post('/auth/refresh').finally(() => { refreshPromise = null; });
         await refreshPromise;
         return api(original);
       }
       return Promise.reject(error);
     });`,
    ts({
      code: `import axios, { AxiosError } from 'axios';
      const client = axios.create();
      let inFlight: Promise<void> | undefined;
      async function refreshSession(): Promise<void> { await axios.post('/oauth/refresh', {}, { withCredentials: true }); }
      client.interceptors.response.use(undefined, async (error: AxiosError) => {
        const config = error.config as RetriableConfig;
        if (error.response?.status !== 401 || config._retried) throw error;
        config._retried = true;
        inFlight ??= refreshSession().finally(() => { inFlight = undefined; });
        await inFlight;
        return client.request(config);
      });`,
    }),
    "api.interceptors.response.use((r) => r, (error) => { if (error.response.status === 401) { window.location.assign('/login'); } return Promise.reject(error); });",
    'instance.interceptors.response.use(null, (err) => { if (err.response?.status === 503) return instance(err.config); throw err; });',
  ],
  invalid: [
    // RTK Query's baseQueryWithReauth from a MERN course: refreshes when the server says 403.
    {
      code: "const baseQueryWithReauth = async (args, api, extra) => { let result = await baseQuery(args, api, extra); if (result?.error?.status === 403) { const refreshResult = await baseQuery('/auth/refresh', api, extra); if (refreshResult?.data) result = await baseQuery(args, api, extra); } return result; };",
      errors: [{ messageId: 'refreshOn403' }],
    },
    {
      code: 'async function call(url) { const res = await fetch(url); if ([401, 403].includes(res.status)) await refreshSession(); return res; }',
      errors: [{ messageId: 'refreshOn403' }],
    },
    {
      code: "async function renew() { try { await api.post('/auth/refresh'); } catch (e) { localStorage.clear(); window.location.assign('/login'); } }",
      errors: [{ messageId: 'clearsAllTabs' }],
    },
    {
      code: `import axios from 'axios';
        axios.interceptors.response.use((r) => r, async (error) => {
          if (error.response.status === 401) {
            const { data } = await axios.post('/api/token/refresh', { refreshToken: store.refreshToken });
            error.config.headers.Authorization = 'Bearer ' + data.accessToken;
            return axios(error.config);
          }
          return Promise.reject(error);
        });`,
      errors: [
        { messageId: 'noRetryFlag' },
        { messageId: 'noRefreshExclusion' },
        { messageId: 'noSharedRefresh' },
      ],
    },
    ts({
      code: `const api = axios.create();
        let isRefreshing = false;
        api.interceptors.response.use((res) => res, async (error) => {
          const original = error.config;
          if (error.response?.status === 401 && !original._retry) {
            original._retry = true;
            isRefreshing = true;
            await api.post('/refresh');
            isRefreshing = false;
            return api(original);
          }
          throw error;
        });`,
      errors: [{ messageId: 'noRefreshExclusion' }],
    }),
    {
      code: `const http = axios.create();
        async function renew() { const r = await fetch('/auth/refresh', { method: 'POST' }); return r.json(); }
        async function onError(error) {
          if (error.response && error.response.status === 401 && !error.config._retry) {
            error.config._retry = true;
            await renew();
            return http(error.config);
          }
          return Promise.reject(error);
        }
        http.interceptors.response.use(undefined, onError);`,
      errors: [{ messageId: 'noSharedRefresh' }],
    },
  ],
});

ruleTester.run('tessera/no-client-clock-expiry', clientClockExpiry, {
  valid: [
    // Showing time left is fine; only ending the session on the device clock is the trap.
    'const left = decoded.exp - Date.now() / 1000; render(left);',
    'if (decoded.exp * 1000 < Date.now()) scheduleRefresh(0);',
    'if (session.expiresAt < Date.now()) logOut();',
  ],
  invalid: [
    {
      code: "const user = JSON.parse(localStorage.getItem('user')); if (parseJwt(user.accessToken).exp * 1000 < Date.now()) { props.logOut(); }",
      errors: [{ messageId: 'deviceClock' }],
    },
    ts({
      code: "export function check(token: string): void { const { exp } = jwtDecode<{ exp: number }>(token); if (Date.now() >= exp * 1000) { localStorage.removeItem('token'); } }",
      errors: [{ messageId: 'deviceClock' }],
    }),
  ],
});

ruleTester.run('tessera/refresh-provider-tokens', providerTokenRefresh, {
  valid: [
    // The Auth.js refresh-token-rotation guide: the expiry is stored and checked, the token renewed.
    ts({
      code: `export const { auth } = NextAuth({ callbacks: { async jwt({ token, account }) {
        if (account) return { ...token, access_token: account.access_token, expires_at: account.expires_at, refresh_token: account.refresh_token };
        if (Date.now() < token.expires_at * 1000) return token;
        return refresh(token);
      }, session({ session, token }) { session.error = token.error; return session; } } });`,
    }),
    // A jwt callback that keeps only the user's id, and callbacks that are not Auth.js's.
    'NextAuth({ callbacks: { jwt({ token, user }) { if (user) token.id = user.id; return token; } } });',
    'const handlers = { jwt({ account }) { return account.access_token; } };',
  ],
  invalid: [
    ts({
      code: `NextAuth({ callbacks: {
        jwt({ token, trigger, session, account }) {
          if (account?.provider === 'keycloak') return { ...token, accessToken: account.access_token };
          return token;
        },
        async session({ session, token }) { if (token?.accessToken) session.accessToken = token.accessToken; return session; },
      } });`,
      errors: [{ messageId: 'neverRefreshed', line: 2 }],
    }),
    {
      code: 'export const authOptions = { callbacks: { async session({ session, token }) { return { ...session, accessToken: token.accessToken, refreshToken: token.refreshToken }; } } };',
      errors: [{ messageId: 'refreshInSession' }],
    },
  ],
});
