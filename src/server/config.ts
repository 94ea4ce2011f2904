import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { TesseraError } from '../errors/tessera-error.js';
import { DEFAULT_ALGORITHM, PUBLISHABLE_ALGORITHMS } from '../jwa/algorithms.js';
import { MAX_LEEWAY_SECONDS } from '../jwt/time-options.js';
import {
  clientRotationsPerMinute,
  defaultRotationsPerMinute,
  MAX_ROTATIONS_PER_MINUTE,
} from '../sessions/rotation-limit.js';
import { MAX_GRACE_SECONDS } from '../sessions/session-options.js';
import { POSTGRES_POOLERS } from '../store/postgres/postgres-pooler.js';
import { parseDuration } from './durations.js';
import { parseLegacyConfig, type LegacyConfigWarning } from './legacy-config.js';
import type { LegacyOptions } from '../sessions/legacy-options.js';

/** Every setting, by its flag name. Environment: `TESSERA_` + the name in upper snake case (and PORT, DATABASE_URL). */
export const SETTINGS = {
  port: 'port number (default 8080)',
  host: 'address to listen on (default 127.0.0.1 in development, 0.0.0.0 in production)',
  db: 'SQLite file (default ./tessera.db)',
  'database-url': 'postgres://... to share one database between nodes',
  'pg-pooler':
    'what --database-url points at: none (PostgreSQL, or a session-mode pooler; default) or transaction (pgbouncer pool_mode=transaction: no named statements, revocations polled every 500 ms)',
  issuer: 'iss of every token (development default: http://localhost:PORT)',
  audience: 'aud of every token (development default: tessera)',
  'access-ttl': 'access-token lifetime (default 15m)',
  'refresh-grace': 'grace window for the previous refresh token, 0-600s (default 30s)',
  'refresh-rate-limit':
    'refreshes (rotations) per session per minute before 429; grace answers are free (default: max(30, 4 x 60 / access-ttl in s))',
  'idle-timeout': 'session idle timeout (default 14d)',
  'absolute-lifetime': 'session absolute lifetime (default 30d)',
  leeway: 'clock-skew leeway, 0-300s (default 60s)',
  'allowed-origins':
    'comma-separated browser origins for CORS and CSRF (default: the issuer origin)',
  'client-ids': 'comma-separated public OAuth client ids (default tessera)',
  'trust-proxy': 'believe X-Forwarded-For/Proto (true/false, default false)',
  production: 'production mode: refuse unsafe defaults (also NODE_ENV=production)',
  'redis-url': 'redis://... to share rate limits between nodes',
  signup:
    'allow open POST /auth/signup (true/false; default true in development, false in production)',
  demo: 'serve the demo page at / and /demo/* (true/false; default true in development, false in production)',
  'cookie-same-site': 'Lax (default), Strict, or None for cross-site apps',
  'max-sessions': 'sessions per user before the oldest is revoked (default unlimited)',
  'allow-long-access-ttl': 'allow an access lifetime over 1 h in production (true/false)',
  retention:
    'how long audit events, revocation records and stored IP addresses are kept (default 90d)',
  alg: 'algorithm of the first signing key: ES256 (default), EdDSA, RS256 or PS256; a stored keyring keeps its keys (change with tessera keys rotate --alg)',
  'smtp-url':
    'smtp://user:pass@host:587 or smtps://... for reset and verification mail (development default: links printed on the console)',
  'public-url':
    'the app URL mail links are built from, never from a request (development default: the first allowed origin)',
  'mail-from': 'From address of the mail (development default: Tessera <tessera@localhost>)',
  'mail-templates':
    'JSON file of subject/text/html overrides per mail: reset, verify, account-exists',
  'require-verified-email':
    'sign-up answers alike for new and taken emails and accounts sign in once verified (true/false, default false)',
} as const;

/** A setting name. */
export type SettingName = keyof typeof SETTINGS;

const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', '']).transform((v) => v === 'true' || v === '1' || v === ''),
]);
const list = z.union([
  z.array(z.string()),
  z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  ),
]);
const duration = (name: string) =>
  z.union([z.string(), z.number()]).transform((v) => parseDuration(v, name));

