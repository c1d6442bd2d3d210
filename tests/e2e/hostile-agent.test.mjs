// threat: a hostile agent. The agent's side is not an extension here but this test, talking to a
// real cotab-host straight over native messaging (tests/e2e/host-driver.mjs): no viewer UI and no
// agent service worker filter what it sends. The customer's side is the real extension in a real
// Chromium on a realistic checkout page (tests/pages/assist.mjs) that counts every submission and
// every finalizing click it sees. Even with every capability granted, the agent must get zero
// finalizing actions, zero submissions, zero masked data and zero navigations off the site — each
// refused with a reason — and the session must keep working after floods and garbage.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  CHECKOUT_FINALIZE_SELECTOR,
  CHECKOUT_FINALIZING,
  CHECKOUT_MASK_SELECTOR,
  CHECKOUT_MASKED,
  CHECKOUT_SUBMITTING,
  checkoutPage,
} from '../pages/assist.mjs';
import { LIMITS } from '../../extension/dist/protocol.js';
import {
  CODE_SHOWN,
  expectConsentWindow,
  launchBrowser,
  openPopup,
  serveHtml,
  startRelay,
  tabIdOf,
  testIdText,
  typedCode,
  waitFor,
  waitForPopupState,
} from './harness.mjs';
import { blockedIds, HostDriver, idWhere, recordIndex } from './host-driver.mjs';

const ALL_CAPS = ['annotate', 'scroll', 'type', 'navigate', 'click'];

/** @type {import('./harness.mjs').Relay} */
let relay;
/** @type {import('./harness.mjs').CotabBrowser} */
let customer;
/** @type {Awaited<ReturnType<typeof serveHtml>>} */
let site;
/** @type {Awaited<ReturnType<typeof serveHtml>>} */
let partner;
/** @type {import('playwright-core').Page} */
let page;
/** @type {import('playwright-core').Page} */
let consent;
/** @type {HostDriver} */
let agent;
/** id of the element with that `id` attribute, in the customer's current epoch. @type {(elementId: string) => number} */
let idOf;
/** ids of the blocked boxes in the current epoch. @type {number[]} */
let blocked = [];
let epoch = 0;
let nextN = 1;
let lastActAt = 0;

/** Every request the site saw that a submission or a finalizing click would cause. */
const leaks = () => site.requests().filter((u) => u.pathname === '/assist/order' || u.pathname === '/assist/final');

/**
 * Sends one action and waits for its answer (`done` or `refused` with the same n).
 * @param {Record<string, unknown>} act  the action's members besides k and n
 * @returns {Promise<any>}
 */
async function act(act) {
  // Paced below app_max_refusals_per_second: refusals beyond it are counted, not sent.
  const wait = lastActAt + 1000 / LIMITS.app_max_refusals_per_second + 5 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  lastActAt = Date.now();
  const n = nextN++;
  const from = agent.log.length;
  agent.app({ k: 'act', n, ...act });
  return agent.nextApp((d) => (d.k === 'done' || d.k === 'refused') && d.n === n, { from, what: `the answer to act ${n} (${JSON.stringify(act)})` });
}

/** @param {string} id */
const fieldValue = (id) => page.evaluate((i) => /** @type {HTMLInputElement} */ (document.getElementById(i)).value, id);
const score = () => page.evaluate(() => ({ submits: Reflect.get(window, '__submits'), finals: Reflect.get(window, '__finalClicks'), pageId: Reflect.get(window, '__pageId') }));

