import sensitivePayload from '../../src/audit/rules/sensitive-payload.js';
import tokenExposure from '../../src/audit/rules/token-exposure.js';
import tokenStorage from '../../src/audit/rules/token-storage.js';
import { cjs, ruleTester, ts } from './rule-tester.js';

ruleTester.run('tessera/no-sensitive-payload', sensitivePayload, {
  valid: [
    "import jwt from 'jsonwebtoken'; jwt.sign({ sub: user.id, roles: user.roles, scope: 'read' }, key, { expiresIn: '15m' });",
    ts({
      code: "import { SignJWT } from 'jose'; await new SignJWT({ sub: user.id, email: user.email, tenant }).setExpirationTime('10m').sign(key);",
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const payload = { sub: String(user._id), hasPassword: Boolean(user.passwordHash) }; jwt.sign(payload, key);",
    }),
    "import jwt from 'jsonwebtoken'; const user = { id: 1 }; jwt.sign({ user: user.id }, key);",
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; jwt.sign({ id: user.id, password: user.password }, key);",
      errors: [{ messageId: 'sensitiveClaim', data: { name: 'password' } }],
    },
    ts({
      code: "import jwt from 'jsonwebtoken'; const token = jwt.sign({ ...user }, process.env.JWT_SECRET!, { expiresIn: '1h' });",
      errors: [{ messageId: 'wholeRecord' }],
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const token = jwt.sign(user.toObject(), secret);",
      errors: [{ messageId: 'wholeRecord' }],
    }),
    ts({
      code: "import { SignJWT } from 'jose'; await new SignJWT({ sub, billing: { cardNumber: card.number } }).sign(key);",
      errors: [{ messageId: 'sensitiveClaim', data: { name: 'cardNumber' } }],
    }),
    {
      code: "import jwt from 'jsonwebtoken'; const payload = { sub: u.id, apiKey: u.apiKey, salt: u.salt }; jwt.sign(payload, k);",
      errors: [{ messageId: 'sensitiveClaim' }, { messageId: 'sensitiveClaim' }],
    },
  ],
});

ruleTester.run('tessera/secure-token-storage', tokenStorage, {
  valid: [
    "localStorage.setItem('theme', 'dark'); sessionStorage.setItem('draft', JSON.stringify(form));",
    "res.cookie('refresh_token', token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/auth/refresh' });",
    ts({ code: "reply.setCookie('sid', sessionId, cookieOptions); res.cookie('locale', 'fr');" }),
    cjs({ code: "ctx.cookies.set('access_token', token, { secure: true, sameSite: 'lax' });" }),
    "localStorage.removeItem('token'); document.cookie = 'token=; Max-Age=0';",
    // Writing '' is how code forgets a token; overwriting the cookie with '' deletes it.
    "localStorage.setItem('jwt', ''); res.cookie('jwt', '', { httpOnly: true, expires: new Date(0) });",
    // 'user' holds no token in this project (no module reads a token field from it).
    {
      code: "localStorage.setItem('user', JSON.stringify(response.data));",
      settings: { tessera: { usesRefreshTokens: false, tokenStorageKeys: ['session'] } },
    },
    ts({ code: "await SecureStore.setItemAsync('refreshToken', token);" }),
    // IndexedDB writes of what is not a token, and a `set` that is not idb-keyval's.
    "import { set } from 'idb-keyval'; await set('theme', 'dark');",
    "import { openDB } from 'idb'; const db = await openDB('app', 1); await db.put('drafts', draft, 'current');",
    "const cache = new Map(); cache.set('token', token); store.put('token', token);",
  ],
  invalid: [
    // Another module reads user.accessToken from this key (the audit's project facts say so).
    {
      code: "localStorage.setItem('user', JSON.stringify(response.data));",
      settings: { tessera: { usesRefreshTokens: false, tokenStorageKeys: ['user'] } },
      errors: [{ messageId: 'webStorage', data: { storage: 'localStorage' } }],
    },
    ts({
      code: "import AsyncStorage from '@react-native-async-storage/async-storage'; await AsyncStorage.setItem('accessToken', token);",
      errors: [{ messageId: 'webStorage', data: { storage: 'AsyncStorage' } }],
    }),
    {
      code: "localStorage.setItem('refreshToken', data.refreshToken);",
      errors: [{ messageId: 'webStorage', data: { storage: 'localStorage' } }],
    },
    ts({
      code: 'window.sessionStorage.setItem(STORAGE_KEY, accessToken as string);',
      errors: [{ messageId: 'webStorage' }],
    }),
    { code: 'localStorage.jwt = response.token;', errors: [{ messageId: 'webStorage' }] },
    {
      code: "import { set } from 'idb-keyval'; await set('accessToken', data.accessToken);",
      errors: [{ messageId: 'webStorage', data: { storage: 'IndexedDB' } }],
    },
    {
      code: "import * as kv from 'idb-keyval'; await kv.update('auth', () => ({ jwt }));",
      errors: [{ messageId: 'webStorage', data: { storage: 'IndexedDB' } }],
    },
    ts({
      code: "import { openDB } from 'idb'; const db = await openDB('app', 1); await db.put('auth', { refreshToken, userId }, 'session');",
      errors: [{ messageId: 'webStorage', data: { storage: 'IndexedDB' } }],
    }),
    {
      code: "const request = indexedDB.open('app'); request.onsuccess = () => request.result.transaction('s', 'readwrite').objectStore('s').put(token, 'jwt');",
      errors: [{ messageId: 'webStorage', data: { storage: 'IndexedDB' } }],
    },
    ts({
      code: "import Dexie from 'dexie'; const db = new Dexie('app'); await db.tokens.put({ id: 1, value });",
      errors: [{ messageId: 'webStorage', data: { storage: 'IndexedDB' } }],
    }),
    {
      code: 'document.cookie = `access_token=${token}; path=/`;',
      errors: [{ messageId: 'scriptCookie' }],
    },
    ts({
      code: "import Cookies from 'js-cookie'; Cookies.set('token', jwt, { expires: 7 });",
      errors: [{ messageId: 'scriptCookie' }],
    }),
    {
      code: "res.cookie('refresh_token', token, { httpOnly: true });",
      errors: [
        {
          messageId: 'cookieFlags',
          data: { name: 'refresh_token', missing: 'Secure, SameSite' },
          suggestions: [
            {
              messageId: 'addFlags',
              data: { flags: "secure: true, sameSite: 'lax'" },
              output:
                "res.cookie('refresh_token', token, { httpOnly: true, secure: true, sameSite: 'lax' });",
            },
          ],
        },
      ],
    },
    cjs({
      code: "reply.setCookie('access_token', token, { httpOnly: false, secure: true, sameSite: 'strict' });",
      errors: [
        {
          messageId: 'cookieFlags',
          data: { name: 'access_token', missing: 'httpOnly' },
          suggestions: [],
        },
      ],
    }),
  ],
});

