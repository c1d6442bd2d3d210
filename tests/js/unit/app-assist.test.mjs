// The assistance kinds of the app protocol (app.md §7: ask, the tools, act, caps, done, refused) in
// common/app.js, at their limits and against the spec's other copies: the schema, the vectors and
// app.md itself. The vectors themselves are run by protocol-vectors.test.mjs; here the limits are
// built from LIMITS (so a changed limit keeps these tests right) and the hostile shapes that the
// firewall must never see are named with the threat they stand for.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  ACTION_CAPABILITY,
  ACTIONS,
  CAPABILITIES,
  capabilityOf,
  KEYS,
  KINDS_FROM_AGENT,
  KINDS_FROM_CUSTOMER,
  MAX_APP_INTEGER,
  MAX_COORD_PX,
  MAX_DETAIL_CHARS,
  MAX_FADE_MS,
  MAX_STROKE_ID,
  REFUSAL_REASONS,
  refusalOf,
  TOOL_KINDS,
  validateAgentMessage,
  validateCustomerMessage,
} from '../../../extension/common/app.js';
import { LIMITS } from '../../../extension/dist/protocol.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** @param {string} rel */
const read = (rel) => readFileSync(path.join(root, 'shared/protocol', rel), 'utf8');
const defs = JSON.parse(read('schemas/app.schema.json')).$defs;
/** @type {{name: string, from: string, message?: any, input?: string, ok?: {k: string}, error?: string}[]} */
const vectors = JSON.parse(read('vectors/app.json')).cases;

const ASSIST_FROM_AGENT = ['ask', ...TOOL_KINDS, 'act'];
const ASSIST_FROM_CUSTOMER = ['caps', 'done', 'refused'];

/** @param {unknown} m */
const agentOk = (m) => validateAgentMessage(m).ok;
/** @param {unknown} m */
const customerOk = (m) => validateCustomerMessage(m).ok;
/** @param {unknown} m */
function agentCode(m) {
  const r = validateAgentMessage(m);
  return r.ok ? 'ok' : r.ignored ? 'ignored' : r.code;
}

/** @param {Record<string, unknown>} extra */
const act = (extra) => ({ k: 'act', n: 1, e: 3, id: 42, ...extra });
/** @param {Record<string, unknown>} extra */
const draw = (extra) => ({ k: 'draw', e: 3, s: 4, id: 17, pts: [[0, 0]], end: false, fade: 0, ...extra });
/** @param {Record<string, unknown>} extra */
const refused = (extra) => ({ k: 'refused', n: 7, a: 'click', why: 'finalizing', detail: '', ...extra });

describe('app assistance: kinds and sides', () => {
  test('the agent sends ask, the tools and act; the customer sends caps, done and refused', () => {
    for (const k of ASSIST_FROM_AGENT) assert.ok(KINDS_FROM_AGENT.includes(/** @type {never} */ (k)), k);
    for (const k of ASSIST_FROM_CUSTOMER) assert.ok(KINDS_FROM_CUSTOMER.includes(/** @type {never} */ (k)), k);
    // Each of them is one-sided: a side that could send the other's kinds could answer itself.
    for (const k of ASSIST_FROM_AGENT) assert.ok(!KINDS_FROM_CUSTOMER.includes(/** @type {never} */ (k)), k);
    for (const k of ASSIST_FROM_CUSTOMER) assert.ok(!KINDS_FROM_AGENT.includes(/** @type {never} */ (k)), k);
  });

  // Threat: a customer's page (or a confused customer side) impersonating the agent's tools, or an
  // agent forging the customer's answers (a fake `done` for an action the customer refused).
  test('a well-formed message of the other side is app-bad-message, not carried out', () => {
    assert.deepEqual(validateCustomerMessage({ k: 'act', n: 1, a: 'click', e: 3, id: 4 }), { ok: false, ignored: false, code: 'app-bad-message' });
    assert.deepEqual(validateCustomerMessage({ k: 'clear' }), { ok: false, ignored: false, code: 'app-bad-message' });
    assert.deepEqual(validateAgentMessage({ k: 'done', n: 1 }), { ok: false, ignored: false, code: 'app-bad-message' });
    assert.deepEqual(validateAgentMessage({ k: 'caps', granted: [], grantable: [], asked: [] }), { ok: false, ignored: false, code: 'app-bad-message' });
  });
});

