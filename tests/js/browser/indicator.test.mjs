// The on-page indicator (extension/content/indicator.js) in a real headless Chromium page: where
// it sits, that the page cannot reach into it, hide it, remove it or cover it, that only a real
// click stops sharing, and that the Recorder does not record it. No extension needed: the module
// is bundled with esbuild and run in the page (in the extension it runs in the isolated world,
// which only makes the page weaker than here).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { chromium } from 'playwright-core';

import { MAX_REPAIRS_PER_SECOND, STOP_BUTTON_WIDTH_PX } from '../../../extension/content/indicator.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const VIEWPORT = { width: 1000, height: 600 };
/** Bottom gap of the bar (indicator.js), CSS px. */
const BOTTOM_GAP_PX = 16;

/** @type {import('playwright-core').Browser} */
let browser;
/** The indicator and the Recorder, as one classic script that defines window.__cotabTest. */
let bundle = '';

before(async () => {
  const out = await build({
    stdin: {
      contents: `
        import { Indicator } from './extension/content/indicator.js';
        import { Recorder } from './extension/content/serializer.js';
        const stops = [];
        let indicator = null;
        let recorder = null;
        const records = [];
        window.__cotabTest = {
          show() {
            indicator = new Indicator({ doc: document, onStop: () => stops.push(Date.now()) });
            indicator.show();
          },
          remove() { indicator.remove(); },
          stops: () => stops.length,
          async record() {
            recorder = new Recorder({ doc: document, emit: (m) => records.push(JSON.stringify(m)), isOwnNode: (n) => indicator.isOwnNode(n) });
            await recorder.start(1);
          },
          recorded: () => records.join('\\n'),
          stopRecording() { recorder.stop(); },
        };`,
      resolveDir: root,
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
  });
  bundle = out.outputFiles[0].text;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

/** A page with the indicator shown. */
async function open(html = '<!doctype html><h1>Shop</h1><p>Some text</p>') {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(html);
  await page.addScriptTag({ content: bundle });
  await page.evaluate(() => /** @type {any} */ (window).__cotabTest.show());
  return { page, errors, close: () => context.close() };
}

/** @param {import('playwright-core').Page} page */
function hostState(page) {
  return page.evaluate(() => {
    const host = document.querySelector('cotab-indicator');
    if (!host) return null;
    const r = host.getBoundingClientRect();
    const cs = getComputedStyle(host);
    return {
      connected: host.isConnected,
      parentIsRoot: host.parentNode === document.documentElement,
      open: host.matches(':popover-open'),
      display: cs.display,
      visibility: cs.visibility,
      opacity: cs.opacity,
      rect: { x: r.x, y: r.y, w: r.width, h: r.height },
      shadowRoot: host.shadowRoot,
    };
  });
}

/** Waits until the indicator is back as it should be. @param {import('playwright-core').Page} page */
async function waitRepaired(page) {
  await page.waitForFunction(() => {
    const host = document.querySelector('cotab-indicator');
    return !!host && host.parentNode === document.documentElement && host.matches(':popover-open') && getComputedStyle(host).display === 'block';
  }, null, { timeout: 5000 });
}

describe('indicator', () => {
  test('sits at the bottom centre in the top layer, in a closed shadow root', async () => {
    const { page, errors, close } = await open();
    try {
      const s = await hostState(page);
      assert.ok(s);
      assert.equal(s.open, true, 'in the top layer');
      assert.equal(s.parentIsRoot, true, 'appended to documentElement');
      assert.equal(s.shadowRoot, null, 'closed: the page cannot reach inside');
      assert.ok(Math.abs(s.rect.x + s.rect.w / 2 - VIEWPORT.width / 2) <= 1, `centred: ${JSON.stringify(s.rect)}`);
      assert.ok(Math.abs(s.rect.y + s.rect.h - (VIEWPORT.height - BOTTOM_GAP_PX)) <= 1, `at the bottom: ${JSON.stringify(s.rect)}`);
      assert.ok(s.rect.w > STOP_BUTTON_WIDTH_PX + 60, 'room for the label and the Stop button');
      assert.deepEqual(errors, []);
    } finally {
      await close();
    }
  });

  test('only a real (trusted) click on Stop stops sharing', async () => {
    const { page, close } = await open();
    try {
      // Synthetic clicks: the page can only reach the host.
      await page.evaluate(() => {
        const host = /** @type {HTMLElement} */ (document.querySelector('cotab-indicator'));
        host.click();
        host.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true, clientX: 990, clientY: 560 }));
      });
      assert.equal(await page.evaluate(() => /** @type {any} */ (window).__cotabTest.stops()), 0);
      const s = await hostState(page);
      assert.ok(s);
      // A click left of the Stop area (on the label) does nothing either.
      await page.mouse.click(s.rect.x + 10, s.rect.y + s.rect.h / 2);
      assert.equal(await page.evaluate(() => /** @type {any} */ (window).__cotabTest.stops()), 0);
      // The Stop button is the rightmost STOP_BUTTON_WIDTH_PX of the host's box.
      await page.mouse.click(s.rect.x + s.rect.w - STOP_BUTTON_WIDTH_PX + 4, s.rect.y + s.rect.h / 2);
      assert.equal(await page.evaluate(() => /** @type {any} */ (window).__cotabTest.stops()), 1);
    } finally {
      await close();
    }
  });

  test('threat: the page removes, hides or restyles the indicator — it comes back', async () => {
    const { page, close } = await open();
    try {
      /** @type {Array<[string, () => void]>} */
      const attacks = [
        ['remove()', () => document.querySelector('cotab-indicator')?.remove()],
        ['hidePopover()', () => /** @type {HTMLElement} */ (document.querySelector('cotab-indicator')).hidePopover()],
        ['inline display:none !important', () => document.querySelector('cotab-indicator')?.setAttribute('style', 'display:none !important')],
        ['hidden attribute', () => document.querySelector('cotab-indicator')?.setAttribute('hidden', '')],
        ['popover attribute removed', () => document.querySelector('cotab-indicator')?.removeAttribute('popover')],
        ['moved into <body>', () => document.body.append(/** @type {Node} */ (document.querySelector('cotab-indicator')))],
        ['replaced documentElement children', () => document.documentElement.replaceChildren(document.createElement('body'))],
      ];
      for (const [what, attack] of attacks) {
        await page.evaluate(attack);
        await waitRepaired(page).catch(() => assert.fail(`not repaired after ${what}`));
      }
      // Page style sheets cannot hide it either (the shadow root's :host !important wins).
      await page.evaluate(() => {
        const style = document.createElement('style');
        style.textContent = 'cotab-indicator { display: none !important; opacity: 0 !important; visibility: hidden !important; transform: translateY(500px) !important }';
        document.body.append(style);
      });
      const s = await hostState(page);
      assert.ok(s);
      assert.equal(s.display, 'block');
      assert.equal(s.visibility, 'visible');
      assert.equal(s.opacity, '1');
      assert.ok(s.rect.y < VIEWPORT.height, 'still on screen');
    } finally {
      await close();
    }
  });

  test('threat: a page popover shown later does not cover the indicator', async () => {
    const { page, close } = await open();
    try {
      await page.evaluate(() => {
        const cover = document.createElement('div');
        cover.id = 'cover';
        cover.setAttribute('popover', 'manual');
        cover.style.cssText = 'position:fixed;inset:0;width:100vw;height:100vh;margin:0;background:#000;border:0';
        document.body.append(cover);
        cover.showPopover();
      });
      await page.waitForFunction(() => {
        const host = document.querySelector('cotab-indicator');
        if (!host) return false;
        const r = host.getBoundingClientRect();
        return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === host;
      }, null, { timeout: 5000 });
    } finally {
      await close();
    }
  });

  test(`a page fighting the indicator in a loop stays responsive (MAX_REPAIRS_PER_SECOND = ${MAX_REPAIRS_PER_SECOND})`, async () => {
    const { page, close } = await open();
    try {
      await page.evaluate(() => {
        const w = /** @type {any} */ (window);
        w.__removals = 0;
        new MutationObserver(() => {
          const host = document.querySelector('cotab-indicator');
          if (host) {
            w.__removals++;
            host.remove();
          }
        }).observe(document.documentElement, { childList: true });
        document.querySelector('cotab-indicator')?.remove();
      });
      const started = Date.now();
      // The page still runs its own code…
      await page.evaluate(() => new Promise((r) => setTimeout(r, 1500)));
      const removals = await page.evaluate(() => /** @type {any} */ (window).__removals);
      const seconds = (Date.now() - started) / 1000;
      // …and the indicator came back at most MAX_REPAIRS_PER_SECOND times per second (plus the watchdog).
      assert.ok(removals >= 1, 'the indicator kept coming back');
      assert.ok(removals <= (MAX_REPAIRS_PER_SECOND + 2) * Math.ceil(seconds + 1), `repairs are rate-limited: ${removals} in ${seconds}s`);
    } finally {
      await close();
    }
  });

  test('remove() takes it away for good', async () => {
    const { page, close } = await open();
    try {
      await page.evaluate(() => /** @type {any} */ (window).__cotabTest.remove());
      await page.evaluate(() => new Promise((r) => setTimeout(r, 1200)));
      assert.equal(await hostState(page), null);
    } finally {
      await close();
    }
  });

  test('the Recorder does not record the indicator (isOwnNode)', async () => {
    const { page, close } = await open();
    try {
      await page.evaluate(() => /** @type {any} */ (window).__cotabTest.record());
      // The indicator repairs itself while recording; none of that is recorded either.
      await page.evaluate(() => document.querySelector('cotab-indicator')?.remove());
      await waitRepaired(page);
      await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
      const recorded = await page.evaluate(() => /** @type {any} */ (window).__cotabTest.recorded());
      assert.match(recorded, /Shop/, 'the page is recorded');
      assert.doesNotMatch(recorded, /cotab-indicator|Sharing this tab|Stop sharing/);
      await page.evaluate(() => /** @type {any} */ (window).__cotabTest.stopRecording());
    } finally {
      await close();
    }
  });
});
