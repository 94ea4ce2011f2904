// The load generator, in its own process (forked by bench/peers.js) so it never shares an event loop
// with a server: autocannon at C connections for a fixed time. The C connections share one round-robin
// over the row's users, so consecutive requests carry different sessions and a cache sees them all; a
// user is never in flight twice, so a rotated refresh token is always the latest one.
//   { command: 'users', key, list }    keep a list of credentials (access tokens, cookies, refresh tokens)
//   { command: 'run', key, url, kind, path, connections, seconds }
//       kind 'bearer'  GET path with Authorization: Bearer <credential>
//       kind 'cookie'  GET path with Cookie: <credential>
//       kind 'refresh' POST path with JSON {[field]: credential}; the reply's [field] replaces it
//   -> { rate, p50, p99, requests, non2xx, errors }
import autocannon from 'autocannon';

// key -> { list, busy }. `busy` outlives a run on purpose: when autocannon stops, the requests still in
// flight never report back, so their users' latest refresh token is unknown; they stay busy (retired)
// instead of presenting a token the server already rotated.
const lists = new Map();

function requestFor({ key, kind, path, field }) {
  const stored = lists.get(key);
  if (!stored || stored.list.length === 0) throw new Error(`no users stored under ${key}`);
  const { list, busy } = stored;
  // The round-robin carries on from the key's previous run: restarting at the first user, a run would
  // begin on the users a cache kept from the run before, and a pool larger than the cache would read warm.
  const pick = () => {
    for (let tries = 0; tries < list.length; tries++) {
      const i = stored.next;
      stored.next = (stored.next + 1) % list.length;
      if (busy[i] === 0) return i;
    }
    throw new Error(`every user of ${key} is in flight or retired: seed more users`);
  };
  if (kind === 'refresh')
    return {
      method: 'POST',
      path,
      setupRequest: (req, context) => {
        const i = pick();
        busy[i] = 1;
        context.user = i;
        return {
          ...req,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ [field]: list[i] }),
        };
      },
      onResponse: (status, body, context) => {
        const i = context.user;
        busy[i] = 0;
        if (status === 200) list[i] = JSON.parse(body)[field];
      },
    };
  // A GET carries no state that can go stale, so nothing is marked busy.
  const header = kind === 'bearer' ? 'authorization' : 'cookie';
  const prefix = kind === 'bearer' ? 'Bearer ' : '';
  return {
    method: 'GET',
    path,
    setupRequest: (req) => ({ ...req, headers: { [header]: prefix + list[pick()] } }),
  };
}

async function runLoad(message) {
  const result = await autocannon({
    url: message.url,
    connections: message.connections,
    duration: message.seconds,
    requests: [requestFor(message)],
    // A refused connection or a 5xx must show in `errors`/`non2xx`, never as a faster row.
    timeout: 10,
    // autocannon checks its stop flag once per sample; at its default (1 s) a 0.6 s cell would run 1 s.
    sampleInt: 100,
  });
  const seconds = (new Date(result.finish) - new Date(result.start)) / 1000;
  return {
    rate: Math.round(result['2xx'] / seconds),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result['2xx'] + result.non2xx,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

process.on('disconnect', () => process.exit(0));
process.on('message', async (message) => {
  try {
    if (message.command === 'users') {
      lists.set(message.key, {
        list: [...message.list],
        busy: new Uint8Array(message.list.length),
        next: 0,
      });
      process.send({ ok: true });
    }
    if (message.command === 'run') process.send(await runLoad(message));
  } catch (error) {
    process.send({ error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
