// The pure parts of the doctor: reading, time words, clock measurement, weak secrets, keys, rendering.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { measureClockOffset } from '../../src/doctor/clock-offset.js';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { judgeToken } from '../../src/doctor/token/judge-token.js';
import { unwrap } from '../../src/doctor/token/read-token.js';
import { renderDiagnosis, renderJson, shouldColor } from '../../src/doctor/render.js';
import { describeRelative, formatLocalInstant } from '../../src/doctor/time-view.js';
import { guessWeakSecret } from '../../src/doctor/token/weak-secret.js';
import { createFixture, forgeSigned, ISSUER, NOW_MS, NOW_S } from '../support/forge.js';

describe('doctor: words for time', () => {
  it('says where a claim stands relative to a clock', () => {
    expect(describeRelative('exp', 1000, 1372)).toBe('expired 6 min 12 s ago');
    expect(describeRelative('iat', 1045, 1000)).toBe('issued 45 s in the future');
    expect(describeRelative('exp', 2000, 1100)).toBe('expires in 15 min');
    expect(describeRelative('nbf', 1030, 1000)).toBe('not valid for another 30 s');
  });

  it('shows local time with its zone', () => {
    expect(formatLocalInstant(1767268805, 'Europe/Berlin')).toBe(
      '2026-01-01 13:00:05 GMT+1 (Europe/Berlin)',
    );
    expect(formatLocalInstant(1767268805, 'America/New_York')).toBe(
      '2026-01-01 07:00:05 GMT-5 (America/New_York)',
    );
  });

  it('prints every time claim as UTC, local and relative on both clocks', async () => {
    const { sign } = await createFixture('EdDSA');
    const { token } = sign({ sub: 'u', sid: 's', clientId: 'web' });
    const diagnosis = judgeToken({
      input: token,
      now: () => NOW_MS + 372_000 + 900_000,
      clock: {
        offsetMs: -45_000,
        uncertaintyMs: 2,
        samples: 3,
        roundTripMs: 4,
        source: 'auth-time',
      },
      timeZone: 'UTC',
    });
    const exp = diagnosis.decoded?.times.find((t) => t.name === 'exp');
    expect(exp?.local).toMatch(/^2026-01-01 00:15:00 GMT(\+0)? \(UTC\)$/);
    expect(exp).toMatchObject({
      utc: '2026-01-01T00:15:00Z',
      relativeLocal: 'expired 6 min 12 s ago',
      relativeServer: 'expired 5 min 27 s ago',
    });
  });
});

describe('doctor: reading what was pasted', () => {
  it('names every mangling in the order it undoes them', () => {
    expect(unwrap('"Bearer eyJa.eyJb.c"').manglings.map((m) => m.kind)).toEqual([
      'quoted',
      'bearer-prefix',
    ]);
    expect(unwrap('%22eyJa.eyJb.c%22').manglings.map((m) => m.kind)).toEqual([
      'url-encoded',
      'quoted',
    ]);
    expect(unwrap('eyJa.eyJb.c').manglings).toEqual([]);
  });

  it('never prints the token or its signature back', async () => {
    const { sign } = await createFixture('ES256');
    const { token } = sign({ sub: 'u', sid: 's', clientId: 'web' });
    const diagnosis = judgeToken({ input: `"${token}"`, now: () => NOW_MS, timeZone: 'UTC' });
    const signature = token.split('.')[2] as string;
    for (const output of [
      renderJson(diagnosis),
      renderDiagnosis(diagnosis, { color: true }),
      renderDiagnosis(diagnosis, { color: false }),
    ]) {
      expect(output).not.toContain(signature);
      expect(output).not.toContain(token);
    }
  });
});

