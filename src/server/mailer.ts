/**
 * How the server's outbox worker sends a mail: through the application's own hook, over SMTP
 * (nodemailer, loaded on the first send), or, in development without SMTP, printed on the console so
 * the flows can be tried. Links are built from `--public-url` only. Production without any of them
 * sends nothing and says so at start.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import type { MailReport, OutgoingMail } from '../accounts/mail-outbox.js';
import {
  mailLink,
  renderMail,
  resolveMailTemplates,
  type MailTemplateOverrides,
  type RenderedMail,
} from '../accounts/mail-templates.js';
import { TesseraError } from '../errors/tessera-error.js';
import type { ServerConfig } from './config.js';

/** A mail as the application's `deliverMail` hook receives it: rendered, with its link and token. */
export interface DeliveredMail extends RenderedMail, OutgoingMail {
  readonly from: string;
  readonly link: string;
}

/** What a legacy `deliverResetToken` hook receives. */
export interface ResetTokenDelivery {
  readonly email: string;
  readonly token: string;
  readonly expiresAt: number;
}

/** Options of {@link createMailer}. */
export interface MailerOptions {
  readonly config: Pick<
    ServerConfig,
    | 'smtp-url'
    | 'public-url'
    | 'mail-from'
    | 'mail-templates'
    | 'production'
    | 'require-verified-email'
  >;
  readonly logger: Pick<Logger, 'info' | 'warn'>;
  /** Sends every rendered mail yourself (an HTTP mail API, a queue); wins over SMTP. */
  readonly deliverMail?: (mail: DeliveredMail) => void | Promise<void>;
  /** The older hook: reset tokens only, called by the outbox worker; wins over SMTP for resets. */
  readonly deliverResetToken?: (input: ResetTokenDelivery) => void | Promise<void>;
  /** Template overrides, over `--mail-templates`' file, over the defaults. */
  readonly templates?: MailTemplateOverrides;
  /** Where `--mail-templates` is resolved from. Default `process.cwd()`. */
  readonly cwd?: string;
  /** The development console. Default: standard output. */
  readonly console?: (text: string) => void;
  readonly now?: () => number;
}

/** The server's way of sending, or none. */
export interface Mailer {
  readonly via: 'hook' | 'smtp' | 'console';
  deliver(mail: OutgoingMail): Promise<void>;
  close(): void;
}

interface SmtpTransport {
  sendMail(message: object): Promise<unknown>;
  close(): void;
}

/**
 * An SMTP URL with its password replaced by `***`, for anything that prints configuration.
 *
 * @example
 * ```ts
 * redactSmtpUrl('smtp://mailer:hunter2@smtp.example.com:587'); // 'smtp://mailer:***@smtp.example.com:587'
 * ```
 */
export function redactSmtpUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url.replace(/^(smtps?:\/\/)([^@/?#]*)@/i, (_, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return `${scheme}${colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:***`}@`;
  });
}

/**
 * Chooses how mail goes out and returns its sender, or undefined when nothing can send (production
 * without SMTP or a hook). `--require-verified-email` with nothing to send is CONFIG_INVALID: no one
 * could ever sign in.
 *
 * @example
 * ```ts
 * const mailer = await createMailer({ config, logger });
 * await mailer?.deliver({ kind: 'reset', to: 'a@example.com', token, expiresAt });
 * ```
 */
