// The agent's tools in the real viewer page (extension/viewer/viewer.html, viewer.js, mirror.js,
// tools.js) in a real headless Chromium, without the extension: the page is served from
// 127.0.0.1 with a fake `chrome.runtime.connect` port, so the test plays the service worker —
// it delivers the session state, a small customer page as a mirror stream and the customer's
// caps / done / refused, and reads every message the viewer posts. The pointer, wheel and keys
// are Playwright's real input over the scaled mirror, so the mapping from the agent's screen
// into the mirror's document (through the scale, through the inert root) is what is tested.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { validateAgentMessage } from '../../../extension/common/app.js';
import { ACTS_PER_SECOND, DRAW_FADE_MS, MAX_DRAW_POINTS, MAX_QUEUED_ACTS } from '../../../extension/viewer/tools-model.js';
import { CHROMIUM_ARGS, listen } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const extensionDir = path.join(root, 'extension');
const CHROMIUM = '/usr/bin/chromium';
/** Smaller than the customer's viewport (800×600) once the bars are drawn: the mirror is scaled. */
const VIEWPORT = { width: 900, height: 640 };
const TYPES = /** @type {Record<string, string>} */ ({ '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' });

/** Ids of the customer page's elements in the mirror stream below. */
const ID = { body: 3, title: 4, name: 6, agree: 7, country: 8, box: 13, link: 16, pay: 18, msg: 20, wrap: 21, cover: 23 };
const RECORDS = [
  [0, 'html'],
  [-1, 'head'],
  [-2, 'body', { style: 'margin:0;font:16px sans-serif' }],
  [-1, 'h1', { id: 'title', style: 'margin:0;height:60px;font-size:30px' }],
  [-1, '#t', 'Your cart'],
  [3, 'input', { id: 'name', type: 'text', placeholder: 'Your name', style: 'display:block;width:300px;height:30px;margin:10px' }],
  [3, 'input', { id: 'agree', type: 'checkbox', style: 'display:block;width:20px;height:20px;margin:10px' }],
  [3, 'select', { id: 'country', style: 'display:block;width:200px;height:30px;margin:10px' }],
  [-1, 'option', { value: 'de' }],
  [-1, '#t', 'Germany'],
  [8, 'option', { value: 'fr' }],
  [-1, '#t', 'France'],
  [3, 'div', { id: 'box', style: 'height:100px;width:300px;overflow:auto;margin:10px;background:#eee' }],
  [-1, 'div', { style: 'height:1000px' }],
  [-1, '#t', 'tall content'],
  [3, 'a', { id: 'link', href: 'https://shop.example/next', style: 'display:block;height:30px;margin:10px' }],
  [-1, '#t', 'Next page'],
  [3, 'button', { id: 'pay', style: 'display:block;height:30px;margin:10px' }],
  [-1, '#t', 'Pay now'],
  [3, 'textarea', { id: 'msg', style: 'display:block;width:300px;height:40px;margin:10px' }],
  // An empty box over text: the caret position lands in the text below it, the hit must not.
  [3, 'div', { id: 'wrap', style: 'position:relative;width:300px;height:30px;margin:10px' }],
  [-1, '#t', 'text under a cover'],
  [-2, 'div', { id: 'cover', style: 'position:absolute;left:0;top:0;width:300px;height:30px' }],
  [3, 'div', { style: 'height:3000px' }],
];
const ALL = ['annotate', 'scroll', 'type', 'navigate', 'click'];

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('node:http').Server} */
let server;
let origin = '';

before(async () => {
  ({ server, origin } = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const file = path.normalize(path.join(extensionDir, url.pathname));
    if (!file.startsWith(extensionDir + path.sep)) {
      res.statusCode = 403;
      res.end();
      return;
    }
    try {
      const body = await fs.readFile(file);
      res.setHeader('content-type', TYPES[path.extname(file)] ?? 'application/octet-stream');
      res.end(body);
    } catch {
      res.statusCode = 404;
      res.end();
    }
  }));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(() => resolve(undefined)));
});

/**
 * The viewer, live on the small customer page, with a fake service-worker port; closed when the
 * test `t` ends.
 * @param {import('node:test').TestContext} t
 * @param {{granted?: string[]}} [opts]
 */
