// The server side of a peer process: options arrive in one environment variable, the parent learns the
// port over IPC, and a `seed` command creates users through the server's own code. The process exits when
// its parent goes away, so an aborted bench never leaves a server behind.
import Database from 'better-sqlite3';

/** The environment variable a peer server reads its options from (JSON). */
export const OPTIONS_ENV = 'TESSERA_BENCH_PEER';

/** The options the parent passed: { dir, port, ... }. */
export function childOptions() {
  const raw = process.env[OPTIONS_ENV];
  if (raw === undefined) throw new Error(`${OPTIONS_ENV} is not set: start this file with fork()`);
  return JSON.parse(raw);
}

/**
 * Opens a better-sqlite3 file with the pragmas Tessera's SQLite store sets (WAL, synchronous NORMAL,
 * busy timeout, foreign keys), so every contender writes with the same durability.
 */
export function openSqlite(path) {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  return db;
}

/** Listens on 127.0.0.1:port (0 = any) and resolves with the node:http server. */
export function listenOn(app, port) {
  return new Promise((resolvePromise, reject) => {
    const server = app.listen(port, '127.0.0.1', (error) =>
      error ? reject(error) : resolvePromise(server),
    );
    server.keepAliveTimeout = 65_000;
  });
}

/**
 * Announces the server to the parent and answers its commands: `seed` ({ users }) runs `seed(count)`
 * and replies { users: [...] }; `stop` closes and exits. Errors go back as { error }.
 */
export function serve({ port, seed, close }) {
  process.on('disconnect', () => process.exit(0));
  process.on('message', async (message) => {
    try {
      if (message.command === 'seed') process.send({ users: await seed(message.users) });
      if (message.command === 'stop') {
        await close();
        process.exit(0);
      }
    } catch (error) {
      process.send({ error: String(error?.stack ?? error) });
    }
  });
  process.send({ port });
}

/** Runs `start()` as the child's main; a failure reaches the parent as { error } and exits 1. */
export function runChild(start) {
  start().catch((error) => {
    if (process.send) process.send({ error: String(error?.stack ?? error) });
    else console.error(error);
    process.exit(1);
  });
}

/** Runs `task(i)` for i in 0..count with at most `limit` in flight; resolves with the results in order. */
export async function inBatches(count, limit, task) {
  const results = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const i = next++;
        results[i] = await task(i);
      }
    }),
  );
  return results;
}