describe('capabilityOf', () => {
  test('tools need annotate; each action its own capability; hello, bye, ping, resync and ask none', () => {
    for (const k of ['laser', 'mark', 'draw', 'clear']) {
      const msg = /** @type {any} */ ({ laser: { k, e: 1 }, mark: { k, e: 1, id: 2, on: true }, draw: draw({}), clear: { k } }[k]);
      assert.ok(agentOk(msg), k);
      assert.equal(capabilityOf(msg), 'annotate', k);
    }
    /** @type {Record<string, Record<string, unknown>>} */
    const acts = {
      scroll: { a: 'scroll', id: 0, x: 0, y: 1 },
      type: { a: 'type', text: 'a' },
      key: { a: 'key', key: 'Tab' },
      select: { a: 'select', v: 'x' },
      check: { a: 'check', c: true },
      click: { a: 'click' },
      nav: { k: 'act', n: 1, a: 'nav', url: 'https://a.example/' },
    };
    const want = { scroll: 'scroll', type: 'type', key: 'type', select: 'type', check: 'type', click: 'click', nav: 'navigate' };
    assert.deepEqual(Object.keys(acts), [...ACTIONS], 'one case per action');
    for (const a of ACTIONS) {
      const msg = /** @type {any} */ (a === 'nav' ? acts.nav : act(acts[a]));
      assert.ok(agentOk(msg), a);
      assert.equal(capabilityOf(msg), want[a], a);
      assert.equal(ACTION_CAPABILITY[a], want[a], a);
      assert.ok(CAPABILITIES.includes(capabilityOf(msg) ?? /** @type {never} */ ('')), a);
    }
    for (const msg of [{ k: 'hello', app: 1, role: 'agent' }, { k: 'bye', reason: 'agent-left' }, { k: 'ping', t: 1 }, { k: 'resync' }, { k: 'ask', caps: ['click'] }]) {
      assert.ok(agentOk(msg), msg.k);
      assert.equal(capabilityOf(/** @type {any} */ (msg)), null, msg.k);
    }
  });

  // Threat: a caller that skips validation and asks what an `act` with `a: "constructor"` needs; a
  // lookup that found Object.prototype's member (or answered null, "needs nothing") would let the
  // message past the grant check. It fails closed instead.
  test('fails closed on what validation would have refused', () => {
    for (const a of ['constructor', 'toString', '__proto__', 'submit']) {
      assert.throws(() => capabilityOf(/** @type {any} */ ({ k: 'act', n: 1, a })), TypeError, a);
    }
    assert.throws(() => capabilityOf(/** @type {any} */ ({ k: 'future' })), TypeError);
    assert.throws(() => capabilityOf(/** @type {any} */ ({ k: 'done', n: 1 })), TypeError);
  });
});