async function open(t, opts = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  t.after(() => context.close());
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript(() => {
    const w = /** @type {any} */ (window);
    w.__posted = [];
    /** @type {((m: unknown) => void)[]} */
    const listeners = [];
    w.__deliver = (/** @type {unknown} */ m) => listeners.forEach((f) => f(m));
    const fake = {
      runtime: {
        connect: () => ({
          onMessage: { addListener: (/** @type {(m: unknown) => void} */ f) => listeners.push(f) },
          onDisconnect: { addListener: () => {} },
          postMessage: (/** @type {unknown} */ m) => w.__posted.push({ at: performance.now(), m: JSON.parse(JSON.stringify(m)) }),
        }),
      },
      tabs: { getCurrent: async () => null, remove: async () => {} },
    };
    Object.defineProperty(window, 'chrome', { value: fake, configurable: true, writable: true });
  });
  await page.goto(`${origin}/viewer/viewer.html`);
  await deliver(page, { k: 'state', state: { mode: 'agent', phase: 'live', epoch: 1, startedBy: 'agent' } });
  await peer(page, {
    k: 'snap', e: 1, url: 'https://shop.example/cart', title: 'Cart', base: 'https://shop.example/cart',
    doctype: { name: 'html', publicId: '', systemId: '' }, vw: 800, vh: 600, sx: 0, sy: 0, total: 14,
  });
  await peer(page, { k: 'part', e: 1, first: 1, n: RECORDS });
  await peer(page, { k: 'snapend', e: 1, count: RECORDS.length });
  await page.waitForSelector('[data-testid=viewer-state][data-state=live]');
  if (opts.granted) await peer(page, caps(opts.granted));
  await settled(page);
  return { page, errors };
}

/**
 * Two frames: the toolbar's new content may change its height, and the viewer re-scales the
 * mirror from a ResizeObserver (before the next paint); positions read before that are stale.
 * @param {import('playwright-core').Page} page
 */
function settled(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined)))));
}

/** @param {string[]} granted @param {string[]} [asked] */
function caps(granted, asked = []) {
  return { k: 'caps', granted, grantable: ALL, asked };
}

/** @param {import('playwright-core').Page} page @param {unknown} m */
function deliver(page, m) {
  return page.evaluate((x) => /** @type {any} */ (window).__deliver(x), m);
}

/** @param {import('playwright-core').Page} page @param {unknown} data */
function peer(page, data) {
  return deliver(page, { k: 'peer', data });
}

/**
 * The agent messages the viewer posted so far (`send.data`, pings left out), optionally of one kind.
 * @param {import('playwright-core').Page} page @param {string} [kind]
 * @returns {Promise<any[]>}
 */
async function sent(page, kind) {
  const all = await page.evaluate(() => /** @type {any} */ (window).__posted);
  // Latency probes run on their own clock; they are not the tools' business.
  return all
    .filter((/** @type {any} */ p) => p.m.k === 'send' && p.m.data.k !== 'ping' && (!kind || p.m.data.k === kind))
    .map((/** @type {any} */ p) => p.m.data);
}

/** @param {import('playwright-core').Page} page @param {(msgs: any[]) => boolean} pred @param {string} [kind] */
async function waitSent(page, pred, kind) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const msgs = await sent(page, kind);
    if (pred(msgs)) return msgs;
    if (Date.now() > deadline) assert.fail(`the viewer did not send what was expected; sent ${JSON.stringify(msgs).slice(0, 1500)}`);
    await page.waitForTimeout(20);
  }
}

/** Forgets what was posted so far. @param {import('playwright-core').Page} page */
function forget(page) {
  return page.evaluate(() => {
    /** @type {any} */ (window).__posted = [];
  });
}

/**
 * Where an element of the mirror is on the viewer page (client px): a point `fx`, `fy` of the
 * way across its box, and the mirror's scale.
 * @param {import('playwright-core').Page} page @param {string} id @param {number} [fx] @param {number} [fy]
 */
