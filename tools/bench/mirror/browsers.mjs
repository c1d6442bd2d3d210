// Plain headless Chromium browsers (no extension) for the rrweb peer and the in-page Recorder /
// Mirror measurements, the calls into the benchmark's page scripts, and the clock check between
// two browsers.
import { chromium } from 'playwright-core';

import { CHROMIUM_ARGS } from '../../../tests/js/browser/harness.mjs';
import { bundle } from './bundles.mjs';
import { COMMANDS_KEY } from './page/registry.mjs';

/** The real binary (/usr/bin/chromium is Debian's wrapper script), as tests/e2e/harness.mjs uses. */
export const CHROMIUM = '/usr/lib/chromium/chromium';

/** The browser tests' launch flags (shared CHROMIUM.md), plus gc() for steadier timings. */
const PLAIN_ARGS = [...CHROMIUM_ARGS, '--js-flags=--expose-gc'];

/** The viewport every page of the benchmark gets (the customer's and the viewer's). */
export const VIEWPORT = Object.freeze({ width: 1280, height: 720 });

/** @returns {Promise<import('playwright-core').Browser>} */
export function launchPlainBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: PLAIN_ARGS });
}

/**
 * A new page in its own context (its own renderer process when the browser has two).
 * @param {import('playwright-core').Browser} browser
 */
export async function newPage(browser) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  return context.newPage();
}

/**
 * Puts bundled page scripts into a page (as classic scripts).
 * @param {import('playwright-core').Page} page
 * @param {import('./bundles.mjs').BundleName[]} names
 */
export async function loadScripts(page, names) {
  for (const name of names) await page.addScriptTag({ content: await bundle(name) });
}

/**
 * Runs one command of the page scripts (page/registry.mjs) and returns what it resolved to.
 * @param {import('playwright-core').Page} page
 * @param {string} command
 * @param {unknown} [arg]
 * @returns {Promise<unknown>}
 */
export function call(page, command, arg) {
  return page.evaluate(
    ([key, name, value]) => {
      const table = Reflect.get(globalThis, key);
      const fn = table && Reflect.get(table, name);
      if (typeof fn !== 'function') throw new Error(`no page command ${name}`);
      return fn(value);
    },
    /** @type {[string, string, unknown]} */ ([COMMANDS_KEY, command, arg]),
  );
}

/** Wall-clock ms in Node, the same kind of clock the pages read. */
export function nodeWallNow() {
  return performance.timeOrigin + performance.now();
}

/**
 * How far the page's wall clock (performance.timeOrigin + now()) is ahead of Node's: the
 * sample with the shortest round trip of `samples`, ± half that round trip.
 * @param {import('playwright-core').Page} page
 * @param {number} [samples]
 * @returns {Promise<{offsetMs: number, uncertaintyMs: number}>}
 */
export async function clockOffset(page, samples = 25) {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < samples; i++) {
    const before = nodeWallNow();
    const remote = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = nodeWallNow();
    const half = (after - before) / 2;
    if (half < best.uncertaintyMs) best = { offsetMs: remote - (before + half), uncertaintyMs: half };
  }
  return best;
}

/**
 * How far the viewer's clock is ahead of the customer's, to subtract from latencies measured
 * between the two.
 * @param {import('playwright-core').Page} customer
 * @param {import('playwright-core').Page} viewer
 * @returns {Promise<{skewMs: number, uncertaintyMs: number}>}
 */
export async function clockSkew(customer, viewer) {
  const c = await clockOffset(customer);
  const v = await clockOffset(viewer);
  return { skewMs: v.offsetMs - c.offsetMs, uncertaintyMs: c.uncertaintyMs + v.uncertaintyMs };
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {number}
 */
export function num(value, what) {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what}: expected a number, got ${String(value)}`);
  return value;
}

/**
 * @param {unknown} value
 * @param {string} what
 * @returns {Record<string, unknown>}
 */
export function obj(value, what) {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what}: expected an object`);
  return /** @type {Record<string, unknown>} */ (value);
}
