// Unit tests of the service worker's session state machine (extension/background/session.js):
// every transition of both sides, events that do not fit the state, role conflict, deny, stop from
// either side, the tab following navigations, worker-restart recovery, send-queue-full and the
// resync rate limit. Pure: no browser. Needs `node tools/build-extension.mjs` (dist/protocol.js).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LIMITS } from '../../../extension/dist/protocol.js';
import { initialState, isActive, publicState, recover, reduce } from '../../../extension/background/session.js';

/** @typedef {import('../../../extension/background/session.js').SessionState} SessionState */
/** @typedef {import('../../../extension/background/session.js').SessionEvent} SessionEvent */
/** @typedef {import('../../../extension/background/session.js').Effect} Effect */

const limits = { resyncMinIntervalMs: LIMITS.app_resync_min_interval_ms, maxRefusalsPerSecond: LIMITS.app_max_refusals_per_second };
const RELAY = 'ws://127.0.0.1:9/v1';
const TAB = 42;
const CAPTURE = { maskSelectors: ['.secret'], blockSelectors: ['#ad'] };
const HINT = 'cotab-0123456789abcdef01234567';
const CODE = '4821-937-204';
const SAS = '305 118';

/**
 * @param {SessionState} s
 * @param {SessionEvent} e
 */
function step(s, e) {
  return reduce(s, e, limits);
}

/**
 * Applies events in order; returns the last state and all effects.
 * @param {SessionState} s
 * @param {SessionEvent[]} events
 */
function run(s, events) {
  /** @type {Effect[]} */
  const effects = [];
  for (const e of events) {
    const r = step(s, e);
    s = r.state;
    effects.push(...r.effects);
  }
  return { state: s, effects };
}

/** @param {unknown} msg @param {number} [now] @returns {SessionEvent} */
const host = (msg, now = 0) => ({ type: 'host', msg: /** @type {any} */ (msg), now });
/** @param {unknown} data @param {number} [now] */
const recv = (data, now = 0) => host({ type: 'recv', data }, now);

/** @param {Effect[]} effects */
const hostSends = (effects) =>
  effects.filter((e) => e.t === 'host' && /** @type {any} */ (e.msg).type === 'send').map((e) => /** @type {any} */ (e).msg.data);
/** @param {Effect[]} effects */
const hostMessages = (effects) => effects.filter((e) => e.t === 'host').map((e) => /** @type {any} */ (e).msg);
/** @param {Effect[]} effects */
const toContent = (effects) => effects.filter((e) => e.t === 'content').map((e) => /** @type {any} */ (e).msg);
/** @param {Effect[]} effects */
const toViewer = (effects) => effects.filter((e) => e.t === 'viewer').map((e) => /** @type {any} */ (e).msg);
/** @param {Effect[]} effects @param {string} t */
const has = (effects, t) => effects.some((e) => e.t === t);

/** @type {SessionEvent} */
const SHARE = { type: 'share', tabId: TAB, relay: RELAY, capture: CAPTURE, hintEvent: HINT, ua: 'Chromium 156' };
const AGENT_HELLO = { k: 'hello', app: 1, role: 'agent', ua: 'Chromium 156' };
const CUSTOMER_HELLO = { k: 'hello', app: 1, role: 'customer', ua: 'Chromium 156' };
const PEER = { type: 'peer', sas: SAS, role: 'initiator', id: 1 };

/** A customer session up to the consent question. */
function customerAtConsent() {
  return run(initialState(), [
    SHARE,
    host({ type: 'status', state: 'connecting' }),
    host({ type: 'code', code: CODE, nameplate: '4821', id: 1 }),
    host({ type: 'status', state: 'waiting' }),
    host({ type: 'status', state: 'handshaking' }),
    host(PEER),
    recv(AGENT_HELLO),
  ]).state;
}

/** A customer session that is live with its content script started at epoch 1 (time `now`). */
function customerLive(now = 0) {
  return run(customerAtConsent(), [{ type: 'allow' }, { type: 'content-ready', tabId: TAB, now }]).state;
}

/** An agent session (joined with the customer's code) up to waiting-consent. */
function agentWaiting() {
  return run(initialState(), [
    { type: 'agent-join', code: CODE, relay: RELAY, ua: 'Chromium 156' },
    host({ type: 'status', state: 'connecting' }),
    host({ type: 'status', state: 'handshaking' }),
    host({ ...PEER, role: 'responder' }),
    recv(CUSTOMER_HELLO),
  ]).state;
}

