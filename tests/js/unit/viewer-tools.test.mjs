// Unit tests of the viewer's tools model (extension/viewer/tools-model.js): capability states,
// refusal texts, the stroke, text and action batching against the protocol's limits, the local
// action budget, scroll targets, key mapping, fields and coordinates. Every message the model
// builds is checked with the real app validator (common/app.js), so a batch the customer would
// refuse as app-bad-message fails here.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { LIMITS } from '../../../extension/dist/protocol.js';
import { REFUSAL_REASONS, validateAgentMessage } from '../../../extension/common/app.js';
import {
  ACTS_PER_SECOND,
  ASK_ACK_TIMEOUT_MS,
  ActQueue,
  BoundedSet,
  CUSTOMER_ACTIONS_PER_SECOND,
  CapsTracker,
  MAX_DETAIL_CHARS,
  MAX_DRAW_POINTS,
  MAX_HIT_CHECKS,
  MAX_MARKS,
  MAX_PENDING_ACTS,
  MAX_QUEUED_ACTS,
  MAX_STROKES,
  MAX_STROKE_POINTS,
  MAX_TYPE_BUFFER_CHARS,
  MAX_TYPE_CHARS,
  MAX_URL_CHARS,
  PendingActs,
  RefusalGate,
  SCROLL_SETTLE_MS,
  ScrollPlanner,
  StrokeBuilder,
  TOOL_REFUSAL_QUIET_MS,
  TokenBucket,
  WHEEL_LINE_PX,
  canScrollBy,
  cleanDetail,
  cutIndex,
  elementAtCaret,
  fieldLabel,
  fieldOf,
  insertedText,
  keyAction,
  parseAssist,
  proposalUrl,
  refusalText,
  relativeTo,
  round1,
  toMirrorPoint,
  typeableText,
  wheelPixels,
} from '../../../extension/viewer/tools-model.js';

/** @param {object} m */
function assertValidAgent(m) {
  const r = validateAgentMessage(m);
  assert.ok(r.ok, `the customer's validator refuses ${JSON.stringify(m).slice(0, 200)}: ${JSON.stringify(r)}`);
}

/** @param {Partial<{granted: string[], grantable: string[], asked: string[]}>} c @returns {any} */
const caps = (c) => ({ k: 'caps', granted: [], grantable: ['annotate', 'scroll', 'type', 'navigate', 'click'], asked: [], ...c });

describe('limits', () => {
  test('the model takes the protocol limits from limits.json', () => {
    assert.equal(MAX_DRAW_POINTS, LIMITS.app_max_draw_points);
    assert.equal(MAX_STROKE_POINTS, LIMITS.app_max_stroke_points);
    assert.equal(MAX_STROKES, LIMITS.app_max_strokes);
    assert.equal(MAX_MARKS, LIMITS.app_max_marks);
    assert.equal(MAX_TYPE_CHARS, LIMITS.app_max_type_chars);
    assert.equal(MAX_URL_CHARS, LIMITS.app_max_url_chars);
    assert.equal(CUSTOMER_ACTIONS_PER_SECOND, LIMITS.app_max_actions_per_second);
  });

  test("the viewer's own action budget stays below the customer's", () => {
    assert.ok(ACTS_PER_SECOND >= 1 && ACTS_PER_SECOND < CUSTOMER_ACTIONS_PER_SECOND);
  });
});

