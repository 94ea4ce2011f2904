// The requests the differential test sends to both node:http paths: good ones, and hostile ones of every
// kind the refresh endpoints refuse. `direct` says which path adapters/node.ts must choose for each.
import { REFRESH_COOKIE } from '../../../src/wire/names.js';
import { APP_ORIGIN, EVIL_ORIGIN } from '../../http/support/server-kit.js';
import type { Sent } from './raw-exchange.js';

export interface DifferentialCase {
  readonly transport: 'cookie' | 'body';
  readonly build: (token: string) => Sent;
  readonly direct: boolean;
}

const json = { 'content-type': 'application/json' };
const browser = { origin: APP_ORIGIN, 'tessera-csrf': '1' };
const cookie = (token: string): string => `${REFRESH_COOKIE}=${token}`;
const form = { 'content-type': 'application/x-www-form-urlencoded' };

/** A body-transport refresh of `token`. */
export const bodyRefresh = (token: string): Sent => ({
  path: '/auth/refresh',
  headers: json,
  body: JSON.stringify({ refresh_token: token }),
});

/** Each case, by what it sends. */
export const CASES: Record<string, DifferentialCase> = {
  'a body refresh': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
    }),
    direct: true,
  },
  'a cookie refresh from the allowed origin, with the client address forwarded': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: {
        ...browser,
        cookie: cookie(token),
        'x-forwarded-for': '203.0.113.9',
        'user-agent': 'differential',
      },
    }),
    direct: true,
  },
  'a cookie refresh without the CSRF header': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { origin: APP_ORIGIN, cookie: cookie(token) },
    }),
    direct: true,
  },
  'a cookie refresh from a wrong origin': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { origin: EVIL_ORIGIN, 'tessera-csrf': '1', cookie: cookie(token) },
    }),
    direct: true,
  },
  'a cookie refresh with no Origin': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { 'tessera-csrf': '1', cookie: cookie(token) },
    }),
    direct: true,
  },
  'two Origin fields': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { origin: [APP_ORIGIN, APP_ORIGIN], 'tessera-csrf': '1', cookie: cookie(token) },
    }),
    direct: true,
  },
  'the refresh cookie twice, in two Cookie fields': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { ...browser, cookie: [cookie(token), cookie(token)] },
    }),
    direct: true,
  },
  'a planted second refresh cookie': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: {
        ...browser,
        cookie: `${cookie('tsr_AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB')}; ${cookie(token)}`,
      },
    }),
    direct: true,
  },
  'a token in the cookie and in the body': {
    transport: 'cookie',
    build: (token) => ({
      path: '/auth/refresh',
      headers: { ...browser, ...json, cookie: cookie(token) },
      body: JSON.stringify({ refresh_token: token }),
    }),
    direct: true,
  },
  'no token at all, from another site': {
    transport: 'cookie',
    build: () => ({
      path: '/auth/refresh',
      headers: { origin: 'https://elsewhere.test', 'sec-fetch-site': 'cross-site' },
    }),
    direct: true,
  },
  'bad JSON': {
    transport: 'body',
    build: () => ({ path: '/auth/refresh', headers: json, body: '{"refresh_token": ' }),
    direct: true,
  },
  'a duplicate member': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: `{"refresh_token":"${token}","refresh_token":"${token}"}`,
    }),
    direct: true,
  },
  'an unknown member': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token, extra: 1 }),
    }),
    direct: true,
  },
  'invalid UTF-8': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    }),
    direct: true,
  },
  'a form body at /auth/refresh': {
    transport: 'body',
    build: (token) => ({ path: '/auth/refresh', headers: form, body: `refresh_token=${token}` }),
    direct: true,
  },
  'a malformed token': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: 'not-a-token' }),
    }),
    direct: true,
  },
  'an empty JSON body': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: { ...json, 'token-transport': 'body' },
      body: '',
    }),
    direct: true,
  },
  'a body of exactly the limit': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: `{"refresh_token":"${'a'.repeat(16 * 1024 - 20)}"}`,
    }),
    direct: true,
  },
  'a declared body over the limit': {
    transport: 'body',
    build: () => ({ path: '/auth/refresh', headers: json, body: 'x'.repeat(16 * 1024 + 1) }),
    direct: false,
  },
  'a chunked body over the limit': {
    transport: 'body',
    build: () => ({
      path: '/auth/refresh',
      headers: json,
      body: 'x'.repeat(40 * 1024),
      chunked: true,
    }),
    direct: false,
  },
  'a chunked body within the limit': {
    transport: 'body',
    build: (token) => ({
      path: '/auth/refresh',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
      chunked: true,
    }),
    direct: false,
  },
  'a token in the URL': {
    transport: 'body',
    build: (token) => ({ path: `/auth/refresh?refresh_token=${token}`, headers: json, body: '{}' }),
    direct: false,
  },
  'GET /auth/refresh': {
    transport: 'body',
    build: () => ({ method: 'GET', path: '/auth/refresh' }),
    direct: false,
  },
  'an OAuth refresh': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: form,
      body: `grant_type=refresh_token&client_id=tessera&refresh_token=${token}`,
    }),
    direct: true,
  },
  'an OAuth refresh without a client id': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: form,
      body: `grant_type=refresh_token&refresh_token=${token}`,
    }),
    direct: true,
  },
  'an OAuth refresh with the token twice': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: form,
      body: `grant_type=refresh_token&client_id=tessera&refresh_token=${token}&refresh_token=${token}`,
    }),
    direct: true,
  },
  'an OAuth password grant': {
    transport: 'body',
    build: () => ({
      path: '/oauth/token',
      headers: form,
      body: 'grant_type=password&client_id=tessera',
    }),
    direct: true,
  },
  'JSON at the OAuth endpoint': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: json,
      body: JSON.stringify({ refresh_token: token }),
    }),
    direct: true,
  },
  'an OAuth refresh from a browser origin, not allowed': {
    transport: 'body',
    build: (token) => ({
      path: '/oauth/token',
      headers: { ...form, origin: EVIL_ORIGIN },
      body: `grant_type=refresh_token&client_id=tessera&refresh_token=${token}`,
    }),
    direct: true,
  },
};