function agentLive() {
  return run(agentWaiting(), [
    recv({ k: 'consent', view: true }),
    recv(snap(1)),
    recv({ k: 'part', e: 1, first: 1, n: [[0, 'html']] }),
    recv({ k: 'snapend', e: 1, count: 1 }),
  ]).state;
}

/** @param {number} e */
function snap(e) {
  return { k: 'snap', e, url: 'https://shop.example/', title: 'Shop', base: 'https://shop.example/', doctype: null, vw: 1280, vh: 720, sx: 0, sy: 0, total: 1 };
}

/** Asserts that `e` changes nothing: same state object, no effect. @param {SessionState} s @param {SessionEvent} e */
function assertIgnored(s, e) {
  const r = step(s, e);
  assert.equal(r.effects.length, 0, `no effects for ${JSON.stringify(e)}`);
  assert.equal(r.state.phase, s.phase);
  assert.equal(r.state.mode, s.mode);
  assert.equal(r.state.epoch, s.epoch);
  return r.state;
}

// ---------------------------------------------------------------------------------------------

describe('session: customer shares (the customer reads the code)', () => {
  test('share starts a fresh host session: connecting, then the code', () => {
    const r = step(initialState(), SHARE);
    assert.equal(r.state.mode, 'customer');
    assert.equal(r.state.phase, 'connecting');
    assert.equal(r.state.startedBy, 'customer');
    assert.equal(r.state.tabId, TAB);
    assert.ok(has(r.effects, 'host-close'), 'a late ended of an older host session cannot reach this one');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'share', relay: RELAY, id: 1 }]);
    const code = run(r.state, [host({ type: 'status', state: 'connecting' }), host({ type: 'code', code: CODE, nameplate: '4821', id: 1 })]);
    assert.equal(code.state.phase, 'code');
    assert.equal(code.state.code, CODE);
    assert.equal(publicState(code.state).code, CODE);
  });

  test('handshaking, then peer: SAS shown, the code forgotten, hello sent with role customer', () => {
    const s = run(initialState(), [SHARE, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 }), host({ type: 'status', state: 'handshaking' })]).state;
    assert.equal(s.phase, 'handshaking');
    const r = step(s, host(PEER));
    assert.equal(r.state.phase, 'handshaking', 'consent is asked only when the agent says hello');
    assert.equal(r.state.sas, SAS);
    assert.equal(r.state.code, undefined);
    assert.equal(r.state.peerUp, true);
    assert.deepEqual(hostSends(r.effects), [{ k: 'hello', app: 1, role: 'customer', ua: 'Chromium 156' }]);
  });

  test("the agent's hello asks for consent: consent window for the shared tab and a badge", () => {
    const s = run(initialState(), [SHARE, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 }), host({ type: 'status', state: 'handshaking' }), host(PEER)]).state;
    const r = step(s, recv(AGENT_HELLO));
    assert.equal(r.state.phase, 'consent');
    assert.deepEqual(
      r.effects.filter((e) => e.t === 'open-consent'),
      [{ t: 'open-consent', tabId: TAB }],
    );
    assert.ok(r.effects.some((e) => e.t === 'badge' && e.text !== ''));
    assert.equal(hostSends(r.effects).length, 0, 'nothing about the tab before consent');
  });

  test('allow: consent sent first (then what the agent may do), then the capture is injected; live', () => {
    const r = step(customerAtConsent(), { type: 'allow' });
    assert.equal(r.state.phase, 'live');
    const order = r.effects.filter((e) => e.t === 'host' || e.t === 'inject').map((e) => e.t);
    assert.deepEqual(order, ['host', 'host', 'inject']);
    // No assist settings in this session: nothing is grantable.
    assert.deepEqual(hostSends(r.effects), [{ k: 'consent', view: true }, { k: 'caps', granted: [], grantable: [], asked: [] }]);
    assert.deepEqual(r.effects.find((e) => e.t === 'inject'), { t: 'inject', tabId: TAB });
  });

  test('the content script of the shared tab gets start with epoch 1 and the capture settings', () => {
    const s = run(customerAtConsent(), [{ type: 'allow' }]).state;
    const r = step(s, { type: 'content-ready', tabId: TAB, now: 5 });
    assert.equal(r.state.epoch, 1);
    assert.equal(r.state.contentUp, true);
    assert.deepEqual(toContent(r.effects), [
      { k: 'start', epoch: 1, maskSelectors: ['.secret'], blockSelectors: ['#ad'], hintEvent: HINT },
      { k: 'caps', granted: [], allowedOrigins: [], finalizeSelectors: [] },
    ]);
  });

  test('mirror messages of the current epoch go to the host; older epochs are dropped', () => {
    const s = customerLive();
    const sent = run(s, [
      { type: 'content', tabId: TAB, msg: { to: 'peer', data: /** @type {any} */ (snap(1)) }, now: 0 },
      { type: 'content', tabId: TAB, msg: { to: 'peer', data: /** @type {any} */ ({ k: 'm', e: 1, ops: [] }) }, now: 0 },
    ]);
    assert.deepEqual(hostSends(sent.effects).map((d) => d.k), ['snap', 'm']);
    assertIgnored(s, { type: 'content', tabId: TAB, msg: { to: 'peer', data: /** @type {any} */ ({ k: 'm', e: 7, ops: [] }) }, now: 0 });
  });

  test("latency: the agent's ping goes to the content script, its pong to the agent", () => {
    const s = customerLive();
    const ping = step(s, recv({ k: 'ping', t: 12.5 }));
    assert.deepEqual(toContent(ping.effects), [{ k: 'ping', t: 12.5 }]);
    const pong = step(s, { type: 'content', tabId: TAB, msg: { to: 'peer', data: { k: 'pong', t: 12.5 } }, now: 0 });
    assert.deepEqual(hostSends(pong.effects), [{ k: 'pong', t: 12.5 }]);
  });

  test('stop: bye customer-stopped, then end; the content script stops; ended', () => {
    const r = step(customerLive(), { type: 'stop' });
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'customer-stopped');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'send', data: { k: 'bye', reason: 'customer-stopped' } }, { type: 'end' }]);
    assert.deepEqual(toContent(r.effects), [{ k: 'stop' }]);
    assert.ok(has(r.effects, 'content-close'));
    assert.ok(r.effects.some((e) => e.t === 'badge' && e.text === ''));
    assert.equal(r.state.hintEvent, undefined);
    assert.equal(r.state.capture, undefined);
    // The host's confirmation closes the port and changes nothing else.
    const after = step(r.state, host({ type: 'ended', reason: 'local-end' }));
    assert.equal(after.state.reason, 'customer-stopped');
    assert.deepEqual(after.effects, [{ t: 'host-close' }]);
  });

  test('stop from the on-page indicator (content script) is the same stop', () => {
    const r = step(customerLive(), { type: 'content', tabId: TAB, msg: { to: 'sw', k: 'stop' }, now: 0 });
    assert.equal(r.state.reason, 'customer-stopped');
    assert.deepEqual(hostSends(r.effects), [{ k: 'bye', reason: 'customer-stopped' }]);
  });

  test('cancel while the code is shown: no bye (nobody listens yet), just end', () => {
    const s = run(initialState(), [SHARE, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 })]).state;
    const r = step(s, { type: 'stop' });
    assert.equal(r.state.phase, 'ended');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'end' }]);
    assert.equal(r.state.code, undefined, 'the code is not kept after the session');
  });

  test('deny: app deny, bye denied, then end; the agent never saw anything', () => {
    const r = step(customerAtConsent(), { type: 'deny' });
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'denied');
    assert.deepEqual(hostMessages(r.effects), [
      { type: 'send', data: { k: 'deny' } },
      { type: 'send', data: { k: 'bye', reason: 'denied' } },
      { type: 'end' },
    ]);
    assert.ok(!has(r.effects, 'inject'));
  });

  test('the agent leaves: bye agent-left ends the customer side too', () => {
    const r = step(customerLive(), recv({ k: 'bye', reason: 'agent-left' }));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'agent-left');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'end' }]);
    assert.deepEqual(toContent(r.effects), [{ k: 'stop' }]);
  });

  test('the shared tab is closed: bye tab-closed, end', () => {
    const r = step(customerLive(), { type: 'tab-removed', tabId: TAB });
    assert.equal(r.state.reason, 'tab-closed');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'send', data: { k: 'bye', reason: 'tab-closed' } }, { type: 'end' }]);
    assertIgnored(customerLive(), { type: 'tab-removed', tabId: TAB + 1 });
  });

  test('a share while a session runs is refused (exactly one shared tab)', () => {
    const s = customerLive();
    assert.equal(step(s, { ...SHARE, tabId: 7 }).state, s);
    assert.equal(step(s, { type: 'agent-join', code: CODE, relay: RELAY, ua: '' }).state, s);
  });

  test('after a session a new one starts fresh (new request id, counters kept)', () => {
    const ended = run(customerLive(), [{ type: 'stop' }, recv({ k: 'ping', t: 1 })]).state;
    const r = step(ended, SHARE);
    assert.equal(r.state.phase, 'connecting');
    assert.equal(r.state.epoch, 0);
    assert.equal(r.state.peerUp, false);
    assert.ok(r.state.requestId > ended.requestId - 1);
    assert.equal(r.state.dropped, ended.dropped);
  });
});