describe('limits at their edges (built from LIMITS)', () => {
  test('limit app_max_draw_points: a draw with exactly that many points passes, one more does not', () => {
    const pts = (/** @type {number} */ n) => Array.from({ length: n }, (_, i) => [i, -i / 2]);
    assert.ok(agentOk(draw({ pts: pts(LIMITS.app_max_draw_points) })));
    assert.equal(agentCode(draw({ pts: pts(LIMITS.app_max_draw_points + 1) })), 'app-bad-message');
    assert.ok(agentOk(draw({ pts: [], end: true })), 'no points: ends a stroke');
  });

  test('limit app_max_type_chars: counted in UTF-16 code units, not code points', () => {
    const max = LIMITS.app_max_type_chars;
    assert.ok(agentOk(act({ a: 'type', text: 'x'.repeat(max) })));
    assert.equal(agentCode(act({ a: 'type', text: 'x'.repeat(max + 1) })), 'app-bad-message');
    assert.ok(agentOk(act({ a: 'type', text: '😀'.repeat(max / 2) })), 'max units of pairs');
    assert.equal(agentCode(act({ a: 'type', text: `${'😀'.repeat(max / 2)}x` })), 'app-bad-message', 'one unit over');
    assert.equal(agentCode(act({ a: 'type', text: '' })), 'app-bad-message', 'empty');
  });

  test('limit app_max_url_chars: a nav url of exactly that many UTF-16 units passes, one more does not', () => {
    const base = 'https://shop.example/';
    const url = (/** @type {number} */ n) => base + 'p'.repeat(n - base.length);
    const nav = (/** @type {string} */ u) => ({ k: 'act', n: 9, a: 'nav', url: u });
    assert.equal(url(LIMITS.app_max_url_chars).length, LIMITS.app_max_url_chars);
    assert.ok(agentOk(nav(url(LIMITS.app_max_url_chars))));
    assert.equal(agentCode(nav(url(LIMITS.app_max_url_chars + 1))), 'app-bad-message');
  });

  test('MAX_COORD_PX bounds every coordinate, both signs, fractions allowed', () => {
    const c = MAX_COORD_PX;
    for (const [x, y] of [[c, -c], [-c, c], [0.25, -0.125]]) {
      assert.ok(agentOk({ k: 'laser', e: 1, id: 1, x, y }), `laser ${x},${y}`);
      assert.ok(agentOk(draw({ pts: [[x, y]] })), `draw ${x},${y}`);
      assert.ok(agentOk(act({ a: 'scroll', id: 0, x, y })), `scroll ${x},${y}`);
    }
    for (const v of [c + 0.5, -c - 0.5, 1e300, -1e300, Number.MAX_VALUE]) {
      assert.equal(agentCode({ k: 'laser', e: 1, id: 1, x: v, y: 0 }), 'app-bad-message', `laser ${v}`);
      assert.equal(agentCode(draw({ pts: [[0, v]] })), 'app-bad-message', `draw ${v}`);
      assert.equal(agentCode(act({ a: 'scroll', id: 0, x: v, y: 0 })), 'app-bad-message', `scroll ${v}`);
    }
    // JSON text cannot hold NaN or Infinity, but 1e400 parses to Infinity.
    assert.equal(agentCode('{"k":"laser","e":1,"id":1,"x":1e400,"y":0}'), 'app-bad-message');
    assert.equal(agentCode('{"k":"draw","e":1,"s":1,"id":1,"pts":[[-1e400,0]],"end":false,"fade":0}'), 'app-bad-message');
  });

  test('MAX_STROKE_ID and MAX_FADE_MS bound draw.s and draw.fade', () => {
    assert.ok(agentOk(draw({ s: MAX_STROKE_ID })));
    assert.equal(agentCode(draw({ s: MAX_STROKE_ID + 1 })), 'app-bad-message');
    assert.equal(agentCode(draw({ s: 0 })), 'app-bad-message');
    assert.ok(agentOk(draw({ fade: MAX_FADE_MS })));
    assert.equal(agentCode(draw({ fade: MAX_FADE_MS + 1 })), 'app-bad-message');
    assert.ok(agentOk(draw({ fade: 0 })));
    assert.equal(agentCode(draw({ fade: -1 })), 'app-bad-message');
  });

  test('act.n is 1 … 2^53 - 1 and refused.n 0 … 2^53 - 1', () => {
    assert.ok(agentOk(act({ a: 'click', n: MAX_APP_INTEGER })));
    for (const n of [0, -1, 0.5, MAX_APP_INTEGER + 1, '1', null]) assert.equal(agentCode(act({ a: 'click', n })), 'app-bad-message', String(n));
    assert.ok(customerOk(refused({ n: MAX_APP_INTEGER })));
    assert.ok(customerOk(refused({ n: 0, a: 'draw' })));
    for (const n of [-1, 0.5, MAX_APP_INTEGER + 1]) assert.equal(customerOk(refused({ n })), false, String(n));
    assert.ok(customerOk({ k: 'done', n: MAX_APP_INTEGER }));
    assert.equal(customerOk({ k: 'done', n: 0 }), false);
  });

  test('MAX_DETAIL_CHARS counts code points: 200 astral characters pass, 201 do not', () => {
    assert.ok(customerOk(refused({ detail: '😀'.repeat(MAX_DETAIL_CHARS) })));
    assert.equal(customerOk(refused({ detail: '😀'.repeat(MAX_DETAIL_CHARS + 1) })), false);
    assert.ok(customerOk(refused({ detail: 'd'.repeat(MAX_DETAIL_CHARS) })));
    assert.equal(customerOk(refused({ detail: 'd'.repeat(MAX_DETAIL_CHARS + 1) })), false);
  });
});

