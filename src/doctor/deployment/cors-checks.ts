/**
 * Checks CORS for the auth endpoints the way a browser meets it: the app's origin gets a credentialed
 * preflight answer that allows the CSRF header, and an origin nobody allowed gets none.
 */
import { CSRF_HEADER } from '../../wire/names.js';
import type { CheckResult, Finding } from '../diagnosis.js';
import { timedFetch } from '../server-client.js';

// An origin no deployment allows: if it gets CORS headers, the server reflects any origin.
const FOREIGN_ORIGIN = 'https://doctor-probe.invalid';

/**
 * Checks CORS for the auth endpoints: the app's origin gets a credentialed preflight answer, a foreign
 * origin gets none.
 *
 * @example
 * ```ts
 * const { passed, findings } = await checkOrigins({ server, origin: 'https://app.example.com' });
 * ```
 */
export async function checkOrigins(options: {
  server: string;
  origin: string;
  fetch?: typeof fetch;
}): Promise<CheckResult> {
  const passed: string[] = [];
  const findings: Finding[] = [];
  const url = `${options.server.replace(/\/$/, '')}/auth/refresh`;
  const preflight = (origin: string): Promise<Response> =>
    timedFetch(options.fetch, url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': `content-type,${CSRF_HEADER}`,
      },
    });
  if (new URL(options.origin).origin !== new URL(options.server).origin) {
    const answer = await preflight(options.origin);
    const allowOrigin = answer.headers.get('access-control-allow-origin');
    const allowHeaders = (answer.headers.get('access-control-allow-headers') ?? '').toLowerCase();
    if (
      allowOrigin !== options.origin ||
      answer.headers.get('access-control-allow-credentials') !== 'true'
    ) {
      findings.push({
        id: 'cors-origin-refused',
        severity: 'danger',
        bucket: 'storage',
        what: `A CORS preflight from ${options.origin} to /auth/refresh gets no credentialed answer (Access-Control-Allow-Origin: ${allowOrigin ?? 'none'}).`,
        why: "The browser blocks the app's refresh and login calls before they are sent: users cannot stay signed in.",
        fix: `Add ${options.origin} to --allowed-origins (TESSERA_ALLOWED_ORIGINS).`,
      });
    } else if (!allowHeaders.includes(CSRF_HEADER)) {
      findings.push({
        id: 'cors-headers',
        severity: 'danger',
        bucket: 'storage',
        what: 'The preflight does not allow the Tessera-CSRF header.',
        why: 'Browser state changes must send it; without it every refresh fails the CSRF check.',
        fix: 'Allow Content-Type, Authorization, Tessera-CSRF and Token-Transport in Access-Control-Allow-Headers.',
      });
    } else
      passed.push(
        `CORS preflight from ${options.origin} to /auth/refresh is allowed with credentials and the Tessera-CSRF header`,
      );
  } else passed.push(`app origin ${options.origin} is the API's own origin: no CORS needed`);
  const foreign = (await preflight(FOREIGN_ORIGIN)).headers.get('access-control-allow-origin');
  if (foreign !== null) {
    findings.push({
      id: 'cors-reflects-any',
      severity: 'danger',
      bucket: 'storage',
      what: `A preflight from an unknown origin (${FOREIGN_ORIGIN}) is answered with Access-Control-Allow-Origin: ${foreign}.`,
      why: "Any website can then call the auth endpoints with the user's cookies and read the answers.",
      fix: 'Allow only the app\'s own origins; never reflect the Origin header or answer "*".',
    });
  } else passed.push('CORS refuses an unknown origin');
  return { passed, findings };
}
