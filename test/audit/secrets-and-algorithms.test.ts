import algorithms from '../../src/audit/rules/algorithms.js';
import hardcodedSecret from '../../src/audit/rules/hardcoded-secret.js';
import noneAlgorithm from '../../src/audit/rules/none-algorithm.js';
import ephemeralKey from '../../src/audit/rules/ephemeral-key.js';
import { cjs, ruleTester, ts } from './rule-tester.js';

ruleTester.run('tessera/no-hardcoded-secret', hardcodedSecret, {
  valid: [
    "import jwt from 'jsonwebtoken'; const token = jwt.sign({ sub: id }, process.env.JWT_SECRET, { expiresIn: '15m' });",
    ts({
      code: "import { jwtVerify } from 'jose'; const key = new TextEncoder().encode(config.jwtSecret); await jwtVerify(token, key);",
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const PUBLIC_KEY = '-----BEGIN PUBLIC KEY-----\\nMIIB...'; jwt.verify(t, PUBLIC_KEY, { algorithms: ['RS256'] });",
    }),
    "const SECRET_HEADER = req.get('x-secret-header'); const port = process.env.PORT || '3000';",
    ts({
      code: "const secret: string = mustGetEnv('JWT_SECRET'); export const signer = createSigner({ key: secret });",
    }),
    // A secret-named key in an object nobody exports, in a file not named like configuration.
    "const labels = { secret: 'Secret', password: 'Password' }; render(labels);",
    // ConfigService reads without a fallback, and a fallback for a setting that is not a secret.
    ts({
      code: "JwtModule.registerAsync({ useFactory: (config: ConfigService) => ({ secret: config.getOrThrow('JWT_SECRET'), signOptions: { expiresIn: config.get('JWT_EXPIRES', '15m') } }) });",
    }),
    ts({
      code: "const port = this.configService.get('PORT', '3000'); cache.get('JWT_SECRET', 'x');",
    }),
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; jwt.sign({ sub: 1 }, 'shhhhh');",
      errors: [{ messageId: 'wellKnown' }],
    },
    cjs({
      code: "const jwt = require('jsonwebtoken'); const SECRET = process.env.JWT_SECRET || 'dev-secret-please-change'; jwt.verify(token, SECRET);",
      errors: [{ messageId: 'envFallback' }],
    }),
    ts({
      code: "import { SignJWT } from 'jose'; const key = new TextEncoder().encode('a-long-but-committed-secret'); await new SignJWT({}).sign(key);",
      errors: [{ messageId: 'hardcoded', data: { short: ' and only 27 bytes long' } }],
    }),
    {
      code: "import { expressjwt } from 'express-jwt'; app.use(expressjwt({ secret: 'keyboard cat', algorithms: ['HS256'] }));",
      errors: [{ messageId: 'wellKnown' }],
    },
    ts({
      code: "export const JWT_SECRET = 'f3c9a1d2e4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9';",
      errors: [{ messageId: 'hardcoded', data: { short: '' } }],
    }),
    {
      code: "import jwt from 'jsonwebtoken'; import { randomBytes } from 'node:crypto'; jwt.sign(p, randomBytes(16));",
      errors: [{ messageId: 'short' }],
    },
    {
      code: "const jwt = { key: process.env.JWT_SIGNING_KEY ?? 'changeme' };",
      errors: [{ messageId: 'envFallback' }],
    },
    // Nest's ConfigService spells process.env another way; its default argument is the same fallback.
    ts({
      code: "JwtModule.registerAsync({ useFactory: (config: ConfigService) => ({ secret: config.get<string>('JWT_SECRET') || 'secretKey' }) });",
      errors: [{ messageId: 'envFallback', data: { env: 'JWT_SECRET' } }],
    }),
    ts({
      code: "class S { constructor(private configService: ConfigService) {} key() { return this.configService.get('JWT_ACCESS_SECRET', 'dev-access-secret'); } }",
      errors: [{ messageId: 'envFallback', data: { env: 'JWT_ACCESS_SECRET' } }],
    }),
    // The config module a signer's config.secret comes from.
    cjs({
      code: "module.exports = { secret: 'bezkoder-secret-key', jwtExpiration: 3600 };",
      errors: [{ messageId: 'hardcoded', data: { short: ' and only 19 bytes long' } }],
    }),
    ts({
      code: "export default { jwtSecret: 'abc123', port: 3000 };",
      errors: [{ messageId: 'wellKnown' }],
    }),
  ],
});

ruleTester.run('tessera/no-none-algorithm', noneAlgorithm, {
  valid: [
    "import jwt from 'jsonwebtoken'; jwt.verify(token, publicKey, { algorithms: ['RS256'] });",
    ts({
      code: "import { jwtVerify } from 'jose'; const { payload } = await jwtVerify(token, jwks, { algorithms: ['ES256'] });",
    }),
    cjs({
      code: "const { createVerifier } = require('fast-jwt'); const verify = createVerifier({ key: async () => getKey(), algorithms: ['HS256'] });",
    }),
    "const algorithms = ['none']; log(algorithms); // not a verify option",
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; jwt.verify(token, key, { algorithms: ['HS256', 'none'] });",
      output: "import jwt from 'jsonwebtoken'; jwt.verify(token, key, { algorithms: ['HS256'] });",
      errors: [{ messageId: 'noneAllowed' }],
    },
    ts({
      code: "import * as jwt from 'jsonwebtoken'; const t = jwt.sign(payload, '', { algorithm: 'none' });",
      errors: [{ messageId: 'noneSigned' }],
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const claims = jwt.verify(req.headers.authorization, null);",
      errors: [{ messageId: 'falsyKey' }],
    }),
    ts({
      code: "import { UnsecuredJWT } from 'jose'; const { payload } = UnsecuredJWT.decode(token);",
      errors: [{ messageId: 'unsecured' }],
    }),
    {
      code: "import passportJwt from 'passport-jwt'; new passportJwt.Strategy({ secretOrKey: undefined, algorithms: ['none'] }, cb);",
      errors: [{ messageId: 'falsyKey' }, { messageId: 'noneAllowed' }],
    },
  ],
});

