// The field guides' own design, written as a tutorial would but correctly: Express 5, jsonwebtoken
// (HS256 access tokens for 15 minutes), bcrypt password hashes, and a refresh-token table on SQLite
// (better-sqlite3) where each refresh token is stored hashed and rotated on use: look it up, delete it,
// insert its successor, all in one transaction, then sign a new access token.
//   POST /register {email, password}    -> 201
//   POST /login    {email, password}    -> {accessToken, refreshToken}
//   POST /refresh  {refreshToken}       -> {accessToken, refreshToken} (the old one is dead)
//   GET  /protected (Bearer)            -> {user}
// Options (from the parent): dir, port, bcryptRounds (10, as the guides write it).
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import express from 'express';
import jwt from 'jsonwebtoken';
import { childOptions, listenOn, openSqlite, runChild, serve } from './child.js';

/** The HS256 secret every process of one run shares, so tokens survive a restart (cold start). */
const ACCESS_SECRET = 'tessera-bench-handrolled-secret-0123456789abcdef';
const ACCESS_TTL = '15m';
const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;
const PASSWORD = 'correct horse battery staple';

const hashToken = (token) => createHash('sha256').update(token).digest('hex');

/** The app and its store functions on the SQLite file in `dir`. */
export function createHandRolled({ dir, bcryptRounds = 10 }) {
  const db = openSqlite(join(dir, 'handrolled.db'));
  db.exec(`
    CREATE TABLE IF NOT EXISTS users (
      id INTEGER PRIMARY KEY,
      email TEXT NOT NULL UNIQUE,
      password_hash TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS refresh_tokens (
      token_hash TEXT PRIMARY KEY,
      user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      expires_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS refresh_tokens_user ON refresh_tokens(user_id);
  `);
  const insertUser = db.prepare('INSERT INTO users (email, password_hash) VALUES (?, ?)');
  const findUser = db.prepare('SELECT id, password_hash FROM users WHERE email = ?');
  const insertRefresh = db.prepare(
    'INSERT INTO refresh_tokens (token_hash, user_id, expires_at) VALUES (?, ?, ?)',
  );
  const findRefresh = db.prepare(
    'SELECT user_id FROM refresh_tokens WHERE token_hash = ? AND expires_at > ?',
  );
  const deleteRefresh = db.prepare('DELETE FROM refresh_tokens WHERE token_hash = ?');

  const signAccess = (userId) =>
    jwt.sign({ sub: String(userId) }, ACCESS_SECRET, { algorithm: 'HS256', expiresIn: ACCESS_TTL });
  const newRefresh = (userId) => {
    const token = randomBytes(32).toString('base64url');
    insertRefresh.run(hashToken(token), userId, Date.now() + REFRESH_TTL_MS);
    return token;
  };
  // Returns the new refresh token, or null when the presented one is unknown, used or expired.
  const rotate = db.transaction((presented) => {
    const row = findRefresh.get(hashToken(presented), Date.now());
    if (!row) return null;
    deleteRefresh.run(hashToken(presented));
    return { userId: row.user_id, refreshToken: newRefresh(row.user_id) };
  });

  const register = async (email, password) =>
    insertUser.run(email, await bcrypt.hash(password, bcryptRounds)).lastInsertRowid;
  const login = async (email, password) => {
    const user = findUser.get(email);
    if (!user || !(await bcrypt.compare(password, user.password_hash))) return null;
    return { accessToken: signAccess(user.id), refreshToken: newRefresh(user.id) };
  };

  const app = express();
  app.use(express.json());
  app.post('/register', async (req, res) => {
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string' || password.length < 8)
      return res.status(400).json({ error: 'email and a password of 8+ characters required' });
    if (findUser.get(email)) return res.status(409).json({ error: 'email taken' });
    await register(email, password);
    res.status(201).json({ ok: true });
  });
  app.post('/login', async (req, res) => {
    const { email, password } = req.body ?? {};
    if (typeof email !== 'string' || typeof password !== 'string')
      return res.status(400).json({ error: 'email and password required' });
    const tokens = await login(email, password);
    if (!tokens) return res.status(401).json({ error: 'invalid credentials' });
    res.json(tokens);
  });
  app.post('/refresh', (req, res) => {
    const presented = req.body?.refreshToken;
    if (typeof presented !== 'string')
      return res.status(400).json({ error: 'refreshToken required' });
    const rotated = rotate(presented);
    if (!rotated) return res.status(401).json({ error: 'invalid refresh token' });
    res.json({ accessToken: signAccess(rotated.userId), refreshToken: rotated.refreshToken });
  });
  app.get('/protected', (req, res) => {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ')) return res.status(401).json({ error: 'missing token' });
    try {
      const claims = jwt.verify(header.slice(7), ACCESS_SECRET, { algorithms: ['HS256'] });
      res.json({ user: claims.sub });
    } catch {
      res.status(401).json({ error: 'invalid token' });
    }
  });
  // Seeding: every user gets the same bcrypt hash (computed once) and tokens from the code /login uses
  // after its password check, since no measured row checks a password.
  const seedUsers = async (count) => {
    const hash = await bcrypt.hash(PASSWORD, bcryptRounds);
    return db.transaction(() =>
      Array.from({ length: count }, (_, i) => {
        const userId = insertUser.run(`user${i}@bench.test`, hash).lastInsertRowid;
        return { accessToken: signAccess(userId), refreshToken: newRefresh(userId) };
      }),
    )();
  };
  return { app, db, seedUsers };
}

async function start() {
  const options = childOptions();
  const { app, db, seedUsers } = createHandRolled(options);
  const server = await listenOn(app, options.port);
  serve({
    port: server.address().port,
    seed: seedUsers,
    close: () => new Promise((done) => server.close(() => (db.close(), done()))),
  });
}

runChild(start);
