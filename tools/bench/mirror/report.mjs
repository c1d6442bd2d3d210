// Formatting of the benchmark's table. Pure functions, no I/O.

/**
 * @param {number} ms
 * @returns {string}
 */
export function formatMs(ms) {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 1000) return `${Math.round(ms).toLocaleString('en-US')} ms`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/**
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return 'n/a';
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} KB`;
  return `${bytes} B`;
}

/**
 * Cotab / rrweb.
 * @param {number} cotab
 * @param {number} rrweb
 * @returns {string}
 */
export function formatRatio(cotab, rrweb) {
  if (!Number.isFinite(cotab) || !Number.isFinite(rrweb) || rrweb === 0) return '';
  const r = cotab / rrweb;
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/**
 * @typedef {object} Row
 * @property {string} figure
 * @property {string} cotab
 * @property {string} rrweb
 * @property {string} ratio
 * @property {string} target
 * @property {boolean | null} met null: no target, or not measured
 */

/** @typedef {'figure' | 'cotab' | 'rrweb' | 'ratio' | 'target' | 'met'} Column */

/**
 * A plain-text table with a header row and columns padded to their widest cell.
 * @param {Row[]} rows
 * @returns {string}
 */
export function renderTable(rows) {
  /** @type {Column[]} */
  const columns = ['figure', 'cotab', 'rrweb', 'ratio', 'target', 'met'];
  /** @type {Record<Column, string>} */
  const header = { figure: 'figure', cotab: 'Cotab', rrweb: 'rrweb', ratio: 'ratio', target: 'target', met: 'met' };
  /** @param {Row} r @returns {Record<Column, string>} */
  const cells = (r) => ({ ...r, met: r.met === null ? '' : r.met ? 'yes' : 'NO' });
  const table = [header, ...rows.map(cells)];
  const widths = columns.map((c) => Math.max(...table.map((r) => r[c].length)));
  const line = (/** @type {Record<Column, string>} */ r) =>
    columns
      .map((c, i) => r[c].padEnd(widths[i]))
      .join(' | ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), rule, ...rows.map((r) => line(cells(r)))].join('\n');
}
