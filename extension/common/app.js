// Validators of the app protocol (shared/protocol/app.md): the values the two extensions exchange
// inside send.data / recv.data. Pure: no chrome.*.
//
// Session kinds and the assistance kinds of §7 (ask, the tools, act, caps, done, refused) are
// checked in full. The mirror kinds (snap, part, snapend, m) are checked for their top-level
// members only: the viewer's Mirror validates every record and op itself (and desyncs on a bad
// one). Envelopes are strict — an unknown member of a known kind is app-bad-message — while an
// unknown kind is ignored (a newer peer may add kinds).
//
// Shape only: whether a capability is granted, an epoch current, a node known or an action safe
// is decided later, on the customer's side (app.md §7.4), and answered with `refused`.
// Schema: shared/protocol/schemas/app.schema.json; vectors: shared/protocol/vectors/app.json.

import { LIMITS } from '../dist/protocol.js';
import { has, isFiniteNumber, isIntegerIn, isPlainObject, measureJson, onlyMembers, utf8Length } from './json.js';

/** app.md's version, sent in hello.app. */
export const APP_VERSION = 1;
/** Largest node id, epoch or count (ids stay exact JavaScript integers). */
export const MAX_APP_INTEGER = Number.MAX_SAFE_INTEGER;
/** Longest hello.ua, in code points (JSON Schema's maxLength). */
export const MAX_UA_CHARS = 256;
/** Longest kind reported back for an ignored message (for counting and logs). */
const MAX_REPORTED_KIND_CHARS = 64;
/** Largest |x| or |y| of a tool or scroll coordinate, in CSS px (app.md §7): far beyond any real
 * page, small enough that nothing downstream has to think about precision or overflow. */
export const MAX_COORD_PX = 1_000_000;
/** Largest stroke number of `draw.s` (2^31 - 1: a stroke counter never needs more). */
export const MAX_STROKE_ID = 2_147_483_647;
/** Longest `draw.fade`, in ms. */
export const MAX_FADE_MS = 60_000;
/** Longest `refused.detail`, in code points (JSON Schema's maxLength). */
export const MAX_DETAIL_CHARS = 200;

export const BYE_REASONS = /** @type {const} */ (['customer-stopped', 'agent-left', 'denied', 'tab-closed', 'role-conflict', 'error']);
export const PAGE_STATES = /** @type {const} */ (['loading', 'url']);
/** What the agent may be allowed to do beyond seeing the tab (app.md §7.1); `view` is the join's
 * consent, not one of these. Closed in app version 1. */
export const CAPABILITIES = /** @type {const} */ (['annotate', 'scroll', 'type', 'navigate', 'click']);
/** The drawing tools (app.md §7.2); each needs `annotate`. */
export const TOOL_KINDS = /** @type {const} */ (['laser', 'mark', 'draw', 'clear']);
/** The actions of `act.a` (app.md §7.3). */
export const ACTIONS = /** @type {const} */ (['scroll', 'type', 'key', 'select', 'check', 'click', 'nav']);
/** The capability each action needs. */
export const ACTION_CAPABILITY = Object.freeze(
  /** @type {const} */ ({ scroll: 'scroll', type: 'type', key: 'type', select: 'type', check: 'type', click: 'click', nav: 'navigate' }),
);
/** The keys of `act` `key` (app.md §7.3). Enter is one: a line break in a textarea or
 * contenteditable, refused `submit` elsewhere (a refusal with a reason, not a silent drop). */
export const KEYS = /** @type {const} */ ([
  'Backspace', 'Delete', 'ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'Tab', 'Escape', 'Enter',
]);
/** Why the customer's side refused a tool, an action or an ask (`refused.why`, app.md §7.4). */
export const REFUSAL_REASONS = /** @type {const} */ ([
  'not-granted', 'not-grantable', 'revoked', 'stale', 'no-node', 'submit', 'finalizing', 'masked', 'not-editable', 'invalid',
  'origin', 'declined', 'busy', 'rate',
]);
/** What each side may send (app.md §3, §4, §7). */
export const KINDS_FROM_AGENT = /** @type {const} */ (['hello', 'bye', 'ping', 'resync', 'ask', ...TOOL_KINDS, 'act']);
export const KINDS_FROM_CUSTOMER = /** @type {const} */ ([
  'hello', 'consent', 'deny', 'bye', 'pong', 'page', 'snap', 'part', 'snapend', 'm', 'caps', 'done', 'refused',
]);
const KNOWN_KINDS = new Set([...KINDS_FROM_AGENT, ...KINDS_FROM_CUSTOMER]);
/** `refused.a` when `n` is 0: a tool or an ask (an action always has its own n ≥ 1). */
const UNNUMBERED_KINDS = /** @type {const} */ ([...TOOL_KINDS, 'ask']);

