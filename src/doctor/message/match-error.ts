/**
 * `tessera doctor --error "<pasted message>"`: ranks the causes of an exact error message. Pure: the
 * text in, the ranked causes out. The text is capped, and every token-looking substring is replaced by
 * a short hash before anything of it is shown.
 */
import { createHash } from 'node:crypto';
import { ERROR_CODES, ERROR_TABLE, type ErrorCode } from '../../errors/codes.js';
import { fixFor } from '../token/fixes.js';
import { MESSAGE_PATTERNS, type MessageCause, type MessageSource } from './error-patterns.js';

/** Characters of a pasted message the matcher reads; a stack trace's head is plenty. */
export const MAX_MESSAGE_CHARS = 16_384;
const EXCERPT_CHARS = 240;

/**
 * One matched message: where it comes from, what it means, and its ranked causes.
 *
 * @example
 * ```ts
 * const match: MessageMatch = { id: 'jsonwebtoken-expired', source: 'jsonwebtoken', meaning: '...', causes: [] };
 * ```
 */
export interface MessageMatch {
  readonly id: string;
  readonly source: MessageSource;
  readonly meaning: string;
  readonly causes: readonly MessageCause[];
}

/**
 * What the doctor made of a pasted message.
 *
 * @example
 * ```ts
 * const report: MessageReport = matchErrorMessage('TokenExpiredError: jwt expired');
 * report.matches[0]?.causes[0]?.bucket; // 'time'
 * ```
 */
export interface MessageReport {
  /** The start of the message as shown back: redacted and cut. */
  readonly excerpt: string;
  readonly redacted: number;
  readonly truncated: boolean;
  readonly matches: readonly MessageMatch[];
  /** Numbers read from the message (an expiry instant, "expired by 5m"). */
  readonly facts: readonly string[];
}

