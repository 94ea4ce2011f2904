// Bad input to the doctor's new paths: tokens of any shape for every verifier, HARs that are huge,
// truncated, not JSON or not HARs, error messages empty or unknown. Each gets a clear sentence and
// exit code 2 where the input is unusable, never a stack trace, never a value echoed back.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderDiagnosis } from '../../src/doctor/render.js';
import { judgeToken } from '../../src/doctor/token/judge-token.js';
import { keyFromSecret } from '../../src/doctor/token/key-sources.js';
import { VERIFIER_NAMES } from '../../src/doctor/token/verifier-rules.js';
import { parseHar, HarUnusableError } from '../../src/doctor/har/read-har.js';
import { analyseHar } from '../../src/doctor/har/analyse-har.js';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '../..');
const STACK = /\n\s+at .+:\d+:\d+/;

function runDoctor(
  args: string[],
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/tessera.js'), 'doctor', ...args], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-doctor-bad-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('tokens of any shape, for every verifier', () => {
  const segmentArb = fc.oneof(
    fc.string(),
    fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')),
    fc
      .dictionary(
        fc.constantFrom('alg', 'typ', 'kid', 'exp', 'nbf', 'iat', 'aud', 'iss', 'sid', 'client_id'),
        fc.jsonValue(),
      )
      .map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
  );
  it('never throws and never prints the signature segment back', () => {
    const keys = keyFromSecret({ secret: 'x'.repeat(40), label: 'secret' });
    fc.assert(
      fc.property(
        fc.array(segmentArb, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...VERIFIER_NAMES),
        fc.boolean(),
        (segments, verifier, withKey) => {
          const token = segments.join('.');
          const diagnosis = judgeToken({
            input: token,
            verifier,
            ...(withKey ? { keys } : {}),
            audience: 'api',
            now: () => 1_767_225_600_000,
          });
          expect(['valid', 'invalid', 'unknown']).toContain(diagnosis.verdict.status);
          const text = renderDiagnosis(diagnosis, { color: false });
          const signature = token.split('.')[2] ?? '';
          if (signature.length >= 12 && segments.length === 3)
            expect(text).not.toContain(signature);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('--error', () => {
  it('exits 2 on an empty message and on an unknown one, 1 on a known one, with no stack trace', async () => {
    const empty = await runDoctor(['--error', '   ']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/the error message is empty/);
    const unknown = await runDoctor(['--error', 'Segmentation fault']);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toMatch(/No known message/);
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLW9mLWEtcmVhbC10b2tlbg';
    const known = await runDoctor(
      ['--error', '-'],
      `TokenExpiredError: jwt expired\n  token=${token}\n`,
    );
    expect(known.code).toBe(1);
    expect(known.stdout).toMatch(/TOKEN_EXPIRED, time bucket/);
    expect(known.stdout).not.toContain(token.split('.')[2]);
    for (const result of [empty, unknown, known]) expect(result.stderr).not.toMatch(STACK);
  });

  it('reads a message longer than a pipe buffer without failing', async () => {
    const long = `JsonWebTokenError: invalid signature\n${'x'.repeat(3 * 1024 * 1024)}`;
    const result = await runDoctor(['--error', '-'], long);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/only the start of the message was read/);
  });
});

describe('--har', () => {
  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('refuses a missing file, a huge file, a truncated file, non-JSON and JSON that is no HAR, with exit 2', async () => {
    const huge = join(dir, 'huge.har');
    writeFileSync(huge, '{"log":{"entries":[');
    truncateSync(huge, 60 * 1024 * 1024); // sparse: the size is what is refused, before any read
    const cases: [string, RegExp][] = [
      [join(dir, 'missing.har'), /could not be read/],
      [huge, /is 60\.0 MB; the doctor reads HARs up to 50 MB/],
      [
        write('cut.har', '{"log":{"version":"1.2","entries":[{"request":{"url":"https://a.test/"'),
        /ends early: the HAR is truncated/,
      ],
      [write('text.har', 'Cookie: sid=s3cr3t-cookie-value-123'), /is not JSON, so it is no HAR/],
      [
        write('other.har', '{"hello":"world"}'),
        /is JSON but not a HAR: it has no log.entries list/,
      ],
      [write('empty.har', ''), /is empty/],
    ];
    for (const [file, message] of cases) {
      const result = await runDoctor(['--har', file]);
      expect({ file, code: result.code }).toEqual({ file, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(STACK);
      expect(result.stderr + result.stdout).not.toContain('s3cr3t-cookie-value-123');
    }
  });

  it('takes entries of any shape without throwing', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 8 }), (entries) => {
        let har;
        try {
          har = parseHar(JSON.stringify({ log: { entries } }), 'fuzz.har');
        } catch (error) {
          expect(error).toBeInstanceOf(HarUnusableError);
          return;
        }
        const report = analyseHar(har);
        expect(report.entries).toBeLessThanOrEqual(entries.length);
      }),
      { numRuns: 200 },
    );
  });
});
