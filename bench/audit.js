// Bench: files audited per second with the Tessera rules, next to plain ESLint with no rules and the same
// parsers on the same tree (the parsing floor). Medians of interleaved rounds; target ratio >= 0.5.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createAuditLinter } from '../dist/audit/run-audit.js';
import { listSourceFiles } from '../dist/audit/source-files.js';

// Small files shaped like real app code: routes, services, clients, components, utilities.
const TEMPLATES = [
  (i) => [
    'js',
    `import express from 'express';\nimport jwt from 'jsonwebtoken';\nconst router = express.Router();\nrouter.get('/items/${i}', async (req, res) => {\n  const claims = jwt.verify(req.headers.authorization.slice(7), process.env.JWT_PUBLIC_KEY, { algorithms: ['RS256'], audience: 'api', issuer: 'auth' });\n  const items = await db.items.findMany({ where: { owner: claims.sub, page: Number(req.query.page ?? 0) } });\n  res.json(items.map((item) => ({ id: item.id, name: item.name, total: item.price * item.qty })));\n});\nexport default router;\n`,
  ],
  (i) => [
    'ts',
    `export interface Order${i} { id: string; total: number; lines: { sku: string; qty: number }[] }\n\nexport function summarize${i}(orders: readonly Order${i}[]): { count: number; revenue: number } {\n  let revenue = 0;\n  for (const order of orders) {\n    revenue += order.lines.reduce((sum, line) => sum + line.qty, 0) * order.total;\n  }\n  return { count: orders.length, revenue };\n}\n`,
  ],
  (i) => [
    'ts',
    `import axios, { type AxiosInstance } from 'axios';\n\nexport class Client${i} {\n  private readonly http: AxiosInstance;\n  constructor(baseURL: string) {\n    this.http = axios.create({ baseURL, timeout: 5000 });\n  }\n  async fetchUser(id: string): Promise<{ id: string; name: string }> {\n    const { data } = await this.http.get(\`/users/\${encodeURIComponent(id)}\`);\n    return data as { id: string; name: string };\n  }\n}\n`,
  ],
  (i) => [
    'jsx',
    `import { useEffect, useState } from 'react';\n\nexport function Panel${i}({ userId }) {\n  const [state, setState] = useState({ loading: true, rows: [] });\n  useEffect(() => {\n    fetch('/api/rows/' + userId).then((r) => r.json()).then((rows) => setState({ loading: false, rows }));\n  }, [userId]);\n  if (state.loading) return <p>Loading</p>;\n  return <ul>{state.rows.map((row) => <li key={row.id}>{row.label}</li>)}</ul>;\n}\n`,
  ],
  (i) => [
    'ts',
    `import { SignJWT, jwtVerify } from 'jose';\n\nconst key = new TextEncoder().encode(process.env.SESSION_KEY_${i % 7});\n\nexport async function issue(sub: string): Promise<string> {\n  return new SignJWT({ sub, typ: 'access' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('10m').sign(key);\n}\n\nexport async function check(token: string): Promise<string | undefined> {\n  const { payload } = await jwtVerify(token, key, { audience: 'web', issuer: 'tessera' });\n  return payload.sub;\n}\n`,
  ],
  (i) => [
    'js',
    `const MS_PER_DAY = 86400000;\n\nfunction addDays(date, days) {\n  return new Date(date.getTime() + days * MS_PER_DAY);\n}\n\nfunction formatRange${i}(start, days) {\n  const end = addDays(start, days);\n  return start.toISOString().slice(0, 10) + ' to ' + end.toISOString().slice(0, 10);\n}\n\nmodule.exports = { addDays, formatRange${i} };\n`,
  ],
  (i) => [
    'ts',
    `import type { FastifyInstance } from 'fastify';\n\nexport default async function routes${i}(app: FastifyInstance): Promise<void> {\n  app.post('/logout', async (request, reply) => {\n    await app.sessions.revoke(request.user.sid);\n    reply.clearCookie('rt', { path: '/auth' });\n    return reply.code(204).send();\n  });\n  app.get('/health', async () => ({ ok: true, at: Date.now() }));\n}\n`,
  ],
  (i) => [
    'js',
    `export const config${i} = {\n  port: Number(process.env.PORT ?? 3000),\n  db: { host: process.env.DB_HOST, pool: { min: 2, max: 10 } },\n  features: ['search', 'export', 'beta-${i}'],\n};\n\nexport function isEnabled(name) {\n  return config${i}.features.includes(name);\n}\n`,
  ],
];

async function writeTree(dir, count) {
  for (let i = 0; i < count; i += 1) {
    const [ext, text] = TEMPLATES[i % TEMPLATES.length](i);
    const sub = path.join(dir, 'src', `module${i % 50}`);
    if (i < 50) await mkdir(sub, { recursive: true });
    await writeFile(path.join(sub, `file${i}.${ext}`), text);
  }
}

async function timePass(eslint, files) {
  const started = performance.now();
  let messages = 0;
  for (let start = 0; start < files.length; start += 500) {
    const results = await eslint.lintFiles(files.slice(start, start + 500));
    for (const result of results) messages += result.messages.length;
  }
  return { seconds: (performance.now() - started) / 1000, messages };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function run({ quick, log }) {
  const count = quick ? 500 : 5000;
  const rounds = quick ? 3 : 5;
  const dir = await mkdtemp(path.join(tmpdir(), 'tessera-bench-audit-'));
  try {
    await writeTree(dir, count);
    const files = await listSourceFiles(dir);
    const tessera = await createAuditLinter({ root: dir, withRules: true });
    const floor = await createAuditLinter({ root: dir, withRules: false });
    // Warm both (parser load, JIT) on a slice so round 1 is not the slowest by construction.
    await timePass(tessera, files.slice(0, 100));
    await timePass(floor, files.slice(0, 100));
    const rates = { tessera: [], floor: [] };
    let findings = 0;
    for (let round = 0; round < rounds; round += 1) {
      const order = round % 2 === 0 ? ['floor', 'tessera'] : ['tessera', 'floor'];
      for (const name of order) {
        const pass = await timePass(name === 'tessera' ? tessera : floor, files);
        rates[name].push(files.length / pass.seconds);
        if (name === 'tessera') findings = pass.messages;
      }
      log(
        `round ${round + 1}/${rounds}: floor ${rates.floor.at(-1).toFixed(0)} files/s, tessera ${rates.tessera.at(-1).toFixed(0)} files/s`,
      );
    }
    const result = {
      files: files.length,
      rounds,
      rules: 16,
      findingsInTree: findings,
      tesseraFilesPerSecond: Math.round(median(rates.tessera)),
      floorFilesPerSecond: Math.round(median(rates.floor)),
      ratioToFloor: Number((median(rates.tessera) / median(rates.floor)).toFixed(3)),
      target: 0.5,
    };
    log(
      `audit: ${result.tesseraFilesPerSecond} files/s with Tessera rules vs ${result.floorFilesPerSecond} files/s parse-only floor = ${result.ratioToFloor}x (target >= 0.5x)`,
    );
    return result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
