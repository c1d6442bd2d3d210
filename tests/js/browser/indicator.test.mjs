// The on-page indicator (extension/content/indicator.js) in a real headless Chromium page: where
// it sits, that the page cannot reach into it, hide it, remove it or cover it, that only a real
// click stops sharing, that the capability chips, their revoke buttons, Take back control and a
// proposed page answer real clicks only (Open only once armed), that it fits a narrow window, and
// that the Recorder does not record it. No extension needed: the module
// is bundled with esbuild and run in the page (in the extension it runs in the isolated world,
// which only makes the page weaker than here).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { ARM_DELAY_MS, CAP_LABELS, MAX_REPAIRS_PER_SECOND, STOP_BUTTON_WIDTH_PX, VIEW_LABEL } from '../../../extension/content/indicator.js';
import { bundleScript, CHROMIUM_ARGS, HOST_ATTACKS, waitHostRepaired } from './harness.mjs';

const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1000, height: 600 };
/** Bottom gap of the bar (indicator.js), CSS px. */
const BOTTOM_GAP_PX = 16;

/** @type {import('playwright-core').Browser} */
let browser;
/** The indicator and the Recorder, as one classic script that defines window.__cotabTest. The
 * bundle (and only it) catches the closed shadow root as it is attached, to find the buttons. */
let bundle = '';

before(async () => {
  bundle = await bundleScript(`
    import { Indicator } from './extension/content/indicator.js';
    import { Recorder } from './extension/content/serializer.js';
    const stops = [];
    const revokes = [];
    const answers = [];
    const clicks = [];
    let indicator = null;
    let recorder = null;
    const records = [];
    let shadow = null;
    const attachShadow = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (init) {
      const r = attachShadow.call(this, init);
      if (this.localName === 'cotab-indicator') {
        shadow = r;
        // When each click reached the indicator, as its own buttons see it.
        r.addEventListener('click', (e) => clicks.push({ t: performance.now(), trusted: e.isTrusted }), true);
      }
      return r;
    };
    const nameOf = (b) => b.getAttribute('aria-label') || b.textContent.trim();
    const buttonIn = (name) => [...shadow.querySelectorAll('button')].find((b) => nameOf(b) === name && b.checkVisibility());
    window.__cotabTest = {
      show() {
        indicator = new Indicator({ doc: document, onStop: () => stops.push(Date.now()), onRevoke: (caps) => revokes.push(caps) });
        indicator.show();
      },
      remove() { indicator.remove(); },
      stops: () => stops.length,
      revokes: () => revokes,
      answers: () => answers,
      lastClick: () => clicks[clicks.length - 1] ?? null,
      setCaps(caps) { indicator.setCaps(caps); },
      setCapsError(v) { try { indicator.setCaps(v); return ''; } catch (e) { return e.name; } },
      propose(url) { return { shown: indicator.proposeNavigation(url, (a) => answers.push(a)), at: performance.now() }; },
      proposeError(url) { try { indicator.proposeNavigation(url, () => {}); return ''; } catch (e) { return e.name; } },
      cancel: () => indicator.cancelProposal(),
      chips: () => [...shadow.querySelectorAll('.chip')].filter((c) => c.checkVisibility()).map((c) => c.firstChild.textContent),
      proposal: () => { const p = shadow.querySelector('.proposal'); return p.checkVisibility() ? p.textContent : null; },
      buttons: () => [...shadow.querySelectorAll('button')].filter((b) => b.checkVisibility()).map((b) => {
        const r = b.getBoundingClientRect();
        return { name: nameOf(b), x: r.x, y: r.y, w: r.width, h: r.height };
      }),
      button(name) {
        const b = buttonIn(name);
        if (!b) return null;
        const r = b.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
      },
      // A script that somehow holds our button (it cannot: the root is closed) still only makes
      // untrusted clicks.
      syntheticInside(name) {
        const b = buttonIn(name);
        b.click();
        b.dispatchEvent(new MouseEvent('click', { bubbles: true, composed: true }));
        b.dispatchEvent(new PointerEvent('click', { bubbles: true, composed: true }));
      },
      async record() {
        recorder = new Recorder({ doc: document, emit: (m) => records.push(JSON.stringify(m)), isOwnNode: (n) => indicator.isOwnNode(n) });
        await recorder.start(1);
      },
      recorded: () => records.join('\\n'),
      stopRecording() { recorder.stop(); },
    };`);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
});

