/**
 * The doctor's judgement of a generic JWT (not one Tessera signed): by the rules of the verifier the
 * user runs, with that library's exact error beside Tessera's code, bucket, numbers and fix. Tessera's
 * own RFC 9068 profile (typ at+jwt, client_id, sid) is not applied: the user's verifier does not apply it.
 */
import { ERROR_TABLE, type ErrorCode } from '../../errors/codes.js';
import { describeUntrusted, formatDuration, formatInstant } from '../../errors/explain.js';
import { TesseraError } from '../../errors/tessera-error.js';
import type { ClockOffset, DecodedView, Diagnosis, Finding, Verdict } from '../diagnosis.js';
import { fixFor } from './fixes.js';
import { expectedSignatureBytes, judgeByVerifier, type GenericOutcome } from './generic-faults.js';
import type { KeySet } from './key-sources.js';
import { warnAboutNextBreak } from './next-breaks.js';
import type { ReadToken } from './read-token.js';
import type { ServerOutcome } from './server-view.js';
import { describeClockFindings, describeTokenFindings } from './token-findings.js';
import type { VerifierChoice } from './token-profile.js';
import { VERIFIER_RULES, type VerifierName } from './verifier-rules.js';
import { warnAbout } from './warnings.js';

type GenericName = Exclude<VerifierName, 'tessera'>;

// The common rules: the three libraries everything else is built on.
const CORE: readonly GenericName[] = ['jsonwebtoken', 'jose', 'fast-jwt'];
const STRUCTURAL = new Set(['malformed', 'header-invalid', 'payload-invalid']);

/**
 * Inputs of {@link judgeGenericToken}.
 *
 * @example
 * ```ts
 * const options: GenericJudgeOptions = { read, decoded, choice, audience: 'api', issuer: undefined, leewaySeconds: undefined, keys: undefined, localMs: Date.now(), serverMs: Date.now(), clock: null, guessedSecret: undefined };
 * ```
 */
export interface GenericJudgeOptions {
  readonly read: ReadToken;
  readonly decoded: DecodedView;
  readonly choice: VerifierChoice;
  readonly audience: string | undefined;
  readonly issuer: string | undefined;
  /** The verifier's configured leeway; its library default when undefined. */
  readonly leewaySeconds: number | undefined;
  readonly keys: KeySet | undefined;
  readonly localMs: number;
  readonly serverMs: number;
  readonly clock: ClockOffset | null;
  readonly extraWarnings?: readonly Finding[];
}

/**
 * Judges a generic JWT by its verifier's rules (or the common rules when none is known).
 *
 * @example
 * ```ts
 * judgeGenericToken(options).verdict.code; // 'TOKEN_EXPIRED', with verifier.errors[0].error.message 'jwt expired'
 * ```
 */