describe('parseAssist: what the customer sends', () => {
  test('caps, done and refused come back as fresh objects', () => {
    const c = caps({ granted: ['annotate'], asked: ['type'] });
    const parsed = parseAssist(c);
    assert.deepEqual(parsed, c);
    assert.notEqual(parsed, c);
    assert.deepEqual(parseAssist({ k: 'done', n: 7 }), { k: 'done', n: 7 });
    assert.deepEqual(parseAssist({ k: 'refused', n: 7, a: 'click', why: 'finalizing', detail: 'button “Pay now”' }), {
      k: 'refused', n: 7, a: 'click', why: 'finalizing', detail: 'button “Pay now”',
    });
  });

  test('malformed or foreign messages are null', () => {
    // threat: a modified customer extension sending the agent malformed assistance messages
    assert.equal(parseAssist(caps({ granted: ['root'] })), null, 'unknown capability');
    assert.equal(parseAssist({ ...caps({}), extra: 1 }), null, 'unknown member');
    assert.equal(parseAssist(caps({ granted: ['type'], grantable: ['annotate'] })), null, 'granted outside grantable');
    assert.equal(parseAssist({ k: 'done', n: 0 }), null);
    assert.equal(parseAssist({ k: 'done', n: 1.5 }), null);
    assert.equal(parseAssist({ k: 'refused', n: 0, a: 'click', why: 'rate', detail: '' }), null, 'n 0 names a tool or ask');
    assert.equal(parseAssist({ k: 'refused', n: 3, a: 'click', why: 'because', detail: '' }), null, 'unknown reason');
    assert.equal(parseAssist({ k: 'refused', n: 3, a: 'click', why: 'rate', detail: 'x'.repeat(MAX_DETAIL_CHARS + 1) }), null);
    assert.equal(parseAssist({ k: 'pong', t: 1 }), null);
    assert.equal(parseAssist('{"k":"done","n":1}x'), null);
    assert.equal(parseAssist(null), null);
  });

  test("a refusal's detail is cleaned for display: no controls, no bidi overrides", () => {
    // threat: a customer-side detail that reads as something else (RTL override) or breaks the toast
    const r = parseAssist({ k: 'refused', n: 2, a: 'click', why: 'finalizing', detail: 'button \u202e“yaP”\u202c\n\tnow' });
    assert.equal(r?.k === 'refused' && r.detail, 'button “yaP” now');
    assert.equal(cleanDetail('a'.repeat(300)).length, MAX_DETAIL_CHARS);
    // A surrogate pair at the cut is left out whole.
    const cut = cleanDetail(`${'a'.repeat(MAX_DETAIL_CHARS - 1)}😀`);
    assert.equal(cut, 'a'.repeat(MAX_DETAIL_CHARS - 1));
  });
});

describe('CapsTracker', () => {
  test('states from caps: unknown, granted, not grantable, ask', () => {
    const t = new CapsTracker();
    assert.equal(t.state('scroll', 0), 'unknown');
    assert.equal(t.canAsk('scroll', 0), false);
    t.update(caps({ granted: ['annotate'], grantable: ['annotate', 'scroll', 'type'] }));
    assert.equal(t.state('annotate', 0), 'granted');
    assert.equal(t.state('scroll', 0), 'ask');
    assert.equal(t.state('click', 0), 'not-grantable');
    assert.equal(t.canAsk('click', 0), false);
    assert.equal(t.canAsk('scroll', 0), true);
    assert.equal(t.isGranted('annotate'), true);
  });

  test('ask → waiting → declined, asked again → waiting → granted', () => {
    const t = new CapsTracker();
    t.update(caps({}));
    t.asking(['type'], 100);
    assert.equal(t.state('type', 100), 'waiting');
    // A caps that left the customer before the ask arrived does not count as a decline.
    t.update(caps({}));
    assert.equal(t.state('type', 200), 'waiting');
    t.update(caps({ asked: ['type'] }));
    assert.equal(t.state('type', 300), 'waiting');
    t.update(caps({}));
    assert.equal(t.state('type', 400), 'declined');
    assert.equal(t.canAsk('type', 400), true);
    t.asking(['type'], 500);
    assert.equal(t.state('type', 500), 'waiting');
    const change = t.update(caps({ granted: ['type'] }));
    assert.deepEqual(change, { granted: ['type'], revoked: [] });
    assert.equal(t.state('type', 600), 'granted');
  });

  test('a revoked capability shows as askable again and is reported', () => {
    const t = new CapsTracker();
    t.update(caps({ granted: ['scroll', 'type'] }));
    const change = t.update(caps({ granted: ['type'] }));
    assert.deepEqual(change, { granted: [], revoked: ['scroll'] });
    assert.equal(t.state('scroll', 0), 'ask');
  });

  test('an ask never acknowledged stops waiting after ASK_ACK_TIMEOUT_MS; a refused ask at once', () => {
    const t = new CapsTracker();
    t.update(caps({}));
    t.asking(['click'], 1000);
    assert.equal(t.state('click', 1000 + ASK_ACK_TIMEOUT_MS - 1), 'waiting');
    assert.equal(t.state('click', 1000 + ASK_ACK_TIMEOUT_MS), 'ask');
    t.asking(['navigate'], 5000);
    t.askRefused('rate');
    assert.equal(t.state('navigate', 5001), 'ask');
  });

  test('a refused ask (declined) marks what was waiting as declined, whichever of refused and caps comes first', () => {
    const before = new CapsTracker();
    before.update(caps({}));
    before.asking(['type', 'scroll'], 0);
    before.askRefused('declined');
    assert.equal(before.state('type', 1), 'declined');
    assert.equal(before.state('scroll', 1), 'declined');
    assert.equal(before.state('click', 1), 'ask', 'not asked: not declined');

    const after = new CapsTracker();
    after.update(caps({}));
    after.asking(['type'], 0);
    after.update(caps({ asked: ['type'] }));
    after.askRefused('declined');
    assert.equal(after.state('type', 1), 'declined', 'the caps still listing it asked is older than the refusal');
    after.update(caps({}));
    assert.equal(after.state('type', 2), 'declined');
    after.update(caps({ asked: ['type'] }));
    assert.equal(after.state('type', 3), 'waiting', 'asked again (by a new caps): waiting again');
  });

  test('reset forgets the session', () => {
    const t = new CapsTracker();
    t.update(caps({ granted: ['annotate'] }));
    t.reset();
    assert.equal(t.state('annotate', 0), 'unknown');
    assert.equal(t.isGranted('annotate'), false);
  });
});

