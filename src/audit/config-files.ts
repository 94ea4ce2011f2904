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
