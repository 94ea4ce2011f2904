/**
 * Gathers what judging a token needs from the outside world (the server's metadata, keys, clock offset
 * and own answer), then hands it all to the pure {@link judgeToken}.
 */
import type { Algorithm } from '../../jwa/algorithms.js';
import { measureClockOffset } from '../clock-offset.js';
import type { ClockOffset, Diagnosis, Finding, IssuedToken } from '../diagnosis.js';
import { fetchMetadata, reachableJwksUrl, type ServerMetadata } from '../server-client.js';
import { judgeToken, type ExpectedToken } from './judge-token.js';
import { keyFromSecret, loadJwks, loadKeyFile, type KeySet } from './key-sources.js';
import { readToken } from './read-token.js';
import { askServer, type ServerAnswer } from './server-answer.js';
import { warnAboutSecret } from './warnings.js';

/**
 * Options of {@link diagnoseToken}; the CLI flags, already parsed.
 *
 * @example
 * ```ts
 * const options: DiagnoseTokenOptions = { input: token, server: 'https://auth.example.com', probe: false };
 * ```
 */
export interface DiagnoseTokenOptions {
  readonly input: string;
  readonly expect?: ExpectedToken;
  readonly server?: string | undefined;
  readonly jwks?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly alg?: Algorithm | undefined;
  readonly secret?: { readonly value: string; readonly name: string } | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  readonly leewaySeconds?: number | undefined;
  /** Present the token to the server's GET /auth/me. Default true when a server is given. */
  readonly probe?: boolean;
  readonly samples?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly timeZone?: string;
}

/**
 * Diagnoses one token, reaching the server and key sources it was told about. Throws
 * CannotJudgeError or a KEY_INVALID TesseraError when a server or key cannot be read.
 *
 * @example
 * ```ts
 * const diagnosis = await diagnoseToken({ input: token, server: 'https://auth.example.com' });
 * ```
 */
export async function diagnoseToken(options: DiagnoseTokenOptions): Promise<Diagnosis> {
  const now = options.now ?? Date.now;
  const fetcher = options.fetch;
  const extraWarnings: Finding[] = [];
  let metadata: ServerMetadata | undefined;
  let clock: ClockOffset | null = null;
  let serverAnswer: ServerAnswer | null = null;
  if (options.server !== undefined) {
    metadata = await fetchMetadata({
      baseUrl: options.server,
      ...(fetcher ? { fetch: fetcher } : {}),
    });
    clock = await measureClockOffset({
      baseUrl: options.server,
      now,
      ...(fetcher ? { fetch: fetcher } : {}),
      ...(options.samples ? { samples: options.samples } : {}),
    });
    if (options.probe !== false && options.expect !== 'refresh') {
      serverAnswer = await askServer({
        baseUrl: options.server,
        authorization: readToken(options.input).authorization,
        ...(fetcher ? { fetch: fetcher } : {}),
      });
    }
  }
  let keys: KeySet | undefined;
  if (options.secret !== undefined) {
    keys = keyFromSecret({
      secret: options.secret.value,
      label: `secret from $${options.secret.name}`,
    });
    const weak = warnAboutSecret(options.secret.value);
    if (weak !== undefined) extraWarnings.push(weak);
  } else if (options.keyFile !== undefined) {
    keys = await loadKeyFile({
      path: options.keyFile,
      ...(options.alg ? { alg: options.alg } : {}),
    });
  } else if (options.jwks !== undefined) {
    keys = await loadJwks({ location: options.jwks, ...(fetcher ? { fetch: fetcher } : {}) });
  } else if (metadata !== undefined && options.server !== undefined) {
    keys = await loadJwks({
      location: reachableJwksUrl(metadata, options.server),
      ...(fetcher ? { fetch: fetcher } : {}),
    });
  }
  const ttl = metadata?.accessTokenTtlSeconds;
  return judgeToken({
    input: options.input,
    ...(options.expect ? { expect: options.expect } : {}),
    issuer: options.issuer ?? metadata?.issuer,
    audience: options.audience ?? metadata?.audience,
    leewaySeconds: options.leewaySeconds ?? metadata?.leewaySeconds,
    // The server allows the longer of its own TTL and one hour.
    maxLifetimeSeconds: ttl === undefined ? undefined : Math.max(ttl, 3600),
    keys,
    now,
    clock,
    serverAnswer,
    extraWarnings,
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
}

/**
 * Judges an access token a deployment just issued against what it publishes: its JWKS (read where the
 * doctor reached the server), issuer, audience and leeway, on the server's measured clock. The
 * deployment check receives this as its `IssuedTokenJudge`.
 *
 * @example
 * ```ts
 * const diagnosis = await diagnoseIssuedToken({ token: body.access_token, server, metadata, clock });
 * diagnosis.verdict.status; // 'valid'
 * ```
 */
export async function diagnoseIssuedToken(issued: IssuedToken): Promise<Diagnosis> {
  const { metadata } = issued;
  const keys = await loadJwks({
    location: reachableJwksUrl(metadata, issued.server),
    ...(issued.fetch ? { fetch: issued.fetch } : {}),
  });
  return judgeToken({
    input: issued.token,
    issuer: metadata.issuer,
    audience: metadata.audience,
    leewaySeconds: metadata.leewaySeconds,
    keys,
    now: issued.now ?? Date.now,
    clock: issued.clock,
  });
}