describe('doctor: keys and secrets', () => {
  it('without a key, judges everything but the signature and says so', async () => {
    const { sign } = await createFixture('EdDSA');
    const diagnosis = judgeToken({
      input: sign({ sub: 'u', sid: 's', clientId: 'web' }).token,
      now: () => NOW_MS,
    });
    expect(diagnosis.verdict).toMatchObject({ status: 'unknown', code: null });
    expect(diagnosis.unchecked.join('\n')).toMatch(/the signature: no key was given/);
    expect(diagnosis.unchecked.join('\n')).toMatch(/the audience: no --aud/);
  });

  it('verifies with a public PEM key file and names the failing check', async () => {
    const { key, sign } = await createFixture('EdDSA');
    const dir = await mkdtemp(path.join(tmpdir(), 'doctor-key-'));
    const pem = path.join(dir, 'public.pem');
    await writeFile(pem, key.publicKey.export({ type: 'spki', format: 'pem' }));
    const { token } = sign({ sub: 'u', sid: 's', clientId: 'web' });
    const ok = await diagnoseToken({
      input: token,
      keyFile: pem,
      issuer: ISSUER,
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(ok.verdict.status).toBe('valid');
    const other = generateKeyPairSync('ed25519');
    await writeFile(pem, other.publicKey.export({ type: 'spki', format: 'pem' }));
    const bad = await diagnoseToken({
      input: token,
      keyFile: pem,
      issuer: ISSUER,
      audience: 'api',
      now: () => NOW_MS,
    });
    expect(bad.verdict.code).toBe('SIGNATURE_INVALID');
    await rm(dir, { recursive: true, force: true });
  });

  it('guesses tutorial secrets, with or without a trailing newline, and not a random one', () => {
    const claims = {
      iss: ISSUER,
      aud: 'api',
      sub: 'u',
      client_id: 'w',
      sid: 's',
      jti: 'j',
      iat: NOW_S,
      exp: NOW_S + 900,
    };
    expect(guessWeakSecret(jwt.sign(claims, 'keyboard cat', { algorithm: 'HS256' }))).toBe(
      'keyboard cat',
    );
    expect(guessWeakSecret(jwt.sign(claims, 'changeme\n', { algorithm: 'HS256' }))).toBe(
      'changeme\n',
    );
    expect(
      guessWeakSecret(jwt.sign(claims, 'k3J9x!Qm2#Lp8Zr5@Wt1Vy7$Nb4Hc6Df', { algorithm: 'HS256' })),
    ).toBeUndefined();
  });

  it('warns about secrets and personal data in the payload, a missing exp and a long lifetime', async () => {
    const { key } = await createFixture('EdDSA');
    const header = { alg: key.alg, typ: 'at+jwt', kid: key.kid };
    const leaky = forgeSigned(key, header, {
      iss: ISSUER,
      aud: 'api',
      sub: 'u',
      email: 'a@b.test',
      db_password: 'x',
      iat: NOW_S,
      exp: NOW_S + 7 * 86_400,
    });
    const ids = judgeToken({ input: leaky, now: () => NOW_MS }).warnings.map((w) => w.id);
    expect(ids).toEqual(
      expect.arrayContaining(['sensitive-claim', 'personal-data', 'long-lifetime']),
    );
    const forever = forgeSigned(key, header, { iss: ISSUER, aud: 'api', sub: 'u', iat: NOW_S });
    expect(judgeToken({ input: forever, now: () => NOW_MS }).warnings.map((w) => w.id)).toContain(
      'missing-exp',
    );
  });
});

describe('doctor: clock offset', () => {
  it('corrects each sample by half its round trip and keeps the tightest', async () => {
    let local = 1_000_000;
    const trips = [80, 10, 40];
    let call = 0;
    const fakeFetch = (async () => {
      const trip = trips[call++ % trips.length] as number;
      local += trip / 2; // the server reads its clock halfway through the round trip
      const serverNow = local + 5000;
      local += trip / 2;
      return Response.json({ now: new Date(serverNow).toISOString(), epoch_ms: serverNow });
    }) as typeof fetch;
    const clock = await measureClockOffset({
      baseUrl: 'http://server.test',
      fetch: fakeFetch,
      now: () => local,
      samples: 3,
    });
    expect(clock).toEqual({
      offsetMs: 5000,
      uncertaintyMs: 5,
      samples: 3,
      roundTripMs: 10,
      source: 'auth-time',
    });
  });

  it('falls back to the Date header, with its one-second resolution in the uncertainty', async () => {
    const local = Date.UTC(2026, 0, 1, 12);
    const fakeFetch = (async () =>
      new Response('not found', {
        status: 404,
        headers: { date: new Date(local + 120_000).toUTCString() },
      })) as typeof fetch;
    const clock = await measureClockOffset({
      baseUrl: 'http://server.test',
      fetch: fakeFetch,
      now: () => local,
      samples: 2,
    });
    expect(clock).toMatchObject({ offsetMs: 120_500, uncertaintyMs: 500, source: 'date-header' });
  });
});

describe('doctor: colour', () => {
  it('colours only a terminal without NO_COLOR', () => {
    expect(shouldColor({ isTTY: true, env: {} })).toBe(true);
    expect(shouldColor({ isTTY: false, env: {} })).toBe(false);
    expect(shouldColor({ isTTY: true, env: { NO_COLOR: '1' } })).toBe(false);
  });
});
