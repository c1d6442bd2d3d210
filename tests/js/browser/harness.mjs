/// <reference path="./globals.d.ts" />
// Node side of the browser tests: one headless Chromium (CHROMIUM.md flags), one local HTTP server
// serving the test page, the esbuild bundle of page-harness.js (the real Recorder, Mirror, hints and
// normalizer, bundled in memory) and the customer pages each test registers, plus a second "canary"
// server that counts every request it receives (a request there = something in the mirror loaded
// what it must not). Beside it, what the other browser tests share: the Chromium flags, a
// loopback server, bundling an in-memory entry like a content script, and the attacks of a page
// on the extension's top-layer hosts.

import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/** 1×1 transparent PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
];

/** @returns {Promise<string>} the bundled in-page harness */
async function bundle() {
  const result = await build({
    entryPoints: [path.join(here, 'page-harness.js')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    logLevel: 'warning',
  });
  return result.outputFiles[0].text;
}

/**
 * Bundles module source held in memory to one classic script, as the content scripts are built;
 * its imports are resolved from the repository's root ('./extension/content/overlay.js').
 * @param {string} contents
 * @returns {Promise<string>}
 */
export async function bundleScript(contents) {
  const out = await build({ stdin: { contents, resolveDir: root }, bundle: true, write: false, format: 'iife', target: 'chrome120', logLevel: 'warning' });
  return out.outputFiles[0].text;
}

/**
 * An HTTP server on 127.0.0.1 (a free port).
 * @param {(req: http.IncomingMessage, res: http.ServerResponse) => void} handler
 * @returns {Promise<{server: http.Server, origin: string}>}
 */
export function listen(handler) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = /** @type {import('node:net').AddressInfo} */ (server.address());
      resolve({ server, origin: `http://127.0.0.1:${addr.port}` });
    });
  });
}

/**
 * What a page does to be rid of a host element of ours (a popover on documentElement, in the top
 * layer), by name; each runs in the page with the host's tag name.
 * @type {Array<[string, (tag: string) => void]>}
 */
export const HOST_ATTACKS = [
  ['remove()', (tag) => document.querySelector(tag)?.remove()],
  ['hidePopover()', (tag) => /** @type {HTMLElement} */ (document.querySelector(tag)).hidePopover()],
  ['inline display:none !important', (tag) => document.querySelector(tag)?.setAttribute('style', 'display:none !important')],
  ['hidden attribute', (tag) => document.querySelector(tag)?.setAttribute('hidden', '')],
  ['popover attribute removed', (tag) => document.querySelector(tag)?.removeAttribute('popover')],
  ['moved into <body>', (tag) => document.body.append(/** @type {Node} */ (document.querySelector(tag)))],
];

/**
 * Waits (5 s at most) until the host `tag` is back as it should be: on documentElement, in the
 * top layer, displayed.
 * @param {import('playwright-core').Page} page
 * @param {string} tag
 */
export async function waitHostRepaired(page, tag) {
  await page.waitForFunction((t) => {
    const host = document.querySelector(t);
    return !!host && host.parentNode === document.documentElement && host.matches(':popover-open') && getComputedStyle(host).display === 'block';
  }, tag, { timeout: 5000 });
}

/**
 * Starts the servers and the browser, opens the test page.
 * @returns {Promise<Harness>}
 */
export async function openHarness() {
  const code = await bundle();
  /** @type {Map<string, string>} */
  const pages = new Map();
  /** @type {string[]} */
  const canaryRequests = [];
  const main = await listen((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/test.html') {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!DOCTYPE html><html><head><meta charset="utf-8"><title>cotab browser tests</title></head><body style="margin:0"><script src="/bundle.js"></script></body></html>');
    } else if (url.pathname === '/bundle.js') {
      res.setHeader('content-type', 'text/javascript');
      res.end(code);
    } else if (pages.has(url.pathname)) {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(pages.get(url.pathname));
    } else if (url.pathname.endsWith('.png')) {
      res.setHeader('content-type', 'image/png');
      res.setHeader('cache-control', 'no-store');
      res.end(PNG);
    } else if (url.pathname.endsWith('.css')) {
      res.setHeader('content-type', 'text/css');
      res.end('.from-link { color: rgb(1, 2, 3); }');
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  const canary = await listen((req, res) => {
    canaryRequests.push(`${req.method} ${req.url}`);
    res.setHeader('content-type', 'text/html');
    res.end('<script>parent.__cotabPwned = "canary-document"</script>');
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1700, height: 700 } });
    /** @type {string[]} */
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(`${main.origin}/test.html`);
    await page.waitForFunction(() => 'cotabTest' in window);
    return {
      page,
      browser,
      origin: main.origin,
      canaryOrigin: canary.origin,
      canaryRequests,
      pageErrors,
      /**
       * @param {string} name
       * @param {string} html
       */
      addPage(name, html) {
        const p = `/p/${name}`;
        pages.set(p, html);
        return p;
      },
      async close() {
        await browser.close().catch(() => {});
        main.server.close();
        canary.server.close();
      },
    };
  } catch (err) {
    await browser.close().catch(() => {});
    main.server.close();
    canary.server.close();
    throw err;
  }
}

/**
 * @typedef {object} Harness
 * @property {import('playwright-core').Page} page
 * @property {import('playwright-core').Browser} browser
 * @property {string} origin
 * @property {string} canaryOrigin
 * @property {string[]} canaryRequests
 * @property {string[]} pageErrors
 * @property {(name: string, html: string) => string} addPage  registers a customer page, returns its path
 * @property {() => Promise<void>} close
 */

/**
 * The first place where two normalized trees differ, as a readable path (for assertion messages).
 * @param {unknown} a
 * @param {unknown} b
 * @param {string} [at]
 * @returns {string | null}
 */
export function firstDifference(a, b, at = '$') {
  if (Object.is(a, b)) return null;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') {
    return `${at}: ${JSON.stringify(a)?.slice(0, 300)} ≠ ${JSON.stringify(b)?.slice(0, 300)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
  const ao = /** @type {Record<string, unknown>} */ (a);
  const bo = /** @type {Record<string, unknown>} */ (b);
  const label = typeof ao.tag === 'string' ? `${at}<${ao.tag}>` : at;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) {
    const d = firstDifference(ao[k], bo[k], `${label}.${k}`);
    if (d) return d;
  }
  return null;
}

/**
 * Asserts that the mirror shows what the customer's page shows (normalized), and that no desync
 * happened.
 * @param {{customer: unknown, mirror: unknown, desyncs: string[]}} r
 * @param {string} [what]
 */
export function assertMirrorEqual(r, what = 'mirror') {
  assert.deepEqual(r.desyncs, [], `${what}: desyncs`);
  const diff = firstDifference(r.mirror, r.customer);
  assert.equal(diff, null, `${what} differs from the customer's page (mirror ≠ customer) at ${diff}`);
}

/**
 * Asserts, comparing in the page, that the mirror shows what the customer's page shows.
 * @param {Harness} h
 * @param {string} [what]
 */
export async function assertMirror(h, what = 'mirror') {
  const r = await h.page.evaluate(() => cotabTest.check());
  if (r !== null) assertMirrorEqual(r, what);
}
