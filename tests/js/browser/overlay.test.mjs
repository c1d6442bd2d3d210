// The annotation overlay (extension/content/overlay.js) in a real headless Chromium: the laser,
// marks and strokes appear where the agent asked and stay on their elements through window scroll,
// nested scroll and layout changes; items of removed elements go; fade, clear and the limits work;
// the page can neither read, restyle nor remove the overlay, nor be blocked by it.
//
// The module runs where the extension runs it: in an isolated world (created over CDP, as Chrome
// creates the content script's), so page scripts — page.evaluate() here — share the DOM with it
// but not its JavaScript objects or prototypes. The test bundle (and only it) catches the closed
// shadow roots as they are attached, to measure what is drawn; pixel checks on screenshots
// confirm that what is measured is what the customer sees.

import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { bundleScript, CHROMIUM_ARGS, HOST_ATTACKS, listen, waitHostRepaired } from './harness.mjs';
import { createIsolatedWorld } from './isolated-world.mjs';
import { STOP_BUTTON_WIDTH_PX } from '../../../extension/content/indicator.js';
import { DEFAULT_COLOR, FADE_OUT_MS, MAX_COORD_PX, MAX_DRAW_POINTS, MAX_MARKS, MAX_STROKE_POINTS, MAX_STROKES } from '../../../extension/content/overlay.js';

const VIEWPORT = { width: 1000, height: 600 };
/** Mark outline's offset around the element (overlay.js MARK_PAD_PX). */
const PAD = 4;
const COLOR = hexRgb(DEFAULT_COLOR);
const ACCENT = hexRgb('#e8590c');

/** @param {string} hex @returns {[number, number, number]} */
function hexRgb(hex) {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** @type {import('playwright-core').Browser} */
let browser;
/** @type {import('node:http').Server} */
let server;
let origin = '';
/** @type {Map<string, string>} */
const pages = new Map();
/** The overlay (and the indicator, the Recorder) as one classic script for the isolated world. */
let bundle = '';

before(async () => {
  bundle = await bundleScript(`
    import { Overlay } from './extension/content/overlay.js';
    import { Indicator } from './extension/content/indicator.js';
    import { Recorder } from './extension/content/serializer.js';
    // Test hook, in this bundle only: the closed shadow roots as they are attached.
    const roots = {};
    const attachShadow = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const r = attachShadow.call(this, init);
      roots[this.localName] = r;
      return r;
    };
    // Counts the overlay's animation frames (idle must cost nothing).
    const raf = window.requestAnimationFrame.bind(window);
    let frameRequests = 0;
    window.requestAnimationFrame = (cb) => { frameRequests++; return raf(cb); };
    let overlay = null;
    let indicator = null;
    const records = [];
    const box = (el) => { const b = el.getBoundingClientRect(); return { x: b.x, y: b.y, w: b.width, h: b.height }; };
    globalThis.__ov = {
      start(opts = {}) {
        overlay = new Overlay({ doc: document, resolve: (id) => document.querySelector('[data-id="' + id + '"]'), ...opts });
        if (opts.indicator) { indicator = new Indicator({ doc: document, onStop() {} }); indicator.show(); }
      },
      call(kind, msg) { return overlay[kind](msg); },
      destroy() { overlay.destroy(); },
      frames(n = 2) { return new Promise((resolve) => { const step = () => (n-- <= 0 ? resolve() : raf(step)); step(); }); },
      frameRequests: () => frameRequests,
      hostAttached: () => [...document.documentElement.children].some((c) => overlay.isOwnNode(c)),
      isOwn: (selector) => overlay.isOwnNode(document.querySelector(selector)),
      geometry() {
        const r = roots['cotab-overlay'];
        if (!r) return null;
        const dot = r.querySelector('.laser');
        return {
          marks: [...r.querySelectorAll('.mark')].map((m) => ({ ...box(m), visible: m.checkVisibility(), clip: getComputedStyle(m.parentElement).clipPath })),
          strokes: [...r.querySelectorAll('.stroke')].map((p) => ({ ...box(p), d: p.getAttribute('d'), opacity: Number(getComputedStyle(p).opacity), visible: p.checkVisibility() })),
          laser: dot.checkVisibility() ? { x: box(dot).x + box(dot).w / 2, y: box(dot).y + box(dot).h / 2, clip: getComputedStyle(dot.parentElement).clipPath } : null,
          trail: r.querySelectorAll('.trail line').length,
        };
      },
      async record() {
        const recorder = new Recorder({ doc: document, emit: (m) => records.push(JSON.stringify(m)), isOwnNode: (n) => overlay.isOwnNode(n) || (indicator?.isOwnNode(n) ?? false) });
        await recorder.start(1);
      },
      recorded: () => records.join('\\n'),
    };`);
  ({ server, origin } = await listen((req, res) => {
    const html = pages.get(new URL(req.url ?? '/', 'http://x').pathname);
    res.statusCode = html === undefined ? 404 : 200;
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html ?? '');
  }));
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  server?.close();
});