/**
 * A page with the indicator shown, closed when the test `t` ends.
 * @param {import('node:test').TestContext} t
 */
async function open(t, html = '<!doctype html><h1>Shop</h1><p>Some text</p>', viewport = VIEWPORT) {
  const context = await browser.newContext({ viewport });
  t.after(() => context.close());
  const page = await context.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.setContent(html);
  await page.addScriptTag({ content: bundle });
  await page.evaluate(() => /** @type {any} */ (window).__cotabTest.show());
  return { page, errors, context };
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
function waitRepaired(page) {
  return waitHostRepaired(page, 'cotab-indicator');
}

describe('indicator', () => {
  test('sits at the bottom centre in the top layer, in a closed shadow root', async (t) => {
    const { page, errors } = await open(t);
    const s = await hostState(page);
    assert.ok(s);
    assert.equal(s.open, true, 'in the top layer');
    assert.equal(s.parentIsRoot, true, 'appended to documentElement');
    assert.equal(s.shadowRoot, null, 'closed: the page cannot reach inside');
    assert.ok(Math.abs(s.rect.x + s.rect.w / 2 - VIEWPORT.width / 2) <= 1, `centred: ${JSON.stringify(s.rect)}`);
    assert.ok(Math.abs(s.rect.y + s.rect.h - (VIEWPORT.height - BOTTOM_GAP_PX)) <= 1, `at the bottom: ${JSON.stringify(s.rect)}`);
    assert.ok(s.rect.w > STOP_BUTTON_WIDTH_PX + 60, 'room for the label and the Stop button');
    assert.deepEqual(errors, []);
  });

  test('only a real (trusted) click on Stop stops sharing', async (t) => {
    const { page } = await open(t);
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
  });

  test('threat: the page removes, hides or restyles the indicator — it comes back', async (t) => {
    const { page } = await open(t);
    /** @type {Array<[string, (tag: string) => void]>} */
    const attacks = [
      ...HOST_ATTACKS,
      ['replaced documentElement children', () => document.documentElement.replaceChildren(document.createElement('body'))],
    ];
    for (const [what, attack] of attacks) {
      await page.evaluate(attack, 'cotab-indicator');
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
  });

  test('threat: a page popover shown later does not cover the indicator', async (t) => {
    const { page } = await open(t);
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
  });

  test(`a page fighting the indicator in a loop stays responsive (MAX_REPAIRS_PER_SECOND = ${MAX_REPAIRS_PER_SECOND})`, async (t) => {
    const { page } = await open(t);
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
  });

  test('remove() takes it away for good', async (t) => {
    const { page } = await open(t);
    await page.evaluate(() => /** @type {any} */ (window).__cotabTest.remove());
    await page.evaluate(() => new Promise((r) => setTimeout(r, 1200)));
    assert.equal(await hostState(page), null);
  });

  test('the Recorder does not record the indicator (isOwnNode)', async (t) => {
    const { page } = await open(t);
    await page.evaluate(() => /** @type {any} */ (window).__cotabTest.record());
    // The indicator repairs itself while recording; none of that is recorded either.
    await page.evaluate(() => document.querySelector('cotab-indicator')?.remove());
    await waitRepaired(page);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    const recorded = await page.evaluate(() => /** @type {any} */ (window).__cotabTest.recorded());
    assert.match(recorded, /Shop/, 'the page is recorded');
    assert.doesNotMatch(recorded, /cotab-indicator|Sharing this tab|Stop sharing/);
    await page.evaluate(() => /** @type {any} */ (window).__cotabTest.stopRecording());
  });
});

/**
 * Calls a method of the in-page test API.
 * @param {import('playwright-core').Page} page
 * @param {string} method
 * @param {unknown[]} [args]
 * @returns {Promise<any>}
 */
function api(page, method, args = []) {
  return page.evaluate(([m, a]) => /** @type {any} */ (window).__cotabTest[/** @type {string} */ (m)](.../** @type {unknown[]} */ (a)), [method, args]);
}

/** A real (trusted) click on the indicator's button with that accessible name. @param {import('playwright-core').Page} page @param {string} name */
async function clickButton(page, name) {
  const at = await api(page, 'button', [name]);
  assert.ok(at, `a visible button named ${JSON.stringify(name)}`);
  await page.mouse.click(at.x, at.y);
}

const ALL_CAPS = ['annotate', 'scroll', 'type', 'navigate', 'click'];
const URL_SHOP = 'https://shop.example/help?topic=returns';

describe('indicator: capabilities', () => {
  test('chips show what the agent may do now: "Can see" always, then each granted capability in a fixed order', async (t) => {
    const { page, errors } = await open(t);
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL]);
    assert.equal(await api(page, 'button', ['Take back control']), null, 'nothing to take back while the agent can only see');
    await api(page, 'setCaps', [['type', 'annotate', 'view', 'no-such-cap']]);
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL, CAP_LABELS.annotate, CAP_LABELS.type], 'unknown names ignored');
    const names = (await api(page, 'buttons')).map((/** @type {{name: string}} */ b) => b.name);
    assert.deepEqual(names, [`Revoke: ${CAP_LABELS.annotate}`, `Revoke: ${CAP_LABELS.type}`, 'Take back control', 'Stop sharing']);
    await api(page, 'setCaps', [ALL_CAPS]);
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL, ...ALL_CAPS.map((c) => CAP_LABELS[/** @type {keyof typeof CAP_LABELS} */ (c)])]);
    await api(page, 'setCaps', [[]]);
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL]);
    assert.equal(await api(page, 'button', ['Take back control']), null);
    assert.equal(await api(page, 'setCapsError', ['scroll']), 'TypeError', 'not a list: refused clearly');
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL], 'and nothing changed');
    assert.deepEqual(errors, []);
  });

  test('a real click on a chip’s × revokes that capability alone, and the chip goes at once', async (t) => {
    const { page } = await open(t);
    await api(page, 'setCaps', [['annotate', 'scroll', 'type']]);
    await clickButton(page, `Revoke: ${CAP_LABELS.scroll}`);
    // Straight after the click, before anyone answers: the chip is gone already.
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL, CAP_LABELS.annotate, CAP_LABELS.type]);
    assert.deepEqual(await api(page, 'revokes'), [['scroll']]);
    // The owner confirming the same state changes nothing.
    await api(page, 'setCaps', [['annotate', 'type']]);
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL, CAP_LABELS.annotate, CAP_LABELS.type]);
    assert.deepEqual(await api(page, 'revokes'), [['scroll']]);
    assert.equal(await api(page, 'stops'), 0);
  });

  test('Take back control revokes every granted capability at once and then hides', async (t) => {
    const { page } = await open(t);
    await api(page, 'setCaps', [['scroll', 'click', 'navigate']]);
    await clickButton(page, 'Take back control');
    assert.deepEqual(await api(page, 'chips'), [VIEW_LABEL]);
    assert.deepEqual(await api(page, 'revokes'), [['scroll', 'navigate', 'click']]);
    assert.equal(await api(page, 'button', ['Take back control']), null);
    assert.equal(await api(page, 'stops'), 0, 'sharing goes on: the agent can still see');
  });

  test('threat: the page acting for the customer (revoking, accepting a proposed page, stopping) — synthetic clicks do nothing', async (t) => {
    const { page } = await open(t);
    await api(page, 'setCaps', [ALL_CAPS]);
    assert.equal((await api(page, 'propose', [URL_SHOP])).shown, true);
    await page.waitForTimeout(ARM_DELAY_MS + 100); // armed: only trust is missing
    const targets = [`Revoke: ${CAP_LABELS.click}`, 'Take back control', `Open ${URL_SHOP}`, 'Dismiss', 'Stop sharing'];
    for (const name of targets) {
      const at = await api(page, 'button', [name]);
      assert.ok(at, name);
      // What the page can do: events on the host, at the button's place, and element.click().
      await page.evaluate((p) => {
        const host = /** @type {HTMLElement} */ (document.querySelector('cotab-indicator'));
        const init = { bubbles: true, composed: true, cancelable: true, clientX: p.x, clientY: p.y };
        for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click']) host.dispatchEvent(new MouseEvent(type, init));
        host.click();
        /** @type {HTMLElement | null} */ (document.elementFromPoint(p.x, p.y))?.click();
      }, at);
      // And a script holding the very button (the closed root keeps it from the page).
      await api(page, 'syntheticInside', [name]);
    }
    assert.deepEqual(await api(page, 'revokes'), []);
    assert.deepEqual(await api(page, 'answers'), []);
    assert.equal(await api(page, 'stops'), 0);
    assert.equal((await api(page, 'chips')).length, 1 + ALL_CAPS.length);
    assert.match(await api(page, 'proposal'), /shop\.example/);
  });
});