// A control character in typed text would reach the page as a key with that code (a "\r" is
// keyCode 13 to pages that read keyCode: Enter, a submit); "\n" is the one allowed, and is
// judged by the firewall. Tab is the `key` action.
const TEXT_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;
// A URL as the customer will read it: scheme and "//" spelled out, nothing the URL parser would
// silently strip or trim (tabs, newlines, spaces), so what is shown is what is parsed.
const NAV_URL = /^https?:\/\/[^\u0000-\u0020\u007f]*$/i;

/**
 * @typedef {keyof typeof import('../dist/protocol.js').ERRORS} ErrorCode
 * @typedef {'customer' | 'agent'} AppRole
 * @typedef {{k: 'hello', app: 1, role: AppRole, ua?: string}} HelloMsg
 * @typedef {{k: 'consent', view: true}} ConsentMsg
 * @typedef {{k: 'deny'}} DenyMsg
 * @typedef {{k: 'bye', reason: typeof BYE_REASONS[number]}} ByeMsg
 * @typedef {{k: 'ping', t: number}} PingMsg
 * @typedef {{k: 'pong', t: number}} PongMsg
 * @typedef {{k: 'resync'}} ResyncMsg
 * @typedef {{k: 'page', state: typeof PAGE_STATES[number], url: string}} PageMsg
 * @typedef {{name: string, publicId: string, systemId: string}} Doctype
 * @typedef {{k: 'snap', e: number, url: string, title: string, base: string, doctype: Doctype | null,
 *   vw: number, vh: number, sx: number, sy: number, total: number}} SnapMsg
 * @typedef {{k: 'part', e: number, first: number, n: unknown[]}} PartMsg  `n`: records, unchecked (the Mirror's job)
 * @typedef {{k: 'snapend', e: number, count: number}} SnapendMsg
 * @typedef {{k: 'm', e: number, ops: unknown[]}} BatchMsg  `ops`: unchecked (the Mirror's job)
 * @typedef {SnapMsg | PartMsg | SnapendMsg | BatchMsg} MirrorMsg
 *
 * @typedef {typeof CAPABILITIES[number]} Capability
 * @typedef {typeof TOOL_KINDS[number]} ToolKind
 * @typedef {typeof ACTIONS[number]} ActionName
 * @typedef {typeof KEYS[number]} KeyName
 * @typedef {typeof REFUSAL_REASONS[number]} RefusalReason
 * @typedef {{k: 'ask', caps: Capability[]}} AskMsg  1-5 distinct capabilities
 * @typedef {{k: 'laser', e: number, id?: undefined, x?: undefined, y?: undefined}
 *   | {k: 'laser', e: number, id: number, x: number, y: number}} LaserMsg  without id/x/y: hide the dot
 * @typedef {{k: 'mark', e: number, id: number, on: boolean}} MarkMsg
 * @typedef {{k: 'draw', e: number, s: number, id: number, pts: [number, number][], end: boolean, fade: number}} DrawMsg
 * @typedef {{k: 'clear'}} ClearMsg
 * @typedef {LaserMsg | MarkMsg | DrawMsg | ClearMsg} ToolMsg
 * @typedef {{k: 'act', n: number, a: 'scroll', e: number, id: number, x: number, y: number}} ScrollAct  id 0 = the window
 * @typedef {{k: 'act', n: number, a: 'type', e: number, id: number, text: string}} TypeAct
 * @typedef {{k: 'act', n: number, a: 'key', e: number, id: number, key: KeyName}} KeyAct
 * @typedef {{k: 'act', n: number, a: 'select', e: number, id: number, v: string}} SelectAct
 * @typedef {{k: 'act', n: number, a: 'check', e: number, id: number, c: boolean}} CheckAct
 * @typedef {{k: 'act', n: number, a: 'click', e: number, id: number}} ClickAct
 * @typedef {{k: 'act', n: number, a: 'nav', url: string}} NavAct
 * @typedef {ScrollAct | TypeAct | KeyAct | SelectAct | CheckAct | ClickAct | NavAct} ActMsg
 * @typedef {{k: 'caps', granted: Capability[], grantable: Capability[], asked: Capability[]}} CapsMsg
 * @typedef {{k: 'done', n: number}} DoneMsg
 * @typedef {{k: 'refused', n: number, a: ActionName | ToolKind | 'ask', why: RefusalReason, detail: string}} RefusedMsg
 *   `n` 0: a tool or an ask (`a` is its kind); otherwise the act's n (`a` its action)
 *
 * @typedef {HelloMsg | ByeMsg | PingMsg | ResyncMsg | AskMsg | ToolMsg | ActMsg} AgentMsg  what an agent sends
 * @typedef {HelloMsg | ConsentMsg | DenyMsg | ByeMsg | PongMsg | PageMsg | MirrorMsg | CapsMsg | DoneMsg | RefusedMsg} CustomerMsg
 *   what a customer sends
 * @typedef {AgentMsg | CustomerMsg} AppMessage
 */
