/**
 * Measures how far a server's clock is from this machine's: several round trips to `/auth/time` (or any
 * response's Date header), each corrected by half its round trip; the shortest round trip wins, since
 * its midpoint pins the server's reading most tightly. Both paths measure it and report it alike.
 */
import { formatDuration } from '../errors/explain.js';
import type { ClockOffset, Finding } from './diagnosis.js';
import { CannotJudgeError, timedFetch } from './server-client.js';

/**
 * Options of {@link measureClockOffset}.
 *
 * @example
 * ```ts
 * const options: MeasureClockOptions = { baseUrl: 'https://auth.example.com', samples: 3 };
 * ```
 */
export interface MeasureClockOptions {
  readonly baseUrl: string;
  readonly fetch?: typeof fetch;
  /** This machine's clock, epoch ms. */
  readonly now?: () => number;
  /** Round trips to make. Default 5. */
  readonly samples?: number;
}

interface Sample {
  readonly offsetMs: number;
  readonly roundTripMs: number;
  readonly source: ClockOffset['source'];
}

// The Date header has whole seconds: its reading is somewhere in the second it names.
const DATE_HEADER_RESOLUTION_MS = 1000;
// An offset this far beyond the measurement's uncertainty is still not worth a finding: time claims
// are whole seconds, and the default leeway (60 s) absorbs far more.
const UNREPORTED_OFFSET_MS = 2000;

/**
 * Measures the clock offset (server minus this machine) with its uncertainty.
 *
 * @example
 * ```ts
 * const { offsetMs, uncertaintyMs } = await measureClockOffset({ baseUrl: 'https://auth.example.com' });
 * ```
 */
export async function measureClockOffset(options: MeasureClockOptions): Promise<ClockOffset> {
  const now = options.now ?? Date.now;
  const count = Math.max(1, options.samples ?? 5);
  const url = `${options.baseUrl.replace(/\/$/, '')}/auth/time`;
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = now();
    const response = await timedFetch(options.fetch, url, {
      headers: { accept: 'application/json' },
      cache: 'no-store',
    });
    const receivedAt = now();
    const midpoint = (sentAt + receivedAt) / 2;
    const roundTripMs = Math.max(0, receivedAt - sentAt);
    const serverMs = await readServerTime(response);
    if (serverMs !== undefined) {
      samples.push({ offsetMs: serverMs - midpoint, roundTripMs, source: 'auth-time' });
      continue;
    }
    const date = Date.parse(response.headers.get('date') ?? '');
    if (Number.isNaN(date))
      throw new CannotJudgeError(
        `${url} answered HTTP ${response.status} with neither a time nor a Date header; the clock offset cannot be measured.`,
      );
    samples.push({
      offsetMs: date + DATE_HEADER_RESOLUTION_MS / 2 - midpoint,
      roundTripMs,
      source: 'date-header',
    });
  }
  const best = samples.reduce((a, b) => (b.roundTripMs < a.roundTripMs ? b : a));
  return {
    offsetMs: Math.round(best.offsetMs),
    uncertaintyMs:
      best.roundTripMs / 2 + (best.source === 'date-header' ? DATE_HEADER_RESOLUTION_MS / 2 : 0),
    samples: samples.length,
    roundTripMs: best.roundTripMs,
    source: best.source,
  };
}

async function readServerTime(response: Response): Promise<number | undefined> {
  if (!response.ok) {
    await response.body?.cancel();
    return undefined;
  }
  try {
    const body = (await response.json()) as { epoch_ms?: unknown };
    return typeof body.epoch_ms === 'number' && Number.isFinite(body.epoch_ms)
      ? body.epoch_ms
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The largest offset the doctor does not report for this measurement: its uncertainty plus a margin.
 *
 * @example
 * ```ts
 * clockNoiseMs({ offsetMs: 40, uncertaintyMs: 3, samples: 5, roundTripMs: 6, source: 'auth-time' }); // 2003
 * ```
 */
export function clockNoiseMs(clock: ClockOffset): number {
  return clock.uncertaintyMs + UNREPORTED_OFFSET_MS;
}

/**
 * The finding for a server clock that is off from this machine's, or undefined when the offset is
 * within {@link clockNoiseMs}. Beyond the leeway it is a failure: servers then refuse fresh tokens.
 *
 * @example
 * ```ts
 * describeClockOffset({ clock, leewaySeconds: 60 })?.what; // "The server's clock is 3 min ahead of this machine's (...)."
 * ```
 */
export function describeClockOffset(options: {
  clock: ClockOffset;
  leewaySeconds: number;
}): Finding | undefined {
  const { clock, leewaySeconds } = options;
  if (Math.abs(clock.offsetMs) <= clockNoiseMs(clock)) return undefined;
  const offsetS = clock.offsetMs / 1000;
  return {
    id: 'clock-offset',
    severity: Math.abs(offsetS) > leewaySeconds ? 'danger' : 'warning',
    bucket: 'time',
    what: `The server's clock is ${formatDuration(offsetS)} ${offsetS > 0 ? 'ahead of' : 'behind'} this machine's (${describeUncertainty(clock)}).`,
    why: `Clocks this far apart make tokens look ${offsetS > 0 ? 'issued in the future' : 'older than they are'} to whoever compares them; beyond the leeway (${leewaySeconds} s) servers refuse them.`,
    fix: 'Run NTP (chrony or systemd-timesyncd) on every server and device, and find which of the two clocks is wrong.',
  };
}

/**
 * The uncertainty of a clock measurement in words.
 *
 * @example
 * ```ts
 * describeUncertainty(clock); // '+/- 3 ms over 5 samples via /auth/time'
 * ```
 */
export function describeUncertainty(clock: ClockOffset): string {
  return `+/- ${Math.round(clock.uncertaintyMs)} ms over ${clock.samples} samples via ${clock.source === 'auth-time' ? '/auth/time' : 'the Date header'}`;
}
