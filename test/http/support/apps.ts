// One way to mount the auth handler per framework, each with an app route behind that adapter's requireAuth().
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
import fastify from 'fastify';
import { Hono } from 'hono';
import * as expressAdapter from '../../../src/adapters/express.js';
import * as fastifyAdapter from '../../../src/adapters/fastify.js';
import * as honoAdapter from '../../../src/adapters/hono.js';
import { listen } from '../../../src/adapters/node.js';
import type { AccessTokenClaims } from '../../../src/jwt/claims.js';
import type { ResourceGuardOptions } from '../../../src/http/require-auth.js';
import type { StartApp } from './http-suite.js';
import { AUDIENCE, ISSUER } from './server-kit.js';

export const PROTECTED_PATH = '/api/profile';

const guardOptions = (input: Parameters<StartApp>[0]): ResourceGuardOptions => ({
  issuer: ISSUER,
  audience: AUDIENCE,
  keys: input.server.keyring,
  revocations: input.server.revocations,
  now: input.now,
});
const closeServer = (server: Server): Promise<void> =>
  new Promise((done) => server.close(() => done()));
const urlOf = (server: Server): string =>
  `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

export const startNode: StartApp = async ({ server }) => {
  const { server: http, port } = await listen(server.handler, { port: 0, host: '127.0.0.1' });
  return { baseUrl: `http://127.0.0.1:${port}`, close: () => closeServer(http) };
};

export const startExpress: StartApp = async (input) => {
  const app = express();
  app.use(expressAdapter.tesseraRoutes(input.server.handler));
  app.get(PROTECTED_PATH, expressAdapter.requireAuth(guardOptions(input)), (_req, res) => {
    const auth = (res.locals as { auth: AccessTokenClaims }).auth;
    res.json({ sub: auth.sub, sid: auth.sid });
  });
  const http = await new Promise<Server>((done) => {
    const started = app.listen(0, '127.0.0.1', () => done(started));
  });
  return { baseUrl: urlOf(http), close: () => closeServer(http) };
};

export const startFastify: StartApp = async (input) => {
  const app = fastify();
  fastifyAdapter.tesseraRoutes(app, input.server.handler);
  app.get(
    PROTECTED_PATH,
    { preHandler: fastifyAdapter.requireAuth(guardOptions(input)) },
    async (request) => {
      const auth = (request as unknown as { auth: AccessTokenClaims }).auth;
      return { sub: auth.sub, sid: auth.sid };
    },
  );
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { baseUrl: address, close: () => app.close() };
};

export const startHono: StartApp = async (input) => {
  const app = new Hono();
  app.use(honoAdapter.tesseraRoutes(input.server.handler));
  app.get(PROTECTED_PATH, honoAdapter.requireAuth(guardOptions(input)), (c) => {
    const auth = c.get('auth' as never) as AccessTokenClaims;
    return c.json({ sub: auth.sub, sid: auth.sid });
  });
  const http = await new Promise<Server>((done) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      done(started as Server),
    );
  });
  return { baseUrl: urlOf(http), close: () => closeServer(http) };
};