describe('shapes the firewall must never see', () => {
  // Threat: the agent navigating the customer's tab to script (javascript:, data:), to local files
  // or browser pages. The firewall checks the origin again; the validator refuses the scheme first.
  test('nav takes only absolute http(s) URLs', () => {
    const nav = (/** @type {unknown} */ url) => agentCode({ k: 'act', n: 1, a: 'nav', url });
    for (const url of ['https://shop.example/', 'http://shop.example:8080/x?y#z', 'HTTPS://SHOP.EXAMPLE/']) assert.equal(nav(url), 'ok', url);
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'blob:https://shop.example/0b1c',
      'file:///etc/passwd',
      'chrome://settings',
      'chrome-extension://abcdefghijklmnop/popup.html',
      'about:blank',
      'ftp://shop.example/',
      'ws://shop.example/',
      '/relative',
      '//evil.example/',
      'shop.example',
      '',
    ]) {
      assert.equal(nav(url), 'app-bad-message', url);
    }
  });

  // Threat: a URL that reads one way to the customer and parses another way. The URL parser strips
  // tabs and newlines anywhere and trims spaces and controls, and takes "https:host" and "https:\\"
  // as "https://host", so the customer could approve "https://evil.example/\n.shop.example" while
  // reading its tail. The validator wants the URL as the parser would write it, give or take case.
  test('nav refuses URLs the parser would rewrite silently', () => {
    const nav = (/** @type {string} */ url) => agentCode({ k: 'act', n: 1, a: 'nav', url });
    for (const url of [
      ' https://shop.example/',
      'https://shop.example/ ',
      'https://shop.ex\tample/',
      'https://evil.example/\n.shop.example',
      'https://shop.example/\r',
      'https://shop.example/\u0000',
      'https://shop.example/\u007f',
      'https:shop.example/',
      'https:\\\\evil.example/',
      'https:/\\evil.example/',
    ]) {
      assert.equal(nav(url), 'app-bad-message', JSON.stringify(url));
    }
    assert.equal(nav('https://'), 'app-bad-message', 'no host: does not parse');
    assert.equal(nav('http://[::1/'), 'app-bad-message', 'unclosed IPv6 host: does not parse');
  });

  // Threat: typed control characters reaching the page as keys. "\r" is keyCode 13 to pages that
  // read keyCode (an Enter the firewall never saw: a submit); ESC sequences and NUL have no place in
  // a field. Only "\n" is let through, and the firewall decides what it means in each field.
  test('type text has no control character but a line feed', () => {
    assert.equal(agentCode(act({ a: 'type', text: 'one\ntwo' })), 'ok');
    for (let c = 0; c < 0x20; c++) {
      if (c === 0x0a) continue;
      assert.equal(agentCode(act({ a: 'type', text: `a${String.fromCharCode(c)}b` })), 'app-bad-message', `U+${c.toString(16)}`);
    }
    assert.equal(agentCode(act({ a: 'type', text: 'a\u007fb' })), 'app-bad-message', 'DEL');
    assert.equal(agentCode(act({ a: 'type', text: 'tab\u00a0nbsp é 世 😀' })), 'ok', 'other characters are text');
  });

  // Threat: a key outside the list (a function key, a modifier, a raw character) giving the agent
  // shortcuts the firewall does not reason about (Ctrl+Enter sends in many apps).
  test('key is one of KEYS exactly', () => {
    for (const key of KEYS) assert.equal(agentCode(act({ a: 'key', key })), 'ok', key);
    for (const key of ['enter', 'F5', 'Control', 'Meta', 'a', ' ', 'Backspace ', '', 13, null]) {
      assert.equal(agentCode(act({ a: 'key', key })), 'app-bad-message', String(key));
    }
    assert.equal(agentCode(act({ a: 'key', key: 'Enter', ctrlKey: true })), 'app-bad-message', 'no modifiers');
  });

  // Threat: members the firewall does not know riding along (a `selector` instead of an id, a
  // `force`, coordinates on a click that the runner might prefer over the id).
  test('every action takes exactly its members', () => {
    /** @type {[string, Record<string, unknown>][]} */
    const fine = [
      ['scroll', { id: 0, x: 0, y: 1 }],
      ['type', { text: 'a' }],
      ['key', { key: 'Tab' }],
      ['select', { v: '' }],
      ['check', { c: false }],
      ['click', {}],
    ];
    for (const [a, members] of fine) {
      /** @type {Record<string, unknown>} */
      const msg = act({ a, ...members });
      assert.equal(agentCode(msg), 'ok', a);
      for (const extra of ['selector', 'force', 'x', 'text', 'url']) {
        if (extra in msg) continue;
        assert.equal(agentCode({ ...msg, [extra]: 1 }), 'app-bad-message', `${a} + ${extra}`);
      }
      // And every member is required (without `k` it is not a message at all).
      for (const key of Object.keys(msg)) {
        const { [key]: _gone, ...without } = msg;
        assert.equal(agentCode(without), 'app-bad-message', `${a} - ${key}`);
      }
    }
    const nav = { k: 'act', n: 1, a: 'nav', url: 'https://a.example/' };
    for (const extra of ['e', 'id', 'target']) assert.equal(agentCode({ ...nav, [extra]: 1 }), 'app-bad-message', `nav + ${extra}`);
  });

  test('laser: id, x and y all three or none', () => {
    assert.equal(agentCode({ k: 'laser', e: 1 }), 'ok');
    assert.equal(agentCode({ k: 'laser', e: 1, id: 2, x: 3, y: 4 }), 'ok');
    for (const partial of [{ id: 2 }, { x: 3 }, { y: 4 }, { id: 2, x: 3 }, { id: 2, y: 4 }, { x: 3, y: 4 }]) {
      assert.equal(agentCode({ k: 'laser', e: 1, ...partial }), 'app-bad-message', JSON.stringify(partial));
    }
  });

  // Threat: a holey array (from a structured clone, not from JSON) read with `every`, which skips
  // holes, would hand `undefined` on as a point or a capability.
  test('holes in lists are refused', () => {
    const holey = [[0, 0]];
    holey.length = 3;
    assert.equal(agentCode(draw({ pts: holey })), 'app-bad-message');
    const caps = ['annotate'];
    caps.length = 2;
    assert.equal(customerOk({ k: 'caps', granted: [], grantable: caps, asked: [] }), false);
  });
});

