// Login limits attacked over HTTP, against a real server on SQLite and on PostgreSQL (trust-proxy on, so
// the attacker's addresses are X-Forwarded-For values). Before: limits per email-and-address only, so
// 30 wrong passwords from 3 addresses drew no 429 and the right one succeeded straight after; every
// spelling of one address and every address of an IPv6 /64 got its own limit.
import { describe, expect, it } from 'vitest';
import { expectProblem, type Client } from './support/client.js';
import { useListeningServer } from './support/listening-server.js';
import { freshEmail, freshIp, type TestServer } from './support/server-kit.js';

const PASSWORD = 'correct horse battery';
const DEVICE = '__Host-tessera_device';

function deviceCookieOf(response: Response): string {
  for (const line of response.headers.getSetCookie()) {
    const match = /^__Host-tessera_device=([^;]*)/.exec(line);
    if (match !== null) return match[1] as string;
  }
  throw new Error('no device cookie was set');
}

let prefix = 0;
/** A /64 no other test uses, as its first four groups. */
function freshPrefix(): string {
  prefix++;
  return `2001:db8:${(process.pid & 0xffff).toString(16)}:${prefix.toString(16)}`;
}

describe.each(['sqlite', 'postgres'] as const)('login limits on %s over HTTP', (kind) => {
  let test: TestServer;
  let client: Client;
  useListeningServer(kind, 'login', (started) => ({ test, client } = started));

  const login = (
    email: string,
    password: string,
    options: { ip?: string; device?: string } = {},
  ): Promise<Response> =>
    client.call('/auth/login', {
      json: { email, password },
      headers: options.device === undefined ? {} : { cookie: `${DEVICE}=${options.device}` },
      ip: options.ip ?? freshIp(),
    });

  /** Signs a fresh account up and returns it with the device cookie the signup set. */
  async function account(): Promise<{ email: string; device: string }> {
    const email = freshEmail('victim');
    const response = await client.call('/auth/signup', {
      json: { email, password: PASSWORD },
      ip: freshIp(),
    });
    expect(response.status).toBe(201);
    return { email, device: deviceCookieOf(response) };
  }

  async function expectAccountLimited(response: Response): Promise<number> {
    const retryAfter = Number(response.headers.get('retry-after'));
    const body = await expectProblem(response, 429, 'RATE_LIMITED');
    expect(body.facts).toMatchObject({ limit: 'account', retryAfterSeconds: retryAfter });
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    return retryAfter;
  }

  it('sets a __Host- device cookie, HttpOnly, Secure, long-lived, on signup and login', async () => {
    const victim = await account();
    const response = await login(victim.email, PASSWORD);
    expect(response.status).toBe(200);
    const line = response.headers.getSetCookie().find((l) => l.startsWith(`${DEVICE}=`));
    expect(line).toMatch(
      /^__Host-tessera_device=[A-Za-z0-9_.~-]+; Path=\/; Max-Age=15552000; HttpOnly; Secure; SameSite=Lax$/,
    );
    // A login from a browser that already has the cookie keeps its device id.
    const again = await login(victim.email, PASSWORD, { device: victim.device });
    expect(deviceCookieOf(again).split('.')[0]).toBe(victim.device.split('.')[0]);
    // A native (body-transport) answer carries the refresh token in the body and sets no cookie.
    const native = await client.call('/auth/login', {
      json: { email: victim.email, password: PASSWORD },
      headers: { 'token-transport': 'body' },
      ip: freshIp(),
    });
    expect(native.status).toBe(200);
    expect(native.headers.getSetCookie()).toEqual([]);
  });

  it.each([3, 30])(
    'answers 30 rapid wrong passwords from %i addresses with 429 after 5, and refuses the right one from a new browser',
    async (addressCount) => {
      test.setClock(test.now());
      try {
        const victim = await account();
        const addresses = Array.from({ length: addressCount }, () => freshIp());
        const statuses: number[] = [];
        for (let i = 0; i < 30; i++) {
          const response = await login(victim.email, `wrong guess ${i}`, {
            ip: addresses[i % addressCount],
          });
          statuses.push(response.status);
          if (response.status === 429) await expectAccountLimited(response);
          else await expectProblem(response, 401, 'CREDENTIALS_INVALID');
        }
        expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)]);
        // The right password from a browser that never signed in: refused like the guesses.
        await expectAccountLimited(await login(victim.email, PASSWORD));
        // From the owner's browser (its device cookie), from a fresh address: straight in.
        expect((await login(victim.email, PASSWORD, { device: victim.device })).status).toBe(200);
      } finally {
        test.setClock(undefined);
      }
    },
  );

  it('lets a guesser who waits out every delay make 30 guesses in hours, then holds a new browser 15 min', async () => {
    const start = test.now();
    let clock = start;
    test.setClock(clock);
    try {
      const victim = await account();
      const addresses = [freshIp(), freshIp(), freshIp()];
      for (let guess = 0; guess < 30;) {
        const response = await login(victim.email, `patient guess ${guess}`, {
          ip: addresses[guess % 3],
        });
        if (response.status === 429) {
          clock += (await expectAccountLimited(response)) * 1000;
          test.setClock(clock);
          continue;
        }
        await expectProblem(response, 401, 'CREDENTIALS_INVALID');
        guess++;
      }
      // 5 free guesses, then 1 + 2 + … + 512 s, then 15 min each: about four hours for 30 guesses.
      expect(clock - start).toBeGreaterThan(3.9 * 3600_000);
      const held = await expectAccountLimited(await login(victim.email, PASSWORD));
      expect(held).toBe(900);
      // The owner's browser is not held, and its success leaves the guessers' delay in place.
      expect((await login(victim.email, PASSWORD, { device: victim.device })).status).toBe(200);
      test.setClock((clock += (held - 1) * 1000));
      expect(await expectAccountLimited(await login(victim.email, PASSWORD))).toBe(1);
      test.setClock((clock += 1000));
      // Once the delay passed, a new browser gets in, and that success ends the streak.
      const success = await login(victim.email, PASSWORD);
      expect(success.status).toBe(200);
      for (let i = 0; i < 5; i++)
        await expectProblem(await login(victim.email, `typo ${i}`), 401, 'CREDENTIALS_INVALID');
      await expectAccountLimited(await login(victim.email, `typo 5`));
    } finally {
      test.setClock(undefined);
    }
  });

  it('ignores a tampered, foreign, malformed or doubled device cookie (the ordinary path, no error)', async () => {
    test.setClock(test.now());
    try {
      const victim = await account();
      const other = await account();
      for (let i = 0; i < 5; i++) await login(victim.email, `wrong ${i}`);
      await expectAccountLimited(await login(victim.email, PASSWORD));
      const [id, entry] = victim.device.split('.') as [string, string];
      const tag = entry.split('~')[1] as string;
      const flipped = `${tag.slice(0, 5)}${tag[5] === 'A' ? 'B' : 'A'}${tag.slice(6)}`;
      const forged = [
        `${id}.${entry.split('~')[0]}~${flipped}`, // one character of the MAC changed
        `${'A'.repeat(22)}.${entry}`, // the entry moved to another device id
        `${id}.${(parseInt(entry.split('~')[0] as string, 36) + 1).toString(36)}~${tag}`, // issued later
        other.device, // a genuine cookie, for another account
        'not-a-device-cookie',
        `${victim.device}.${'x'.repeat(600)}`,
      ];
      for (const device of forged)
        await expectAccountLimited(await login(victim.email, PASSWORD, { device }));
      // Two cookies of the name (one shadowing the other): neither is trusted.
      const doubled = await client.call('/auth/login', {
        json: { email: victim.email, password: PASSWORD },
        headers: { cookie: `${DEVICE}=${victim.device}; ${DEVICE}=${victim.device}` },
        ip: freshIp(),
      });
      await expectAccountLimited(doubled);
      // The genuine one still works, and the other account's cookie works for the other account.
      expect((await login(victim.email, PASSWORD, { device: victim.device })).status).toBe(200);
      expect((await login(other.email, PASSWORD, { device: other.device })).status).toBe(200);
    } finally {
      test.setClock(undefined);
    }
  });

  it('gives a proven browser 10 attempts in 15 min of its own, then the account delay', async () => {
    test.setClock(test.now());
    try {
      const victim = await account();
      for (let i = 0; i < 5; i++) await login(victim.email, `wrong ${i}`);
      await expectAccountLimited(await login(victim.email, PASSWORD));
      // Someone holding the owner's device cookie (not the password) is slowed by the device's own limit.
      for (let i = 0; i < 10; i++)
        await expectProblem(
          await login(victim.email, `device guess ${i}`, { device: victim.device }),
          401,
          'CREDENTIALS_INVALID',
        );
      await expectAccountLimited(await login(victim.email, PASSWORD, { device: victim.device }));
    } finally {
      test.setClock(undefined);
    }
  });

  it('delays an unknown email exactly like a known one', async () => {
    test.setClock(test.now());
    try {
      const victim = await account();
      const ghost = freshEmail('ghost');
      const shape = async (email: string): Promise<unknown[]> => {
        const seen: unknown[] = [];
        for (let i = 0; i < 7; i++) {
          const response = await login(email, `wrong ${i}`);
          const body = (await response.json()) as Record<string, unknown>;
          seen.push([response.status, response.headers.get('retry-after'), body.code, body.facts]);
        }
        return seen;
      };
      expect(await shape(ghost)).toEqual(await shape(victim.email));
    } finally {
      test.setClock(undefined);
    }
  });

  it('counts every address of one IPv6 /64, in any spelling, as one address', async () => {
    const net = freshPrefix();
    const spellings = (i: number): string => {
      const iid = `${((i * 7919) & 0xffff).toString(16)}:0:0:${i.toString(16)}`;
      const forms = [
        `${net}:${iid}`,
        `[${net.toUpperCase()}:${iid}]:${1024 + i}`,
        `${net}:${iid}%eth0`,
        `${net.replace('2001:db8', '2001:0db8')}:${iid.replace(':0:0:', '::')}`,
      ];
      return forms[i % forms.length] as string;
    };
    for (let i = 0; i < 60; i++)
      await expectProblem(
        await login(freshEmail('spray'), 'password123', { ip: spellings(i) }),
        401,
        'CREDENTIALS_INVALID',
      );
    const limited = await login(freshEmail('spray'), 'password123', { ip: `${net}::beef` });
    await expectProblem(limited, 429, 'RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The next /64 is another customer.
    const neighbour = await login(freshEmail('spray'), 'password123', {
      ip: `${freshPrefix()}::1`,
    });
    await expectProblem(neighbour, 401, 'CREDENTIALS_INVALID');
  });

  it('counts an IPv4 address and its IPv4-mapped spellings as one, and records it in one spelling', async () => {
    const ip = freshIp();
    const forms = [ip, `::ffff:${ip}`, `[::FFFF:${ip}]:443`, `${ip}:8080`, `0:0:0:0:0:ffff:${ip}`];
    for (let i = 0; i < 60; i++)
      await expectProblem(
        await login(freshEmail('spray'), 'password123', { ip: forms[i % forms.length] }),
        401,
        'CREDENTIALS_INVALID',
      );
    await expectProblem(
      await login(freshEmail('spray'), 'password123', { ip: `::ffff:${ip}` }),
      429,
      'RATE_LIMITED',
    );
    const signedIn = await client.signup({ ip: `[::ffff:${freshIp()}]:5000` });
    const listed = await client.call('/auth/sessions', { bearer: signedIn.accessToken });
    const { sessions } = (await listed.json()) as { sessions: { ip: string }[] };
    expect(sessions[0]?.ip).toMatch(/^10\.\d+\.\d+\.\d+$/);
  });
});
