import { z } from 'zod';
import { TesseraError } from '../errors/tessera-error.js';
import type { AccountStore, UserRow } from '../store/account-store.js';
import { duplicateMemberName } from '../wire/json-duplicates.js';
import { readPasswordHash, type HashScheme } from '../accounts/hash-format.js';
import { normaliseEmail } from '../accounts/accounts.js';
import { parseCsv } from './csv-rows.js';

/**
 * `tessera users import`: rows of (id, email, hash) from another app, checked whole before one
 * transaction writes them all, or nothing. Emails are validated exactly as `POST /auth/login` validates
 * them (so every imported account can sign in) and then normalised as accounts are (trimmed,
 * lower-cased); ids are kept as the old app's strings. Reports name rows by number and never echo a
 * hash or an email.
 */

/** Why a row is refused. */
export type ImportRefusalReason =
  | 'line-malformed'
  | 'id-invalid'
  | 'id-duplicate'
  | 'id-exists'
  | 'email-invalid'
  | 'email-duplicate'
  | 'email-exists'
  | 'hash-format-unknown'
  | 'hash-encoding-invalid'
  | 'hash-cost-too-high';

/** One refused row: its number (1 = the first data row) and why. */
export interface ImportRefusal {
  readonly row: number;
  readonly reason: ImportRefusalReason;
  readonly detail: string;
}

/** One row as read from the file, before any check. */
export interface RawImportRow {
  readonly row: number;
  readonly id: unknown;
  readonly email: unknown;
  readonly hash: unknown;
}

/** What an import did or, on a dry run or a refusal, would do. */
export interface ImportReport {
  readonly rows: number;
  /** Rows written: all of them, or 0 on a dry run or when any row was refused. */
  readonly imported: number;
  readonly refusals: readonly ImportRefusal[];
  /** Accepted rows per scheme. */
  readonly schemes: Readonly<Partial<Record<HashScheme, number>>>;
}

/** The file formats: CSV with an `id,email,hash` header, or a JSON array of `{ id, email, hash }`. */
export type ImportFormat = 'csv' | 'json';

// The old app's ids, as strings: letters, digits and `._:@|+-` (UUIDs, integers, ObjectIds, `auth0|…`),
// never starting with a character a spreadsheet would run as a formula (= + - @).
const ID = /^[A-Za-z0-9_][A-Za-z0-9._:@|+-]{0,127}$/;
const EMAIL = z.string().trim().max(254).pipe(z.email());
const FIELDS = ['id', 'email', 'hash'] as const;

/**
 * Reads an import file into raw rows; a row that is not well-formed is a refusal, a file that cannot
 * be read at all (no header, not a JSON array, a member named twice) throws IMPORT_INVALID.
 *
 * @example
 * ```ts
 * readImportFile('id,email,hash\n7,a@example.com,$2b$10$…\n', 'csv').rows[0]?.id; // '7'
 * ```
 */
export function readImportFile(
  text: string,
  format: ImportFormat,
): { rows: RawImportRow[]; refusals: ImportRefusal[] } {
  const body = text.replace(/^\uFEFF/, '');
  if (format === 'csv') return readCsvRows(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new TesseraError('IMPORT_INVALID', 'The JSON import file does not parse.');
  }
  const twice = duplicateMemberName(body);
  if (twice !== undefined)
    throw new TesseraError('IMPORT_INVALID', 'A JSON row names one field twice.', { field: twice });
  if (!Array.isArray(parsed))
    throw new TesseraError('IMPORT_INVALID', 'The JSON import file must be an array of rows.');
  const rows: RawImportRow[] = [];
  const refusals: ImportRefusal[] = [];
  parsed.forEach((item: unknown, index) => {
    const row = index + 1;
    const keys = typeof item === 'object' && item !== null ? Object.keys(item).sort() : [];
    if (Array.isArray(item) || keys.join(',') !== 'email,hash,id')
      refusals.push({ row, reason: 'line-malformed', detail: 'needs exactly id, email and hash' });
    else rows.push({ row, ...(item as { id: unknown; email: unknown; hash: unknown }) });
  });
  return { rows, refusals };
}

function readCsvRows(text: string): { rows: RawImportRow[]; refusals: ImportRefusal[] } {
  const records = parseCsv(text);
  const header = records.shift();
  const columns = header?.fields?.map((field) => field.trim().toLowerCase());
  if (columns === undefined || [...columns].sort().join(',') !== 'email,hash,id')
    throw new TesseraError(
      'IMPORT_INVALID',
      'The CSV import file must start with the header id,email,hash (in any order).',
    );
  const at = Object.fromEntries(FIELDS.map((name) => [name, columns.indexOf(name)]));
  const rows: RawImportRow[] = [];
  const refusals: ImportRefusal[] = [];
  records.forEach((record, index) => {
    const row = index + 1;
    if (record.fields === undefined || record.fields.length !== 3)
      refusals.push({
        row,
        reason: 'line-malformed',
        detail: `line ${record.line}: ${record.problem ?? fieldCount(record.fields?.length ?? 0)}`,
      });
    else {
      const fields = record.fields;
      rows.push({
        row,
        id: fields[at.id as number],
        email: fields[at.email as number],
        hash: fields[at.hash as number],
      });
    }
  });
  return { rows, refusals };
}

