// threat: sensitive data leaving the customer's tab.
// The mask page (tests/pages) holds a distinct canary in every masked and blocked kind (app.md
// §4.2: password, cc-* and one-time-code fields, [data-cotab-mask], .cotab-mask, a maskSelectors
// setting, [data-cotab-block], a blockSelectors setting — in values, text and attributes), and
// visible markers next to them. A session runs to live and through the page's later changes
// (typing into a password field, programmatic values, elements that become masked, inserted and
// moved elements). Then no canary may appear anywhere past the content script: not in what it
// posted to the service worker, not in what the customer's host received (its stdin and, once the
// session is up, the data channel: PROTOCOL.md §3.4), not in the relay's traffic, not in the
// agent's mirror — while the visible markers do appear (so the checks can fail).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MASK_SETTINGS, maskCanaries, maskCases } from '../pages/generate.mjs';
import {
  channelStatus,
  connectPair,
  inMirror,
  inPage,
  recordPort,
  recordTabMessages,
  waitFor,
  startRig,
} from './harness.mjs';

const canaries = maskCanaries();
const cases = maskCases();
const secret = cases.filter((c) => c.secret);
const visible = cases.filter((c) => !c.secret);
/** Visible markers that the late changes mask or replace: seen early, gone from the final mirror. */
const VISIBLE_ONLY_EARLY = new Set(['lateBefore', 'lateAcBefore', 'moveBefore', 'visibleParagraph']);

/** @type {import('./harness.mjs').Relay} */
let relay;
/** @type {import('./harness.mjs').RecordingProxy} */
let proxy;
/** @type {import('../pages/server.mjs').PageServer} */
let server;
/** @type {import('./harness.mjs').CotabBrowser} */
let customer;
/** @type {import('./harness.mjs').CotabBrowser} */
let agent;

/** @type {import('./harness.mjs').Rig} */
let rig;

before(async () => {
  rig = await startRig({ customer: { recordHostInput: true, settings: { maskSelectors: [...MASK_SETTINGS.maskSelectors], blockSelectors: [...MASK_SETTINGS.blockSelectors] } } });
  ({ relay, proxy, server, customer, agent } = rig);
});

after(async () => {
  await rig?.close();
});

/**
 * What a mask case's element holds in `doc` (self-contained: runs in the page and the mirror).
 * @param {Document} doc
 * @param {{selector: string, where: string, attr?: string}} c
 */
function readCase(doc, c) {
  const el = doc.querySelector(c.selector);
  if (!el) return null;
  switch (c.where) {
    case 'value':
      return /** @type {HTMLInputElement} */ (el).value;
    case 'text':
      return el.textContent;
    case 'attr':
      return el.getAttribute(c.attr ?? '');
    case 'option':
      return /** @type {HTMLSelectElement} */ (el).selectedOptions[0]?.text ?? null;
    default:
      return null;
  }
}

/**
 * Everything the mirror document shows or holds: markup (with shadow roots) plus the live state
 * of every field, which markup does not carry.
 * @param {Document} doc
 */
