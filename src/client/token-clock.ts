/** The two clocks the client reads: the wall clock (jumps when set) and a monotonic one (may stop in sleep). */
export interface ClientClocks {
  /** Wall clock, epoch ms (`Date.now`). */
  readonly now: () => number;
  /** Monotonic ms (`performance.now`). */
  readonly monotonic: () => number;
}

/**
 * When an access token was received and how long the server said it lives. Its age is the larger of the
 * monotonic and the wall clock's progress since receipt: a monotonic clock can stop while a laptop sleeps
 * and a wall clock can be set back, but neither makes a token look younger than it is. The token's `exp`
 * is never compared with the device clock, so a device that is hours off changes nothing.
 */
export interface TokenLifetime {
  readonly lifetimeMs: number;
  readonly receivedWall: number;
  readonly receivedMono: number;
}

/**
 * Starts a lifetime now for `lifetimeMs`.
 *
 * @example
 * ```ts
 * const life = startLifetime(clocks, body.expires_in * 1000);
 * ```
 */
export function startLifetime(clocks: ClientClocks, lifetimeMs: number): TokenLifetime {
  return { lifetimeMs, receivedWall: clocks.now(), receivedMono: clocks.monotonic() };
}

/**
 * Milliseconds left, by the more pessimistic of the two clocks (negative once past).
 *
 * @example
 * ```ts
 * if (remainingMs(clocks, life) < refreshMarginMs(life)) await refresh();
 * ```
 */
export function remainingMs(clocks: ClientClocks, life: TokenLifetime): number {
  const elapsed = Math.max(
    clocks.monotonic() - life.receivedMono,
    clocks.now() - life.receivedWall,
    0,
  );
  return life.lifetimeMs - elapsed;
}

/**
 * How early to refresh: a fifth of the lifetime, at most a minute, so a 15-minute token refreshes a
 * minute before it ends and a 1-second test token 200 ms before. No floor: a fixed one-second floor made
 * short tokens refresh at half their life or sooner, close to two refreshes per lifetime.
 *
 * @example
 * ```ts
 * refreshMarginMs({ lifetimeMs: 900_000, receivedWall: 0, receivedMono: 0 }); // 60000
 * ```
 */
export function refreshMarginMs(life: TokenLifetime): number {
  return Math.min(60_000, life.lifetimeMs / 5);
}

/**
 * The default timer: setTimeout, unref'd on Node so a pending refresh never keeps a process alive.
 *
 * @example
 * ```ts
 * const cancel = startTimer(() => refresh(), 30_000);
 * ```
 */
export function startTimer(task: () => void, ms: number): () => void {
  const id = setTimeout(task, ms) as unknown as { unref?: () => void };
  id.unref?.();
  return () => clearTimeout(id as unknown as number);
}
