// What a user writes once: the in-process Tessera (store, keyring, revocations) and the Next binding.
import { createResourceGuard, createTesseraServer, resolveConfig } from 'tessera-auth';
import { createTesseraNext } from 'tessera-auth/next';

// The proxy and the app routes are separate bundles in one process: share one server between them.
const SERVER = Symbol.for('tessera-next-fixture.server');

async function start() {
  const config = await resolveConfig({ flags: {}, env: process.env, cwd: process.cwd() });
  const server = await createTesseraServer({ config });
  const guard = createResourceGuard({
    issuer: config.issuer,
    audience: config.audience,
    leewaySeconds: config.leeway,
    keys: server.keyring,
    revocations: server.revocations,
  });
  return { handler: server.handler, verify: (token) => guard.verify(token) };
}

export const tessera = createTesseraNext({
  backend: () => (globalThis[SERVER] ??= start()),
});