/**
 * @template T
 * @typedef {{ok: true, msg: T} | {ok: false, ignored: true, kind: string} | {ok: false, ignored: false, code: ErrorCode}} AppResult
 *   `ignored`: a kind this version does not know (drop and count it); `code`: `app-bad-message`,
 *   `app-version-mismatch` (fatal), `role-conflict` (fatal), `app-message-too-large`.
 */

/**
 * A message received from the agent (the customer's side calls this on every recv.data, and on
 * what its viewer-less agent UI would send). Messages above app_max_inbound_agent_bytes are
 * refused before anything else is looked at.
 * @param {unknown} input the message, or its JSON text
 * @returns {AppResult<AgentMsg>}
 */
export function validateAgentMessage(input) {
  const cap = LIMITS.app_max_inbound_agent_bytes;
  if (typeof input === 'string') {
    if (input.length > cap || utf8Length(input) > cap) return fail('app-message-too-large');
  } else {
    const size = measureJson(input, { maxBytes: cap, maxDepth: LIMITS.max_json_depth });
    if (!size.ok) return fail(size.code === 'message-too-large' ? 'app-message-too-large' : 'app-bad-message');
  }
  return /** @type {AppResult<AgentMsg>} */ (validate(input, 'agent'));
}

/**
 * A message received from the customer (the agent's side: service worker and viewer).
 * @param {unknown} input the message, or its JSON text
 * @returns {AppResult<CustomerMsg>}
 */
export function validateCustomerMessage(input) {
  return /** @type {AppResult<CustomerMsg>} */ (validate(input, 'customer'));
}

/**
 * The capability the customer must have granted before an agent message reaches the page
 * (app.md §7): `annotate` for the tools, the action's for `act`, null for the kinds that need
 * none (hello, bye, ping, resync, ask).
 * Fails closed: anything else (a message that skipped validation, a kind of another side) throws
 * rather than come back as "needs nothing".
 * @param {AgentMsg} msg a validated agent message
 * @returns {Capability | null}
 */
export function capabilityOf(msg) {
  switch (msg.k) {
    case 'hello':
    case 'bye':
    case 'ping':
    case 'resync':
    case 'ask':
      return null;
    case 'laser':
    case 'mark':
    case 'draw':
    case 'clear':
      return 'annotate';
    case 'act':
      // Own members only: `constructor` or `toString` as an action must not find Object's.
      if (Object.hasOwn(ACTION_CAPABILITY, msg.a)) return ACTION_CAPABILITY[msg.a];
      break;
  }
  throw new TypeError(`capabilityOf: not a validated agent message (${String(/** @type {{k: unknown}} */ (msg).k).slice(0, 32)})`);
}