/**
 * @typedef {object} Geometry
 * @property {Array<{x: number, y: number, w: number, h: number, visible: boolean, clip: string}>} marks
 * @property {Array<{x: number, y: number, w: number, h: number, d: string, opacity: number, visible: boolean}>} strokes
 * @property {{x: number, y: number, clip: string} | null} laser
 * @property {number} trail
 */

/**
 * A page served from 127.0.0.1 with the bundle loaded in an isolated world and the overlay made,
 * closed when the test `t` ends.
 * @param {import('node:test').TestContext} t
 * @param {string} body
 * @param {{head?: string, viewport?: {width: number, height: number}, indicator?: boolean, color?: string}} [opts]
 */
async function open(t, body, opts = {}) {
  const name = `/p${pages.size}.html`;
  pages.set(name, `<!doctype html><html><head><meta charset="utf-8">${opts.head ?? ''}<style>body{margin:0;font:16px sans-serif}</style></head><body>${body}</body></html>`);
  const context = await browser.newContext({ viewport: opts.viewport ?? VIEWPORT });
  t.after(() => context.close());
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.goto(origin + name);
  const cdp = await context.newCDPSession(page);
  // Exceptions in every world, the isolated one included.
  cdp.on('Runtime.exceptionThrown', (e) => errors.push(`${e.exceptionDetails.text} ${e.exceptionDetails.exception?.description ?? ''}`));
  await cdp.send('Runtime.enable');
  const evaluate = await createIsolatedWorld(cdp, 'cotab-content-test');
  /**
   * Runs `fn(arg)` in the isolated world (where __ov lives) and returns its (awaited) value.
   * @template T
   * @param {(arg: any) => T | Promise<T>} fn
   * @param {unknown} [arg]
   * @returns {Promise<T>}
   */
  const iso = (fn, arg) => evaluate(`(${fn.toString()})(${JSON.stringify(arg ?? null)})`);
  await iso((src) => (0, eval)(src), bundle);
  await iso((o) => /** @type {any} */ (globalThis).__ov.start(o), { indicator: opts.indicator ?? false, ...(opts.color ? { color: opts.color } : {}) });
  const ov = {
    /** @param {string} kind @param {object} msg @returns {Promise<{ok: boolean, why?: string, detail?: string}>} */
    call: (kind, msg) => iso((a) => /** @type {any} */ (globalThis).__ov.call(a.kind, a.msg) ?? null, { kind, msg }),
    /** Geometry after two frames (the overlay re-positions on each). @returns {Promise<Geometry>} */
    geometry: async () => {
      await iso(() => /** @type {any} */ (globalThis).__ov.frames(2));
      return iso(() => /** @type {any} */ (globalThis).__ov.geometry());
    },
    /** @param {number} [n] */
    frames: (n) => iso((k) => /** @type {any} */ (globalThis).__ov.frames(k ?? 2), n),
    /** @returns {Promise<boolean>} */
    hostAttached: () => iso(() => /** @type {any} */ (globalThis).__ov.hostAttached()),
  };
  return { page, iso, ov, errors };
}

/**
 * The colour of one screen pixel (a 1×1 screenshot, decoded here: for a single pixel every PNG
 * filter reduces to the raw bytes).
 * @param {import('playwright-core').Page} page
 * @param {number} x
 * @param {number} y
 * @returns {Promise<[number, number, number]>}
 */
