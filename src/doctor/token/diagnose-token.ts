/**
 * Gathers what judging a token needs from the outside world (the server's metadata, keys, clock offset
 * and own answer), then hands it all to the pure {@link judgeToken}.
 */
import type { Algorithm } from '../../jwa/algorithms.js';
import { measureClockOffset } from '../clock-offset.js';
import type { ClockOffset, Diagnosis, Finding, IssuedToken } from '../diagnosis.js';
import {
  CannotJudgeError,
  fetchMetadata,
  reachableJwksUrl,
  type ServerMetadata,
} from '../server-client.js';
import { judgeToken, type ExpectedToken } from './judge-token.js';
import { keyFromSecret, loadJwks, loadKeyFile, type KeySet } from './key-sources.js';
import { decodeUntrusted, readToken } from './read-token.js';
import { isTesseraToken } from './token-profile.js';
import type { VerifierName } from './verifier-rules.js';
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
  /** The verifier the API runs (--verifier); detected from the token when undefined. */
  readonly verifier?: VerifierName | undefined;
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
    try {
      metadata = await fetchMetadata({
        baseUrl: options.server,
        ...(fetcher ? { fetch: fetcher } : {}),
      });
    } catch (error) {
      // A generic token's API is no Tessera server: its clock is still worth measuring.
      if (!(error instanceof CannotJudgeError) || !judgedGenerically(options)) throw error;
      extraWarnings.push({
        id: 'server-not-tessera',
        severity: 'info',
        bucket: null,
        what: `${options.server} is not a Tessera server (${error.message}); only its clock was measured, from its Date header.`,
        why: 'A generic API publishes no metadata: its issuer, audience, leeway and keys must be given (--iss, --aud, --leeway, --secret-env, --jwks).',
        fix: 'Give the expectations your API verifies with, and --verifier for its library.',
      });
    }
    clock = await measureClockOffset({
      baseUrl: options.server,
      now,
      ...(fetcher ? { fetch: fetcher } : {}),
      ...(options.samples ? { samples: options.samples } : {}),
    });
    if (metadata !== undefined && options.probe !== false && options.expect !== 'refresh') {
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
    verifier: options.verifier,
    tesseraServer: metadata !== undefined,
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

// A token is judged generically when --verifier names another library, or nothing marks it as Tessera's.
function judgedGenerically(options: DiagnoseTokenOptions): boolean {
  if (options.verifier !== undefined) return options.verifier !== 'tessera';
  const read = readToken(options.input);
  const raw = decodeUntrusted(read.unwrapped);
  return raw.header !== null && !isTesseraToken(raw.header, raw.payload);
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
