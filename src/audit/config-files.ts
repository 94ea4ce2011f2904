/**
 * Secrets kept outside the code: `.env` files committed to the repository, `.env.example` templates
 * people copy as they are, JSON config and `config.ts.example`-style templates. ESLint never sees
 * these files, so the audit reads them itself, line by line, and reports under `no-hardcoded-secret`.
 */

/** One committed secret: where it is and which variable holds it, never its value. */
export interface ConfigSecret {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly name: string;
  readonly template: boolean;
}

/** Files worth reading: env files and templates, JSON config, and source templates. */
const ENV_FILE = /(^|\/)\.env([._-][\w.-]*)?$|(^|\/)[\w.-]*\.env$/i;
const TEST_ENV = /(^|\/)\.env[._-](test|testing|ci|e2e|spec)$/i;
const JSON_CONFIG = /(^|\/)(config|default|production|settings|secrets?|auth)[\w.-]*\.json$/i;
const SOURCE_TEMPLATE = /\.(js|ts|mjs|cjs)\.(example|sample|template|dist)$/i;
const TEMPLATE = /example|sample|template|dist/i;

// The names signing secrets go by, in env files (JWT_SECRET) and config keys (jwtSecret, "secret").
const SECRET_VAR =
  /^(?:[A-Z0-9]+_)*(?:JWT|TOKEN|ACCESS_TOKEN|REFRESH_TOKEN|AUTH|SESSION|SIGNING|APP)_(?:SECRET|KEY|SECRET_KEY)$|^(?:JWT_|NEXTAUTH_|AUTH_)?SECRET(?:_KEY)?$/;
const SECRET_KEY =
  /^(jwt[_-]?)?(signing[_-]?|token[_-]?|access[_-]?(token[_-]?)?|refresh[_-]?(token[_-]?)?|app[_-]?|session[_-]?)?(secret|secret[_-]?key)$|^(jwt|signing)[_-]?key$/i;
// Values that only say "put yours here": an empty value, a variable reference, a bracketed slot.
const PLACEHOLDER = /^$|^\$\{?\w+\}?$|^<[^>]*>$|^\[[^\]]*\]$|^\.\.\.$|^x+$/i;

/**
 * Tells whether the audit reads a file for committed secrets.
 *
 * @example
 * ```ts
 * isConfigFile('.env.example'); // true
 * isConfigFile('src/index.ts'); // false
 * ```
 */
export function isConfigFile(file: string): boolean {
  if (TEST_ENV.test(file)) return false;
  return ENV_FILE.test(file) || JSON_CONFIG.test(file) || SOURCE_TEMPLATE.test(file);
}

/**
 * Finds the signing secrets a config file spells out. Pure: give it the path and the text.
 *
 * @example
 * ```ts
 * scanConfigText('.env.example', 'JWT_SECRET=abc123\n'); // [{ file: '.env.example', line: 1, name: 'JWT_SECRET', ... }]
 * ```
 */
export function scanConfigText(file: string, text: string): ConfigSecret[] {
  const template = TEMPLATE.test(file.split('/').pop() ?? '');
  const found: ConfigSecret[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const hit = ENV_FILE.test(file) ? readEnvLine(line) : readKeyedLine(line);
    if (hit && !PLACEHOLDER.test(hit.value.trim()))
      found.push({ file, line: i + 1, column: hit.column, name: hit.name, template });
  });
  return found;
}

