/**
 * The page at GET / until the client SDK's live demo replaces it: what is running and where to look.
 *
 * @example
 * ```ts
 * const response = renderHomePage({ issuer: 'http://localhost:8080' });
 * ```
 */
export function renderHomePage(options: { issuer: string }): Response {
  const issuer = options.issuer.replace(/[<>&"]/g, '');
  const html = `<!doctype html><meta charset="utf-8"><title>Tessera</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .25rem}</style>
<h1>Tessera is running</h1>
<p>Issuer <code>${issuer}</code>. Endpoints: <a href="/openapi.json">/openapi.json</a>, <a href="/.well-known/jwks.json">JWKS</a>,
<a href="/.well-known/oauth-authorization-server">metadata</a>, <a href="/auth/time">server time</a>, <a href="/healthz">health</a>.</p>
<p>Try it: <code>curl -si -X POST ${issuer}/auth/signup -H 'content-type: application/json' -H 'token-transport: body' -d '{"email":"a@example.com","password":"correct horse"}'</code></p>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'; style-src 'unsafe-inline'" } });
}
