/**
 * What the doctor concludes, on either path: a token's diagnosis and a deployment's report, the
 * findings both are made of, and the contract by which the deployment path has the token path judge a
 * token the server just issued. Types only, so every part of the doctor can share them.
 */
import type { Bucket, ErrorCode } from '../errors/codes.js';
import type { ServerMetadata } from './server-client.js';

/**
 * How sure the doctor is: the token passes, fails with a code, or could not be judged.
 *
 * @example
 * ```ts
 * const status: VerdictStatus = 'unknown'; // every check but the signature passed
 * ```
 */
export type VerdictStatus = 'valid' | 'invalid' | 'unknown';

/**
 * The doctor's answer for one token: the code a Tessera server would answer with, its bucket, and the
 * verifier's own explanation (the same text as the `detail` of the server's 401), plus how to fix it.
 *
 * @example
 * ```ts
 * const verdict: Verdict = { status: 'invalid', code: 'TOKEN_EXPIRED', bucket: 'time', explanation: '...', fix: '...' };
 * ```
 */
export interface Verdict {
  readonly status: VerdictStatus;
  readonly code: ErrorCode | null;
  readonly bucket: Bucket | null;
  readonly explanation: string;
  readonly fix: string;
}

/**
 * How much a finding matters: `danger` is a hole or a failure, `warning` a trap, `info` context.
 *
 * @example
 * ```ts
 * const failed = findings.filter((f) => f.severity === 'danger').length;
 * ```
 */
export type Severity = 'danger' | 'warning' | 'info';

/**
 * One thing the doctor noticed beyond the verdict: what it is, why it matters, how to fix it.
 *
 * @example
 * ```ts
 * const finding: Finding = { id: 'missing-kid', severity: 'warning', bucket: 'validation', what: '...', why: '...', fix: '...' };
 * ```
 */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  readonly bucket: Bucket | null;
  readonly what: string;
  readonly why: string;
  readonly fix: string;
}

/**
 * One time claim shown three ways, judged against this machine's clock and, when measured, the server's.
 *
 * @example
 * ```ts
 * const exp: TimeClaimView = { name: 'exp', value: 1767268805, utc: '2026-01-01T12:00:05Z', local: '2026-01-01 13:00:05 GMT+1 (Europe/Berlin)', relativeLocal: 'expired 6 min 12 s ago', relativeServer: null };
 * ```
 */
export interface TimeClaimView {
  readonly name: string;
  readonly value: number;
  readonly utc: string;
  readonly local: string;
  readonly relativeLocal: string;
  readonly relativeServer: string | null;
}

/**
 * The clock offset of a server against this machine, measured over several round trips.
 *
 * @example
 * ```ts
 * const clock: ClockOffset = { offsetMs: 180_000, uncertaintyMs: 3, samples: 5, roundTripMs: 6, source: 'auth-time' };
 * ```
 */
export interface ClockOffset {
  /** Server clock minus this machine's clock, in milliseconds. */
  readonly offsetMs: number;
  /** Half the shortest round trip (plus the Date header's 1 s resolution when that was the source). */
  readonly uncertaintyMs: number;
  readonly samples: number;
  readonly roundTripMs: number;
  readonly source: 'auth-time' | 'date-header';
}

/**
 * What a pasted value is: a compact JWS, a Tessera refresh token, or something else.
 *
 * @example
 * ```ts
 * if (decoded.kind === 'refresh-token') console.log('opaque: nothing to decode');
 * ```
 */
export type TokenShape = 'jwt' | 'refresh-token' | 'other';

/**
 * What the token looks like once decoded, without trusting any of it. Never holds the signature.
 *
 * @example
 * ```ts
 * const decoded: DecodedView = { header: { alg: 'EdDSA' }, payload: { exp: 1767268805 }, signatureBytes: 64, times: [], kind: 'jwt' };
 * ```
 */
export interface DecodedView {
  readonly header: Readonly<Record<string, unknown>> | null;
  readonly payload: Readonly<Record<string, unknown>> | null;
  readonly signatureBytes: number;
  readonly times: readonly TimeClaimView[];
  readonly kind: TokenShape;
}

