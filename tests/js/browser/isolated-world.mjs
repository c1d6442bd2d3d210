// The setup firewall.test.mjs and actions.test.mjs share: two local origins (the customer's site,
// serving tests/pages/assist.mjs's checkout and React pages, and an "other" origin that records
// every request), one headless Chromium, and the firewall, the ActionRunner and the guard's
// isolated half bundled into a real isolated world (created over CDP, as the content script gets
// one) with the guard's main-world half installed in the page's world from installGuard's source,
// as executeScript sends it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { installGuard } from '../../../extension/content/guard.js';
import { checkoutPage, reactFormPage } from '../../pages/assist.mjs';
import { bundleScript, CHROMIUM_ARGS, listen } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The isolated world's test API (globalThis.__cotab): ids for elements, the firewall, a runner. */
const ISOLATED_SOURCE = `
import * as firewall from './extension/content/firewall.js';
import { ActionRunner } from './extension/content/actions.js';
import { guardClient } from './extension/content/guard.js';
import { compileRules, matchesBlockRule, matchesMaskRule, selectorValidator } from './extension/content/mask.js';

const T = {
  firewall,
  ids: new Map(),
  back: new Map(),
  nextId: 1,
  settings: { allowedOrigins: [], finalizeSelectors: [] },
  rules: compileRules({ maskSelectors: [], blockSelectors: [], isValid: selectorValidator(document) }),
  answers: [],
  waiters: new Map(),
  n: 0,
  runner: null,
  guard: null,
  /** A mirror id for an element (a selector) or any node. */
  id(target) {
    const node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node) throw new Error('no element ' + target);
    if (T.back.has(node)) return T.back.get(node);
    const id = T.nextId++;
    T.ids.set(id, node);
    T.back.set(node, id);
    return id;
  },
  el(selector) {
    const el = document.querySelector(selector);
    if (!el) throw new Error('no element ' + selector);
    return el;
  },
  configure(opts) {
    T.settings = { allowedOrigins: opts.allowedOrigins ?? [], finalizeSelectors: opts.finalizeSelectors ?? [] };
    T.rules = compileRules({ maskSelectors: opts.maskSelectors ?? [], blockSelectors: [], isValid: selectorValidator(document) });
  },
  /** The Recorder's verdict, as the content script passes it: a mask or block rule on el or an ancestor. */
  isMasked(el) {
    for (let e = el; e; e = e.parentElement) if (matchesMaskRule(e, T.rules) || matchesBlockRule(e, T.rules)) return true;
    return false;
  },
  ctx() {
    return { allowedOrigins: T.settings.allowedOrigins, finalizeSelectors: T.settings.finalizeSelectors, pageUrl: location.href, isMasked: (el) => T.isMasked(el) };
  },
  start(guardEvent) {
    T.guard = guardEvent
      ? guardClient(document, guardEvent, { context: () => T.ctx(), vetClick: (el) => firewall.checkClick(el, T.ctx()) })
      : null;
    T.runner = new ActionRunner({
      doc: document,
      resolve: (id) => T.ids.get(id) ?? null,
      context: () => T.ctx(),
      guard: T.guard,
      onDone: (n) => T.answer({ n, done: true }),
      onRefused: (n, a, why, detail) => T.answer({ n, a, why, detail }),
    });
  },
  answer(r) {
    T.answers.push(r);
    const w = T.waiters.get(r.n);
    if (w) {
      T.waiters.delete(r.n);
      w(r);
    }
  },
  /** Runs an act (id: a selector, a number, or a node) without waiting; returns its n. */
  fire(a) {
    const n = ++T.n;
    const act = { k: 'act', n, e: 1, ...a };
    if (a.id !== undefined && typeof a.id !== 'number') act.id = T.id(a.id);
    T.runner.run(act);
    return n;
  },
  wait(n) {
    const got = T.answers.find((r) => r.n === n);
    return got ? Promise.resolve(got) : new Promise((resolve) => T.waiters.set(n, resolve));
  },
  act(a) {
    return T.wait(T.fire(a));
  },
  answersFor(n) {
    return T.answers.filter((r) => r.n === n).length;
  },
};
globalThis.__cotab = T;
`;

/**
 * Creates an isolated world in the page's main frame.
 * @param {import('playwright-core').CDPSession} cdp
 * @param {string} worldName
 * @returns {Promise<(expression: string) => Promise<any>>} evaluates in that world and returns the
 *   (awaited) value; an exception there is thrown here
 */
