// Catalogue, validation bucket: keys, signatures, algorithms, audiences, issuers, types, revocation.
// Deployments are real Tessera nodes; "another deployment" is another SQLite file, hence another keyring.
import { createServer } from 'node:http';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { createResourceGuard } from '../../src/http/require-auth.js';
import { importKeyMaterial } from '../../src/keys/key-material.js';
import { sealKeyringEntry } from '../../src/keys/key-store.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { b64u, forge, forgeSigned, segment } from '../support/forge.js';
import { askNode, expectVerdict, freePort, signUp, useCatalogue } from './support.js';

const catalogue = useCatalogue();
const node = catalogue.node;

/** Seeds a deployment's keyring with one HS256 key of a fixed kid, as a config-file secret would. */
async function seedHmacKey(db: string, secret: string): Promise<void> {
  const store = await openSqliteStore({ path: path.join(catalogue.dir, db) });
  const key = await importKeyMaterial({ alg: 'HS256', secret, kid: 'main' });
  await store.initKeys([sealKeyringEntry({ key, createdAt: 0, activatesAt: 0 }, {})]);
  await store.close();
}

const claimsFor = (
  issuer: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    aud: 'api',
    sub: 'user-1',
    client_id: 'web',
    sid: 'sess-1',
    jti: 'jti-1',
    iat: now,
    exp: now + 900,
    ...extra,
  };
};