describe('refusal texts', () => {
  test('finalizing says the customer must do it, with the detail', () => {
    assert.equal(
      refusalText({ a: 'click', why: 'finalizing', detail: 'button “Pay now”' }),
      'Blocked: the customer must do this themselves — button “Pay now”',
    );
  });

  test('every reason has its own text; unknown reasons are shown without markup', () => {
    const texts = REFUSAL_REASONS.map((why) => refusalText({ a: 'type', why, detail: '' }));
    assert.equal(new Set(texts).size, REFUSAL_REASONS.length, texts.join('\n'));
    for (const t of texts) assert.ok(t.length > 10 && !t.includes('undefined'), t);
    assert.match(refusalText({ a: 'click', why: 'not-granted', detail: '' }), /“Click”/);
    assert.match(refusalText({ a: 'nav', why: 'declined', detail: '' }), /declined to open the page/);
    assert.match(refusalText({ a: 'ask', why: 'rate', detail: '' }), /wait a few seconds/);
    assert.equal(refusalText({ a: 'click', why: '<b>x</b>', detail: '' }), 'Refused (bxb)');
  });

  test('RefusalGate: one per kind and reason per quiet period', () => {
    const g = new RefusalGate();
    assert.equal(g.admit('draw:not-granted', 0), true);
    assert.equal(g.admit('draw:not-granted', TOOL_REFUSAL_QUIET_MS - 1), false);
    assert.equal(g.admit('laser:not-granted', 10), true, 'another kind is not held back');
    assert.equal(g.admit('draw:not-granted', TOOL_REFUSAL_QUIET_MS), true);
  });

  test('RefusalGate keeps a bounded memory whatever keys arrive', () => {
    // threat: a customer sending endless distinct kinds to grow the viewer's memory
    const g = new RefusalGate();
    assert.equal(g.admit('k0', 0), true);
    for (let i = 1; i <= 100; i++) g.admit(`k${i}`, 1);
    assert.equal(g.admit('k0', 2), true, 'the oldest key was forgotten');
  });
});

describe('PendingActs', () => {
  test('n counts up from 1; done/refused settle once', () => {
    /** @type {PendingActs<{a: string}>} */
    const p = new PendingActs();
    assert.equal(p.open({ a: 'click' }), 1);
    assert.equal(p.open({ a: 'nav' }), 2);
    assert.equal(p.some((i) => i.a === 'nav'), true);
    assert.deepEqual(p.settle(2), { a: 'nav' });
    assert.equal(p.settle(2), null, 'answered twice');
    assert.equal(p.settle(99), null, 'never sent');
    assert.equal(p.size, 1);
  });

  test(`at most MAX_PENDING_ACTS (${MAX_PENDING_ACTS}) remembered: the oldest is forgotten`, () => {
    /** @type {PendingActs<number>} */
    const p = new PendingActs();
    for (let i = 0; i <= MAX_PENDING_ACTS; i++) p.open(i);
    assert.equal(p.size, MAX_PENDING_ACTS);
    assert.equal(p.settle(1), null);
    assert.equal(p.settle(2), 1);
  });
});

describe('TokenBucket', () => {
  test('a burst, then one per 1000/rate ms', () => {
    const b = new TokenBucket(ACTS_PER_SECOND, ACTS_PER_SECOND, 0);
    let sent = 0;
    while (b.take(0)) sent++;
    assert.equal(sent, ACTS_PER_SECOND);
    assert.equal(b.ready(0), false);
    // Over the next 1.5 s of steady demand: the rate, not more.
    let later = 0;
    for (let t = 5; t <= 1500; t += 5) if (b.take(t)) later++;
    assert.equal(later, (ACTS_PER_SECOND * 3) / 2);
  });

  test('nothing is saved up beyond the burst', () => {
    const b = new TokenBucket(10, 3, 0);
    let sent = 0;
    while (b.take(60_000)) sent++;
    assert.equal(sent, 3);
    assert.equal(b.take(60_000 + 99), false);
    assert.equal(b.take(60_000 + 101), true);
  });
});

