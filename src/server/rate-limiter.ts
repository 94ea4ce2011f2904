/** The rate limiter `tessera serve` runs with: in memory, or in Redis when several nodes share limits. */
import { TesseraError } from '../errors/tessera-error.js';
import {
  createMemoryRateLimiter,
  createRedisRateLimiter,
  type RateLimiter,
  type RedisLike,
} from '../http/rate-limit.js';
import type { ServerConfig } from './config.js';

/**
 * Opens the configured limiter; a Redis one is connected before the server starts (an unreachable
 * Redis refuses the start with STORE_UNAVAILABLE) and its close is pushed onto `closers`.
 *
 * @example
 * ```ts
 * const limiter = await createLimiter(config, closers, Date.now);
 * ```
 */
export async function createLimiter(
  config: ServerConfig,
  closers: (() => Promise<void> | void)[],
  now: () => number,
): Promise<RateLimiter> {
  // The injected clock, so windows move with the rest of the server (tests step it instead of sleeping).
  if (config['redis-url'] === undefined) return createMemoryRateLimiter({ now });
  type RedisClient = RedisLike & {
    connect(): Promise<unknown>;
    quit(): Promise<unknown>;
    disconnect(): void;
    on(event: 'error', listener: (error: Error) => void): unknown;
  };
  const { Redis } = (await import('ioredis')) as unknown as {
    Redis: new (url: string, options: object) => RedisClient;
  };
  // lazyConnect + connect(): with the offline queue off, requests sent before the connection is up would
  // fail, and a server whose Redis is unreachable must refuse to start rather than answer 503 to every login.
  const redis = new Redis(config['redis-url'], {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
  });
  // Later outages surface per request as STORE_UNAVAILABLE; without a listener ioredis prints every reconnect failure.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    const reason = (error as { code?: unknown }).code ?? 'unreachable';
    throw new TesseraError(
      'STORE_UNAVAILABLE',
      `Cannot reach Redis for rate limits (--redis-url): ${String(reason)}.`,
    );
  }
  closers.unshift(async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return createRedisRateLimiter({ redis });
}
