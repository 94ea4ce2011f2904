// Shared parts of the HAR analysis tests (test/doctor/har*.test.ts): entries and recordings in
// Chromium's HAR 1.2 shape, on a fixed clock, and tokens signed for them.
import jwt from 'jsonwebtoken';
import type { Har, HarEntry } from '../../src/doctor/har/har-model.js';

const SECRET = 'a-test-secret-that-is-long-enough-0123';
const T0 = Date.parse('2026-12-02T10:00:00.000Z');

/** One request and its answer: when (ms after T0), what was sent, what came back, the server's skew. */
export interface Spec {
  at: number;
  method?: string;
  url: string;
  status: number;
  requestHeaders?: [string, string][];
  responseHeaders?: [string, string][];
  body?: string;
  responseBody?: string;
  serverSkewMs?: number;
}

/** A HAR entry of `spec`, its response dated by the server's clock. */
export const entry = (spec: Spec): HarEntry => ({
  startedDateTime: new Date(T0 + spec.at).toISOString(),
  time: 20,
  request: {
    method: spec.method ?? 'GET',
    url: spec.url,
    headers: (spec.requestHeaders ?? []).map(([name, value]) => ({ name, value })),
    cookies: [],
    ...(spec.body === undefined
      ? {}
      : { postData: { text: spec.body, mimeType: 'application/json' } }),
  },
  response: {
    status: spec.status,
    headers: [
      { name: 'date', value: new Date(T0 + spec.at + (spec.serverSkewMs ?? 0)).toUTCString() },
      ...(spec.responseHeaders ?? []).map(([name, value]) => ({ name, value })),
    ],
    cookies: [],
    ...(spec.responseBody === undefined
      ? {}
      : { content: { text: spec.responseBody, mimeType: 'application/json' } }),
  },
});
/** A recording of `entries`, as Chromium's WebInspector exports it. */
export const har = (entries: HarEntry[]): Har => ({
  log: { creator: { name: 'WebInspector', version: '537.36' }, entries },
});
/** A jsonwebtoken HS256 token issued at T0 that expires `expOffsetS` seconds later. */
export const token = (expOffsetS: number): string =>
  jwt.sign(
    { userId: 42, iat: Math.floor(T0 / 1000), exp: Math.floor(T0 / 1000) + expOffsetS },
    SECRET,
  );