describe('session: customer joins with the agent’s code', () => {
  test('customer-join: joining, host join with the code; consent is the same', () => {
    /** @type {SessionEvent} */
    const join = { type: 'customer-join', tabId: TAB, code: CODE, relay: RELAY, capture: CAPTURE, hintEvent: HINT, ua: 'x' };
    const r = step(initialState(), join);
    assert.equal(r.state.phase, 'joining');
    assert.equal(r.state.startedBy, 'agent');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'join', relay: RELAY, code: CODE, id: 1 }]);
    const s = run(r.state, [host({ type: 'status', state: 'connecting' }), host({ type: 'status', state: 'handshaking' }), host(PEER), recv(AGENT_HELLO)]);
    assert.equal(s.state.phase, 'consent');
    assert.deepEqual(hostSends(s.effects), [{ k: 'hello', app: 1, role: 'customer', ua: 'x' }]);
  });

  test('a code message on the joining side is ignored', () => {
    const s = step(initialState(), { type: 'customer-join', tabId: TAB, code: CODE, relay: RELAY, capture: CAPTURE, hintEvent: HINT, ua: 'x' }).state;
    assertIgnored(s, host({ type: 'code', code: CODE, nameplate: '4821' }));
  });
});

describe('session: agent', () => {
  test('agent-join: host join and the viewer opens', () => {
    const r = step(initialState(), { type: 'agent-join', code: CODE, relay: RELAY, ua: 'u' });
    assert.equal(r.state.mode, 'agent');
    assert.equal(r.state.phase, 'connecting');
    assert.equal(r.state.startedBy, 'customer');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'join', relay: RELAY, code: CODE, id: 1 }]);
    assert.ok(has(r.effects, 'open-viewer'));
  });

  test('agent-start: host share, the code for the viewer, then the same handshake', () => {
    const r = run(initialState(), [{ type: 'agent-start', relay: RELAY, ua: 'u' }, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 })]);
    assert.equal(r.state.phase, 'code');
    assert.equal(r.state.code, CODE);
    assert.equal(r.state.startedBy, 'agent');
    assert.deepEqual(hostMessages(r.effects)[0], { type: 'share', relay: RELAY, id: 1 });
    const p = run(r.state, [host({ type: 'status', state: 'handshaking' }), host(PEER)]);
    assert.equal(p.state.phase, 'waiting-consent');
    assert.deepEqual(hostSends(p.effects), [{ k: 'hello', app: 1, role: 'agent', ua: 'u' }]);
  });

  test('consent → loading; snap, part to the viewer; snapend → live', () => {
    const s = agentWaiting();
    assert.equal(s.phase, 'waiting-consent');
    const c = step(s, recv({ k: 'consent', view: true }));
    assert.equal(c.state.phase, 'loading');
    const r = run(c.state, [recv(snap(1)), recv({ k: 'part', e: 1, first: 1, n: [[0, 'html']] })]);
    assert.equal(r.state.phase, 'loading');
    assert.equal(r.state.epoch, 1);
    assert.deepEqual(toViewer(r.effects).map((m) => m.data.k), ['snap', 'part']);
    assert.ok(toViewer(r.effects).every((m) => m.k === 'peer'));
    const live = step(r.state, recv({ k: 'snapend', e: 1, count: 1 }));
    assert.equal(live.state.phase, 'live');
  });

  test('mirror messages before consent are dropped', () => {
    const s = agentWaiting();
    const r = step(s, recv(snap(1)));
    assert.equal(r.effects.length, 0);
    assert.equal(r.state.dropped, s.dropped + 1);
  });

  test('the customer navigates: page loading → loading until the next snapshot ends', () => {
    const r = run(agentLive(), [recv({ k: 'page', state: 'loading', url: 'https://shop.example/cart' })]);
    assert.equal(r.state.phase, 'loading');
    assert.deepEqual(toViewer(r.effects), [{ k: 'peer', data: { k: 'page', state: 'loading', url: 'https://shop.example/cart' } }]);
    const again = run(r.state, [recv(snap(2)), recv({ k: 'snapend', e: 2, count: 1 })]);
    assert.equal(again.state.phase, 'live');
    assert.equal(again.state.epoch, 2);
  });

  test('a snapend of another epoch does not make the mirror live', () => {
    const r = run(agentWaiting(), [recv({ k: 'consent', view: true }), recv(snap(3)), recv({ k: 'snapend', e: 2, count: 0 })]);
    assert.equal(r.state.phase, 'loading');
  });

  test('a viewer that (re)connects to a running session asks the customer for a resync', () => {
    const r = step(agentLive(), { type: 'viewer-ready' });
    assert.deepEqual(hostSends(r.effects), [{ k: 'resync' }]);
    assertIgnored(agentWaiting(), { type: 'viewer-ready' });
  });

  test('viewer pings and resyncs go to the host only after consent', () => {
    const r = step(agentLive(), { type: 'viewer', msg: { k: 'send', data: { k: 'ping', t: 3 } } });
    assert.deepEqual(hostSends(r.effects), [{ k: 'ping', t: 3 }]);
    assertIgnored(agentWaiting(), { type: 'viewer', msg: { k: 'send', data: { k: 'ping', t: 3 } } });
  });

  test('pong from the customer goes to the viewer', () => {
    const r = step(agentLive(), recv({ k: 'pong', t: 3 }));
    assert.deepEqual(toViewer(r.effects), [{ k: 'peer', data: { k: 'pong', t: 3 } }]);
  });

  test('the customer denies: denied, end', () => {
    const r = step(agentWaiting(), recv({ k: 'deny' }));
    assert.equal(r.state.phase, 'denied');
    assert.equal(r.state.reason, 'denied');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'end' }]);
    // The customer's host then ends the session; the agent stays "denied".
    const after = step(r.state, host({ type: 'ended', reason: 'peer-ended', peer_reason: 'local-end' }));
    assert.equal(after.state.phase, 'denied');
  });

  test('the customer stops: ended with customer-stopped', () => {
    const r = step(agentLive(), recv({ k: 'bye', reason: 'customer-stopped' }));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'customer-stopped');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'end' }]);
  });

  test('leave (viewer or popup): bye agent-left, end', () => {
    for (const e of [/** @type {SessionEvent} */ ({ type: 'leave' }), /** @type {SessionEvent} */ ({ type: 'viewer', msg: { k: 'leave' } })]) {
      const r = step(agentLive(), e);
      assert.equal(r.state.phase, 'ended');
      assert.equal(r.state.reason, 'agent-left');
      assert.deepEqual(hostMessages(r.effects), [{ type: 'send', data: { k: 'bye', reason: 'agent-left' } }, { type: 'end' }]);
    }
  });

  test('leave before the peer is confirmed: just end', () => {
    const s = step(initialState(), { type: 'agent-join', code: CODE, relay: RELAY, ua: 'u' }).state;
    assert.deepEqual(hostMessages(step(s, { type: 'leave' }).effects), [{ type: 'end' }]);
  });

  test('the customer’s host ends without a bye: ended, with the reason the peer host gave', () => {
    const r = step(agentLive(), host({ type: 'ended', reason: 'peer-ended', peer_reason: 'relay-lost' }));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'relay-lost');
    const plain = step(agentLive(), host({ type: 'ended', reason: 'peer-ended', peer_reason: 'local-end' }));
    assert.equal(plain.state.reason, 'peer-ended');
  });
});

