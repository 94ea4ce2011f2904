/**
 * What will break next even when a token passes today: time claims in milliseconds or as strings,
 * zero leeway against a measured clock skew, and lifetimes the skew eats whole.
 */
import { describeUntrusted, formatDuration } from '../../errors/explain.js';
import type { ClockOffset, Finding } from '../diagnosis.js';
import { clockNoiseMs } from '../clock-offset.js';

// A NumericDate above this is milliseconds: as seconds it would be after the year 5138.
const MILLISECONDS_THRESHOLD = 1e11;
const TIME_CLAIMS = ['exp', 'iat', 'nbf'] as const;

/**
 * True when a time claim looks like milliseconds (Date.now()) rather than seconds.
 *
 * @example
 * ```ts
 * isMillisecondsDate(1767225600000); // true
 * ```
 */
export function isMillisecondsDate(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value > MILLISECONDS_THRESHOLD;
}

/**
 * Findings about what will break next, from the decoded payload, the verifier's leeway (and whose
 * default it is) and, when measured, the server's clock.
 *
 * @example
 * ```ts
 * warnAboutNextBreak({ payload, leewaySeconds: 0, leewayOwner: "jsonwebtoken's default", clock: null });
 * ```
 */
export function warnAboutNextBreak(options: {
  payload: Readonly<Record<string, unknown>> | null;
  leewaySeconds: number;
  leewayOwner: string;
  clock: ClockOffset | null;
}): Finding[] {
  const { payload, leewaySeconds, leewayOwner, clock } = options;
  const findings: Finding[] = [];
  if (payload === null) return findings;
  for (const name of TIME_CLAIMS) {
    const value = payload[name];
    if (isMillisecondsDate(value)) {
      findings.push({
        id: `${name}-milliseconds`,
        severity: name === 'exp' ? 'danger' : 'warning',
        bucket: 'time',
        what: `"${name}" is ${String(value)}: milliseconds (Date.now()), not the seconds JWT time claims count; read as seconds it lies ${Math.round((value as number) / 31_557_600)} years after 1970.`,
        why:
          name === 'exp'
            ? 'Every verifier reads it as seconds, so the token never expires: a leaked token, a logout or a revoked session never stops working, and the day someone fixes the issuer every old token is suddenly valid for millennia.'
            : 'Verifiers read it as seconds: an iat or nbf that far ahead makes the token "not yet valid" or "issued in the future" wherever it is checked.',
        fix: `Sign seconds: ${name}: Math.floor(Date.now() / 1000)${name === 'exp' ? ' + ttlSeconds' : ''}, or let the library set it (jsonwebtoken: { expiresIn: "15m" }; jose: .setExpirationTime("15m")).`,
      });
    } else if (typeof value === 'string') {
      findings.push({
        id: `${name}-string`,
        severity: 'danger',
        bucket: 'time',
        what: `"${name}" is the string ${describeUntrusted(value)}, not a number.`,
        why: 'jsonwebtoken ("invalid exp value"), jose and fast-jwt refuse it; a hand-rolled check such as Date.now() / 1000 < payload.exp coerces the string and passes, so the token works until the API switches to a real verifier, and then every session fails at once.',
        fix: `Sign ${name} as a number of seconds (JSON 1767225600, not "1767225600").`,
      });
    }
  }
  if (clock !== null && Math.abs(clock.offsetMs) > clockNoiseMs(clock)) {
    const skewS = Math.abs(clock.offsetMs) / 1000;
    if (skewS > leewaySeconds) {
      findings.push({
        id: 'leeway-below-skew',
        severity: 'danger',
        bucket: 'time',
        what: `The server's clock is ${formatDuration(skewS)} ${clock.offsetMs > 0 ? 'ahead of' : 'behind'} this machine's, and the verifier allows ${leewaySeconds} s of leeway (${leewayOwner}).`,
        why:
          clock.offsetMs > 0
            ? `Tokens issued on this clock expire ${formatDuration(skewS)} early there: a client that refreshes shortly before exp gets 401s and, if it logs out on 401, logs users out.`
            : `Tokens issued on this clock carry an nbf/iat ${formatDuration(skewS)} in that server's future: fresh tokens are refused ("not active") right after login.`,
        fix: `Run NTP on both machines; then set clockTolerance to a few seconds more than the drift you measure (Tessera uses 60 s).`,
      });
    }
    const { exp, iat } = payload;
    if (typeof exp === 'number' && typeof iat === 'number' && exp > iat && exp - iat <= skewS) {
      findings.push({
        id: 'lifetime-below-skew',
        severity: 'danger',
        bucket: 'time',
        what: `The token lives ${formatDuration(exp - iat)}, no longer than the ${formatDuration(skewS)} the clocks are apart.`,
        why: 'On the faster clock the token is expired the moment it arrives: every refresh yields a token that is already refused, and the client logs the user out.',
        fix: 'Fix the clocks (NTP) and keep access tokens at least a few minutes long.',
      });
    }
  }
  return findings;
}