/**
 * The `refused` answer to a tool, an action or an ask (app.md §7.4), with `detail` cut to
 * MAX_DETAIL_CHARS code points (never inside a surrogate pair). `detail` is shown to the agent:
 * callers build it from describeElement-like labels, never from masked content.
 * @param {AskMsg | ToolMsg | ActMsg} msg the validated message refused
 * @param {RefusalReason} why
 * @param {string} detail
 * @returns {RefusedMsg}
 */
export function refusalOf(msg, why, detail) {
  return msg.k === 'act'
    ? { k: 'refused', n: msg.n, a: msg.a, why, detail: cutCodePoints(detail, MAX_DETAIL_CHARS) }
    : { k: 'refused', n: 0, a: msg.k, why, detail: cutCodePoints(detail, MAX_DETAIL_CHARS) };
}

/**
 * @param {unknown} input
 * @param {AppRole} from
 * @returns {AppResult<AppMessage>}
 */
function validate(input, from) {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch {
      return fail('app-bad-message');
    }
  }
  if (!isPlainObject(value) || typeof value.k !== 'string') return fail('app-bad-message');
  const m = value;
  const kind = /** @type {string} */ (m.k);
  if (!KNOWN_KINDS.has(/** @type {never} */ (kind))) {
    return { ok: false, ignored: true, kind: kind.slice(0, MAX_REPORTED_KIND_CHARS) };
  }
  const allowed = from === 'agent' ? KINDS_FROM_AGENT : KINDS_FROM_CUSTOMER;
  if (!allowed.includes(/** @type {never} */ (kind))) return fail('app-bad-message');
  const code = check(m, kind, from);
  return code ? fail(code) : { ok: true, msg: /** @type {AppMessage} */ (m) };
}

/**
 * @param {Record<string, unknown>} m a message of known kind `kind`
 * @param {string} kind
 * @param {AppRole} from
 * @returns {ErrorCode | null}
 */