describe('session: role conflict and versions', () => {
  test('customer side: an agent hello that says customer ends the session with role-conflict', () => {
    const s = run(initialState(), [SHARE, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 }), host(PEER)]).state;
    const r = step(s, recv(CUSTOMER_HELLO));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'role-conflict');
    assert.deepEqual(hostMessages(r.effects), [{ type: 'send', data: { k: 'bye', reason: 'role-conflict' } }, { type: 'end' }]);
    assert.ok(!has(r.effects, 'open-consent'));
  });

  test('agent side: a customer hello that says agent ends the session with role-conflict', () => {
    const s = run(initialState(), [{ type: 'agent-join', code: CODE, relay: RELAY, ua: 'u' }, host(PEER)]).state;
    const r = step(s, recv(AGENT_HELLO));
    assert.equal(r.state.reason, 'role-conflict');
    assert.deepEqual(hostSends(r.effects), [{ k: 'bye', reason: 'role-conflict' }]);
  });

  test('a hello of another app version ends the session (app-version-mismatch)', () => {
    const s = run(initialState(), [SHARE, host(PEER)]).state;
    const r = step(s, recv({ k: 'hello', app: 2, role: 'agent' }));
    assert.equal(r.state.reason, 'app-version-mismatch');
    assert.deepEqual(hostSends(r.effects), [{ k: 'bye', reason: 'error' }]);
  });

  test('a second hello is dropped', () => {
    const s = customerAtConsent();
    const r = step(s, recv(AGENT_HELLO));
    assert.equal(r.effects.length, 0);
    assert.equal(r.state.phase, 'consent');
    assert.equal(r.state.dropped, s.dropped + 1);
  });
});

