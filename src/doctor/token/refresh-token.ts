/**
 * Judges a value that belongs where a refresh token goes (`--expect refresh`). A refresh token is opaque:
 * the doctor can say whether it is well formed and how it was mangled, never whether its session lives.
 */
import { isTesseraError } from '../../errors/tessera-error.js';
import { parseRefreshToken } from '../../wire/refresh-token.js';
import type { ClockOffset, DecodedView, Diagnosis, Finding, Verdict } from '../diagnosis.js';
import { viewTimeClaims } from '../time-view.js';
import { fixFor } from './fixes.js';
import { decodeUntrusted, unwrap } from './read-token.js';
import { verdictFromError } from './verdict.js';

/**
 * Inputs of {@link judgeRefreshToken}: the pasted value and the clocks to show its time claims on
 * (an access token pasted here still has some).
 *
 * @example
 * ```ts
 * const options: JudgeRefreshOptions = { input, clock: null, localMs: Date.now(), serverMs: Date.now(), timeZone: 'UTC' };
 * ```
 */
export interface JudgeRefreshOptions {
  readonly input: string;
  readonly clock: ClockOffset | null;
  /** This machine's clock, epoch ms. */
  readonly localMs: number;
  /** The server's clock, epoch ms: `localMs` corrected by the measured offset. */
  readonly serverMs: number;
  readonly timeZone: string;
}

/**
 * Judges a presented refresh token by the server's own parser: well formed (and then only the server's
 * store knows more), or refused with the parser's code and the mangling named.
 *
 * @example
 * ```ts
 * judgeRefreshToken({ input: 'eyJ...', clock: null, localMs, serverMs: localMs, timeZone: 'UTC' }).findings[0]?.id; // 'access-token-as-refresh'
 * ```
 */
export function judgeRefreshToken(options: JudgeRefreshOptions): Diagnosis {
  const raw = decodeUntrusted(options.input);
  const decoded: DecodedView = {
    ...raw,
    times: viewTimeClaims(raw.payload, {
      nowSeconds: options.localMs / 1000,
      serverNowSeconds: options.clock ? options.serverMs / 1000 : null,
      timeZone: options.timeZone,
    }),
  };
  const findings: Finding[] = unwrap(options.input)
    .manglings.filter(
      (m) => m.kind !== 'not-a-jwt' && m.kind !== 'truncated' && m.kind !== 'refresh-token',
    )
    .map((m) => ({
      id: `mangling-${m.kind}`,
      severity: 'danger' as const,
      bucket: 'storage' as const,
      what: m.words,
      why: 'The server compares the refresh token byte for byte.',
      fix: fixFor('REFRESH_TOKEN_MALFORMED'),
    }));
  let verdict: Verdict;
  try {
    parseRefreshToken(options.input);
    verdict = {
      status: 'unknown',
      code: null,
      bucket: null,
      explanation:
        "This is a well-formed Tessera refresh token; whether its session is live, rotated, reused or revoked only the server's store knows.",
      fix: "Look at the server's answer to POST /auth/refresh (its tessera_code) or the session events.",
    };
  } catch (error) {
    if (!isTesseraError(error)) throw error;
    verdict = verdictFromError(error);
    if (raw.kind === 'jwt') {
      findings.unshift({
        id: 'access-token-as-refresh',
        severity: 'danger',
        bucket: 'storage',
        what: 'This is an access token (a JWT), where the refresh token belongs.',
        why: 'The two are stored apart; mixing them up means the client overwrote one with the other.',
        fix: fixFor('REFRESH_TOKEN_MALFORMED'),
      });
    }
  }
  return {
    verdict,
    decoded,
    findings,
    warnings: [],
    unchecked: ['the session state: only the server knows it'],
    expectations: {},
    clock: options.clock,
  };
}