describe('ActQueue', () => {
  test('keystrokes join the last type of the same field; a key keeps its place', () => {
    const q = new ActQueue();
    q.pushText(3, 42, 'ab');
    q.pushText(3, 42, 'c');
    assert.equal(q.push({ a: 'key', e: 3, id: 42, key: 'Backspace' }), true);
    q.pushText(3, 42, 'd');
    q.pushText(3, 43, 'e');
    const out = [];
    for (let a = q.shift(); a; a = q.shift()) out.push(a);
    assert.deepEqual(out, [
      { a: 'type', e: 3, id: 42, text: 'abc' },
      { a: 'key', e: 3, id: 42, key: 'Backspace' },
      { a: 'type', e: 3, id: 42, text: 'd' },
      { a: 'type', e: 3, id: 43, text: 'e' },
    ]);
  });

  test(`text goes in acts of at most MAX_TYPE_CHARS (${MAX_TYPE_CHARS}) units, never splitting a surrogate pair`, () => {
    const q = new ActQueue();
    const text = `${'x'.repeat(MAX_TYPE_CHARS - 1)}😀${'y'.repeat(10)}`;
    assert.equal(q.pushText(1, 5, text), text.length);
    const first = q.shift();
    const second = q.shift();
    assert.ok(first?.a === 'type' && second?.a === 'type');
    assert.equal(first.text, 'x'.repeat(MAX_TYPE_CHARS - 1));
    assert.equal(second.text, `😀${'y'.repeat(10)}`);
    for (const a of [first, second]) assertValidAgent({ k: 'act', n: 1, ...a });
    const full = new ActQueue();
    full.pushText(1, 5, 'z'.repeat(MAX_TYPE_CHARS * 2));
    assert.equal(full.length, 2);
    const a = full.shift();
    assert.equal(a?.a === 'type' && a.text.length, MAX_TYPE_CHARS);
  });

  test(`text beyond MAX_TYPE_BUFFER_CHARS (${MAX_TYPE_BUFFER_CHARS}) is not accepted`, () => {
    const q = new ActQueue();
    assert.equal(q.pushText(1, 5, 'a'.repeat(MAX_TYPE_BUFFER_CHARS - 3)), MAX_TYPE_BUFFER_CHARS - 3);
    assert.equal(q.pushText(1, 5, 'bbbbb'), 3);
    assert.equal(q.pushText(1, 5, 'c'), 0);
    q.shift();
    assert.equal(q.pushText(1, 5, 'c'), 1, 'room again once some was sent');
  });

  test(`at most MAX_QUEUED_ACTS (${MAX_QUEUED_ACTS}) discrete actions wait; drop() removes by predicate`, () => {
    const q = new ActQueue();
    for (let i = 0; i < MAX_QUEUED_ACTS; i++) assert.equal(q.push({ a: 'click', e: 1, id: i + 1 }), true);
    assert.equal(q.push({ a: 'click', e: 1, id: 999 }), false);
    q.drop((a) => a.a === 'click' && a.id > 2);
    assert.equal(q.length, 2);
    q.clear();
    assert.equal(q.length, 0);
  });
});

