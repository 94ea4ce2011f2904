/**
 * The words of each mail, overridable, and the pure function that fills them in. Placeholders are
 * `{{name}}`: `link`, `email`, `minutes` (how long the link lives) and `site` (the public URL's
 * origin). Values are HTML-escaped in `html`, and line breaks are removed from `subject` so no value
 * can add a header. Links are built from the configured public URL only, never from a request.
 */
import { TesseraError } from '../errors/tessera-error.js';
import type { MailKind } from '../store/account-store.js';

/** One mail's words. */
export interface MailTemplate {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** A template per kind: `reset`, `verify` and `account-exists`. */
export type MailTemplates = Readonly<Record<MailKind, MailTemplate>>;

/** Overrides: any kind, any part; the rest stays default. */
export type MailTemplateOverrides = Partial<Record<MailKind, Partial<MailTemplate>>>;

/** The values a template may name. */
export interface MailFacts {
  readonly link: string;
  readonly email: string;
  readonly minutes: number;
  readonly site: string;
}

/** A filled-in mail. */
export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const PLACEHOLDER = /\{\{\s*([a-z]+)\s*\}\}/g;
const NAMES: ReadonlySet<string> = new Set(['link', 'email', 'minutes', 'site']);

/** The templates Tessera sends unless told otherwise. */
export const DEFAULT_MAIL_TEMPLATES: MailTemplates = {
  reset: {
    subject: 'Reset your password for {{site}}',
    text: 'Someone asked to reset the password of {{email}} on {{site}}.\n\nSet a new password here (the link works once, for {{minutes}} minutes):\n{{link}}\n\nIf it was not you, ignore this mail: your password stays as it is.\n',
    html: '<p>Someone asked to reset the password of {{email}} on {{site}}.</p><p><a href="{{link}}">Set a new password</a> (the link works once, for {{minutes}} minutes).</p><p>If it was not you, ignore this mail: your password stays as it is.</p>',
  },
  verify: {
    subject: 'Confirm your email address for {{site}}',
    text: 'Confirm that {{email}} is yours to finish signing up on {{site}} (the link works once, for {{minutes}} minutes):\n{{link}}\n\nIf you did not sign up, ignore this mail.\n',
    html: '<p>Confirm that {{email}} is yours to finish signing up on {{site}}.</p><p><a href="{{link}}">Confirm my address</a> (the link works once, for {{minutes}} minutes).</p><p>If you did not sign up, ignore this mail.</p>',
  },
  'account-exists': {
    subject: 'You already have an account on {{site}}',
    text: 'Someone tried to sign up on {{site}} with {{email}}, which already has an account.\n\nIf it was you, sign in, or reset your password here:\n{{link}}\n\nIf it was not you, ignore this mail: nothing changed.\n',
    html: '<p>Someone tried to sign up on {{site}} with {{email}}, which already has an account.</p><p>If it was you, sign in, or <a href="{{link}}">reset your password</a>.</p><p>If it was not you, ignore this mail: nothing changed.</p>',
  },
};

const KINDS: readonly MailKind[] = ['reset', 'verify', 'account-exists'];

/**
 * `base` (the defaults) with `overrides` laid over it, checked: an unknown kind, part or placeholder,
 * or a link mail without `{{link}}`, is CONFIG_INVALID (found at start, not at the first reset).
 *
 * @example
 * ```ts
 * const templates = resolveMailTemplates({ reset: { subject: 'Your {{site}} reset link' } });
 * ```
 */
export function resolveMailTemplates(
  overrides: unknown = {},
  base: MailTemplates = DEFAULT_MAIL_TEMPLATES,
): MailTemplates {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides))
    throw invalid('the templates must be an object keyed by reset, verify, account-exists');
  const given = overrides as Record<string, unknown>;
  for (const kind of Object.keys(given))
    if (!KINDS.includes(kind as MailKind)) throw invalid(`unknown mail kind "${kind}"`);
  const resolved = {} as Record<MailKind, MailTemplate>;
  for (const kind of KINDS) {
    const part = given[kind] ?? {};
    if (typeof part !== 'object' || part === null) throw invalid(`${kind} must be an object`);
    const entries = part as Record<string, unknown>;
    for (const key of Object.keys(entries))
      if (!['subject', 'text', 'html'].includes(key) || typeof entries[key] !== 'string')
        throw invalid(`${kind}.${key} is not a subject, text or html string`);
    const template = { ...base[kind], ...(entries as Partial<MailTemplate>) };
    for (const [key, value] of Object.entries(template)) {
      for (const [, name] of value.matchAll(PLACEHOLDER))
        if (!NAMES.has(name ?? '')) throw invalid(`${kind}.${key} names an unknown {{${name}}}`);
    }
    if (kind !== 'account-exists' && !/\{\{\s*link\s*\}\}/.test(template.text))
      throw invalid(`${kind}.text must contain {{link}}`);
    resolved[kind] = template;
  }
  return resolved;
}

/**
 * Fills a template in: HTML-escaped values in `html`, one line in `subject`.
 *
 * @example
 * ```ts
 * renderMail(DEFAULT_MAIL_TEMPLATES.verify, { link: 'https://app.example/verify-email#token=…', email: 'a@example.com', minutes: 1440, site: 'https://app.example' }).subject;
 * // 'Confirm your email address for https://app.example'
 * ```
 */
export function renderMail(template: MailTemplate, facts: MailFacts): RenderedMail {
  const fill = (text: string, escape: (value: string) => string): string =>
    text.replace(PLACEHOLDER, (_, name: string) => escape(String(facts[name as keyof MailFacts])));
  return {
    subject: fill(template.subject, (value) => value)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    text: fill(template.text, (value) => value),
    html: fill(template.html, escapeHtml),
  };
}

/**
 * The link of a mail: `<public URL>/reset-password#token=…` or `/verify-email#token=…` (in the
 * fragment, which browsers never send to a server or in a Referer), and `/reset-password` alone for
 * the account-exists notice.
 *
 * @example
 * ```ts
 * mailLink('https://app.example/account', 'reset', 'tsp_abc.def'); // 'https://app.example/account/reset-password#token=tsp_abc.def'
 * ```
 */
export function mailLink(publicUrl: string, kind: MailKind, token: string | undefined): string {
  const base = publicUrl.replace(/\/+$/, '');
  const page = kind === 'verify' ? 'verify-email' : 'reset-password';
  return token === undefined
    ? `${base}/${page}`
    : `${base}/${page}#token=${encodeURIComponent(token)}`;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function invalid(reason: string): TesseraError {
  return new TesseraError('CONFIG_INVALID', `The mail templates are invalid: ${reason}.`);
}
