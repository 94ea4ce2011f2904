/**
 * Whose token this is: Tessera's own (typ at+jwt with Tessera's sid and client_id), or a generic JWT, and
 * for a generic one which verifier to judge it by: the one named with --verifier, else the one the
 * header's shape points at, else the common rules of the three core libraries.
 */
import type { VerifierName } from './verifier-rules.js';

/**
 * Which rules judge a token, and why those.
 *
 * @example
 * ```ts
 * const choice: VerifierChoice = { verifier: 'jsonwebtoken', chosenBy: 'detected', reason: 'the header is {"alg":"HS256","typ":"JWT"}, as jsonwebtoken writes it' };
 * ```
 */
export interface VerifierChoice {
  /** `null` means the common rules: jsonwebtoken, jose and fast-jwt side by side. */
  readonly verifier: VerifierName | null;
  readonly chosenBy: 'flag' | 'tessera-token' | 'tessera-server' | 'detected' | 'common';
  readonly reason: string;
}

const THUMBPRINT_KID = /^[A-Za-z0-9_-]{43}$/;

/**
 * True for a token Tessera's signer wrote: typ at+jwt and the sid and client_id claims it always signs.
 * An RFC 9068 token from another issuer (no sid) is generic and is judged by its verifier's rules.
 *
 * @example
 * ```ts
 * isTesseraToken({ typ: 'at+jwt', kid: 'x' }, { sid: 's', client_id: 'web' }); // true
 * ```
 */
export function isTesseraToken(
  header: Readonly<Record<string, unknown>> | null,
  payload: Readonly<Record<string, unknown>> | null,
): boolean {
  const typ = typeof header?.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== 'at+jwt' && typ !== 'application/at+jwt') return false;
  // A payload the doctor cannot read is judged by Tessera's rules, which say why it cannot be read.
  if (payload === null) return true;
  return typeof payload.sid === 'string' && typeof payload.client_id === 'string';
}

/**
 * Picks the verifier to judge by. `server` is true when --server answered as a Tessera server: a token
 * sent to Tessera is judged by Tessera, whatever its shape.
 *
 * @example
 * ```ts
 * chooseVerifier({ flag: undefined, tesseraServer: false, header, payload, headerText: '{"alg":"HS256","typ":"JWT"}' }).verifier; // 'jsonwebtoken'
 * ```
 */
export function chooseVerifier(options: {
  flag: VerifierName | undefined;
  tesseraServer: boolean;
  header: Readonly<Record<string, unknown>> | null;
  payload: Readonly<Record<string, unknown>> | null;
  headerText: string | null;
}): VerifierChoice {
  const { flag, header, payload, headerText } = options;
  if (flag !== undefined) return { verifier: flag, chosenBy: 'flag', reason: `--verifier ${flag}` };
  if (options.tesseraServer)
    return {
      verifier: 'tessera',
      chosenBy: 'tessera-server',
      reason: '--server is a Tessera server, which judges every token by its RFC 9068 profile',
    };
  if (header === null || isTesseraToken(header, payload))
    return {
      verifier: 'tessera',
      chosenBy: 'tessera-token',
      reason:
        header === null
          ? 'the header cannot be read, so no other verifier can be recognised'
          : `typ ${JSON.stringify(header.typ)} with Tessera's sid and client_id claims${typeof header.kid === 'string' && THUMBPRINT_KID.test(header.kid) ? ' and a key-thumbprint kid' : ''}: a Tessera access token`,
    };
  if (headerText !== null && /^\{"alg":"[^"]*","typ":"JWT"[,}]/.test(headerText))
    return {
      verifier: 'jsonwebtoken',
      chosenBy: 'detected',
      reason:
        'the header starts {"alg":…,"typ":"JWT"}, the order jsonwebtoken writes (so do fast-jwt and @nestjs/jwt; express-jwt and passport-jwt verify with jsonwebtoken); name yours with --verifier',
    };
  if (headerText !== null && /^\{"alg":"[^"]*"(,"kid":"[^"]*")?\}$/.test(headerText))
    return {
      verifier: 'jose',
      chosenBy: 'detected',
      reason:
        "the header holds only alg (and kid), as jose's SignJWT writes it with setProtectedHeader({ alg }); name yours with --verifier",
    };
  return {
    verifier: null,
    chosenBy: 'common',
    reason:
      "the header does not point at one library: judged by the rules jsonwebtoken, jose and fast-jwt share, with each one's message; name yours with --verifier",
  };
}

/**
 * The header's JSON text exactly as signed (its key order tells which library wrote it), or null.
 *
 * @example
 * ```ts
 * headerTextOf('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.x'); // '{"alg":"HS256","typ":"JWT"}'
 * ```
 */
export function headerTextOf(token: string): string | null {
  const segment = token.split('.')[0] ?? '';
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return null;
  return Buffer.from(segment, 'base64url').toString('utf8');
}
