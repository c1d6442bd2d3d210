// The generated test pages (tests/pages/) in a real headless Chromium, without the extension:
// they load cleanly, are the size they claim, really use CSSOM, keep changing (demo), really
// attack (hostile: the payloads DO run in a normal tab, so the end-to-end hostile tests can
// fail) and really hold their canaries (mask). Also the page server's HTTP behaviour.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { chromium } from 'playwright-core';
import {
  bigPage, demoPage, hostilePage, maskPage, longTable, heavyCss, hostilePayloads, maskCases, maskCanaries, pwnedGlobal,
  bigPageStyleRuleCount, bigPageCssomRuleCount, CSSOM_STYLE_ID, CSSOM_PRICE_COLOR, HOSTILE_LIVE_VECTORS, BRAND_FONT_URL,
} from '../../pages/generate.mjs';
import { startPageServer } from '../../pages/server.mjs';

const CHROMIUM = '/usr/bin/chromium';
// /work/shared/CHROMIUM.md (no extension here)
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--no-default-browser-check'];
/** The big page's element count may differ from the request by at most this fraction. */
const ELEMENT_TOLERANCE = 0.02;
/** Ceiling for one page load (navigation to `load`) on a shared 2-core machine; typical figures are printed. */
const PAGE_LOAD_LIMIT_MS = 30_000;
/** Ceiling for generating the 100k-element page in node (typically ~50 ms). */
const GENERATE_100K_LIMIT_MS = 1_000;
const TEST_TIMEOUT_MS = 120_000;

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('./../../pages/server.mjs').PageServer} */
let server;

before(async () => {
  server = await startPageServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * Opens `path` in a fresh context; collects console errors and uncaught exceptions, except
 * the deliberate 404 of the brand font.
 * @param {string} path
 * @returns {Promise<{page: import('playwright-core').Page, errors: string[], loadMs: number, close: () => Promise<void>}>}
 */
async function open(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    /** @type {string[]} */
    const errors = [];
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      if (msg.location().url.endsWith(BRAND_FONT_URL)) return;
      errors.push(`${msg.text()} (${msg.location().url})`);
    });
    page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
    const started = performance.now();
    await page.goto(server.url + path, { waitUntil: 'load', timeout: PAGE_LOAD_LIMIT_MS });
    const loadMs = performance.now() - started;
    return { page, errors, loadMs, close: () => context.close() };
  } catch (err) {
    await context.close();
    throw err;
  }
}

/**
 * @param {import('playwright-core').Page} page
 * @returns {Promise<{dcl: number, load: number, fcp: number | null}>} navigation timings in ms
 */
function timings(page) {
  return page.evaluate(() => {
    const nav = /** @type {PerformanceNavigationTiming | undefined} */ (performance.getEntriesByType('navigation')[0]);
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return { dcl: Math.round(nav?.domContentLoadedEventEnd ?? -1), load: Math.round(nav?.loadEventEnd ?? -1), fcp: fcp ? Math.round(fcp.startTime) : null };
  });
}

test('generators: same output on every run, different seeds differ, 100k elements are fast and realistic in size', () => {
  bigPage({ elements: 100_000 }); // warm up the JIT
  const started = performance.now();
  const a = bigPage({ elements: 100_000 });
  const ms = performance.now() - started;
  assert.equal(bigPage({ elements: 100_000 }), a);
  assert.notEqual(bigPage({ elements: 100_000, seed: 2 }), a);
  assert.ok(ms < GENERATE_100K_LIMIT_MS, `generating 100k elements took ${ms.toFixed(0)} ms`);
  const mb = Buffer.byteLength(a) / 1e6;
  assert.ok(mb >= 5 && mb <= 15, `100k page is ${mb.toFixed(2)} MB`);
  assert.equal(longTable({ rows: 100 }), longTable({ rows: 100 }));
  assert.equal(heavyCss({ rules: 500 }), heavyCss({ rules: 500 }));
  assert.equal(demoPage(), demoPage());
  assert.equal(maskPage(), maskPage());
  assert.equal(hostilePage({ beaconUrl: 'http://127.0.0.1:1/beacon' }), hostilePage({ beaconUrl: 'http://127.0.0.1:1/beacon' }));
  assert.throws(() => bigPage({ elements: 10 }), RangeError);
  assert.throws(() => hostilePage({ beaconUrl: 'http://x/"onload=' }), TypeError);
});

