import { readBearerTokenFrom } from '../wire/bearer.js';
import { canonicalAddress } from './client-address.js';
import type { RequestFacts } from './request-facts.js';

/**
 * The client's address: the socket's peer, or with `trustProxy` the address the nearest proxy appended
 * to X-Forwarded-For (the rightmost entry: every entry left of it can be forged by the client), in
 * one spelling ({@link canonicalAddress}: no brackets, port or zone id, an IPv4-mapped address as IPv4),
 * so that limits and the sessions list see one host as one address. A value that is no IP address is
 * kept as it came (at most 64 characters); the limits count all of those in one bucket.
 *
 * @example
 * ```ts
 * const ip = clientAddress(request, { remoteAddress: socket.remoteAddress, trustProxy: false });
 * ```
 */
export function clientAddress(
  request: RequestFacts,
  options: { remoteAddress: string | undefined; trustProxy: boolean },
): string | null {
  if (options.trustProxy) {
    const forwarded = request.headers.get('x-forwarded-for');
    const last = forwarded?.split(',').pop()?.trim();
    if (last) return canonicalAddress(last) ?? last.slice(0, 64);
  }
  if (options.remoteAddress === undefined) return null;
  return canonicalAddress(options.remoteAddress) ?? options.remoteAddress.slice(0, 64);
}

/**
 * The access token from the Authorization header. A token in the URL query is refused (URLs land in
 * logs, history and Referer headers); a missing one is TOKEN_MISSING; any other scheme is TOKEN_MALFORMED.
 *
 * @example
 * ```ts
 * const token = readBearerToken(request);
 * ```
 */
export function readBearerToken(request: RequestFacts): string {
  return readBearerTokenFrom({
    url: request.url,
    authorization: request.headers.get('authorization'),
  });
}
