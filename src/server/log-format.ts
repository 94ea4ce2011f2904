/**
 * How the server's log reads: lines a person can read on a terminal, JSON lines for everything else
 * (files, pipes, log shippers). The decision is a pure function; pino-pretty is loaded only when the
 * answer is `pretty`, so a production process never loads it.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { TesseraError } from '../errors/tessera-error.js';

/** The two ways the log is written. */
export type LogFormat = 'pretty' | 'json';

const FORMATS: readonly LogFormat[] = ['pretty', 'json'];

/** What decides the format. */
export interface LogFormatInput {
  /** Whether the log's destination (stdout) is a terminal. */
  readonly isTTY: boolean;
  /** `TESSERA_LOG_FORMAT` as set (undefined or empty: decide from the rest). */
  readonly requested: string | undefined;
  /** Production mode (`--production` or `NODE_ENV=production`). */
  readonly production: boolean;
}

/**
 * Picks the log format: what `TESSERA_LOG_FORMAT` asks for; otherwise `pretty` on a terminal outside
 * production and `json` everywhere else. Production stays JSON on a terminal too (an operator's
 * `docker run -t` still feeds a collector) unless pretty is asked for by name.
 *
 * @example
 * ```ts
 * chooseLogFormat({ isTTY: true, requested: undefined, production: false }); // 'pretty'
 * chooseLogFormat({ isTTY: false, requested: undefined, production: false }); // 'json'
 * chooseLogFormat({ isTTY: true, requested: 'json', production: false }); // 'json'
 * ```
 */
export function chooseLogFormat(input: LogFormatInput): LogFormat {
  const requested = input.requested?.trim().toLowerCase();
  if (requested !== undefined && requested !== '') {
    if ((FORMATS as readonly string[]).includes(requested)) return requested as LogFormat;
    throw new TesseraError(
      'CONFIG_INVALID',
      `TESSERA_LOG_FORMAT must be pretty or json, got ${JSON.stringify(input.requested?.slice(0, 40))}`,
    );
  }
  return input.isTTY && !input.production ? 'pretty' : 'json';
}

// Values that must never reach a log line, whatever object they sit in; the request log also
// redacts token-shaped path segments and query values (http/redact-url.ts).
const REDACT: LoggerOptions['redact'] = {
  paths: [
    '*.authorization',
    '*.cookie',
    '*["set-cookie"]',
    '*.token',
    '*.refresh_token',
    '*.access_token',
    '*.password',
  ],
  censor: '[redacted]',
};

/** Options of {@link createServerLogger}. */
export interface ServerLoggerOptions {
  readonly production: boolean;
  /** Default: `TESSERA_LOG_LEVEL`, else `info`. */
  readonly level?: string;
  /** Default: `process.stdout.isTTY`. */
  readonly isTTY?: boolean;
  /** Default: `TESSERA_LOG_FORMAT`. */
  readonly format?: string;
}

/**
 * The server's pino logger, redacting as always, in the format {@link chooseLogFormat} picks.
 * Redaction happens in pino before either format sees the line.
 *
 * @example
 * ```ts
 * const logger = await createServerLogger({ production: config.production });
 * logger.info({ port: 8080 }, 'listening');
 * ```
 */
export async function createServerLogger(options: ServerLoggerOptions): Promise<Logger> {
  const format = chooseLogFormat({
    isTTY: options.isTTY ?? process.stdout.isTTY === true,
    requested: options.format ?? process.env.TESSERA_LOG_FORMAT,
    production: options.production,
  });
  const settings: LoggerOptions = {
    level: options.level ?? process.env.TESSERA_LOG_LEVEL ?? 'info',
    redact: REDACT,
  };
  if (format === 'json') return pino(settings);
  const { default: pretty } = await import('pino-pretty');
  // Synchronous writes: `tessera serve` exits right after its last line on Ctrl-C.
  return pino(
    settings,
    pretty({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true }),
  );
}