for (const elements of [10_000, 50_000, 100_000]) {
  test(`big page ${elements}: element count within ±2%, CSSOM rules applied, linked sheet loaded, no console errors`, { timeout: TEST_TIMEOUT_MS }, async (t) => {
    const { page, errors, loadMs, close } = await open(`/big/${elements}`);
    try {
      const facts = await page.evaluate(({ styleId }) => {
        const cssom = /** @type {HTMLStyleElement} */ (document.getElementById(styleId));
        const sheets = [...document.styleSheets];
        const linked = sheets.find((s) => s.href !== null && s.href.endsWith('/css/site.css'));
        const inlineRules = sheets.filter((s) => s.ownerNode instanceof HTMLStyleElement && s.ownerNode.id !== styleId)
          .reduce((n, s) => n + s.cssRules.length, 0);
        const price = document.querySelector('.price__now');
        const firstImg = document.querySelector('.card img');
        return {
          count: document.getElementsByTagName('*').length,
          cssomRules: cssom.sheet ? cssom.sheet.cssRules.length : -1,
          cssomText: cssom.textContent,
          inlineRules,
          linkedRules: linked ? linked.cssRules.length : -1,
          priceColor: price ? getComputedStyle(price).color : null,
          srcset: firstImg ? firstImg.getAttribute('srcset') : null,
          firstImgLoaded: firstImg instanceof HTMLImageElement && firstImg.complete && firstImg.naturalWidth > 0,
          tableRows: [...document.querySelectorAll('table.data-table tbody tr')].length,
          cards: document.querySelectorAll('.card').length,
          comments: document.querySelectorAll('.comment').length,
          nested: document.querySelectorAll('.replies .replies .comment').length,
          svgUses: document.querySelectorAll('svg use').length,
          autocomplete: ['cc-number', 'cc-exp', 'cc-csc', 'cc-name'].every((a) => document.querySelector(`input[autocomplete="${a}"]`) !== null),
          password: document.querySelector('input[type="password"]') !== null,
          ranges: document.querySelectorAll('input[type="range"]').length,
          mediaRules: sheets.flatMap((s) => [...s.cssRules]).filter((r) => r instanceof CSSMediaRule).length,
          keyframes: sheets.flatMap((s) => [...s.cssRules]).filter((r) => r instanceof CSSKeyframesRule).length,
          fontFace: sheets.flatMap((s) => [...s.cssRules]).filter((r) => r instanceof CSSFontFaceRule).length,
        };
      }, { styleId: CSSOM_STYLE_ID });
      const time = await timings(page);
      const bytes = Buffer.byteLength(bigPage({ elements }));
      t.diagnostic(`/big/${elements}: ${(bytes / 1e6).toFixed(2)} MB, ${facts.count} elements, load ${loadMs.toFixed(0)} ms (DCL ${time.dcl} ms, load event ${time.load} ms, FCP ${time.fcp} ms), ${facts.cards} cards, ${facts.tableRows} table rows, ${facts.comments} comments, ${facts.inlineRules}+${facts.linkedRules}+${facts.cssomRules} CSS rules`);

      assert.ok(Math.abs(facts.count - elements) <= elements * ELEMENT_TOLERANCE, `${facts.count} elements for ${elements} requested`);
      assert.equal(facts.cssomText, '', 'the CSS-in-JS <style> has no text: its rules exist only in CSSOM');
      assert.equal(facts.cssomRules, bigPageCssomRuleCount(elements));
      assert.equal(facts.priceColor, CSSOM_PRICE_COLOR, 'the CSSOM-inserted rule applies');
      assert.equal(facts.inlineRules, bigPageStyleRuleCount(elements));
      assert.ok(facts.linkedRules > 500, `linked /css/site.css has ${facts.linkedRules} rules`);
      assert.ok(facts.mediaRules > 5 && facts.keyframes > 3 && facts.fontFace > 0);
      assert.match(facts.srcset ?? '', /^\/img\/\S+ 320w, \/img\/\S+ 640w$/);
      assert.ok(facts.firstImgLoaded, 'the first product image loaded from /img/');
      assert.ok(facts.tableRows > elements / 50, `${facts.tableRows} table rows`);
      assert.ok(facts.nested > 0, 'comment threads nest at least three levels');
      assert.ok(facts.svgUses > 100 && facts.autocomplete && facts.password && facts.ranges > 0);
      assert.deepEqual(errors, []);
      assert.ok(loadMs < PAGE_LOAD_LIMIT_MS);
    } finally {
      await close();
    }
  });
}

