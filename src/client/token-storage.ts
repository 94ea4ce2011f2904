/**
 * Where a native app keeps its refresh token (body transport). Browsers never use one: there the refresh
 * token lives in the server's httpOnly cookie. Values may be awaited or returned directly.
 *
 * Platform keychains plug in with a few lines:
 * ```ts
 * // React Native, react-native-keychain
 * import * as Keychain from 'react-native-keychain';
 * const keychain: TokenStorage = {
 *   get: async () => { const c = await Keychain.getGenericPassword({ service: 'tessera' }); return c ? c.password : null; },
 *   set: async (token) => { await Keychain.setGenericPassword('refresh', token, { service: 'tessera', accessible: Keychain.ACCESSIBLE.AFTER_FIRST_UNLOCK_THIS_DEVICE_ONLY }); },
 *   remove: async () => { await Keychain.resetGenericPassword({ service: 'tessera' }); },
 * };
 * // Expo, expo-secure-store
 * import * as SecureStore from 'expo-secure-store';
 * const secure: TokenStorage = {
 *   get: () => SecureStore.getItemAsync('tessera_rt'),
 *   set: (token) => SecureStore.setItemAsync('tessera_rt', token),
 *   remove: () => SecureStore.deleteItemAsync('tessera_rt'),
 * };
 * ```
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl, transport: 'body', storage: keychain });
 * ```
 */
export interface TokenStorage {
  get(): Promise<string | null> | string | null;
  set(token: string): Promise<void> | void;
  remove(): Promise<void> | void;
}

/**
 * Keeps the refresh token in memory: gone when the process ends (tests, CLIs, short jobs).
 *
 * @example
 * ```ts
 * const client = createAuthClient({ baseUrl, transport: 'body', storage: createMemoryStorage() });
 * ```
 */
export function createMemoryStorage(): TokenStorage {
  let value: string | null = null;
  return {
    get: () => value,
    set: (token) => {
      value = token;
    },
    remove: () => {
      value = null;
    },
  };
}