describe('caps, done and refused', () => {
  test('caps: distinct names, granted within grantable, asked apart from granted', () => {
    const all = [...CAPABILITIES];
    assert.ok(customerOk({ k: 'caps', granted: all, grantable: all, asked: [] }));
    assert.ok(customerOk({ k: 'caps', granted: [], grantable: all, asked: all }));
    assert.ok(customerOk({ k: 'caps', granted: ['type'], grantable: ['click', 'type'], asked: ['click'] }));
    assert.equal(customerOk({ k: 'caps', granted: ['click'], grantable: ['type'], asked: [] }), false, 'granted outside grantable');
    assert.equal(customerOk({ k: 'caps', granted: ['type'], grantable: ['type'], asked: ['type'] }), false, 'asked and granted');
    assert.equal(customerOk({ k: 'caps', granted: [], grantable: ['type', 'type'], asked: [] }), false, 'a name twice');
    assert.equal(customerOk({ k: 'caps', granted: [], grantable: ['view'], asked: [] }), false, 'view');
  });

  test('refused: n 0 goes with a tool or ask, any other n with an action; why from REFUSAL_REASONS', () => {
    for (const a of [...TOOL_KINDS, 'ask']) {
      assert.ok(customerOk(refused({ n: 0, a })), `0 ${a}`);
      assert.equal(customerOk(refused({ n: 3, a })), false, `3 ${a}`);
    }
    for (const a of ACTIONS) {
      assert.ok(customerOk(refused({ n: 3, a })), `3 ${a}`);
      assert.equal(customerOk(refused({ n: 0, a })), false, `0 ${a}`);
    }
    for (const why of REFUSAL_REASONS) assert.ok(customerOk(refused({ why })), why);
    for (const why of ['', 'error', 'NOT-GRANTED', 'app-bad-message']) assert.equal(customerOk(refused({ why })), false, why);
    assert.equal(customerOk(refused({ a: 'hello', n: 0 })), false);
  });

  test('refusalOf answers an act with its n and action, a tool or an ask with n 0 and its kind', () => {
    const click = /** @type {any} */ ({ k: 'act', n: 12, a: 'click', e: 3, id: 44 });
    assert.deepEqual(refusalOf(click, 'finalizing', 'button “Pay”'), { k: 'refused', n: 12, a: 'click', why: 'finalizing', detail: 'button “Pay”' });
    assert.deepEqual(refusalOf(/** @type {any} */ ({ k: 'mark', e: 1, id: 2, on: true }), 'no-node', ''), { k: 'refused', n: 0, a: 'mark', why: 'no-node', detail: '' });
    assert.deepEqual(refusalOf(/** @type {any} */ ({ k: 'ask', caps: ['click'] }), 'not-grantable', 'click'), { k: 'refused', n: 0, a: 'ask', why: 'not-grantable', detail: 'click' });
    assert.deepEqual(refusalOf(/** @type {any} */ ({ k: 'act', n: 3, a: 'nav', url: 'https://x.example/' }), 'busy', '').a, 'nav');
  });

  test('refusalOf cuts detail to MAX_DETAIL_CHARS code points, never inside a pair, and the result validates', () => {
    const click = /** @type {any} */ ({ k: 'act', n: 1, a: 'click', e: 1, id: 1 });
    const long = refusalOf(click, 'finalizing', 'x'.repeat(MAX_DETAIL_CHARS * 3));
    assert.equal(long.detail, 'x'.repeat(MAX_DETAIL_CHARS));
    const pairs = refusalOf(click, 'finalizing', `a${'😀'.repeat(MAX_DETAIL_CHARS)}`);
    assert.equal(pairs.detail, `a${'😀'.repeat(MAX_DETAIL_CHARS - 1)}`);
    assert.ok(!/[\ud800-\udbff]$/.test(pairs.detail), 'no lone high surrogate at the end');
    for (const r of [long, pairs]) assert.ok(customerOk(r));
    const short = refusalOf(click, 'masked', 'field “Card number”');
    assert.equal(short.detail, 'field “Card number”');
  });
});