describe('session: events that do not fit are ignored', () => {
  test('commands in the wrong phase change nothing', () => {
    const idle = initialState();
    for (const type of /** @type {const} */ (['allow', 'deny', 'stop', 'leave'])) assert.equal(step(idle, { type }).state, idle);
    const code = run(idle, [SHARE, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 })]).state;
    assert.equal(step(code, { type: 'allow' }).state, code, 'allow before the agent is there');
    assert.equal(step(customerLive(), { type: 'allow' }).effects.length, 0);
  });

  test('threat: a hostile agent probes the customer — malformed, wrong-side, unknown and oversize messages are dropped silently', () => {
    const s = customerLive();
    const bad = [
      { k: 'bye', reason: 'because' },
      { k: 'ping', t: 'soon' },
      { k: 'ping', t: 1, extra: true },
      { k: 'consent', view: true }, // a customer-side kind sent by the agent
      { k: 'snap', e: 2 },
      { k: 'navigate', url: 'https://evil.example/' }, // unknown kind
      'resync',
      null,
      [1, 2],
      { k: 'resync', pad: 'x'.repeat(LIMITS.app_max_inbound_agent_bytes) }, // above app_max_inbound_agent_bytes
    ];
    let state = s;
    for (const data of bad) {
      const r = step(state, recv(data));
      assert.deepEqual(r.effects, [], `no effect, no answer for ${JSON.stringify(data).slice(0, 60)}`);
      assert.equal(r.state.phase, 'live');
      state = r.state;
    }
    assert.equal(state.dropped, s.dropped + bad.length, 'every drop is counted');
  });

  test('threat: an agent message cannot reach the page before Allow (ping and resync in consent are dropped)', () => {
    const s = customerAtConsent();
    for (const data of [{ k: 'ping', t: 1 }, { k: 'resync' }]) {
      const r = step(s, recv(data));
      assert.deepEqual(r.effects, []);
    }
  });

  test('recv before the peer is confirmed is dropped', () => {
    const s = step(initialState(), SHARE).state;
    const r = step(s, recv(AGENT_HELLO));
    assert.deepEqual(r.effects, []);
    assert.equal(r.state.phase, 'connecting');
  });

  test('content messages from another tab, or before live, are dropped', () => {
    const live = customerLive();
    assert.deepEqual(step(live, { type: 'content', tabId: TAB + 1, msg: { to: 'peer', data: { k: 'pong', t: 1 } }, now: 0 }).effects, []);
    assert.deepEqual(step(customerAtConsent(), { type: 'content', tabId: TAB, msg: { to: 'peer', data: { k: 'pong', t: 1 } }, now: 0 }).effects, []);
  });

  test('a content script that connects when the tab is not live is closed', () => {
    const r = step(customerAtConsent(), { type: 'content-ready', tabId: TAB, now: 0 });
    assert.deepEqual(r.effects, [{ t: 'content-close' }]);
    assert.equal(r.state.contentUp, false);
  });

  test('an unknown event type changes nothing', () => {
    const s = customerLive();
    assert.equal(step(s, /** @type {any} */ ({ type: 'teleport' })).state, s);
  });

  test('customer-side kinds the customer receives from a hostile agent host are dropped (agent-only kinds at the agent)', () => {
    const s = agentLive();
    const r = step(s, recv({ k: 'resync' })); // an agent kind sent by the "customer"
    assert.deepEqual(r.effects, []);
    assert.equal(r.state.dropped, s.dropped + 1);
  });
});