ruleTester.run('tessera/require-algorithms', algorithms, {
  valid: [
    "import jwt from 'jsonwebtoken'; jwt.verify(token, publicKey, { algorithms: ['RS256', 'ES256'], audience: 'api' });",
    ts({
      code: "import { jwtVerify, createRemoteJWKSet } from 'jose'; const JWKS = createRemoteJWKSet(new URL(issuer + '/jwks')); await jwtVerify(token, JWKS);",
    }),
    cjs({
      code: "const jwt = require('jsonwebtoken'); const opts = { ...baseOptions }; jwt.verify(token, key, opts);",
    }),
    ts({
      code: "import jwt from 'jsonwebtoken'; function getKey(header: JwtHeader, cb: SigningKeyCallback) { client.getSigningKey(header.kid, cb); } jwt.verify(t, getKey, { algorithms: ['RS256'] }, done);",
    }),
    // An HMAC secret: jsonwebtoken 9, express-jwt and passport-jwt already refuse other families.
    "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, process.env.JWT_SECRET);",
    cjs({
      code: "const { Strategy } = require('passport-jwt'); new Strategy({ secretOrKey: config.jwt.secret, jwtFromRequest }, cb);",
    }),
  ],
  invalid: [
    {
      code: "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, publicKey);",
      errors: [
        {
          messageId: 'missing',
          suggestions: [
            {
              messageId: 'addAlgorithms',
              data: { alg: 'HS256' },
              output:
                "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, publicKey, { algorithms: ['HS256'] });",
            },
            {
              messageId: 'addAlgorithms',
              data: { alg: 'RS256' },
              output:
                "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, publicKey, { algorithms: ['RS256'] });",
            },
            {
              messageId: 'addAlgorithms',
              data: { alg: 'ES256' },
              output:
                "import jwt from 'jsonwebtoken'; const claims = jwt.verify(token, publicKey, { algorithms: ['ES256'] });",
            },
          ],
        },
      ],
    },
    ts({
      code: "import { Strategy as JwtStrategy, ExtractJwt } from 'passport-jwt'; passport.use(new JwtStrategy({ jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: publicKey }, verifyUser));",
      errors: [{ messageId: 'missing' }],
    }),
    {
      code: "import { createVerifier } from 'fast-jwt'; const verify = createVerifier({ key: pem, algorithms: ['HS256', 'RS256'] });",
      errors: [{ messageId: 'mixed' }],
    },
    ts({
      code: "import jwt from 'jsonwebtoken'; const decoded = jwt.decode(token, { complete: true }); jwt.verify(token, key, { algorithms: [decoded.header.alg] });",
      errors: [{ messageId: 'fromHeader', data: { field: 'alg' } }],
    }),
    {
      code: "import { importJWK } from 'jose'; const { header } = parse(token); const key = await importJWK(header.jwk);",
      errors: [{ messageId: 'fromHeader', data: { field: 'jwk' } }],
    },
    ts({
      code: "import { jwtVerify, EmbeddedJWK } from 'jose'; await jwtVerify(token, EmbeddedJWK);",
      errors: [{ messageId: 'embeddedKey' }],
    }),
    {
      code: 'const res = await fetch(decoded.header.jku);',
      errors: [{ messageId: 'fromHeader', data: { field: 'jku' } }],
    },
  ],
});

ruleTester.run('tessera/no-ephemeral-signing-key', ephemeralKey, {
  valid: [
    "import crypto from 'node:crypto'; export function newRequestId() { return crypto.randomUUID(); } const JWT_SECRET = process.env.JWT_SECRET;",
    ts({
      code: "import { randomBytes } from 'node:crypto'; export function issueRefreshToken(): string { const secret = randomBytes(32).toString('base64url'); return secret; }",
    }),
    cjs({
      code: "const { randomUUID } = require('crypto'); const requestId = randomUUID(); const csrfSalt = Math.random();",
    }),
    ts({
      code: 'class KeyStore { private signingKey = loadKey(); } const apiKey = randomBytes(16);',
    }),
  ],
  invalid: [
    {
      code: "import crypto from 'node:crypto'; const JWT_SECRET = crypto.randomBytes(64).toString('hex');",
      errors: [{ messageId: 'ephemeral' }],
    },
    ts({
      code: "import { generateKeyPairSync } from 'node:crypto'; export const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });",
      errors: [{ messageId: 'ephemeral', data: { name: 'privateKey' } }],
    }),
    cjs({
      code: "module.exports = { jwt: { secret: process.env.SECRET || require('crypto').randomUUID(), expiresIn: '15m' } };",
      errors: [{ messageId: 'ephemeral', data: { name: 'secret' } }],
    }),
    ts({
      code: "import { generateSecret } from 'jose'; const signingKey = await generateSecret('HS256');",
      errors: [{ messageId: 'ephemeral' }],
    }),
    {
      code: 'export class Tokens { static secret = Math.random().toString(36); }',
      errors: [{ messageId: 'ephemeral' }],
    },
  ],
});
