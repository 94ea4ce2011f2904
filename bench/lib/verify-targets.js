// The verify section's targets (issue 2), judged on wall-clock medians.
export const TARGET_RATIO_TO_RAW = 0.9;
// HS256's floor is raw+JSON.parse: the MAC is so cheap that decoding and parsing the claims, which any
// verifier that reads claims must do, is a large share of the work.
export const TARGET_HS256_RATIO_TO_FLOOR = 0.8;
export const TARGET_CACHE_RATIO = 0.8;

// Targets are judged on the wall-clock medians, as the issue states them; the CPU-time verdict is reported
// next to each so a run on a loaded machine can be read for what it is.
/** Judges the targets from the per-algorithm figures and the cache figures; `order` lists the algorithms. */
export function judgeTargets(algorithms, cache, order) {
  const targets = {};
  const judge = (value, cpuValue, minimum) => ({
    value,
    met: value.median >= minimum,
    cpuValue,
    cpuMet: cpuValue.median >= minimum,
  });
  // fast-jwt on the same measure, reported beside each target (never judged).
  const peer = (figure, measure) => ({ value: figure[measure], cpuValue: figure.cpu[measure] });
  for (const alg of ['EdDSA', 'ES256', 'RS256']) {
    const { tessera, fastJwt } = algorithms[alg];
    targets[`${alg} tessera >= ${TARGET_RATIO_TO_RAW}x raw`] = {
      ...judge(tessera.ratioToRaw, tessera.cpu.ratioToRaw, TARGET_RATIO_TO_RAW),
      fastJwt: peer(fastJwt, 'ratioToRaw'),
    };
  }
  const hs256 = algorithms.HS256;
  targets[`HS256 tessera >= ${TARGET_HS256_RATIO_TO_FLOOR}x raw+JSON.parse floor`] = {
    ...judge(
      hs256.tessera.ratioToFloor,
      hs256.tessera.cpu.ratioToFloor,
      TARGET_HS256_RATIO_TO_FLOOR,
    ),
    fastJwt: peer(hs256.fastJwt, 'ratioToFloor'),
  };
  for (const alg of order) {
    const { tessera } = algorithms[alg];
    // "Ahead" means strictly faster: a ratio of exactly 1 is a tie, not a win.
    const ahead = judge(tessera.ratioToFastJwt, tessera.cpu.ratioToFastJwt, 1);
    targets[`${alg} tessera ahead of fast-jwt`] = {
      ...ahead,
      met: ahead.value.median > 1,
      cpuMet: ahead.cpuValue.median > 1,
    };
  }
  targets[`cache hit >= ${TARGET_CACHE_RATIO}x Map.get limit`] = judge(
    cache.tesseraRatioToLimit,
    cache.tesseraRatioToLimitCpu,
    TARGET_CACHE_RATIO,
  );
  return targets;
}