describe('StrokeBuilder', () => {
  test('one drag within a frame: one message; the end repeats the last point when nothing is left', () => {
    const b = new StrokeBuilder();
    const s = b.begin(3, 17, { x: 1.04, y: 2 }, 3000);
    assert.equal(s, 1);
    b.add({ x: 5, y: 6 });
    b.add({ x: 5, y: 6 }); // no move: not sent
    const first = b.take();
    assert.deepEqual(first, [{ k: 'draw', e: 3, s: 1, id: 17, pts: [[1, 2], [5, 6]], end: false, fade: 3000 }]);
    b.end();
    const last = b.take();
    assert.deepEqual(last, [{ k: 'draw', e: 3, s: 1, id: 17, pts: [[5, 6]], end: true, fade: 3000 }]);
    assert.equal(b.busy, false);
    assert.equal(b.begin(3, 17, { x: 0, y: 0 }, 0), 2, 'strokes count up');
    for (const m of [...first, ...last]) assertValidAgent(m);
  });

  test(`a frame's points go in messages of at most MAX_DRAW_POINTS (${MAX_DRAW_POINTS})`, () => {
    const b = new StrokeBuilder();
    b.begin(1, 9, { x: 0, y: 0 }, 0);
    for (let i = 1; i < MAX_DRAW_POINTS * 2 + 10; i++) b.add({ x: i, y: i });
    b.end();
    const msgs = b.take();
    assert.deepEqual(msgs.map((m) => m.pts.length), [MAX_DRAW_POINTS, MAX_DRAW_POINTS, 10]);
    assert.deepEqual(msgs.map((m) => m.end), [false, false, true]);
    for (const m of msgs) assertValidAgent(m);
  });

  test(`a stroke stops at MAX_STROKE_POINTS (${MAX_STROKE_POINTS}) and goes on as a new one from its last point`, () => {
    const b = new StrokeBuilder();
    b.begin(1, 9, { x: 0, y: 0 }, 0);
    /** @type {import('../../../extension/viewer/tools-model.js').DrawMsg[]} */
    const sent = [];
    let next = 0;
    for (let i = 1; next === 0; i++) {
      next = b.add({ x: i, y: 0 });
      if (i % 100 === 0) sent.push(...b.take());
    }
    assert.equal(next, 2);
    b.end();
    sent.push(...b.take());
    const one = sent.filter((m) => m.s === 1);
    const two = sent.filter((m) => m.s === 2);
    assert.equal(one.reduce((n, m) => n + m.pts.length, 0), MAX_STROKE_POINTS);
    assert.equal(one[one.length - 1].end, true);
    assert.deepEqual(two[0].pts[0], one[one.length - 1].pts.at(-1), 'the new stroke starts where the old one stopped');
    assert.equal(two[two.length - 1].end, true);
    assert.ok(sent.every((m) => m.id === 9 && m.pts.length <= MAX_DRAW_POINTS));
  });

  test('abandon drops what was not sent', () => {
    const b = new StrokeBuilder();
    b.begin(1, 9, { x: 0, y: 0 }, 0);
    b.add({ x: 3, y: 3 });
    b.abandon();
    assert.deepEqual(b.take(), []);
    assert.equal(b.current, 0);
  });

  test('coordinates are rounded to 0.1 px and clamped to what the validator accepts', () => {
    assert.equal(round1(1.26), 1.3);
    assert.equal(round1(-0.01), 0);
    assert.equal(round1(5e9), 1_000_000);
    const b = new StrokeBuilder();
    b.begin(1, 9, { x: -5e9, y: 5e9 }, 0);
    b.end();
    for (const m of b.take()) assertValidAgent(m);
  });
});

describe('BoundedSet', () => {
  test('keeps the newest max keys; re-adding makes a key the newest', () => {
    /** @type {BoundedSet<number>} */
    const s = new BoundedSet(3);
    s.add(1);
    s.add(2);
    s.add(3);
    s.add(1);
    assert.deepEqual(s.add(4), [2]);
    assert.deepEqual(s.values(), [3, 1, 4]);
  });

  test(`marks: one more than MAX_MARKS (${MAX_MARKS}) drops the oldest, as the customer's overlay does`, () => {
    /** @type {BoundedSet<number>} */
    const s = new BoundedSet(MAX_MARKS);
    for (let i = 1; i <= MAX_MARKS; i++) assert.deepEqual(s.add(i), []);
    assert.deepEqual(s.add(MAX_MARKS + 1), [1]);
    assert.equal(s.size, MAX_MARKS);
  });
});

