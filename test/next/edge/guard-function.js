// The proxy guard and request authenticator of tessera-auth/next as an edge function (service-worker
// syntax, Vercel's edge runtime), verifying with the Web Crypto verifier of tessera-auth/verify.
// Configuration is set on globalThis before this runs; next-edge.test.ts maps the imports to src/.
/* global Response, addEventListener -- the edge runtime's, as in a service worker */
import { createProxyGuard } from 'tessera-auth/next/proxy-guard';
import { createRequestAuthenticator } from 'tessera-auth/next/request-session';
import { createVerifier } from 'tessera-auth/verify';

const { ISSUER, AUDIENCE, JWKS_URL } = globalThis.EDGE_CONFIG;
const verifier = createVerifier({
  issuer: ISSUER,
  audience: AUDIENCE,
  jwksUrl: JWKS_URL,
  leewaySeconds: 0,
});
const authenticate = createRequestAuthenticator({ verify: (token) => verifier.verify(token) });
const guard = createProxyGuard({ protect: ['/dashboard'] }, authenticate);

async function handle(request) {
  const answer = await guard(request);
  if (answer !== undefined) return answer;
  const result = await authenticate(request);
  return Response.json({
    through: true,
    userId: result.ok ? result.session.userId : null,
    backend: verifier.backend,
  });
}

addEventListener('fetch', (event) => {
  event.respondWith(handle(event.request));
});
