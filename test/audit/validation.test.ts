import audienceIssuer from '../../src/audit/rules/audience-issuer.js';
import decodeWithoutVerify from '../../src/audit/rules/decode-without-verify.js';
import logoutRevocation from '../../src/audit/rules/logout-revocation.js';
import refreshRotation from '../../src/audit/rules/refresh-rotation.js';
import timingSafeCompare from '../../src/audit/rules/timing-safe-compare.js';
import tokenType from '../../src/audit/rules/token-type.js';
import { cjs, ruleTester, ts } from './rule-tester.js';

ruleTester.run('tessera/no-decode-without-verify', decodeWithoutVerify, {
  valid: [
    "import { jwtDecode } from 'jwt-decode'; export function scheduleRefresh(token) { const { exp } = jwtDecode(token); setTimeout(refresh, exp * 1000 - Date.now() - 30000); }",
    ts({
      code: "import jwt from 'jsonwebtoken'; import express from 'express'; export function authenticate(req: Request) { const { header } = jwt.decode(req.token, { complete: true })!; return jwt.verify(req.token, keys[header.kid], { algorithms: ['RS256'] }); }",
    }),
    cjs({
      code: "const express = require('express'); function payloadOf(token) { return JSON.parse(Buffer.from(token.split('.')[1], 'base64url')); } module.exports = payloadOf;",
    }),
    "import jwt from 'jsonwebtoken'; try { jwt.verify(t, k, { algorithms: ['HS256'] }); } catch (err) { logger.warn({ err }, 'invalid token'); res.sendStatus(401); }",
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; function auth(req, res, next) { try { req.user = jwt.verify(req.token, key, { algorithms: ['HS256'] }); } catch (err) { if (err instanceof jwt.TokenExpiredError) req.user = jwt.decode(req.token); } next(); }",
      errors: [{ messageId: 'decodeInCatch' }],
    },
    ts({
      code: "import express from 'express'; import { decodeJwt } from 'jose'; export const requireUser = (req: express.Request, res: express.Response, next: () => void) => { const claims = decodeJwt(req.headers.authorization!.slice(7)); req.userId = claims.sub; next(); };",
      errors: [{ messageId: 'decodeOnServer' }],
    }),
    cjs({
      code: "const jwt = require('jwt-simple'); app.use((req, res, next) => { req.user = jwt.decode(req.headers['x-token'], secret, true); next(); });",
      errors: [{ messageId: 'noVerify' }],
    }),
    {
      code: "import fastify from 'fastify'; app.addHook('onRequest', async (request, reply) => { const [, body] = request.headers.authorization.split('.'); request.user = JSON.parse(atob(body)); });",
      errors: [{ messageId: 'handRolled' }],
    },
    ts({
      code: "import { jwtDecode } from 'jwt-decode'; import type { Request, Response } from 'express'; export function currentUser(req: Request, res: Response) { return res.json(jwtDecode(req.cookies.token)); }",
      errors: [{ messageId: 'decodeOnServer' }],
    }),
  ],
});

ruleTester.run('tessera/require-audience-issuer', audienceIssuer, {
  valid: [
    "import jwt from 'jsonwebtoken'; jwt.verify(t, k, { algorithms: ['RS256'], audience: 'https://api.example.com', issuer: 'https://auth.example.com/' });",
    ts({
      code: "import { jwtVerify } from 'jose'; await jwtVerify(token, JWKS, { issuer: ISSUER, audience: [/^https:\\/\\/api\\.example\\.com$/, 'mobile'] });",
    }),
    cjs({
      code: "const { createVerifier } = require('fast-jwt'); createVerifier({ key, algorithms: ['HS256'], allowedAud: 'api', allowedIss: 'auth' });",
    }),
    "import jwt from 'jsonwebtoken'; jwt.verify(t, k, verifyOptions);",
    // The service's own HMAC secret: no other issuer can mint a token it accepts.
    "import jwt from 'jsonwebtoken'; jwt.verify(token, process.env.ACCESS_TOKEN_SECRET, (err, user) => next(err, user));",
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; jwt.verify(t, k, { algorithms: ['RS256'] });",
      errors: [{ messageId: 'missing', data: { missing: 'an audience or an issuer' } }],
    },
    ts({
      code: "import { jwtVerify } from 'jose'; const { payload } = await jwtVerify(token, JWKS, { issuer: 'auth' });",
      errors: [{ messageId: 'missing', data: { missing: 'an audience' } }],
    }),
    {
      code: "import { expressjwt } from 'express-jwt'; app.use(expressjwt({ secret, algorithms: ['HS256'], audience: /api\\.example\\.com/, issuer: 'https://auth.example.com' }));",
      errors: [{ messageId: 'unanchored' }],
    },
    cjs({
      code: "const { Strategy } = require('passport-jwt'); new Strategy({ secretOrKey: k, algorithms: ['RS256'], audience: 'api', issuer: /^https:\\/\\/auth\\./ }, cb);",
      errors: [{ messageId: 'unanchored' }],
    }),
  ],
});

