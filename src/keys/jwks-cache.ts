import { TesseraError, isTesseraError } from '../errors/tessera-error.js';

// The remote-JWKS cache and its fetch, shared by the node:crypto and Web Crypto verifiers: Web-standard
// APIs only (fetch with redirect 'manual', AbortSignal.timeout, a capped stream read, TextDecoder).

/** Options of {@link createRemoteJwks} and of `tessera-auth/verify`'s remote keys. */
export interface RemoteJwksOptions {
  readonly url: string;
  /** Re-fetch at most this often when a token names an unknown kid. Default 30 s. */
  readonly cooldownSeconds?: number;
  /** Re-fetch in the background this often. Default 5 min. */
  readonly maxAgeSeconds?: number;
  /** Give up on one fetch after this long. Default 5 s. */
  readonly timeoutSeconds?: number;
  /** Largest JWKS body read. Default 256 KiB (a hundred RSA keys fit in a tenth of it). */
  readonly maxBytes?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

/** A read JWKS: the keys by kid and, for each refused kid, why. */
export interface ReadJwks<V> {
  readonly keys: ReadonlyMap<string, V>;
  readonly refused: ReadonlyMap<string, string>;
}

/**
 * A cache of one backend's keys from a remote JWKS; see {@link RemoteJwks}.
 *
 * @example
 * ```ts
 * const key = cache.verificationKey(kid) ?? ((await cache.learn(kid)) ? cache.verificationKey(kid) : undefined);
 * ```
 */
export interface JwksCache<V> {
  /** The key for a kid, undefined when unknown; throws KEY_UNFIT when the JWKS publishes it unfit. */
  verificationKey(kid: string): V | undefined;
  /** Fetches now (shared by concurrent callers); rejects with JWKS_UNAVAILABLE or JWKS_INVALID. */
  refresh(): Promise<void>;
  /**
   * Re-fetches when the kid is unknown and the cooldown allows; resolves true when the JWKS now publishes
   * the kid (fit or not), false when it does not, and rejects with the fetch's error when the set could
   * not be read, so the caller reports the outage rather than an unknown key.
   */
  learn(kid: string): Promise<boolean>;
}

/**
 * Creates a remote JWKS cache whose documents are read by `read` (the node:crypto or Web Crypto import).
 *
 * @example
 * ```ts
 * const cache = createJwksCache({ url }, (body, url) => importJwks(webCryptoBackend, body, url));
 * ```
 */
export function createJwksCache<V>(
  options: RemoteJwksOptions,
  read: (body: unknown, url: string) => ReadJwks<V> | Promise<ReadJwks<V>>,
): JwksCache<V> {
  const now = options.now ?? Date.now;
  const fetcher = options.fetch ?? fetch;
  const cooldownMs = (options.cooldownSeconds ?? 30) * 1000;
  const maxAgeMs = (options.maxAgeSeconds ?? 300) * 1000;
  const fetchOptions = {
    url: options.url,
    timeoutMs: (options.timeoutSeconds ?? 5) * 1000,
    maxBytes: options.maxBytes ?? 256 * 1024,
  };
  let keys: ReadonlyMap<string, V> = new Map();
  let refused: ReadonlyMap<string, string> = new Map();
  let lastError: TesseraError | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<void> | undefined;

  const load = async (): Promise<void> => {
    fetchedAt = now();
    try {
      const document = await read(await fetchJwks(fetcher, fetchOptions), options.url);
      ({ keys, refused } = document);
      lastError = undefined;
    } catch (error) {
      lastError = isTesseraError(error)
        ? error
        : new TesseraError('JWKS_INVALID', `The JWKS at ${options.url} could not be read.`);
      throw lastError;
    }
  };

  const refresh = (): Promise<void> => {
    inFlight ??= load().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const publishes = (kid: string): boolean => keys.has(kid) || refused.has(kid);

  return {
    verificationKey(kid) {
      if (now() - fetchedAt > maxAgeMs) refresh().catch(() => undefined);
      const reason = refused.get(kid);
      if (reason !== undefined)
        throw new TesseraError(
          'KEY_UNFIT',
          `The JWKS at ${options.url} publishes kid ${JSON.stringify(kid)}, but it is refused: ${reason}.`,
          { url: options.url },
        );
      return keys.get(kid);
    },
    refresh,
    async learn(kid) {
      if (inFlight !== undefined) await inFlight.catch(() => undefined);
      if (publishes(kid)) return true;
      if (now() - fetchedAt >= cooldownMs) await refresh().catch(() => undefined);
      if (publishes(kid)) return true;
      if (lastError !== undefined) throw lastError;
      return false;
    },
  };
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a JWKS URL when a guard or verifier is built, so a typo fails at start, not at the first
 * request: https, or http on loopback only. Returns the normalised URL; throws CONFIG_INVALID.
 *
 * @example
 * ```ts
 * checkJwksUrl('http://auth.example.com/jwks'); // throws CONFIG_INVALID (plain HTTP off loopback)
 * ```
 */
export function checkJwksUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TesseraError('CONFIG_INVALID', 'jwksUrl is not a URL.');
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return url.href;
  throw new TesseraError(
    'CONFIG_INVALID',
    `jwksUrl must be https (or http on localhost): keys fetched over plain HTTP can be swapped in transit.`,
  );
}

async function fetchJwks(
  fetcher: typeof fetch,
  options: { url: string; timeoutMs: number; maxBytes: number },
): Promise<unknown> {
  const { url } = options;
  let response: Response;
  try {
    // 'manual', not 'error': workerd refuses 'error', and a JWKS that moved is a misconfiguration to
    // report, not a redirect to follow to wherever a compromised proxy points.
    response = await fetcher(url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new TesseraError(
      'JWKS_UNAVAILABLE',
      `The JWKS at ${url} ${fetchFailure(error, options)}.`,
      {
        url,
      },
    );
  }
  if (response.type === 'opaqueredirect' || (response.status >= 300 && response.status < 400)) {
    await response.body?.cancel();
    throw new TesseraError(
      'JWKS_UNAVAILABLE',
      `The JWKS at ${url} answered with a redirect (HTTP ${response.status}); configure the final URL.`,
      { url, status: response.status },
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new TesseraError(
      'JWKS_UNAVAILABLE',
      `The JWKS at ${url} answered HTTP ${response.status}.`,
      {
        url,
        status: response.status,
      },
    );
  }
  const text = await readCapped(response, options);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new TesseraError('JWKS_INVALID', `The JWKS at ${url} is not JSON.`, { url });
  }
}

async function readCapped(
  response: Response,
  options: { url: string; timeoutMs: number; maxBytes: number },
): Promise<string> {
  const tooLarge = (): TesseraError =>
    new TesseraError(
      'JWKS_INVALID',
      `The JWKS at ${options.url} is larger than ${options.maxBytes} bytes.`,
      { url: options.url, maxBytes: options.maxBytes },
    );
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > options.maxBytes) {
        await reader.cancel();
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (error) {
    if (isTesseraError(error)) throw error;
    throw new TesseraError(
      'JWKS_UNAVAILABLE',
      `The JWKS at ${options.url} ${fetchFailure(error, options)}.`,
      { url: options.url },
    );
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function fetchFailure(error: unknown, options: { timeoutMs: number }): string {
  const name = error instanceof Error ? error.name : '';
  if (name === 'TimeoutError' || name === 'AbortError')
    return `did not answer within ${options.timeoutMs / 1000} s`;
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return `could not be reached${code}`;
}
