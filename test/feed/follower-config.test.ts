// followRevocations' configuration: what it refuses at construction, TESSERA_FEED_CREDENTIAL in the
// Node adapters, and that it imports nothing of Node; the credential is a real one from a Tessera server.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withFeedEnvironment } from '../../src/adapters/feed-environment.js';
import { isTesseraError } from '../../src/errors/tessera-error.js';
import { createResourceGuard } from '../../src/http/require-auth.js';
import {
  followRevocations,
  type RevocationFollowerOptions,
} from '../../src/jwt/revocation-follower.js';
import { AUDIENCE, ISSUER } from '../http/support/server-kit.js';
import { useFollowerServer } from './follower-support.js';

let credential: string;
useFollowerServer((started) => ({ credential } = started));

describe('configuration', () => {
  const good = { url: 'https://auth.example.com/auth/revocations', credential: '' };
  it.each<[string, Partial<RevocationFollowerOptions>]>([
    ['plain http off localhost', { url: 'http://auth.example.com/auth/revocations' }],
    ['a query in the URL', { url: 'https://auth.example.com/auth/revocations?credential=x' }],
    ['not a URL', { url: 'auth/revocations' }],
    ['an access token for a credential', { credential: 'eyJhbGciOi.eyJzdWIi.sig' }],
    ['an empty credential', { credential: '' }],
    ['a poll interval at the bound', { pollIntervalMs: 30_000, stalenessSeconds: 30 }],
    ['a zero bound', { stalenessSeconds: 0 }],
    ['a timeout of no time', { timeoutMs: 0 }],
  ])('refuses %s at construction with CONFIG_INVALID', (_name, override) => {
    const options = { ...good, credential, ...override };
    let error: unknown;
    try {
      followRevocations(options);
    } catch (caught) {
      error = caught;
    }
    expect(isTesseraError(error, 'CONFIG_INVALID')).toBe(true);
    if (override.credential !== undefined && override.credential !== '')
      expect((error as Error).message).not.toContain(override.credential);
  });

  it("reads 'follow' from TESSERA_FEED_CREDENTIAL in the Node adapters, and refuses it unresolved", () => {
    const base = {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl: `${ISSUER}/.well-known/jwks.json`,
    };
    const resolved = withFeedEnvironment(
      { ...base, revocations: 'follow' },
      { TESSERA_FEED_CREDENTIAL: credential },
    );
    expect(resolved.revocations).toEqual({ follow: { credential } });
    expect(createResourceGuard(resolved).followsRevocations).toBe(true);
    expect(() =>
      createResourceGuard(withFeedEnvironment({ ...base, revocations: 'follow' }, {})),
    ).toThrow(/TESSERA_FEED_CREDENTIAL/);
    expect(() => createResourceGuard({ ...base, revocations: 'follow' })).toThrow(
      /\{ follow: \{ credential \} \}/,
    );
  });

  it('imports nothing of Node: only errors and its own jwt siblings, no Buffer, no process', () => {
    for (const file of ['revocation-follower.ts', 'revocation-set.ts', 'feed-answer.ts']) {
      // Code only: the TSDoc examples show Node usage (process.env) on purpose.
      const source = readFileSync(new URL(`../../src/jwt/${file}`, import.meta.url), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
      for (const path of imports) expect(path).toMatch(/^(\.\.\/errors\/|\.\/)/);
      expect(source).not.toMatch(/\bBuffer\b|\bprocess\b|node:/);
    }
  });
});