describe('session: host failures', () => {
  test('a refused share (non-fatal error with its id) ends the attempt with that code', () => {
    const s = step(initialState(), SHARE).state;
    const r = step(s, host({ type: 'error', code: 'insecure-relay', message: '…', fatal: false, id: s.requestId }));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.error, 'insecure-relay');
    assert.ok(has(r.effects, 'host-close'));
  });

  test('a fatal error is kept for the ended that follows', () => {
    const s = run(initialState(), [{ type: 'agent-join', code: CODE, relay: RELAY, ua: '' }, host({ type: 'status', state: 'handshaking' })]).state;
    const r = run(s, [host({ type: 'error', code: 'bad-code', message: '…', fatal: true, id: 1 }), host({ type: 'ended', reason: 'bad-code' })]);
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'bad-code');
    assert.equal(r.state.error, 'bad-code');
  });

  test('the native port dies: ended (host-disconnected) with the cause', () => {
    const r = step(customerLive(), { type: 'host-gone', error: 'host-not-installed' });
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'host-disconnected');
    assert.equal(r.state.error, 'host-not-installed');
    assert.deepEqual(toContent(r.effects), [{ k: 'stop' }]);
  });

  test('a host of another protocol version ends the session', () => {
    const s = step(initialState(), SHARE).state;
    const r = step(s, host({ type: 'hello', version: 2, host: 'x', limits: {} }));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.error, 'version-mismatch');
  });
});

