// One Tessera node of the scale bench, forked by bench/scale.js: `tessera serve` as configuration
// builds it (--database-url, --pg-pooler), in Express, seeding sessions when the parent asks.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { childOptions, inBatches, listenOn, runChild, serve } from '../peers/child.js';

const ISSUER = 'https://auth.bench';

/** The child: `tessera serve` as configuration builds it, on the given database, in Express. */
async function startChild() {
  const options = childOptions();
  const { default: express } = await import('express');
  const { tesseraRoutes } = await import('../../dist/adapters/express.js');
  const { resolveConfig } = await import('../../dist/server/config.js');
  const { createTesseraServer } = await import('../../dist/server/create-server.js');
  const cwd = mkdtempSync(join(options.dir, `${options.name}-`));
  const flags = {
    db: join(cwd, 'unused.db'),
    issuer: ISSUER,
    audience: 'api',
    'access-ttl': '15m',
    'database-url': options.url,
    'pg-pooler': options.pooler,
    // Each bench session refreshes far more often than a client would: the limit must not answer 429.
    'refresh-rate-limit': '10000',
  };
  const tessera = await createTesseraServer({
    config: await resolveConfig({ flags, env: {}, cwd }),
  });
  const app = express();
  app.use(tesseraRoutes(tessera.handler));
  const server = await listenOn(app, 0);
  serve({
    port: server.address().port,
    seed: (count) =>
      inBatches(count, 20, async (i) => {
        const tokens = await tessera.sessions.issueSession(`${options.name}-${Date.now()}-${i}`, {
          transport: 'body',
        });
        return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
      }),
    close: () => new Promise((done) => server.close(() => done())).then(() => tessera.close()),
  });
}

runChild(startChild);
