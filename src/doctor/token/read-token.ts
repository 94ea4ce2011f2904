/**
 * Reads what a person pasted: recognises every mangling on the way (with the words the verifier uses),
 * unwraps them one by one, and decodes header and payload without trusting either.
 */
import { detectMangling, MANGLING_WORDS, type Mangling } from '../../errors/mangling.js';
import { REFRESH_TOKEN_PATTERN } from '../../wire/names.js';
import type { TokenShape } from '../diagnosis.js';

/**
 * One recognised mangling and the shared words for it.
 *
 * @example
 * ```ts
 * const mangling: RecognisedMangling = { kind: 'quoted', words: MANGLING_WORDS.quoted };
 * ```
 */
export interface RecognisedMangling {
  readonly kind: Mangling;
  readonly words: string;
}

/**
 * A pasted value taken apart: the Authorization header it stands for, the manglings, and the unwrapped token.
 *
 * @example
 * ```ts
 * const read: ReadToken = readToken('Bearer "eyJ..."');
 * read.headerValueGiven; // true
 * ```
 */
export interface ReadToken {
  /** The Authorization header value a server would receive for this input. */
  readonly authorization: string;
  /** True when the input itself started with "Bearer " (a copied header value). */
  readonly headerValueGiven: boolean;
  /** Set when the input was a URL carrying the token in its query or fragment. */
  readonly url: string | null;
  readonly manglings: readonly RecognisedMangling[];
  /** The token once every recognised mangling is undone; equal to the presented token when none was found. */
  readonly unwrapped: string;
}

const URL_TOKEN_PARAMS = ['access_token', 'token', 'id_token', 'refresh_token'];
const MAX_UNWRAP_STEPS = 8;

/**
 * Takes a pasted value apart. A leading "Bearer " is read as a copied Authorization header value; a
 * second one is a mangling. A URL is read for its `access_token`/`token` parameter.
 *
 * @example
 * ```ts
 * readToken('"eyJhbGciOi..."').manglings; // [{ kind: 'quoted', words: 'the token is wrapped in quotes: ...' }]
 * ```
 */
export function readToken(input: string): ReadToken {
  const fromUrl = tokenFromUrl(input);
  const value = fromUrl ?? input;
  const headerValueGiven = fromUrl === undefined && /^bearer +/i.test(value);
  const presented = headerValueGiven ? value.replace(/^bearer +/i, '') : value;
  const { manglings, unwrapped } = unwrap(presented);
  return {
    authorization: headerValueGiven ? value : `Bearer ${value}`,
    headerValueGiven,
    url: fromUrl === undefined ? null : input,
    manglings,
    unwrapped,
  };
}

/**
 * Undoes recognised manglings one at a time, naming each: quotes, a "Bearer " prefix, whitespace,
 * %-escapes. Stops at the ones that cannot be undone (cut short, a refresh token, not a JWT).
 *
 * @example
 * ```ts
 * unwrap('%22eyJ...%22').manglings.map((m) => m.kind); // ['url-encoded', 'quoted']
 * ```
 */
export function unwrap(presented: string): { manglings: RecognisedMangling[]; unwrapped: string } {
  const manglings: RecognisedMangling[] = [];
  let current = presented;
  for (let step = 0; step < MAX_UNWRAP_STEPS; step++) {
    const kind = detectMangling(current);
    if (kind === undefined) break;
    manglings.push({ kind, words: MANGLING_WORDS[kind] });
    const next = undo(kind, current);
    if (next === undefined || next === current) break;
    current = next;
  }
  return { manglings, unwrapped: current };
}

function undo(kind: Mangling, value: string): string | undefined {
  switch (kind) {
    case 'quoted': {
      const trimmed = value.replace(/^["'`]+/, '').replace(/["'`]+$/, '');
      // JSON.stringify twice leaves escaped quotes inside: \"eyJ...\"
      return trimmed.replace(/^\\"/, '').replace(/\\"?$/, '');
    }
    case 'bearer-prefix':
      return value.replace(/^bearer\s+/i, '');
    case 'whitespace':
      return value.replace(/\s+/g, '');
    case 'url-encoded':
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    default:
      return undefined;
  }
}

function tokenFromUrl(input: string): string | undefined {
  if (!/^https?:\/\//i.test(input.trim())) return undefined;
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  for (const params of [url.searchParams, new URLSearchParams(url.hash.replace(/^#/, ''))]) {
    for (const name of URL_TOKEN_PARAMS) {
      const value = params.get(name);
      if (value !== null && value !== '') return value;
    }
  }
  return undefined;
}

/**
 * Decodes a token's header and payload leniently for display: nothing here is trusted or verified.
 * The signature is reduced to its length; it is never kept or shown.
 *
 * @example
 * ```ts
 * decodeUntrusted(token).payload?.exp;
 * ```
 */
export function decodeUntrusted(token: string): {
  header: Record<string, unknown> | null;
  payload: Record<string, unknown> | null;
  signatureBytes: number;
  kind: TokenShape;
} {
  if (REFRESH_TOKEN_PATTERN.test(token))
    return { header: null, payload: null, signatureBytes: 0, kind: 'refresh-token' };
  const parts = token.split('.');
  const header = parts.length >= 2 ? decodeJsonSegment(parts[0] as string) : null;
  const payload = parts.length >= 2 ? decodeJsonSegment(parts[1] as string) : null;
  const signatureBytes =
    parts.length >= 3 ? Buffer.from(parts[2] as string, 'base64url').length : 0;
  return { header, payload, signatureBytes, kind: header === null ? 'other' : 'jwt' };
}

function decodeJsonSegment(segment: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}