ruleTester.run('tessera/no-token-exposure', tokenExposure, {
  valid: [
    'const link = `${baseUrl}/reset-password?token=${resetToken}`; await mailer.send(user.email, link);',
    ts({
      code: "logger.info({ userId: claims.sub, jti: claims.jti }, 'token refreshed'); console.log('token length', token.length);",
    }),
    cjs({
      code: "const { ExtractJwt } = require('passport-jwt'); const opts = { jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken() };",
    }),
    'const page = req.query.page; const url = `/api/items?cursor=${cursor}`;',
    "app.use(morgan(':method :url :status'));",
    // An e-mailed single-use link has to carry its token in the URL.
    'const resetPassword = catchAsync(async (req, res) => { await auth.resetPassword(req.query.token, req.body.password); res.sendStatus(204); });',
    "app.get('/verify-email', async (req, res) => { await users.verify(req.query.token); res.redirect('/'); });",
  ],
  invalid: [
    {
      code: "import { ExtractJwt } from 'passport-jwt'; const opts = { jwtFromRequest: ExtractJwt.fromUrlQueryParameter('token') };",
      errors: [{ messageId: 'urlQuery' }],
    },
    ts({
      code: "app.get('/me', (req: Request, res: Response) => { const token = req.query.access_token as string; });",
      errors: [{ messageId: 'urlQuery' }],
    }),
    {
      code: 'const ws = new WebSocket(`wss://api.example.com/stream?access_token=${accessToken}`);',
      errors: [{ messageId: 'urlQuery' }],
    },
    cjs({ code: "fetch(API + '/data?token=' + token);", errors: [{ messageId: 'urlQuery' }] }),
    {
      code: "console.log('auth header', req.headers.authorization);",
      errors: [{ messageId: 'logged' }],
    },
    ts({
      code: "logger.debug({ headers: request.headers }, 'incoming');",
      errors: [{ messageId: 'logged' }],
    }),
    {
      code: "morgan.token('auth', (req) => req.headers.authorization);",
      errors: [{ messageId: 'logged' }],
    },
    ts({
      code: 'fastify.log.info(`refreshed ${refreshToken}`);',
      errors: [{ messageId: 'logged' }],
    }),
  ],
});
