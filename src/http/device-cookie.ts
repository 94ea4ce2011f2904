import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { DEVICE_COOKIE } from '../wire/names.js';

/**
 * The device cookie: `<device id>.<entry>[.<entry>…]`, one entry per account this browser signed in
 * to (newest first, at most {@link DEVICE_ACCOUNTS}), each `<issued at, base 36 s>~<tag>` with the tag
 * an HMAC-SHA-256 (128 bits kept) over the device id, the issue time and the normalised email. It is
 * stateless on purpose: nothing to store, migrate or sweep, and every node that shares the server
 * secret checks it alike. What it proves is only "this browser signed in to this account before"; a
 * missing, tampered, expired or other-account cookie proves nothing and is otherwise ignored.
 */

/** How long an entry proves its device: 180 days from the login that issued it (each login renews it). */
export const DEVICE_PROOF_SECONDS = 180 * 86_400;

/** How many accounts one browser's cookie remembers. */
export const DEVICE_ACCOUNTS = 4;

/** Checks and issues device cookies with one MAC key. */
export interface DeviceProof {
  /** The device id when `cookie` proves a login to `account` within the proof lifetime; else undefined. */
  provenDevice(cookie: string | undefined, account: string, now: number): string | undefined;
  /** The cookie value after a successful login to `account`: its entry renewed, other live ones kept. */
  renew(cookie: string | undefined, account: string, now: number): string;
}

const ID = /^[A-Za-z0-9_-]{22}$/;
const ENTRY = /^([0-9a-z]{1,9})~([A-Za-z0-9_-]{22})$/;

interface ParsedCookie {
  readonly deviceId: string;
  readonly entries: readonly { issued: number; tag: string; text: string }[];
}

function parse(cookie: string | undefined): ParsedCookie | undefined {
  if (cookie === undefined || cookie.length > 512) return undefined;
  const [deviceId, ...rest] = cookie.split('.');
  if (deviceId === undefined || !ID.test(deviceId) || rest.length > DEVICE_ACCOUNTS)
    return undefined;
  const entries = [];
  for (const text of rest) {
    const match = ENTRY.exec(text);
    if (match === null) return undefined;
    entries.push({ issued: parseInt(match[1] as string, 36), tag: match[2] as string, text });
  }
  return { deviceId, entries };
}

/**
 * Creates the device proof. The MAC key is derived (HKDF-SHA-256, its own label) from the server
 * secret the deployment already has (`TESSERA_KEY_SECRET`, required in production), so no new setting
 * is needed and the key is never the sealing key itself. Without a secret (development) the key is
 * random per process: device cookies then last until a restart, which only means an ordinary login.
 *
 * @example
 * ```ts
 * const devices = createDeviceProof({ secret: process.env.TESSERA_KEY_SECRET });
 * const cookie = devices.renew(undefined, 'ada@example.com', Date.now());
 * devices.provenDevice(cookie, 'ada@example.com', Date.now()); // the device id
 * ```
 */
export function createDeviceProof(options: { secret?: string | undefined }): DeviceProof {
  const key =
    options.secret === undefined || options.secret === ''
      ? randomBytes(32)
      : Buffer.from(hkdfSync('sha256', options.secret, 'tessera', 'tessera device cookie v1', 32));
  const tagOf = (deviceId: string, issued: number, account: string): string =>
    createHmac('sha256', key)
      .update(`${deviceId}\n${issued}\n${account}`)
      .digest('base64url')
      .slice(0, 22);
  const live = (issued: number, now: number): boolean =>
    issued * 1000 <= now + 300_000 && now < (issued + DEVICE_PROOF_SECONDS) * 1000;
  const proves = (
    deviceId: string,
    entry: ParsedCookie['entries'][number],
    account: string,
    now: number,
  ): boolean =>
    live(entry.issued, now) &&
    timingSafeEqual(Buffer.from(entry.tag), Buffer.from(tagOf(deviceId, entry.issued, account)));

  return {
    provenDevice(cookie, account, now) {
      const parsed = parse(cookie);
      if (parsed === undefined) return undefined;
      return parsed.entries.some((entry) => proves(parsed.deviceId, entry, account, now))
        ? parsed.deviceId
        : undefined;
    },
    renew(cookie, account, now) {
      const parsed = parse(cookie);
      const deviceId = parsed?.deviceId ?? randomBytes(16).toString('base64url');
      const issued = Math.floor(now / 1000);
      // Other accounts' entries cannot be checked without their emails; they are kept while young enough.
      const others = (parsed?.entries ?? []).filter(
        (entry) => live(entry.issued, now) && !proves(deviceId, entry, account, now),
      );
      const fresh = `${issued.toString(36)}~${tagOf(deviceId, issued, account)}`;
      return [deviceId, fresh, ...others.slice(0, DEVICE_ACCOUNTS - 1).map((e) => e.text)].join(
        '.',
      );
    },
  };
}

/**
 * The Set-Cookie value of the device cookie: `__Host-` (so Secure, `Path=/`, no Domain), HttpOnly,
 * the refresh cookie's SameSite, `Max-Age` as long as an entry proves.
 *
 * @example
 * ```ts
 * headers.append('set-cookie', serializeDeviceCookie(devices.renew(undefined, email, Date.now()), 'Lax'));
 * ```
 */
export function serializeDeviceCookie(value: string, sameSite: 'Lax' | 'Strict' | 'None'): string {
  return `${DEVICE_COOKIE}=${value}; Path=/; Max-Age=${DEVICE_PROOF_SECONDS}; HttpOnly; Secure; SameSite=${sameSite}`;
}
