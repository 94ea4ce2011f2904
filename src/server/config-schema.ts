import { z } from 'zod';
import { DEFAULT_ALGORITHM, PUBLISHABLE_ALGORITHMS } from '../jwa/algorithms.js';
import { MAX_LEEWAY_SECONDS } from '../jwt/time-options.js';
import { MAX_ROTATIONS_PER_MINUTE } from '../sessions/rotation-limit.js';
import { MAX_GRACE_SECONDS } from '../sessions/session-options.js';
import { POSTGRES_POOLERS } from '../store/postgres/postgres-pooler.js';
import { parseDuration } from './durations.js';

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

/**
 * The zod schema of every setting in `SETTINGS`: types, bounds and the defaults that need nothing
 * else; `resolveConfig` applies the defaults that follow other settings.
 *
 * @example
 * ```ts
 * import { CONFIG_SCHEMA } from './config-schema.js';
 *
 * const parsed = CONFIG_SCHEMA.safeParse({ port: '9000' });
 * console.log(parsed.success && parsed.data.port); // 9000
 * ```
 */
export const CONFIG_SCHEMA = z.strictObject({
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

/**
 * The configuration as the schema parses it, before development defaults.
 *
 * @example
 * ```ts
 * import { CONFIG_SCHEMA, type ParsedConfig } from './config-schema.js';
 *
 * const parsed: ParsedConfig = CONFIG_SCHEMA.parse({});
 * ```
 */
export type ParsedConfig = z.output<typeof CONFIG_SCHEMA>;
