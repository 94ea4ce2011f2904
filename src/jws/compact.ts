import { TesseraError } from '../errors/tessera-error.js';
import { describeUntrusted } from '../errors/explain.js';
import { detectMangling, MANGLING_WORDS } from '../errors/mangling.js';
import { decodeBase64url } from './base64url.js';
import { parseStrictJson } from './strict-json.js';

/** Largest token accepted; checked before any decoding or crypto. */
export const MAX_TOKEN_BYTES = 8192;

/** A JOSE header that passed every structural rule. `typ` is already known to be an access-token type. */
export interface CheckedHeader {
  readonly alg: string;
  readonly kid: string;
  readonly typ: string;
}

/** A compact JWS split into its parts; nothing is verified yet. */
export interface CompactParts {
  readonly header: CheckedHeader;
  readonly signingInput: string;
  readonly payloadSegment: string;
  readonly signatureSegment: string;
}

// Header parameters that make a verifier fetch something, trust an embedded key, or change how the
// signature is computed. Tessera never does any of these because of a token.
const REFUSED_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'] as const;
const KID_PATTERN = /^[A-Za-z0-9._~:+=-]{1,128}$/;
/** Most checked headers one parser keeps; the cache starts over when full. */
export const HEADER_CACHE_LIMIT = 256;
const DOT = 0x2e;
// Payload, dot, signature.
const SEGMENT_ALPHABET = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Splits and checks compact JWS access tokens. Headers repeat across every token one key signs, so
 * checked headers are cached by their exact segment text (bounded). Only the header's own rules are
 * cached: the decision is a function of those exact bytes alone. The key, its algorithm, the signature
 * and the claims are decided afresh for every token.
 *
 * @example
 * ```ts
 * const parser = new CompactParser();
 * const { header, signingInput } = parser.parse(token);
 * ```
 */
export class CompactParser {
  readonly #headers = new Map<string, CheckedHeader>();
  #last: { segment: string; header: CheckedHeader } | undefined;

  /**
   * How many checked headers the cache holds now; never more than {@link HEADER_CACHE_LIMIT}.
   *
   * @example
   * ```ts
   * new CompactParser().cachedHeaders; // 0
   * ```
   */
  get cachedHeaders(): number {
    return this.#headers.size;
  }

