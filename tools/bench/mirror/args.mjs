// Command-line options of the small benchmark scripts (transports.mjs, worker-page.mjs).

/**
 * The number after `flag` on the command line (e.g. `--gap 18`), or `fallback` when the flag is
 * absent. A value that is not a number ≥ 0 is an error.
 * @param {string} flag @param {number} fallback
 */
export function numberOption(flag, fallback) {
  const i = process.argv.indexOf(flag);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${flag} needs a number, got ${process.argv[i + 1]}`);
  return v;
}
