// Password reset delivered over real SMTP, on SQLite and PostgreSQL: the link comes from the configured
// public URL whatever the request's Host says; a reset token dies when the password changes, when a
// later reset is used, and at expiry; the request does the same store work and answers the same bytes
// for a known and an unknown address; and no clear token is kept in the store or in a log line.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../http/support/client.js';
import { freshEmail, freshIp } from '../http/support/server-kit.js';
import {
  dumpStore,
  PUBLIC_URL,
  startMailStack,
  type MailStack,
  type StoreKind,
} from './support/mail-stack.js';
import {
  linkTokenOf,
  SMTP_PASSWORD,
  startSmtp,
  type ReceivedMail,
  type SmtpListener,
} from './support/smtp-listener.js';

const PASSWORD = 'correct horse battery';

describe.each<StoreKind>(['sqlite', 'postgres'])('password reset over SMTP (%s)', (kind) => {
  let smtp: SmtpListener;
  let stack: MailStack;
  const tokens: string[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startMailStack({ kind, smtpPort: smtp.port });
  });
  afterAll(async () => {
    await stack.close();
    await smtp.close();
  });

  const mailsTo = (email: string): ReceivedMail[] =>
    smtp.received.filter((mail) => mail.to.includes(email));

  /** Asks for a reset, lets the worker send, and returns the token of the newest link mailed. */
  const resetToken = async (email: string): Promise<string> => {
    const answer = await stack.client.call('/auth/password-reset', {
      json: { email },
      ip: freshIp(),
    });
    expect(answer.status).toBe(202);
    await stack.server.mail?.drain();
    const mail = mailsTo(email)
      .filter((m) => linkTokenOf(m, 'reset-password') !== undefined)
      .at(-1);
    const token = mail === undefined ? undefined : linkTokenOf(mail, 'reset-password');
    expect(token).toMatch(/^tsp_/);
    tokens.push(token as string);
    return token as string;
  };

  const confirm = (token: string, password: string): Promise<Response> =>
    stack.client.call('/auth/password-reset/confirm', {
      json: { token, new_password: password },
      ip: freshIp(),
    });

  const loginStatus = async (email: string, password: string): Promise<number> =>
    (await stack.client.call('/auth/login', { json: { email, password }, ip: freshIp() })).status;

  it('mails a link built from --public-url, which sets the password through the real routes', async () => {
    const user = await stack.client.signup({ email: freshEmail('reset') });
    const token = await resetToken(user.email);
    const mail = mailsTo(user.email).at(-1) as ReceivedMail;
    expect(mail.from).toBe('auth@app.test');
    expect(mail.subject).toContain('Reset your password');
    expect(mail.decoded).toContain(`${PUBLIC_URL}/reset-password#token=${token}`);
    expect(smtp.logins).toContain('mailer');
    expect((await confirm(token, 'a brand new password')).status).toBe(204);
    expect(await loginStatus(user.email, 'a brand new password')).toBe(200);
    expect(await loginStatus(user.email, PASSWORD)).toBe(401);
    await expectProblem(await confirm(token, 'yet another password'), 400, 'RESET_TOKEN_INVALID');
  });

  it('never builds the link from the Host or X-Forwarded-Host of the request', async () => {
    const user = await stack.client.signup({ email: freshEmail('host') });
    const body = JSON.stringify({ email: user.email });
    const url = new URL(`${stack.baseUrl}/auth/password-reset`);
    const status = await new Promise<number>((resolve, reject) => {
      const sent = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: {
            host: 'evil.test',
            'x-forwarded-host': 'evil.test',
            'x-forwarded-proto': 'http',
            'x-forwarded-for': freshIp(),
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      sent.on('error', reject);
      sent.end(body);
    });
    expect(status).toBe(202);
    await stack.server.mail?.drain();
    const mail = mailsTo(user.email).at(-1) as ReceivedMail;
    expect(mail.decoded).not.toContain('evil.test');
    expect(linkTokenOf(mail, 'reset-password')).toMatch(/^tsp_/);
  });

  it('kills a token requested before a password change', async () => {
    const user = await stack.client.signup({ email: freshEmail('change') });
    const token = await resetToken(user.email);
    const changed = await stack.client.call('/auth/password', {
      json: { current_password: PASSWORD, new_password: 'changed by the owner' },
      bearer: user.accessToken,
    });
    expect(changed.status).toBe(204);
    await expectProblem(await confirm(token, 'attacker password'), 400, 'RESET_TOKEN_INVALID');
    expect(await loginStatus(user.email, 'changed by the owner')).toBe(200);
    expect(await loginStatus(user.email, 'attacker password')).toBe(401);
  });

  it('kills an older token once a newer one was used', async () => {
    const user = await stack.client.signup({ email: freshEmail('older') });
    const older = await resetToken(user.email);
    const newer = await resetToken(user.email);
    expect(newer).not.toBe(older);
    expect((await confirm(newer, 'set by the newer link')).status).toBe(204);
    await expectProblem(await confirm(older, 'set by the older link'), 400, 'RESET_TOKEN_INVALID');
    expect(await loginStatus(user.email, 'set by the newer link')).toBe(200);
  });

  it('kills two links raced against each other: one sets the password, the other is refused', async () => {
    const user = await stack.client.signup({ email: freshEmail('race') });
    const first = await resetToken(user.email);
    const second = await resetToken(user.email);
    const answers = await Promise.all([
      confirm(first, 'first racer password'),
      confirm(second, 'second racer password'),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([204, 400]);
    const won = answers[0]?.status === 204 ? 'first racer password' : 'second racer password';
    expect(await loginStatus(user.email, won)).toBe(200);
  });

  it('kills a token at its expiry (15 minutes), and not a second before', async () => {
    const user = await stack.client.signup({ email: freshEmail('expiry') });
    const late = await resetToken(user.email);
    const inTime = await resetToken(user.email);
    stack.advance(15 * 60_000 - 5_000);
    expect((await confirm(inTime, 'just in time password')).status).toBe(204);
    const fresh = await resetToken(user.email);
    stack.advance(15 * 60_000 + 1_000);
    await expectProblem(await confirm(fresh, 'too late password'), 400, 'RESET_TOKEN_INVALID');
    await expectProblem(await confirm(late, 'too late password'), 400, 'RESET_TOKEN_INVALID');
    expect(await loginStatus(user.email, 'just in time password')).toBe(200);
  });

  it('refuses forged tokens: another prefix, a flipped secret, a verification token', async () => {
    const user = await stack.client.signup({ email: freshEmail('forged') });
    const token = await resetToken(user.email);
    const [id, secret] = token.slice(4).split('.') as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [`tsv_${id}.${secret}`, `tst_${id}.${secret}`, `tsp_${id}.${flipped}`])
      await expectProblem(
        await confirm(forged, 'forged password here'),
        400,
        'RESET_TOKEN_INVALID',
      );
    // None of them burnt the real token.
    expect((await confirm(token, 'the real new password')).status).toBe(204);
  });

  it('does the same store work and answers the same bytes for a known and an unknown address', async () => {
    const user = await stack.client.signup({ email: freshEmail('known') });
    await stack.server.mail?.drain();
    const ask = async (
      email: string,
    ): Promise<{ status: number; headers: string; body: string }> => {
      const answer = await stack.client.call('/auth/password-reset', {
        json: { email },
        ip: freshIp(),
      });
      const headers = [...answer.headers.entries()]
        .filter(([name]) => name !== 'date')
        .map(([name, value]) => `${name}: ${value}`)
        .join('\n');
      return { status: answer.status, headers, body: await answer.text() };
    };
    // The worker paused: what is recorded is the request's own work, nothing of the delivery's.
    await stack.server.mail?.stop();
    const known = await stack.recordStoreCalls(() => ask(user.email));
    const unknown = await stack.recordStoreCalls(() => ask(freshEmail('nobody')));
    stack.server.mail?.start();
    expect(known.calls).toEqual(unknown.calls);
    // One row: an address, a kind and times. There is nowhere to put a token.
    expect(known.calls).toEqual([
      {
        method: 'enqueueMail',
        shape:
          '{attempts:number,createdAt:number,dueAt:number,email:string,id:string,kind:string,lastError:null}',
      },
    ]);
    expect(known.result).toEqual(unknown.result);
    expect(known.result.status).toBe(202);
    // The worker tells them apart later: one mail for the account, nothing for the stranger.
    const before = smtp.received.length;
    await stack.server.mail?.drain();
    expect(smtp.received.length - before).toBe(1);
    expect((await stack.rows('mail_outbox')).length).toBe(0);
  });

  it('keeps no clear token in any table or any log line, nor the SMTP password in the log', async () => {
    expect(tokens.length).toBeGreaterThan(5);
    const dump = await dumpStore(stack);
    const logs = stack.logText();
    expect(logs).toContain('mail sent');
    for (const token of tokens) {
      const secret = token.split('.')[1] as string;
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toContain(SMTP_PASSWORD);
    expect(logs).toContain('mailer:***@127.0.0.1');
  });
});