  /**
   * Splits a token and checks its header, throwing a TesseraError with the exact code on the first problem.
   *
   * @example
   * ```ts
   * new CompactParser().parse('a.b'); // throws TOKEN_MALFORMED
   * ```
   */
  parse(token: string): CompactParts {
    // Counted in UTF-8 bytes, as a header carries it: length alone lets multi-byte characters through.
    // A UTF-16 unit is at most 3 UTF-8 bytes, so short tokens (nearly all) need no count at all.
    const bytes =
      token.length > MAX_TOKEN_BYTES || token.length * 3 <= MAX_TOKEN_BYTES
        ? token.length
        : utf8Length(token);
    if (bytes > MAX_TOKEN_BYTES) {
      throw new TesseraError(
        'TOKEN_TOO_LARGE',
        `The token is ${bytes} bytes; the limit is ${MAX_TOKEN_BYTES}. Large tokens usually carry data that belongs in an API response.`,
        {
          bytes,
          limit: MAX_TOKEN_BYTES,
        },
      );
    }
    // Most tokens carry the same header as the one before: compare with it instead of hashing for the Map
    // (a header segment holds no dot, so the dot right after it is the first one). Not startsWith: on
    // V8 it costs several times this slice and compare on the tokens an HTTP server hands over.
    const last = this.#last;
    const cached =
      last !== undefined &&
      token.charCodeAt(last.segment.length) === DOT &&
      token.slice(0, last.segment.length) === last.segment;
    const first = cached ? last.segment.length : token.indexOf('.');
    if (first < 0) throw malformedOrUnsupported(token);
    // The signature is checked over the segment text as bytes; any character outside base64url would be
    // hashed as something other than what was sent (and is a mangled token, not a forged one). The
    // pattern also allows exactly one more dot: three parts.
    if (!SEGMENT_ALPHABET.test(token.slice(first + 1))) {
      const second = token.indexOf('.', first + 1);
      if (second < 0 || token.indexOf('.', second + 1) >= 0) throw malformedOrUnsupported(token);
      throw malformed(
        token,
        'the payload or signature is not base64url (padding, +, /, whitespace or other characters)',
      );
    }
    const second = token.indexOf('.', first + 1);
    let header: CheckedHeader | undefined;
    if (cached) {
      header = last.header;
    } else {
      const headerSegment = token.slice(0, first);
      header = this.#headers.get(headerSegment);
      if (header === undefined) {
        header = checkHeader(headerSegment, token);
        if (this.#headers.size >= HEADER_CACHE_LIMIT) this.#headers.clear();
        this.#headers.set(headerSegment, header);
      }
      this.#last = { segment: headerSegment, header };
    }
    return {
      header,
      signingInput: token.slice(0, second),
      payloadSegment: token.slice(first + 1, second),
      signatureSegment: token.slice(second + 1),
    };
  }
}

function malformedOrUnsupported(token: string): TesseraError {
  if (token.split('.').length === 5) {
    return new TesseraError(
      'TOKEN_UNSUPPORTED',
      'The token has five parts: it is an encrypted JWT (JWE). Tessera access tokens are signed (JWS) only.',
    );
  }
  return malformed(token, 'it is not three base64url parts separated by dots');
}

function malformed(token: string, fallback: string): TesseraError {
  const mangling = detectMangling(token);
  return new TesseraError(
    'TOKEN_MALFORMED',
    `The token is malformed: ${mangling === undefined ? fallback : MANGLING_WORDS[mangling]}.`,
    {
      mangling: mangling ?? null,
    },
  );
}

function checkHeader(segment: string, token: string): CheckedHeader {
  const bytes = decodeBase64url(segment);
  if (bytes === undefined)
    return throwing(
      malformed(
        token,
        'the header is not canonical base64url (padding, +, /, whitespace or stray bits)',
      ),
    );
  const parsed = parseStrictJson(bytes);
  if (!parsed.ok) {
    if (parsed.problem === 'duplicate-key')
      throw new TesseraError(
        'HEADER_NOT_ALLOWED',
        'The token header names a parameter twice; parsers would disagree on which one counts.',
      );
    return throwing(malformed(token, `the header is not a JSON object (${parsed.problem})`));
  }
  const header = parsed.value;
  if (typeof header.alg !== 'string')
    throw new TesseraError(
      'ALGORITHM_NOT_ALLOWED',
      `The token header has no string "alg" (${describeUntrusted(header.alg)}).`,
    );
  if (header.alg.toLowerCase() === 'none')
    throw new TesseraError(
      'ALGORITHM_NOT_ALLOWED',
      `The token claims alg ${describeUntrusted(header.alg)}: unsigned tokens are never accepted.`,
    );
  if ('enc' in header || 'zip' in header)
    throw new TesseraError(
      'TOKEN_UNSUPPORTED',
      'The token header has "enc" or "zip": encrypted or compressed tokens are not accepted.',
    );
  if ('cty' in header)
    throw new TesseraError(
      'TOKEN_UNSUPPORTED',
      `The token header has cty ${describeUntrusted(header.cty)}: nested tokens are not accepted.`,
    );
  for (const name of REFUSED_HEADERS) {
    if (name in header) {
      throw new TesseraError(
        'HEADER_NOT_ALLOWED',
        `The token header carries "${name}": Tessera never fetches or trusts keys, or changes signing rules, because a token says so.`,
        { parameter: name },
      );
    }
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : undefined;
  if (typ !== 'at+jwt' && typ !== 'application/at+jwt') {
    throw new TesseraError(
      'TOKEN_TYPE_MISMATCH',
      `The token has typ ${describeUntrusted(header.typ)}, not "at+jwt": it is not an access token (an ID token or another kind of JWT?).`,
      {
        expected: 'at+jwt',
      },
    );
  }
  if (header.kid === undefined)
    throw new TesseraError(
      'KEY_UNKNOWN',
      'The token header has no "kid"; Tessera has no fallback key.',
    );
  if (typeof header.kid !== 'string' || !KID_PATTERN.test(header.kid)) {
    throw new TesseraError(
      'KEY_UNKNOWN',
      `The token header "kid" ${describeUntrusted(header.kid)} is not a short plain string.`,
    );
  }
  return Object.freeze({ alg: header.alg, kid: header.kid, typ });
}

// UTF-8 length without Buffer (edge runtimes have none); only tokens near the cap are counted.
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function throwing(error: TesseraError): never {
  throw error;
}
