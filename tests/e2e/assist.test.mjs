// The agent's tools and actions through the real viewer UI, seen on the customer's real page
// (two browsers, the real extension, real hosts, a local relay): each tool appears where the agent
// put it and clears; a capability that was not granted has no effect, a granted one works, and a
// revocation in the middle of typing stops it at once; a proposed page opens only when the customer
// clicks Open; typing reaches a React app's state. The customer's in-page UI lives in closed shadow
// roots the page cannot read; the test reads it through the DevTools protocol
// (harness.closedShadowElements) and clicks it with real (trusted) mouse events.
// threat (consent tests): an agent acting beyond what the customer granted.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { checkoutPage, reactFormPage } from '../pages/assist.mjs';
import { ROOT, closedShadowElements, connectPair, grantCapability, mirrorPoint, serveHtml, showInMirror, startRig, waitFor } from './harness.mjs';

/** @type {import('./harness.mjs').Rig} */
let rig;
/** @type {Awaited<ReturnType<typeof serveHtml>>} */
let site;
/** @type {import('playwright-core').Page} */
let page;
/** @type {import('playwright-core').Page} */
let viewer;
/** @type {import('playwright-core').Page} */
let consent;

const js = (/** @type {string} */ rel) => ({ type: 'text/javascript', body: readFileSync(path.join(ROOT, 'node_modules', rel)) });

/** @param {string} id @param {number} [fx] @param {number} [fy] */
const mirrorPointOf = (id, fx = 0.5, fy = 0.5) => mirrorPoint(viewer, `#${id}`, fx, fy);
/** @param {string} id */
const showOnPage = (id) => showInMirror(page, viewer, `#${id}`);

/** The element's box on the customer's page (viewport CSS px). @param {string} id */
function pageBox(id) {
  return page.evaluate((i) => {
    const r = /** @type {Element} */ (document.getElementById(i)).getBoundingClientRect();
    return { x: r.left, y: r.top, w: r.width, h: r.height };
  }, id);
}

/** The overlay's items on the customer's page. @param {string} cls */
async function overlayItems(cls) {
  const all = await closedShadowElements(page, 'cotab-overlay');
  return all.filter((e) => (e.attrs.class ?? '').split(/\s+/).includes(cls) && e.box && e.box.w > 0);
}

/** @param {string} id */
const fieldValue = (id) => page.evaluate((i) => /** @type {HTMLInputElement} */ (document.getElementById(i)).value, id);

/** Picks a viewer tool. @param {string} name */
async function tool(name) {
  await viewer.getByTestId(`tool-${name}`).click();
}

/** @param {string} cap */
const askAndGrant = (cap) => grantCapability({ viewer, consent, page, cap });

before(async () => {
  rig = await startRig();
  site = await serveHtml({
    '/assist/checkout': checkoutPage(),
    '/assist/react': reactFormPage({ reactSrc: '/js/react.js', reactDomSrc: '/js/react-dom.js' }),
    '/js/react.js': js('react/umd/react.production.min.js'),
    '/js/react-dom.js': js('react-dom/umd/react-dom.production.min.js'),
  });
  page = await rig.customer.context.newPage();
  await page.goto(`${site.origin}/assist/checkout`);
  const pair = await connectPair({ customer: rig.customer, agent: rig.agent, customerPage: page });
  viewer = pair.viewer;
  consent = pair.consent;
});

after(async () => {
  await rig?.close();
  await site?.close();
});