function readEnvLine(line: string): { name: string; value: string; column: number } | undefined {
  const match = /^\s*(?:export\s+)?([A-Za-z_][\w]*)\s*=\s*(.*)$/.exec(line);
  if (!match || !SECRET_VAR.test(match[1]!.toUpperCase())) return undefined;
  // `AUTH_SECRET= # generate one` is an empty value followed by a comment.
  let value = match[2]!.trim().replace(/^#.*$/, '');
  const quoted = /^(['"`])(.*)\1/.exec(value);
  value = quoted ? quoted[2]! : value.replace(/\s+#.*$/, '').trim();
  return { name: match[1]!, value, column: line.indexOf(match[1]!) + 1 };
}

// `"secret": "..."` in JSON, `secret: '...'` / `export const SECRET = '...'` in a source template.
function readKeyedLine(line: string): { name: string; value: string; column: number } | undefined {
  const match =
    /^\s*(?:export\s+)?(?:const\s+|let\s+|var\s+)?["']?([A-Za-z_][\w-]*)["']?\s*[:=]\s*(["'`])(.*?)\2/.exec(
      line,
    );
  if (!match) return undefined;
  const name = match[1]!;
  if (!SECRET_KEY.test(name) && !SECRET_VAR.test(name.toUpperCase())) return undefined;
  return { name, value: match[3]!, column: line.indexOf(name) + 1 };
}

/** A token lifetime a config file sets over the limit, with the seconds it means. */
export interface ConfigLifetime {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly name: string;
  readonly kind: 'access' | 'refresh';
  readonly seconds: number;
}

const LIFETIME_NAME = /EXPIR|TTL|LIFETIME|MAX_AGE/;
const TOKEN_NAME = /JWT|TOKEN|ACCESS|REFRESH/;
const OTHER_TOKEN = /RESET|VERIF|EMAIL|INVITE|CONFIRM|OTP|MAGIC|ACTIVAT/;
const NAME_UNITS: readonly (readonly [RegExp, number])[] = [
  [/_(MS|MILLIS|MILLISECONDS)$/, 0.001],
  [/_(S|SEC|SECS|SECONDS)$/, 1],
  [/_(M|MIN|MINS|MINUTES)$/, 60],
  [/_(H|HOUR|HOURS)$/, 3600],
  [/_(D|DAY|DAYS)$/, 86_400],
];
const VALUE_UNITS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  sec: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  weeks: 604_800,
  y: 31_557_600,
  years: 31_557_600,
};
const MAX_SECONDS = { access: 3600, refresh: 30 * 86_400 } as const;

/**
 * Finds token lifetimes a config file sets beyond the limits of `max-token-lifetime` (access 1 h,
 * refresh 30 d): `JWT_EXPIRES_IN=30d`, `JWT_ACCESS_EXPIRATION_MINUTES=1440`, `"jwtExpiration": "7d"`.
 * A bare number with no unit in its name or value is ambiguous (seconds? milliseconds?) and skipped.
 *
 * @example
 * ```ts
 * scanConfigLifetimes('.env', 'JWT_EXPIRES_IN=30d\n'); // [{ name: 'JWT_EXPIRES_IN', kind: 'access', seconds: 2592000, ... }]
 * ```
 */
export function scanConfigLifetimes(file: string, text: string): ConfigLifetime[] {
  const found: ConfigLifetime[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const hit = ENV_FILE.test(file) ? readEnvPair(line) : readKeyedPair(line);
    if (!hit) return;
    const upper = hit.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
    const named = /^(JWT_)?EXPIRES_IN$/.test(upper) || TOKEN_NAME.test(upper);
    if (!LIFETIME_NAME.test(upper) || !named || OTHER_TOKEN.test(upper)) return;
    const seconds = readSeconds(upper, hit.value);
    const kind = /REFRESH/.test(upper) ? 'refresh' : 'access';
    if (seconds !== undefined && seconds > MAX_SECONDS[kind])
      found.push({ file, line: i + 1, column: hit.column, name: hit.name, kind, seconds });
  });
  return found;
}

function readSeconds(name: string, value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (unit !== '') {
    const factor = VALUE_UNITS[unit];
    return factor === undefined ? undefined : amount * factor;
  }
  const fromName = NAME_UNITS.find(([pattern]) => pattern.test(name));
  return fromName ? amount * fromName[1] : undefined;
}

function readEnvPair(line: string): { name: string; value: string; column: number } | undefined {
  const match = /^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=\s*(['"]?)([^'"#\s]*)\2/.exec(line);
  return match
    ? { name: match[1]!, value: match[3]!, column: line.indexOf(match[1]!) + 1 }
    : undefined;
}

function readKeyedPair(line: string): { name: string; value: string; column: number } | undefined {
  const match = /^\s*["']?([A-Za-z_][\w-]*)["']?\s*:\s*(["']?)([\w. ]+?)\2\s*,?\s*$/.exec(line);
  return match
    ? { name: match[1]!, value: match[3]!, column: line.indexOf(match[1]!) + 1 }
    : undefined;
}