const schema = z.strictObject({
  port: z.coerce.number().int().min(0).max(65_535).default(8080),
  host: z.string().trim().min(1).max(255).optional(),
  db: z.string().min(1).default('./tessera.db'),
  'database-url': z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres://')
    .optional(),
  'pg-pooler': z.enum(POSTGRES_POOLERS, { error: 'must be none or transaction' }).default('none'),
  issuer: z.url().optional(),
  audience: z.string().min(1).optional(),
  'access-ttl': duration('access-ttl').default(900),
  'refresh-grace': duration('refresh-grace').pipe(z.number().max(MAX_GRACE_SECONDS)).default(30),
  // Resolved against access-ttl below: the default follows it, and a value under what the client
  // needs at that lifetime is refused.
  'refresh-rate-limit': z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_ROTATIONS_PER_MINUTE, `more than ${MAX_ROTATIONS_PER_MINUTE} a minute limits nothing`)
    .optional(),
  'idle-timeout': duration('idle-timeout').default(14 * 86_400),
  'absolute-lifetime': duration('absolute-lifetime').default(30 * 86_400),
  leeway: duration('leeway')
    .pipe(
      z
        .number()
        .max(
          MAX_LEEWAY_SECONDS,
          `leeway above ${MAX_LEEWAY_SECONDS}s is refused: it absorbs skew, it does not extend sessions`,
        ),
    )
    .default(60),
  'allowed-origins': list.default([]),
  'client-ids': list.default(['tessera']),
  'trust-proxy': bool.default(false),
  production: bool.default(false),
  'redis-url': z
    .string()
    .regex(/^rediss?:\/\//)
    .optional(),
  // Resolved against production below: on for development, off in production unless set.
  signup: bool.optional(),
  demo: bool.optional(),
  'cookie-same-site': z.enum(['Lax', 'Strict', 'None']).default('Lax'),
  'max-sessions': z.coerce.number().int().positive().optional(),
  'allow-long-access-ttl': bool.default(false),
  retention: duration('retention').default(90 * 86_400),
  // HS256 is refused: its secret is never in /.well-known/jwks.json, so no separate API could verify.
  alg: z
    .enum(PUBLISHABLE_ALGORITHMS, {
      error: (issue) =>
        issue.input === 'HS256'
          ? 'HS256 cannot be published in /.well-known/jwks.json, so no separate API could verify its tokens; use ES256, EdDSA, RS256 or PS256'
          : 'must be ES256, EdDSA, RS256 or PS256',
    })
    .default(DEFAULT_ALGORITHM),
  'smtp-url': z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, 'must start with smtp:// or smtps://')
    .optional(),
  'public-url': z.url({ protocol: /^https?$/ }).optional(),
  'mail-from': z.string().trim().min(3).max(320).optional(),
  'mail-templates': z.string().min(1).optional(),
  'require-verified-email': bool.default(false),
});

/** The validated configuration with development defaults applied. */
export type ServerConfig = Omit<
  z.output<typeof schema>,
  | 'issuer'
  | 'audience'
  | 'allowed-origins'
  | 'refresh-rate-limit'
  | 'host'
  | 'signup'
  | 'demo'
  | 'public-url'
> & {
  /** Where mail links point: as configured, else (development only) the first allowed origin. */
  'public-url': string;
  /** Open sign-up: on in development, off in production unless set. */
  signup: boolean;
  /** The demo page and its routes: on in development, off in production unless set. */
  demo: boolean;
  /** Where the server listens: loopback in development, every interface in production. */
  host: string;
  issuer: string;
  audience: string;
  'allowed-origins': string[];
  /** Committed rotations per session per minute (the 60 s window of sessions/rotation-limit.ts). */
  'refresh-rate-limit': number;
  /** TESSERA_KEY_SECRET, kept out of printed config. */
  keySecret: string | undefined;
  /** TESSERA_KEY_SECRET_PREVIOUS: read to re-seal the keyring under a new TESSERA_KEY_SECRET. */
  keySecretPrevious: string | undefined;
  /** Where each setting came from, for `tessera config`. */
  sources: Partial<Record<SettingName, 'flag' | 'env' | 'file'>>;
  /**
   * The config file's `legacy` object, validated (server/legacy-config.ts): how to adopt an old app's
   * sessions. Its key is a KeyObject, so printing the configuration never shows the old secret.
   */
  legacy?: { options: LegacyOptions; warnings: LegacyConfigWarning[] };
};

/**
 * Resolves configuration from flags, then environment, then `tessera.config.{json,js,mjs}`, then defaults;
 * validates it; applies development defaults; and in production refuses what would break users later.
 *
 * @example
 * ```ts
 * const config = await resolveConfig({ flags: { port: '9000' }, env: process.env, cwd: process.cwd() });
 * ```
 */
