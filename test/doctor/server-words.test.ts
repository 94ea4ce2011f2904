// The server's own 401 `detail` and the doctor's verdict are the same words, character for character,
// so a failure can be followed from the browser's network tab to its cause without the CLI. Both sides
// run on one fixed clock, so even the instants in time explanations match.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import { askNode, signUp, startNode, tempDir, type TestNode } from './support.js';

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
const MIN = 60_000;
let node: TestNode;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  node = await startNode({ db: path.join(temp.dir, 'words.db'), cwd: temp.dir, now: () => T0 });
});

afterAll(async () => {
  await node.close();
  await remove();
});

async function compare(
  token: string,
  doctorNow: number,
): Promise<{ detail: string | null; explanation: string; code: string | null }> {
  const server = await askNode(node, `Bearer ${token}`);
  const diagnosis = await diagnoseToken({
    input: token,
    server: node.url,
    now: () => doctorNow,
    samples: 2,
    probe: false,
  });
  expect(diagnosis.verdict.code).toBe(server.code);
  expect(diagnosis.verdict.bucket).toBe(server.bucket);
  return { detail: server.detail, explanation: diagnosis.verdict.explanation, code: server.code };
}

describe("the server's 401 detail equals the doctor's explanation", () => {
  it('for an expired token, instants included', async () => {
    node.setSkew(0);
    const { accessToken } = await signUp(node);
    node.setSkew(20 * MIN);
    const { detail, explanation, code } = await compare(accessToken, T0 + 20 * MIN);
    expect(code).toBe('TOKEN_EXPIRED');
    expect(explanation).toBe(detail);
    expect(explanation).toBe(
      'The token expired 5 min ago: exp 2026-01-01T12:15:00Z, server time 2026-01-01T12:20:00Z, leeway 60 s. The client should refresh it and retry.',
    );
  });

  it('for a token issued in the future', async () => {
    node.setSkew(10 * MIN);
    const { accessToken } = await signUp(node);
    node.setSkew(0);
    const { detail, explanation, code } = await compare(accessToken, T0);
    expect(code).toBe('TOKEN_ISSUED_IN_FUTURE');
    expect(explanation).toBe(detail);
  });

  it('for a quoted token, a two-part token and a refresh token sent as Bearer', async () => {
    node.setSkew(0);
    const { accessToken, refreshToken } = await signUp(node);
    for (const mangled of [
      `'${accessToken}'`,
      accessToken.split('.').slice(0, 2).join('.'),
      refreshToken,
    ]) {
      const { detail, explanation, code } = await compare(mangled, T0);
      expect(code).toBe('TOKEN_MALFORMED');
      expect(explanation).toBe(detail);
    }
  });
});
