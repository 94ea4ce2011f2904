// The device cookie attacked directly: each forgery is built here and must prove nothing (and throw
// nothing). What a genuine one proves: this browser signed in to this account, within 180 days.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DEVICE_ACCOUNTS,
  DEVICE_PROOF_SECONDS,
  createDeviceProof,
  serializeDeviceCookie,
} from '../../src/http/device-cookie.js';

const SECRET = 'k'.repeat(32);
const NOW = 1_800_000_000_000;

describe('the device cookie', () => {
  const devices = createDeviceProof({ secret: SECRET });
  const cookie = devices.renew(undefined, 'ada@example.com', NOW);
  const [id, entry] = cookie.split('.') as [string, string];

  it('proves its browser for its account, and for no other', () => {
    expect(devices.provenDevice(cookie, 'ada@example.com', NOW + 1000)).toBe(id);
    expect(devices.provenDevice(cookie, 'bob@example.com', NOW)).toBeUndefined();
    expect(devices.provenDevice(cookie, 'ADA@example.com', NOW)).toBeUndefined();
  });

  it('proves nothing under another server secret, or with a random per-process key', () => {
    expect(
      createDeviceProof({ secret: 'x'.repeat(32) }).provenDevice(cookie, 'ada@example.com', NOW),
    ).toBeUndefined();
    expect(createDeviceProof({}).provenDevice(cookie, 'ada@example.com', NOW)).toBeUndefined();
    expect(createDeviceProof({ secret: SECRET }).provenDevice(cookie, 'ada@example.com', NOW)).toBe(
      id,
    );
  });

  it('refuses forgeries: a changed tag, id or time, a MAC keyed with the raw secret, junk', () => {
    const [issued, tag] = entry.split('~') as [string, string];
    const rawKeyTag = createHmac('sha256', SECRET)
      .update(`${id}\n${parseInt(issued, 36)}\nada@example.com`)
      .digest('base64url')
      .slice(0, 22);
    const forgeries = [
      `${id}.${issued}~${tag.slice(0, 21)}${tag.endsWith('A') ? 'B' : 'A'}`,
      `${id.slice(0, 21)}${id.endsWith('A') ? 'B' : 'A'}.${entry}`,
      `${id}.${(parseInt(issued, 36) + 1).toString(36)}~${tag}`,
      `${id}.${issued}~${rawKeyTag}`,
      `${id}.${issued}~${tag}.${issued}~${tag}.${issued}~${tag}.${issued}~${tag}.${issued}~${tag}`,
      `${id}`,
      `${id}.`,
      `${id}.${entry}.`,
      `${id}.${entry}x`,
      '',
      'x'.repeat(10_000),
      undefined,
    ];
    for (const forged of forgeries)
      expect(devices.provenDevice(forged, 'ada@example.com', NOW), String(forged)).toBeUndefined();
  });

  it('expires 180 days after the login that issued it, and refuses one issued in the future', () => {
    expect(
      devices.provenDevice(cookie, 'ada@example.com', NOW + DEVICE_PROOF_SECONDS * 1000 - 1000),
    ).toBe(id);
    expect(
      devices.provenDevice(cookie, 'ada@example.com', NOW + DEVICE_PROOF_SECONDS * 1000),
    ).toBeUndefined();
    const future = devices.renew(undefined, 'ada@example.com', NOW + 3600_000);
    expect(devices.provenDevice(future, 'ada@example.com', NOW)).toBeUndefined();
  });

  it('remembers the last four accounts of one browser under one device id', () => {
    let value = cookie;
    for (const account of ['b@x.test', 'c@x.test', 'd@x.test'])
      value = devices.renew(value, account, NOW + 1000);
    expect(value.split('.')[0]).toBe(id);
    for (const account of ['ada@example.com', 'b@x.test', 'c@x.test', 'd@x.test'])
      expect(devices.provenDevice(value, account, NOW + 2000), account).toBe(id);
    value = devices.renew(value, 'e@x.test', NOW + 3000);
    expect(value.split('.')).toHaveLength(1 + DEVICE_ACCOUNTS);
    expect(devices.provenDevice(value, 'ada@example.com', NOW + 4000)).toBeUndefined();
    // Renewing an account already there replaces its entry instead of adding one.
    expect(devices.renew(value, 'e@x.test', NOW + 5000).split('.')).toHaveLength(
      1 + DEVICE_ACCOUNTS,
    );
  });

  it('is set __Host-, HttpOnly, Secure, with Max-Age', () => {
    expect(serializeDeviceCookie(cookie, 'None')).toBe(
      `__Host-tessera_device=${cookie}; Path=/; Max-Age=${DEVICE_PROOF_SECONDS}; HttpOnly; Secure; SameSite=None`,
    );
  });
});