const fieldCount = (count: number): string =>
  `has ${count} fields, not 3${count > 3 ? "; a hash with commas, like scrypt's, goes in double quotes" : ''}`;

/**
 * Checks raw rows: id, email and hash each well-formed and within the caps, and no id or email twice
 * in the file (emails compared normalised). Pure: the store's own conflicts come after.
 *
 * @example
 * ```ts
 * const { users, refusals } = planImport(rows, { now: Date.now() });
 * ```
 */
export function planImport(
  rows: readonly RawImportRow[],
  options: { now: number },
): { users: UserRow[]; rowNumbers: number[]; refusals: ImportRefusal[] } {
  const refusals: ImportRefusal[] = [];
  const users: UserRow[] = [];
  const rowNumbers: number[] = [];
  const firstId = new Map<string, number>();
  const firstEmail = new Map<string, number>();
  for (const raw of rows) {
    const refuse = (reason: ImportRefusalReason, detail: string): void =>
      void refusals.push({ row: raw.row, reason, detail });
    const id =
      typeof raw.id === 'number' && Number.isSafeInteger(raw.id) && raw.id >= 0
        ? String(raw.id)
        : raw.id;
    const email = typeof raw.email === 'string' ? EMAIL.safeParse(raw.email) : undefined;
    const hash = typeof raw.hash === 'string' ? readPasswordHash(raw.hash) : undefined;
    let ok = true;
    if (typeof id !== 'string' || !ID.test(id)) {
      ok = false;
      refuse(
        'id-invalid',
        'an id is 1 to 128 of A-Z a-z 0-9 . _ : @ | + -, starting with a letter, digit or _',
      );
    } else if (firstId.has(id)) {
      ok = false;
      refuse('id-duplicate', `the same id as row ${firstId.get(id)}`);
    } else firstId.set(id, raw.row);
    const normalised = email?.success === true ? normaliseEmail(email.data) : undefined;
    if (normalised === undefined) {
      ok = false;
      refuse(
        'email-invalid',
        'not an address POST /auth/login accepts (ASCII, at most 254 characters)',
      );
    } else if (firstEmail.has(normalised)) {
      ok = false;
      refuse(
        'email-duplicate',
        `the same email as row ${firstEmail.get(normalised)} (compared lower-cased)`,
      );
    } else firstEmail.set(normalised, raw.row);
    if (hash === undefined || !hash.ok) {
      ok = false;
      refuse(
        hash === undefined
          ? 'hash-format-unknown'
          : (`hash-${hash.refusal}` as ImportRefusalReason),
        hash === undefined ? 'the hash is not a string' : hash.reason,
      );
    }
    if (!ok) continue;
    users.push({
      id: id as string,
      email: normalised as string,
      passwordHash: raw.hash as string,
      createdAt: options.now,
      passwordChangedAt: options.now,
    });
    rowNumbers.push(raw.row);
  }
  return { users, rowNumbers, refusals };
}

/**
 * Reads, checks and imports a file in one transaction: when any row is refused (by the checks or
 * because its id or email is already stored), nothing is written, and the report says why per row.
 *
 * @example
 * ```ts
 * const report = await importUserFile(store, readFileSync('users.csv', 'utf8'), { format: 'csv', dryRun: true, now: Date.now() });
 * ```
 */
export async function importUserFile(
  store: Pick<AccountStore, 'importUsers'>,
  text: string,
  options: { format: ImportFormat; dryRun: boolean; now: number },
): Promise<ImportReport> {
  const read = readImportFile(text, options.format);
  const plan = planImport(read.rows, { now: options.now });
  const refusals = [...read.refusals, ...plan.refusals];
  const conflicts = await store.importUsers(plan.users, {
    dryRun: options.dryRun || refusals.length > 0,
  });
  for (const conflict of conflicts)
    refusals.push({
      row: plan.rowNumbers[conflict.index] as number,
      reason: conflict.field === 'id' ? 'id-exists' : 'email-exists',
      detail: `an account with this ${conflict.field} is already stored`,
    });
  refusals.sort((a, b) => a.row - b.row);
  const schemes: Partial<Record<HashScheme, number>> = {};
  for (const user of plan.users) {
    const reading = readPasswordHash(user.passwordHash);
    if (reading.ok) schemes[reading.spec.scheme] = (schemes[reading.spec.scheme] ?? 0) + 1;
  }
  return {
    rows: read.rows.length + read.refusals.length,
    imported: options.dryRun || refusals.length > 0 ? 0 : plan.users.length,
    refusals,
    schemes,
  };
}
