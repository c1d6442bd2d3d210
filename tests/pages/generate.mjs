// Deterministic test pages for Cotab's browser tests, end-to-end tests and the mirror benchmark
// (tools/bench-mirror). Every generator is pure: same arguments, same string, on every run
// (a seeded PRNG, no clock, no Math.random). Served by ./server.mjs; checked in a real Chromium
// by tests/js/browser/pages.test.mjs.
//
//   bigPage({elements, seed?})   shop / news / dashboard page with exactly `elements` elements
//   longTable({rows, cols?})     one long sortable, zebra-striped table
//   heavyCss({rules})            exactly `rules` top-level CSS rules in <style> elements
//   demoPage()                   the "Northwind Outfitters" checkout for the product demo
//   hostilePage({beaconUrl})     script-injection tricks aimed at the agent's viewer
//   maskPage({canaries?})        every masked / blocked kind, each with distinct canaries

export {
  bigPage, longTable, heavyCss, bigPageStyleRuleCount, bigPageCssomRuleCount,
  BIG_PAGE_MIN_ELEMENTS, BIG_PAGE_MAX_ELEMENTS, CSSOM_STYLE_ID, CSSOM_PRICE_COLOR,
} from './lib/big.mjs';
export { demoPage } from './lib/demo.mjs';
export { hostilePage, hostilePayloads, hostileScript, hostileSvg, payloadJs, pwnedGlobal, HOSTILE_LIVE_VECTORS } from './lib/hostile.mjs';
export { maskPage, maskCanaries, maskCases, MASK_SETTINGS } from './lib/mask.mjs';
export { siteCss, cssRules, BRAND_FONT_URL } from './lib/css.mjs';
export { svgImage } from './lib/svg.mjs';
export { Rng, countElements } from './lib/util.mjs';
