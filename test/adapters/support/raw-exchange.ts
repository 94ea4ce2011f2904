// One HTTP exchange with exact control of what is sent (duplicate fields, chunked bodies) and an answer
// reduced to what the differential test compares: status, headers without framing and clock, body, with
// token values and session ids normalised (each path refreshes its own twin session).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { expect } from 'vitest';

export interface Sent {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
  /** Sends the body in chunked transfer encoding (no Content-Length). */
  readonly chunked?: boolean;
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: string;
}

// The raw body of each answer, token values and all (answers themselves hold them normalised).
const rawBodies = new WeakMap<Answer, string>();

// Framing and the clock are the transport's, not the answer's.
const TRANSPORT_HEADERS = new Set(['connection', 'keep-alive', 'date', 'transfer-encoding']);

function normalise(text: string): string {
  return text
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>')
    .replace(/tsr_[\w-]+\.[\w-]+/g, '<refresh-token>')
    .replace(/"session_id":"[\w-]+"/g, '"session_id":"<session>"');
}

export function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = sent.body === undefined ? undefined : Buffer.from(sent.body);
    const headers: Record<string, string | string[] | number> = { ...sent.headers };
    if (body !== undefined && sent.chunked !== true) headers['content-length'] = body.length;
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: sent.method ?? 'POST',
        path: sent.path,
        headers,
        agent: false,
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const kept: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined && !TRANSPORT_HEADERS.has(name))
              kept[name] = Array.isArray(value) ? value.map(normalise) : normalise(value);
          expect(res.headers.date).toBeDefined();
          const raw = Buffer.concat(chunks).toString('utf8');
          const answer = { status: res.statusCode ?? 0, headers: kept, body: normalise(raw) };
          rawBodies.set(answer, raw);
          resolve(answer);
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined && sent.chunked === true) {
      // Two chunks, so the size limit is met while reading and not from a declared length.
      req.write(body.subarray(0, body.length >> 1));
      req.end(body.subarray(body.length >> 1));
    } else req.end(body);
  });
}

/** The refresh token in a refresh answer's raw body. */
export function successorIn(answer: Answer): string {
  return (JSON.parse(rawBodies.get(answer) ?? '{}') as { refresh_token: string }).refresh_token;
}
