/**
 * The doctor's judgement of one token: a pure function of the pasted value, the expectations, the keys,
 * the measured clock offset, the server's own answer (when asked) and an injected clock.
 */
import { DEFAULT_LEEWAY_SECONDS } from '../../jwt/time-options.js';
import type { ClockOffset, DecodedView, Diagnosis, Finding, Verdict } from '../diagnosis.js';
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
import { expectedSignatureBytes } from './generic-faults.js';
import { judgeGenericToken } from './generic-judge.js';
import { isMillisecondsDate, warnAboutNextBreak } from './next-breaks.js';
import { chooseVerifier, headerTextOf } from './token-profile.js';
import type { VerifierName } from './verifier-rules.js';

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
  /** The verifier the token's API runs (--verifier); detected from the token when undefined. */
  readonly verifier?: VerifierName | undefined;
  /** True when --server answered as a Tessera server: every token sent there is judged by Tessera. */
  readonly tesseraServer?: boolean;
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
  let keys = options.keys;
  const guessed = raw.header?.alg === 'HS256' ? guessWeakSecret(read.unwrapped) : undefined;
  if (guessed !== undefined && keys === undefined)
    keys = keyFromSecret({
      secret: guessed,
      label: 'a well-known example secret',
      kind: 'guessed',
    });
  const guessedWarning = guessed === undefined ? undefined : weakSecretWarning(guessed);

  const choice = chooseVerifier({
    flag: options.verifier,
    tesseraServer: options.tesseraServer === true,
    header: raw.header,
    payload: raw.payload,
    headerText: headerTextOf(read.unwrapped),
  });
  if (choice.verifier !== 'tessera') {
    const generic = judgeGenericToken({
      read,
      decoded,
      choice,
      audience: options.audience,
      issuer: options.issuer,
      leewaySeconds: options.leewaySeconds,
      keys,
      localMs,
      serverMs,
      clock: options.clock ?? null,
      ...(options.extraWarnings ? { extraWarnings: options.extraWarnings } : {}),
    });
    if (guessedWarning === undefined) return generic;
    return {
      ...generic,
      verdict:
        generic.verdict.status === 'invalid'
          ? generic.verdict
          : verdictFromOutcome({
              outcome: { ok: true, signatureChecked: true },
              guessedSecret: guessed,
            }),
      warnings: [guessedWarning, ...generic.warnings],
    };
  }

  const unchecked: string[] = [];
  const rules = rulesFor(options, raw.payload, unchecked);

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
  warnings.unshift(
    ...warnAboutNextBreak({
      payload: raw.payload,
      leewaySeconds: rules.leewaySeconds,
      leewayOwner: options.leewaySeconds === undefined ? "Tessera's default" : "the server's",
      clock: options.clock ?? null,
    }),
  );
  if (guessedWarning !== undefined) warnings.unshift(guessedWarning);
  const corrected = correctTesseraVerdict(verdict, raw);
  if (corrected !== verdict && corrected.bucket === 'storage')
    findings.push({
      id: 'server-words-cut',
      severity: 'info',
      bucket: 'storage',
      what: `A Tessera server answers ${verdict.code ?? 'an error'}: ${verdict.explanation}`,
      why: 'Its verifier cannot tell a cut signature from a wrong key; the signature length can.',
      fix: 'Store tokens whole; no key rotation is involved.',
    });
  verdict = corrected;

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
    verifier: {
      name: 'tessera',
      chosenBy: choice.chosenBy,
      reason: choice.reason,
      leewaySeconds: rules.leewaySeconds,
      errors: [],
    },
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

function weakSecretWarning(guessed: string): Finding {
  return {
    id: 'weak-secret-guessed',
    severity: 'danger',
    bucket: 'validation',
    what: `The HS256 signature verifies with the well-known example secret ${JSON.stringify(guessed.trim())}${guessed.endsWith('\n') ? ' (with a trailing newline)' : ''}.`,
    why: 'Anyone who has read the same tutorial can forge a token for any user, with any roles.',
    fix: fixFor('SECRET_WEAK'),
  };
}

// Two of Tessera's refusals have a cause its verifier cannot see: an exp in milliseconds is no lifetime
// to raise a limit for, and a signature shorter than its algorithm's was cut, not signed by another key.
function correctTesseraVerdict(
  verdict: Verdict,
  raw: {
    header: Readonly<Record<string, unknown>> | null;
    payload: Readonly<Record<string, unknown>> | null;
    signatureBytes: number;
  },
): Verdict {
  if (verdict.status !== 'invalid') return verdict;
  if (isMillisecondsDate(raw.payload?.exp) || isMillisecondsDate(raw.payload?.iat))
    return {
      ...verdict,
      bucket: 'time',
      explanation: `${verdict.explanation} The time claims are in milliseconds (Date.now()), not seconds.`,
      fix: 'Sign exp and iat in seconds: Math.floor(Date.now() / 1000) (+ the TTL for exp); do not raise maxLifetimeSeconds.',
    };
  const alg = typeof raw.header?.alg === 'string' ? raw.header.alg : undefined;
  const expected = expectedSignatureBytes(alg);
  if (
    verdict.code === 'SIGNATURE_INVALID' &&
    expected !== undefined &&
    raw.signatureBytes > 0 &&
    raw.signatureBytes < expected
  )
    return {
      ...verdict,
      bucket: 'storage',
      explanation: `The signature is ${raw.signatureBytes} bytes; ${alg ?? ''} signatures are ${alg?.startsWith('RS') || alg?.startsWith('PS') ? 'at least ' : ''}${expected}: the token was cut short after it was signed, so no key (old or new) can verify it.`,
      fix: 'Find the limit that cut it (a VARCHAR column, a cookie over 4 KB, a log line) and store tokens whole; no key rotation is involved.',
    };
  return verdict;
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
