import { TesseraError } from '../errors/tessera-error.js';
import { assertProductionReady, refreshRateLimit } from './config-checks.js';
import { readConfigFile } from './config-file.js';
import type { ParsedConfig } from './config-schema.js';
import { quickParseConfig } from './config-quick-parse.js';
import type { LegacyConfigWarning } from './legacy-config.js';
import { SETTINGS, type SettingName } from './settings.js';
import type { LegacyOptions } from '../sessions/legacy-options.js';

export { SETTINGS, type SettingName };

/** The validated configuration with development defaults applied. */
export type ServerConfig = Omit<
  ParsedConfig,
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
  const config = quickParseConfig(merged) ?? (await parseWithSchema(merged));
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
    // Only a config file with `legacy` loads its parser (and the key handling behind it).
    ...(file.legacy === undefined
      ? {}
      : { legacy: (await import('./legacy-config.js')).parseLegacyConfig(file.legacy) }),
  };
}

// zod loads only for a configuration the quick reader declines: it judges it and words the refusal.
async function parseWithSchema(merged: Record<string, unknown>): Promise<ParsedConfig> {
  const { CONFIG_SCHEMA } = await import('./config-schema.js');
  const parsed = CONFIG_SCHEMA.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TesseraError(
      'CONFIG_INVALID',
      `Setting --${issue?.path.join('.') ?? '?'} is invalid: ${issue?.message ?? 'invalid'}.`,
    );
  }
  return parsed.data;
}
