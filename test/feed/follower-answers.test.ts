// followRevocations on feed answers it must not apply (redirects, errors, malformed or oversized
// bodies), and how it sends its credential; the credential is a real one from a Tessera server.
import { describe, expect, it } from 'vitest';
import { followRevocations } from '../../src/jwt/revocation-follower.js';
import { useFollowerServer } from './follower-support.js';

let credential: string;
useFollowerServer((started) => ({ credential } = started));

describe('a feed answer it must not apply', () => {
  const entry = { seq: 1, kind: 'session', sessionId: 'victim', userId: 'u', at: Date.now() };
  it.each([
    [
      'a redirect',
      () => new Response(null, { status: 302, headers: { location: 'https://x' } }),
      /HTTP 302/,
    ],
    ['a server error', () => new Response('oops', { status: 500 }), /HTTP 500/],
    ['HTML', () => new Response('<html>', { status: 200 }), /not JSON/],
    ['no list', () => Response.json({ next: 0, more: false }), /no "revocations"/],
    [
      'a bad entry after a good one',
      () =>
        Response.json({ revocations: [entry, { seq: 2, kind: 'session' }], next: 2, more: false }),
      /entry 1 is not a revocation/,
    ],
    [
      'entries out of order',
      () => Response.json({ revocations: [entry, { ...entry, seq: 1 }], next: 1, more: false }),
      /out of order/,
    ],
    [
      'a next that is not the last entry',
      () => Response.json({ revocations: [entry], next: 9, more: false }),
      /"next"/,
    ],
    [
      'more with nothing',
      () => Response.json({ revocations: [], next: 0, more: true }),
      /"more" with no entries/,
    ],
    ['an oversized body', () => new Response(' '.repeat(4 * 1024 * 1024 + 1)), /oversized/],
  ])('%s: applies nothing, keeps its position, says why', async (_name, answer, why) => {
    const view = followRevocations({
      url: 'https://auth.example.com/auth/revocations',
      credential,
      polling: 'on-request',
      fetch: async () => answer(),
    });
    await expect(view.sync()).rejects.toMatchObject({ code: 'REVOCATION_STALE' });
    expect(view.lastFailure?.message).toMatch(why);
    expect(view.position.seq).toBe(0);
    expect(view.position.syncedAt).toBe(Number.NEGATIVE_INFINITY);
  });

  it('sends the credential as a Bearer header, never in the URL, and never follows a redirect', async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const view = followRevocations({
      url: 'https://auth.example.com/auth/revocations',
      credential,
      polling: 'on-request',
      fetch: async (input, init) => {
        seen.push({ url: String(input), init });
        return Response.json({ revocations: [], next: 0, more: false });
      },
    });
    await view.sync();
    expect(seen[0]?.url).toBe('https://auth.example.com/auth/revocations?since=0&limit=1000');
    expect(seen[0]?.url).not.toContain('tsf_');
    expect((seen[0]?.init?.headers as Record<string, string>).authorization).toBe(
      `Bearer ${credential}`,
    );
    expect(seen[0]?.init?.redirect).toBe('manual');
  });
});
