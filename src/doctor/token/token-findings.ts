/**
 * Findings about one token beyond its verdict: each mangling named with the shared words, what the token
 * would be once unwrapped, a signature cut short, and what the clocks disagree about.
 */
import { MANGLING_WORDS, type Mangling } from '../../errors/mangling.js';
import { describeClockOffset } from '../clock-offset.js';
import type { ClockOffset, DecodedView, Finding } from '../diagnosis.js';
import { fixFor } from './fixes.js';
import type { ReadToken } from './read-token.js';
import type { ServerOutcome } from './server-view.js';

const WHY: Readonly<Record<Mangling, string>> = {
  quoted: 'The server reads the quotes as part of the token, so the signature cannot match.',
  'bearer-prefix': 'The server receives "Bearer Bearer <token>" and cannot read a token from it.',
  whitespace:
    'A token is one unbroken string; a space or newline inside it breaks the header or the signature, and HTTP clients strip only trailing whitespace.',
  'url-encoded': 'The server receives the %-escapes literally, which no JWT contains.',
  truncated: 'The missing part cannot be recovered: the token must be sent whole.',
  empty: 'A header without a token tells the server nothing; the request fails as unauthenticated.',
  'refresh-token':
    'A refresh token only opens POST /auth/refresh; APIs expect the short-lived access token.',
  'not-a-jwt': 'APIs verify a signed JWT; any other value fails before a key is looked up.',
  'access-token':
    'The refresh endpoint looks the token up by its tsr_ id; a JWT has none, so the session cannot be found.',
};

const FIX: Readonly<Record<Mangling, string>> = {
  quoted:
    'Store the token as a plain string (localStorage.setItem(key, token)), or JSON.parse what you stored before sending it.',
  'bearer-prefix': 'Store the bare token and add "Bearer " once, where the header is built.',
  whitespace:
    'Trim the token where it is read (file, environment variable, terminal copy) and never wrap it.',
  'url-encoded':
    'decodeURIComponent the value taken from the URL, and move the token out of URLs altogether.',
  truncated:
    'Find the limit that cut it (a column size, a cookie limit, a log line) and store tokens whole.',
  empty: 'Wait for login or refresh before sending requests; never send "Bearer undefined".',
  'refresh-token':
    'Send the access_token from the token response; keep the refresh token for /auth/refresh only.',
  'not-a-jwt': 'Send the access_token from the token response of the auth server.',
  'access-token':
    'Send the refresh_token (or let the browser send the cookie) to /auth/refresh; keep access tokens for APIs.',
};

// Signature sizes by algorithm; RSA signatures are the modulus size, 256 bytes at the 2048-bit minimum.
const SIGNATURE_BYTES: Readonly<Record<string, number>> = {
  EdDSA: 64,
  ES256: 64,
  HS256: 32,
  RS256: 256,
  PS256: 256,
};

/**
 * Findings about how the token was presented and decoded.
 *
 * @example
 * ```ts
 * describeTokenFindings({ read, decoded, primary, judgeUnwrapped });
 * ```
 */
