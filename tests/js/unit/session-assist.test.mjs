// Unit tests of the capability part of the session state machine (extension/background/session.js,
// app.md §7): what Allow grants, asks and their prompts, grant / decline / revoke, the first
// check of every tool and action against the grants, the refusal rate, and what the agent's side
// keeps for a reconnected viewer. Threat throughout: an untrusted agent — nothing reaches the
// customer's tab unless the customer granted its capability, and the agent cannot bury the
// customer in prompts or make the customer's side flood it back. Pure: no browser.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LIMITS } from '../../../extension/dist/protocol.js';
import { ASK_COOLDOWN_MS, initialState, publicState, reduce } from '../../../extension/background/session.js';
import { CAPABILITIES } from '../../../extension/background/settings.js';

/** @typedef {import('../../../extension/background/session.js').SessionState} SessionState */
/** @typedef {import('../../../extension/background/session.js').SessionEvent} SessionEvent */
/** @typedef {import('../../../extension/background/session.js').Effect} Effect */

const limits = { resyncMinIntervalMs: LIMITS.app_resync_min_interval_ms, maxRefusalsPerSecond: LIMITS.app_max_refusals_per_second };
const TAB = 7;
const ASSIST = { grantable: ['annotate', 'scroll', 'type', 'click'], granted: ['annotate'], allowedOrigins: ['https://help.example'], finalizeSelectors: ['.buy'] };

