/**
 * The page at GET /: the client SDK's live demo. Sign up, sign in, call a protected API, list and revoke
 * sessions, log out here or everywhere, and watch the session: the access token counting down, every
 * refresh as it happens (which tab, how long, grace or not) and the measured server-clock offset. Open it
 * in several tabs to see one refresh serve them all. The script is the compiled client (no inline script).
 *
 * @example
 * ```ts
 * const response = renderHomePage({ issuer: 'http://localhost:8080' });
 * ```
 */
export function renderHomePage(options: { issuer: string }): Response {
  const issuer = options.issuer.replace(/[<>&"']/g, '');
  // The page may also talk to the issuer's origin when it is served from another one (?auth=, the
  // cross-site cookie demo); only a plain scheme://host[:port] goes into the policy.
  const issuerOrigin = URL.canParse(issuer) ? new URL(issuer).origin : '';
  const connect = /^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(issuerOrigin) ? ` ${issuerOrigin}` : '';
  const html = `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Tessera demo</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:62rem;margin:1.5rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}
.grid{display:grid;grid-template-columns:1fr 1fr;gap:1rem}@media(max-width:50rem){.grid{grid-template-columns:1fr}}
section{border:1px solid #ddd;border-radius:8px;padding:.8rem 1rem}
input{font:inherit;padding:.3rem .4rem;margin:.15rem 0;width:100%;box-sizing:border-box}
button{font:inherit;margin:.2rem .2rem .2rem 0;padding:.3rem .7rem;cursor:pointer}
code,pre{background:#f4f4f4;border-radius:4px;padding:0 .25rem}pre{padding:.5rem;white-space:pre-wrap;max-height:14rem;overflow:auto;margin:.3rem 0}
dl{display:grid;grid-template-columns:auto 1fr;gap:.15rem .8rem;margin:0}dt{color:#666}dd{margin:0;font-variant-numeric:tabular-nums}
#status[data-status=signed-in]{color:#0a7a2f}#status[data-status=signed-out]{color:#b3261e}#status[data-status=reconnecting],#status[data-status=misconfigured]{color:#b36b00}
#countdown{font-size:1.6rem;font-weight:600}.bar{height:6px;background:#eee;border-radius:3px}.bar>i{display:block;height:100%;background:#2f6fdf;border-radius:3px;width:0}
ol{padding-left:1.3rem;margin:.2rem 0;max-height:16rem;overflow:auto}li{margin:.1rem 0}.muted{color:#666}.error{color:#b3261e}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.2rem .3rem;text-align:left;font-size:.9rem}
</style>
<h1>Tessera: sessions that don't log you out at random</h1>
<p class="muted">Auth server <code>${issuer}</code>. This tab is <b id="tab-id">…</b>. Open this page in more tabs: they share one refresh, and a logout reaches all of them.</p>
<div class="grid">
<section>
<h2>Account</h2>
<form id="credentials"><input id="email" type="email" placeholder="email" autocomplete="username" required>
<input id="password" type="password" placeholder="password (8+ characters)" autocomplete="current-password" minlength="8" required>
<button id="signup" type="button">Sign up</button><button id="login" type="submit">Sign in</button></form>
<p><button id="call-api">Call protected API</button><button id="refresh">Refresh now</button><button id="list-sessions">My sessions</button>
<button id="logout">Log out</button><button id="logout-all">Log out everywhere</button></p>
<p id="message" role="status"></p>
<pre id="api-result" class="muted">API answers appear here.</pre>
</section>
<section>
<h2>Session, live</h2>
<dl><dt>Status</dt><dd id="status" data-status="unknown">unknown</dd>
<dt>Access token</dt><dd><span id="countdown">–</span> <span class="muted">left (kept in memory only)</span><div class="bar"><i id="bar"></i></div></dd>
<dt>Session</dt><dd id="session">–</dd>
<dt>Server clock</dt><dd id="offset">measuring…</dd>
<dt>Refresh problem</dt><dd id="problem">–</dd>
<dt>Server warning</dt><dd id="warning">–</dd>
<dt>Logged out because</dt><dd id="reason">–</dd></dl>
<h2>Refreshes</h2><ol id="refreshes" reversed></ol>
</section>
</div>
<section><h2>Devices (sessions)</h2><table><thead><tr><th>Session</th><th>Device</th><th>Last used</th><th></th></tr></thead><tbody id="sessions"><tr><td colspan="4" class="muted">Sign in, then "My sessions".</td></tr></tbody></table></section>
<p class="muted">How it works: the refresh token lives in an httpOnly cookie the page cannot read; the access token lives in this tab's memory. Refresh happens before expiry, timed from the server's <code>expires_in</code> by elapsed time, never by comparing <code>exp</code> with this device's clock. One tab refreshes under a Web Lock and tells the others over a BroadcastChannel. See <a href="/openapi.json">/openapi.json</a>, <a href="/.well-known/oauth-authorization-server">metadata</a>, <a href="/auth/time">server time</a>.</p>
<script type="module" src="/demo/client/demo/demo-app.js"></script>
</html>`;
  return new Response(html, {
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'self'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'${connect}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
      'cache-control': 'no-store',
    },
  });
}