function at(page, id, fx = 0.5, fy = 0.5) {
  return page.evaluate(
    ([id, fx, fy]) => {
      const frame = /** @type {HTMLIFrameElement} */ (document.querySelector('iframe[data-testid=mirror]'));
      const el = /** @type {Document} */ (frame.contentDocument).getElementById(/** @type {string} */ (id));
      if (!el) throw new Error(`no #${id} in the mirror`);
      const r = el.getBoundingClientRect();
      const screen = /** @type {HTMLElement} */ (document.getElementById('screen')).getBoundingClientRect();
      const scale = screen.width / 800;
      const mx = r.left + r.width * /** @type {number} */ (fx);
      const my = r.top + r.height * /** @type {number} */ (fy);
      return { x: screen.left + mx * scale, y: screen.top + my * scale, scale, rel: { x: mx - r.left, y: my - r.top } };
    },
    [id, fx, fy],
  );
}

/**
 * Clicks a field of the mirror (with the default tool) and waits until it is the type target.
 * @param {import('playwright-core').Page} page @param {string} id
 */
async function typeInto(page, id) {
  const p = await at(page, id);
  await page.mouse.click(p.x, p.y);
  await page.waitForSelector('[data-testid=type-target]:not([hidden])');
}

/** @param {any[]} msgs */
function assertAllValid(msgs) {
  for (const m of msgs) {
    const r = validateAgentMessage(m);
    assert.ok(r.ok, `the customer's validator refuses ${JSON.stringify(m).slice(0, 300)}`);
  }
}