function check(m, kind, from) {
  const bad = 'app-bad-message';
  switch (kind) {
    case 'hello': {
      // The version first: a hello of another version may look different in every other way.
      if (!isIntegerIn(m.app, 1, MAX_APP_INTEGER)) return bad;
      if (m.app !== APP_VERSION) return 'app-version-mismatch';
      if (!onlyMembers(m, ['k', 'app', 'role', 'ua']) || (m.role !== 'customer' && m.role !== 'agent')) return bad;
      if (has(m, 'ua') && !(typeof m.ua === 'string' && codePoints(m.ua) <= MAX_UA_CHARS)) return bad;
      return m.role === from ? null : 'role-conflict';
    }
    case 'consent':
      return onlyMembers(m, ['k', 'view']) && m.view === true ? null : bad;
    case 'deny':
    case 'resync':
      return onlyMembers(m, ['k']) ? null : bad;
    case 'bye':
      return onlyMembers(m, ['k', 'reason']) && BYE_REASONS.includes(/** @type {never} */ (m.reason)) ? null : bad;
    case 'ping':
    case 'pong':
      return onlyMembers(m, ['k', 't']) && isFiniteNumber(m.t) ? null : bad;
    case 'page':
      return onlyMembers(m, ['k', 'state', 'url']) && PAGE_STATES.includes(/** @type {never} */ (m.state)) && typeof m.url === 'string'
        ? null
        : bad;
    case 'snap':
      if (!onlyMembers(m, ['k', 'e', 'url', 'title', 'base', 'doctype', 'vw', 'vh', 'sx', 'sy', 'total']) || !isEpoch(m.e)) return bad;
      if (typeof m.url !== 'string' || typeof m.title !== 'string' || typeof m.base !== 'string') return bad;
      if (!isDoctype(m.doctype)) return bad;
      if (!isSize(m.vw) || !isSize(m.vh) || !isFiniteNumber(m.sx) || !isFiniteNumber(m.sy)) return bad;
      return isIntegerIn(m.total, 0, MAX_APP_INTEGER) ? null : bad;
    case 'part':
      if (!onlyMembers(m, ['k', 'e', 'first', 'n']) || !isEpoch(m.e) || !isIntegerIn(m.first, 1, MAX_APP_INTEGER)) return bad;
      return Array.isArray(m.n) && m.n.length >= 1 && m.n.length <= LIMITS.mirror_part_records ? null : bad;
    case 'snapend':
      return onlyMembers(m, ['k', 'e', 'count']) && isEpoch(m.e) && isIntegerIn(m.count, 0, MAX_APP_INTEGER) ? null : bad;
    case 'm':
      return onlyMembers(m, ['k', 'e', 'ops']) && isEpoch(m.e) && Array.isArray(m.ops) ? null : bad;
    case 'ask':
      return onlyMembers(m, ['k', 'caps']) && isCapabilityList(m.caps, 1) ? null : bad;
    case 'laser': {
      if (!onlyMembers(m, ['k', 'e', 'id', 'x', 'y']) || !isEpoch(m.e)) return bad;
      // All three or none: a dot needs both its anchor and its place, a hide needs neither.
      const placed = [has(m, 'id'), has(m, 'x'), has(m, 'y')];
      if (!placed.some(Boolean)) return null;
      return placed.every(Boolean) && isNodeId(m.id) && isCoord(m.x) && isCoord(m.y) ? null : bad;
    }
    case 'mark':
      return onlyMembers(m, ['k', 'e', 'id', 'on']) && isEpoch(m.e) && isNodeId(m.id) && typeof m.on === 'boolean' ? null : bad;
    case 'draw':
      if (!onlyMembers(m, ['k', 'e', 's', 'id', 'pts', 'end', 'fade']) || !isEpoch(m.e) || !isNodeId(m.id)) return bad;
      if (!isIntegerIn(m.s, 1, MAX_STROKE_ID) || typeof m.end !== 'boolean' || !isIntegerIn(m.fade, 0, MAX_FADE_MS)) return bad;
      return isPointList(m.pts) ? null : bad;
    case 'clear':
      return onlyMembers(m, ['k']) ? null : bad;
    case 'act':
      return checkAct(m);
    case 'caps': {
      if (!onlyMembers(m, ['k', 'granted', 'grantable', 'asked'])) return bad;
      if (!isCapabilityList(m.granted, 0) || !isCapabilityList(m.grantable, 0) || !isCapabilityList(m.asked, 0)) return bad;
      const { granted, grantable, asked } = /** @type {{granted: string[], grantable: string[], asked: string[]}} */ (m);
      // A grant is always something the settings allow; a capability is either held or asked.
      if (!granted.every((c) => grantable.includes(c))) return bad;
      return asked.some((c) => granted.includes(c)) ? bad : null;
    }
    case 'done':
      return onlyMembers(m, ['k', 'n']) && isIntegerIn(m.n, 1, MAX_APP_INTEGER) ? null : bad;
    case 'refused': {
      if (!onlyMembers(m, ['k', 'n', 'a', 'why', 'detail']) || !isIntegerIn(m.n, 0, MAX_APP_INTEGER)) return bad;
      // n names an action; 0 stands for the unnumbered kinds, so each n says what it refuses.
      const names = /** @type {readonly string[]} */ (m.n === 0 ? UNNUMBERED_KINDS : ACTIONS);
      if (typeof m.a !== 'string' || !names.includes(m.a)) return bad;
      if (!REFUSAL_REASONS.includes(/** @type {never} */ (m.why))) return bad;
      return typeof m.detail === 'string' && codePoints(m.detail) <= MAX_DETAIL_CHARS ? null : bad;
    }
    default:
      return bad; // unreachable: every known kind has a case
  }
}

/**
 * An `act` (app.md §7.3): the sequence number, a known action, then exactly that action's members.
 * @param {Record<string, unknown>} m
 * @returns {ErrorCode | null}
 */