describe('coordinates and scrolling', () => {
  test('viewer client px → mirror px through the scale; relative to an element box', () => {
    assert.deepEqual(toMirrorPoint(150, 80, { left: 50, top: 30 }, 0.5), { x: 200, y: 100 });
    assert.deepEqual(toMirrorPoint(150, 80, { left: 50, top: 30 }, 0), { x: 100, y: 50 }, 'a broken scale counts as 1');
    assert.deepEqual(relativeTo({ x: 200, y: 100 }, { left: 187.46, top: 60 }), { x: 12.5, y: 40 });
  });

  test('wheel deltas in px, lines and pages', () => {
    assert.deepEqual(wheelPixels(0, 100, 0, { w: 800, h: 600 }), { dx: 0, dy: 100 });
    assert.deepEqual(wheelPixels(1, 3, 1, { w: 800, h: 600 }), { dx: WHEEL_LINE_PX, dy: 3 * WHEEL_LINE_PX });
    assert.deepEqual(wheelPixels(0, -1, 2, { w: 800, h: 600 }), { dx: 0, dy: -600 });
    assert.deepEqual(wheelPixels(NaN, Infinity, 0, { w: 1, h: 1 }), { dx: 0, dy: 0 });
  });

  test('canScrollBy: only when there is room that way', () => {
    assert.equal(canScrollBy({ x: 0, y: 0 }, { x: 0, y: 500 }, 0, 10), true);
    assert.equal(canScrollBy({ x: 0, y: 500 }, { x: 0, y: 500 }, 0, 10), false);
    assert.equal(canScrollBy({ x: 0, y: 0 }, { x: 0, y: 500 }, 0, -10), false);
    assert.equal(canScrollBy({ x: 10, y: 0 }, { x: 100, y: 0 }, -5, 0), true);
  });

  test('ScrollPlanner: targets build on what was sent until the echo is due, clamped and whole', () => {
    const p = new ScrollPlanner();
    const max = { x: 0, y: 1000 };
    assert.deepEqual(p.plan('3:0', { x: 0, y: 0 }, max, 0, 100.4, 0), { x: 0, y: 100 });
    // The mirror has not moved yet: the next target continues from the last one.
    assert.deepEqual(p.plan('3:0', { x: 0, y: 0 }, max, 0, 100, 16), { x: 0, y: 200 });
    assert.deepEqual(p.plan('3:0', { x: 0, y: 0 }, max, 0, 5000, 32), { x: 0, y: 1000 });
    // After SCROLL_SETTLE_MS the mirror's own position counts again.
    assert.deepEqual(p.plan('3:0', { x: 0, y: 300 }, max, 0, -400, 32 + SCROLL_SETTLE_MS), { x: 0, y: 0 });
    assert.deepEqual(p.plan('3:44', { x: 0, y: 50 }, max, 0, 10, 0), { x: 0, y: 60 }, 'scrollers are separate');
    assertValidAgent({ k: 'act', n: 1, a: 'scroll', e: 3, id: 0, ...p.plan('3:0', { x: 0, y: 0 }, max, 0, 1, 5000) });
  });
});

describe('keyboard', () => {
  /** @param {string} key @param {object} [mods] */
  const ev = (key, mods = {}) => ({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, isComposing: false, ...mods });

  test('named keys become act key; with a modifier they are blocked; the rest passes to input', () => {
    for (const k of ['Backspace', 'Delete', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'Tab', 'Escape', 'Enter']) {
      assert.deepEqual(keyAction(ev(k)), { t: 'key', key: k });
      assertValidAgent({ k: 'act', n: 1, a: 'key', e: 1, id: 2, key: k });
    }
    assert.deepEqual(keyAction(ev('ArrowLeft', { shiftKey: true })), { t: 'key', key: 'ArrowLeft' });
    assert.deepEqual(keyAction(ev('Tab', { shiftKey: true })), { t: 'block' });
    assert.deepEqual(keyAction(ev('Enter', { ctrlKey: true })), { t: 'block' });
    assert.deepEqual(keyAction(ev('a')), { t: 'pass' });
    assert.deepEqual(keyAction(ev('v', { ctrlKey: true })), { t: 'pass' }, 'paste arrives as input');
    assert.deepEqual(keyAction(ev('Backspace', { isComposing: true })), { t: 'pass' }, 'the IME owns keys while composing');
    assert.deepEqual(keyAction(ev('F5')), { t: 'pass' });
  });

  test('inserted text: inserts only, line breaks normalized, control characters never sent', () => {
    assert.equal(insertedText('insertText', 'a', false), 'a');
    assert.equal(insertedText('insertFromPaste', 'x\r\ny\rz\tw\u0007', false), 'x\ny\nz w');
    assert.equal(insertedText('deleteContentBackward', '', false), '');
    assert.equal(insertedText('historyUndo', 'old', false), '');
    assert.equal(insertedText('insertCompositionText', 'に', true), '');
    assert.equal(typeableText('\u0000a\u001fb\u007f'), 'ab');
    assertValidAgent({ k: 'act', n: 1, a: 'type', e: 1, id: 2, text: typeableText('p\r\nq\tr\u0001') });
  });
});

