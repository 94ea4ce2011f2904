// The pure parts of mail and its configuration: rendering with escaping, template overrides and their
// refusals, links, the delivery choice (hook, SMTP, development console, nothing in production), the
// production checks, and the SMTP password redacted wherever configuration is printed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { failureOf, planMail, retryDelayMs } from '../../src/accounts/mail-outbox.js';
import {
  DEFAULT_MAIL_TEMPLATES,
  mailLink,
  renderMail,
  resolveMailTemplates,
} from '../../src/accounts/mail-templates.js';
import { command as configCommand } from '../../src/cli/config-command.js';
import { resolveConfig } from '../../src/server/config.js';
import { createMailer, redactSmtpUrl } from '../../src/server/mailer.js';

const FACTS = {
  link: 'https://app.test/account/reset-password#token=tsp_a.b',
  email: 'ada@example.com',
  minutes: 15,
  site: 'https://app.test',
};
const KEY_SECRET = 'k'.repeat(48);

describe('mail templates', () => {
  it('escapes values in html, keeps them in text, and keeps the subject on one line', () => {
    const hostile = { ...FACTS, email: '<img src=x onerror=alert(1)>"&\'' };
    const mail = renderMail(
      {
        subject: 'Hi {{email}}\r\nBcc: victim@example.com',
        text: '{{email}} {{link}}',
        html: '<p>{{email}}</p>',
      },
      hostile,
    );
    expect(mail.html).toBe('<p>&lt;img src=x onerror=alert(1)&gt;&quot;&amp;&#39;</p>');
    expect(mail.text).toBe(`${hostile.email} ${FACTS.link}`);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toBe(`Hi ${hostile.email} Bcc: victim@example.com`);
  });

  it('renders every default with its link, address and lifetime', () => {
    for (const template of Object.values(DEFAULT_MAIL_TEMPLATES)) {
      const mail = renderMail(template, FACTS);
      expect(mail.text).toContain(FACTS.link);
      expect(mail.html).toContain(`href="${FACTS.link}"`);
      expect(mail.text).toContain(FACTS.email);
    }
    expect(renderMail(DEFAULT_MAIL_TEMPLATES.reset, FACTS).text).toContain('15 minutes');
  });

  it('lays overrides over the defaults, part by part', () => {
    const templates = resolveMailTemplates({ reset: { subject: 'Your {{site}} link' } });
    expect(templates.reset.subject).toBe('Your {{site}} link');
    expect(templates.reset.text).toBe(DEFAULT_MAIL_TEMPLATES.reset.text);
    expect(templates.verify).toEqual(DEFAULT_MAIL_TEMPLATES.verify);
  });

  it('refuses unknown kinds, parts and placeholders, and a link mail without its link', () => {
    const refusals: [unknown, RegExp][] = [
      [{ welcome: { subject: 'x' } }, /unknown mail kind "welcome"/],
      [{ reset: { footer: 'x' } }, /reset\.footer/],
      [{ reset: { subject: 42 } }, /reset\.subject/],
      [{ verify: { html: '{{token}}' } }, /unknown \{\{token\}\}/],
      [{ reset: { text: 'no link here' } }, /reset\.text must contain \{\{link\}\}/],
      [[], /must be an object/],
      ['reset', /must be an object/],
    ];
    for (const [overrides, message] of refusals) {
      let caught: unknown;
      try {
        resolveMailTemplates(overrides);
      } catch (error) {
        caught = error;
      }
      expect(caught).toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(message),
      });
    }
  });

  it('puts the token in the fragment of a link under the public URL, and none in the notice', () => {
    expect(mailLink('https://app.test/account/', 'verify', 'tsv_a.b')).toBe(
      'https://app.test/account/verify-email#token=tsv_a.b',
    );
    expect(mailLink('https://app.test', 'account-exists', undefined)).toBe(
      'https://app.test/reset-password',
    );
  });
});

describe('the outbox decisions', () => {
  const user = {
    id: 'u',
    email: 'a@example.com',
    passwordHash: 'h',
    createdAt: 0,
    passwordChangedAt: 0,
  };
  it('drops what has no account or nothing to verify, and mints only for links', () => {
    expect(planMail('reset', undefined)).toEqual({ action: 'drop', reason: 'no-account' });
    expect(planMail('account-exists', undefined)).toEqual({ action: 'drop', reason: 'no-account' });
    expect(planMail('verify', { ...user, emailVerified: true })).toEqual({
      action: 'drop',
      reason: 'already-verified',
    });
    expect(planMail('verify', user)).toEqual({ action: 'send', token: 'verify' });
    expect(planMail('reset', { ...user, emailVerified: true })).toEqual({
      action: 'send',
      token: 'reset',
    });
    expect(planMail('account-exists', user)).toEqual({ action: 'send', token: 'none' });
  });

  it('backs off 5 s, doubling, up to 10 minutes', () => {
    expect([1, 2, 3, 4, 10, 30].map(retryDelayMs)).toEqual([
      5_000, 10_000, 20_000, 40_000, 600_000, 600_000,
    ]);
  });

  it('names failures by code only, and treats a 5xx refusal as permanent', () => {
    expect(failureOf(Object.assign(new Error('x'), { code: 'ESOCKET' }))).toEqual({
      code: 'ESOCKET',
      permanent: false,
    });
    expect(
      failureOf(Object.assign(new Error('x'), { code: 'EENVELOPE', responseCode: 550 })),
    ).toEqual({
      code: 'EENVELOPE_550',
      permanent: true,
    });
    expect(failureOf(Object.assign(new Error('x'), { code: 'EAUTH', responseCode: 535 }))).toEqual({
      code: 'EAUTH_535',
      permanent: false,
    });
    // A code that is not a code word (it could carry anything) is not copied into the log.
    expect(failureOf(Object.assign(new Error('x'), { code: 'tsp_abc.def' }))).toEqual({
      code: 'SEND_FAILED',
      permanent: false,
    });
  });
});