describe('viewer tools', () => {
  test('capability chips follow caps; Ask sends ask and shows waiting, then declined', async (t) => {
    const { page, errors } = await open(t);
    assert.equal(await page.getAttribute('[data-testid=cap-scroll]', 'data-state'), 'unknown');
    assert.equal(await page.isDisabled('[data-testid=tool-laser]'), true, 'no tools before caps');
    await peer(page, { k: 'caps', granted: ['annotate'], grantable: ['annotate', 'scroll', 'type'], asked: [] });
    assert.equal(await page.getAttribute('[data-testid=cap-annotate]', 'data-state'), 'granted');
    assert.equal(await page.getAttribute('[data-testid=cap-scroll]', 'data-state'), 'ask');
    assert.equal(await page.getAttribute('[data-testid=cap-click]', 'data-state'), 'not-grantable');
    assert.equal(await page.isHidden('[data-testid=ask-click]'), true);
    assert.equal(await page.isEnabled('[data-testid=tool-laser]'), true);
    assert.equal(await page.isDisabled('[data-testid=tool-type]'), true);
    await page.click('[data-testid=ask-scroll]');
    assert.deepEqual(await sent(page, 'ask'), [{ k: 'ask', caps: ['scroll'] }]);
    assert.equal(await page.getAttribute('[data-testid=cap-scroll]', 'data-state'), 'waiting');
    assert.equal(await page.isHidden('[data-testid=ask-scroll]'), true);
    await peer(page, { k: 'caps', granted: ['annotate'], grantable: ['annotate', 'scroll', 'type'], asked: ['scroll'] });
    await peer(page, { k: 'caps', granted: ['annotate'], grantable: ['annotate', 'scroll', 'type'], asked: [] });
    assert.equal(await page.getAttribute('[data-testid=cap-scroll]', 'data-state'), 'declined');
    assert.equal(await page.isVisible('[data-testid=ask-scroll]'), true);
    // threat: a modified customer extension sending a malformed caps: dropped, nothing changes
    await peer(page, { k: 'caps', granted: ['root'], grantable: ['root'], asked: [] });
    assert.equal(await page.getAttribute('[data-testid=cap-annotate]', 'data-state'), 'granted');
    assert.deepEqual(errors, []);
  });

  test('laser: element-relative positions through the scale, hidden when the pointer leaves', async (t) => {
    const { page, errors } = await open(t, { granted: ['annotate'] });
    const p = await at(page, 'name', 0.25, 0.5);
    assert.ok(p.scale < 1, `the mirror is scaled (${p.scale})`);
    await page.mouse.move(p.x, p.y);
    const lasers = await waitSent(page, (m) => m.some((x) => x.id === ID.name), 'laser');
    const last = lasers.filter((x) => x.id === ID.name).at(-1);
    assert.equal(last.e, 1);
    assert.ok(Math.abs(last.x - p.rel.x) <= 1.5 && Math.abs(last.y - p.rel.y) <= 1.5, `laser ${JSON.stringify(last)} vs ${JSON.stringify(p.rel)}`);
    await page.mouse.move(2, 2); // over the toolbar: the pointer left the mirror
    await waitSent(page, (m) => m.at(-1)?.id === undefined && m.at(-1)?.k === 'laser' && Object.keys(m.at(-1)).length === 2, 'laser');
    assertAllValid(await sent(page));
    assert.deepEqual(errors, []);
  });

  test('laser messages: at most one per animation frame', async (t) => {
    const { page } = await open(t, { granted: ['annotate'] });
    const a = await at(page, 'box', 0.1, 0.2);
    await page.mouse.move(a.x, a.y);
    await waitSent(page, (m) => m.length > 0, 'laser');
    await forget(page);
    // 40 pointer moves inside one frame: one message.
    await page.evaluate(([x, y]) => {
      const layer = /** @type {HTMLElement} */ (document.getElementById('input-layer'));
      for (let i = 0; i < 40; i++) layer.dispatchEvent(new PointerEvent('pointermove', { clientX: x + i, clientY: y, bubbles: true }));
    }, [a.x, a.y]);
    await settled(page);
    const lasers = await sent(page, 'laser');
    assert.equal(lasers.length, 1, JSON.stringify(lasers));
  });

  test('highlight toggles a mark, shown in the agent’s ink too', async (t) => {
    const { page } = await open(t, { granted: ['annotate'] });
    await page.click('[data-testid=tool-mark]');
    const p = await at(page, 'title', 0.3, 0.5);
    await page.mouse.click(p.x, p.y);
    await waitSent(page, (m) => m.length === 1, 'mark');
    assert.deepEqual(await sent(page, 'mark'), [{ k: 'mark', e: 1, id: ID.title, on: true }]);
    assert.equal(await page.locator('#ink .mark').count(), 1);
    await page.mouse.click(p.x, p.y);
    await waitSent(page, (m) => m.length === 2, 'mark');
    assert.deepEqual((await sent(page, 'mark'))[1], { k: 'mark', e: 1, id: ID.title, on: false });
    assert.equal(await page.locator('#ink .mark').count(), 0);
    // Inputs, and boxes without text over text, are found too (the mirror's root is inert).
    for (const [name, id] of /** @type {[string, number][]} */ ([['name', ID.name], ['cover', ID.cover], ['pay', ID.pay]])) {
      const q = await at(page, name, 0.3, 0.5);
      await page.mouse.click(q.x, q.y);
      await waitSent(page, (m) => m.at(-1)?.id === id, 'mark');
    }
  });

  test('draw: a drag is one stroke in batches of ≤ MAX_DRAW_POINTS, ended on release, with the fade toggle', async (t) => {
    const { page } = await open(t, { granted: ['annotate'] });
    await page.click('[data-testid=tool-draw]');
    const a = await at(page, 'title', 0.1, 0.5);
    await page.mouse.move(a.x, a.y);
    await page.mouse.down();
    await page.mouse.move(a.x + 200, a.y + 150, { steps: 40 });
    await page.mouse.up();
    const draws = await waitSent(page, (m) => m.some((x) => x.end), 'draw');
    assert.ok(draws.every((d) => d.s === 1 && d.id === ID.title && d.e === 1 && d.fade === DRAW_FADE_MS && d.pts.length <= MAX_DRAW_POINTS));
    assert.equal(draws.filter((d) => d.end).length, 1);
    assert.equal(draws.at(-1).end, true);
    assert.ok(draws.reduce((n, d) => n + d.pts.length, 0) >= 20, 'the points of the drag');
    assert.ok(Math.abs(draws[0].pts[0][0] - a.rel.x) <= 1.5 && Math.abs(draws[0].pts[0][1] - a.rel.y) <= 1.5, JSON.stringify(draws[0].pts[0]));
    assert.equal(await page.locator('#ink .stroke').count(), 1);
    assertAllValid(draws);
    // Without fade: the next stroke stays (fade 0) and counts on.
    await page.uncheck('[data-testid=draw-fade]');
    await page.mouse.move(a.x, a.y + 20);
    await page.mouse.down();
    await page.mouse.move(a.x + 50, a.y + 30, { steps: 5 });
    await page.mouse.up();
    const second = await waitSent(page, (m) => m.filter((x) => x.end).length === 2, 'draw');
    assert.ok(second.filter((d) => d.s === 2).every((d) => d.fade === 0));
    await page.click('[data-testid=tool-clear]');
    await waitSent(page, (m) => m.length === 1, 'clear');
    assert.equal(await page.locator('#ink .stroke').count(), 0);
  });

  test('scroll: the wheel asks the nearest scroller (or the window) to move; the mirror does not move by itself', async (t) => {
    const { page } = await open(t, { granted: ALL });
    const box = await at(page, 'box');
    await page.mouse.move(box.x, box.y);
    await page.mouse.wheel(0, 120);
    const inBox = await waitSent(page, (m) => m.some((x) => x.a === 'scroll'), 'act');
    const s1 = inBox.find((x) => x.a === 'scroll');
    assert.deepEqual({ ...s1, n: 0 }, { k: 'act', n: 0, a: 'scroll', e: 1, id: ID.box, x: 0, y: 120 });
    // No echo yet: the next wheel builds on the target already sent.
    await page.mouse.wheel(0, 120);
    await waitSent(page, (m) => m.filter((x) => x.a === 'scroll').length === 2, 'act');
    assert.equal((await sent(page, 'act')).filter((x) => x.a === 'scroll')[1].y, 240);
    const title = await at(page, 'title');
    await page.mouse.move(title.x, title.y);
    await page.mouse.wheel(0, 300);
    const all = await waitSent(page, (m) => m.some((x) => x.a === 'scroll' && x.id === 0), 'act');
    assert.equal(all.find((x) => x.id === 0).y, 300);
    const local = await page.evaluate(() => {
      const frame = /** @type {HTMLIFrameElement} */ (document.querySelector('iframe[data-testid=mirror]'));
      const doc = /** @type {Document} */ (frame.contentDocument);
      return { win: frame.contentWindow?.scrollY, box: doc.getElementById('box')?.scrollTop };
    });
    assert.deepEqual(local, { win: 0, box: 0 }, 'only the customer’s echo scrolls the mirror');
    assertAllValid(all);
  });

  test('type: a click on a field makes it the target; text and named keys go as acts, in order', async (t) => {
    const { page } = await open(t, { granted: ALL });
    await typeInto(page, 'name');
    assert.equal(await page.getAttribute('[data-testid=type-target]', 'data-id'), String(ID.name));
    await page.keyboard.type('Hi you');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('!');
    await page.keyboard.press('Enter');
    const acts = await waitSent(page, (m) => m.some((x) => x.a === 'key' && x.key === 'Enter'), 'act');
    assert.ok(acts.every((x) => x.e === 1 && x.id === ID.name));
    const flat = acts.map((x) => (x.a === 'type' ? x.text : `<${x.key}>`)).join('');
    assert.equal(flat, 'Hi you<Backspace>!<Enter>');
    const ns = acts.map((x) => x.n);
    assert.deepEqual(ns, [...ns].sort((a, b) => a - b), 'sequence numbers count up');
    assert.equal(new Set(ns).size, ns.length);
    assertAllValid(acts);
    // Nothing reached the mirror's own field.
    assert.equal(await page.evaluate(() => /** @type {HTMLInputElement} */ (/** @type {HTMLIFrameElement} */ (document.querySelector('iframe[data-testid=mirror]')).contentDocument?.getElementById('name')).value), '');
    // A refusal that makes the field no target: the target goes.
    const n = acts.at(-1).n;
    await peer(page, { k: 'refused', n, a: 'key', why: 'masked', detail: 'password field' });
    await page.waitForSelector('[data-testid=type-target][hidden]', { state: 'attached' });
    assert.equal(await page.getAttribute('[data-testid=toast]', 'data-why'), 'masked');
  });

  test('checkbox and select: act check and act select; the mirror’s own controls never change', async (t) => {
    const { page } = await open(t, { granted: ALL });
    const box = await at(page, 'agree');
    await page.mouse.click(box.x, box.y);
    await waitSent(page, (m) => m.some((x) => x.a === 'check'), 'act');
    const check = (await sent(page, 'act')).find((x) => x.a === 'check');
    assert.deepEqual({ ...check, n: 0 }, { k: 'act', n: 0, a: 'check', e: 1, id: ID.agree, c: true });
    const sel = await at(page, 'country');
    await page.mouse.click(sel.x, sel.y);
    await page.waitForSelector('[data-testid=select-picker]:not([hidden])');
    await page.selectOption('[data-testid=select-picker]', 'fr');
    const acts = await waitSent(page, (m) => m.some((x) => x.a === 'select'), 'act');
    assert.deepEqual({ ...acts.find((x) => x.a === 'select'), n: 0 }, { k: 'act', n: 0, a: 'select', e: 1, id: ID.country, v: 'fr' });
    assert.equal(await page.isHidden('[data-testid=select-picker]'), true);
    const mirrorState = await page.evaluate(() => {
      const doc = /** @type {Document} */ (/** @type {HTMLIFrameElement} */ (document.querySelector('iframe[data-testid=mirror]')).contentDocument);
      return { checked: /** @type {HTMLInputElement} */ (doc.getElementById('agree')).checked, value: /** @type {HTMLSelectElement} */ (doc.getElementById('country')).value };
    });
    assert.deepEqual(mirrorState, { checked: false, value: 'de' });
    assertAllValid(acts);
  });

  test('click: act click on the element; the mirror never follows the link; refusals explain themselves', async (t) => {
    const { page, errors } = await open(t, { granted: ALL });
    await page.click('[data-testid=tool-click]');
    const link = await at(page, 'link', 0.1, 0.5);
    await page.mouse.click(link.x, link.y);
    const pay = await at(page, 'pay');
    await page.mouse.click(pay.x, pay.y);
    const acts = await waitSent(page, (m) => m.filter((x) => x.a === 'click').length === 2, 'act');
    assert.deepEqual(acts.map((x) => x.id), [ID.link, ID.pay]);
    const frameUrl = await page.evaluate(() => /** @type {HTMLIFrameElement} */ (document.querySelector('iframe[data-testid=mirror]')).contentWindow?.location.href);
    assert.equal(frameUrl, 'about:srcdoc', 'the mirror did not navigate');
    assert.equal(page.url(), `${origin}/viewer/viewer.html`);
    await peer(page, { k: 'done', n: acts[0].n });
    await peer(page, { k: 'refused', n: acts[1].n, a: 'click', why: 'finalizing', detail: 'button “Pay now”' });
    assert.equal(await page.textContent('[data-testid=toast]'), 'Blocked: the customer must do this themselves — button “Pay now”');
    assert.equal(await page.getAttribute('[data-testid=toast]', 'data-why'), 'finalizing');
    // Tool refusals (n 0): once per kind and reason for a while.
    await peer(page, { k: 'refused', n: 0, a: 'draw', why: 'stale', detail: '' });
    const staleText = await page.textContent('[data-testid=toast]');
    assert.match(staleText ?? '', /page changed/);
    await peer(page, { k: 'refused', n: 999, a: 'click', why: 'no-node', detail: '' });
    await peer(page, { k: 'refused', n: 0, a: 'draw', why: 'stale', detail: '' });
    assert.equal(await page.getAttribute('[data-testid=toast]', 'data-why'), 'no-node', 'the repeated tool refusal is not shown again');
    assert.deepEqual(errors, []);
  });

  test('open page: the typed address is proposed as act nav; done shows accepted', async (t) => {
    const { page } = await open(t, { granted: ALL });
    await page.fill('[data-testid=nav-url]', '/help?x=1');
    await page.click('[data-testid=nav-propose]');
    const acts = await waitSent(page, (m) => m.some((x) => x.a === 'nav'), 'act');
    const nav = acts.find((x) => x.a === 'nav');
    assert.deepEqual(Object.keys(nav), ['k', 'n', 'a', 'url']);
    assert.equal(nav.url, 'https://shop.example/help?x=1');
    assertAllValid([nav]);
    assert.match((await page.textContent('[data-testid=nav-status]')) ?? '', /Waiting/);
    // A second proposal while the first is open is held back here.
    await page.click('[data-testid=nav-propose]');
    assert.equal((await sent(page, 'act')).filter((x) => x.a === 'nav').length, 1);
    await peer(page, { k: 'done', n: nav.n });
    assert.equal(await page.textContent('[data-testid=nav-status]'), 'Accepted');
    await page.fill('[data-testid=nav-url]', 'javascript:alert(1)');
    await page.click('[data-testid=nav-propose]');
    assert.equal(await page.getAttribute('[data-testid=toast]', 'data-why'), 'local');
    assert.equal((await sent(page, 'act')).filter((x) => x.a === 'nav').length, 1);
  });

  test('revoking drops the target and disables the tools; without a grant nothing is sent', async (t) => {
    const { page } = await open(t, { granted: ALL });
    await typeInto(page, 'msg');
    await peer(page, caps([]));
    await settled(page);
    assert.equal(await page.isHidden('[data-testid=type-target]'), true);
    for (const t of ['laser', 'mark', 'draw', 'type', 'click', 'clear']) assert.equal(await page.isDisabled(`[data-testid=tool-${t}]`), true, t);
    await forget(page);
    await page.keyboard.type('abc');
    const box = await at(page, 'box');
    await page.mouse.move(box.x, box.y);
    await page.mouse.wheel(0, 200);
    await page.mouse.click(box.x, box.y);
    await page.waitForTimeout(150);
    assert.deepEqual(await sent(page), []);
    assert.equal(await page.getAttribute('[data-testid=cap-type]', 'data-state'), 'ask');
  });

  test(`actions are paced to the viewer’s budget (ACTS_PER_SECOND ${ACTS_PER_SECOND}) and none is lost`, async (t) => {
    const { page } = await open(t, { granted: ALL });
    await typeInto(page, 'msg');
    await forget(page);
    const keys = 2 * ACTS_PER_SECOND;
    // Faster than the budget (one key per 8 ms), slower than the queue fills.
    await page.evaluate(async (count) => {
      const sink = /** @type {HTMLTextAreaElement} */ (document.getElementById('type-sink'));
      for (let i = 0; i < count; i++) {
        sink.dispatchEvent(new KeyboardEvent('keydown', { key: i % 2 ? 'ArrowLeft' : 'ArrowRight', bubbles: true, cancelable: true }));
        await new Promise((r) => setTimeout(r, 8));
      }
    }, keys);
    await waitSent(page, (m) => m.length === keys, 'act');
    const posted = await page.evaluate(() =>
      /** @type {any} */ (window).__posted.filter((/** @type {any} */ p) => p.m.data?.k === 'act').map((/** @type {any} */ p) => ({ at: p.at, key: p.m.data.key })),
    );
    const first = posted[0].at;
    const within = posted.filter((/** @type {{at: number}} */ x) => x.at - first < 500).length;
    assert.ok(within <= ACTS_PER_SECOND * 1.5 + 1, `${within} actions in the first half second`);
    assert.deepEqual(posted.map((/** @type {{key: string}} */ x) => x.key), Array.from({ length: keys }, (_, i) => (i % 2 ? 'ArrowLeft' : 'ArrowRight')));
    assert.equal(await page.isHidden('[data-testid=toast]'), true, 'nothing was dropped');
  });

  test(`more than MAX_QUEUED_ACTS (${MAX_QUEUED_ACTS}) waiting actions: the rest is dropped, and the agent is told`, async (t) => {
    const { page } = await open(t, { granted: ALL });
    await typeInto(page, 'msg');
    await forget(page);
    await page.evaluate((count) => {
      const sink = /** @type {HTMLTextAreaElement} */ (document.getElementById('type-sink'));
      for (let i = 0; i < count; i++) sink.dispatchEvent(new KeyboardEvent('keydown', { key: 'Delete', bubbles: true, cancelable: true }));
    }, MAX_QUEUED_ACTS + 10);
    await waitSent(page, (m) => m.length === MAX_QUEUED_ACTS, 'act');
    await page.waitForTimeout(200);
    assert.equal((await sent(page, 'act')).length, MAX_QUEUED_ACTS);
    assert.equal(await page.getAttribute('[data-testid=toast]', 'data-why'), 'local');
    assert.match((await page.textContent('[data-testid=toast]')) ?? '', /Too fast/);
  });
});