describe('indicator: a page proposed by the agent', () => {
  test('shows the URL; Open (once armed) accepts, Dismiss declines; one proposal at a time', async (t) => {
    const { page } = await open(t);
    await api(page, 'setCaps', [['navigate']]);
    assert.equal(await api(page, 'proposal'), null);
    assert.equal((await api(page, 'propose', [URL_SHOP])).shown, true);
    assert.equal(await api(page, 'proposal'), `Your agent suggests opening${URL_SHOP}OpenDismiss`);
    assert.equal((await api(page, 'propose', ['https://shop.example/other'])).shown, false, 'busy: one is open');
    await page.waitForTimeout(ARM_DELAY_MS + 100);
    await clickButton(page, `Open ${URL_SHOP}`);
    assert.deepEqual(await api(page, 'answers'), [true]);
    assert.equal(await api(page, 'proposal'), null, 'closed once answered');
    // Dismiss needs no arming: declining can never hurt the customer.
    assert.equal((await api(page, 'propose', ['https://shop.example/other'])).shown, true);
    await clickButton(page, 'Dismiss');
    assert.deepEqual(await api(page, 'answers'), [true, false]);
    assert.equal(await api(page, 'proposal'), null);
    assert.equal(await api(page, 'proposeError', ['not a url']), 'TypeError');
    assert.equal(await api(page, 'proposeError', [`https://shop.example/${'x'.repeat(3000)}`]), 'TypeError');
    assert.equal(await api(page, 'proposal'), null, 'bad input shows nothing');
  });

  test(`threat: clickjacking — Open ignores clicks for ARM_DELAY_MS (${ARM_DELAY_MS} ms) after it appears and after the indicator is put back`, async (t) => {
    const { page } = await open(t);
    await api(page, 'setCaps', [['navigate']]);
    /**
     * Clicks Open as soon as possible after `since` (page time, ms); true when the click reached
     * the button well inside the delay (a slow machine may be too late: then try again).
     * @param {number} since
     */
    const earlyClick = async (since) => {
      await clickButton(page, `Open ${URL_SHOP}`);
      const click = await api(page, 'lastClick');
      return click.trusted && click.t - since < ARM_DELAY_MS - 100;
    };
    let tested = false;
    for (let attempt = 0; attempt < 5 && !tested; attempt++) {
      const { at } = await api(page, 'propose', [URL_SHOP]);
      tested = await earlyClick(at);
      assert.deepEqual(await api(page, 'answers'), [], 'an Open click during the delay is ignored');
      if (!tested) await api(page, 'cancel');
    }
    assert.ok(tested, 'one click landed inside the arming delay');
    // The page takes the indicator away and lets it come back under the pointer: armed anew.
    await page.waitForTimeout(ARM_DELAY_MS + 100);
    tested = false;
    for (let attempt = 0; attempt < 5 && !tested; attempt++) {
      const removedAt = await page.evaluate(() => {
        document.querySelector('cotab-indicator')?.remove();
        return performance.now();
      });
      await page.waitForFunction(() => document.querySelector('cotab-indicator')?.matches(':popover-open'));
      tested = await earlyClick(removedAt);
      assert.deepEqual(await api(page, 'answers'), [], 'an Open click right after the repair is ignored');
      if (!tested) await page.waitForTimeout(ARM_DELAY_MS + 100);
    }
    assert.ok(tested, 'one click landed inside the arming delay after the repair');
    await page.waitForTimeout(ARM_DELAY_MS + 100);
    await clickButton(page, `Open ${URL_SHOP}`);
    assert.deepEqual(await api(page, 'answers'), [true], 'armed: the real click counts');
  });

  test('revoking navigate, on the page or from the service worker, or cancelProposal() closes it unanswered', async (t) => {
    const { page } = await open(t);
    await api(page, 'setCaps', [['navigate', 'scroll']]);
    await api(page, 'propose', [URL_SHOP]);
    await clickButton(page, `Revoke: ${CAP_LABELS.navigate}`);
    assert.equal(await api(page, 'proposal'), null);
    assert.deepEqual(await api(page, 'revokes'), [['navigate']]);
    await api(page, 'setCaps', [['navigate', 'scroll']]);
    await api(page, 'propose', [URL_SHOP]);
    await api(page, 'setCaps', [['scroll']]);
    assert.equal(await api(page, 'proposal'), null, 'the service worker took navigate back');
    await api(page, 'setCaps', [['navigate']]);
    await api(page, 'propose', [URL_SHOP]);
    assert.equal(await api(page, 'cancel'), true);
    assert.equal(await api(page, 'cancel'), false, 'nothing left to cancel');
    assert.equal(await api(page, 'proposal'), null);
    assert.deepEqual(await api(page, 'answers'), [], 'never answered: whoever closed it answers the agent');
    // Removed with the indicator, a proposal is not shown on the next show().
    await api(page, 'propose', [URL_SHOP]);
    await api(page, 'remove');
    assert.equal((await api(page, 'propose', [URL_SHOP])).shown, false, 'not shown: the indicator is not');
  });
});

