/**
 * The verdict on one token: what the server's own verifier concluded, what a guessed secret means, and,
 * when the server was asked, how its answer overrides the doctor's copy of its rules.
 */
import { ERROR_TABLE } from '../../errors/codes.js';
import { isTesseraError, type TesseraError } from '../../errors/tessera-error.js';
import { assertStrongSecret } from '../../keys/secret-strength.js';
import type { Finding, Verdict } from '../diagnosis.js';
import { fixFor } from './fixes.js';
import type { ServerAnswer } from './server-answer.js';
import type { ServerOutcome } from './server-view.js';

/**
 * A verdict from a TesseraError thrown by the token core: its code, bucket and message, unchanged.
 *
 * @example
 * ```ts
 * verdictFromError(error); // { status: 'invalid', code: error.code, explanation: error.message, ... }
 * ```
 */
export function verdictFromError(error: TesseraError): Verdict {
  return {
    status: 'invalid',
    code: error.code,
    bucket: ERROR_TABLE[error.code].bucket,
    explanation: error.message,
    fix: fixFor(error.code),
  };
}

/**
 * The verdict on what the server's verifier concluded. A token that verifies with a well-known example
 * secret still fails: the secret's own SECRET_WEAK refusal is the verdict.
 *
 * @example
 * ```ts
 * verdictFromOutcome({ outcome: { ok: true, signatureChecked: false }, guessedSecret: undefined }).status; // 'unknown'
 * ```
 */
export function verdictFromOutcome(options: {
  outcome: ServerOutcome;
  guessedSecret: string | undefined;
}): Verdict {
  const { outcome, guessedSecret } = options;
  if (!outcome.ok) return verdictFromError(outcome.error);
  if (guessedSecret !== undefined) {
    try {
      assertStrongSecret(guessedSecret);
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

/**
 * Weighs the server's own answer against the verdict. The server's answer is the truth: it knows
 * revocations, its keys and its clock. Where the two differ, the finding says so.
 *
 * @example
 * ```ts
 * const { verdict, finding } = reconcileWithServer({ verdict: local, answer: { status: 401, code: 'TOKEN_REVOKED', detail } });
 * verdict.code; // 'TOKEN_REVOKED'
 * ```
 */
export function reconcileWithServer(options: { verdict: Verdict; answer: ServerAnswer }): {
  verdict: Verdict;
  finding: Finding | undefined;
} {
  const { verdict, answer } = options;
  const accepted = answer.status >= 200 && answer.status < 300;
  if (accepted) {
    if (verdict.status === 'invalid') {
      return {
        verdict,
        finding: {
          id: 'server-accepts',
          severity: 'warning',
          bucket: verdict.bucket,
          what: `The server accepts this token, but judged with the expectations given here it fails with ${verdict.code ?? 'an error'}.`,
          why: 'An API configured with these expectations (audience, issuer, leeway, keys) would refuse what the auth server accepts.',
          fix: 'Configure every API with the issuer, audience and leeway the auth server publishes.',
        },
      };
    }
    return {
      verdict:
        verdict.status === 'unknown'
          ? {
              ...verdict,
              status: 'valid',
              explanation:
                'The server accepts this token (it checked the signature with its own keys).',
              fix: 'Nothing to fix.',
            }
          : verdict,
      finding: undefined,
    };
  }
  if (answer.code === null || answer.code === verdict.code) return { verdict, finding: undefined };
  return {
    verdict: {
      status: 'invalid',
      code: answer.code,
      bucket: ERROR_TABLE[answer.code].bucket,
      explanation: answer.detail ?? ERROR_TABLE[answer.code].description,
      fix: fixFor(answer.code),
    },
    finding: {
      id: 'server-disagrees',
      severity: 'info',
      bucket: ERROR_TABLE[answer.code].bucket,
      what: `The server answers ${answer.code}; judged here the token ${verdict.code === null ? 'passes' : `fails with ${verdict.code}`}.`,
      why:
        answer.code === 'TOKEN_REVOKED'
          ? 'Revocation is state only the server holds.'
          : 'The server knows its keys, clock and revocations better than any copy of them.',
      fix: fixFor(answer.code),
    },
  };
}