ruleTester.run('tessera/separate-token-types', tokenType, {
  valid: [
    "import jwt from 'jsonwebtoken'; const accessToken = jwt.sign({ sub }, ACCESS_SECRET, { expiresIn: '15m' }); const refreshToken = jwt.sign({ sub, typ: 'refresh' }, REFRESH_SECRET, { expiresIn: '14d' });",
    ts({
      code: "import { jwtVerify } from 'jose'; export async function rotate(refreshToken: string) { const { payload } = await jwtVerify(refreshToken, refreshKey, { typ: 'refresh+jwt' }); return payload; }",
    }),
    // A key of its own for refresh tokens already keeps access tokens out.
    "import jwt from 'jsonwebtoken'; jwt.verify(refreshToken, process.env.REFRESH_TOKEN_SECRET, (err, user) => done(err, user));",
    cjs({
      code: "const jwt = require('jsonwebtoken'); function readRefresh(refreshToken) { const claims = jwt.verify(refreshToken, REFRESH_KEY, { algorithms: ['HS256'] }); if (claims.type !== 'refresh') throw new Error('wrong type'); return claims; }",
    }),
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; const accessToken = jwt.sign({ sub }, process.env.JWT_SECRET, { expiresIn: '15m' }); const refreshToken = jwt.sign({ sub, typ: 'refresh' }, process.env.JWT_SECRET, { expiresIn: '7d' });",
      errors: [{ messageId: 'sameKey' }],
    },
    ts({
      code: "import jwt from 'jsonwebtoken'; export function refresh(refreshToken: string) { const claims = jwt.verify(refreshToken, JWT_SECRET, { algorithms: ['HS256'] }) as { sub: string }; return claims.sub; }",
      errors: [{ messageId: 'noTypeCheck' }],
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); function access(token) { return jwt.verify(token, secret, { algorithms: ['HS256'] }); } function renew(refreshToken) { const c = jwt.verify(refreshToken, secret, { algorithms: ['HS256'] }); if (c.typ !== 'refresh') throw 0; return c; }",
      errors: [{ messageId: 'sameKey' }],
    }),
  ],
});

ruleTester.run('tessera/rotate-refresh-tokens', refreshRotation, {
  valid: [
    "app.post('/auth/refresh', async (req, res) => { const claims = jwt.verify(req.cookies.refreshToken, key, opts); await tokens.revoke(claims.jti); res.json(issueTokenPair(claims.sub)); });",
    ts({
      code: "router.post('/token/refresh', async (req: Request, res: Response) => { const row = await db.query('UPDATE refresh_tokens SET used_at = now() WHERE jti = $1 AND used_at IS NULL RETURNING *', [jti(req.body.refreshToken)]); res.json(await createTokens(row.user_id)); });",
    }),
    cjs({
      code: 'async function refreshHandler(req, res) { const session = await sessions.rotate(req.body.refreshToken); res.json(session); }',
    }),
    "app.post('/login', async (req, res) => { res.json(generateTokens(await users.check(req.body))); });",
  ],
  invalid: [
    // destroy() runs only on the "expired" branch that returns; the valid token is answered back.
    cjs({
      code: "exports.refreshToken = async (req, res) => { const { refreshToken: rt } = req.body; const row = await RefreshToken.findOne({ where: { token: rt } }); if (row.expired) { RefreshToken.destroy({ where: { id: row.id } }); return res.status(403).end(); } const accessToken = jwt.sign({ id: row.userId }, KEY, { expiresIn: '15m' }); return res.json({ accessToken, refreshToken: row.token }); };",
      errors: [{ messageId: 'noInvalidation' }],
    }),
    {
      code: "app.post('/refresh', (req, res) => { const { refreshToken } = req.body; const claims = jwt.verify(refreshToken, REFRESH_SECRET); const accessToken = jwt.sign({ sub: claims.sub }, SECRET, { expiresIn: '15m' }); res.json({ accessToken, refreshToken }); });",
      errors: [{ messageId: 'noInvalidation' }],
    },
    ts({
      code: 'export async function refreshTokens(req: Request, res: Response): Promise<void> { const user = await verifyRefreshToken(req.cookies.refresh_token); res.json(await generateTokenPair(user)); }',
      errors: [{ messageId: 'noInvalidation' }],
    }),
    cjs({
      code: "const crypto = require('crypto'); const jwt = require('jsonwebtoken'); async function revokeToken(refreshToken) { jwt.verify(refreshToken, KEY, { algorithms: ['HS256'] }); await denylist.add(crypto.createHash('sha256').update(refreshToken).digest('hex')); }",
      errors: [{ messageId: 'hashWholeToken' }],
    }),
  ],
});