export function describeTokenFindings(input: {
  read: ReadToken;
  decoded: DecodedView;
  primary: ServerOutcome;
  judgeUnwrapped: () => ServerOutcome;
}): Finding[] {
  const { read, decoded, primary } = input;
  const findings: Finding[] = [];
  if (read.url !== null) {
    findings.push({
      id: 'token-in-url',
      severity: 'danger',
      bucket: 'storage',
      what: 'The token was taken from a URL.',
      why: 'URLs land in server logs, browser history and Referer headers, where anyone reading them can replay the token.',
      fix: fixFor('TOKEN_IN_URL'),
    });
  }
  if (read.headerValueGiven && !read.manglings.some((m) => m.kind === 'bearer-prefix')) {
    findings.push({
      id: 'header-value',
      severity: 'info',
      bucket: 'storage',
      what: 'The input starts with "Bearer ", so it was read as an Authorization header value.',
      why: `If this is what your app stores rather than the header it sends, then ${MANGLING_WORDS['bearer-prefix']}.`,
      fix: FIX['bearer-prefix'],
    });
  }
  for (const mangling of read.manglings) {
    findings.push({
      id: `mangling-${mangling.kind}`,
      severity: primary.ok && mangling.kind === 'whitespace' ? 'warning' : 'danger',
      bucket: 'storage',
      what: `${capitalise(mangling.words)}.`,
      why: WHY[mangling.kind],
      fix: FIX[mangling.kind],
    });
  }
  const undone = read.manglings.some((m) =>
    ['quoted', 'bearer-prefix', 'whitespace', 'url-encoded'].includes(m.kind),
  );
  if (undone && !primary.ok && primary.error.bucket === 'storage') {
    const after = input.judgeUnwrapped();
    findings.push({
      id: 'after-unwrapping',
      severity: 'info',
      bucket: after.ok ? 'storage' : after.error.bucket,
      what: after.ok
        ? `Once unwrapped, the token itself passes every check${after.signatureChecked ? '' : ' but the signature, which was not checked'}.`
        : `Once unwrapped, the token still fails: ${after.error.code}: ${after.error.message}`,
      why: 'Fixing how the token is stored and sent is the whole fix only when the unwrapped token is good.',
      fix: after.ok ? 'Fix the storage mangling above.' : fixFor(after.error.code),
    });
  }
  const alg = typeof decoded.header?.alg === 'string' ? decoded.header.alg : undefined;
  const expected = alg === undefined ? undefined : SIGNATURE_BYTES[alg];
  if (
    decoded.kind === 'jwt' &&
    expected !== undefined &&
    decoded.signatureBytes < expected &&
    !read.manglings.some((m) => m.kind === 'truncated')
  ) {
    findings.push({
      id: 'signature-cut',
      severity: 'danger',
      bucket: 'storage',
      what: `The signature is ${decoded.signatureBytes} bytes; ${alg} signatures are ${alg === 'RS256' || alg === 'PS256' ? 'at least ' : ''}${expected}: the token was cut short.`,
      why: 'A token loses its end to a size limit, a column width or a cookie limit; what is left can never verify.',
      fix: FIX.truncated,
    });
  }
  return findings;
}

/**
 * Findings from the measured clock offset: the server's clock against this machine's, and what the
 * token looks like on each clock when they disagree.
 *
 * @example
 * ```ts
 * describeClockFindings({ clock, leewaySeconds: 60, primary, local });
 * ```
 */
export function describeClockFindings(input: {
  clock: ClockOffset;
  leewaySeconds: number;
  primary: ServerOutcome;
  local: ServerOutcome;
}): Finding[] {
  const { clock, leewaySeconds, primary, local } = input;
  const findings: Finding[] = [];
  const offset = describeClockOffset({ clock, leewaySeconds });
  if (offset !== undefined) findings.push(offset);
  const codeOf = (outcome: ServerOutcome): string => (outcome.ok ? 'valid' : outcome.error.code);
  if (
    codeOf(primary) !== codeOf(local) &&
    (!local.ok ? local.error.bucket === 'time' : !primary.ok && primary.error.bucket === 'time')
  ) {
    findings.push({
      id: 'clocks-disagree',
      severity: 'danger',
      bucket: 'time',
      what: `On this machine's clock the token is ${local.ok ? 'valid' : `refused: ${local.error.message}`} On the server's clock it is ${primary.ok ? 'valid' : `refused with ${primary.error.code}`}.`,
      why: 'Any client that compares exp with its own clock (a laptop or phone whose clock is off) decides the session is over while the server still accepts it, and logs the user out early; or keeps sending tokens the server refuses.',
      fix: "Clients must never judge exp by the device clock: schedule refresh from expires_in on receipt and treat the server's 401 as the truth. Then fix the clock that is off.",
    });
  }
  return findings;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