export async function createIsolatedWorld(cdp, worldName) {
  const { frameTree } = await cdp.send('Page.getFrameTree');
  const { executionContextId } = await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName });
  return async (expression) => {
    const r = await cdp.send('Runtime.evaluate', { contextId: executionContextId, expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`isolated world: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value;
  };
}

/**
 * @typedef {object} IsolatedWorld
 * @property {() => Promise<void>} open  starts the servers and the browser (a `before` hook)
 * @property {() => Promise<void>} close  (an `after` hook)
 * @property {import('playwright-core').Page} page  the one page (after open)
 * @property {string} siteOrigin  the customer's site
 * @property {string} otherOrigin  another origin
 * @property {string} bundle  the isolated world's bundle (classic script)
 * @property {string[]} orders  requests the site got for submissions and finalizing clicks
 *   ("POST /assist/order"); cleared by load
 * @property {string[]} otherHits  every request the other origin got; cleared by load
 * @property {(pathname: string, opts?: LoadOptions) => Promise<void>} load
 * @property {(fn: (T: any, arg: any) => any, arg?: unknown) => Promise<any>} iso
 *   runs `fn(T, arg)` in the isolated world (T = its test API) and returns its (awaited) value
 * @property {() => Promise<{submits: number, finalClicks: number, coupons: number, pageId: number, url: string}>} score
 *   the page's own counters (main world)
 * @property {(before: {pageId: number}) => Promise<void>} assertNothingReached
 *   nothing was submitted, no finalizing control was reached, the page is the same document
 */

/**
 * @typedef {object} LoadOptions
 * @property {boolean} [guard]  false: no guard at all
 * @property {boolean} [mainGuard]  false: only the guard's isolated half (as if executeScript had failed)
 * @property {string[]} [allowedOrigins]
 * @property {string[]} [finalizeSelectors]
 * @property {string[]} [maskSelectors]
 */

/**
 * The harness, not started yet: `before(world.open)`, `after(world.close)`; its functions may be
 * destructured.
 * @returns {IsolatedWorld}
 */
export function isolatedWorld() {
  // Set by open (and evaluate by load): the hooks run before any test.
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {import('playwright-core').CDPSession} */
  let cdp;
  /** @type {(expression: string) => Promise<any>} */
  let evaluate;
  let bundle = '';
  /** @type {{server: import('node:http').Server, origin: string}} */
  let site;
  /** @type {{server: import('node:http').Server, origin: string}} */
  let other;
  /** @type {string[]} */
  const orders = [];
  /** @type {string[]} */
  const otherHits = [];
  let guardSeq = 0;

  /** @type {IsolatedWorld['iso']} */
  const iso = (fn, arg = null) => evaluate(`(${fn.toString()})(globalThis.__cotab, ${JSON.stringify(arg)})`);

  /** @type {IsolatedWorld['score']} */
  const score = () =>
    page.evaluate(() => {
      const w = /** @type {any} */ (window);
      return { submits: w.__submits, finalClicks: w.__finalClicks, coupons: w.__coupons, pageId: w.__pageId, url: location.pathname };
    });

  return {
    async open() {
      bundle = await bundleScript(ISOLATED_SOURCE);
      other = await listen((req, res) => {
        otherHits.push(`${req.method} ${req.url}`);
        res.setHeader('content-type', 'text/html');
        res.end('<!DOCTYPE html><title>partner</title><p>partner site');
      });
      const react = readFileSync(path.join(root, 'node_modules/react/umd/react.production.min.js'));
      const reactDom = readFileSync(path.join(root, 'node_modules/react-dom/umd/react-dom.production.min.js'));
      site = await listen((req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const html = (/** @type {string} */ body) => {
          res.setHeader('content-type', 'text/html; charset=utf-8');
          res.end(body);
        };
        if (url.pathname === '/assist/checkout') return html(checkoutPage({ crossOrigin: other.origin }));
        if (url.pathname === '/assist/react') return html(reactFormPage({ reactSrc: '/umd/react.js', reactDomSrc: '/umd/react-dom.js' }));
        if (url.pathname === '/umd/react.js' || url.pathname === '/umd/react-dom.js') {
          res.setHeader('content-type', 'text/javascript');
          return res.end(url.pathname === '/umd/react.js' ? react : reactDom);
        }
        if (['/assist/order', '/assist/final', '/assist/pay'].includes(url.pathname)) {
          orders.push(`${req.method} ${url.pathname}${url.search}`);
          return html('<!DOCTYPE html><title>done</title><p>Order placed');
        }
        if (url.pathname.startsWith('/assist/')) return html(`<!DOCTYPE html><title>${url.pathname}</title><p>${url.pathname}`);
        res.statusCode = 404;
        res.end();
      });
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
      page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
      cdp = await page.context().newCDPSession(page);
    },

    async close() {
      await browser?.close();
      site?.server.close();
      other?.server.close();
    },

    get page() {
      return page;
    },
    get siteOrigin() {
      return site.origin;
    },
    get otherOrigin() {
      return other.origin;
    },
    get bundle() {
      return bundle;
    },
    orders,
    otherHits,

    /**
     * Loads a page, creates the isolated world, loads the bundle into it, installs the guard's two
     * halves (unless `guard` is false) and starts a runner.
     */
    async load(pathname, opts = {}) {
      await page.goto(site.origin + pathname);
      orders.length = 0;
      otherHits.length = 0;
      evaluate = await createIsolatedWorld(cdp, 'cotab-test');
      await evaluate(bundle);
      const guardEvent = opts.guard === false ? '' : `cotab-test-${++guardSeq}`;
      if (guardEvent && opts.mainGuard !== false) await page.evaluate(`(${installGuard.toString()})(${JSON.stringify(guardEvent)})`);
      await iso((T, o) => {
        T.configure(o);
        T.start(o.guardEvent);
      }, { ...opts, guardEvent });
    },

    iso,
    score,

    async assertNothingReached(before) {
      // Requests the page would have sent are sent from the same listeners that count: one task of
      // the page's own is enough for them to have left.
      await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
      const s = await score();
      assert.equal(s.pageId, before.pageId, 'still the same document (nothing navigated)');
      assert.equal(s.submits, 0, 'no submit event and no form.submit() reached the page');
      assert.equal(s.finalClicks, 0, 'no event reached a finalizing control');
      assert.deepEqual(orders, [], 'the server received no order');
      assert.deepEqual(otherHits, [], 'the other origin received nothing');
    },
  };
}
