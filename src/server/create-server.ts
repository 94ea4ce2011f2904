import type { Logger } from 'pino';
import { createAccounts } from '../accounts/accounts.js';
import { createMailOutbox, type MailOutbox } from '../accounts/mail-outbox.js';
import type { MailTemplateOverrides } from '../accounts/mail-templates.js';
import { TesseraError } from '../errors/tessera-error.js';
import { createAuthHandler, type AuthHandler } from '../http/auth-handler.js';
import { createResourceGuard } from '../http/require-auth.js';
import { createSessionIssuer } from '../http/session-issuer.js';
import { createTicketAuthenticator, type AuthenticateTicket } from '../http/ticket-auth.js';
import { createAccessTokenSigner } from '../jwt/sign-access-token.js';
import { createAccessTokenVerifier } from '../jwt/verify-access-token.js';
import { createFeedCredentials } from '../sessions/feed-credentials.js';
import { createRevocationView, type RevocationView } from '../sessions/revocation-view.js';
import { hasFeedCredentialStore } from '../store/feed-credential-store.js';
import { createSessionManager, type SessionManager } from '../sessions/session-manager.js';
import type { SessionClaims } from '../sessions/session-options.js';
import type { SessionRow } from '../store/session-store.js';
import type { ServerConfig } from './config.js';
import type { LegacyConfigInput } from './legacy-config.js';
import { withDemoRoutes } from './demo-routes.js';
import { createServerLogger } from './log-format.js';
import { hasAccountStore, openStore, type ServerStore } from './open-store.js';
import { withKeyringHealth } from './keyring-health.js';
import { createMailer, logMailReport, type DeliveredMail } from './mailer.js';
import { createLimiter } from './rate-limiter.js';
import { warnAboutKeptAlgorithm } from './kept-algorithm.js';
import { createReloadingKeyring, type ReloadingKeyring } from './reloading-keyring.js';
import { startStoreSweeper } from './store-sweeper.js';

/** A running Tessera: the Fetch handler and the parts behind it, for tests and embedding. */
export interface TesseraServer {
  readonly handler: AuthHandler;
  readonly sessions: SessionManager;
  readonly store: ServerStore;
  readonly keyring: ReloadingKeyring;
  readonly revocations: RevocationView;
  readonly logger: Logger;
  /**
   * Authenticates an EventSource/WebSocket request by its `?ticket=` from `POST /auth/ticket`: single
   * use, 30 s, dead with its session; throws `TICKET_INVALID` (see `createTicketAuthenticator`).
   */
  readonly authenticateTicket: AuthenticateTicket;
  /**
   * For apps with their own users: starts a session after the app's own password check and answers
   * as `POST /auth/login` does (see `createSessionIssuer`, and the README's "Bring your own users").
   */
  readonly issueSession: ReturnType<typeof createSessionIssuer>;
  /**
   * The mail outbox, when mail can be sent: `drain()` delivers what is due now; `stop()` pauses the
   * worker (requests still queue) and `start()` resumes it.
   */
  readonly mail?: Pick<MailOutbox, 'drain' | 'start' | 'stop'>;
  close(): Promise<void>;
}

/** Options beyond the configuration: the clock, a logger, a reset-token hook and a home page. */
export interface CreateServerOptions {
  readonly config: ServerConfig;
  readonly now?: () => number;
  readonly logger?: Logger;
  readonly deliverResetToken?: (input: {
    email: string;
    token: string;
    expiresAt: number;
  }) => void | Promise<void>;
  /** Sends every rendered mail (reset, verify, account-exists) yourself instead of SMTP. */
  readonly deliverMail?: (mail: DeliveredMail) => void | Promise<void>;
  /** Overrides of the mail templates (over `--mail-templates`), see accounts/mail-templates.ts. */
  readonly mailTemplates?: MailTemplateOverrides;
  /**
   * Decides roles and scope at login and each refresh, told whether the user's address is verified
   * (false for a user the account store does not hold).
   */
  readonly claims?: (input: {
    userId: string;
    session: SessionRow | undefined;
    emailVerified: boolean;
  }) => SessionClaims | Promise<SessionClaims>;
  readonly homePage?: () => Response;
  /**
   * Adopts an old app's sessions (README, "Coming from your own JWT code"); takes the place of the
   * config file's `legacy`. Needed in code when `checkLegacyToken` closes over your own database.
   */
  readonly legacy?: LegacyConfigInput;
}