function everythingIn(doc) {
  const parts = [doc.documentElement.outerHTML, doc.title];
  for (const el of doc.querySelectorAll('*')) {
    if (el.shadowRoot) parts.push(el.shadowRoot.innerHTML);
    if (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA') parts.push(/** @type {HTMLInputElement} */ (el).value);
    if (el.tagName === 'SELECT') {
      const select = /** @type {HTMLSelectElement} */ (el);
      parts.push(select.value, ...[...select.selectedOptions].map((o) => o.text));
    }
  }
  return parts.join('\n');
}

test('no canary of a masked or blocked element leaves the content script; the visible neighbours do', async () => {
  // threat: sensitive data leaving the customer's tab (masked/blocked content reaching the SW, host, relay or agent)
  const contentLog = await recordPort(customer, 'cotab-content');
  const tabMessages = await recordTabMessages(customer);
  const page = await customer.context.newPage();
  await page.goto(`${server.url}/mask?manual=1`);

  // The page really holds every canary (else the checks below would prove nothing).
  for (const c of cases.filter((x) => x.phase === 'initial')) {
    const v = await inPage(page, readCase, c);
    assert.ok(v?.includes(canaries[c.key]), `the page holds ${c.key} in ${c.selector} (${c.where}): ${v}`);
  }

  const pair = await connectPair({ customer, agent, customerPage: page });
  await waitFor(async () => (await inMirror(pair.viewer, readCase, { selector: '#plain-text', where: 'text' }))?.includes(canaries.visibleParagraph), {
    message: 'the snapshot reached the mirror',
  });

  // The page's later changes, while the session is live.
  await page.evaluate(() => /** @type {{maskChanges: {run: () => Promise<void>}}} */ (/** @type {unknown} */ (window)).maskChanges.run());
  for (const c of cases.filter((x) => x.phase === 'late')) {
    const v = await inPage(page, readCase, c);
    assert.ok(v?.includes(canaries[c.key]), `after the late changes the page holds ${c.key}: ${v}`);
  }
  await waitFor(async () => (await inMirror(pair.viewer, readCase, { selector: '#plain-text', where: 'text' }))?.includes(canaries.visibleLate), {
    message: 'the late changes reached the mirror',
  });
  // A barrier: a change made after everything else; once it is mirrored, all earlier ones went out.
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { id: 'barrier', textContent: 'BARRIER-MARKER-5d1e' })));
  await waitFor(async () => (await inMirror(pair.viewer, (doc) => doc.getElementById('barrier')?.textContent, null)) === 'BARRIER-MARKER-5d1e', {
    message: 'the barrier reached the mirror',
  });

  // The product path: the session's messages went to the host over the data channel, so the
  // host-input recording below is its stdin plus what the worker sent on the channel.
  const channel = await channelStatus(customer);
  assert.equal(channel.state, 'up', `the customer's data channel is up: ${JSON.stringify(channel)}`);
  assert.ok(channel.sent > 0, `mirror messages went over the data channel: ${JSON.stringify(channel)}`);

  const posted = JSON.stringify(await contentLog.received()) + JSON.stringify(await tabMessages.texts());
  const hostInput = (await customer.hostInput()).toString('utf8');
  const mirror = (await inMirror(pair.viewer, everythingIn, null)) + (await pair.viewer.evaluate(() => document.documentElement.outerHTML));
  // threat: a leak the checks below cannot see because a recording stopped early or misses a path
  // (the barrier went last, on the data channel: what the host received covers the whole session).
  assert.ok(posted.includes('BARRIER-MARKER-5d1e') && hostInput.includes('BARRIER-MARKER-5d1e'), 'the recordings cover the whole session');

  // threat: masked or blocked content leaving the tab — to the worker, to the customer's host
  // (what it received, on native messaging or the data channel), to the relay, to the agent.
  /** @type {string[]} */
  const leaks = [];
  for (const c of secret) {
    const canary = canaries[c.key];
    const where = [
      posted.includes(canary) && 'content-script messages',
      hostInput.includes(canary) && "what the customer's host received",
      proxy.carried(canary) && "relay's traffic",
      mirror.includes(canary) && "agent's mirror",
    ].filter(Boolean);
    if (where.length) leaks.push(`${c.key} (${c.why}) found in: ${where.join(', ')}`);
  }
  assert.deepEqual(leaks, [], `masked data left the tab:\n${leaks.join('\n')}`);

  // threat: a check above passing vacuously (over-masking, or a recording that misses what it
  // should see): every visible marker reached each place the canaries were looked for.
  /** @type {string[]} */
  const missing = [];
  for (const c of visible) {
    const marker = canaries[c.key];
    if (!posted.includes(marker)) missing.push(`${c.key}: not in the content-script messages`);
    if (!hostInput.includes(marker)) missing.push(`${c.key}: not in what the host received`);
    if (!VISIBLE_ONLY_EARLY.has(c.key) && !mirror.includes(marker)) missing.push(`${c.key}: not in the mirror`);
  }
  assert.deepEqual(missing, [], `visible data did not arrive (over-masking, or the recording misses it):\n${missing.join('\n')}`);
});
