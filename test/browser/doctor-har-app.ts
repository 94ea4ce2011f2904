// A hand-rolled JWT app of the kind the doctor must explain: express + jsonwebtoken, tokens in
// localStorage, a refresh endpoint that rotates and refuses reuse, a refresh cookie set on a path the
// client never calls, an OAuth-style redirect with the token in the URL, and (optionally) a server
// clock that runs ahead of the browser's.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import jwt from 'jsonwebtoken';

export interface HandRolledApp {
  readonly url: string;
  close(): Promise<void>;
}

const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head><body>
<script>
  async function login() {
    const r = await fetch('/login', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.test', password: 'hunter2-but-longer' }) });
    const body = await r.json();
    localStorage.setItem('accessToken', body.accessToken);
    localStorage.setItem('refreshToken', body.refreshToken);
    return r.status;
  }
  async function api() {
    const r = await fetch('/api/me', { headers: { authorization: 'Bearer ' + localStorage.getItem('accessToken') } });
    return r.status;
  }
  async function refresh() {
    const r = await fetch('/refresh', { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: localStorage.getItem('refreshToken') }) });
    if (r.ok) {
      const body = await r.json();
      localStorage.setItem('accessToken', body.accessToken);
      localStorage.setItem('refreshToken', body.refreshToken);
    }
    return r.status;
  }
  // The interceptor race: two requests see a 401 at once and both refresh with the same token.
  async function raceRefresh() { return Promise.all([refresh(), refresh()]); }
</script></body></html>`;

/** Starts the app on 127.0.0.1; `skewMs` moves the server's clock (and its Date header). */
export async function startHandRolledApp(
  options: { skewMs?: number; ttlSeconds?: number } = {},
): Promise<HandRolledApp> {
  const secret = randomBytes(32).toString('hex');
  const skew = options.skewMs ?? 0;
  const nowS = (): number => Math.floor((Date.now() + skew) / 1000);
  const current = new Set<string>();
  const used = new Set<string>();
  const issue = (): { accessToken: string; refreshToken: string } => {
    const refreshToken = randomBytes(24).toString('base64url');
    current.add(refreshToken);
    const iat = nowS();
    return {
      accessToken: jwt.sign({ userId: 42, iat, exp: iat + (options.ttlSeconds ?? 2) }, secret),
      refreshToken,
    };
  };
  const app = express();
  app.use(express.json());
  app.use((_req, res, next) => {
    res.setHeader('Date', new Date(Date.now() + skew).toUTCString());
    next();
  });
  app.get('/', (_req, res) => {
    res.type('html').send(PAGE);
  });
  app.post('/login', (_req, res) => {
    const tokens = issue();
    // A refresh cookie "for later", on a path the client never calls.
    res.cookie('rt', tokens.refreshToken, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/auth/refresh',
    });
    res.json(tokens);
  });
  app.post('/refresh', (req, res) => {
    const presented = (req.body as { refreshToken?: string }).refreshToken ?? '';
    if (used.has(presented)) {
      res.status(401).json({ message: 'Refresh token reuse detected' });
      return;
    }
    if (!current.delete(presented)) {
      res.status(401).json({ message: 'Invalid refresh token' });
      return;
    }
    used.add(presented);
    res.json(issue());
  });
  app.get('/api/me', (req, res) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    try {
      jwt.verify(token, secret, { clockTimestamp: nowS() });
      res.json({ userId: 42 });
    } catch (error) {
      res.status(401).json({ message: (error as Error).message });
    }
  });
  app.get('/welcome', (_req, res) => {
    res.type('html').send('<!doctype html><p>welcome</p>');
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