describe('mail configuration', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'tessera-mail-config-'));
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  const config = (flags: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
    resolveConfig({ flags, env, cwd: directory });
  const production = {
    production: 'true',
    issuer: 'https://auth.example.com',
    audience: 'api',
    'allowed-origins': 'https://app.example.com',
  };

  it('redacts the SMTP password and nothing else', () => {
    expect(redactSmtpUrl('smtp://mailer:hunter2@smtp.example.com:587')).toBe(
      'smtp://mailer:***@smtp.example.com:587',
    );
    expect(redactSmtpUrl('smtps://mailer@smtp.example.com')).toBe(
      'smtps://mailer@smtp.example.com',
    );
    expect(redactSmtpUrl('smtp://smtp.example.com:25')).toBe('smtp://smtp.example.com:25');
    expect(redactSmtpUrl(undefined)).toBeUndefined();
  });

  it('prints no SMTP password in `tessera config`', async () => {
    let printed = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed += String(chunk);
      return true;
    });
    const previous = process.env.TESSERA_SMTP_URL;
    process.env.TESSERA_SMTP_URL = 'smtp://mailer:hunter2-secret@smtp.example.com:587';
    try {
      expect(await configCommand.run([])).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.TESSERA_SMTP_URL;
      else process.env.TESSERA_SMTP_URL = previous;
    }
    vi.restoreAllMocks();
    expect(printed).not.toContain('hunter2-secret');
    expect(JSON.parse(printed)['smtp-url']).toBe('smtp://mailer:***@smtp.example.com:587');
  });

  it('reads TESSERA_SMTP_URL, and refuses a URL that is not smtp:// or smtps://', async () => {
    expect((await config({}, { TESSERA_SMTP_URL: 'smtps://u:p@mail.test' }))['smtp-url']).toBe(
      'smtps://u:p@mail.test',
    );
    await expect(config({ 'smtp-url': 'http://mail.test' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--smtp-url'),
    });
  });

  it('defaults the public URL to the first allowed origin in development only', async () => {
    expect((await config({ 'allowed-origins': 'https://app.test' }))['public-url']).toBe(
      'https://app.test',
    );
    await expect(
      config(
        { ...production, 'smtp-url': 'smtp://mail.example.com' },
        { TESSERA_KEY_SECRET: KEY_SECRET },
      ),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/--public-url[\s\S]*--mail-from/),
    });
  });

  it('prints links on the console in development without SMTP, and only there', async () => {
    const printed: string[] = [];
    const mailer = await createMailer({
      config: await config({ 'public-url': 'https://app.test/account' }),
      logger: pino({ level: 'silent' }),
      console: (text) => void printed.push(text),
    });
    expect(mailer?.via).toBe('console');
    await mailer?.deliver({
      kind: 'reset',
      to: 'ada@example.com',
      token: 'tsp_a.b',
      expiresAt: Date.now() + 900_000,
    });
    expect(printed.join('')).toContain('https://app.test/account/reset-password#token=tsp_a.b');

    const prod = await config(production, { TESSERA_KEY_SECRET: KEY_SECRET });
    const warnings: string[] = [];
    const logger = {
      info: () => undefined,
      warn: (_: unknown, message: string) => void warnings.push(message),
    };
    expect(await createMailer({ config: prod, logger: logger as never })).toBeUndefined();
    expect(warnings.join('')).toContain('set --smtp-url');
    await expect(
      createMailer({
        config: { ...prod, 'require-verified-email': true },
        logger: logger as never,
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('loads --mail-templates from a JSON file, and refuses a bad one at start', async () => {
    const good = join(directory, 'good.json');
    writeFileSync(good, JSON.stringify({ reset: { subject: 'Reset for {{email}}' } }));
    const printed: string[] = [];
    const mailer = await createMailer({
      config: await config({ 'mail-templates': good }),
      logger: pino({ level: 'silent' }),
      console: (text) => void printed.push(text),
    });
    await mailer?.deliver({
      kind: 'reset',
      to: 'ada@example.com',
      token: 'tsp_a.b',
      expiresAt: Date.now(),
    });
    expect(printed.join('')).toContain('Reset for ada@example.com');
    const bad = join(directory, 'bad.json');
    writeFileSync(bad, '{"reset": {"subject": "{{password}}"}}');
    await expect(
      createMailer({
        config: await config({ 'mail-templates': bad }),
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(
      createMailer({
        config: await config({ 'mail-templates': join(directory, 'missing.json') }),
        logger: pino({ level: 'silent' }),
      }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