describe('indicator: layout and accessibility', () => {
  test('fits an 800 px wide window with every capability and a long proposal; Stop stays the rightmost STOP_BUTTON_WIDTH_PX, full height', async (t) => {
    const viewport = { width: 800, height: 600 };
    const { page } = await open(t, undefined, viewport);
    await api(page, 'setCaps', [ALL_CAPS]);
    await api(page, 'propose', [`https://shop.example/${'a/'.repeat(1000)}`]);
    const host = /** @type {{x: number, y: number, w: number, h: number}} */ (
      await page.evaluate(() => {
        const r = /** @type {Element} */ (document.querySelector('cotab-indicator')).getBoundingClientRect();
        return { x: r.x, y: r.y, w: r.width, h: r.height };
      })
    );
    assert.ok(host.x >= 0 && host.x + host.w <= viewport.width, `inside the window: ${JSON.stringify(host)}`);
    assert.ok(host.h <= 100, `compact: ${host.h} px high`);
    /** @type {Array<{name: string, x: number, y: number, w: number, h: number}>} */
    const buttons = await api(page, 'buttons');
    assert.equal(buttons.length, ALL_CAPS.length + 4, 'every revoke, Take back control, Open, Dismiss, Stop');
    for (const b of buttons) {
      assert.ok(b.w >= 14 && b.h >= 14, `${b.name} is big enough to hit: ${b.w}×${b.h}`);
      assert.ok(b.x >= host.x && b.x + b.w <= host.x + host.w + 0.5 && b.y >= host.y && b.y + b.h <= host.y + host.h + 0.5, `${b.name} inside the bar`);
    }
    for (const a of buttons) {
      for (const b of buttons) {
        if (a === b) continue;
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.name} and ${b.name} do not overlap`);
      }
    }
    const stop = /** @type {{x: number, y: number, w: number, h: number}} */ (buttons.find((b) => b.name === 'Stop sharing'));
    assert.ok(Math.abs(stop.x + stop.w - (host.x + host.w)) <= 0.5 && Math.abs(stop.w - STOP_BUTTON_WIDTH_PX) <= 0.5, 'rightmost, STOP_BUTTON_WIDTH_PX wide');
    assert.ok(Math.abs(stop.y - host.y) <= 0.5 && Math.abs(stop.h - host.h) <= 0.5, 'over the full height');
    // Where the e2e suite clicks it: near the right end, halfway down.
    await page.mouse.click(host.x + host.w - 48, host.y + host.h / 2);
    assert.equal(await api(page, 'stops'), 1);
    assert.deepEqual(await api(page, 'revokes'), []);
  });

  test('every button has an accessible name (the accessibility tree sees into the closed root)', async (t) => {
    const { page, context } = await open(t);
    await api(page, 'setCaps', [['annotate', 'navigate']]);
    await api(page, 'propose', [URL_SHOP]);
    const cdp = await context.newCDPSession(page);
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const buttons = nodes.filter((n) => !n.ignored && n.role?.value === 'button').map((n) => String(n.name?.value ?? ''));
    assert.deepEqual(buttons.sort(), [
      'Dismiss',
      `Open ${URL_SHOP}`,
      `Revoke: ${CAP_LABELS.annotate}`,
      `Revoke: ${CAP_LABELS.navigate}`,
      'Stop sharing',
      'Take back control',
    ].sort());
    const regions = nodes.filter((n) => !n.ignored && n.role?.value === 'region').map((n) => n.name?.value);
    assert.ok(regions.includes('Cotab: this tab is shared'), 'the bar is a named region');
  });
});

describe('indicator: hostile pages', () => {
  test('threat: a page that defined <cotab-indicator> itself (to own or break its shadow root) — the indicator still shows and works', async (t) => {
    const { page } = await open(t, `<!doctype html><script>
      customElements.define('cotab-indicator', class extends HTMLElement {
        static disabledFeatures = ['shadow'];
        constructor() { super(); window.__upgraded = true; }
      });</script><h1>Shop</h1>`);
    const s = await hostState(page);
    assert.ok(s);
    assert.equal(s.open, true);
    assert.equal(s.shadowRoot, null);
    assert.ok(s.rect.w > STOP_BUTTON_WIDTH_PX, 'drawn');
    await page.mouse.click(s.rect.x + s.rect.w - 48, s.rect.y + s.rect.h / 2);
    assert.equal(await api(page, 'stops'), 1);
  });

  test(`threat: a page popover that re-raises itself whenever ours rises — raises are budgeted (MAX_REPAIRS_PER_SECOND), the tab keeps running`, async (t) => {
    const { page } = await open(t);
    const started = Date.now();
    const r = await page.evaluate(async () => {
      const own = document.createElement('div');
      own.setAttribute('popover', 'manual');
      own.textContent = 'page popover';
      document.body.append(own);
      let ours = 0;
      document.addEventListener('toggle', (e) => {
        if (e.target === own) return;
        ours++;
        // Back on top of whatever rose.
        own.hidePopover();
        own.showPopover();
      }, true);
      own.showPopover();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      return ours;
    });
    const seconds = (Date.now() - started) / 1000;
    assert.ok(r >= 1, 'the indicator did rise');
    assert.ok(r <= (MAX_REPAIRS_PER_SECOND + 2) * Math.ceil(seconds + 1), `budgeted: ${r} raises in ${seconds}s`);
  });
});

test('indicator: works from the keyboard — Tab reaches a ×, Enter revokes, and the focus survives the indicator rising above a new popover', async (t) => {
  const { page } = await open(t);
  await api(page, 'setCaps', [['scroll']]);
  // Tab into the indicator: the first of its buttons takes the focus.
  await page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement)?.blur());
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.activeElement?.localName === 'cotab-indicator');
  await page.evaluate(() => {
    const p = document.createElement('div');
    p.setAttribute('popover', 'manual');
    document.body.append(p);
    p.showPopover();
  });
  await page.waitForTimeout(100); // the toggle event, then the raise
  assert.equal(await page.evaluate(() => document.activeElement?.localName), 'cotab-indicator', 'still focused inside');
  await page.keyboard.press('Enter');
  assert.deepEqual(await api(page, 'revokes'), [['scroll']], 'Enter on the focused × revokes (a real key press is trusted)');
});