function checkAct(m) {
  const bad = 'app-bad-message';
  if (!isIntegerIn(m.n, 1, MAX_APP_INTEGER) || typeof m.a !== 'string') return bad;
  const onNode = (/** @type {string[]} */ extra) => onlyMembers(m, ['k', 'n', 'a', 'e', 'id', ...extra]) && isEpoch(m.e) && isNodeId(m.id);
  switch (m.a) {
    case 'scroll':
      // id 0 is the window, so the node check is not onNode's.
      if (!onlyMembers(m, ['k', 'n', 'a', 'e', 'id', 'x', 'y']) || !isEpoch(m.e)) return bad;
      return isIntegerIn(m.id, 0, MAX_APP_INTEGER) && isCoord(m.x) && isCoord(m.y) ? null : bad;
    case 'type':
      return onNode(['text']) && isTypedText(m.text) ? null : bad;
    case 'key':
      return onNode(['key']) && KEYS.includes(/** @type {never} */ (m.key)) ? null : bad;
    case 'select':
      return onNode(['v']) && typeof m.v === 'string' ? null : bad;
    case 'check':
      return onNode(['c']) && typeof m.c === 'boolean' ? null : bad;
    case 'click':
      return onNode([]) ? null : bad;
    case 'nav':
      return onlyMembers(m, ['k', 'n', 'a', 'url']) && isNavUrl(m.url) ? null : bad;
    default:
      return bad; // not an action of this version (app.md §6: a closed set)
  }
}

/** @param {unknown} v @returns {v is string} */
function isTypedText(v) {
  return typeof v === 'string' && v.length >= 1 && v.length <= LIMITS.app_max_type_chars && !TEXT_CONTROL.test(v);
}

/**
 * An absolute http(s) URL of at most app_max_url_chars UTF-16 units, that the URL parser takes
 * as it is. Whether its origin is allowed is the firewall's question (app.md §7.4), not the shape's.
 * @param {unknown} v @returns {v is string}
 */
function isNavUrl(v) {
  if (typeof v !== 'string' || v.length > LIMITS.app_max_url_chars || !NAV_URL.test(v)) return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * An array of distinct capability names, at least `min` of them (at most all five).
 * @param {unknown} v @param {number} min @returns {v is Capability[]}
 */
function isCapabilityList(v, min) {
  if (!Array.isArray(v) || v.length < min || v.length > CAPABILITIES.length) return false;
  for (let i = 0; i < v.length; i++) {
    if (!CAPABILITIES.includes(v[i]) || v.indexOf(v[i]) !== i) return false;
  }
  return true;
}

/**
 * At most app_max_draw_points [x, y] pairs. Indexed, not `every`: `every` skips holes.
 * @param {unknown} v @returns {v is [number, number][]}
 */
function isPointList(v) {
  if (!Array.isArray(v) || v.length > LIMITS.app_max_draw_points) return false;
  for (let i = 0; i < v.length; i++) {
    const p = v[i];
    if (!Array.isArray(p) || p.length !== 2 || !isCoord(p[0]) || !isCoord(p[1])) return false;
  }
  return true;
}

/** @param {unknown} v @returns {v is number} */
function isCoord(v) {
  return isFiniteNumber(v) && Math.abs(v) <= MAX_COORD_PX;
}

/** @param {unknown} v @returns {v is number} */
function isNodeId(v) {
  return isIntegerIn(v, 1, MAX_APP_INTEGER);
}

/** The first `max` code points of `s` (a surrogate pair is never split). @param {string} s @param {number} max */
function cutCodePoints(s, max) {
  if (s.length <= max) return s;
  let units = 0;
  let count = 0;
  while (units < s.length && count < max) {
    const c = s.charCodeAt(units);
    const pair = c >= 0xd800 && c <= 0xdbff && units + 1 < s.length && isLow(s.charCodeAt(units + 1));
    units += pair ? 2 : 1;
    count++;
  }
  return s.slice(0, units);
}

/** @param {number} c */
function isLow(c) {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Length in Unicode code points (a surrogate pair counts once). @param {string} s */
function codePoints(s) {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** @param {unknown} v @returns {v is number} */
function isEpoch(v) {
  return isIntegerIn(v, 1, MAX_APP_INTEGER);
}

/** @param {unknown} v @returns {v is number} */
function isSize(v) {
  return isFiniteNumber(v) && v >= 0;
}

/** @param {unknown} v @returns {v is Doctype | null} */
function isDoctype(v) {
  if (v === null) return true;
  return (
    isPlainObject(v) &&
    onlyMembers(v, ['name', 'publicId', 'systemId']) &&
    typeof v.name === 'string' &&
    typeof v.publicId === 'string' &&
    typeof v.systemId === 'string'
  );
}

/** @param {ErrorCode} code @returns {{ok: false, ignored: false, code: ErrorCode}} */
function fail(code) {
  return { ok: false, ignored: false, code };
}
