/* global console */
// The app as the field guides build it: Express, bcrypt passwords, a 15-minute jsonwebtoken access
// token and a 7-day refresh token, both handed to the page, which keeps them in localStorage.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import process from 'node:process';
import Database from 'better-sqlite3';
import bcrypt from 'bcryptjs';
import express from 'express';
import jwt from 'jsonwebtoken';

const { PORT = '3000', DATA_DIR = '.', JWT_SECRET, JWT_REFRESH_SECRET } = process.env;
const db = new Database(join(DATA_DIR, 'app.db'));
db.exec(`CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, password_hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
  token TEXT PRIMARY KEY, user_id INTEGER NOT NULL, expires_at INTEGER NOT NULL);`);

const app = express();
app.use(express.static(join(import.meta.dirname, 'dist')));
app.use(express.json());

function issueTokens(userId) {
  const accessToken = jwt.sign({ userId }, JWT_SECRET, { expiresIn: '15m' });
  const refreshToken = jwt.sign({ userId, jti: randomUUID() }, JWT_REFRESH_SECRET, {
    expiresIn: '7d',
  });
  db.prepare('INSERT INTO refresh_tokens VALUES (?, ?, ?)').run(
    refreshToken,
    userId,
    Date.now() + 7 * 24 * 3600 * 1000,
  );
  return { accessToken, refreshToken };
}

function authenticate(req, res, next) {
  const token = req.headers.authorization?.split(' ')[1];
  try {
    req.user = jwt.verify(token, JWT_SECRET);
    next();
  } catch {
    res.status(401).json({ message: 'Unauthorized' });
  }
}

app.post('/api/signup', async (req, res) => {
  const { email, password } = req.body;
  const hash = await bcrypt.hash(password, 10);
  try {
    const { lastInsertRowid } = db
      .prepare('INSERT INTO users (email, password_hash) VALUES (?, ?)')
      .run(email, hash);
    res.json(issueTokens(Number(lastInsertRowid)));
  } catch {
    res.status(409).json({ message: 'Email already registered' });
  }
});

app.post('/api/login', async (req, res) => {
  const user = db.prepare('SELECT * FROM users WHERE email = ?').get(req.body.email);
  if (!user || !(await bcrypt.compare(req.body.password, user.password_hash)))
    return res.status(401).json({ message: 'Invalid email or password' });
  res.json(issueTokens(user.id));
});

app.post('/api/refresh', (req, res) => {
  const { refreshToken } = req.body;
  const row = db.prepare('SELECT * FROM refresh_tokens WHERE token = ?').get(refreshToken);
  try {
    const { userId } = jwt.verify(refreshToken, JWT_REFRESH_SECRET);
    if (!row) throw new Error('revoked');
    res.json({ accessToken: jwt.sign({ userId }, JWT_SECRET, { expiresIn: '15m' }) });
  } catch {
    res.status(403).json({ message: 'Invalid refresh token' });
  }
});

app.post('/api/logout', (req, res) => {
  db.prepare('DELETE FROM refresh_tokens WHERE token = ?').run(req.body.refreshToken);
  res.sendStatus(204);
});

app.get('/api/me', authenticate, (req, res) => {
  const user = db.prepare('SELECT id, email FROM users WHERE id = ?').get(req.user.userId);
  res.json(user);
});

app.listen(Number(PORT), '127.0.0.1', () => console.log(`listening on ${PORT}`));