export function judgeGenericToken(options: GenericJudgeOptions): Diagnosis {
  const { read, decoded, choice, keys } = options;
  const names: readonly GenericName[] =
    choice.verifier === null || choice.verifier === 'tessera' ? CORE : [choice.verifier];
  const first = names[0] as GenericName;
  const leeway = options.leewaySeconds ?? VERIFIER_RULES[first].defaultLeewaySeconds;
  const leewayOwner =
    options.leewaySeconds === undefined
      ? `${choice.verifier === null ? 'every library' : first}'s default`
      : 'as given with --leeway';
  const expectations = {
    audience: options.audience,
    issuer: options.issuer,
    leewaySeconds: leeway,
  };
  // What the app hands its verifier: the header value after one "Bearer ", manglings included.
  const presented = read.authorization.replace(/^bearer +/i, '');
  const judgeAt = (token: string, nowMs: number): GenericOutcome[] =>
    names.map((verifier) => judgeByVerifier({ token, verifier, expectations, keys, nowMs }));
  const outcomes = judgeAt(presented, options.serverMs);
  const failing = outcomes.find((outcome) => outcome.fault !== null);
  const signature = outcomes[0]?.signature ?? 'unchecked';

  const explain = (
    outcome: GenericOutcome | undefined,
    nowMs: number,
    unwrapped = false,
  ): ServerOutcome => {
    if (outcome?.fault === undefined || outcome.fault === null)
      return { ok: true, signatureChecked: outcome?.signature === 'verified' };
    const { code, explanation } = describeFault(outcome, {
      read: unwrapped ? { ...read, manglings: [] } : read,
      decoded,
      nowMs,
      leeway,
      leewayOwner,
      keys,
      audience: options.audience,
      issuer: options.issuer,
    });
    return {
      ok: false,
      error: new TesseraError(code, explanation),
      signatureChecked: outcome.signature === 'verified' || outcome.signature === 'failed',
    };
  };
  const primary = explain(failing, options.serverMs);
  const verdict = verdictFrom(primary, failing, signature);

  const findings: Finding[] = describeTokenFindings({
    read,
    decoded,
    primary,
    judgeUnwrapped: () =>
      explain(
        judgeAt(read.unwrapped, options.serverMs).find((o) => o.fault !== null),
        options.serverMs,
        true,
      ),
  }).filter((finding) => finding.id !== 'signature-cut' || verdict.bucket !== 'storage');
  if (options.clock !== null)
    findings.push(
      ...describeClockFindings({
        clock: options.clock,
        leewaySeconds: leeway,
        primary,
        local: explain(
          judgeAt(presented, options.localMs).find((o) => o.fault !== null),
          options.localMs,
        ),
      }),
    );
  const warnings: Finding[] = [
    ...warnAboutNextBreak({
      payload: decoded.payload,
      leewaySeconds: leeway,
      leewayOwner,
      clock: options.clock,
    }),
    ...warnAbout(decoded),
    ...(options.extraWarnings ?? []),
  ];
  const unchecked: string[] = [];
  if (signature === 'unchecked')
    unchecked.push(
      keys === undefined
        ? 'the signature: no key was given (--secret-env NAME for HS*, --jwks or --key for RS/ES/PS/EdDSA)'
        : `the signature: ${keys.label} has no key for this token's kid and alg`,
    );
  if (options.audience === undefined)
    unchecked.push(
      'the audience: generic verifiers check aud only when configured (audience / allowedAud); give --aud to judge it',
    );
  if (options.issuer === undefined)
    unchecked.push(
      'the issuer: generic verifiers check iss only when configured (issuer / allowedIss); give --iss to judge it',
    );
  return {
    verdict,
    verifier: {
      name: choice.verifier === null ? 'common rules (jsonwebtoken, jose, fast-jwt)' : first,
      chosenBy: choice.chosenBy,
      reason: choice.reason,
      leewaySeconds: leeway,
      errors: outcomes.map((outcome) => ({ verifier: outcome.verifier, error: outcome.error })),
    },
    decoded,
    findings,
    warnings,
    unchecked,
    expectations: {
      verifier: choice.verifier ?? 'common rules',
      issuer: options.issuer ?? null,
      audience: options.audience ?? null,
      leewaySeconds: leeway,
      keys: keys?.label ?? null,
    },
    clock: options.clock,
  };
}

function verdictFrom(
  primary: ServerOutcome,
  failing: GenericOutcome | undefined,
  signature: GenericOutcome['signature'],
): Verdict {
  if (!primary.ok) {
    const code = primary.error.code;
    const cut = failing?.signature === 'cut';
    return {
      status: 'invalid',
      code,
      bucket: cut ? 'storage' : ERROR_TABLE[code].bucket,
      explanation: primary.error.message,
      fix: cut
        ? 'Find the limit that cut it (a VARCHAR column, a cookie over 4 KB, a log line) and store tokens whole; no key change is needed.'
        : fixFor(code),
    };
  }
  if (signature === 'verified')
    return {
      status: 'valid',
      code: null,
      bucket: null,
      explanation: 'The token passes every check this verifier makes with these expectations.',
      fix: 'Nothing to fix; see the warnings for what will break next.',
    };
  return {
    status: 'unknown',
    code: null,
    bucket: null,
    explanation:
      'Every check but the signature passes; without the key the doctor cannot tell a genuine token from a forged one.',
    fix: 'Give the key to verify with: --secret-env NAME (HS256), --jwks URL|FILE or --key FILE.',
  };
}