/** @param {SessionState} s @param {SessionEvent[]} events */
function run(s, events) {
  /** @type {Effect[]} */
  const effects = [];
  for (const e of events) {
    const r = reduce(s, e, limits);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}
/** @param {unknown} data @param {number} [now] @returns {SessionEvent} */
const recv = (data, now = 0) => ({ type: 'host', msg: /** @type {any} */ ({ type: 'recv', data }), now });
/** @param {Effect[]} effects @returns {any[]} */
const sent = (effects) => effects.filter((e) => e.t === 'host' && /** @type {any} */ (e).msg.type === 'send').map((e) => /** @type {any} */ (e).msg.data);
/** @param {Effect[]} effects @returns {any[]} */
const toContent = (effects) => effects.filter((e) => e.t === 'content').map((e) => /** @type {any} */ (e).msg);
/** @param {Effect[]} effects @returns {any[]} */
const toViewer = (effects) => effects.filter((e) => e.t === 'viewer').map((e) => /** @type {any} */ (e).msg);

/** @param {object} [assist] */
function customerAtConsent(assist = ASSIST) {
  return run(initialState(), [
    { type: 'share', tabId: TAB, relay: 'ws://127.0.0.1:9/v1', capture: { maskSelectors: [], blockSelectors: [] }, assist: /** @type {any} */ (assist), hintEvent: 'cotab-x', ua: 'Chromium' },
    { type: 'host', msg: { type: 'status', state: 'handshaking' }, now: 0 },
    { type: 'host', msg: /** @type {any} */ ({ type: 'peer', sas: '123 456', role: 'initiator', id: 1 }), now: 0 },
    recv({ k: 'hello', app: 1, role: 'agent', ua: 'Chromium' }),
  ]);
}

/** @param {object} [assist] */
function customerLive(assist = ASSIST) {
  return run(customerAtConsent(assist).state, [{ type: 'allow' }, { type: 'content-ready', tabId: TAB, now: 0 }]);
}

const LASER = { k: 'laser', e: 1, id: 3, x: 1, y: 2 };
const TYPE = { k: 'act', n: 4, a: 'type', e: 1, id: 9, text: 'hi' };
const CLICK = { k: 'act', n: 5, a: 'click', e: 1, id: 9 };

describe('capabilities: what Allow grants', () => {
  test('Allow grants the settings’ join grants and tells both the agent and the tab', () => {
    const allowed = run(customerAtConsent().state, [{ type: 'allow' }]);
    const caps = sent(allowed.effects).find((m) => m.k === 'caps');
    assert.deepEqual(caps, { k: 'caps', granted: ['annotate'], grantable: ['annotate', 'scroll', 'type', 'click'], asked: [] });
    const started = run(allowed.state, [{ type: 'content-ready', tabId: TAB, now: 0 }]);
    const content = toContent(started.effects);
    assert.equal(content[0].k, 'start', 'the snapshot starts first');
    assert.deepEqual(content[1], { k: 'caps', granted: ['annotate'], allowedOrigins: ['https://help.example'], finalizeSelectors: ['.buy'] });
    assert.deepEqual(publicState(started.state).caps, { granted: ['annotate'], asked: [], grantable: ['annotate', 'scroll', 'type', 'click'] });
  });

  test('a join grant the settings do not make grantable is not granted', () => {
    const { state } = customerLive({ ...ASSIST, grantable: ['scroll'], granted: ['annotate', 'scroll'] });
    assert.deepEqual(state.assist?.granted, ['scroll']);
  });

  test('before Allow nothing is granted, and tools are dropped without an answer', () => {
    const at = customerAtConsent().state;
    assert.deepEqual(at.assist?.granted, []);
    const r = run(at, [recv(LASER), recv(TYPE)]);
    assert.deepEqual(sent(r.effects), []);
    assert.deepEqual(toContent(r.effects), []);
  });
});

describe('capabilities: the first check of tools and actions', () => {
  test('a granted tool goes on to the tab; an ungranted action is refused and never reaches it', () => {
    const { state } = customerLive();
    const laser = run(state, [recv(LASER)]);
    assert.deepEqual(toContent(laser.effects), [{ k: 'agent', msg: LASER }]);
    const typed = run(state, [recv(TYPE)]);
    assert.deepEqual(toContent(typed.effects), []);
    assert.deepEqual(sent(typed.effects), [{ k: 'refused', n: 4, a: 'type', why: 'not-granted', detail: 'type' }]);
  });

  test('tools of an ungranted capability are refused with n 0 and the kind', () => {
    const { state } = customerLive({ ...ASSIST, granted: [] });
    const r = run(state, [recv({ k: 'clear' })]);
    assert.deepEqual(sent(r.effects), [{ k: 'refused', n: 0, a: 'clear', why: 'not-granted', detail: 'annotate' }]);
  });

  test('while the tab loads a new document, actions are refused stale and tools dropped', () => {
    const { state } = customerLive({ ...ASSIST, granted: ['annotate', 'click'] });
    const loading = run(state, [{ type: 'committed', tabId: TAB, url: 'https://shop.example/next' }]).state;
    const r = run(loading, [recv(CLICK), recv(LASER)]);
    assert.deepEqual(toContent(r.effects), []);
    assert.deepEqual(sent(r.effects).map((m) => [m.k, m.why]), [['refused', 'stale']]);
  });

  test(`refusals are limited to app_max_refusals_per_second (${LIMITS.app_max_refusals_per_second}) a second; the rest are counted`, () => {
    let { state } = customerLive({ ...ASSIST, granted: [] });
    const flood = Array.from({ length: LIMITS.app_max_refusals_per_second + 30 }, (_, i) => recv({ ...TYPE, n: i + 1 }, 500));
    const r = run(state, flood);
    assert.equal(sent(r.effects).length, LIMITS.app_max_refusals_per_second);
    assert.equal(r.state.dropped - state.dropped, 30);
    // The next second has a fresh allowance.
    const later = run(r.state, [recv(TYPE, 1600)]);
    assert.equal(sent(later.effects).length, 1);
  });
});

describe('capabilities: asks', () => {
  test('an ask opens the consent window with what may be granted; the rest is refused at once', () => {
    const { state } = customerLive();
    const r = run(state, [recv({ k: 'ask', caps: ['type', 'navigate', 'annotate'] })]);
    assert.ok(r.effects.some((e) => e.t === 'open-consent' && e.tabId === TAB));
    assert.ok(r.effects.some((e) => e.t === 'badge' && e.text === '?'));
    const out = sent(r.effects);
    assert.deepEqual(out[0], { k: 'refused', n: 0, a: 'ask', why: 'not-grantable', detail: 'navigate' });
    assert.deepEqual(out[1], { k: 'caps', granted: ['annotate'], grantable: ['annotate', 'scroll', 'type', 'click'], asked: ['type'] });
    assert.deepEqual(publicState(r.state).caps?.asked, ['type']);
  });

  test('asking for what is granted or already asked opens nothing new', () => {
    const { state } = customerLive();
    const asked = run(state, [recv({ k: 'ask', caps: ['type'] })]).state;
    const again = run(asked, [recv({ k: 'ask', caps: ['type', 'annotate'] })]);
    assert.ok(!again.effects.some((e) => e.t === 'open-consent'));
    assert.deepEqual(sent(again.effects), [{ k: 'caps', granted: ['annotate'], grantable: ['annotate', 'scroll', 'type', 'click'], asked: ['type'] }]);
  });

  test('grant answers only what was asked: the customer’s window cannot grant unasked capabilities', () => {
    const { state } = customerLive();
    const asked = run(state, [recv({ k: 'ask', caps: ['type'] })]).state;
    const granted = run(asked, [{ type: 'grant', caps: ['type', 'click'] }]);
    assert.deepEqual(granted.state.assist?.granted, ['annotate', 'type']);
    assert.deepEqual(granted.state.assist?.asked, []);
    assert.deepEqual(toContent(granted.effects).at(-1)?.granted, ['annotate', 'type']);
    assert.ok(granted.effects.some((e) => e.t === 'badge' && e.text === 'ON'));
    // Nothing asked: a grant changes nothing.
    assert.equal(run(granted.state, [{ type: 'grant', caps: ['click'] }]).state, granted.state);
  });

  test(`a declined capability is refused "declined", and asked again within ASK_COOLDOWN_MS (${ASK_COOLDOWN_MS} ms) is refused "rate" without a prompt`, () => {
    const { state } = customerLive();
    const asked = run(state, [recv({ k: 'ask', caps: ['type', 'scroll'] }, 100)]).state;
    const declined = run(asked, [{ type: 'decline', caps: ['type'], now: 200 }]);
    assert.deepEqual(sent(declined.effects)[0], { k: 'refused', n: 0, a: 'ask', why: 'declined', detail: 'type' });
    assert.deepEqual(declined.state.assist?.asked, ['scroll']);
    const soon = run(declined.state, [recv({ k: 'ask', caps: ['type'] }, 200 + ASK_COOLDOWN_MS - 1)]);
    assert.ok(!soon.effects.some((e) => e.t === 'open-consent'));
    assert.deepEqual(sent(soon.effects).map((m) => m.why), ['rate']);
    const later = run(declined.state, [recv({ k: 'ask', caps: ['type'] }, 200 + ASK_COOLDOWN_MS)]);
    assert.ok(later.effects.some((e) => e.t === 'open-consent'));
  });
});

describe('capabilities: revocation', () => {
  test('revoking one capability leaves the others; the tab hears it at once', () => {
    const { state } = customerLive({ ...ASSIST, granted: ['annotate', 'type', 'click'] });
    const r = run(state, [{ type: 'revoke', caps: ['type'] }]);
    assert.deepEqual(r.state.assist?.granted, ['annotate', 'click']);
    assert.deepEqual(toContent(r.effects)[0].granted, ['annotate', 'click']);
    assert.deepEqual(sent(r.effects)[0].granted, ['annotate', 'click']);
    // A revoked capability's actions are refused from then on.
    const typed = run(r.state, [recv(TYPE)]);
    assert.deepEqual(sent(typed.effects).map((m) => m.why), ['not-granted']);
  });

  test('Take back control (all capabilities) also withdraws pending asks', () => {
    const { state } = customerLive({ ...ASSIST, granted: ['annotate', 'click'] });
    const asked = run(state, [recv({ k: 'ask', caps: ['type'] })]).state;
    const r = run(asked, [{ type: 'revoke', caps: [...CAPABILITIES] }]);
    assert.deepEqual(r.state.assist?.granted, []);
    assert.deepEqual(r.state.assist?.asked, []);
  });

  test('the page’s indicator revokes through the content script', () => {
    const { state } = customerLive({ ...ASSIST, granted: ['annotate', 'click'] });
    const r = run(state, [{ type: 'content', tabId: TAB, msg: { to: 'sw', k: 'revoke', caps: ['click'] }, now: 0 }]);
    assert.deepEqual(r.state.assist?.granted, ['annotate']);
    // From another tab: dropped.
    const other = run(state, [{ type: 'content', tabId: TAB + 1, msg: { to: 'sw', k: 'revoke', caps: ['click'] }, now: 0 }]);
    assert.deepEqual(other.state.assist?.granted, ['annotate', 'click']);
  });

  test('capabilities end with the session', () => {
    const { state } = customerLive();
    const ended = run(state, [{ type: 'stop' }]).state;
    assert.equal(ended.assist, undefined);
    assert.equal(publicState(ended).caps, undefined);
  });
});

describe('capabilities: the agent’s side', () => {
  function agentLive() {
    return run(initialState(), [
      { type: 'agent-join', code: '4821-937-204', relay: 'ws://127.0.0.1:9/v1', ua: 'Chromium' },
      { type: 'host', msg: /** @type {any} */ ({ type: 'peer', sas: '123 456', role: 'responder', id: 1 }), now: 0 },
      recv({ k: 'hello', app: 1, role: 'customer', ua: 'Chromium' }),
      recv({ k: 'consent', view: true }),
    ]).state;
  }
  const CAPS = { k: 'caps', granted: ['annotate'], grantable: ['annotate', 'type'], asked: [] };

  test('caps, done and refused go to the viewer; a reconnected viewer gets the last caps again', () => {
    const r = run(agentLive(), [recv(CAPS), recv({ k: 'done', n: 3 }), recv({ k: 'refused', n: 4, a: 'click', why: 'finalizing', detail: 'button “Pay”' })]);
    assert.deepEqual(toViewer(r.effects).map((m) => m.data.k), ['caps', 'done', 'refused']);
    assert.deepEqual(publicState(r.state).caps, { granted: ['annotate'], asked: [], grantable: ['annotate', 'type'] });
    const again = run(r.state, [{ type: 'viewer-ready' }]);
    assert.deepEqual(toViewer(again.effects), [{ k: 'peer', data: CAPS }]);
  });

  test('the viewer’s asks, tools and actions go to the host as they are', () => {
    const r = run(agentLive(), [{ type: 'viewer', msg: { k: 'send', data: /** @type {any} */ (CLICK) } }]);
    assert.deepEqual(sent(r.effects), [CLICK]);
  });
});
