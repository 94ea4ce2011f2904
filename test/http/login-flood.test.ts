// A login flood must not starve refreshes, on SQLite and on PostgreSQL. Every argon2id verification
// holds a libuv thread-pool thread, and so does the WebCrypto signature of every refreshed access token;
// with no cap, 200 parallel logins queued 200 verifications in the pool (4 threads) and a refresh sent
// after them was answered only after nearly all of them. With the cap (password-hasher.ts) at most a
// few verifications hold threads, a bounded queue waits, and the rest is refused at once, 503
// PASSWORD_CHECK_BUSY with Retry-After. Counted, not timed: when the last refresh is answered, most
// of the logins that were let in to check a password must still be waiting for their answer.
import { describe, expect, it } from 'vitest';
import { type Client } from './support/client.js';
import { useListeningServer } from './support/listening-server.js';
import { freshEmail, freshIp } from './support/server-kit.js';

const FLOOD = 200;
const REFRESHES = 5;

describe.each(['sqlite', 'postgres'] as const)('a login flood on %s', (kind) => {
  let client: Client;
  useListeningServer(kind, 'loginflood', (started) => ({ client } = started));

  it(`answers refreshes while ${FLOOD} logins wait for argon2, and refuses the overflow at once`, async () => {
    let user = await client.signup();
    let checkedSoFar = 0;
    const logins = Array.from({ length: FLOOD }, async () => {
      const response = await client.call('/auth/login', {
        json: { email: freshEmail('flood'), password: 'not the password' },
        ip: freshIp(),
      });
      const body = (await response.json()) as { code: string };
      if (response.status === 401) checkedSoFar++;
      return {
        status: response.status,
        code: body.code,
        retryAfter: response.headers.get('retry-after'),
      };
    });
    for (let i = 0; i < REFRESHES; i++) {
      const response = await client.refresh(user);
      expect(response.status).toBe(200);
      user = {
        ...user,
        refreshToken: ((await response.json()) as { refresh_token: string }).refresh_token,
      };
    }
    const checkedWhenRefreshesDone = checkedSoFar;
    const answers = await Promise.all(logins);
    const checked = answers.filter((answer) => answer.status === 401);
    const busy = answers.filter((answer) => answer.status === 503);
    expect(checked.length + busy.length).toBe(FLOOD);
    for (const answer of checked) expect(answer.code).toBe('CREDENTIALS_INVALID');
    for (const answer of busy) {
      expect(answer.code).toBe('PASSWORD_CHECK_BUSY');
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // The queue is bounded (64 waiting): a flood this size overflows it.
    expect(busy.length).toBeGreaterThan(0);
    expect(checked.length).toBeGreaterThan(REFRESHES);
    expect(checkedWhenRefreshesDone).toBeLessThan(checked.length / 2);
  });
});
