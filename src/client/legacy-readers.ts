/**
 * Readers for where an old app kept its JWT (issue 14): a token under a key (`localStorage.token`,
 * `accessToken`), or inside a stored JSON object (`localStorage.user` holding
 * `{"accessToken": ..., "refreshToken": ...}`). Each reads without throwing (malformed JSON, a blocked
 * storage or a non-string value read as nothing) and removes only the old app's copies.
 */

/** Where `adoptLegacy` finds the old app's token, and how it removes the old copies afterwards. */
export interface LegacyTokenSource {
  /** The legacy JWT, or null when there is none. */
  read(): string | null | Promise<string | null>;
  /** Removes every copy of the old app's tokens (called once the exchange answered, either way). */
  remove(): void | Promise<void>;
}

/** The part of `localStorage` (or `sessionStorage`, or an adapter) a reader uses. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

// Sandboxed frames and some privacy modes throw on any storage access: that is "nothing stored".
function attempt<T>(work: () => T, fallback: T): T {
  try {
    return work();
  } catch {
    return fallback;
  }
}

const asToken = (value: unknown): string | null =>
  typeof value === 'string' && value.length > 0 ? value.replace(/^Bearer\s+/i, '') : null;

/**
 * A token stored as the whole value of a key, as `localStorage.setItem('token', jwt)` left it. `remove`
 * deletes that key and the `alsoRemove` keys (the old refresh token), nothing else.
 *
 * @example
 * ```ts
 * const source = legacyTokenAt(localStorage, 'accessToken', { alsoRemove: ['refreshToken'] });
 * ```
 */
export function legacyTokenAt(
  storage: KeyValueStorage,
  key: string,
  options: { readonly alsoRemove?: readonly string[] } = {},
): LegacyTokenSource {
  return {
    read: () => attempt(() => asToken(storage.getItem(key)), null),
    remove() {
      for (const name of [key, ...(options.alsoRemove ?? [])])
        attempt(() => storage.removeItem(name), undefined);
    },
  };
}

/**
 * A token inside a JSON object stored under a key: `path` is `key.field[.field...]`, e.g.
 * `user.accessToken`. `remove` deletes that field and the `alsoRemove` fields of the same object (by
 * default `refreshToken` and `refresh_token`), keeping the object's other fields (the user's name),
 * and deletes the key only when nothing else is left. Malformed JSON reads as nothing and is left alone.
 *
 * @example
 * ```ts
 * const source = legacyTokenInJson(localStorage, 'user.accessToken');
 * ```
 */
export function legacyTokenInJson(
  storage: KeyValueStorage,
  path: string,
  options: { readonly alsoRemove?: readonly string[] } = {},
): LegacyTokenSource {
  const [key = '', ...fields] = path.split('.');
  const field = fields.pop() ?? '';
  const siblings = options.alsoRemove ?? ['refreshToken', 'refresh_token'];
  const parse = (): Record<string, unknown> | undefined => {
    const text = attempt(() => storage.getItem(key), null);
    if (text === null) return undefined;
    const value = attempt((): unknown => JSON.parse(text), undefined);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  };
  const holder = (root: Record<string, unknown>): Record<string, unknown> | undefined => {
    let node: unknown = root;
    for (const step of fields)
      node =
        typeof node === 'object' && node !== null
          ? (node as Record<string, unknown>)[step]
          : undefined;
    return typeof node === 'object' && node !== null
      ? (node as Record<string, unknown>)
      : undefined;
  };
  return {
    read() {
      const root = parse();
      return root === undefined ? null : asToken(holder(root)?.[field]);
    },
    remove() {
      const root = parse();
      const object = root === undefined ? undefined : holder(root);
      // Only an object that holds the token is the old app's copy; anything else is left as found.
      if (root === undefined || object === undefined || asToken(object[field]) === null) return;
      for (const name of [field, ...siblings]) delete object[name];
      attempt(
        () =>
          Object.keys(root).length === 0
            ? storage.removeItem(key)
            : storage.setItem(key, JSON.stringify(root)),
        undefined,
      );
    },
  };
}

/**
 * Several places at once (an app that moved its token between releases): reads the first that has a
 * token, removes them all.
 *
 * @example
 * ```ts
 * const source = anyLegacyToken(legacyTokenAt(localStorage, 'token'), legacyTokenInJson(localStorage, 'user.accessToken'));
 * ```
 */
export function anyLegacyToken(...sources: readonly LegacyTokenSource[]): LegacyTokenSource {
  return {
    async read() {
      for (const source of sources) {
        const token = await source.read();
        if (token !== null) return token;
      }
      return null;
    },
    async remove() {
      for (const source of sources) await source.remove();
    },
  };
}
