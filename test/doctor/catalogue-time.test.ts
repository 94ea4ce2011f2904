// Catalogue, time bucket: nodes with skewed clocks, a device clock that is off, leeway and lifetimes.
// Every node is a real Tessera server on its own port and clock; nodes on one SQLite file are one deployment.
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { createResourceGuard } from '../../src/http/require-auth.js';
import { freePort, askNode, expectVerdict, signUp, useCatalogue } from './support.js';
import { forgeSigned } from '../support/forge.js';

const MIN = 60_000;
const catalogue = useCatalogue();
const node = catalogue.node;

describe('catalogue: time', () => {
  it('12. an access token used after it expired (the client never refreshed)', async () => {
    const a = await node({ db: 'expired.db' });
    const { accessToken } = await signUp(a);
    a.setSkew(20 * MIN);
    // The doctor runs 20 minutes later too: same clock as the server, the token is simply old.
    const diagnosis = await diagnoseToken({
      input: accessToken,
      server: a.url,
      samples: 2,
      now: () => Date.now() + 20 * MIN,
    });
    expectVerdict(diagnosis, {
      code: 'TOKEN_EXPIRED',
      bucket: 'time',
      cause: /expired 5 min( \d+ s)? ago/,
      fix: /Refresh before exp/,
    });
    expect(diagnosis.decoded?.times.find((t) => t.name === 'exp')?.relativeLocal).toMatch(
      /^expired 5 min/,
    );
  });

  it('13. one node of a deployment is 10 minutes ahead: its tokens are "issued in the future" elsewhere', async () => {
    const ahead = await node({ db: 'ahead.db', skewMs: 10 * MIN });
    const correct = await node({ db: 'ahead.db', issuer: ahead.url });
    const { accessToken } = await signUp(ahead);
    const diagnosis = await diagnoseToken({ input: accessToken, server: correct.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'TOKEN_ISSUED_IN_FUTURE',
      bucket: 'time',
      cause: /issued (9 min 5\d s|10 min( \d s)?) in the future.*issuing server's clock is ahead/,
      fix: /NTP/,
    });
    expect((await askNode(correct, `Bearer ${accessToken}`)).code).toBe('TOKEN_ISSUED_IN_FUTURE');
  });

  it('14. one node is 20 minutes behind: its tokens are already expired elsewhere, and the doctor proves its clock is off', async () => {
    const behind = await node({ db: 'behind.db', skewMs: -20 * MIN });
    const correct = await node({ db: 'behind.db', issuer: behind.url });
    const { accessToken } = await signUp(behind);
    const atCorrect = await diagnoseToken({ input: accessToken, server: correct.url, samples: 2 });
    expectVerdict(atCorrect, {
      code: 'TOKEN_EXPIRED',
      bucket: 'time',
      cause: /expired 5 min/,
      fix: /Refresh/,
    });
    const atBehind = await diagnoseToken({ input: accessToken, server: behind.url, samples: 3 });
    const offset = atBehind.findings.find((f) => f.id === 'clock-offset');
    expect(offset).toMatchObject({ severity: 'danger', bucket: 'time' });
    expect(offset?.what).toMatch(/The server's clock is 20 min behind this machine's/);
    expect(offset?.fix).toMatch(/NTP/);
    expect(atBehind.clock?.offsetMs).toBeLessThan(-19 * MIN);
  });

  it('15. "works on my laptop, users on Windows are logged out": a device clock 16 minutes fast', async () => {
    const a = await node({ db: 'device.db' });
    const { accessToken } = await signUp(a);
    const diagnosis = await diagnoseToken({
      input: accessToken,
      server: a.url,
      samples: 3,
      now: () => Date.now() + 16 * MIN,
    });
    // The server accepts the token; the device's clock alone calls it expired.
    expectVerdict(diagnosis, {
      code: null,
      bucket: null,
      cause:
        /On this machine's clock the token is refused: The token expired .* On the server's clock it is valid/,
      fix: /never judge exp by the device clock: schedule refresh from expires_in/,
    });
    expect(diagnosis.verdict.status).toBe('valid');
    expect(diagnosis.findings.find((f) => f.id === 'clock-offset')?.what).toMatch(
      /16 min behind this machine's/,
    );
  });

  it('16. leeway 0 on one node: five seconds of drift refuse fresh tokens', async () => {
    const ahead = await node({ db: 'leeway.db', skewMs: 5000 });
    const strict = await node({ db: 'leeway.db', issuer: ahead.url, flags: { leeway: '0s' } });
    const { accessToken } = await signUp(ahead);
    const diagnosis = await diagnoseToken({ input: accessToken, server: strict.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'TOKEN_ISSUED_IN_FUTURE',
      bucket: 'time',
      cause: /in the future.*leeway 0 s/,
      fix: /leeway absorbs small drift/,
    });
    expect(diagnosis.expectations.leewaySeconds).toBe(0);
  });

  it('17. the auth server issues 2-hour tokens; an API with requireAuth defaults refuses them', async () => {
    const auth = await node({ db: 'long.db', flags: { 'access-ttl': '2h' } });
    const { accessToken } = await signUp(auth);
    const guard = createResourceGuard({
      issuer: auth.url,
      audience: 'api',
      jwksUrl: `${auth.url}/.well-known/jwks.json`,
    });
    const port = await freePort();
    const api = createServer((req, res) => {
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
    await new Promise<void>((resolve) => api.listen(port, '127.0.0.1', resolve));
    catalogue.onClose(() => new Promise<void>((resolve) => api.close(() => resolve())));
    const diagnosis = await diagnoseToken({
      input: accessToken,
      jwks: `${auth.url}/.well-known/jwks.json`,
      issuer: auth.url,
      audience: 'api',
    });
    expectVerdict(diagnosis, {
      code: 'TOKEN_LIFETIME_TOO_LONG',
      bucket: 'time',
      cause: /lives 2 h .*maximum is 1 h/,
      fix: /Lower the access-token TTL/,
    });
    expect(diagnosis.warnings.map((w) => w.id)).toContain('long-lifetime');
    const response = await fetch(`http://127.0.0.1:${port}/`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(((await response.json()) as { detail: string }).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('18. a batch job mints a token with nbf 10 minutes ahead', async () => {
    const a = await node({ db: 'nbf.db' });
    const key = a.server.keyring.signingKey();
    const now = Math.floor(Date.now() / 1000);
    const token = forgeSigned(
      key,
      { alg: key.alg, typ: 'at+jwt', kid: key.kid },
      {
        iss: a.url,
        aud: 'api',
        sub: 'job',
        client_id: 'batch',
        sid: 's',
        jti: 'j',
        iat: now,
        nbf: now + 600,
        exp: now + 900,
      },
    );
    const diagnosis = await diagnoseToken({ input: token, server: a.url, samples: 2 });
    expectVerdict(diagnosis, {
      code: 'TOKEN_NOT_YET_VALID',
      bucket: 'time',
      cause: /not valid for another (9 min|10 min)/,
      fix: /wait until nbf|NTP/,
    });
    expect(diagnosis.decoded?.times.find((t) => t.name === 'nbf')?.relativeServer).toMatch(
      /^not valid for another/,
    );
  });
});
