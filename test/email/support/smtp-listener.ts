// A real SMTP listener for the email suites (smtp-server, the same protocol code Nodemailer's own
// tests run against): it accepts AUTH over plain TCP, keeps every message it receives, and can be
// started on a port that was closed a moment ago, so a test can bring "the mail server" back.
import { createServer } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One received message, with its quoted-printable text decoded so links can be read out of it. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
  readonly decoded: string;
  readonly subject: string;
}

export interface SmtpListener {
  readonly port: number;
  readonly received: ReceivedMail[];
  /** The user names that authenticated (the password is checked, never kept). */
  readonly logins: string[];
  close(): Promise<void>;
}

export const SMTP_USER = 'mailer';
export const SMTP_PASSWORD = 'smtp-pass-7f3a9c';

/** A port nothing listens on (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts the listener on `port` (0: any). `refuse` answers RCPT TO with this SMTP status instead. */
export async function startSmtp(
  options: { port?: number; refuse?: number } = {},
): Promise<SmtpListener> {
  const received: ReceivedMail[] = [];
  const logins: string[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) {
        logins.push(auth.username);
        callback(null, { user: auth.username });
      } else callback(new Error('bad credentials'));
    },
    onRcptTo(_address, _session, callback) {
      if (options.refuse === undefined) return callback();
      callback(Object.assign(new Error('mailbox unavailable'), { responseCode: options.refuse }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const decoded = raw
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
          decoded,
          subject: /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '',
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    received,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The token in a received mail's link of `page`, or undefined. */
export function linkTokenOf(
  mail: ReceivedMail,
  page: 'reset-password' | 'verify-email',
): string | undefined {
  const match = new RegExp(
    `https://app\\.test/account/${page}#token=(ts[pv]_[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})`,
  ).exec(mail.decoded);
  return match?.[1];
}