test('big page: a sortable header really sorts its table', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { page, close } = await open('/big/10000');
  try {
    const th = page.locator('#orders th').nth(6);
    await th.locator('button').click();
    assert.equal(await th.getAttribute('aria-sort'), 'ascending');
    const totals = await page.$$eval('#orders tbody tr td:nth-child(7)', (cells) => cells.map((c) => Number((c.textContent ?? '').replace(/[^0-9.]/g, ''))));
    assert.ok(totals.length > 10);
    assert.deepEqual(totals, [...totals].sort((x, y) => x - y));
  } finally {
    await close();
  }
});

test('long table 5000: all rows, zebra stripes, no console errors', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { page, errors, loadMs, close } = await open('/table/5000');
  try {
    const facts = await page.evaluate(() => {
      const rows = document.querySelectorAll('table tbody tr');
      return {
        rows: rows.length,
        cols: rows[0] ? rows[0].children.length : 0,
        odd: rows[0] ? getComputedStyle(rows[0]).backgroundColor : '',
        even: rows[1] ? getComputedStyle(rows[1]).backgroundColor : '',
        count: document.getElementsByTagName('*').length,
      };
    });
    t.diagnostic(`/table/5000: ${(Buffer.byteLength(longTable({ rows: 5000 })) / 1e6).toFixed(2)} MB, ${facts.count} elements, load ${loadMs.toFixed(0)} ms`);
    assert.equal(facts.rows, 5000);
    assert.equal(facts.cols, 8);
    assert.notEqual(facts.odd, facts.even);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('heavy CSS 3000: exactly 3000 top-level rules of many kinds, no console errors', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  const { page, errors, loadMs, close } = await open('/css/3000');
  try {
    const facts = await page.evaluate(() => {
      const rules = [...document.styleSheets].flatMap((s) => [...s.cssRules]);
      /** @type {Record<string, number>} */
      const kinds = {};
      for (const r of rules) kinds[r.constructor.name] = (kinds[r.constructor.name] ?? 0) + 1;
      const nested = rules.some((r) => r instanceof CSSStyleRule && r.cssRules.length > 0);
      return { total: rules.length, kinds, nested };
    });
    t.diagnostic(`/css/3000: load ${loadMs.toFixed(0)} ms, ${JSON.stringify(facts.kinds)}`);
    assert.equal(facts.total, 3000);
    for (const kind of ['CSSStyleRule', 'CSSMediaRule', 'CSSKeyframesRule', 'CSSFontFaceRule', 'CSSSupportsRule', 'CSSContainerRule', 'CSSPageRule']) {
      assert.ok((facts.kinds[kind] ?? 0) > 0, `has a ${kind}`);
    }
    assert.ok(facts.nested, 'has a nested style rule');
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('demo page: countdown, clock, ticker and chat update by themselves; the order can be placed', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { page, errors, close } = await open('/demo');
  try {
    const read = () => page.evaluate(() => ({
      countdown: document.querySelector('[data-live="countdown"]')?.textContent ?? '',
      clock: document.querySelector('[data-live="clock"]')?.textContent ?? '',
      ticker: document.querySelector('[data-live="ticker"]')?.textContent ?? '',
    }));
    const first = await read();
    await page.waitForFunction((before) => document.querySelector('[data-live="countdown"]')?.textContent !== before.countdown
      && document.querySelector('[data-live="clock"]')?.textContent !== before.clock
      && document.querySelector('[data-live="ticker"]')?.textContent !== before.ticker, first, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('.chat__log .msg--agent').length >= 2, null, { timeout: 10_000 });
    const scroll = await page.evaluate(() => ['outer-scroll', 'inner-scroll'].map((id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return el ? el.scrollHeight > el.clientHeight : false;
    }));
    assert.deepEqual(scroll, [true, true], 'both nested panels scroll');
    const masked = await page.$$eval('input', (inputs) => inputs.map((i) => i.autocomplete).filter((a) => a.startsWith('cc-')).sort());
    assert.deepEqual(masked, ['cc-csc', 'cc-exp', 'cc-name', 'cc-number']);

    await page.locator('[data-step="1"]').first().click();
    await page.fill('#email', 'ada@example.com');
    await page.fill('#given-name', 'Ada');
    await page.fill('#family-name', 'Lovelace');
    await page.fill('#address-line1', '1 Analytical Way');
    await page.fill('#city', 'Portland');
    await page.fill('#postal-code', '97209');
    await page.fill('#cc-name', 'Ada Lovelace');
    await page.locator('#cc-number').pressSequentially('4242424242424242');
    assert.equal(await page.inputValue('#cc-number'), '4242 4242 4242 4242');
    await page.fill('#cc-exp', '1229');
    await page.fill('#cc-csc', '123');
    await page.locator('.place[type="submit"]').click();
    await page.locator('.overlay').waitFor({ state: 'visible', timeout: 5_000 });
    assert.match(await page.locator('[data-order-number]').innerText(), /^NW-\d{6}$/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});

test('hostile page: its payloads really run in a normal tab and beacon (so the viewer tests can fail)', { timeout: TEST_TIMEOUT_MS }, async (t) => {
  // threat: the agent's viewer runs the customer's scripts — this proves every payload is live
  const { page, close } = await open('/hostile');
  try {
    const payloads = hostilePayloads();
    const beaconOf = (/** @type {string} */ id) => server.waitForHit((h) => h.query.id === id, { timeoutMs: 10_000 });
    await Promise.all(payloads.filter((p) => p.runsInChromium && p.trigger === 'load').map((p) => beaconOf(p.id)));
    for (const p of payloads.filter((x) => x.trigger === 'click' || x.trigger === 'hover')) {
      const el = page.locator(`[data-hostile="${p.id}"]`).first();
      const target = (await el.evaluate((e) => e.tagName)) === 'FORM' ? el.locator('button') : el;
      if (p.trigger === 'hover') await target.hover();
      else await target.click();
      await beaconOf(p.id);
    }
    // the blocked vectors: poke them too, then check that they stayed silent
    for (const p of payloads.filter((x) => x.trigger === 'none')) {
      const el = page.locator(`[data-hostile="${p.id}"]`).first();
      if (await el.isVisible()) await el.click({ force: true, noWaitAfter: true }).catch(() => undefined);
    }
    for (const v of HOSTILE_LIVE_VECTORS.filter((x) => x.autoRuns)) {
      await server.waitForHit((h) => (h.query.id ?? '').startsWith(`live-${v.vector}-`), { timeoutMs: 15_000 });
    }
    // barrier: a fresh click beacons, then a fresh live tick beacons — the pokes above had their turn
    const mark = server.hits.length;
    await page.locator('[data-hostile="button-onclick"]').click();
    await server.waitForHit((h) => h.query.id === 'button-onclick' && server.hits.indexOf(h) >= mark);
    const mark2 = server.hits.length;
    await server.waitForHit((h) => server.hits.indexOf(h) >= mark2 && (h.query.id ?? '').startsWith('live-'));
    const ran = new Set(server.hits.map((h) => h.query.id));
    for (const p of payloads) assert.equal(ran.has(p.id), p.runsInChromium, `${p.id} (${p.vector}) ran: ${ran.has(p.id)}`);
    for (const p of payloads.filter((x) => x.kind === 'script' && x.runsInChromium)) {
      const hit = server.hits.find((h) => h.query.id === p.id);
      assert.ok(hit && /^(http:\/\/127\.0\.0\.1:\d+\/|about:srcdoc|about:blank|data:text\/html)/.test(hit.query.from ?? ''), `${p.id} reports where it ran: ${hit?.query.from}`);
      assert.equal(hit?.query.top, p.topReachable ? `${server.url}/hostile` : 'cross-origin', `${p.id} top`);
      assert.ok(hit && 'ref' in hit.query && 'origin' in hit.query);
    }
    const globals = await page.evaluate((names) => ({ pwned: Reflect.get(window, 'PWNED'), set: names.filter((n) => Reflect.get(window, n) === true) }),
      payloads.filter((p) => p.kind === 'script' && p.runsInChromium && p.topReachable).map((p) => pwnedGlobal(p.id)));
    assert.equal(globals.pwned, true);
    assert.equal(globals.set.length, payloads.filter((p) => p.kind === 'script' && p.runsInChromium && p.topReachable).length);
    t.diagnostic(`hostile: ${payloads.filter((p) => p.runsInChromium).length}/${payloads.length} static payloads fire in a normal tab; ${server.hits.filter((h) => (h.query.id ?? '').startsWith('live-')).length} live-attack beacons so far`);
  } finally {
    await close();
  }
});

test('mask page: every canary and visible marker is in the DOM, before and after the scripted changes', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { page, errors, close } = await open('/mask?manual=1');
  try {
    const canaries = maskCanaries();
    const cases = maskCases();
    /** @param {'initial'|'late'} phase */
    const check = async (phase) => {
      const want = cases.filter((c) => c.phase === phase).map((c) => ({ ...c, canary: canaries[c.key] ?? '' }));
      const found = await page.evaluate((list) => list.map((c) => {
        const el = document.querySelector(c.selector);
        if (!el) return `${c.key}: no ${c.selector}`;
        const text = c.where === 'value' ? (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement ? el.value : '')
          : c.where === 'text' ? el.textContent ?? ''
            : c.where === 'attr' ? el.getAttribute(c.attr ?? '') ?? ''
              : el instanceof HTMLSelectElement ? el.selectedOptions[0]?.textContent ?? '' : '';
        return text.includes(c.canary) ? '' : `${c.key}: ${c.selector} ${c.where} is ${JSON.stringify(text)}`;
      }).filter(Boolean), want);
      assert.deepEqual(found, [], `${phase} canaries`);
    };
    await check('initial');
    await page.evaluate(() => Reflect.get(window, 'maskChanges').run());
    await check('late');
    assert.equal(await page.getAttribute('html', 'data-mask-phase'), 'done');
    assert.equal(await page.locator('#late-mask.cotab-mask').count(), 1);
    assert.equal(await page.getAttribute('#late-autocomplete', 'autocomplete'), 'cc-number');
    assert.equal(await page.locator('#mask-box #move-me').count(), 1);
    assert.deepEqual(errors, []);

    // without ?manual=1 the changes run by themselves after load
    const auto = await page.context().newPage();
    await auto.goto(`${server.url}/mask`);
    await auto.waitForFunction(() => document.documentElement.getAttribute('data-mask-phase') === 'done', null, { timeout: 10_000 });
  } finally {
    await close();
  }
});

/**
 * @param {string} rawPath sent as is (no URL normalisation)
 * @param {Record<string, string>} [headers]
 * @returns {Promise<{status: number, headers: import('node:http').IncomingHttpHeaders, body: string}>}
 */
function get(rawPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: rawPath, headers }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('page server: content types, cacheable resources with ETags, 404s, beacons, static files, no path traversal', async () => {
  const css = await get('/css/site.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  assert.match(String(css.headers['cache-control']), /max-age=\d+/);
  assert.doesNotMatch(String(css.headers['cache-control']), /no-store/);
  const img = await get('/img/p-12-320x320.svg');
  assert.equal(img.headers['content-type'], 'image/svg+xml');
  assert.equal(img.headers['access-control-allow-origin'], '*');
  assert.match(img.body, /<svg[^>]+width="320" height="320"/);
  const again = await get('/img/p-12-320x320.svg', { 'If-None-Match': String(img.headers.etag) });
  assert.equal(again.status, 304);
  assert.equal((await get('/big/10000')).headers['content-type'], 'text/html; charset=utf-8');
  assert.equal((await get('/big/10')).status, 404);
  assert.equal((await get('/slow-font.woff2')).status, 404);
  assert.equal((await get('/hostile/payload.js')).headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal((await get('/hostile/embed.svg?id=object-svg')).headers['content-type'], 'image/svg+xml');
  const before = server.hits.length;
  const beacon = await get('/beacon?id=probe&from=node');
  assert.equal(beacon.status, 204);
  assert.equal(server.hits.length, before + 1);
  assert.deepEqual(server.hits[before]?.query, { id: 'probe', from: 'node' });
  assert.equal((await get('/plain.html')).status, 200);
  assert.equal((await get('/%2e%2e/generate.mjs')).status, 404);
  assert.equal((await get('/..%2f..%2fpackage.json')).status, 404);
  await assert.rejects(server.waitForHit((h) => h.query.id === 'never', { timeoutMs: 50 }));
});