before(async () => {
  relay = await startRelay();
  partner = await serveHtml({ '/terms': '<!doctype html><title>Partner</title><p>Partner terms</p>' });
  site = await serveHtml({
    '/assist/checkout': checkoutPage({ crossOrigin: partner.origin }),
    '/assist/help': '<!doctype html><title>Help</title><p id="help">How can we help?</p>',
  });
  customer = await launchBrowser({
    name: 'customer',
    relayUrl: relay.url,
    settings: { maskSelectors: [CHECKOUT_MASK_SELECTOR], finalizeSelectors: [CHECKOUT_FINALIZE_SELECTOR] },
  });
  page = await customer.context.newPage();
  await page.goto(`${site.origin}/assist/checkout`);

  // The customer shares; the "agent" joins with the code through its own host.
  const tabId = await tabIdOf(customer, page);
  const popup = await openPopup(customer, tabId);
  await popup.getByTestId('share').click();
  await waitForPopupState(popup, 'customer:code');
  const code = typedCode(await testIdText(popup, 'code', { re: CODE_SHOWN }));
  const consentOpened = expectConsentWindow(customer);
  agent = new HostDriver();
  agent.send({ type: 'hello' });
  await agent.next((m) => m.type === 'hello', { what: 'host hello' });
  agent.send({ type: 'join', relay: relay.url, code, id: 1 });
  await agent.next((m) => m.type === 'peer', { what: 'peer' });
  agent.app({ k: 'hello', app: 1, role: 'agent', ua: 'HostileAgent 1' });
  consent = await consentOpened;
  await waitForPopupState(consent, 'customer:consent');
  await consent.getByTestId('allow').click();
  await page.bringToFront();
  const end = await agent.nextApp((d) => d.k === 'snapend', { what: 'the first snapshot' });
  epoch = end.e;
  const index = recordIndex(agent.received().filter((d) => d.e === epoch));
  idOf = (elementId) => idWhere(index, 'id', elementId);
  blocked = blockedIds(index);
});

after(async () => {
  await agent?.close();
  await customer?.close();
  await site?.close();
  await partner?.close();
  await relay?.close();
});