describe('catalogue: validation', () => {
  it('19. keys rotated without overlap (the API now runs with a fresh keyring)', async () => {
    const before = await node({ db: 'rotate-1.db' });
    const after = await node({ db: 'rotate-2.db', issuer: before.url });
    const { accessToken } = await signUp(before);
    const diagnosis = await diagnoseToken({ input: accessToken, server: after.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'KEY_UNKNOWN',
      bucket: 'validation',
      cause: /rotated without overlap/,
      fix: /Publish a new key before it signs/,
    });
    expect((await askNode(after, `Bearer ${accessToken}`)).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('20. an HS256 secret changed on redeploy (same kid, new secret)', async () => {
    const oldSecret = 'Q7mZ2xR9vB4nK8pL1sT6wY3cF5hJ0dGa-old';
    const newSecret = 'X1cV5bN8mQ2wE4rT6yU9iO0pA3sD7fGh-new';
    await seedHmacKey('redeploy-1.db', oldSecret);
    await seedHmacKey('redeploy-2.db', newSecret);
    const before = await node({ db: 'redeploy-1.db' });
    const after = await node({ db: 'redeploy-2.db', issuer: before.url });
    const { accessToken } = await signUp(before);
    const diagnosis = await diagnoseToken({
      input: accessToken,
      server: after.url,
      secret: { value: newSecret, name: 'DOCTOR_TEST_SECRET' },
      samples: 2,
    });
    expectVerdict(diagnosis, {
      code: 'SIGNATURE_INVALID',
      bucket: 'validation',
      cause: /signed by a key with the same kid from another deployment/,
      fix: /secret or key changed on redeploy/,
    });
    expect((await askNode(after, `Bearer ${accessToken}`)).detail).toBe(
      diagnosis.verdict.explanation,
    );
    // Without the secret, the JWKS says nothing about an HS256 key: the server's own answer decides.
    const noSecret = await diagnoseToken({ input: accessToken, server: after.url, samples: 2 });
    expect(noSecret.verdict.code).toBe('SIGNATURE_INVALID');
    expect(noSecret.unchecked.join('\n')).toMatch(/HS256 keys are never published/);
  });

  it('21. a preview deployment with another audience (shared keys, aud "api-preview")', async () => {
    const prod = await node({ db: 'preview.db' });
    const preview = await node({
      db: 'preview.db',
      issuer: prod.url,
      flags: { audience: 'api-preview' },
    });
    const { accessToken } = await signUp(preview);
    const diagnosis = await diagnoseToken({ input: accessToken, server: prod.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'AUDIENCE_MISMATCH',
      bucket: 'validation',
      cause: /audience "api-preview"; this API is "api".*preview deployment/,
      fix: /previews need their own API or audience/,
    });
    expect((await askNode(prod, `Bearer ${accessToken}`)).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('22. a token minted for service A sent to API B', async () => {
    const auth = await node({ db: 'services.db', flags: { audience: 'orders' } });
    const { accessToken } = await signUp(auth);
    const guard = createResourceGuard({
      issuer: auth.url,
      audience: 'billing',
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
    });
    const port = await freePort();
    const billing = createServer((req, res) => {
      Promise.resolve(
        guard.check({ url: req.url ?? '/', authorization: req.headers.authorization }),
      ).then(
        (result) => {
          if (result.ok) res.writeHead(200).end('{}');
          else
            res.writeHead(result.problem.status, result.problem.headers).end(result.problem.body);
        },
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => billing.listen(port, '127.0.0.1', resolve));
    catalogue.onClose(() => new Promise<void>((resolve) => billing.close(() => resolve())));
    const diagnosis = await diagnoseToken({
      input: accessToken,
      jwks: `${auth.url}/.well-known/jwks.json`,
      issuer: auth.url,
      audience: 'billing',
    });
    expectVerdict(diagnosis, {
      code: 'AUDIENCE_MISMATCH',
      bucket: 'validation',
      cause: /audience "orders"; this API is "billing"/,
      fix: /Request the token for this API/,
    });
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(((await response.json()) as { detail: string }).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('23. staging and production disagree on the issuer', async () => {
    const prod = await node({ db: 'issuer.db' });
    const staging = await node({ db: 'issuer.db', issuer: 'https://staging.example.test' });
    const { accessToken } = await signUp(staging);
    const diagnosis = await diagnoseToken({ input: accessToken, server: prod.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'ISSUER_MISMATCH',
      bucket: 'validation',
      cause: /issued by "https:\/\/staging\.example\.test"/,
      fix: /same issuer/,
    });
    expect((await askNode(prod, `Bearer ${accessToken}`)).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('24. a session revoked by "log out everywhere" (only the server knows)', async () => {
    const a = await node({ db: 'revoked.db' });
    const { accessToken } = await signUp(a);
    const revoke = await fetch(`${a.url}/auth/logout-all`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(revoke.status).toBe(204);
    const diagnosis = await diagnoseToken({ input: accessToken, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'TOKEN_REVOKED',
      bucket: 'validation',
      cause: /was revoked/,
      fix: /sign in again/i,
      fromServer: true,
    });
    expect(diagnosis.findings.find((f) => f.id === 'server-disagrees')?.why).toMatch(
      /state only the server holds/,
    );
  });

  it('25. an unsigned token (alg "none") sent to the API', async () => {
    const a = await node({ db: 'none.db' });
    const token = `${segment({ alg: 'none', typ: 'at+jwt', kid: 'x' })}.${segment(claimsFor(a.url))}.`;
    const diagnosis = await diagnoseToken({ input: token, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'ALGORITHM_NOT_ALLOWED',
      bucket: 'validation',
      cause: /unsigned tokens are never accepted/,
      fix: /never accept alg "none"/,
    });
    expect(diagnosis.warnings.map((w) => w.id)).toContain('alg-none');
    expect((await askNode(a, `Bearer ${token}`)).detail).toBe(diagnosis.verdict.explanation);
  });

  it('26. a legacy service signs HS256 with a tutorial secret (guessed with no key given)', async () => {
    const token = jwt.sign(claimsFor('https://legacy.example.test'), 'your-256-bit-secret', {
      algorithm: 'HS256',
      header: { alg: 'HS256', typ: 'at+jwt', kid: 'legacy' },
    });
    const diagnosis = await diagnoseToken({ input: token });
    expectVerdict(diagnosis, {
      code: 'SECRET_WEAK',
      bucket: null,
      cause: /well-known example secret/,
      fix: /Rotate to a random 32-byte secret/,
    });
    expect(diagnosis.warnings[0]).toMatchObject({ id: 'weak-secret-guessed', severity: 'danger' });
  });

  it('27. algorithm confusion: HS256 signed with the published public key', async () => {
    const a = await node({ db: 'confusion.db' });
    const key = a.server.keyring.signingKey();
    const publicPem = key.publicKey.export({ type: 'spki', format: 'pem' });
    const token = forgeSigned(
      { ...key, alg: 'HS256', privateKey: publicPem as never },
      { alg: 'HS256', typ: 'at+jwt', kid: key.kid },
      claimsFor(a.url),
    );
    const diagnosis = await diagnoseToken({ input: token, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'ALGORITHM_NOT_ALLOWED',
      bucket: 'validation',
      cause: /the algorithm is decided by the key, never by the token/,
      fix: /Sign with the algorithm of the key/,
    });
    expect((await askNode(a, `Bearer ${token}`)).detail).toBe(diagnosis.verdict.explanation);
  });

  it('28. an ID token (typ "JWT") sent where the access token belongs', async () => {
    const a = await node({ db: 'idtoken.db' });
    const key = a.server.keyring.signingKey();
    const token = forgeSigned(
      key,
      { alg: key.alg, typ: 'JWT', kid: key.kid },
      claimsFor(a.url, { email: 'ada@example.test' }),
    );
    const diagnosis = await diagnoseToken({ input: token, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'TOKEN_TYPE_MISMATCH',
      bucket: 'validation',
      cause: /not "at\+jwt": it is not an access token \(an ID token/,
      fix: /Send the access token \(typ at\+jwt\)/,
    });
    expect(diagnosis.warnings.map((w) => w.id)).toContain('personal-data');
  });

  it('29. a token without "kid" from a hand-rolled signer', async () => {
    const a = await node({ db: 'nokid.db' });
    const key = a.server.keyring.signingKey();
    const token = forgeSigned(key, { alg: key.alg, typ: 'at+jwt' }, claimsFor(a.url));
    const diagnosis = await diagnoseToken({ input: token, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'KEY_UNKNOWN',
      bucket: 'validation',
      cause: /no "kid"/,
      fix: /Sign with a kid that names the key/,
    });
    expect(diagnosis.warnings.map((w) => w.id)).toContain('missing-kid');
  });

  it('30. a payload edited to grant admin (signature kept)', async () => {
    const a = await node({ db: 'tamper.db' });
    const { accessToken } = await signUp(a);
    const [header, payload, signature] = accessToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const tampered = forge(
      header,
      b64u(JSON.stringify({ ...claims, roles: ['admin'] })),
      () => signature,
    );
    const diagnosis = await diagnoseToken({ input: tampered, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'SIGNATURE_INVALID',
      bucket: 'validation',
      cause: /The token was altered/,
      fix: /Verify with the keys of the deployment that issued the token/,
    });
    expect((await askNode(a, `Bearer ${tampered}`)).detail).toBe(diagnosis.verdict.explanation);
  });

  it('31. a refresh token overwritten by a second tab: the stale tab replays it after the grace window', async () => {
    const a = await node({ db: 'tabs.db' });
    const tabB = await signUp(a, { transport: 'body' });
    const refresh = (token: string): Promise<Response> =>
      fetch(`${a.url}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'token-transport': 'body' },
        body: JSON.stringify({ refresh_token: token }),
      });
    // Tab A rotates the shared token and stores the successor; tab B still holds the old one in memory.
    expect((await refresh(tabB.refreshToken)).status).toBe(200);
    a.setSkew(60_000);
    const replay = (await (await refresh(tabB.refreshToken)).json()) as { code: string };
    expect(replay.code).toBe('REFRESH_TOKEN_REUSED');
    const diagnosis = await diagnoseToken({
      input: tabB.accessToken,
      server: a.url,
      samples: 2,
      now: () => Date.now() + 60_000,
    });
    expectVerdict(diagnosis, {
      code: 'TOKEN_REVOKED',
      bucket: 'validation',
      cause: /was revoked/,
      fix: /a second tab refreshing with the token another tab had already rotated/,
      fromServer: true,
    });
  });
});