describe('session: following the shared tab', () => {
  test('navigation: page loading to the agent; the new document gets the capture; new epoch', () => {
    const s = customerLive();
    const nav = step(s, { type: 'committed', tabId: TAB, url: 'https://shop.example/cart' });
    assert.deepEqual(hostSends(nav.effects), [{ k: 'page', state: 'loading', url: 'https://shop.example/cart' }]);
    assert.equal(nav.state.contentUp, false);
    const ready = step(nav.state, { type: 'dom-ready', tabId: TAB });
    assert.deepEqual(ready.effects, [{ t: 'inject', tabId: TAB }]);
    const started = step(ready.state, { type: 'content-ready', tabId: TAB, now: 10 });
    assert.equal(started.state.epoch, 2);
    assert.equal(toContent(started.effects)[0].k, 'start');
    // Messages of the old epoch that were still in flight are dropped.
    assert.deepEqual(step(started.state, { type: 'content', tabId: TAB, msg: { to: 'peer', data: /** @type {any} */ ({ k: 'm', e: 1, ops: [] }) }, now: 0 }).effects, []);
  });

  test('dom-ready while the content script runs injects nothing', () => {
    assertIgnored(customerLive(), { type: 'dom-ready', tabId: TAB });
  });

  test('in-page URL changes are sent as page url', () => {
    const r = step(customerLive(), { type: 'url-changed', tabId: TAB, url: 'https://shop.example/#step2' });
    assert.deepEqual(hostSends(r.effects), [{ k: 'page', state: 'url', url: 'https://shop.example/#step2' }]);
  });

  test('threat: nothing about the tab (URL) is sent before consent', () => {
    for (const e of /** @type {SessionEvent[]} */ ([
      { type: 'committed', tabId: TAB, url: 'https://bank.example/' },
      { type: 'url-changed', tabId: TAB, url: 'https://bank.example/#x' },
      { type: 'dom-ready', tabId: TAB },
    ])) {
      assertIgnored(customerAtConsent(), e);
    }
  });

  test('navigations of other tabs are ignored', () => {
    assertIgnored(customerLive(), { type: 'committed', tabId: TAB + 1, url: 'https://x.example/' });
  });

  test('a page that cannot be scripted is reported in the state', () => {
    const r = step(customerLive(), { type: 'inject-failed', tabId: TAB, error: 'Cannot access a chrome:// URL' });
    assert.equal(r.state.error, 'page-not-shareable');
    assert.equal(r.state.phase, 'live');
  });
});