describe('a hostile agent, straight into its host', () => {
  test('before the customer grants a capability, its actions have no effect', async () => {
    const caps = await agent.nextApp((d) => d.k === 'caps', { what: 'caps after consent' });
    assert.deepEqual(caps.granted, ['annotate'], 'Allow grants the settings’ default only');
    const typed = await act({ a: 'type', e: epoch, id: idOf('name'), text: 'Mallory' });
    assert.equal(typed.why, 'not-granted');
    const clicked = await act({ a: 'click', e: epoch, id: idOf('coupon') });
    assert.equal(clicked.why, 'not-granted');
    assert.equal(await fieldValue('name'), '');
    assert.equal(await page.evaluate(() => Reflect.get(window, '__coupons') ?? 0), 0);
  });

  test('the customer grants everything in the consent window (so only the firewall stands)', async () => {
    const from = agent.log.length;
    agent.app({ k: 'ask', caps: ALL_CAPS });
    await waitFor(async () => (await consent.getByTestId('ask').isVisible()) || null, { message: 'the ask prompt' });
    // Allow ignores clicks just after the prompt appears (an agent cannot time it under a click).
    await new Promise((r) => setTimeout(r, 800));
    await consent.getByTestId('ask-allow').click();
    const caps = await agent.nextApp((d) => d.k === 'caps' && d.granted.length === ALL_CAPS.length, { from, what: 'all capabilities granted' });
    assert.deepEqual(caps.asked, []);
    await page.bringToFront();
  });

  test('no finalizing control and no submitting control can be activated, each refused with its reason', async () => {
    for (const id of [...Object.keys(CHECKOUT_FINALIZING), 'custom-final']) {
      const r = await act({ a: 'click', e: epoch, id: idOf(id) });
      assert.equal(r.k, 'refused', `#${id} was clicked`);
      assert.ok(['finalizing', 'submit'].includes(r.why), `#${id}: ${r.why} (${r.detail})`);
    }
    for (const id of CHECKOUT_SUBMITTING) {
      const r = await act({ a: 'click', e: epoch, id: idOf(id) });
      assert.equal(r.k, 'refused', `#${id} was clicked`);
      assert.equal(r.why, 'submit', `#${id}: ${r.why} (${r.detail})`);
    }
    for (const key of [{ a: 'key', key: 'Enter' }, { a: 'type', text: 'x\n' }]) {
      const r = await act({ ...key, e: epoch, id: idOf('name') });
      assert.equal(r.why, 'submit', `Enter in a field: ${JSON.stringify(key)}`);
    }
    const sign = await act({ a: 'check', e: epoch, id: idOf('sign-terms'), c: true });
    assert.equal(sign.k, 'refused', 'ticking "I … sign the contract"');
    const s = await score();
    assert.equal(s.submits, 0, 'the page saw a submission');
    assert.equal(s.finals, 0, 'the page saw a finalizing click');
    assert.deepEqual(leaks(), []);
  });

  test('masked and password fields cannot be typed into, and nothing masked ever reaches the agent', async () => {
    // A blocked area is a box without contents in the mirror: its fields have no id to name.
    assert.throws(() => idOf('saved-card-note'), /no recorded element/);
    assert.equal(blocked.length, 1, 'the saved-cards area is one blocked box');
    const box = await act({ a: 'type', e: epoch, id: blocked[0], text: 'overwrite' });
    assert.equal(box.why, 'masked', `the blocked box: ${box.why}`);
    const boxClick = await act({ a: 'click', e: epoch, id: blocked[0] });
    assert.equal(boxClick.why, 'masked', `a click on the blocked box: ${boxClick.why}`);
    for (const id of Object.keys(CHECKOUT_MASKED).filter((i) => i !== 'saved-card-note')) {
      const r = await act({ a: 'type', e: epoch, id: idOf(id), text: 'overwrite' });
      assert.equal(r.why, 'masked', `#${id}: ${r.why}`);
      assert.equal(await fieldValue(id), CHECKOUT_MASKED[/** @type {keyof typeof CHECKOUT_MASKED} */ (id)]);
    }
    const masked = await act({ a: 'click', e: epoch, id: idOf('masked-button') });
    assert.equal(masked.k, 'refused');
    // Pointing at masked fields and asking for fresh snapshots reveals nothing either.
    agent.app({ k: 'mark', e: epoch, id: idOf('password'), on: true });
    agent.app({ k: 'laser', e: epoch, id: idOf('card'), x: 2, y: 2 });
    const from = agent.log.length;
    agent.app({ k: 'resync' });
    const end = await agent.nextApp((d) => d.k === 'snapend', { from, what: 'the resync snapshot' });
    epoch = end.e;
    const index = recordIndex(agent.received().filter((d) => d.e === epoch));
    idOf = (elementId) => idWhere(index, 'id', elementId);
    const everything = JSON.stringify(agent.log);
    for (const canary of Object.values(CHECKOUT_MASKED)) assert.ok(!everything.includes(canary), `${canary} reached the agent`);
  });

  test('no navigation outside the site: cross-origin proposals and links are refused', async () => {
    const before = await score();
    const cross = await act({ a: 'nav', url: `${partner.origin}/terms` });
    assert.equal(cross.why, 'origin');
    const link = await act({ a: 'click', e: epoch, id: idOf('partner-link') });
    assert.equal(link.why, 'origin');
    // A javascript: URL is not even a valid action: dropped without an answer.
    agent.app({ k: 'act', n: nextN++, a: 'nav', url: 'javascript:alert(document.cookie)' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await score()).pageId, before.pageId, 'the page navigated');
    assert.deepEqual(partner.requests(), []);
  });

  test('floods, garbage and oversize messages: dropped or refused, and the page stays usable', async () => {
    const before = await score();
    // Garbage straight into the host (not even JSON): the host refuses it; the session goes on.
    agent.sendRaw(Buffer.from('{"type":"send","data":'));
    agent.sendRaw(Buffer.from([0xff, 0xfe, 0x00]));
    // Oversize (above app_max_inbound_agent_bytes), deep, unknown, wrongly typed.
    agent.app({ k: 'act', n: nextN++, a: 'type', e: epoch, id: idOf('name'), text: 'A'.repeat(LIMITS.app_max_inbound_agent_bytes + 10) });
    let deep = /** @type {unknown} */ ('x');
    for (let i = 0; i < 200; i++) deep = [deep];
    agent.app({ k: 'act', n: nextN++, a: 'click', e: epoch, id: deep });
    agent.app({ k: 'act', n: -1, a: 'click', e: epoch, id: idOf('coupon') });
    agent.app({ k: 'act', n: nextN++, a: 'click', e: epoch, id: Number.MAX_SAFE_INTEGER });
    agent.app({ k: 'act', n: nextN++, a: 'submit', e: epoch, id: idOf('checkout') });
    agent.app({ k: 'draw', e: epoch, s: 1, id: idOf('name'), pts: Array.from({ length: 5000 }, (_, i) => [i, i]), end: true, fade: 0 });
    agent.app({ k: 'no-such-kind', payload: 'x' });
    // A burst of harmless clicks far above the action rate, and a burst of finalizing ones.
    const burst = 3 * LIMITS.app_max_actions_per_second;
    const from = agent.log.length;
    for (let i = 0; i < burst; i++) agent.app({ k: 'act', n: nextN++, a: 'click', e: epoch, id: idOf('coupon') });
    for (let i = 0; i < burst; i++) agent.app({ k: 'act', n: nextN++, a: 'click', e: epoch, id: idOf('pay') });
    for (let i = 0; i < 200; i++) agent.app({ k: 'draw', e: epoch, s: i + 2, id: idOf('name'), pts: Array.from({ length: 256 }, (_, j) => [j, j]), end: true, fade: 0 });
    const t0 = Date.now();
    await page.evaluate(() => document.title);
    assert.ok(Date.now() - t0 < 5000, 'the page stopped answering');
    await new Promise((r) => setTimeout(r, 1500));
    const coupons = await page.evaluate(() => Reflect.get(window, '__coupons') ?? 0);
    assert.ok(coupons > 0 && coupons <= LIMITS.app_max_actions_per_second + 5, `harmless clicks let through: ${coupons} of ${burst}`);
    const refusals = agent.received().filter((d) => d.k === 'refused');
    const sinceBurst = agent.log.slice(from).filter((m) => m.type === 'recv' && m.data.k === 'refused');
    assert.ok(sinceBurst.length <= 3 * LIMITS.app_max_refusals_per_second, `refusals are rate-limited: ${sinceBurst.length}`);
    assert.ok(refusals.some((d) => d.why === 'rate'), 'the flood was told why');
    const after = await score();
    assert.equal(after.submits, before.submits);
    assert.equal(after.finals, before.finals);
    assert.equal(after.pageId, before.pageId);
    assert.deepEqual(leaks(), []);
  });

  test('after all that the session still works: a permitted action is applied and the mirror keeps updating', async () => {
    await new Promise((r) => setTimeout(r, 1100)); // the action bucket refills
    const typed = await act({ a: 'type', e: epoch, id: idOf('name'), text: 'Ada' });
    assert.equal(typed.k, 'done', JSON.stringify(typed));
    await waitFor(async () => ((await fieldValue('name')) === 'Ada' ? true : null), { message: 'the typed name' });
    const from = agent.log.length;
    await page.evaluate(() => {
      const p = document.createElement('p');
      p.id = 'still-live';
      p.textContent = 'still-live-marker';
      document.body.append(p);
    });
    await agent.nextApp((d) => d.k === 'm' && JSON.stringify(d).includes('still-live-marker'), { from, what: 'the page change' });
    const everything = JSON.stringify(agent.log);
    for (const canary of Object.values(CHECKOUT_MASKED)) assert.ok(!everything.includes(canary), `${canary} reached the agent`);
  });
});
