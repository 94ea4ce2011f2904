/**
 * Reads a HAR file for `tessera doctor --har`: streamed with a size cap (a full export can be huge and
 * holds passwords and tokens), parsed, and checked for the shape the analysis needs. Every refusal is a
 * HarUnusableError with a clear sentence and never a value from the file.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Har, HarEntry, HarNameValue } from './har-model.js';

/** The largest HAR the doctor reads: a long recording with bodies omitted is far below this. */
export const MAX_HAR_BYTES = 50 * 1024 * 1024;

/**
 * A HAR that cannot be used: missing, too large, truncated, not JSON, or not a HAR.
 *
 * @example
 * ```ts
 * try { await readHarFile('session.har'); } catch (error) { if (error instanceof HarUnusableError) console.error(error.message); }
 * ```
 */
export class HarUnusableError extends Error {
  override readonly name = 'HarUnusableError';
}

/**
 * Reads and parses a HAR file, refusing anything over `maxBytes` before and while reading.
 *
 * @example
 * ```ts
 * const har = await readHarFile('recording.har');
 * har.log.entries.length;
 * ```
 */
export async function readHarFile(path: string, maxBytes: number = MAX_HAR_BYTES): Promise<Har> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new HarUnusableError(`${path} is not a file.`);
    size = info.size;
  } catch (error) {
    if (error instanceof HarUnusableError) throw error;
    throw new HarUnusableError(`${path} could not be read (missing or not readable).`);
  }
  const limit = `${Math.round(maxBytes / 1024 / 1024)} MB`;
  if (size > maxBytes)
    throw new HarUnusableError(
      `${path} is ${(size / 1024 / 1024).toFixed(1)} MB; the doctor reads HARs up to ${limit}. Record only the failing flow, or export without response bodies.`,
    );
  const chunks: Buffer[] = [];
  let read = 0;
  try {
    // The size can grow between stat and read (a recording still being written): count as we go.
    for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 })) {
      const buffer = chunk as Buffer;
      read += buffer.length;
      if (read > maxBytes)
        throw new HarUnusableError(`${path} grew beyond ${limit} while it was read.`);
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof HarUnusableError) throw error;
    throw new HarUnusableError(`${path} could not be read.`);
  }
  return parseHar(Buffer.concat(chunks).toString('utf8'), path);
}

/**
 * Parses HAR text and checks its shape: an object with log.entries, each with a request and a response.
 *
 * @example
 * ```ts
 * parseHar('{"log":{"entries":[]}}', 'empty.har').log.entries; // []
 * ```
 */
export function parseHar(text: string, name: string): Har {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (trimmed === '') throw new HarUnusableError(`${name} is empty.`);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    // Say which: a file cut short (a copy interrupted, a recording still running) or not JSON at all.
    throw new HarUnusableError(
      trimmed.startsWith('{') && !/\}\s*$/.test(trimmed)
        ? `${name} ends early: the HAR is truncated (${trimmed.length} characters, no closing brace). Export it again and let the download finish.`
        : `${name} is not JSON, so it is no HAR. In DevTools, Network, use "Export HAR" (the download arrow) to save one.`,
    );
  }
  const log = isObject(value) ? value.log : undefined;
  const entries = isObject(log) ? log.entries : undefined;
  if (!Array.isArray(entries))
    throw new HarUnusableError(
      `${name} is JSON but not a HAR: it has no log.entries list. In DevTools, Network, use "Export HAR" to save one.`,
    );
  const usable = entries.filter(
    (entry): entry is Record<string, unknown> =>
      isObject(entry) &&
      isObject(entry.request) &&
      typeof entry.request.url === 'string' &&
      isObject(entry.response),
  );
  if (entries.length > 0 && usable.length === 0)
    throw new HarUnusableError(
      `${name} has ${entries.length} entries but none with a request URL and a response.`,
    );
  const creator = isObject(log) && isObject(log.creator) ? log.creator : {};
  return {
    log: {
      creator: {
        ...(typeof creator.name === 'string' ? { name: creator.name } : {}),
        ...(typeof creator.version === 'string' ? { version: creator.version } : {}),
      },
      entries: usable.map(normaliseEntry),
    },
  };
}

// Keeps only fields of the types the analysis reads, so a hand-edited or hostile HAR cannot crash it.
function normaliseEntry(entry: Record<string, unknown>): HarEntry {
  const request = entry.request as Record<string, unknown>;
  const response = entry.response as Record<string, unknown>;
  const text = (value: unknown): { text?: string } =>
    isObject(value) && typeof value.text === 'string' ? { text: value.text } : {};
  return {
    ...(typeof entry.startedDateTime === 'string'
      ? { startedDateTime: entry.startedDateTime }
      : {}),
    ...(typeof entry.time === 'number' && Number.isFinite(entry.time) ? { time: entry.time } : {}),
    request: {
      url: request.url as string,
      ...(typeof request.method === 'string' ? { method: request.method } : {}),
      headers: pairs(request.headers),
      cookies: pairs(request.cookies),
      postData: text(request.postData),
    },
    response: {
      ...(typeof response.status === 'number' ? { status: response.status } : {}),
      headers: pairs(response.headers),
      cookies: pairs(response.cookies),
      content: text(response.content),
    },
  };
}

function pairs(value: unknown): HarNameValue[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(isObject)
    .filter((pair) => typeof pair.name === 'string')
    .map((pair) => ({ name: pair.name as string, value: String(pair.value ?? '') }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
