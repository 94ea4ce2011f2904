/**
 * Checks an access token the server just issued to the test account against what the server
 * publishes: its iss and aud, and whether it verifies with the published JWKS and expectations. The
 * judging itself is the token path's, handed in as an {@link IssuedTokenJudge}. The token is never printed.
 */
import { describeUntrusted } from '../../errors/explain.js';
import type { CheckResult, Finding, IssuedToken, IssuedTokenJudge } from '../diagnosis.js';

/**
 * Judges an issued token with `judge` and says whether its claims and its verdict match the metadata.
 *
 * @example
 * ```ts
 * const { passed, findings } = await checkIssuedToken({ token, server, metadata, clock, judge: diagnoseIssuedToken });
 * ```
 */
export async function checkIssuedToken(
  options: IssuedToken & { judge: IssuedTokenJudge },
): Promise<CheckResult> {
  const { judge, ...issued } = options;
  const { metadata } = issued;
  const passed: string[] = [];
  const findings: Finding[] = [];
  const diagnosis = await judge(issued);
  const payload = diagnosis.decoded?.payload ?? {};
  const aud = payload.aud;
  const carriesAudience =
    metadata.audience !== undefined &&
    (aud === metadata.audience || (Array.isArray(aud) && aud.includes(metadata.audience)));
  if (payload.iss === metadata.issuer && carriesAudience)
    passed.push(
      `issued tokens carry the published iss and aud (${metadata.issuer}, ${metadata.audience ?? ''})`,
    );
  else {
    findings.push({
      id: 'claims-vs-metadata',
      severity: 'danger',
      bucket: 'validation',
      what: `Issued tokens carry iss ${describeUntrusted(payload.iss)} and aud ${describeUntrusted(aud)}; the metadata publishes ${metadata.issuer} and ${String(metadata.audience)}.`,
      why: 'APIs configured from the metadata refuse every token (ISSUER_MISMATCH or AUDIENCE_MISMATCH).',
      fix: 'Serve the metadata and sign tokens from the same configuration.',
    });
  }
  if (diagnosis.verdict.status === 'valid')
    passed.push(
      'an issued access token verifies with the published JWKS, issuer, audience and leeway',
    );
  else
    findings.push({
      id: 'issued-token-fails',
      severity: 'danger',
      bucket: diagnosis.verdict.bucket,
      what: `A token the server just issued fails its own published expectations: ${diagnosis.verdict.code ?? 'not judged'}: ${diagnosis.verdict.explanation}`,
      why: 'Every API that verifies with the published JWKS refuses it.',
      fix: diagnosis.verdict.fix,
    });
  return { passed, findings };
}
