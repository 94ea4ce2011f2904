/** Every setting, by its flag name. Environment: `TESSERA_` + the name in upper snake case (and PORT, DATABASE_URL). */
export const SETTINGS = {
  port: 'port number (default 8080)',
  host: 'address to listen on (default 127.0.0.1 in development, 0.0.0.0 in production)',
  db: 'SQLite file (default ./tessera.db)',
  'database-url': 'postgres://... to share one database between nodes',
  'pg-pooler':
    'what --database-url points at: none (PostgreSQL, or a session-mode pooler; default) or transaction (pgbouncer pool_mode=transaction: no named statements, revocations polled every 500 ms)',
  issuer: 'iss of every token (development default: http://localhost:PORT)',
  audience: 'aud of every token (development default: tessera)',
  'access-ttl': 'access-token lifetime (default 15m)',
  'refresh-grace': 'grace window for the previous refresh token, 0-600s (default 30s)',
  'refresh-rate-limit':
    'refreshes (rotations) per session per minute before 429; grace answers are free (default: max(30, 4 x 60 / access-ttl in s))',
  'idle-timeout': 'session idle timeout (default 14d)',
  'absolute-lifetime': 'session absolute lifetime (default 30d)',
  leeway: 'clock-skew leeway, 0-300s (default 60s)',
  'allowed-origins':
    'comma-separated browser origins for CORS and CSRF (default: the issuer origin)',
  'client-ids': 'comma-separated public OAuth client ids (default tessera)',
  'trust-proxy': 'believe X-Forwarded-For/Proto (true/false, default false)',
  production: 'production mode: refuse unsafe defaults (also NODE_ENV=production)',
  'redis-url': 'redis://... to share rate limits between nodes',
  signup:
    'allow open POST /auth/signup (true/false; default true in development, false in production)',
  demo: 'serve the demo page at / and /demo/* (true/false; default true in development, false in production)',
  'cookie-same-site': 'Lax (default), Strict, or None for cross-site apps',
  'max-sessions': 'sessions per user before the oldest is revoked (default unlimited)',
  'allow-long-access-ttl': 'allow an access lifetime over 1 h in production (true/false)',
  retention:
    'how long audit events, revocation records and stored IP addresses are kept (default 90d)',
  alg: 'algorithm of the first signing key: ES256 (default), EdDSA, RS256 or PS256; a stored keyring keeps its keys (change with tessera keys rotate --alg)',
  'smtp-url':
    'smtp://user:pass@host:587 or smtps://... for reset and verification mail (development default: links printed on the console)',
  'public-url':
    'the app URL mail links are built from, never from a request (development default: the first allowed origin)',
  'mail-from': 'From address of the mail (development default: Tessera <tessera@localhost>)',
  'mail-templates':
    'JSON file of subject/text/html overrides per mail: reset, verify, account-exists',
  'require-verified-email':
    'sign-up answers alike for new and taken emails and accounts sign in once verified (true/false, default false)',
} as const;

/** A setting name. */
export type SettingName = keyof typeof SETTINGS;
