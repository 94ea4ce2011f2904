// The parent side of the peer processes: start a server script in its own process, ask it to seed users,
// measure a cold start, and stop every process this run started even when a row throws.
import { fork } from 'node:child_process';
import { clearTimeout } from 'node:timers';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { OPTIONS_ENV } from './child.js';

/** The peer server scripts, by contender name. */
export const SCRIPTS = {
  tessera: fileURLToPath(new URL('./tessera-server.js', import.meta.url)),
  handrolled: fileURLToPath(new URL('./handrolled-server.js', import.meta.url)),
  'better-auth': fileURLToPath(new URL('./better-auth-server.js', import.meta.url)),
};

/** Tracks started processes so one `stopAll()` in a finally block ends each of them. */
export function createFleet() {
  const children = new Set();
  const kill = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.on('exit', kill);

  /** Forks `script` with `options`; resolves when it reports its port: { port, child, seed, stop }. */
  const start = (script, options) => {
    const child = fork(script, [], {
      env: {
        ...process.env,
        [OPTIONS_ENV]: JSON.stringify(options),
        BETTER_AUTH_TELEMETRY: '0',
        TESSERA_LOG_LEVEL: 'silent',
      },
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    track(child);
    return new Promise((resolvePromise, reject) => {
      const onExit = (code) => reject(new Error(`${script} exited with ${code} before listening`));
      child.once('exit', onExit);
      child.once('message', (message) => {
        child.off('exit', onExit);
        if (message.error) {
          child.kill('SIGKILL');
          reject(new Error(message.error));
          return;
        }
        resolvePromise({
          port: message.port,
          child,
          seed: (users) => ask(child, { command: 'seed', users }).then((reply) => reply.users),
          stop: () => stopChild(child),
        });
      });
    });
  };

  const track = (child) => {
    children.add(child);
    child.once('exit', () => children.delete(child));
  };

  return {
    start,
    track,
    /**
     * Spawn to the first 200 of `GET path` with `headers` (a token issued before the spawn, so the
     * server starts on an existing database as a restarted node does). Polls every 2 ms on fresh
     * connections; resolves with milliseconds from fork() to that answer, then stops the process.
     */
    async coldStart(script, options, { path, headers }) {
      const port = options.port;
      const started = performance.now();
      const running = start(script, options);
      running.catch(() => {});
      for (;;) {
        const status = await probe(port, path, headers);
        if (status === 200) break;
        if (status !== 0 && status !== 200)
          throw new Error(`cold start of ${script}: first answer was ${status}, not 200`);
        if (performance.now() - started > 30_000)
          throw new Error(`cold start of ${script}: no answer in 30 s`);
        await new Promise((done) => setTimeout(done, 2));
      }
      const ms = performance.now() - started;
      await (await running).stop();
      return ms;
    },
    async stopAll() {
      await Promise.all([...children].map((child) => stopChild(child)));
    },
  };
}

/** A port nobody listens on right now (the cold-start probe must know it before the server starts). */
export function freePort() {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

function ask(child, message) {
  return new Promise((resolvePromise, reject) => {
    child.once('message', (reply) =>
      reply.error ? reject(new Error(reply.error)) : resolvePromise(reply),
    );
    child.send(message);
  });
}

function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => (clearTimeout(timer), done()));
    if (child.connected) child.send({ command: 'stop' });
    else child.kill('SIGKILL');
  });
}

// 0 while nothing listens yet (connection refused), else the status of the answer.
function probe(port, path, headers) {
  return new Promise((resolvePromise) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode));
    });
    req.on('error', () => resolvePromise(0));
    req.end();
  });
}

/**
 * Forks the load generator (bench/peers/load.js) into its own process. Returns { store(key, list),
 * run(options), stop() }; `run` resolves with { rate, p50, p99, requests, non2xx, errors }.
 */
export function startLoad(fleet) {
  const child = fork(fileURLToPath(new URL('./load.js', import.meta.url)), [], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  fleet.track(child);
  const ready = new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
    child.once('message', () => resolvePromise());
  });
  return {
    store: async (key, list) => (await ready, ask(child, { command: 'users', key, list })),
    run: async (options) => (await ready, ask(child, { command: 'run', ...options })),
    stop: () => stopChild(child),
  };
}