describe('the spec has one set of values: app.js, the schema, app.md and the vectors agree', () => {
  test('the schema states the enums and bounds of app.js and LIMITS', () => {
    assert.deepEqual(defs.capability.enum, [...CAPABILITIES]);
    assert.equal(defs.capability_list.maxItems, CAPABILITIES.length);
    assert.equal(defs.ask.properties.caps.maxItems, CAPABILITIES.length);
    assert.deepEqual(defs.refusal_reason.enum, [...REFUSAL_REASONS]);
    assert.deepEqual(defs.act_key.properties.key.enum, [...KEYS]);
    assert.deepEqual(defs.refused.oneOf[0].properties.a.enum, [...ACTIONS]);
    assert.deepEqual(defs.refused.oneOf[1].properties.a.enum, [...TOOL_KINDS, 'ask']);
    assert.deepEqual(defs.act.oneOf.map((/** @type {{$ref: string}} */ r) => r.$ref), ACTIONS.map((a) => `#/$defs/act_${a}`));
    for (const a of ACTIONS) assert.equal(defs[`act_${a}`].properties.a.const, a);
    assert.equal(defs.coord_px.maximum, MAX_COORD_PX);
    assert.equal(defs.coord_px.minimum, -MAX_COORD_PX);
    assert.equal(defs.draw.properties.pts.maxItems, LIMITS.app_max_draw_points);
    assert.equal(defs.draw.properties.s.maximum, MAX_STROKE_ID);
    assert.equal(defs.draw.properties.fade.maximum, MAX_FADE_MS);
    assert.equal(defs.act_type.properties.text.maxLength, LIMITS.app_max_type_chars);
    assert.equal(defs.act_nav.properties.url.maxLength, LIMITS.app_max_url_chars);
    assert.equal(defs.refusal_detail.maxLength, MAX_DETAIL_CHARS);
    assert.equal(defs.seq.maximum, MAX_APP_INTEGER);
  });

  test('app.md §7 names every capability, tool, action, key and refusal reason', () => {
    const md = read('app.md');
    const section = md.slice(md.indexOf('## 7.'));
    assert.ok(section.length > 1000, 'app.md has a §7');
    for (const name of [...CAPABILITIES, ...TOOL_KINDS, ...ACTIONS, ...KEYS, ...REFUSAL_REASONS, ...ASSIST_FROM_AGENT, ...ASSIST_FROM_CUSTOMER]) {
      assert.ok(section.includes(`\`${name}\``), name);
    }
    for (const name of ['app_max_marks', 'app_max_draw_points', 'app_max_stroke_points', 'app_max_strokes', 'app_max_type_chars',
      'app_max_url_chars', 'app_max_actions_per_second', 'app_max_refusals_per_second']) {
      assert.ok(name in LIMITS, `${name} in limits.json`);
      assert.ok(section.includes(`\`${name}\``) || md.includes(`| \`${name}\` |`), `${name} in app.md`);
    }
  });

  test('the vectors have an accepted and a refused case of every new kind and action, and every key', () => {
    /** The case's value (its JSON text parsed; {} for the cases of text that is not JSON). @param {any} c @returns {any} */
    const valueOf = (c) => {
      if (c.message !== undefined) return c.message;
      try {
        return JSON.parse(c.input);
      } catch {
        return {};
      }
    };
    /** @param {any} c */
    const kindOf = (c) => valueOf(c)?.k;
    /** @param {any} c */
    const actionOf = (c) => valueOf(c)?.a;
    for (const [kinds, from] of /** @type {const} */ ([[ASSIST_FROM_AGENT, 'agent'], [ASSIST_FROM_CUSTOMER, 'customer']])) {
      for (const k of kinds) {
        const mine = vectors.filter((c) => c.from === from && kindOf(c) === k);
        assert.ok(mine.some((c) => c.ok), `${k}: an ok case`);
        assert.ok(mine.some((c) => c.error === 'app-bad-message'), `${k}: a refused case`);
        const other = vectors.filter((c) => c.from !== from && kindOf(c) === k);
        assert.ok(other.some((c) => c.error === 'app-bad-message'), `${k}: from the wrong side`);
      }
    }
    const acts = vectors.filter((c) => c.from === 'agent' && kindOf(c) === 'act');
    for (const a of ACTIONS) {
      assert.ok(acts.some((c) => c.ok && actionOf(c) === a), `act ${a}: an ok case`);
      assert.ok(acts.some((c) => c.error && actionOf(c) === a), `act ${a}: a refused case`);
    }
    for (const key of KEYS) assert.ok(acts.some((c) => c.ok && c.message?.key === key), `key ${key}`);
  });
});