describe('fields', () => {
  const HTML = 'http://www.w3.org/1999/xhtml';
  /**
   * @param {string} localName @param {Record<string, string>} [attrs] @param {any} [parent] @param {string} [ns]
   * @returns {any}
   */
  const el = (localName, attrs = {}, parent = null, ns = HTML) => ({
    localName,
    namespaceURI: ns,
    parentElement: parent,
    getAttribute: (/** @type {string} */ n) => (n in attrs ? attrs[n] : null),
  });

  test('inputs by type, textarea, select; buttons and files are not typed into', () => {
    assert.equal(fieldOf(el('input'))?.kind, 'text');
    assert.equal(fieldOf(el('input', { type: 'EMAIL' }))?.kind, 'text');
    assert.equal(fieldOf(el('input', { type: 'password' }))?.kind, 'text', 'the customer refuses it (masked), with the reason');
    assert.equal(fieldOf(el('input', { type: 'checkbox' }))?.kind, 'check');
    assert.equal(fieldOf(el('input', { type: 'radio' }))?.kind, 'check');
    assert.equal(fieldOf(el('textarea'))?.kind, 'text');
    assert.equal(fieldOf(el('select'))?.kind, 'select');
    for (const type of ['submit', 'button', 'file', 'range', 'color', 'image', 'hidden']) assert.equal(fieldOf(el('input', { type })), null, type);
    assert.equal(fieldOf(el('button')), null);
    assert.equal(fieldOf(null), null);
  });

  test('inside contenteditable: the editing host; contenteditable=false stops it; SVG is never a field', () => {
    const host = el('div', { contenteditable: '' });
    const inner = el('b', {}, el('p', {}, host));
    assert.equal(fieldOf(inner)?.el, host);
    const off = el('span', {}, el('div', { contenteditable: 'false' }, host));
    assert.equal(fieldOf(off), null);
    assert.equal(fieldOf(el('text', {}, host, 'http://www.w3.org/2000/svg')), null);
    assert.equal(fieldOf(el('div', { contenteditable: 'plaintext-only' }))?.kind, 'text');
  });

  test('labels name the field briefly', () => {
    assert.equal(fieldLabel(el('input', { type: 'email', placeholder: 'you@example.com', name: 'email' })), 'email field “you@example.com”');
    assert.equal(fieldLabel(el('textarea', { 'aria-label': 'Message' })), 'text area “Message”');
    assert.equal(fieldLabel(el('div', { contenteditable: '' })), 'editable text');
    assert.ok(fieldLabel(el('input', { name: 'n'.repeat(500) })).length <= 60);
  });
});

