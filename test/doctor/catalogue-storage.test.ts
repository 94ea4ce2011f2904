// Catalogue, storage bucket: how frontends and people mangle a token on its way to the server. Each
// scenario runs a real Tessera node; where the node can be asked, its own 401 carries the doctor's words.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseToken } from '../../src/doctor/token/diagnose-token.js';
import {
  askNode,
  expectVerdict,
  signUp,
  startNode,
  tempDir,
  type SignedIn,
  type TestNode,
} from './support.js';

let node: TestNode;
let user: SignedIn;
let remove: () => Promise<void>;

beforeAll(async () => {
  const temp = await tempDir();
  remove = temp.remove;
  node = await startNode({ db: path.join(temp.dir, 'a.db'), cwd: temp.dir });
  user = await signUp(node, { transport: 'body' });
});

afterAll(async () => {
  await node.close();
  await remove();
});

const doctor = (
  input: string,
  extra: Parameters<typeof diagnoseToken>[0] extends infer T ? Partial<T> : never = {},
) => diagnoseToken({ input, server: node.url, samples: 2, ...extra });

describe('catalogue: storage', () => {
  it('1. quotes added by frontend code (JSON.stringify into localStorage)', async () => {
    const stored = JSON.stringify(user.accessToken);
    const diagnosis = await doctor(stored);
    expectVerdict(diagnosis, {
      code: 'TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /wrapped in quotes: it was stored with JSON\.stringify/,
      fix: /JSON\.parse/,
    });
    expect(diagnosis.findings.find((f) => f.id === 'after-unwrapping')?.what).toMatch(
      /passes every check/,
    );
    const answer = await askNode(node, `Bearer ${stored}`);
    expect(answer).toMatchObject({
      status: 401,
      code: 'TOKEN_MALFORMED',
      detail: diagnosis.verdict.explanation,
    });
  });

  it('2. a pasted "Bearer " prefix stored with the token and sent twice', async () => {
    const header = `Bearer Bearer ${user.accessToken}`;
    const diagnosis = await doctor(header);
    expectVerdict(diagnosis, {
      code: 'TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /the prefix was stored with the token and sent twice/,
      fix: /Store the bare token and add "Bearer " once/,
    });
    expect((await askNode(node, header)).detail).toBe(diagnosis.verdict.explanation);
  });

  it('3. a newline inside the token (copied from a wrapped terminal line)', async () => {
    const wrapped = `${user.accessToken.slice(0, 60)}\n${user.accessToken.slice(60)}`;
    const diagnosis = await doctor(wrapped);
    expectVerdict(diagnosis, {
      code: 'TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /whitespace or a newline/,
      fix: /Trim the token/,
    });
    expect(diagnosis.findings.find((f) => f.id === 'after-unwrapping')?.what).toMatch(
      /passes every check/,
    );
  });

  it('4. a trailing newline on a refresh token a native client read from a file', async () => {
    const withNewline = `${user.refreshToken}\n`;
    const diagnosis = await doctor(withNewline, { expect: 'refresh' });
    expectVerdict(diagnosis, {
      code: 'REFRESH_TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /whitespace or a newline/,
      fix: /exactly as issued/,
    });
    const response = await fetch(`${node.url}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'token-transport': 'body' },
      body: JSON.stringify({ refresh_token: withNewline }),
    });
    const body = (await response.json()) as { code: string; detail: string };
    expect(body).toMatchObject({
      code: 'REFRESH_TOKEN_MALFORMED',
      detail: diagnosis.verdict.explanation,
    });
  });

  it('5. a token copied from a URL (a redirect put it in the query string)', async () => {
    const url = `https://app.example.test/callback?access_token=${user.accessToken}`;
    const diagnosis = await doctor(url);
    expectVerdict(diagnosis, {
      code: 'TOKEN_IN_URL',
      bucket: 'storage',
      cause: /taken from a URL|sent in the URL/,
      fix: /Authorization header/,
    });
    const response = await fetch(`${node.url}/auth/me?access_token=${user.accessToken}`);
    expect(((await response.json()) as { detail: string }).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('6. a URL-encoded token (quoted, then put through encodeURIComponent)', async () => {
    const encoded = encodeURIComponent(JSON.stringify(user.accessToken));
    const diagnosis = await doctor(encoded);
    expectVerdict(diagnosis, {
      code: 'TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /%-escapes: it was URL-encoded/,
      fix: /decodeURIComponent/,
    });
    expect(diagnosis.findings.map((f) => f.id)).toEqual(
      expect.arrayContaining(['mangling-url-encoded', 'mangling-quoted', 'after-unwrapping']),
    );
    expect((await askNode(node, `Bearer ${encoded}`)).detail).toBe(diagnosis.verdict.explanation);
  });

  it('7. a token cut short to two parts (a cookie or column limit)', async () => {
    const cut = user.accessToken.slice(0, user.accessToken.lastIndexOf('.'));
    const diagnosis = await doctor(cut);
    expectVerdict(diagnosis, {
      code: 'TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /cut short/,
      fix: /store tokens whole/,
    });
    expect((await askNode(node, `Bearer ${cut}`)).detail).toBe(diagnosis.verdict.explanation);
  });

  it('8. a signature cut by a database column a few characters too short', async () => {
    const cut = user.accessToken.slice(0, -20);
    const diagnosis = await doctor(cut);
    // The server's code stands, but the bucket is storage: the token was cut, no key rotated.
    expectVerdict(diagnosis, {
      code: 'SIGNATURE_INVALID',
      bucket: 'storage',
      cause: /ES256 signatures are 64: the token was cut short/,
      fix: /store tokens whole; no key rotation is involved/,
    });
    expect(diagnosis.verdict.explanation).not.toMatch(/another deployment/);
    const serverWords = diagnosis.findings.find((f) => f.id === 'server-words-cut');
    expect(serverWords?.what).toContain((await askNode(node, `Bearer ${cut}`)).detail ?? '-');
  });

  it('9. a refresh token sent where the access token belongs', async () => {
    const diagnosis = await doctor(user.refreshToken);
    expectVerdict(diagnosis, {
      code: 'TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /Tessera refresh token \(tsr_\.\.\.\), sent where an access token belongs/,
      fix: /Send the access_token/,
    });
    expect((await askNode(node, `Bearer ${user.refreshToken}`)).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('10. an access token sent where the refresh token belongs', async () => {
    const diagnosis = await doctor(user.accessToken, { expect: 'refresh' });
    expectVerdict(diagnosis, {
      code: 'REFRESH_TOKEN_MALFORMED',
      bucket: 'storage',
      cause: /access token \(a JWT\) was sent where the refresh token belongs/,
      fix: /never the access token/,
    });
    const response = await fetch(`${node.url}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'token-transport': 'body' },
      body: JSON.stringify({ refresh_token: user.accessToken }),
    });
    expect(((await response.json()) as { detail: string }).detail).toBe(
      diagnosis.verdict.explanation,
    );
  });

  it('11. "Bearer undefined": the request went out before the client had a token', async () => {
    const diagnosis = await doctor('undefined');
    expectVerdict(diagnosis, {
      code: 'TOKEN_MISSING',
      bucket: 'storage',
      cause: /before it had a token/,
      fix: /only once the client holds a token|never send "Bearer undefined"/,
    });
    expect((await askNode(node, 'Bearer undefined')).detail).toBe(diagnosis.verdict.explanation);
  });
});
