/** Findings read across a HAR's requests: refresh races and tokens in URLs. */
import type { Finding } from '../diagnosis.js';
import { safeDisplay, startOf, type RefreshRequest } from './har-entries.js';
import { valueHash, type HarEntry } from './har-model.js';

const URL_TOKEN_NAMES = /^(access_token|token|id_token|refresh_token|jwt|auth|bearer)$/i;

/**
 * Refreshes that presented one refresh token more than once: overlapping, or one refused.
 *
 * @example
 * ```ts
 * refreshRaces(refreshes).map((f) => f.what);
 * ```
 */
export function refreshRaces(refreshes: readonly RefreshRequest[]): Finding[] {
  const findings: Finding[] = [];
  const byToken = new Map<string, (typeof refreshes)[number][]>();
  for (const refresh of refreshes) {
    if (refresh.presented === undefined) continue;
    const group = byToken.get(refresh.presented.hash) ?? [];
    group.push(refresh);
    byToken.set(refresh.presented.hash, group);
  }
  for (const [hash, group] of byToken) {
    if (group.length < 2) continue;
    const [first, second] = group as [(typeof group)[number], (typeof group)[number]];
    const refused = group.filter((r) => (r.entry.response.status ?? 0) >= 400);
    const apartMs = startOf(second.entry) - startOf(first.entry);
    // A server that never rotates sees the same token on every refresh: only overlap or a refusal is a race.
    if (refused.length === 0 && apartMs > (first.entry.time ?? 0) + 1000) continue;
    findings.push({
      id: 'refresh-race',
      severity: refused.length > 0 ? 'danger' : 'warning',
      bucket: 'validation',
      what: `${group.length} refreshes presented the same refresh token ${hash}: #${group.map((r) => r.number).join(', #')}, ${Math.max(0, apartMs)} ms apart${refused.length > 0 ? `; #${refused.map((r) => r.number).join(', #')} refused with HTTP ${refused[0]?.entry.response.status ?? 0}` : ' (the server answered both)'}.`,
      why: 'With rotating refresh tokens only the first exchange wins: the second is a reuse, and a server that treats reuse as theft ends the session: the user is logged out although nobody did anything wrong.',
      fix: 'Refresh once per client (one in-flight promise shared by every request, a lock or BroadcastChannel across tabs), and keep a short reuse grace window on the server (Tessera answers the second request with the same successor).',
    });
  }
  return findings;
}

/**
 * Tokens a request carries in its URL's query or fragment, by hash.
 *
 * @example
 * ```ts
 * tokensInUrl(entry, 3)[0]?.id; // 'token-in-url'
 * ```
 */
export function tokensInUrl(entry: HarEntry, number: number): Finding[] {
  let url: URL;
  try {
    url = new URL(entry.request.url);
  } catch {
    return [];
  }
  const params = [...url.searchParams, ...new URLSearchParams(url.hash.replace(/^#/, ''))];
  const found = params.filter(
    ([name, value]) => URL_TOKEN_NAMES.test(name) || /^eyJ[\w-]+\.[\w-]+\./.test(value),
  );
  return found.map(([name, value]) => ({
    id: 'token-in-url',
    severity: 'danger',
    bucket: 'storage',
    what: `Request #${number} (${safeDisplay(entry.request.url)}) carries a token in its URL: parameter "${name}", ${valueHash(value)}.`,
    why: 'URLs land in server and proxy logs, browser history and Referer headers, where anyone reading them can replay the token.',
    fix: 'Send tokens in the Authorization header or an HttpOnly cookie; for EventSource or WebSocket, exchange the token for a one-time ticket.',
  }));
}