async function pixel(page, x, y) {
  const png = await page.screenshot({ clip: { x: Math.round(x), y: Math.round(y), width: 1, height: 1 }, animations: 'disabled' });
  let at = 8;
  let colorType = -1;
  /** @type {Buffer[]} */
  const idat = [];
  while (at < png.length) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    if (type === 'IHDR') {
      assert.equal(data.readUInt32BE(0), 1, 'a 1-pixel screenshot');
      assert.equal(data[8], 8, '8 bits per channel');
      colorType = data[9];
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + len;
  }
  assert.ok(colorType === 2 || colorType === 6, `RGB or RGBA PNG, got colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(idat));
  return [raw[1], raw[2], raw[3]];
}

/** @param {[number, number, number]} a @param {[number, number, number]} b */
function distance(a, b) {
  return Math.max(Math.abs(a[0] - b[0]), Math.abs(a[1] - b[1]), Math.abs(a[2] - b[2]));
}

/**
 * Polls `fn` until it returns a truthy value.
 * @template T
 * @param {() => Promise<T>} fn
 * @param {string} what
 * @param {number} [timeout]
 * @returns {Promise<T>}
 */
async function until(fn, what, timeout = 5000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Within a pixel and a half (sub-pixel layout, rounding). @param {number} a @param {number} b @param {string} what */
function near(a, b, what) {
  assert.ok(Math.abs(a - b) <= 1.5, `${what}: ${a} ≉ ${b}`);
}

const BOX = '<div id="a" data-id="1" style="position:absolute;left:100px;top:150px;width:200px;height:80px;background:#eee"></div>';

describe('overlay: where things appear', () => {
  test('a mark outlines its element, the laser sits at (x, y) of it, a stroke starts at its top-left', async (t) => {
    const { page, ov, errors } = await open(t, BOX);
    assert.deepEqual(await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true }), { ok: true });
    assert.deepEqual(await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 150, y: 60 }), { ok: true });
    assert.deepEqual(await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0], [50, 0], [50, 40]], end: false, fade: 0 }), { ok: true });
    const g = await ov.geometry();
    assert.equal(g.marks.length, 1);
    const m = g.marks[0];
    near(m.x, 100 - PAD, 'mark x');
    near(m.y, 150 - PAD, 'mark y');
    near(m.w, 200 + 2 * PAD, 'mark width');
    near(m.h, 80 + 2 * PAD, 'mark height');
    assert.ok(g.laser);
    near(g.laser.x, 250, 'laser x');
    near(g.laser.y, 210, 'laser y');
    const s = g.strokes[0];
    near(s.x, 100, 'stroke left');
    near(s.y, 150, 'stroke top');
    near(s.x + s.w, 150, 'stroke right');
    near(s.y + s.h, 190, 'stroke bottom');
    // What was measured is on the screen: the laser dot's centre and the mark's outline.
    assert.ok(distance(await pixel(page, 250, 210), COLOR) <= 40, 'the laser dot is drawn');
    assert.ok(distance(await pixel(page, 100 - PAD + 1, 190), COLOR) <= 60, 'the mark outline is drawn');
    assert.ok(distance(await pixel(page, 600, 400), [255, 255, 255]) <= 2, 'nothing elsewhere');
    assert.deepEqual(errors, []);
  });

  test('strokes are smoothed paths: a stroke grows with later messages of the same number and keeps its first anchor', async (t) => {
    const { ov } = await open(t, `${BOX}<div data-id="2" style="position:absolute;left:500px;top:50px;width:10px;height:10px"></div>`);
    await ov.call('draw', { k: 'draw', e: 1, s: 7, id: 1, pts: [[0, 0], [10, 10], [20, 0]], end: false, fade: 0 });
    // The second message names another element: the stroke stays on the first one.
    await ov.call('draw', { k: 'draw', e: 1, s: 7, id: 2, pts: [[30, 10], [40, 0]], end: true, fade: 0 });
    const g = await ov.geometry();
    assert.equal(g.strokes.length, 1);
    assert.match(g.strokes[0].d, /^M0 0Q/, 'curves through the points');
    assert.equal((g.strokes[0].d.match(/Q/g) ?? []).length, 3, 'one curve per inner point');
    near(g.strokes[0].x, 100, 'anchored to element 1');
    near(g.strokes[0].x + g.strokes[0].w, 140, 'all five points');
    // An ended stroke takes no more points.
    const r = await ov.call('draw', { k: 'draw', e: 1, s: 7, id: 1, pts: [[90, 90]], end: false, fade: 0 });
    assert.equal(r.ok, false);
    assert.equal(r.why, 'invalid');
  });

  test('the colour is the agent’s: a #rrggbb given to the overlay is used, anything else falls back', async (t) => {
    const { page, ov } = await open(t, BOX, { color: '#12a34b' });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 100, y: 40 });
    await ov.frames();
    assert.ok(distance(await pixel(page, 200, 190), [0x12, 0xa3, 0x4b]) <= 40, 'the given colour');
  });

  test('unknown or detached elements and malformed messages are refused with a reason, nothing drawn', async (t) => {
    const { page, ov } = await open(t, BOX);
    assert.equal((await ov.call('mark', { k: 'mark', e: 1, id: 99, on: true })).why, 'no-node');
    assert.equal((await ov.call('laser', { k: 'laser', e: 1, id: 99, x: 1, y: 1 })).why, 'no-node');
    assert.equal((await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 99, pts: [[0, 0]], end: false, fade: 0 })).why, 'no-node');
    await page.evaluate(() => {
      const d = document.createElement('div');
      d.dataset.id = '5';
      /** @type {any} */ (window).__detached = d; // created, never inserted
    });
    assert.equal((await ov.call('mark', { k: 'mark', e: 1, id: 5, on: true })).why, 'no-node');
    for (const bad of [
      { k: 'laser', e: 1, id: 1, x: Number.NaN, y: 0 },
      { k: 'laser', e: 1, id: 1, x: 1 },
      { k: 'draw', e: 1, s: 0, id: 1, pts: [[0, 0]], end: false, fade: 0 },
      { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 'x']], end: false, fade: 0 },
      { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0, 0]], end: false, fade: 0 },
      { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0]], end: 'yes', fade: 0 },
    ]) {
      // JSON has no NaN: the isolated world gets null there, which is refused the same way.
      const r = await ov.call(bad.k, bad);
      assert.equal(r.ok, false, JSON.stringify(bad));
      assert.equal(r.why, 'invalid', JSON.stringify(bad));
    }
    const g = await ov.geometry();
    assert.deepEqual([g.marks.length, g.strokes.length, g.laser], [0, 0, null]);
    assert.equal(await ov.hostAttached(), false, 'nothing shown: no host in the page');
  });
});

describe('overlay: anchoring', () => {
  test('items follow their element through window scroll', async (t) => {
    const { page, ov } = await open(t, `<div style="height:3000px"></div>${BOX.replace('position:absolute', 'position:absolute;top:700px').replace('top:150px;', '')}`);
    await page.evaluate(() => scrollTo(0, 600));
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 10, y: 10 });
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0], [20, 20]], end: true, fade: 0 });
    let g = await ov.geometry();
    near(g.marks[0].y, 100 - PAD, 'mark at 700 - 600');
    // A real wheel scroll (possibly animated): wait until it has come to rest.
    await page.mouse.move(500, 300);
    await page.mouse.wheel(0, 120);
    let last = -1;
    const y = await until(async () => {
      const now = await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(scrollY)))));
      const rest = now > 600 && now === last;
      last = now;
      return rest ? now : 0;
    }, 'the wheel scroll to end');
    g = await ov.geometry();
    near(g.marks[0].y, 700 - y - PAD, `mark after scrolling to ${y}`);
    assert.ok(g.laser);
    near(g.laser.y, 710 - y, 'laser after scrolling');
    near(g.strokes[0].y, 700 - y, 'stroke after scrolling');
  });

  test('items follow their element in a nested scroller, and are clipped to it as the element is', async (t) => {
    const { page, ov } = await open(t, `
      <div id="sc" style="position:absolute;left:50px;top:50px;width:400px;height:200px;overflow:auto;background:#fff">
        <div style="height:300px"></div>
        <div data-id="1" style="margin-left:20px;width:100px;height:40px;background:#ddd"></div>
        <div style="height:600px"></div>
      </div>`);
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 50, y: 20 });
    let g = await ov.geometry();
    // Below the scroller's visible part: measured there, but clipped away.
    near(g.marks[0].y, 350 - PAD, 'mark below the scroller');
    assert.match(g.marks[0].clip, /^polygon/, 'clipped to the scroller');
    assert.ok(distance(await pixel(page, 120, 350 + 20), [255, 255, 255]) <= 2, 'the clipped mark is not drawn over the page below the scroller');
    assert.ok(distance(await pixel(page, 120, 370), [255, 255, 255]) <= 2, 'nor the laser');
    await page.evaluate(() => /** @type {HTMLElement} */ (document.getElementById('sc')).scrollTo(0, 200));
    g = await ov.geometry();
    near(g.marks[0].y, 150 - PAD, 'mark follows the nested scroll');
    near(g.marks[0].x, 70 - PAD, 'mark x');
    assert.ok(g.laser);
    near(g.laser.y, 170, 'laser follows the nested scroll');
    assert.ok(distance(await pixel(page, 120, 170), COLOR) <= 40, 'laser visible now');
    assert.ok(distance(await pixel(page, 70 - PAD + 1, 170), COLOR) <= 60, 'mark outline visible now');
  });

  test('items follow a layout shift and a resize of the window', async (t) => {
    const { page, ov } = await open(t, '<div id="top"></div><p data-id="1" style="width:200px;height:40px;margin:20px auto;background:#ddd">x</p>');
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    let g = await ov.geometry();
    near(g.marks[0].x, 400 - PAD, 'centred in 1000 px');
    near(g.marks[0].y, 20 - PAD, 'first');
    await page.evaluate(() => Object.assign(/** @type {HTMLElement} */ (document.getElementById('top')).style, { height: '120px' }));
    g = await ov.geometry();
    near(g.marks[0].y, 140 - PAD, 'pushed down by the element above');
    await page.setViewportSize({ width: 600, height: 600 });
    g = await ov.geometry();
    near(g.marks[0].x, 200 - PAD, 'centred in 600 px');
  });

  test('an element that leaves the page takes its items with it; a hidden one hides them', async (t) => {
    const { page, ov, iso } = await open(t, `${BOX}<div data-id="2" style="position:absolute;left:400px;top:400px;width:50px;height:50px"></div>`);
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0], [10, 10]], end: true, fade: 0 });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 5, y: 5 });
    await ov.call('mark', { k: 'mark', e: 1, id: 2, on: true });
    await page.evaluate(() => { /** @type {HTMLElement} */ (document.querySelector('[data-id="2"]')).style.display = 'none'; });
    let g = await ov.geometry();
    assert.deepEqual(g.marks.map((m) => m.visible), [true, false], 'the hidden element’s mark is hidden');
    await page.evaluate(() => { /** @type {HTMLElement} */ (document.querySelector('[data-id="2"]')).style.display = ''; });
    g = await ov.geometry();
    assert.deepEqual(g.marks.map((m) => m.visible), [true, true], 'and back when it is shown');
    await page.evaluate(() => {
      const el = /** @type {HTMLElement} */ (document.getElementById('a'));
      /** @type {any} */ (window).__a = el;
      el.remove();
    });
    g = await ov.geometry();
    assert.equal(g.marks.length, 1, 'only the other element’s mark is left');
    assert.equal(g.strokes.length, 0);
    assert.equal(g.laser, null);
    // Put back, it does not bring them back.
    await page.evaluate(() => document.body.append(/** @type {any} */ (window).__a));
    assert.equal((await ov.geometry()).marks.length, 1);
    await page.evaluate(() => document.querySelector('[data-id="2"]')?.remove());
    await ov.frames(3);
    assert.equal(await ov.hostAttached(), false, 'nothing left: the host leaves the page');
    // And idle costs nothing: no more animation frames are asked for.
    const before = await iso(() => /** @type {any} */ (globalThis).__ov.frameRequests());
    await page.waitForTimeout(300);
    assert.equal(await iso(() => /** @type {any} */ (globalThis).__ov.frameRequests()), before, 'no frame loop while nothing is shown');
  });
});

describe('overlay: fade, clear, limits', () => {
  test('a stroke with fade disappears that long after its end; one without stays', async (t) => {
    const { ov } = await open(t, BOX);
    const fade = 300;
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0], [30, 30]], end: false, fade });
    await ov.call('draw', { k: 'draw', e: 1, s: 2, id: 1, pts: [[0, 30], [30, 0]], end: true, fade: 0 });
    await new Promise((r) => setTimeout(r, fade + FADE_OUT_MS + 100));
    let g = await ov.geometry();
    assert.equal(g.strokes.length, 2, 'not ended yet: fade has not started');
    const ended = Date.now();
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [], end: true, fade });
    g = await ov.geometry();
    assert.equal(g.strokes[0].opacity, 1, 'fully there right after its end');
    // It fades out…
    await until(async () => {
      const s = (await ov.geometry()).strokes;
      return s.length === 2 && s[0].opacity < 1;
    }, 'the stroke fading');
    assert.ok(Date.now() - ended >= fade - 50, 'not before its fade time');
    // …and is dropped; the one without fade stays.
    await until(async () => (await ov.geometry()).strokes.length === 1, 'the faded stroke dropped');
    assert.ok(Date.now() - ended >= fade + FADE_OUT_MS - 50);
    g = await ov.geometry();
    assert.match(g.strokes[0].d, /^M0 30/, 'the stroke without fade is the one left');
  });

  test('clear removes every mark, stroke and the laser, and the host with them', async (t) => {
    const { ov } = await open(t, BOX);
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('draw', { k: 'draw', e: 1, s: 3, id: 1, pts: [[0, 0], [5, 5]], end: false, fade: 0 });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 1, y: 1 });
    assert.equal(await ov.hostAttached(), true);
    await ov.call('clear', { k: 'clear' });
    const g = await ov.geometry();
    assert.deepEqual([g.marks.length, g.strokes.length, g.laser, g.trail], [0, 0, null, 0]);
    assert.equal(await ov.hostAttached(), false);
    // Stroke 3 is gone: the same number starts a new stroke.
    await ov.call('draw', { k: 'draw', e: 1, s: 3, id: 1, pts: [[7, 7]], end: true, fade: 0 });
    assert.match((await ov.geometry()).strokes[0].d, /^M7 7/);
  });

  test('laser without a place hides the dot and its trail; mark off takes one mark away', async (t) => {
    const { ov } = await open(t, BOX);
    for (let i = 0; i < 5; i++) await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 10 + 10 * i, y: 10 });
    let g = await ov.geometry();
    assert.ok(g.laser);
    assert.ok(g.trail >= 1, 'a trail behind the dot');
    // The trail is short: it fades within a fraction of a second.
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await ov.geometry()).trail, 0, 'the trail faded');
    await ov.call('laser', { k: 'laser', e: 1 });
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    g = await ov.geometry();
    assert.equal(g.laser, null);
    assert.equal(g.marks.length, 1);
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: false });
    assert.equal((await ov.geometry()).marks.length, 0);
    assert.equal(await ov.hostAttached(), false);
  });

  test(`limit: at most MAX_MARKS (${MAX_MARKS}) marks, the oldest dropped; marking again makes one the newest`, async (t) => {
    const n = MAX_MARKS + 3;
    const boxes = Array.from({ length: n }, (_, i) => `<div data-id="${i + 1}" style="position:absolute;left:${(i % 10) * 90}px;top:${Math.floor(i / 10) * 60}px;width:80px;height:50px"></div>`);
    const { ov } = await open(t, boxes.join(''));
    for (let id = 1; id <= MAX_MARKS; id++) assert.deepEqual(await ov.call('mark', { k: 'mark', e: 1, id, on: true }), { ok: true });
    // Element 1 marked again: now the newest, so element 2 is the oldest.
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    let g = await ov.geometry();
    assert.equal(g.marks.length, MAX_MARKS);
    for (let id = MAX_MARKS + 1; id <= n; id++) await ov.call('mark', { k: 'mark', e: 1, id, on: true });
    g = await ov.geometry();
    assert.equal(g.marks.length, MAX_MARKS, 'never more than the limit');
    const at = new Set(g.marks.map((m) => `${Math.round(m.x + PAD)},${Math.round(m.y + PAD)}`));
    const place = (/** @type {number} */ id) => `${((id - 1) % 10) * 90},${Math.floor((id - 1) / 10) * 60}`;
    assert.ok(at.has(place(1)), 'the re-marked element kept its mark');
    for (const id of [2, 3, 4]) assert.ok(!at.has(place(id)), `element ${id}, the oldest, lost its mark`);
    for (const id of [5, MAX_MARKS, n]) assert.ok(at.has(place(id)), `element ${id} is marked`);
  });

  test(`limit: at most MAX_STROKES (${MAX_STROKES}) strokes, the oldest dropped`, async (t) => {
    const { ov } = await open(t, BOX);
    for (let s = 1; s <= MAX_STROKES + 2; s++) {
      assert.deepEqual(await ov.call('draw', { k: 'draw', e: 1, s, id: 1, pts: [[s, 0]], end: true, fade: 0 }), { ok: true });
    }
    const g = await ov.geometry();
    assert.equal(g.strokes.length, MAX_STROKES);
    const starts = g.strokes.map((s) => s.d.match(/^M(\d+) /)?.[1]);
    assert.ok(!starts.includes('1') && !starts.includes('2'), 'strokes 1 and 2, the oldest, are gone');
    assert.ok(starts.includes('3') && starts.includes(String(MAX_STROKES + 2)));
  });

  test(`limit: at most MAX_STROKE_POINTS (${MAX_STROKE_POINTS}) points per stroke and MAX_DRAW_POINTS (${MAX_DRAW_POINTS}) per message; coordinates clamped to ±${MAX_COORD_PX}`, async (t) => {
    const { ov } = await open(t, BOX);
    const pointsIn = async () => {
      const d = (await ov.geometry()).strokes[0].d;
      return (d.match(/Q/g) ?? []).length + 2;
    };
    // One message with more points than a message may carry: the rest is ignored.
    const long = Array.from({ length: MAX_DRAW_POINTS + 10 }, (_, i) => [i % 100, i % 7]);
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: long, end: false, fade: 0 });
    assert.equal(await pointsIn(), MAX_DRAW_POINTS);
    const batch = Array.from({ length: MAX_DRAW_POINTS }, (_, i) => [i % 100, i % 5]);
    const messages = Math.ceil(MAX_STROKE_POINTS / MAX_DRAW_POINTS) + 1;
    for (let i = 0; i < messages; i++) assert.deepEqual(await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: batch, end: false, fade: 0 }), { ok: true });
    assert.equal(await pointsIn(), MAX_STROKE_POINTS, 'points beyond the limit are ignored');
    await ov.call('draw', { k: 'draw', e: 1, s: 2, id: 1, pts: [[1e12, -1e12], [3, 4]], end: true, fade: 0 });
    const d2 = (await ov.geometry()).strokes[1].d;
    assert.equal(d2, `M${MAX_COORD_PX} ${-MAX_COORD_PX}L3 4`, 'absurd coordinates clamped');
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: -1e300, y: 5 });
    const g = await ov.geometry();
    assert.ok(g.laser && g.laser.x === 100 - MAX_COORD_PX, `laser clamped: ${g.laser?.x}`);
  });
});

describe('overlay: the page cannot get at it', () => {
  test('threat: page scripts reading the overlay (what the agent draws) — closed root, nothing to query, prototypes patched in vain', async (t) => {
    const { page, ov } = await open(t, BOX, {
      // The page patches shadow-root creation before the content script runs, to catch the root.
      head: `<script>
        window.__caught = [];
        const orig = Element.prototype.attachShadow;
        Element.prototype.attachShadow = function (init) { const r = orig.call(this, init); window.__caught.push(r); return r; };
        const origAppend = Node.prototype.appendChild;
        Node.prototype.appendChild = function (c) { window.__caught.push(c); return origAppend.call(this, c); };
      </script>`,
    });
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 0], [9, 9]], end: false, fade: 0 });
    await ov.frames();
    const seen = await page.evaluate(() => {
      const host = /** @type {HTMLElement} */ (document.querySelector('cotab-overlay'));
      let reattach = '';
      try {
        host.attachShadow({ mode: 'open' });
      } catch (e) {
        reattach = /** @type {Error} */ (e).name;
      }
      return {
        host: !!host,
        shadowRoot: host.shadowRoot,
        caught: /** @type {any} */ (window).__caught.length,
        drawn: document.querySelectorAll('svg, path, .mark, .laser').length,
        text: host.textContent,
        inner: host.innerHTML,
        reattach,
        composed: host.getRootNode() === document,
      };
    });
    assert.deepEqual(seen, { host: true, shadowRoot: null, caught: 0, drawn: 0, text: '', inner: '', reattach: 'NotSupportedError', composed: true });
  });

  test('threat: the page hiding the agent’s annotations from the customer — page CSS cannot restyle the host', async (t) => {
    const { page, ov } = await open(t, BOX);
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 100, y: 40 });
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'cotab-overlay, [popover], :root > cotab-overlay:popover-open { display: none !important; opacity: 0 !important; visibility: hidden !important; transform: translateX(-5000px) !important; clip-path: inset(50%) !important }';
      document.head.append(style);
    });
    await ov.frames();
    const cs = await page.evaluate(() => {
      const s = getComputedStyle(/** @type {Element} */ (document.querySelector('cotab-overlay')));
      return { display: s.display, opacity: s.opacity, visibility: s.visibility, transform: s.transform, pointerEvents: s.pointerEvents };
    });
    assert.deepEqual(cs, { display: 'block', opacity: '1', visibility: 'visible', transform: 'none', pointerEvents: 'none' });
    assert.ok(distance(await pixel(page, 200, 190), COLOR) <= 40, 'still drawn');
  });

  test('threat: the page removing, hiding or re-parenting the host — it is repaired', async (t) => {
    const { page, ov } = await open(t, BOX);
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    for (const [what, attack] of HOST_ATTACKS) {
      await page.evaluate(attack, 'cotab-overlay');
      await waitHostRepaired(page, 'cotab-overlay').catch(() => assert.fail(`not repaired after ${what}`));
    }
    await ov.frames();
    assert.ok(distance(await pixel(page, 100 - PAD + 1, 190), COLOR) <= 60, 'the mark is drawn again');
  });

  test('threat: a page that defined <cotab-overlay> itself (to own its shadow root) — our closed root is still the one', async (t) => {
    const { page, ov, errors } = await open(t, BOX, {
      head: `<script>customElements.define('cotab-overlay', class extends HTMLElement {
        constructor() { super(); window.__upgraded = true; this.attachShadow({ mode: 'open' }).innerHTML = '<p>fake</p>'; }
      });</script>`,
    });
    assert.deepEqual(await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 100, y: 40 }), { ok: true });
    await ov.frames();
    const host = await page.evaluate(() => ({ sr: document.querySelector('cotab-overlay')?.shadowRoot ?? null }));
    assert.equal(host.sr, null, 'no open root of the page’s on our host');
    assert.ok(distance(await pixel(page, 200, 190), COLOR) <= 40, 'drawn');
    // The page's constructor ran on upgrade and failed there; nothing of ours failed.
    assert.ok(errors.every((e) => /already hosts a shadow tree/.test(e)), errors.join('\n'));
  });

  test('threat: a page popover shown later covering the annotations — the overlay rises above it, the indicator above both', async (t) => {
    const { page, ov, iso } = await open(t, `${BOX}<div id="low" data-id="2" style="position:fixed;left:0;right:0;bottom:0;height:120px"></div>`, { indicator: true });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 100, y: 40 });
    // A mark over the whole bottom, where the indicator's bar is: the agent cannot draw over it.
    await ov.call('mark', { k: 'mark', e: 1, id: 2, on: true });
    await page.evaluate(() => {
      const cover = document.createElement('div');
      cover.setAttribute('popover', 'manual');
      cover.style.cssText = 'position:fixed;inset:0;width:100vw;height:100vh;margin:0;border:0;background:#000';
      document.body.append(cover);
      cover.showPopover();
    });
    await until(async () => distance(await pixel(page, 200, 190), COLOR) <= 40, 'the laser above the page’s popover');
    const stop = await page.evaluate((STOP_BUTTON_WIDTH_PX) => {
      const r = /** @type {Element} */ (document.querySelector('cotab-indicator')).getBoundingClientRect();
      return { x: r.right - STOP_BUTTON_WIDTH_PX + 6, y: r.top + 6 }; // the Stop button, beside its text
    }, STOP_BUTTON_WIDTH_PX);
    // Exactly the Stop button's colour: nothing of the overlay's translucent fill on top of it.
    await until(async () => distance(await pixel(page, stop.x, stop.y), ACCENT) <= 3, 'the indicator above the overlay');
    // And the two do not take turns rising for ever.
    const toggles = await page.evaluate(async () => {
      let n = 0;
      document.addEventListener('toggle', () => n++, true);
      await new Promise((r) => setTimeout(r, 500));
      return n;
    });
    assert.ok(toggles <= 2, `settled: ${toggles} toggles in 500 ms`);
    void iso;
  });

  test('the customer’s page stays usable: clicks and hit tests go through the overlay to the page', async (t) => {
    const { page, ov } = await open(t, `<button id="b" data-id="1" style="position:absolute;left:100px;top:100px;width:200px;height:60px">Buy</button>`);
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__clicks = 0;
      document.getElementById('b')?.addEventListener('click', () => w.__clicks++);
    });
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 100, y: 30 });
    await ov.call('draw', { k: 'draw', e: 1, s: 1, id: 1, pts: [[0, 30], [200, 30]], end: false, fade: 0 });
    await ov.frames();
    assert.equal(await page.evaluate(() => document.elementFromPoint(200, 130)?.id), 'b', 'hit testing finds the page’s button under the laser');
    await page.mouse.click(200, 130);
    await page.mouse.click(101, 101);
    assert.equal(await page.evaluate(() => /** @type {any} */ (window).__clicks), 2);
  });

  test('the Recorder does not record the overlay (isOwnNode), and destroy() takes it away for good', async (t) => {
    const { page, ov, iso } = await open(t, BOX);
    await iso(() => /** @type {any} */ (globalThis).__ov.record());
    await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    await ov.call('laser', { k: 'laser', e: 1, id: 1, x: 1, y: 1 });
    await ov.frames();
    assert.equal(await iso(() => /** @type {any} */ (globalThis).__ov.isOwn('cotab-overlay')), true);
    assert.equal(await iso(() => /** @type {any} */ (globalThis).__ov.isOwn('#a')), false);
    await page.evaluate(() => document.querySelector('cotab-overlay')?.remove()); // repaired, unrecorded
    await page.waitForFunction(() => !!document.querySelector('cotab-overlay'));
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { textContent: 'after' })));
    await page.waitForTimeout(100);
    const recorded = await iso(() => /** @type {any} */ (globalThis).__ov.recorded());
    assert.match(recorded, /after/, 'the page is recorded');
    assert.doesNotMatch(recorded, /cotab-overlay/);
    await iso(() => /** @type {any} */ (globalThis).__ov.destroy());
    await page.waitForTimeout(1200); // longer than the watchdog's period
    assert.equal(await page.evaluate(() => document.querySelector('cotab-overlay')), null);
    const r = await ov.call('mark', { k: 'mark', e: 1, id: 1, on: true });
    assert.equal(r.ok, false, 'a destroyed overlay draws nothing');
    assert.equal(await page.evaluate(() => document.querySelector('cotab-overlay')), null);
  });
});