describe('proposalUrl', () => {
  const page = 'https://shop.example/cart?x=1';

  test('absolute, relative to the page, bare host as https', () => {
    assert.deepEqual(proposalUrl(' https://shop.example/help ', page), { ok: true, url: 'https://shop.example/help' });
    assert.deepEqual(proposalUrl('/help', page), { ok: true, url: 'https://shop.example/help' });
    assert.deepEqual(proposalUrl('?q=1', page), { ok: true, url: 'https://shop.example/cart?q=1' });
    assert.deepEqual(proposalUrl('shop.example/faq', page), { ok: true, url: 'https://shop.example/faq' });
    assert.deepEqual(proposalUrl('localhost:8080/x', page), { ok: true, url: 'https://localhost:8080/x' });
    const r = proposalUrl('http://shop.example/a b', page);
    assert.ok(r.ok);
    assertValidAgent({ k: 'act', n: 1, a: 'nav', url: r.url });
  });

  test('refused: empty, not http(s), too long, relative without a page', () => {
    for (const bad of ['', '   ', 'javascript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'mailto:a@b.c']) {
      assert.equal(proposalUrl(bad, page).ok, false, bad);
    }
    assert.equal(proposalUrl('/help', '').ok, false);
    assert.equal(proposalUrl(`https://shop.example/${'a'.repeat(MAX_URL_CHARS)}`, page).ok, false);
    const longest = `https://shop.example/${'a'.repeat(MAX_URL_CHARS - 'https://shop.example/'.length)}`;
    assert.deepEqual(proposalUrl(longest, page), { ok: true, url: longest });
  });
});

describe('cutIndex', () => {
  test('never between the halves of a surrogate pair', () => {
    assert.equal(cutIndex('abc', 5), 3);
    assert.equal(cutIndex('a😀', 2), 1);
    assert.equal(cutIndex('a😀', 3), 3);
    assert.equal(cutIndex('ab', 0), 0);
  });
});

describe('elementAtCaret: hit testing from a caret position', () => {
  /**
   * A tiny tree of boxes: [name, box [l, t, r, b], children]; text nodes are ['#t', parent box].
   * @param {any} spec @param {any} [parent]
   * @returns {any}
   */
  function tree(spec, parent = null) {
    const [name, box, kids = [], opts = {}] = spec;
    const n = { name, box: { left: box[0], top: box[1], right: box[2], bottom: box[3] }, nodeType: name === '#t' ? 3 : 1, parentElement: parent, childNodes: /** @type {any[]} */ ([]), lastElementChild: null, previousElementSibling: null, ...opts };
    /** @type {any} */
    let prev = null;
    for (const k of kids) {
      const c = tree(k, n);
      n.childNodes.push(c);
      if (c.nodeType === 1) {
        c.previousElementSibling = prev;
        prev = c;
        n.lastElementChild = c;
      }
    }
    return n;
  }
  /** @param {any} root @param {string} name @returns {any} */
  const find = (root, name) => (root.name === name ? root : root.childNodes.map((/** @type {any} */ c) => find(c, name)).find(Boolean) ?? null);
  const box = (/** @type {any} */ n) => n.box;
  const all = () => true;

  const page = tree(['html', [0, 0, 800, 600], [
    ['body', [0, 0, 800, 600], [
      ['p', [0, 0, 400, 40], [['#t', [0, 0, 200, 20]], ['b', [200, 0, 260, 20], [['#t', [200, 0, 260, 20]]]]]],
      ['input', [0, 50, 200, 80]],
      ['img', [210, 50, 260, 100]],
      ['wrap', [0, 110, 300, 170], [['#t', [0, 110, 300, 130]], ['overlay', [0, 110, 300, 170]]]],
      ['menu', [500, 0, 600, 20], [['#t', [500, 0, 600, 20]], ['item', [500, 30, 600, 50], [['#t', [500, 30, 600, 50]]]]]],
    ]],
  ]]);
  const body = find(page, 'body');

  test('text: its element, or the inline child that holds the point', () => {
    const p = find(page, 'p');
    assert.equal(elementAtCaret(p.childNodes[0], 3, 10, 10, box, all)?.name, 'p');
    assert.equal(elementAtCaret(find(page, 'b').childNodes[0], 1, 210, 10, box, all)?.name, 'b');
  });

  test('an input or image (the caret lands between children): the child that holds the point', () => {
    assert.equal(elementAtCaret(body, 2, 50, 60, box, all)?.name, 'input', 'after the input');
    assert.equal(elementAtCaret(body, 1, 50, 60, box, all)?.name, 'input', 'before it: the child at the offset');
    assert.equal(elementAtCaret(body, 3, 220, 90, box, all)?.name, 'img');
  });

  test('an empty box over text (the caret gives the text below): the box', () => {
    const wrap = find(page, 'wrap');
    assert.equal(elementAtCaret(wrap.childNodes[0], 4, 20, 120, box, all)?.name, 'overlay');
    // …unless it does not take the pointer (a click would go through it).
    assert.equal(elementAtCaret(wrap.childNodes[0], 4, 20, 120, box, (/** @type {any} */ n) => n.name !== 'overlay')?.name, 'wrap');
  });

  test('a caret snapped to text elsewhere: up to the box that holds the point, then down', () => {
    // The caret went to the menu's text, the point is on the item below it (outside the menu's box).
    const menu = find(page, 'menu');
    assert.equal(elementAtCaret(menu.childNodes[0], 0, 550, 40, box, all)?.name, 'body');
    assert.equal(elementAtCaret(find(page, 'item').childNodes[0], 0, 550, 40, box, all)?.name, 'item');
    assert.equal(elementAtCaret(body, 0, 900, 900, box, all), null, 'outside everything');
  });

  test(`at most MAX_HIT_CHECKS (${MAX_HIT_CHECKS}) boxes are read, however many siblings`, () => {
    const kids = Array.from({ length: 20_000 }, (_, i) => ['row', [0, i * 10, 800, i * 10 + 10]]);
    const big = tree(['body', [0, 0, 800, 200_000], kids]);
    let reads = 0;
    const counting = (/** @type {any} */ n) => {
      reads++;
      return n.box;
    };
    // The caret after the last row, the point on the first: the rows are searched from the end.
    const hit = elementAtCaret(big, kids.length, 5, 5, counting, all);
    assert.ok(reads <= MAX_HIT_CHECKS + 1, `${reads} boxes read`);
    assert.equal(hit?.name, 'body', 'still an answer: the deepest element found within the budget');
    reads = 0;
    assert.equal(elementAtCaret(big, kids.length, 5, 199_995, counting, all)?.name, 'row', 'near the end: found');
  });
});
