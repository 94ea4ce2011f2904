/* global console */
// The app as the field guides build it: Express, bcrypt passwords, a 15-minute jsonwebtoken access
// token and a 7-day refresh token, both handed to the page, which keeps them in localStorage.
// Now Tessera signs users in: the old tokens are adopted once, the old users were imported.
import { join } from 'node:path';
import process from 'node:process';
import Database from 'better-sqlite3';
import express from 'express';
import { createTesseraServer, resolveConfig } from 'tessera-auth';
import { requireAuth, tesseraRoutes } from 'tessera-auth/express';

const { PORT = '3000', DATA_DIR = '.', JWT_REFRESH_SECRET, LEGACY_WINDOW_ENDS } = process.env;
const db = new Database(join(DATA_DIR, 'app.db'));
db.exec(`CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);`);

// Open sign-up as before (off by default in production), and no demo routes.
const flags = { port: PORT, db: join(DATA_DIR, 'tessera.db'), signup: 'true', demo: 'false' };
const config = await resolveConfig({ flags, env: process.env, cwd: process.cwd() });
const tessera = await createTesseraServer({
  config,
  legacy: {
    // The page's old refresh token is what gets exchanged: it lived 7 days, the access token 15 minutes.
    secret: JWT_REFRESH_SECRET,
    algorithms: ['HS256'],
    userIdClaim: 'userId',
    userIdType: 'number',
    windowEnds: LEGACY_WINDOW_ENDS, // the deploy plus 7 days: every old refresh token has expired
    // Still in the old table, i.e. not logged out: adopted, and capped at its old end.
    checkLegacyToken(claims, { token }) {
      const row = db.prepare('SELECT * FROM refresh_tokens WHERE token = ?').get(token);
      return row ? { refreshExpiresAt: row.expires_at } : false;
    },
  },
});
const { issuer, audience } = config;
const guard = { issuer, audience, keys: tessera.keyring, revocations: tessera.revocations };

const app = express();
app.use(express.static(join(import.meta.dirname, 'dist')));
app.use(tesseraRoutes(tessera.handler)); // /auth/signup, /auth/login, /auth/refresh, /auth/adopt…
app.use(express.json());

app.get('/api/me', requireAuth(guard), async (req, res) => {
  const user = await tessera.store.findUserById(res.locals.auth.sub);
  if (!user) return res.status(404).json({ message: 'No such user' });
  res.json({ id: user.id, email: user.email });
});

app.listen(Number(PORT), '127.0.0.1', () => console.log(`listening on ${PORT}`));
