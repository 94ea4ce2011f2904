// Delivery when SMTP is down, on SQLite and PostgreSQL: the request still answers, the attempt is
// logged with a code and retried with backoff, the failed attempt's token is deleted, and the mail
// arrives once the listener is back. Then the worker alone over a real store and a real SMTP client:
// it gives up after its attempts (or at once on a permanent refusal) with an audit event, and drops
// rows for addresses without an account.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailOutbox, type MailReport } from '../../src/accounts/mail-outbox.js';
import { resolveConfig } from '../../src/server/config.js';
import { createMailer } from '../../src/server/mailer.js';
import { openSqliteStore } from '../../src/store/sqlite/open-sqlite-store.js';
import { freshEmail, freshIp } from '../http/support/server-kit.js';
import { dumpStore, startMailStack, type MailStack, type StoreKind } from './support/mail-stack.js';
import { closedPort, linkTokenOf, startSmtp, type SmtpListener } from './support/smtp-listener.js';

describe.each<StoreKind>(['sqlite', 'postgres'])('SMTP down, then back (%s)', (kind) => {
  let port: number;
  let stack: MailStack;
  let smtp: SmtpListener | undefined;

  beforeAll(async () => {
    port = await closedPort();
    stack = await startMailStack({ kind, smtpPort: port });
  });
  afterAll(async () => {
    await stack.close();
    await smtp?.close();
  });

  it('answers 202, logs and retries each failure, keeps the row and no token, and delivers once back', async () => {
    const email = freshEmail('down');
    await stack.client.signup({ email });
    const answer = await stack.client.call('/auth/password-reset', {
      json: { email },
      ip: freshIp(),
    });
    expect(answer.status).toBe(202);
    await stack.server.mail?.drain();

    const retries = stack
      .logs()
      .filter((line) => (line.mail as MailReport | undefined)?.type === 'retry');
    const resetRetry = retries.find((line) => (line.mail as { kind: string }).kind === 'reset');
    expect(resetRetry?.level).toBe(40);
    const code = (resetRetry?.mail as { code: string }).code;
    expect(code).toMatch(/^E[A-Z]+$/);
    expect(resetRetry?.msg).toBe(`mail not sent (${code}); retrying`);

    const queued = (await stack.rows('mail_outbox')).filter((row) => row.kind === 'reset');
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ email, attempts: 1, last_error: code });
    // The failed attempt's token was deleted: nothing at rest can open the account.
    expect((await stack.rows('one_time_tokens')).filter((row) => row.kind === 'reset')).toEqual([]);
    expect(await dumpStore(stack)).not.toMatch(/tsp_[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}/);

    smtp = await startSmtp({ port });
    // Not due yet: the retry waits its backoff (5 s after the first failure), on the server's clock.
    await stack.server.mail?.drain();
    expect(smtp.received.filter((mail) => mail.to.includes(email))).toEqual([]);
    stack.advance(6_000);
    await stack.server.mail?.drain();
    const mails = smtp.received.filter((mail) => mail.to.includes(email));
    const reset = mails.find((mail) => linkTokenOf(mail, 'reset-password') !== undefined);
    const token = reset === undefined ? undefined : linkTokenOf(reset, 'reset-password');
    expect(token).toMatch(/^tsp_/);
    const confirm = await stack.client.call('/auth/password-reset/confirm', {
      json: { token, new_password: 'after the outage' },
      ip: freshIp(),
    });
    expect(confirm.status).toBe(204);
    expect(await stack.rows('mail_outbox')).toEqual([]);
    expect(stack.logText()).not.toContain((token as string).split('.')[1]);
  });
});

describe('the outbox worker over a real store and a real SMTP client', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'tessera-outbox-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  async function worker(smtpPort: number, maxAttempts: number) {
    const store = await openSqliteStore({ path: join(directory, `${freshIp()}.db`) });
    let clock = 1_800_000_000_000;
    const now = (): number => clock;
    const config = await resolveConfig({
      flags: {
        'smtp-url': `smtp://127.0.0.1:${smtpPort}`,
        'public-url': 'https://app.test/account',
      },
      env: {},
      cwd: directory,
    });
    const mailer = await createMailer({ config, logger: pino({ level: 'silent' }), now });
    const reports: MailReport[] = [];
    const outbox = createMailOutbox({
      store,
      deliver: (mail) => (mailer as NonNullable<typeof mailer>).deliver(mail),
      now,
      report: (report) => void reports.push(report),
      maxAttempts,
    });
    const email = freshEmail('worker');
    await store.createUser({
      id: `u-${email}`,
      email,
      passwordHash: '$argon2id$stub',
      createdAt: clock,
      passwordChangedAt: clock,
    });
    return {
      store,
      reports,
      outbox,
      email,
      advance: (ms: number) => void (clock += ms),
      close: async () => {
        await outbox.stop();
        mailer?.close();
        await store.close();
      },
    };
  }

  it('gives up after maxAttempts with an error report and an audit event, and leaves no token', async () => {
    const w = await worker(await closedPort(), 3);
    await w.outbox.enqueue('reset', w.email);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await w.outbox.drain();
      w.advance(60_000);
    }
    expect(w.reports.map((report) => report.type)).toEqual(['retry', 'retry', 'gave-up']);
    const gaveUp = w.reports.at(-1) as { attempt: number };
    expect(gaveUp.attempt).toBe(3);
    const events = await w.store.listEvents({ userId: `u-${w.email}`, limit: 10 });
    expect(events.map((event) => event.type)).toEqual(['mail.undeliverable']);
    expect(JSON.parse(events[0]?.detail ?? '{}')).toMatchObject({ kind: 'reset', attempts: 3 });
    expect(await w.store.claimMail({ at: 9e15, leaseUntil: 9e15, limit: 10 })).toEqual([]);
    expect(JSON.stringify(w.reports)).not.toContain(w.email);
    await w.close();
  });

  it('gives up at once when the server refuses the recipient permanently (550)', async () => {
    const refusing = await startSmtp({ refuse: 550 });
    const w = await worker(refusing.port, 8);
    await w.outbox.enqueue('verify', w.email);
    await w.outbox.drain();
    expect(w.reports).toEqual([
      expect.objectContaining({ type: 'gave-up', kind: 'verify', attempt: 1 }),
    ]);
    expect((w.reports[0] as { code: string }).code).toMatch(/550/);
    expect(refusing.received).toEqual([]);
    await w.close();
    await refusing.close();
  });

  it('drops a row for an address without an account and sends nothing', async () => {
    const listening = await startSmtp();
    const w = await worker(listening.port, 8);
    await w.outbox.enqueue('reset', freshEmail('stranger'));
    await w.outbox.enqueue('account-exists', w.email);
    await w.outbox.drain();
    expect(w.reports.map((report) => report.type)).toEqual(['dropped', 'sent']);
    expect(listening.received).toHaveLength(1);
    expect(listening.received[0]?.to).toEqual([w.email]);
    expect(listening.received[0]?.decoded).toContain('https://app.test/account/reset-password');
    expect(listening.received[0]?.decoded).not.toMatch(/#token=/);
    await w.close();
    await listening.close();
  });
});