/**
 * Assembles the server from configuration: store (SQLite or PostgreSQL), persisted keyring, revocation
 * feed (loaded before the first request), session core, accounts, rate limits and the HTTP handler.
 *
 * @example
 * ```ts
 * const server = await createTesseraServer({ config: await resolveConfig({ flags: {}, env: process.env, cwd: process.cwd() }) });
 * ```
 */
export async function createTesseraServer(options: CreateServerOptions): Promise<TesseraServer> {
  const { config } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? (await createServerLogger({ production: config.production }));
  const store = await openStore({
    databaseUrl: config['database-url'],
    pgPooler: config['pg-pooler'],
    sqlitePath: config.db,
    onFileModeWarning: (warning) =>
      logger.warn({ path: warning.path, mode: warning.mode }, warning.message),
  });
  const closers: (() => Promise<void> | void)[] = [() => store.close()];
  try {
    const leeway = config.leeway;
    const keyring = await createReloadingKeyring({
      store,
      encryptionSecret: config.keySecret,
      previousEncryptionSecret: config.keySecretPrevious,
      reporter: logger,
      production: config.production,
      now,
      verifyOverlapSeconds: config['access-ttl'] + leeway,
      alg: config.alg,
    });
    closers.unshift(() => keyring.stop());
    warnAboutKeptAlgorithm(config, keyring, logger);
    const revocations = createRevocationView({
      store,
      horizonSeconds: config['access-ttl'] + leeway,
      now,
    });
    await revocations.start();
    closers.unshift(() => revocations.stop());
    const limiter = await createLimiter(config, closers, now);
    const signAccessToken = createAccessTokenSigner({
      keys: keyring,
      issuer: config.issuer,
      audience: config.audience,
      ttlSeconds: config['access-ttl'],
      now,
    });
    const verifier = createAccessTokenVerifier({
      keys: keyring,
      issuer: config.issuer,
      audience: config.audience,
      leewaySeconds: leeway,
      maxLifetimeSeconds: Math.max(config['access-ttl'], 3600),
      now,
      revocations,
    });
    const managerOptions = {
      store,
      signAccessToken,
      revocations,
      now,
      graceSeconds: config['refresh-grace'],
      idleTimeoutSeconds: config['idle-timeout'],
      absoluteLifetimeSeconds: config['absolute-lifetime'],
      ...(config['max-sessions'] === undefined
        ? {}
        : { maxSessionsPerUser: config['max-sessions'] }),
      // Adopted sessions get the same claims as logins (legacy-server.ts).
      ...(options.claims === undefined ? {} : { claims: claimsWithAccount(options, store) }),
    };
    const sessions = createSessionManager({
      ...managerOptions,
      // Refresh is limited per session, by rotations that commit (never grace answers, never per IP);
      // the budget follows the access lifetime (config.ts). The store holds it in the swap itself
      // (sessions/rotation-budget.ts), so a refresh stays one store round trip.
      rotationsPerMinute: config['refresh-rate-limit'],
      // Audit events go to the store (for `tessera events`) and to the structured log; they never hold tokens.
      onEvent: (event) => logger.info({ audit: event }, 'audit'),
    });
    // The legacy exchange's modules load only for a server that adopts legacy sessions.
    const legacy =
      options.legacy === undefined && config.legacy === undefined
        ? undefined
        : (await import('./legacy-server.js')).legacyExchangeOf({
            options,
            store,
            logger,
            manager: {
              ...managerOptions,
              onEvent: (event) => logger.info({ audit: event }, 'audit'),
            },
          });
    // Mail leaves the request path: a request writes an outbox row, this worker sends (mailer.ts).
    const mailer = hasAccountStore(store)
      ? await createMailer({
          config,
          logger,
          now,
          ...(options.deliverMail === undefined ? {} : { deliverMail: options.deliverMail }),
          ...(options.deliverResetToken === undefined
            ? {}
            : { deliverResetToken: options.deliverResetToken }),
          ...(options.mailTemplates === undefined ? {} : { templates: options.mailTemplates }),
        })
      : undefined;
    const outbox =
      mailer === undefined || !hasAccountStore(store)
        ? undefined
        : createMailOutbox({
            store,
            deliver: (mail) => mailer.deliver(mail),
            now,
            report: logMailReport(logger),
          });
    if (outbox !== undefined) {
      outbox.start();
      closers.unshift(async () => {
        await outbox.stop();
        mailer?.close();
      });
    }
    const accounts = hasAccountStore(store)
      ? createAccounts({
          store,
          now,
          ...(outbox === undefined ? {} : { outbox }),
          requireVerifiedEmail: config['require-verified-email'],
        })
      : undefined;
    const authHandler = createAuthHandler({
      sessions,
      ...(accounts === undefined ? {} : { accounts }),
      verifyAccessToken: (token) => verifier.verify(token),
      jwks: () => keyring.jwks(),
      issuer: config.issuer,
      audience: config.audience,
      leewaySeconds: leeway,
      accessTtlSeconds: config['access-ttl'],
      allowedOrigins: config['allowed-origins'],
      clientIds: config['client-ids'],
      cookieSameSite: config['cookie-same-site'],
      signupEnabled: config.signup,
      trustProxy: config['trust-proxy'],
      rateLimiter: limiter,
      // The device cookie's MAC key comes from the secret that seals the keys (required in production).
      ...(config.keySecret === undefined ? {} : { deviceSecret: config.keySecret }),
      logger,
      now,
      // Remote resource servers follow the revocation feed with a credential from `tessera feeds create`.
      ...(hasFeedCredentialStore(store)
        ? { revocationFeed: { credentials: createFeedCredentials({ store, now }), store } }
        : {}),
      // The page at / is the demo: served only with the demo on (config.demo, off in production).
      ...(options.homePage === undefined || !config.demo ? {} : { homePage: options.homePage }),
      ...(legacy === undefined ? {} : { legacy }),
    });
    // Demo (issue 5): GET /demo/api/hello behind the resource guard, and the compiled client the page at / loads.
    const withDemo = withDemoRoutes(authHandler, {
      guard: createResourceGuard({
        issuer: config.issuer,
        audience: config.audience,
        keys: keyring,
        revocations,
        leewaySeconds: leeway,
        now,
      }),
      now,
      logger,
    });
    // A node whose keyring stopped reloading misses rotations: /healthz says so until it recovers.
    const handler = withKeyringHealth(config.demo ? withDemo : authHandler, () => keyring.health());
    closers.unshift(
      startStoreSweeper({
        store,
        graceSeconds: config['refresh-grace'],
        retentionSeconds: config.retention,
        logger,
        now,
      }),
    );
    return {
      handler,
      sessions,
      store,
      keyring,
      revocations,
      logger,
      ...(outbox === undefined ? {} : { mail: outbox }),
      authenticateTicket:
        accounts === undefined
          ? async () => Promise.reject(noTickets())
          : createTicketAuthenticator({ accounts }),
      issueSession: createSessionIssuer({ sessions, cookieSameSite: config['cookie-same-site'] }),
      async close() {
        for (const close of closers) await close();
      },
    };
  } catch (error) {
    for (const close of closers) await close();
    throw error;
  }
}

// The application's claims hook, told whether the address is verified: one user read per login
// and refresh, only when a hook is configured.
function claimsWithAccount(
  options: CreateServerOptions,
  store: ServerStore,
): NonNullable<Parameters<typeof createSessionManager>[0]['claims']> {
  const hook = options.claims;
  return async ({ userId, session }) => {
    const user = await store.findUserById?.(userId);
    return hook === undefined
      ? {}
      : hook({ userId, session, emailVerified: user?.emailVerified === true });
  };
}

const noTickets = (): TesseraError =>
  new TesseraError('NOT_FOUND', 'This store holds no accounts, so no tickets: it cannot use one.');
