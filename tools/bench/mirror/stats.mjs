// Order statistics for the benchmark's samples. Pure functions, no I/O.

/**
 * Median: the middle sample, or the mean of the two middle samples when the count is even.
 * @param {readonly number[]} samples
 * @returns {number} NaN for no samples
 */
export function median(samples) {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Percentile by the nearest-rank method: the smallest sample such that at least p % of the
 * samples are at or below it (p99 of 1,000 samples is the 990th smallest). Always a sample that
 * was really measured, never an interpolation.
 * @param {readonly number[]} samples
 * @param {number} p in (0, 100]
 * @returns {number} NaN for no samples
 */
export function percentile(samples, p) {
  if (samples.length === 0) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * s.length);
  return s[Math.min(s.length, Math.max(1, rank)) - 1];
}

/**
 * @param {readonly number[]} samples
 * @returns {{n: number, p50: number, p99: number, min: number, max: number}}
 */
export function summarize(samples) {
  return {
    n: samples.length,
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    min: samples.length ? Math.min(...samples) : NaN,
    max: samples.length ? Math.max(...samples) : NaN,
  };
}
