// Small, general measuring kit shared by the bench sections: interleaved rounds, medians and spreads.
// Every figure is a median over rounds, and every round runs each contender over the same items,
// interleaved in small slices, so a burst of noise from the shared 2-core machine lands on all contenders.

/** Median of a list of numbers (mean of the two middle values for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Spread of samples as (max - min) / median, in percent, rounded to one decimal. */
export function spreadPct(values) {
  const m = median(values);
  if (!(m > 0)) return 0;
  return Math.round(((Math.max(...values) - Math.min(...values)) / m) * 1000) / 10;
}

/** Median, min, max and spread of a list of samples; the samples are kept, in round order. */
export function summarize(values) {
  return {
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    spreadPct: spreadPct(values),
    samples: values,
  };
}

/** Interquartile range as a percentage of the median, rounded to one decimal: the spread of many samples. */
export function iqrPct(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => {
    const pos = (sorted.length - 1) * q;
    const low = Math.floor(pos);
    return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (pos - low);
  };
  const m = median(sorted);
  return m > 0 ? Math.round(((at(0.75) - at(0.25)) / m) * 1000) / 10 : 0;
}

/**
 * How many times faster `a` is than `b`, as the median of per-slice ratios: both handled the same slice of
 * items moments apart, so a burst of load cancels out instead of skewing one side. Spread is the IQR in %.
 * Takes two figures from measureInterleaved (or their `cpu` parts).
 */
export function pairedRatio(a, b) {
  const ratios = a.sliceMs.map((ms, i) => b.sliceMs[i] / ms);
  return { median: median(ratios), spreadPct: iqrPct(ratios) };
}

/** A ratio rounded for output: three decimals, spread kept. */
export function roundRatio(ratio) {
  return { median: Math.round(ratio.median * 1000) / 1000, spreadPct: ratio.spreadPct };
}

/** Collects garbage if the process was started with --expose-gc (run.js is), so one contender's garbage is not billed to the next. */
export function collectGarbage() {
  if (typeof globalThis.gc === 'function') globalThis.gc();
}

function nowMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}

function cpuMs() {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

// A pass may be sync or async; only a returned thenable is awaited, so sync passes pay no await.
// Returns wall-clock and process CPU milliseconds (CPU counts every thread, so a libuv pool's work too).
async function timePass(pass, from, to) {
  const cpuStart = cpuMs();
  const start = nowMs();
  const result = pass(from, to);
  if (result !== null && typeof result === 'object' && typeof result.then === 'function')
    await result;
  const wall = nowMs() - start;
  return { wall, cpu: cpuMs() - cpuStart };
}

/**
 * Measures contenders over the same items in interleaved rounds. Returns per contender the wall-clock
 * ops/s ({ median, min, max, spreadPct, samples }, one sample per round, plus `sliceMs` for pairedRatio)
 * and, as `cpu`, the same for ops per CPU-second of this process: CPU time does not advance while the
 * process is preempted, so it is the steadier figure when the shared machine is busy.
 *
 * contenders: [{ name, pass(from, to) }] where pass handles items[from..to) (sync or async).
 * Interleaving is fine-grained: each round walks the items in slices of `sliceSize`, and every contender
 * handles each slice before the next slice starts, in an order that rotates per slice and per round. A
 * contender's round time is the sum over its slices, so a burst of load from the shared machine is spread
 * over all contenders instead of landing on whichever ran at that moment. One warm-up round is not counted;
 * a GC runs before each round.
 *
 * @example
 * const figures = await measureInterleaved({ contenders: [{ name: 'a', pass: (from, to) => work(from, to) }], items: 3000, rounds: 7 });
 * figures.a.median; // wall-clock ops/s
 * figures.a.cpu.median; // ops per CPU-second
 */
export async function measureInterleaved({ contenders, items, rounds, sliceSize = 128 }) {
  const series = new Map(
    contenders.map((c) => [c.name, { wallRates: [], cpuRates: [], wallSlices: [], cpuSlices: [] }]),
  );
  for (let round = -1; round < rounds; round++) {
    collectGarbage();
    const totals = new Map(contenders.map((c) => [c.name, { wall: 0, cpu: 0 }]));
    for (let from = 0, slice = 0; from < items; from += sliceSize, slice++) {
      const to = Math.min(items, from + sliceSize);
      for (let k = 0; k < contenders.length; k++) {
        const { name, pass } = contenders[(round + 1 + slice + k) % contenders.length];
        const time = await timePass(pass, from, to);
        const total = totals.get(name);
        total.wall += time.wall;
        total.cpu += time.cpu;
        if (round >= 0) {
          series.get(name).wallSlices.push(time.wall);
          // CPU time ticks in microseconds; a zero would make a ratio infinite.
          series.get(name).cpuSlices.push(Math.max(time.cpu, 0.001));
        }
      }
    }
    if (round < 0) continue;
    for (const [name, total] of totals) {
      series.get(name).wallRates.push(items / (total.wall / 1000));
      series.get(name).cpuRates.push(items / (Math.max(total.cpu, 0.001) / 1000));
    }
  }
  const figures = {};
  for (const [name, { wallRates, cpuRates, wallSlices, cpuSlices }] of series) {
    figures[name] = {
      ...summarize(wallRates),
      sliceMs: wallSlices,
      cpu: { ...summarize(cpuRates), sliceMs: cpuSlices },
    };
  }
  return figures;
}

/** Formats rows of cells as a left-aligned text table (first row is the header). */
export function formatTable(rows) {
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => String(row[col]).length)));
  return rows.map((row) =>
    row
      .map((cell, col) => String(cell).padEnd(widths[col]))
      .join('  ')
      .trimEnd(),
  );
}

/** Rounds ops/s for display: 12 345 -> '12.3k', 1 234 567 -> '1.23M'. */
export function formatRate(opsPerSec) {
  if (opsPerSec >= 1e6) return `${(opsPerSec / 1e6).toFixed(2)}M`;
  if (opsPerSec >= 1e3) return `${(opsPerSec / 1e3).toFixed(1)}k`;
  return opsPerSec.toFixed(0);
}
