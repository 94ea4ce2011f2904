// Tessera as `tessera serve` assembles it (createTesseraServer from resolved configuration, SQLite store),
// mounted in Express 5 like the other contenders: its endpoints through tesseraRoutes (POST /auth/refresh
// among them) and GET /api/protected behind requireAuth, as an application's API would be guarded.
// Options (from the parent): dir, port.
import { join } from 'node:path';
import express from 'express';
import { requireAuth, tesseraRoutes } from '../../dist/adapters/express.js';
import { resolveConfig } from '../../dist/server/config.js';
import { createTesseraServer } from '../../dist/server/create-server.js';
import { childOptions, inBatches, listenOn, runChild, serve } from './child.js';

export const ISSUER = 'https://auth.bench';

async function start() {
  const options = childOptions();
  const flags = {
    db: join(options.dir, 'tessera.db'),
    issuer: ISSUER,
    audience: 'api',
    'access-ttl': '15m',
  };
  const tessera = await createTesseraServer({
    config: await resolveConfig({ flags, env: {}, cwd: options.dir }),
  });
  const app = express();
  app.use(tesseraRoutes(tessera.handler));
  app.get(
    '/api/protected',
    requireAuth({
      issuer: ISSUER,
      audience: 'api',
      keys: tessera.keyring,
      revocations: tessera.revocations,
    }),
    (_req, res) => {
      res.json({ user: res.locals.auth.sub, session: res.locals.auth.sid });
    },
  );
  const server = await listenOn(app, options.port);
  serve({
    port: server.address().port,
    // Sessions are issued by the session core directly, as bench/http.js does: an argon2 signup per
    // user would only slow the setup, and no measured row checks a password.
    seed: (count) =>
      inBatches(count, 50, async (i) => {
        const tokens = await tessera.sessions.issueSession(`user-${i}`, { transport: 'body' });
        return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
      }),
    close: () => new Promise((done) => server.close(() => done())).then(() => tessera.close()),
  });
}

runChild(start);
