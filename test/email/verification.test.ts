// Email verification over real SMTP, on SQLite and PostgreSQL. With --require-verified-email, sign-up
// for a taken address answers exactly like a new one (status, headers, body, no cookie) and mails the
// owner a notice instead; an unverified account answers a correct password exactly like a wrong one and
// is mailed a fresh link; the link verifies once, through the real route; the claims hook sees the
// verification state. Without the flag, sign-up keeps today's answers and still mails a link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem } from '../http/support/client.js';
import { freshEmail, freshIp } from '../http/support/server-kit.js';
import { startMailStack, type MailStack, type StoreKind } from './support/mail-stack.js';
import {
  linkTokenOf,
  startSmtp,
  type ReceivedMail,
  type SmtpListener,
} from './support/smtp-listener.js';

const PASSWORD = 'correct horse battery';

interface Answer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

async function answerOf(response: Response): Promise<Answer> {
  const headers = [...response.headers.entries()]
    .filter(([name]) => name !== 'date')
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return { status: response.status, headers, body: await response.text() };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('email verification (%s)', (kind) => {
  let smtp: SmtpListener;
  let stack: MailStack;
  const seen: { userId: string; emailVerified: boolean }[] = [];

  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startMailStack({
      kind,
      smtpPort: smtp.port,
      flags: { 'require-verified-email': 'true' },
      serverOptions: {
        claims: ({ userId, emailVerified }) => {
          seen.push({ userId, emailVerified });
          return emailVerified ? { roles: ['verified'] } : {};
        },
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await smtp.close();
  });

  const mailsTo = (email: string): ReceivedMail[] =>
    smtp.received.filter((mail) => mail.to.includes(email));
  const signup = async (email: string, password = PASSWORD, cookie = false): Promise<Answer> =>
    answerOf(
      await stack.client.call('/auth/signup', {
        json: { email, password },
        ip: freshIp(),
        ...(cookie ? { origin: 'https://app.test' } : { headers: { 'token-transport': 'body' } }),
      }),
    );
  const login = (email: string, password = PASSWORD): Promise<Response> =>
    stack.client.call('/auth/login', {
      json: { email, password },
      headers: { 'token-transport': 'body' },
      ip: freshIp(),
    });
  const verify = (token: string | undefined): Promise<Response> =>
    stack.client.call('/auth/verify-email', { json: { token }, ip: freshIp() });
  const verifyTokenOf = async (email: string): Promise<string | undefined> => {
    await stack.server.mail?.drain();
    const mail = mailsTo(email)
      .filter((m) => linkTokenOf(m, 'verify-email') !== undefined)
      .at(-1);
    return mail === undefined ? undefined : linkTokenOf(mail, 'verify-email');
  };

  it('answers sign-up for a taken address exactly like a new one, and mails the owner instead', async () => {
    const taken = freshEmail('taken');
    await signup(taken);
    await stack.server.mail?.drain();
    const before = mailsTo(taken).length;
    for (const cookie of [false, true]) {
      const fresh = await signup(freshEmail('fresh'), 'another password here', cookie);
      const again = await signup(taken, 'another password here', cookie);
      expect(again).toEqual(fresh);
      expect(fresh.status).toBe(202);
      expect(JSON.parse(fresh.body)).toEqual({ status: 'verification_sent' });
      expect(fresh.headers).not.toContain('set-cookie');
    }
    await stack.server.mail?.drain();
    const notices = mailsTo(taken).slice(before);
    expect(notices).toHaveLength(2);
    for (const notice of notices) {
      expect(notice.subject).toContain('You already have an account');
      expect(notice.decoded).toContain('https://app.test/account/reset-password');
      expect(notice.decoded).not.toMatch(/#token=/);
    }
    // The stranger's password did not replace the owner's.
    await expectProblem(await login(taken, 'another password here'), 401, 'CREDENTIALS_INVALID');
  });

  it('refuses an unverified account exactly like a wrong password, and mails it a fresh link', async () => {
    const email = freshEmail('unverified');
    await signup(email);
    const first = await verifyTokenOf(email);
    expect(first).toMatch(/^tsv_/);
    const right = await answerOf(await login(email));
    const wrong = await answerOf(await login(email, 'not the password'));
    const stranger = await answerOf(await login(freshEmail('nobody')));
    expect(right).toEqual(wrong);
    expect(right).toEqual(stranger);
    expect(right.status).toBe(401);
    expect(JSON.parse(right.body).code).toBe('CREDENTIALS_INVALID');
    const second = await verifyTokenOf(email);
    expect(second).toMatch(/^tsv_/);
    expect(second).not.toBe(first);
  });

  it('verifies through the link once; then the account signs in and the claims hook sees it', async () => {
    const email = freshEmail('verified');
    await signup(email);
    const token = await verifyTokenOf(email);
    expect((await verify(token)).status).toBe(204);
    await expectProblem(await verify(token), 400, 'VERIFY_TOKEN_INVALID');
    const signedIn = await login(email);
    expect(signedIn.status).toBe(200);
    const body = (await signedIn.json()) as { access_token: string; user_id?: string };
    const me = (await (
      await stack.client.call('/auth/me', { bearer: body.access_token })
    ).json()) as { user: { id: string; email_verified: boolean }; session: { roles: string[] } };
    expect(me.user.email_verified).toBe(true);
    expect(me.session.roles).toEqual(['verified']);
    expect(seen.filter((entry) => entry.userId === me.user.id)).toEqual([
      { userId: me.user.id, emailVerified: true },
    ]);
  });

  it('refuses forged and misplaced verification tokens without burning the real one', async () => {
    const email = freshEmail('forged-verify');
    await signup(email);
    const token = (await verifyTokenOf(email)) as string;
    const [id, secret] = token.slice(4).split('.') as [string, string];
    const flipped = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [`tsp_${id}.${secret}`, `tsv_${id}.${flipped}`, 'tsv_x.y', ''])
      await expectProblem(await verify(forged), 400, 'VERIFY_TOKEN_INVALID');
    // A verification token is not a reset token either.
    await expectProblem(
      await stack.client.call('/auth/password-reset/confirm', {
        json: { token, new_password: 'hijacked password' },
        ip: freshIp(),
      }),
      400,
      'RESET_TOKEN_INVALID',
    );
    expect((await verify(token)).status).toBe(204);
  });

  it('kills a verification link minted before a password reset (the reset verifies by itself)', async () => {
    const email = freshEmail('verify-then-reset');
    await signup(email);
    const link = await verifyTokenOf(email);
    await stack.client.call('/auth/password-reset', { json: { email }, ip: freshIp() });
    await stack.server.mail?.drain();
    const resetMail = mailsTo(email).find((m) => linkTokenOf(m, 'reset-password') !== undefined);
    const reset = resetMail === undefined ? undefined : linkTokenOf(resetMail, 'reset-password');
    const confirmed = await stack.client.call('/auth/password-reset/confirm', {
      json: { token: reset, new_password: 'reset before verifying' },
      ip: freshIp(),
    });
    expect(confirmed.status).toBe(204);
    await expectProblem(await verify(link), 400, 'VERIFY_TOKEN_INVALID');
    expect((await login(email, 'reset before verifying')).status).toBe(200);
  });
});

describe('without --require-verified-email', () => {
  let smtp: SmtpListener;
  let stack: MailStack;
  const seen: boolean[] = [];
  beforeAll(async () => {
    smtp = await startSmtp();
    stack = await startMailStack({
      kind: 'sqlite',
      smtpPort: smtp.port,
      serverOptions: { claims: ({ emailVerified }) => (seen.push(emailVerified), {}) },
    });
  });
  afterAll(async () => {
    await stack.close();
    await smtp.close();
  });

  it('signs in at sign-up, answers 409 for a taken address, and mails a link the claims hook then sees', async () => {
    const user = await stack.client.signup({ email: freshEmail('open') });
    expect(seen).toEqual([false]);
    await expectProblem(
      await stack.client.call('/auth/signup', {
        json: { email: user.email, password: PASSWORD },
        ip: freshIp(),
      }),
      409,
      'ACCOUNT_EXISTS',
    );
    await stack.server.mail?.drain();
    const mail = smtp.received.find((m) => m.to.includes(user.email));
    const token = mail === undefined ? undefined : linkTokenOf(mail, 'verify-email');
    expect(token).toMatch(/^tsv_/);
    expect(
      (await stack.client.call('/auth/verify-email', { json: { token }, ip: freshIp() })).status,
    ).toBe(204);
    await stack.client.login(user);
    expect(seen).toEqual([false, true]);
  });
});
