// Shared parts of the issue 12 re-check (test/doctor/generic-recheck-*.test.ts): tokens signed the way
// other libraries sign them, a JWKS file, an API whose clock runs ahead, and the runner that judges
// each case's verdict, bucket and words.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { segment } from '../support/forge.js';
import { wordsOf } from './support.js';

export const SECRET = 'Xr4!pQ9#mL2$vB7%nT5^kW8&zC3*hJ6@';
export const nowS = (): number => Math.floor(Date.now() / 1000);
export const secret = { value: SECRET, name: 'JWT_SECRET' };
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const rs256 = (header: Record<string, unknown>, payload: unknown): string => {
  const input = `${segment({ alg: 'RS256', ...header })}.${segment(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), rsa.privateKey).toString('base64url')}`;
};
export const hs256 = (header: Record<string, unknown>, payload: unknown, key = SECRET): string => {
  const input = `${segment({ alg: 'HS256', ...header })}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
};

export const js = (payload: object, options: jwt.SignOptions = {}): string =>
  jwt.sign(payload, SECRET, options);

/** One fault: how the user runs the doctor on it, and the verdict, bucket and words it must get. */
export interface Case {
  readonly name: string;
  readonly run: () => ReturnType<typeof diagnoseToken>;
  readonly status: 'valid' | 'invalid' | 'unknown';
  readonly code: string | null;
  readonly bucket: string | null;
  readonly words: RegExp;
  readonly notWords?: RegExp;
}

/** Filled by `useRecheckFixtures` before the tests run: read them inside a case's `run`. */
export const fixtures = { jwksFile: '', skewedUrl: '' };
let dir: string;
let skewed: Server;

/** A JWKS file with the RS256 key, and a hand-rolled API two minutes ahead; both gone after the file. */
export function useRecheckFixtures(): void {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-recheck-'));
    fixtures.jwksFile = join(dir, 'jwks.json');
    writeFileSync(
      fixtures.jwksFile,
      JSON.stringify({
        keys: [
          {
            ...rsa.publicKey.export({ format: 'jwk' }),
            kid: 'auth0-key-1',
            alg: 'RS256',
            use: 'sig',
          },
        ],
      }),
    );
    // A hand-rolled API whose clock runs two minutes ahead: it answers every request with its Date.
    skewed = createServer((_req, res) => {
      res.writeHead(404, { date: new Date(Date.now() + 120_000).toUTCString() }).end();
    });
    await new Promise<void>((resolve) => skewed.listen(0, '127.0.0.1', resolve));
    fixtures.skewedUrl = `http://127.0.0.1:${(skewed.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => skewed.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
}

/** One test per case, under the re-check's describe. */
export function describeCases(cases: readonly Case[]): void {
  describe('issue 12 re-check: faults built outside Tessera', () => {
    for (const c of cases)
      it(c.name, async () => {
        const diagnosis = await c.run();
        const { causes, fixes } = wordsOf(diagnosis);
        const verifierLines = (diagnosis.verifier?.errors ?? [])
          .map(
            (e) =>
              `${e.verifier} says: ${e.error === null ? 'accepts it' : `${e.error.name}${e.error.code === null ? '' : ` [${e.error.code}]`}: ${e.error.message}`}`,
          )
          .join('\n');
        const words = `${causes}\n${fixes}\n${verifierLines}\nJudged by ${diagnosis.verifier?.name ?? ''}: ${diagnosis.verifier?.reason ?? ''}`;
        expect({
          status: diagnosis.verdict.status,
          code: diagnosis.verdict.code,
          bucket: diagnosis.verdict.bucket,
        }).toEqual({
          status: c.status,
          code: c.code,
          bucket: c.bucket,
        });
        expect(words).toMatch(c.words);
        if (c.notWords) expect(words).not.toMatch(c.notWords);
      });
  });
}