describe('session: resync', () => {
  const MIN = LIMITS.app_resync_min_interval_ms;

  test('a resync after the interval starts a new epoch at once', () => {
    const s = customerLive(0);
    const r = step(s, recv({ k: 'resync' }, MIN));
    assert.equal(r.state.epoch, 2);
    assert.deepEqual(toContent(r.effects), [{ k: 'resync', epoch: 2 }]);
  });

  test('app_resync_min_interval_ms: closer resyncs are merged into one when the interval ends', () => {
    const s = customerLive(0);
    const first = step(s, recv({ k: 'resync' }, 100));
    assert.equal(first.state.epoch, 1, 'not yet');
    assert.deepEqual(first.effects, [{ t: 'resync-timer', ms: MIN - 100 }]);
    const second = step(first.state, recv({ k: 'resync' }, 500));
    assert.deepEqual(second.effects, [], 'merged: no second timer');
    const fired = step(second.state, { type: 'resync-timer', now: MIN });
    assert.equal(fired.state.epoch, 2);
    assert.deepEqual(toContent(fired.effects), [{ k: 'resync', epoch: 2 }]);
    // Just under the interval after that one: deferred again; at the interval: immediate.
    assert.equal(step(fired.state, recv({ k: 'resync' }, 2 * MIN - 1)).state.epoch, 2);
    assert.equal(step(fired.state, recv({ k: 'resync' }, 2 * MIN)).state.epoch, 3);
  });

  test('a timer that fires after the session ended does nothing', () => {
    const s = step(customerLive(0), recv({ k: 'resync' }, 10)).state;
    const stopped = step(s, { type: 'stop' }).state;
    assertIgnored(stopped, { type: 'resync-timer', now: MIN });
  });

  test('send-queue-full: the refused message is lost, so the customer starts a new epoch', () => {
    const s = customerLive(0);
    const r = step(s, host({ type: 'error', code: 'send-queue-full', message: '…', fatal: false }, MIN + 1));
    assert.equal(r.state.epoch, 2);
    assert.deepEqual(toContent(r.effects), [{ k: 'resync', epoch: 2 }]);
    assert.equal(r.state.phase, 'live', 'not fatal');
    // The refused epoch is not continued; the new one is.
    assert.deepEqual(step(s, host({ type: 'error', code: 'send-queue-full', message: '…', fatal: false }, 10)).state.epochBroken, true);
    const broken = step(s, host({ type: 'error', code: 'send-queue-full', message: '…', fatal: false }, 10)).state;
    assert.deepEqual(step(broken, { type: 'content', tabId: TAB, msg: { to: 'peer', data: /** @type {any} */ ({ k: 'm', e: 1, ops: [] }) }, now: 11 }).effects, []);
    assert.equal(hostSends(step(r.state, { type: 'content', tabId: TAB, msg: { to: 'peer', data: /** @type {any} */ (snap(2)) }, now: MIN + 3 }).effects).length, 1);
    // Within the interval of that resync, another refusal is merged (no snapshot storm).
    const again = step(r.state, host({ type: 'error', code: 'send-queue-full', message: '…', fatal: false }, MIN + 2));
    assert.equal(again.state.epoch, 2);
    assert.equal(again.effects.length, 1);
    assert.equal(again.effects[0].t, 'resync-timer');
  });

  test('a batch too large to send (content overflow) gets a new epoch from the service worker', () => {
    const r = step(customerLive(0), { type: 'content', tabId: TAB, msg: { to: 'sw', k: 'overflow' }, now: MIN });
    assert.equal(r.state.epoch, 2);
    assert.deepEqual(toContent(r.effects), [{ k: 'resync', epoch: 2 }]);
  });

  test('send-queue-full on the agent side changes nothing', () => {
    assertIgnored(agentLive(), host({ type: 'error', code: 'send-queue-full', message: '…', fatal: false }));
  });
});

describe('session: worker restart', () => {
  test('a session that was running is over: ended (extension-restarted), indicator cleaned, badge cleared', () => {
    const stored = JSON.parse(JSON.stringify(customerLive()));
    const r = recover(stored);
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'extension-restarted');
    assert.equal(r.state.peerUp, false);
    assert.equal(r.state.contentUp, false);
    assert.equal(r.state.hintEvent, undefined);
    assert.deepEqual(r.effects.filter((e) => e.t === 'cleanup-tab'), [{ t: 'cleanup-tab', tabId: TAB }]);
    assert.ok(r.effects.some((e) => e.t === 'badge' && e.text === ''));
    assert.equal(isActive(r.state), false);
    // The recovered state accepts a new session.
    assert.equal(step(r.state, SHARE).state.phase, 'connecting');
  });

  test('an agent session in progress is over too; the code is not kept', () => {
    const coded = run(initialState(), [{ type: 'agent-start', relay: RELAY, ua: 'u' }, host({ type: 'code', code: CODE, nameplate: '4821', id: 1 })]).state;
    const r = recover(JSON.parse(JSON.stringify(coded)));
    assert.equal(r.state.phase, 'ended');
    assert.equal(r.state.reason, 'extension-restarted');
    assert.equal(r.state.code, undefined);
    assert.ok(!r.effects.some((e) => e.t === 'cleanup-tab'));
  });

  test('an ended session stays as it was (the UI still says why)', () => {
    const ended = step(customerLive(), { type: 'stop' }).state;
    const r = recover(JSON.parse(JSON.stringify(ended)));
    assert.equal(r.state.reason, 'customer-stopped');
    assert.deepEqual(r.effects, []);
  });

  test('nothing or garbage stored: idle', () => {
    for (const v of [undefined, null, 'x', [], { mode: 'customer' }, { ...initialState(), phase: 'flying' }, { ...initialState(), epoch: -1 }]) {
      const r = recover(v);
      assert.deepEqual(r.state, initialState());
      assert.deepEqual(r.effects, []);
    }
  });
});

describe('session: public state', () => {
  test('carries what the UI needs and nothing internal', () => {
    const pub = publicState(customerAtConsent());
    assert.deepEqual(Object.keys(pub).sort(), ['caps', 'epoch', 'mode', 'phase', 'sas', 'startedBy', 'tabId']);
    assert.deepEqual(pub.caps, { granted: [], asked: [], grantable: [] });
    assert.equal(pub.sas, SAS);
  });
});