describe('agent tools on the customer’s page', () => {
  test('laser: the dot appears where the agent points, follows the agent’s pointer and hides when it leaves', async () => {
    await tool('laser');
    await showOnPage('coupon');
    const center = async () => {
      const [dot] = await overlayItems('laser');
      return dot?.box ? { x: dot.box.x + dot.box.w / 2, y: dot.box.y + dot.box.h / 2 } : null;
    };
    /** @param {string} id */
    const on = (id) => async () => {
      const c = await center();
      const b = await pageBox(id);
      return c && Math.abs(c.x - (b.x + b.w / 2)) < 8 && Math.abs(c.y - (b.y + b.h / 2)) < 8 ? c : null;
    };
    const p = await mirrorPointOf('coupon');
    await viewer.mouse.move(p.x - 20, p.y);
    await viewer.mouse.move(p.x, p.y, { steps: 4 });
    await waitFor(on('coupon'), { message: async () => `the laser dot on “Apply coupon” (dot ${JSON.stringify(await center())}, button ${JSON.stringify(await pageBox('coupon'))})` });
    const q = await mirrorPointOf('coupon-code');
    await viewer.mouse.move(q.x, q.y, { steps: 6 });
    await waitFor(on('coupon-code'), { message: 'the laser dot on the coupon field' });
    // Off the mirror (onto the viewer's toolbar): the customer's dot goes away.
    const bar = await viewer.getByTestId('tool-laser').boundingBox();
    if (!bar) throw new Error('no toolbar');
    await viewer.mouse.move(bar.x + bar.width / 2, bar.y + bar.height / 2, { steps: 4 });
    await waitFor(async () => ((await overlayItems('laser')).length === 0 ? true : null), { message: 'the laser dot hidden' });
  });

  test('highlight: a box around the element that stays on it when the page scrolls, no click on it; Clear removes it', async () => {
    await tool('mark');
    await showOnPage('pay');
    const p = await mirrorPointOf('pay');
    await viewer.mouse.click(p.x, p.y);
    const around = async () => {
      const b = await pageBox('pay');
      const [m] = await overlayItems('mark');
      return m?.box && Math.abs(m.box.x + m.box.w / 2 - (b.x + b.w / 2)) < 6 && Math.abs(m.box.y + m.box.h / 2 - (b.y + b.h / 2)) < 6 && m.box.w >= b.w ? m : null;
    };
    await waitFor(around, { message: 'the highlight around “Pay now”' });
    // The customer scrolls and the layout changes above the button: the highlight stays on it.
    await page.evaluate(() => {
      window.scrollBy(0, 80);
      document.getElementById('details-toggle')?.insertAdjacentHTML('beforebegin', '<p style="height:40px;margin:0">Free shipping today</p>');
    });
    await waitFor(around, { message: 'the highlight still around “Pay now” after a scroll and a layout shift' });
    assert.equal(await page.evaluate(() => Reflect.get(window, '__finalClicks')), 0, 'highlighting “Pay now” must not click it');
    await tool('clear');
    await waitFor(async () => ((await overlayItems('mark')).length === 0 ? true : null), { message: 'the highlight cleared' });
  });

  test('draw: the stroke appears where it was drawn and Clear removes it', async () => {
    await tool('draw');
    const fade = viewer.getByTestId('draw-fade');
    if (await fade.isChecked()) await fade.uncheck();
    await showOnPage('notes');
    const a = await mirrorPointOf('notes', 0.1, 0.3);
    const z = await mirrorPointOf('notes', 0.9, 0.7);
    await viewer.mouse.move(a.x, a.y);
    await viewer.mouse.down();
    await viewer.mouse.move(z.x, z.y, { steps: 12 });
    await viewer.mouse.up();
    const b = await pageBox('notes');
    await waitFor(
      async () => {
        const [s] = await overlayItems('stroke');
        if (!s?.box) return null;
        // The stroke spans from 10% to 90% of the field's width (give or take the line's width).
        const ok = Math.abs(s.box.x - (b.x + 0.1 * b.w)) < 8 && Math.abs(s.box.x + s.box.w - (b.x + 0.9 * b.w)) < 8;
        return ok ? s : null;
      },
      { message: 'the stroke across “Delivery notes”' },
    );
    await tool('clear');
    await waitFor(async () => ((await overlayItems('stroke')).length === 0 ? true : null), { message: 'the stroke cleared' });
  });
});

