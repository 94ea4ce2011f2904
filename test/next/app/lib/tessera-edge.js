// The binding for pages and routes that choose `export const runtime = 'edge'`: no Tessera server there (argon2,
// SQLite and node:crypto do not load on the edge), only the Web Crypto verifier of tessera-auth/verify
// over the app's own JWKS. Built on first use, so `next build` needs no TESSERA_* variables.
import { createTesseraNext } from 'tessera-auth/next';
import { createVerifier } from 'tessera-auth/verify';

let verifier;

/** The verifier, built once per edge isolate. */
export function edgeVerifier() {
  const issuer = process.env.TESSERA_ISSUER;
  verifier ??= createVerifier({
    issuer,
    audience: process.env.TESSERA_AUDIENCE,
    jwksUrl: `${issuer}/.well-known/jwks.json`,
    leewaySeconds: Number(process.env.TESSERA_LEEWAY ?? '60'),
  });
  return verifier;
}

export const tesseraEdge = createTesseraNext({
  backend: async () => ({ verify: (token) => edgeVerifier().verify(token) }),
});

/** Where this code ran, as the route reports it: Next's edge sandbox defines `EdgeRuntime`. */
export function runtimeFacts() {
  return {
    runtime: typeof EdgeRuntime === 'string' ? 'edge' : 'nodejs',
    crypto: edgeVerifier().backend,
  };
}
