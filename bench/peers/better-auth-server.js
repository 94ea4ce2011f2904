// Better Auth as its docs set it up: email and password on a better-sqlite3 Database, the JWT plugin
// (GET /api/auth/token, GET /api/auth/jwks), its handler mounted in Express 5 with toNodeHandler, and a
// protected route that asks auth.api.getSession() for the caller's session, as its Express guide does.
// Options (from the parent): dir, port, cookieCache (session.cookieCache on or off), migrate (create the
// schema with getMigrations/runMigrations, as `npx @better-auth/cli migrate` would before the first start),
// seedHash ('default' or 'fast': see seedPassword below).
import { Buffer } from 'node:buffer';
import { createHash, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { fromNodeHeaders, toNodeHandler } from 'better-auth/node';
import { jwt } from 'better-auth/plugins';
import express from 'express';
import { childOptions, inBatches, listenOn, openSqlite, runChild, serve } from './child.js';

/** The secret every Better Auth process of one run shares, so cookies signed by one verify on another. */
const SECRET = 'tessera-bench-better-auth-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery staple';

// Seeding signs up thousands of users; Better Auth's scrypt costs tens of milliseconds each on this
// machine and no measured row checks a password. With seedHash 'fast' the documented
// emailAndPassword.password hook hashes with SHA-256 instead (setup only: never a way to store passwords).
const fastHash = {
  hash: async (password) => createHash('sha256').update(password).digest('hex'),
  verify: async ({ hash, password }) =>
    timingSafeEqual(
      Buffer.from(hash),
      Buffer.from(createHash('sha256').update(password).digest('hex')),
    ),
};

/** The Better Auth instance for these options, on the SQLite file in `dir`. */
export function createBetterAuth({ dir, port, cookieCache, seedHash }) {
  return betterAuth({
    baseURL: `http://127.0.0.1:${port}`,
    secret: SECRET,
    database: openSqlite(join(dir, 'better-auth.db')),
    emailAndPassword: {
      enabled: true,
      ...(seedHash === 'fast' ? { password: fastHash } : {}),
    },
    session: cookieCache
      ? // Cached for as long as the other contenders' access tokens live (15 min; Better Auth's default
        // is 5), so the cache still holds when the last row of a full run reads it.
        { cookieCache: { enabled: true, maxAge: 15 * 60 } }
      : {},
    // Better Auth's limiter counts per IP, and every bench request comes from 127.0.0.1: on, it would
    // refuse all but 100 requests per 10 s and measure the limiter. (It is off outside production anyway.)
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    plugins: [jwt()],
  });
}

async function start() {
  const options = childOptions();
  const auth = createBetterAuth(options);
  if (options.migrate) {
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
  }
  const app = express();
  app.all('/api/auth/*splat', toNodeHandler(auth));
  app.get('/api/protected', async (req, res) => {
    const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
    if (!session) {
      res.status(401).json({ error: 'unauthorized' });
      return;
    }
    res.json({ user: session.user.id, session: session.session.id });
  });
  const server = await listenOn(app, options.port);
  serve({
    port: server.address().port,
    // Each user signs up through the real endpoint; the reply's Set-Cookie headers are what a browser
    // would send back: `cookie` is the session token alone, `cacheCookie` adds the session_data cache.
    seed: (count) =>
      inBatches(count, 16, async (i) => {
        const { headers } = await auth.api.signUpEmail({
          body: { email: `user${i}@bench.test`, password: PASSWORD, name: `User ${i}` },
          returnHeaders: true,
        });
        const pairs = headers.getSetCookie().map((line) => line.split(';')[0]);
        return {
          cookie: pairs.filter((pair) => pair.includes('session_token=')).join('; '),
          cacheCookie: pairs.join('; '),
        };
      }),
    close: () => new Promise((done) => server.close(() => done())),
  });
}

runChild(start);