describe('consent per capability', () => {
  test('not granted: the viewer offers to ask, and wheel over the mirror scrolls nothing', async () => {
    // The viewer does not even offer typing before it is granted (the hostile-agent test sends
    // such actions anyway, straight into its host, and sees them refused).
    assert.equal(await viewer.getByTestId('cap-type').getAttribute('data-state'), 'ask');
    assert.ok(await viewer.getByTestId('tool-type').isDisabled(), 'Type is offered before it is granted');
    await showOnPage('terms-panel');
    const q = await mirrorPointOf('terms-panel');
    await viewer.mouse.move(q.x, q.y);
    await viewer.mouse.wheel(0, 200);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await page.evaluate(() => /** @type {HTMLElement} */ (document.getElementById('terms-panel')).scrollTop), 0);
    assert.equal(await fieldValue('name'), '');
  });

  test('granted: the agent types into a field and scrolls a nested panel', async () => {
    await askAndGrant('type');
    await askAndGrant('scroll');
    await tool('type');
    await showOnPage('name');
    const p = await mirrorPointOf('name');
    await viewer.mouse.click(p.x, p.y);
    await viewer.getByTestId('type-target').waitFor({ state: 'visible' });
    await viewer.keyboard.type('Ada Lovelace');
    await waitFor(async () => ((await fieldValue('name')) === 'Ada Lovelace' ? true : null), { message: 'the typed name on the customer’s page' });
    await showOnPage('terms-panel');
    const q = await mirrorPointOf('terms-panel');
    await viewer.mouse.move(q.x, q.y);
    await viewer.mouse.wheel(0, 150);
    await waitFor(async () => ((await page.evaluate(() => /** @type {HTMLElement} */ (document.getElementById('terms-panel')).scrollTop)) > 0 ? true : null), {
      message: 'the nested panel scrolled on the customer’s page',
    });
  });

  test('revoked in the middle of typing: the typing stops at once', async () => {
    await showOnPage('notes');
    const p = await mirrorPointOf('notes');
    await viewer.mouse.click(p.x, p.y);
    await viewer.getByTestId('type-target').waitFor({ state: 'visible' });
    const long = 'The parcel can be left with the neighbours at number twelve if nobody is home. '.repeat(3);
    const typing = viewer.keyboard.type(long, { delay: 15 });
    await waitFor(async () => ((await fieldValue('notes')).length >= 10 ? true : null), { message: 'typing under way' });
    await consent.getByTestId('revoke-type').click();
    const atRevoke = await fieldValue('notes');
    await typing;
    await new Promise((r) => setTimeout(r, 800));
    const later = await fieldValue('notes');
    // What was already on its way when the customer clicked may land (a character or two); after
    // that, nothing.
    assert.ok(later.length <= atRevoke.length + 3, `typing went on after the revocation: ${atRevoke.length} → ${later.length} characters`);
    assert.ok(later.length < long.length, 'the whole text was typed');
    await viewer.locator('[data-testid=cap-type]:not([data-state=granted])').waitFor();
    // Scroll, granted separately, still works.
    await showOnPage('terms-panel');
    const q = await mirrorPointOf('terms-panel');
    const before = await page.evaluate(() => /** @type {HTMLElement} */ (document.getElementById('terms-panel')).scrollTop);
    await viewer.mouse.move(q.x, q.y);
    await viewer.mouse.wheel(0, 100);
    await waitFor(async () => ((await page.evaluate(() => /** @type {HTMLElement} */ (document.getElementById('terms-panel')).scrollTop)) > before ? true : null), {
      message: 'scroll still works after type was revoked',
    });
  });
});

