/**
 * The doctor's judgement of one token: a pure function of the pasted value, the expectations, the keys,
 * the measured clock offset, the server's own answer (when asked) and an injected clock.
 */
import { ERROR_TABLE, type ErrorCode } from '../errors/codes.js';
import { isTesseraError } from '../errors/tessera-error.js';
import { DEFAULT_LEEWAY_SECONDS } from '../jwt/time-options.js';
import { assertStrongSecret } from '../keys/secret-strength.js';
import { parseRefreshToken } from '../wire/refresh-token.js';
import {
  fixFor,
  verdictFromError,
  type ClockOffset,
  type DecodedView,
  type Diagnosis,
  type Finding,
  type Verdict,
} from './diagnosis.js';
import { keyFromSecret, type KeySet } from './key-sources.js';
import { decodeUntrusted, readToken, unwrap } from './read-token.js';
import {
  judgeAsServer,
  jwksCannotJudge,
  type ServerOutcome,
  type ServerRules,
} from './server-view.js';
import { describeTokenFindings, describeClockFindings } from './token-findings.js';
import { viewTimeClaims } from './time-view.js';
import { warnAbout } from './warnings.js';
import { guessWeakSecret } from './weak-secret.js';

/** What the server itself answered when the token was presented to it (GET /auth/me). */
export interface ServerAnswer {
  readonly status: number;
  readonly code: ErrorCode | null;
  readonly detail: string | null;
}

/** Inputs of {@link judgeToken}. */
export interface JudgeOptions {
  readonly input: string;
  /** Where the value belongs: an access token (default) or a refresh token. */
  readonly expect?: 'access' | 'refresh';
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
    return judgeRefreshToken(options, { localMs, serverMs, timeZone });

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
  let verdict = verdictOf(primary, guessed);

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

  if (options.serverAnswer) verdict = reconcile(verdict, options.serverAnswer, findings);
  else
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
    maxLifetimeSeconds: options.maxLifetimeSeconds ?? 3600,
  };
}

function verdictOf(outcome: ServerOutcome, guessed: string | undefined): Verdict {
  if (!outcome.ok) return verdictFromError(outcome.error);
  if (guessed !== undefined) {
    try {
      assertStrongSecret(guessed);
    } catch (error) {
      if (isTesseraError(error)) return verdictFromError(error);
    }
  }
  if (outcome.signatureChecked) {
    return {
      status: 'valid',
      code: null,
      bucket: null,
      explanation: 'The token passes every check a Tessera server makes with these expectations.',
      fix: 'Nothing to fix.',
    };
  }
  return {
    status: 'unknown',
    code: null,
    bucket: null,
    explanation:
      'Every check but the signature passes; without a key the doctor cannot tell a genuine token from a forged one.',
    fix: 'Give the keys to verify with: --server URL, --jwks URL|FILE, --key FILE or --secret-env NAME.',
  };
}

// The server's own answer is the truth: it knows revocations, its keys and its clock.
function reconcile(verdict: Verdict, answer: ServerAnswer, findings: Finding[]): Verdict {
  const accepted = answer.status >= 200 && answer.status < 300;
  if (accepted) {
    if (verdict.status === 'invalid') {
      findings.push({
        id: 'server-accepts',
        severity: 'warning',
        bucket: verdict.bucket,
        what: `The server accepts this token, but judged with the expectations given here it fails with ${verdict.code ?? 'an error'}.`,
        why: 'An API configured with these expectations (audience, issuer, leeway, keys) would refuse what the auth server accepts.',
        fix: 'Configure every API with the issuer, audience and leeway the auth server publishes.',
      });
      return verdict;
    }
    return verdict.status === 'unknown'
      ? {
          ...verdict,
          status: 'valid',
          explanation:
            'The server accepts this token (it checked the signature with its own keys).',
          fix: 'Nothing to fix.',
        }
      : verdict;
  }
  if (answer.code === null || answer.code === verdict.code) return verdict;
  findings.push({
    id: 'server-disagrees',
    severity: 'info',
    bucket: ERROR_TABLE[answer.code].bucket,
    what: `The server answers ${answer.code}; judged here the token ${verdict.code === null ? 'passes' : `fails with ${verdict.code}`}.`,
    why:
      answer.code === 'TOKEN_REVOKED'
        ? 'Revocation is state only the server holds.'
        : 'The server knows its keys, clock and revocations better than any copy of them.',
    fix: fixFor(answer.code),
  });
  return {
    status: 'invalid',
    code: answer.code,
    bucket: ERROR_TABLE[answer.code].bucket,
    explanation: answer.detail ?? ERROR_TABLE[answer.code].description,
    fix: fixFor(answer.code),
  };
}

function judgeRefreshToken(
  options: JudgeOptions,
  clocks: { localMs: number; serverMs: number; timeZone: string },
): Diagnosis {
  const raw = decodeUntrusted(options.input);
  const decoded: DecodedView = {
    ...raw,
    times: viewTimeClaims(raw.payload, {
      nowSeconds: clocks.localMs / 1000,
      serverNowSeconds: options.clock ? clocks.serverMs / 1000 : null,
      timeZone: clocks.timeZone,
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
    clock: options.clock ?? null,
  };
}
