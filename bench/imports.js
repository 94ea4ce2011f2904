// Bench: how long `import` takes for the package's entry points, each in a fresh Node process, next to
// importing jose (the peer a verifier would otherwise pull in). Also counts the modules each loads and
// whether any heavy dependency (argon2, pino, hono, zod, a database driver) came along.
// Rounds interleave the entries so a burst of machine noise lands on all of them.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { median, spreadPct } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRIES = ['jose', 'tessera-auth', 'tessera-auth/express', 'tessera-auth/client'];
const HEAVY = [
  '@node-rs/argon2',
  'bcryptjs',
  'pino',
  'hono',
  '@hono/node-server',
  'zod',
  'better-sqlite3',
  'pg',
];

// The child times only the import itself (not Node's own start-up), and on request lists every
// module URL it loaded through a resolve hook, so the count is the real module graph.
const TIMER = `const t = performance.now(); await import(process.argv[1]); process.stdout.write(String(performance.now() - t));`;
const COUNTER = `
import { register } from 'node:module';
const seen = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => seen.add(url));
port1.unref();
register('data:text/javascript,' + encodeURIComponent(\`
  let port;
  export function initialize(data) { port = data.port; }
  export async function resolve(s, c, next) { const r = await next(s, c); if (!r.url.startsWith('node:')) port.postMessage(r.url); return r; }
\`), { data: { port: port2 }, transferList: [port2] });
await import(process.argv[1]);
await new Promise((r) => setTimeout(r, 50));
process.stdout.write(JSON.stringify([...seen]));`;

function runChild(script, entry) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script, entry], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`importing ${entry} failed: ${child.stderr.trim()}`);
  return child.stdout;
}

function packageOf(url) {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return match === null ? 'tessera-auth' : match[1];
}

export async function run({ quick, log }) {
  const rounds = quick ? 5 : 15;
  const times = Object.fromEntries(ENTRIES.map((entry) => [entry, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? ENTRIES : [...ENTRIES].reverse();
    for (const entry of order) times[entry].push(Number(runChild(TIMER, entry)));
  }
  const joseMs = median(times.jose);
  const result = { rounds, entries: {} };
  for (const entry of ENTRIES) {
    const urls = JSON.parse(runChild(COUNTER, entry));
    const packages = [...new Set(urls.map(packageOf))].sort();
    const ms = median(times[entry]);
    result.entries[entry] = {
      medianMs: Math.round(ms * 10) / 10,
      spreadPct: spreadPct(times[entry]),
      timeVsJose: Math.round((ms / joseMs) * 100) / 100,
      modules: urls.length,
      packages,
      heavy: packages.filter((name) => HEAVY.includes(name)),
    };
    const row = result.entries[entry];
    log(
      `import ${entry.padEnd(22)} ${row.medianMs.toFixed(1).padStart(6)} ms ±${row.spreadPct}%  ` +
        `${row.timeVsJose.toFixed(2)}x jose's time  ${String(row.modules).padStart(4)} modules  ` +
        `heavy: ${row.heavy.length === 0 ? 'none' : row.heavy.join(', ')}`,
    );
  }
  result.rootLoadsHeavy = result.entries['tessera-auth'].heavy.length > 0;
  return result;
}
