// The pages the benchmark measures, from the project's deterministic generators
// (tests/pages/generate.mjs), and the assets they load.
import { bigPage, heavyCss, longTable, siteCss, svgImage } from '../../../tests/pages/generate.mjs';

/**
 * @typedef {object} BenchPage
 * @property {string} name   short, URL-safe
 * @property {string} label  for the table
 * @property {boolean} generated one of the generated bigPage sizes (the ones with targets)
 * @property {() => string} html
 */

/** Element counts of the generated pages. */
export const BIG_PAGE_SIZES = Object.freeze([10_000, 50_000, 100_000]);
/** The latency page: the 10k-element generated page. */
export const LATENCY_PAGE_ELEMENTS = 10_000;
/** Rows of the long-table page (8 columns: ~45,000 elements). */
export const LONG_TABLE_ROWS = 5_000;
/** Top-level CSS rules of the heavy-CSS page. */
export const HEAVY_CSS_RULES = 20_000;

/** @param {number} n */
const thousands = (n) => `${n / 1000}k`;

/** @returns {BenchPage[]} */
export function benchPages() {
  return [
    ...BIG_PAGE_SIZES.map((elements) => ({
      name: `big-${thousands(elements)}`,
      label: `${thousands(elements)} page`,
      generated: true,
      html: () => bigPage({ elements }),
    })),
    {
      name: 'long-table',
      label: `long table (${LONG_TABLE_ROWS.toLocaleString('en-US')} rows)`,
      generated: false,
      html: () => longTable({ rows: LONG_TABLE_ROWS }),
    },
    {
      name: 'heavy-css',
      label: `heavy CSS (${HEAVY_CSS_RULES.toLocaleString('en-US')} rules)`,
      generated: false,
      html: () => heavyCss({ rules: HEAVY_CSS_RULES }),
    },
  ];
}

/** @type {import('./server.mjs').AssetResolver} */
export function pageAssets(pathname) {
  if (pathname === '/css/site.css') return { type: 'text/css; charset=utf-8', body: siteCss() };
  const img = /^\/img\/([\w-]{1,100})\.svg$/.exec(pathname);
  if (img) return { type: 'image/svg+xml', body: svgImage(img[1]) };
  return null; // e.g. the brand font: the pages fall back to system fonts
}