describe('navigation and a React app', () => {
  test('a proposed page opens only when the customer clicks Open; typing reaches React’s state', async () => {
    await askAndGrant('navigate');
    await viewer.getByTestId('nav-url').fill('/assist/react');
    await viewer.getByTestId('nav-propose').click();
    /** @returns {Promise<{x: number, y: number} | null>} */
    const openButton = async () => {
      const all = await closedShadowElements(page, 'cotab-indicator');
      const b = all.find((e) => e.name === 'button' && (e.attrs.class ?? '').split(/\s+/).includes('open') && e.box && e.box.w > 0);
      return b?.box ? { x: b.box.x + b.box.w / 2, y: b.box.y + b.box.h / 2 } : null;
    };
    const open = await waitFor(openButton, { message: 'the proposal on the customer’s page' });
    assert.ok(page.url().endsWith('/assist/checkout'), 'nothing opens before the customer decides');
    await new Promise((r) => setTimeout(r, 800)); // Open is armed 600 ms after it appears
    await page.mouse.click(open.x, open.y);
    await page.waitForURL(/\/assist\/react$/);
    await page.locator('#state').waitFor();

    // The mirror follows the tab; type is asked again (it was revoked above).
    await waitFor(async () => (await viewer.evaluate(() => [...document.querySelectorAll('#mirror-host iframe')].some((f) => f instanceof HTMLIFrameElement && !!f.contentDocument?.getElementById('r-name')))) || null, {
      message: 'the React page in the mirror',
    });
    await askAndGrant('type');
    await tool('type');
    const p = await mirrorPointOf('r-name');
    await viewer.mouse.click(p.x, p.y);
    await viewer.getByTestId('type-target').waitFor({ state: 'visible' });
    await viewer.keyboard.type('Grace');
    const state = () => page.evaluate(() => JSON.parse(/** @type {HTMLElement} */ (document.getElementById('state')).textContent ?? '{}'));
    await waitFor(async () => ((await state()).name === 'Grace' ? true : null), { message: 'React’s state has the typed name' });
    const s = await state();
    assert.ok(s.keys >= 5, `React saw the keydowns: ${s.keys}`);

    // A checkbox and a select, as React sees them.
    const box = await mirrorPointOf('r-newsletter');
    await viewer.mouse.click(box.x, box.y);
    await waitFor(async () => ((await state()).newsletter === true ? true : null), { message: 'React’s state has the ticked checkbox' });
    const select = await mirrorPointOf('r-country');
    await viewer.mouse.click(select.x, select.y);
    await viewer.getByTestId('select-picker').selectOption('de');
    await waitFor(async () => ((await state()).country === 'de' ? true : null), { message: 'React’s state has the chosen country' });
    assert.equal(await page.evaluate(() => Reflect.get(window, '__reactSubmits')), 0);
  });
});

describe('clicks and taking back control', () => {
  test('a granted click works on a harmless control; Take back control on the page revokes everything at once', async () => {
    await page.goto(`${site.origin}/assist/checkout`);
    await waitFor(async () => (await viewer.evaluate(() => [...document.querySelectorAll('#mirror-host iframe')].some((f) => f instanceof HTMLIFrameElement && !!f.contentDocument?.getElementById('details-toggle')))) || null, {
      message: 'the checkout in the mirror again',
    });
    await askAndGrant('click');
    await tool('click');
    await showOnPage('details-toggle');
    const p = await mirrorPointOf('details-toggle');
    await viewer.mouse.click(p.x, p.y);
    await waitFor(async () => ((await page.locator('#details').isVisible()) ? true : null), { message: '“Show details” clicked by the agent' });

    // The customer clicks "Take back control" in the page's indicator (a real click).
    const takeBack = async () => {
      const all = await closedShadowElements(page, 'cotab-indicator');
      const b = all.find((e) => e.name === 'button' && (e.attrs.class ?? '').split(/\s+/).includes('takeback') && e.box && e.box.w > 0);
      return b?.box ? { x: b.box.x + b.box.w / 2, y: b.box.y + b.box.h / 2 } : null;
    };
    const at = await waitFor(takeBack, { message: 'Take back control on the page' });
    await page.mouse.click(at.x, at.y);
    for (const cap of ['annotate', 'type', 'click', 'navigate', 'scroll']) {
      await viewer.locator(`[data-testid=cap-${cap}]:not([data-state=granted])`).waitFor();
    }
    assert.deepEqual(await consent.evaluate(() => [...document.querySelectorAll('[data-testid^=revoke-]')].length), 0, 'the popup still lists a capability');
    // The indicator no longer offers it: nothing is granted beyond view.
    assert.equal(await takeBack(), null);
  });
});