export async function resolveConfig(input: {
  flags: Partial<Record<string, unknown>>;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Promise<ServerConfig> {
  const file = await readConfigFile(input.cwd);
  const merged: Record<string, unknown> = {};
  const sources: ServerConfig['sources'] = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const envName =
      name === 'port'
        ? 'PORT'
        : name === 'database-url'
          ? 'DATABASE_URL'
          : `TESSERA_${name.toUpperCase().replace(/-/g, '_')}`;
    const fromEnv =
      input.env[envName] ?? input.env[`TESSERA_${name.toUpperCase().replace(/-/g, '_')}`];
    const picked =
      input.flags[name] !== undefined
        ? ['flag', input.flags[name]]
        : fromEnv !== undefined
          ? ['env', fromEnv]
          : file[name] !== undefined
            ? ['file', file[name]]
            : undefined;
    if (picked !== undefined) {
      merged[name] = picked[1];
      sources[name] = picked[0] as 'flag' | 'env' | 'file';
    }
  }
  if (merged.production === undefined && input.env.NODE_ENV === 'production')
    merged.production = true;
  // `legacy` is an object (and may hold a function), so it lives in the config file only.
  const unknown = Object.keys(file).filter((key) => !(key in SETTINGS) && key !== 'legacy');
  if (unknown.length > 0)
    throw new TesseraError(
      'CONFIG_INVALID',
      `tessera.config has unknown settings: ${unknown.join(', ')}.`,
    );
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TesseraError(
      'CONFIG_INVALID',
      `Setting --${issue?.path.join('.') ?? '?'} is invalid: ${issue?.message ?? 'invalid'}.`,
    );
  }
  const config = parsed.data;
  if (config.production) assertProductionReady(config, input.env);
  const issuer = config.issuer ?? `http://localhost:${config.port}`;
  const origins =
    config['allowed-origins'].length > 0 ? config['allowed-origins'] : [new URL(issuer).origin];
  return {
    ...config,
    // A development server is for this machine: other users on the network must not reach its
    // demo, its open signup or its unsealed development keys. Containers set production (or --host).
    host: config.host ?? (config.production ? '0.0.0.0' : '127.0.0.1'),
    // A production server is the operator's: no demo page and no open sign-up unless asked for.
    signup: config.signup ?? !config.production,
    demo: config.demo ?? !config.production,
    'refresh-rate-limit': refreshRateLimit(config),
    issuer,
    audience: config.audience ?? 'tessera',
    'allowed-origins': origins,
    'public-url': config['public-url'] ?? origins[0] ?? issuer,
    keySecret: input.env.TESSERA_KEY_SECRET,
    keySecretPrevious: input.env.TESSERA_KEY_SECRET_PREVIOUS,
    sources,
    ...(file.legacy === undefined ? {} : { legacy: parseLegacyConfig(file.legacy) }),
  };
}

// The per-session rotation budget: as configured, or derived from the access lifetime so that the
// shipped client, refreshing about once per lifetime, stays well under it.
function refreshRateLimit(config: z.output<typeof schema>): number {
  const ttl = config['access-ttl'];
  const configured = config['refresh-rate-limit'];
  if (configured === undefined) return defaultRotationsPerMinute(ttl);
  const needed = clientRotationsPerMinute(ttl);
  if (configured < needed)
    throw new TesseraError(
      'CONFIG_INVALID',
      `Setting --refresh-rate-limit is invalid: ${configured} a minute is below the ${needed} refreshes a minute a client makes at --access-ttl ${ttl}s; raise it or lengthen the access lifetime.`,
      { setting: 'refresh-rate-limit' },
    );
  return configured;
}

function assertProductionReady(config: z.output<typeof schema>, env: NodeJS.ProcessEnv): void {
  const problems: string[] = [];
  if (config.issuer === undefined)
    problems.push('set --issuer (TESSERA_ISSUER) to the public URL of this server');
  if (config.audience === undefined)
    problems.push('set --audience (TESSERA_AUDIENCE) to the API the tokens are for');
  if (env.TESSERA_KEY_SECRET === undefined || Buffer.byteLength(env.TESSERA_KEY_SECRET) < 32)
    problems.push('set TESSERA_KEY_SECRET to 32+ random bytes to seal the stored signing keys');
  if (config['access-ttl'] > 3600 && !config['allow-long-access-ttl'])
    problems.push(
      '--access-ttl is over 1h: revocation takes that long to reach stateless APIs; lower it or pass --allow-long-access-ttl',
    );
  if (config['allowed-origins'].length === 0)
    problems.push('set --allowed-origins to the browser origins of your app');
  // Mail links go to people's inboxes: their base is never guessed in production.
  if (config['smtp-url'] !== undefined && config['public-url'] === undefined)
    problems.push('set --public-url (TESSERA_PUBLIC_URL) to the app URL mail links should open');
  if (config['smtp-url'] !== undefined && config['mail-from'] === undefined)
    problems.push('set --mail-from (TESSERA_MAIL_FROM) to the address mail is sent from');
  if (problems.length > 0)
    throw new TesseraError(
      'CONFIG_INVALID',
      `Production mode refuses to start:\n  - ${problems.join('\n  - ')}`,
    );
}

async function readConfigFile(cwd: string): Promise<Record<string, unknown>> {
  for (const name of [
    'tessera.config.json',
    'tessera.config.js',
    'tessera.config.mjs',
    'tessera.config.ts',
  ]) {
    const path = resolve(cwd, name);
    if (!existsSync(path)) continue;
    if (name.endsWith('.ts'))
      throw new TesseraError(
        'CONFIG_INVALID',
        'tessera.config.ts needs a TypeScript loader; on Node 20 rename it to tessera.config.mjs (same content without types).',
      );
    try {
      const value: unknown = name.endsWith('.json')
        ? JSON.parse(await readFile(path, 'utf8'))
        : ((await import(pathToFileURL(path).href)) as { default: unknown }).default;
      if (typeof value !== 'object' || value === null) throw new Error('not an object');
      return value as Record<string, unknown>;
    } catch (error) {
      throw new TesseraError(
        'CONFIG_INVALID',
        `${name} could not be read: ${error instanceof Error ? error.message : 'unknown error'}.`,
      );
    }
  }
  return {};
}
