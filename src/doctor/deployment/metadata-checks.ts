/**
 * Checks what the server publishes about itself: the Tessera members of its RFC 8414 metadata, and an
 * issuer that is a public https URL every API can expect byte for byte.
 */
import type { CheckResult, Finding } from '../diagnosis.js';
import type { ServerMetadata } from '../server-client.js';

// Plain HTTP is expected in development: an issuer on the loopback host is no finding.
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/**
 * Checks the metadata the doctor read from `server`: its missing members, then its issuer.
 *
 * @example
 * ```ts
 * const { passed, findings } = checkMetadata({ metadata, server: 'https://auth.example.com' });
 * ```
 */
export function checkMetadata(options: { metadata: ServerMetadata; server: string }): CheckResult {
  const { metadata, server } = options;
  const findings: Finding[] = [];
  for (const problem of metadata.problems) {
    findings.push({
      id: 'metadata-member',
      severity: 'warning',
      bucket: null,
      what: `The metadata's ${problem}.`,
      why: 'Clients and the doctor read the audience, leeway, grace window and access TTL from it.',
      fix: "Serve the metadata from Tessera's discovery routes (or add the tessera_* members).",
    });
  }
  findings.push(...checkIssuer(metadata.issuer, server));
  return {
    passed: [`metadata at /.well-known/oauth-authorization-server (issuer ${metadata.issuer})`],
    findings,
  };
}

function checkIssuer(issuer: string, server: string): Finding[] {
  const findings: Finding[] = [];
  let issuerUrl: URL;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    return [
      {
        id: 'issuer-not-url',
        severity: 'danger',
        bucket: 'validation',
        what: `The issuer ${JSON.stringify(issuer)} is not a URL.`,
        why: 'RFC 8414 issuers are https URLs; APIs compare iss to it byte for byte.',
        fix: 'Set --issuer to the public https URL of the auth server.',
      },
    ];
  }
  if (issuerUrl.origin !== new URL(server).origin) {
    findings.push({
      id: 'issuer-elsewhere',
      severity: 'info',
      bucket: 'validation',
      what: `The issuer is ${issuer}, but the doctor reached the server at ${server}.`,
      why: 'Tokens carry the issuer; every API must expect exactly that string, whatever URL it uses internally.',
      fix: 'Make sure --issuer is the public URL and every API is configured with the same string.',
    });
  }
  if (issuerUrl.protocol === 'http:' && !LOOPBACK_HOSTS.includes(issuerUrl.hostname)) {
    findings.push({
      id: 'issuer-http',
      severity: 'warning',
      bucket: 'validation',
      what: `The issuer ${issuer} is plain HTTP.`,
      why: 'Tokens, keys and cookies then travel unencrypted, and Secure cookies are not stored.',
      fix: 'Serve the auth server over HTTPS and set --issuer to its https URL.',
    });
  }
  return findings;
}
