/**
 * The doctor's judgement of one token: a pure function of the pasted value, the expectations, the keys,
 * the measured clock offset, the server's own answer (when asked) and an injected clock.
 */
import { DEFAULT_LEEWAY_SECONDS } from '../../jwt/time-options.js';
import type { ClockOffset, DecodedView, Diagnosis, Finding } from '../diagnosis.js';
import { viewTimeClaims } from '../time-view.js';
import { fixFor } from './fixes.js';
import { keyFromSecret, type KeySet } from './key-sources.js';
import { decodeUntrusted, readToken } from './read-token.js';
import { judgeRefreshToken } from './refresh-token.js';
import type { ServerAnswer } from './server-answer.js';
import {
  judgeAsServer,
  jwksCannotJudge,
  type ServerOutcome,
  type ServerRules,
} from './server-view.js';
import { describeClockFindings, describeTokenFindings } from './token-findings.js';
import { reconcileWithServer, verdictFromOutcome } from './verdict.js';
import { warnAbout } from './warnings.js';
import { guessWeakSecret } from './weak-secret.js';

/**
 * Where a pasted value belongs: the Authorization header (an access token) or the refresh cookie or
 * body (a refresh token).
 *
 * @example
 * ```ts
 * const expect: ExpectedToken = 'refresh'; // tessera doctor --expect refresh
 * ```
 */
export type ExpectedToken = 'access' | 'refresh';

// The verifier's own default for maxLifetimeSeconds, so an unconfigured doctor judges like an unconfigured API.
const DEFAULT_MAX_LIFETIME_S = 3600;

/**
 * Inputs of {@link judgeToken}.
 *
 * @example
 * ```ts
 * const options: JudgeOptions = { input: token, issuer: 'https://auth.example.com', audience: 'api', now: Date.now };
 * ```
 */
export interface JudgeOptions {
  readonly input: string;
  /** Where the value belongs: an access token (default) or a refresh token. */
  readonly expect?: ExpectedToken;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  readonly leewaySeconds?: number | undefined;
  readonly maxLifetimeSeconds?: number | undefined;
  readonly keys?: KeySet | undefined;
  /** This machine's clock, epoch ms. */
  readonly now: () => number;
  readonly clock?: ClockOffset | null;
  readonly timeZone?: string;
  readonly serverAnswer?: ServerAnswer | null;
  /** Extra warnings found by the caller (a weak secret given with --secret-env). */
  readonly extraWarnings?: readonly Finding[];
}

/**
 * Judges one pasted token. The verdict's code and explanation are the ones a Tessera server with the
 * same expectations and clock would answer with; findings and warnings say what else is wrong.
 *
 * @example
 * ```ts
 * const diagnosis = judgeToken({ input: token, issuer: 'https://auth.example.com', audience: 'api', now: Date.now });
 * diagnosis.verdict.code; // 'TOKEN_EXPIRED'
 * ```
 */
export function judgeToken(options: JudgeOptions): Diagnosis {
  const localMs = options.now();
  const serverMs =
    options.clock === null || options.clock === undefined
      ? localMs
      : localMs + options.clock.offsetMs;
  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (options.expect === 'refresh')
    return judgeRefreshToken({
      input: options.input,
      clock: options.clock ?? null,
      localMs,
      serverMs,
      timeZone,
    });

  const read = readToken(options.input);
  const raw = decodeUntrusted(read.unwrapped);
  const decoded: DecodedView = {
    ...raw,
    times: viewTimeClaims(raw.payload, {
      nowSeconds: localMs / 1000,
      serverNowSeconds: options.clock ? serverMs / 1000 : null,
      timeZone,
    }),
  };
  const unchecked: string[] = [];
  const rules = rulesFor(options, raw.payload, unchecked);

  let keys = options.keys;
  const guessed = raw.header?.alg === 'HS256' ? guessWeakSecret(read.unwrapped) : undefined;
  if (guessed !== undefined && keys === undefined)
    keys = keyFromSecret({
      secret: guessed,
      label: 'a well-known example secret',
      kind: 'guessed',
    });

  const judge = (
    authorization: string,
    nowMs: number,
    url: string | null = read.url,
  ): ServerOutcome => judgeAsServer({ authorization, url, rules, keys, nowMs });
  const primary = judge(read.authorization, serverMs);
  let verdict = verdictFromOutcome({ outcome: primary, guessedSecret: guessed });

  const findings: Finding[] = [
    ...describeTokenFindings({
      read,
      decoded,
      judgeUnwrapped: () => judge(`Bearer ${read.unwrapped}`, serverMs, null),
      primary,
    }),
  ];
  if (options.clock)
    findings.push(
      ...describeClockFindings({
        clock: options.clock,
        leewaySeconds: rules.leewaySeconds,
        primary,
        local: judge(read.authorization, localMs),
      }),
    );

  const warnings: Finding[] = [...warnAbout(raw), ...(options.extraWarnings ?? [])];
  if (guessed !== undefined) {
    warnings.unshift({
      id: 'weak-secret-guessed',
      severity: 'danger',
      bucket: 'validation',
      what: `The HS256 signature verifies with the well-known example secret ${JSON.stringify(guessed.trim())}${guessed.endsWith('\n') ? ' (with a trailing newline)' : ''}.`,
      why: 'Anyone who has read the same tutorial can forge a token for any user, with any roles.',
      fix: fixFor('SECRET_WEAK'),
    });
  }

  if (keys === undefined || jwksCannotJudge(keys, read.unwrapped)) {
    unchecked.push(
      keys === undefined
        ? 'the signature: no key was given (--jwks, --key, --secret-env or --server)'
        : 'the signature: HS256 keys are never published in a JWKS; give the secret with --secret-env',
    );
  } else if (keys.anyKid)
    unchecked.push(`the kid: the ${keys.label} was used whatever kid the token names`);

  if (options.serverAnswer) {
    const reconciled = reconcileWithServer({ verdict, answer: options.serverAnswer });
    verdict = reconciled.verdict;
    if (reconciled.finding !== undefined) findings.push(reconciled.finding);
  } else
    unchecked.push(
      'revocation: only the server knows whether the session was revoked (--server asks it)',
    );

  return {
    verdict,
    decoded,
    findings,
    warnings,
    unchecked,
    expectations: {
      issuer: rules.issuer,
      audience: rules.audience,
      leewaySeconds: rules.leewaySeconds,
      maxLifetimeSeconds: rules.maxLifetimeSeconds,
      keys: keys?.label ?? null,
    },
    clock: options.clock ?? null,
  };
}

function rulesFor(
  options: JudgeOptions,
  payload: Readonly<Record<string, unknown>> | null,
  unchecked: string[],
): ServerRules {
  const tokenAud = Array.isArray(payload?.aud) ? (payload.aud as unknown[])[0] : payload?.aud;
  let issuer = options.issuer;
  if (issuer === undefined) {
    unchecked.push('the issuer: no --iss or --server given, so the token\'s own "iss" was taken');
    issuer =
      typeof payload?.iss === 'string' && payload.iss !== '' ? payload.iss : '(unknown issuer)';
  }
  let audience = options.audience;
  if (audience === undefined) {
    unchecked.push('the audience: no --aud or --server given, so the token\'s own "aud" was taken');
    audience = typeof tokenAud === 'string' && tokenAud !== '' ? tokenAud : '(unknown audience)';
  }
  return {
    issuer,
    audience,
    leewaySeconds: options.leewaySeconds ?? DEFAULT_LEEWAY_SECONDS,
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_S,
  };
}