function describeFault(
  outcome: GenericOutcome,
  context: {
    read: ReadToken;
    decoded: DecodedView;
    nowMs: number;
    leeway: number;
    leewayOwner: string;
    keys: KeySet | undefined;
    audience: string | undefined;
    issuer: string | undefined;
  },
): { code: ErrorCode; explanation: string } {
  const fault = outcome.fault ?? 'malformed';
  const payload = context.decoded.payload ?? {};
  const header = context.decoded.header ?? {};
  const alg = typeof header.alg === 'string' ? header.alg : undefined;
  const nowS = context.nowMs / 1000;
  const leewayText = `leeway ${context.leeway} s (${context.leewayOwner})`;
  const mangled = context.read.manglings[0];
  if (mangled !== undefined && (STRUCTURAL.has(fault) || fault.startsWith('signature')))
    return {
      code: 'TOKEN_MALFORMED',
      explanation: `${mangled.words.charAt(0).toUpperCase()}${mangled.words.slice(1)}.`,
    };
  switch (fault) {
    case 'malformed':
    case 'header-invalid':
    case 'payload-invalid':
      return {
        code: 'TOKEN_MALFORMED',
        explanation: `The value is not a compact JWT (three base64url parts of JSON): it has ${context.read.unwrapped.split('.').length} part(s)${fault === 'malformed' ? '' : ` and its ${fault === 'header-invalid' ? 'header' : 'payload'} is not base64url JSON`}.`,
      };
    case 'unsigned':
      return {
        code: 'ALGORITHM_NOT_ALLOWED',
        explanation: `The token is unsigned (alg ${describeUntrusted(alg)}, a signature of ${context.decoded.signatureBytes} bytes): a verifier that accepted it would accept anyone's claims.`,
      };
    case 'algorithm-not-allowed':
      return {
        code: 'ALGORITHM_NOT_ALLOWED',
        explanation: `The token says alg ${describeUntrusted(alg)}, but the key it is verified with is ${context.keys?.kind === 'secret' || context.keys?.kind === 'guessed' ? 'an HMAC secret' : 'a public key'}: the algorithm must follow the key (pin algorithms on the verifier).`,
      };
    case 'signature-undecodable':
    case 'signature-invalid': {
      const expected = expectedSignatureBytes(alg);
      if (outcome.signature === 'cut' || fault === 'signature-undecodable')
        return {
          code: 'SIGNATURE_INVALID',
          explanation: `The signature is ${context.decoded.signatureBytes} bytes; ${alg ?? 'its'} signatures are ${alg?.startsWith('RS') || alg?.startsWith('PS') ? 'at least ' : ''}${expected ?? 'longer'}: the token was cut short after it was signed (storage, not a key change).`,
        };
      return {
        code: 'SIGNATURE_INVALID',
        explanation: `The signature does not verify with ${context.keys?.label ?? 'the key'}: the token was signed with another secret or key (a secret changed on redeploy, another environment's key), or it was altered.`,
      };
    }
    case 'iat-not-number':
    case 'nbf-not-number':
    case 'exp-not-number': {
      const name = fault.slice(0, 3);
      return {
        code: 'CLAIM_INVALID',
        explanation: `The "${name}" claim must be a number of seconds; it is ${typeof payload[name]} ${describeUntrusted(payload[name])}.`,
      };
    }
    case 'not-yet-valid': {
      const nbf = payload.nbf as number;
      return {
        code: 'TOKEN_NOT_YET_VALID',
        explanation: `The token is not valid for another ${formatDuration(nbf - nowS)}: nbf ${formatInstant(nbf)}, the verifier's time ${formatInstant(nowS)}, ${leewayText}.`,
      };
    }
    case 'expired': {
      const exp = payload.exp as number;
      return {
        code: 'TOKEN_EXPIRED',
        explanation: `The token expired ${formatDuration(nowS - exp)} ago: exp ${formatInstant(exp)}, the verifier's time ${formatInstant(nowS)}, ${leewayText}. The client should refresh it and retry.`,
      };
    }
    case 'audience-mismatch':
      return {
        code: 'AUDIENCE_MISMATCH',
        explanation: `The token is for audience ${describeUntrusted(payload.aud)}; the verifier expects "${context.audience ?? ''}". A token minted for another API or environment?`,
      };
    case 'issuer-mismatch':
      return {
        code: 'ISSUER_MISMATCH',
        explanation: `The token was issued by ${describeUntrusted(payload.iss)}; the verifier expects "${context.issuer ?? ''}". Check that every environment sets the same issuer.`,
      };
  }
}