// Token-shaped values: JWTs (even cut), Tessera refresh tokens, Bearer/Basic credentials, cookie
// values, token-named fields, and long opaque runs (API keys, session ids). Each pattern is linear
// (no nested quantifiers), so a pasted megabyte cannot stall the matcher; the most specific go first.
const WHOLE: readonly RegExp[] = [
  /eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){0,2}/g,
  /tsr_[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)?/g,
];
const AFTER_PREFIX: readonly RegExp[] = [
  /("(?:access_?token|refresh_?token|id_?token|token|secret|password|passwd|api_?key|authorization|client_?secret)"\s*:\s*")([^"]+)/gi,
  /(\b(?:bearer|basic|jwt)\s+)([^\s"',;]{8,})/gi,
  /(["']?(?:access_token|refresh_token|id_token|token|secret|password|passwd|apikey|api_key|authorization|client_secret)["']?\s*[:=]\s*["']?)([^\s"',;&}]{4,})/gi,
];
const LONG_RUN = /[A-Za-z0-9_+/=-]{32,}/g;
const COOKIE_LINE = /(\b(?:cookie|set-cookie)\s*:\s*)([^\r\n]*)/gi;

/**
 * Replaces every token-looking substring with `[redacted sha256:xxxxxxxx]`, so two pastes of the same
 * token can still be told apart and nothing of it is echoed. Every cookie value is redacted.
 *
 * @example
 * ```ts
 * redactSecrets('jwt expired for eyJhbGciOi...').text; // 'jwt expired for [redacted sha256:1a2b3c4d]'
 * ```
 */
export function redactSecrets(text: string): { text: string; count: number } {
  let count = 0;
  const mark = (value: string): string => {
    count++;
    return `[redacted sha256:${shortHash(value)}]`;
  };
  let result = text.replace(COOKIE_LINE, (_line, prefix: string, rest: string) => {
    const values = rest.replace(
      /(^|;\s*)([^=;\s]+)=([^;]*)/g,
      (_pair, lead: string, name: string, value: string) =>
        value.trim() === '' || value.startsWith('[redacted')
          ? `${lead}${name}=${value}`
          : `${lead}${name}=${mark(value)}`,
    );
    return `${prefix}${values}`;
  });
  for (const pattern of WHOLE) result = result.replace(pattern, (value) => mark(value));
  // After a credential's name, a plain word ("jwt malformed", "Token: Already used") is prose, not a value.
  for (const pattern of AFTER_PREFIX)
    result = result.replace(pattern, (whole, prefix: string, value: string) =>
      value.startsWith('[redacted') || !looksLikeValue(value) ? whole : `${prefix}${mark(value)}`,
    );
  // Error codes (ERR_JWS_SIGNATURE_VERIFICATION_FAILED) are long runs too: only mixed digits and
  // lower-case letters look like a key or an id.
  result = result.replace(LONG_RUN, (value) =>
    /\d/.test(value) && /[a-z]/.test(value) ? mark(value) : value,
  );
  return { text: result, count };
}

function looksLikeValue(value: string): boolean {
  return /[\d._\-+/=%$]/.test(value) || value.length >= 24;
}

/**
 * The first 8 hex digits of a value's SHA-256: enough to tell tokens apart, nothing to replay.
 *
 * @example
 * ```ts
 * shortHash('eyJ...'); // '3f9a0c2e'
 * ```
 */
export function shortHash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 8);
}

/**
 * Ranks the causes of a pasted message: Tessera's own codes first, then every known pattern in table
 * order (most specific first). Any input is accepted; beyond {@link MAX_MESSAGE_CHARS} it is cut.
 *
 * @example
 * ```ts
 * matchErrorMessage('JsonWebTokenError: invalid signature').matches[0]?.id; // 'jsonwebtoken-signature'
 * ```
 */
export function matchErrorMessage(input: string, options: { nowMs?: number } = {}): MessageReport {
  const truncated = input.length > MAX_MESSAGE_CHARS;
  const capped = truncated ? input.slice(0, MAX_MESSAGE_CHARS) : input;
  const { text, count } = redactSecrets(capped);
  const matches: MessageMatch[] = [...tesseraMatches(text)];
  for (const entry of MESSAGE_PATTERNS) {
    if (entry.pattern.test(text)) {
      matches.push({
        id: entry.id,
        source: entry.source,
        meaning: entry.meaning,
        causes: entry.causes,
      });
    }
  }
  // Control characters (terminal escapes) are shown as \u escapes, never printed.
  const oneLine = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[^\x20-\x7e]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return {
    excerpt:
      oneLine.length > EXCERPT_CHARS ? `${oneLine.slice(0, EXCERPT_CHARS)}...(cut)` : oneLine,
    redacted: count,
    truncated,
    matches: wrapperFirst(text, matches),
    facts: readFacts(text, options.nowMs ?? Date.now()),
  };
}

function tesseraMatches(text: string): MessageMatch[] {
  const found: MessageMatch[] = [];
  for (const code of ERROR_CODES) {
    if (!new RegExp(`\\b${code}\\b`).test(text)) continue;
    const row = ERROR_TABLE[code];
    found.push({
      id: `tessera-${code}`,
      source: 'tessera',
      meaning: `Tessera's ${code} (HTTP ${row.status}, ${row.oauthError}): ${row.description}.`,
      causes: [
        {
          cause: `${row.description}; the detail beside the code says which claim or value.`,
          bucket: row.bucket,
          code: code as ErrorCode,
          check: 'Paste the token into `tessera doctor --server <url>` for the numbers.',
          fix: fixFor(code),
        },
      ],
    });
  }
  return found;
}

// A wrapper names the middleware that answered: express-jwt's UnauthorizedError over jsonwebtoken's message.
function wrapperFirst(text: string, matches: MessageMatch[]): MessageMatch[] {
  if (!/UnauthorizedError|invalid_token/.test(text)) return matches;
  return matches.map((match) =>
    match.source === 'jsonwebtoken'
      ? {
          ...match,
          meaning: `${match.meaning} (express-jwt wrapped it in UnauthorizedError, code invalid_token, status 401.)`,
        }
      : match,
  );
}

function readFacts(text: string, nowMs: number): string[] {
  const facts: string[] = [];
  const by = /expired by ([0-9hms.]+)/i.exec(text);
  if (by?.[1] !== undefined)
    facts.push(`The token had been expired for ${by[1]} when it was refused.`);
  const iso = /(expiredAt|expired at|active at)[:\s]+(\d{4}-\d\d-\d\dT[\d:.]+Z)/i.exec(text);
  if (iso?.[2] !== undefined) {
    const at = Date.parse(iso[2]);
    if (!Number.isNaN(at)) {
      const minutes = Math.round((nowMs - at) / 60_000);
      facts.push(
        `${iso[1]} ${iso[2]}: ${Math.abs(minutes)} min ${minutes >= 0 ? 'before' : 'after'} now on this machine's clock.`,
      );
    }
  }
  return facts;
}