ruleTester.run('tessera/logout-revokes', logoutRevocation, {
  valid: [
    "import express from 'express'; app.post('/logout', async (req, res) => { await refreshTokens.revokeFamily(req.cookies.rt); res.clearCookie('rt').sendStatus(204); });",
    ts({
      code: "export async function logout(): Promise<void> { await api.post('/auth/logout'); localStorage.removeItem('user'); setUser(null); }",
    }),
    cjs({
      code: "const express = require('express'); router.get('/signout', (req, res) => { req.session.destroy(() => res.redirect('/')); });",
    }),
  ],
  invalid: [
    {
      code: "import express from 'express'; app.post('/logout', (req, res) => { res.clearCookie('refresh_token'); res.status(200).json({ ok: true }); });",
      errors: [{ messageId: 'noServerRevoke' }],
    },
    ts({
      code: "export function logout(): void { localStorage.removeItem('accessToken'); localStorage.removeItem('refreshToken'); navigate('/login'); }",
      errors: [{ messageId: 'clientOnly' }],
    }),
    cjs({
      code: "const fastify = require('fastify')(); async function handleLogout(request, reply) { reply.clearCookie('token'); return reply.code(204).send(); } fastify.post('/auth/sign-out', handleLogout);",
      errors: [{ messageId: 'noServerRevoke' }],
    }),
    {
      code: "const signOut = () => { document.cookie = 'token=; expires=Thu, 01 Jan 1970 00:00:00 GMT'; setToken(null); };",
      errors: [{ messageId: 'clientOnly' }],
    },
    // Overwriting the cookie with '' is the same as clearing it: the JWT itself stays valid.
    {
      code: "import express from 'express'; export const logoutUser = (req, res) => { res.cookie('jwt', '', { httpOnly: true, expires: new Date(0) }); res.status(200).json({ message: 'Logged out' }); };",
      errors: [{ messageId: 'noServerRevoke' }],
    },
    ts({
      code: 'class AuthService { logout(): void { TokenService.removeUser(); } }',
      errors: [{ messageId: 'clientOnly' }],
    }),
  ],
});

ruleTester.run('tessera/timing-safe-compare', timingSafeCompare, {
  valid: [
    "import { timingSafeEqual } from 'node:crypto'; const ok = a.length === b.length && timingSafeEqual(a, b);",
    ts({
      code: "if (typeof token !== 'string' || token === '') throw new Error('missing'); if (tokenType === 'Bearer') use(token);",
    }),
    cjs({
      code: 'if (signature.length !== expected.length) return false; if (req.headers.token === undefined) return false;',
    }),
    'if (header.typ === TOKEN_TYPE_ACCESS) accept();',
    // Looking a token up in the server's own list leaks nothing its result does not.
    'req.user.ownsToken = (token) => !!refreshTokens.find((x) => x.token === token);',
  ],
  invalid: [
    {
      code: "const expected = crypto.createHmac('sha256', secret).update(body).digest('hex'); if (req.headers['x-signature'] !== expected) throw new Error('bad');",
      errors: [{ messageId: 'compared' }],
    },
    ts({
      code: "export function checkApiKey(req: Request): boolean { return req.headers['x-api-key'] === process.env.API_KEY; }",
      errors: [{ messageId: 'compared' }],
    }),
    cjs({
      code: 'function verifyCsrf(req) { return req.body.csrfToken == req.session.csrfToken; }',
      errors: [{ messageId: 'compared' }],
    }),
    {
      code: 'if (computedSignature.equals(providedSignature)) ok();',
      errors: [{ messageId: 'compared', data: { operator: '.equals()' } }],
    },
  ],
});
