import type fc from 'fast-check';

/** Holds the fast-check scheduler of the property run in progress; undefined outside one. */
export interface Gate {
  scheduler: fc.Scheduler | undefined;
}

/**
 * Wraps an object so every method call first waits for the scheduler's go (when one is set), so
 * concurrent operations on a store or a limiter interleave in the orders fast-check chooses.
 */
export function scheduled<T extends object>(inner: T, gate: Gate): T {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (gate.scheduler !== undefined)
          await gate.scheduler.schedule(Promise.resolve(String(property)));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
