/**
 * What one file cannot see but the project shows: whether refresh tokens exist anywhere, and which
 * storage keys hold an object with a token in it (`setItem('user', JSON.stringify(response.data))`
 * is a token write when another module reads `JSON.parse(localStorage.getItem('user')).accessToken`).
 * Gathered from the text of every source file before the rules run, and handed to them as ESLint
 * `settings.tessera`.
 */

/** Facts about the whole project that rules read from `context.settings.tessera`. */
export interface ProjectFacts {
  readonly usesRefreshTokens: boolean;
  /** Web storage keys whose parsed value is read for a token field somewhere in the project. */
  readonly tokenStorageKeys: readonly string[];
}

const REFRESH = /refresh[_-]?token|refreshtoken|\/refresh\b|grant_type['"]?\s*[:=]\s*['"]refresh/i;
const GET_ITEM = /getItem\(\s*(['"`])([\w.:-]+)\1\s*\)/g;
const TOKEN_FIELD =
  /\.\s*(accessToken|refreshToken|access_token|refresh_token|token|jwt|idToken)\b/;
// How far after the read the token field may be taken: the same statement or the next few.
const WINDOW = 400;

/**
 * Gathers {@link ProjectFacts} from the project's source texts. Pure.
 *
 * @example
 * ```ts
 * gatherProjectFacts(["const u = JSON.parse(localStorage.getItem('user')); send(u.accessToken);"]);
 * // { usesRefreshTokens: false, tokenStorageKeys: ['user'] }
 * ```
 */
export function gatherProjectFacts(texts: Iterable<string>): ProjectFacts {
  let usesRefreshTokens = false;
  const keys = new Set<string>();
  for (const text of texts) {
    if (!usesRefreshTokens && REFRESH.test(text)) usesRefreshTokens = true;
    for (const match of text.matchAll(GET_ITEM)) {
      const after = text.slice(
        match.index + match[0].length,
        match.index + match[0].length + WINDOW,
      );
      if (TOKEN_FIELD.test(after)) keys.add(match[2]!);
    }
  }
  return { usesRefreshTokens, tokenStorageKeys: [...keys].sort() };
}

/**
 * Reads the facts back inside a rule, with safe defaults when the rule runs as a plain ESLint plugin.
 *
 * @example
 * ```ts
 * const facts = readProjectFacts(context.settings); // { usesRefreshTokens: true, ... }
 * ```
 */
export function readProjectFacts(
  settings: Record<string, unknown> | undefined,
): ProjectFacts | undefined {
  const value = settings?.['tessera'];
  if (typeof value !== 'object' || value === null) return undefined;
  const facts = value as Partial<ProjectFacts>;
  return {
    usesRefreshTokens: facts.usesRefreshTokens === true,
    tokenStorageKeys: Array.isArray(facts.tokenStorageKeys) ? facts.tokenStorageKeys : [],
  };
}
