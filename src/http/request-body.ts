import type { z } from 'zod';
import { TesseraError } from '../errors/tessera-error.js';
import { duplicateMemberName } from '../wire/json-duplicates.js';
import type { RequestFacts } from './request-facts.js';

/** Largest JSON or form body any auth endpoint accepts. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a body up to a limit without buffering more than the limit (a 1 GB upload is cut off at the
 * first chunk past it), and refuses invalid UTF-8.
 *
 * @example
 * ```ts
 * const text = await readBodyText(request, { maxBytes: 16384 });
 * ```
 */
export async function readBodyText(
  request: RequestFacts,
  options: { maxBytes: number },
): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > options.maxBytes) throw tooLarge(options.maxBytes);
  if (request.body === null) return '';
  const chunks = await ('getReader' in request.body
    ? streamChunks(request.body, options.maxBytes)
    : iterableChunks(request.body, options.maxBytes));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(
      chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks),
    );
  } catch {
    throw new TesseraError('REQUEST_INVALID', 'The request body is not valid UTF-8.');
  }
}

async function streamChunks(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array[]> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
}

// A Node stream: leaving the loop early (past the limit) ends the iteration, as cancel() does above.
async function iterableChunks(
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const value of body) {
    size += value.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(value);
  }
  return chunks;
}

/**
 * Reads and validates a JSON body: `application/json` only (415 otherwise), at most 16 KB (413),
 * well-formed (400), no member name twice in one object at any depth (400 REQUEST_DUPLICATE_KEY), and matching the schema with no unknown fields (400 naming the first problem).
 *
 * @example
 * ```ts
 * const { email, password } = await readJsonBody(request, credentialsSchema);
 * ```
 */
export async function readJsonBody<T>(request: RequestFacts, schema: z.ZodType<T>): Promise<T> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new TesseraError(
      'MEDIA_TYPE_UNSUPPORTED',
      'This endpoint accepts only Content-Type: application/json.',
    );
  }
  const text = await readBodyText(request, { maxBytes: MAX_BODY_BYTES });
  let value: unknown;
  try {
    value = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new TesseraError('REQUEST_INVALID', 'The request body is not valid JSON.');
  }
  const duplicate = duplicateMemberName(text);
  if (duplicate !== undefined) {
    // The name is echoed only when it is a plain field name; anything else could be a pasted secret.
    const named = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(duplicate);
    throw new TesseraError(
      'REQUEST_DUPLICATE_KEY',
      `The request body names ${named ? `the field "${duplicate}"` : 'a field'} twice in one object; send each field once.`,
      named ? { field: duplicate } : {},
    );
  }
  return validate(schema, value);
}

/**
 * Validates a value against a schema, reporting the first problem by path (never echoing the value,
 * which may be a password).
 *
 * @example
 * ```ts
 * const input = validate(schema, Object.fromEntries(form));
 * ```
 */
export function validate<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'body' : issue.path.join('.');
  throw new TesseraError(
    'REQUEST_INVALID',
    `The request ${where === 'body' ? 'body' : `field "${where}"`} is invalid: ${issue?.message ?? 'invalid input'}.`,
    { field: where },
  );
}

function tooLarge(limit: number): TesseraError {
  return new TesseraError('REQUEST_TOO_LARGE', `The request body is larger than ${limit} bytes.`, {
    limitBytes: limit,
  });
}