export async function createMailer(options: MailerOptions): Promise<Mailer | undefined> {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const templates = resolveMailTemplates(
    options.templates,
    resolveMailTemplates(
      await readTemplateFile(config['mail-templates'], options.cwd ?? process.cwd()),
    ),
  );
  const from = config['mail-from'] ?? 'Tessera <tessera@localhost>';
  const site = new URL(config['public-url']).origin;
  const render = (mail: OutgoingMail): DeliveredMail => {
    const link = mailLink(config['public-url'], mail.kind, mail.token);
    const minutes =
      mail.expiresAt === undefined ? 0 : Math.max(1, Math.round((mail.expiresAt - now()) / 60_000));
    return {
      ...mail,
      ...renderMail(templates[mail.kind], { link, email: mail.to, minutes, site }),
      from,
      link,
    };
  };
  const smtpUrl = config['smtp-url'];
  let transport: Promise<SmtpTransport> | undefined;
  const smtp = (): Promise<SmtpTransport> => {
    transport ??= openSmtp(smtpUrl ?? '').catch((error: unknown) => {
      transport = undefined;
      throw error;
    });
    return transport;
  };
  const { deliverMail, deliverResetToken } = options;
  // Per mail, the first that applies: the application's hook, its reset hook (resets only), SMTP,
  // the development console. `via` names the one most mail takes.
  const fallback: 'smtp' | 'console' | undefined =
    smtpUrl !== undefined ? 'smtp' : config.production ? undefined : 'console';
  const via: Mailer['via'] | undefined =
    deliverMail !== undefined || (deliverResetToken !== undefined && fallback === undefined)
      ? 'hook'
      : fallback;
  if (via === undefined) {
    if (config['require-verified-email'])
      throw new TesseraError(
        'CONFIG_INVALID',
        '--require-verified-email needs a way to send mail: set --smtp-url (and --public-url, --mail-from).',
      );
    logger.warn(
      {},
      'no mail delivery: password reset and email verification send nothing; set --smtp-url to turn them on',
    );
    return undefined;
  }
  logger.info(
    { via, smtp: redactSmtpUrl(smtpUrl), publicUrl: config['public-url'] },
    `mail: ${via === 'console' ? 'development, links printed on the console' : via}`,
  );
  const write = options.console ?? ((text: string) => void process.stdout.write(text));
  return {
    via,
    async deliver(mail) {
      const rendered = render(mail);
      if (deliverMail !== undefined) return void (await deliverMail(rendered));
      if (
        deliverResetToken !== undefined &&
        mail.kind === 'reset' &&
        mail.token !== undefined &&
        mail.expiresAt !== undefined
      )
        return void (await deliverResetToken({
          email: mail.to,
          token: mail.token,
          expiresAt: mail.expiresAt,
        }));
      if (fallback === undefined) {
        // Production with only a reset hook: say what is not sent instead of losing it silently.
        logger.warn({ kind: mail.kind }, 'no delivery for this kind of mail; not sent');
        return;
      }
      if (fallback === 'console') {
        // Development only (production never chooses the console): the link is the point.
        write(
          `\n[tessera mail, development] to ${mail.to}: ${rendered.subject}\n  ${rendered.link}\n\n`,
        );
        return;
      }
      await (
        await smtp()
      ).sendMail({
        from,
        to: mail.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
    },
    close() {
      void transport?.then((open) => open.close()).catch(() => undefined);
    },
  };
}

async function openSmtp(url: string): Promise<SmtpTransport> {
  const nodemailer = (await import('nodemailer')) as unknown as {
    createTransport(options: object): SmtpTransport;
  };
  // Short timeouts: the worker retries with backoff, so a hung server costs one lease, not the queue.
  return nodemailer.createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

async function readTemplateFile(path: string | undefined, cwd: string): Promise<unknown> {
  if (path === undefined) return {};
  try {
    return JSON.parse(await readFile(resolve(cwd, path), 'utf8')) as unknown;
  } catch (error) {
    throw new TesseraError(
      'CONFIG_INVALID',
      `--mail-templates ${path} could not be read: ${error instanceof Error ? error.message : 'unknown error'}.`,
    );
  }
}

/**
 * The outbox worker's reports as log lines: a retry as a warning with its code and when it is next
 * tried, a give-up as an error. Row ids and codes only, never a token or an address.
 *
 * @example
 * ```ts
 * createMailOutbox({ store, deliver, report: logMailReport(logger) });
 * ```
 */
export function logMailReport(
  logger: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>,
): (report: MailReport) => void {
  return (report) => {
    if (report.type === 'sent') logger.info({ mail: report }, 'mail sent');
    else if (report.type === 'dropped')
      logger.debug({ mail: report }, 'mail dropped: no account, or nothing left to verify');
    else if (report.type === 'retry')
      logger.warn({ mail: report }, `mail not sent (${report.code}); retrying`);
    else if (report.type === 'gave-up')
      logger.error(
        { mail: report },
        `mail given up after ${report.attempt} attempts (${report.code})`,
      );
    else if (report.type === 'error')
      logger.error({ mail: report }, `mail outbox pass failed (${report.code})`);
  };
}