/**
 * Everything the doctor concluded about one token: the verdict, the decoded view, the manglings it
 * recognised (each named with the shared words), findings with what/why/fix, warnings, and what it could not check.
 *
 * @example
 * ```ts
 * const diagnosis = judgeToken({ input: token, now: Date.now });
 * if (diagnosis.verdict.status === 'invalid') console.log(diagnosis.verdict.code, diagnosis.verdict.explanation);
 * ```
 */
export interface Diagnosis {
  readonly verdict: Verdict;
  /** Which verifier's rules judged the token, and each one's own error for it. */
  readonly verifier?: VerifierReport;
  readonly decoded: DecodedView | null;
  readonly findings: readonly Finding[];
  readonly warnings: readonly Finding[];
  readonly unchecked: readonly string[];
  readonly expectations: Readonly<Record<string, string | number | null>>;
  readonly clock: ClockOffset | null;
}

/**
 * What a JWT library throws (or answers) for a fault: error class, code, message, and for middleware
 * the HTTP status and body the client receives.
 *
 * @example
 * ```ts
 * const error: LibraryError = { name: 'TokenExpiredError', code: null, message: 'jwt expired', status: null, response: null };
 * ```
 */
export interface LibraryError {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
  readonly status: number | null;
  /** The response body the client sees, when the library answers the request itself. */
  readonly response: string | null;
}

/**
 * The verifier a token was judged by: its name (or "common rules"), why it was chosen, the leeway it
 * judged with, and what each library judged says (null where it accepts the token).
 *
 * @example
 * ```ts
 * const report: VerifierReport = { name: 'jsonwebtoken', chosenBy: 'detected', reason: '...', leewaySeconds: 0, errors: [{ verifier: 'jsonwebtoken', error }] };
 * ```
 */
export interface VerifierReport {
  readonly name: string;
  readonly chosenBy: 'flag' | 'tessera-token' | 'tessera-server' | 'detected' | 'common';
  readonly reason: string;
  readonly leewaySeconds: number;
  readonly errors: readonly { readonly verifier: string; readonly error: LibraryError | null }[];
}

/**
 * What one deployment check found: what passed, in words, and what did not.
 *
 * @example
 * ```ts
 * const { passed, findings }: CheckResult = checkRefreshCookie(parseSetCookie(setCookie));
 * ```
 */
export interface CheckResult {
  readonly passed: string[];
  readonly findings: Finding[];
}

/**
 * The outcome of a deployment check.
 *
 * @example
 * ```ts
 * const report: DeploymentReport = await checkDeployment({ server, judgeIssuedToken: diagnoseIssuedToken });
 * const failed = report.findings.some((f) => f.severity === 'danger');
 * ```
 */
export interface DeploymentReport {
  readonly server: string;
  readonly passed: readonly string[];
  readonly findings: readonly Finding[];
  readonly skipped: readonly string[];
  readonly metadata: ServerMetadata;
  readonly clock: ClockOffset;
}

/**
 * An access token a deployment just issued, with what that deployment publishes and how to reach it.
 *
 * @example
 * ```ts
 * const issued: IssuedToken = { token, server: 'https://auth.example.com', metadata, clock };
 * ```
 */
export interface IssuedToken {
  readonly token: string;
  /** The URL the doctor reached the server at (its JWKS is read there). */
  readonly server: string;
  readonly metadata: ServerMetadata;
  readonly clock: ClockOffset;
  readonly fetch?: typeof fetch;
  /** This machine's clock, epoch ms. */
  readonly now?: () => number;
}

/**
 * Judges an issued access token against what its deployment publishes. The deployment path needs a
 * token judged but must not reach into the token path, so it takes this as an option; the token path
 * provides one (`diagnoseIssuedToken`) and the CLI hands it over.
 *
 * @example
 * ```ts
 * const judge: IssuedTokenJudge = diagnoseIssuedToken;
 * const diagnosis = await judge({ token, server, metadata, clock });
 * ```
 */
export type IssuedTokenJudge = (issued: IssuedToken) => Promise<Diagnosis>;
