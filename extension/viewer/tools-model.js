// Pure logic of the agent's tools in the viewer (app.md §7): what the toolbar shows for each
// capability, what a refusal says to a person, and the helpers that turn pointer, wheel and
// keyboard input into protocol messages (stroke batching, text coalescing, a local rate budget,
// scroll targets, key mapping, coordinate transforms). No chrome.*, no DOM: tools.js wires these
// to the viewer page and the mirror; tests/js/unit/viewer-tools.test.mjs tests them in Node.
//
// Everything the customer sends here (caps, done, refused) is untrusted: it is parsed into fresh
// objects of known members, and the only free text (a refusal's detail) is cleaned and cut before
// it is shown (always as text, never as markup).

import { LIMITS } from '../dist/protocol.js';
import { ACTION_CAPABILITY, CAPABILITIES, KEYS, MAX_COORD_PX, MAX_DETAIL_CHARS, MAX_STROKE_ID, validateCustomerMessage } from '../common/app.js';

export { MAX_COORD_PX, MAX_DETAIL_CHARS, MAX_STROKE_ID };

/**
 * @typedef {import('../common/app.js').Capability} Capability
 * @typedef {import('../common/app.js').KeyName} KeyName
 * @typedef {import('../common/app.js').CapsMsg} CapsMsg
 * @typedef {import('../common/app.js').DoneMsg} DoneMsg
 * @typedef {import('../common/app.js').RefusedMsg} RefusedMsg
 * @typedef {'unknown'|'not-grantable'|'ask'|'waiting'|'granted'|'declined'} CapState
 *   `unknown`: no `caps` from the customer yet; `ask`: grantable, not granted, not asked;
 *   `waiting`: asked, the customer has not decided; `declined`: the customer said no to the last ask
 * @typedef {{x: number, y: number}} Point
 */

/**
 * A protocol limit from limits.json (dist/protocol.js). Read by name so that a missing one fails
 * loudly here, at load, instead of sending what the customer refuses.
 * @param {string} name
 * @returns {number}
 */
function limit(name) {
  const v = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (LIMITS))[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw new Error(`shared/protocol/limits.json has no ${name} (run node tools/build-extension.mjs)`);
  }
  return v;
}

/** Points in one `draw` message (app.md §7). */
export const MAX_DRAW_POINTS = limit('app_max_draw_points');
/** Points in one stroke; a longer drag goes on as a new stroke from the last point. */
export const MAX_STROKE_POINTS = limit('app_max_stroke_points');
/** Live strokes on the customer's page (oldest dropped); the viewer's own copy keeps as many. */
export const MAX_STROKES = limit('app_max_strokes');
/** Live marks on the customer's page (oldest dropped); the viewer's own copy keeps as many. */
export const MAX_MARKS = limit('app_max_marks');
/** UTF-16 units of text in one `act type`. */
export const MAX_TYPE_CHARS = limit('app_max_type_chars');
/** Longest URL in `act nav`. */
export const MAX_URL_CHARS = limit('app_max_url_chars');
/** The customer's action budget per second (token bucket, burst as large). */
export const CUSTOMER_ACTIONS_PER_SECOND = limit('app_max_actions_per_second');

/** The viewer's own action budget: below the customer's, so that an agent who types and scrolls
 * quickly never meets `rate` (network jitter can bunch a second's actions together). */
export const ACTS_PER_SECOND = Math.floor(CUSTOMER_ACTIONS_PER_SECOND * 0.8);
/** Scroll actions are absolute targets: one every this many ms loses nothing and leaves the
 * rest of the budget for typing. */
export const SCROLL_INTERVAL_MS = 50;
/** A scroll target sent this recently is the base of the next one (the customer's echo — the
 * mirror's scroll position — lags behind by a round trip). */
export const SCROLL_SETTLE_MS = 500;
/** Pixels per line for wheel events in line mode. */
export const WHEEL_LINE_PX = 40;
/** Discrete actions (click, key, select, check, nav) waiting for the budget; more are dropped. */
export const MAX_QUEUED_ACTS = 32;
/** Text typed or pasted faster than it can be sent is buffered up to this many UTF-16 units. */
export const MAX_TYPE_BUFFER_CHARS = 16 * MAX_TYPE_CHARS;
/** Actions remembered until their `done` / `refused` (older ones are forgotten). */
export const MAX_PENDING_ACTS = 256;
/** A tool refusal (n 0) of the same kind and reason is shown at most once in this many ms: tools
 * are sent per frame, and one refused stroke would otherwise flood the agent with toasts. */
export const TOOL_REFUSAL_QUIET_MS = 4000;
/** An `ask` the customer's side has not acknowledged (in `caps.asked` or `caps.granted`) within
 * this long no longer shows as waiting (the Ask button comes back). */
export const ASK_ACK_TIMEOUT_MS = 10_000;
/** "Fade after 3 s" (the draw tool's toggle): `draw.fade`. */
export const DRAW_FADE_MS = 3000;


/** Which capability each tool kind and action needs. */
export const CAPABILITY_OF = Object.freeze(/** @type {Record<string, Capability>} */ ({
  laser: 'annotate', mark: 'annotate', draw: 'annotate', clear: 'annotate', ...ACTION_CAPABILITY,
}));

/** What the toolbar calls each capability. */
export const CAPABILITY_LABELS = Object.freeze(/** @type {Record<Capability, string>} */ ({
  annotate: 'Annotate', scroll: 'Scroll', type: 'Type', navigate: 'Open page', click: 'Click',
}));

/** The order of the capability chips in the toolbar. */
export const CAPABILITY_ORDER = /** @type {readonly Capability[]} */ (['annotate', 'scroll', 'type', 'click', 'navigate']);

/** The words each capability state shows. */
export const CAP_STATE_WORDS = Object.freeze(/** @type {Record<CapState, string>} */ ({
  unknown: '…',
  'not-grantable': 'Not allowed',
  ask: 'Not granted',
  waiting: 'Waiting for the customer',
  granted: 'Granted',
  declined: 'Declined',
}));

// ---------------------------------------------------------------------------------------------
// Parsing what the customer sends

/**
 * One of the assistance messages the customer sends (`caps`, `done`, `refused`), validated in full
 * by the app validators (the worker checked it already; the viewer does not rely on that), as a
 * fresh object; a refusal's detail is cleaned for display. Null for anything else.
 * @param {unknown} d
 * @returns {CapsMsg | DoneMsg | RefusedMsg | null}
 */
export function parseAssist(d) {
  const checked = validateCustomerMessage(d);
  if (!checked.ok) return null;
  const m = checked.msg;
  switch (m.k) {
    case 'caps':
      return { k: 'caps', granted: [...m.granted], grantable: [...m.grantable], asked: [...m.asked] };
    case 'done':
      return { k: 'done', n: m.n };
    case 'refused':
      return { k: 'refused', n: m.n, a: m.a, why: m.why, detail: cleanDetail(m.detail) };
    default:
      return null;
  }
}

/**
 * A refusal's detail as it may be shown: control and bidirectional-override characters (which
 * could make the text read as something else) become spaces, runs of space collapse, and it is
 * cut to MAX_DETAIL_CHARS without splitting a surrogate pair.
 * @param {string} s
 */
export function cleanDetail(s) {
  const flat = s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.slice(0, cutIndex(flat, MAX_DETAIL_CHARS));
}

/**
 * The largest index ≤ max that does not fall between the two halves of a surrogate pair.
 * @param {string} s
 * @param {number} max
 */
export function cutIndex(s, max) {
  if (s.length <= max) return s.length;
  const c = s.charCodeAt(max - 1);
  return c >= 0xd800 && c <= 0xdbff ? max - 1 : max;
}

// ---------------------------------------------------------------------------------------------
// Capabilities: what the toolbar shows

/**
 * The customer's capability state as the viewer knows it: the latest `caps`, plus what the
 * viewer itself did (asks not yet acknowledged) and inferred (an ask that went away without a
 * grant was declined — `caps` has no "declined" list).
 */
export class CapsTracker {
  /** @param {number} [ackTimeoutMs] */
  constructor(ackTimeoutMs = ASK_ACK_TIMEOUT_MS) {
    this._ackTimeoutMs = ackTimeoutMs;
    this._known = false;
    /** @type {Set<Capability>} */ this._granted = new Set();
    /** @type {Set<Capability>} */ this._grantable = new Set();
    /** @type {Set<Capability>} */ this._asked = new Set();
    /** @type {Set<Capability>} */ this._declined = new Set();
    /** @type {Map<Capability, number>} asks sent, not yet seen in `caps` → sent at */
    this._askSent = new Map();
  }

  /** A `caps` arrived. Returns what changed in the grants. @param {CapsMsg} caps @returns {{granted: Capability[], revoked: Capability[]}} */
  update(caps) {
    /** @type {Capability[]} */ const granted = [];
    /** @type {Capability[]} */ const revoked = [];
    for (const c of CAPABILITIES) {
      const isGranted = caps.granted.includes(c);
      const isAsked = caps.asked.includes(c);
      if (isGranted && !this._granted.has(c)) granted.push(c);
      if (!isGranted && this._granted.has(c)) revoked.push(c);
      if (isGranted || isAsked || !caps.grantable.includes(c)) this._askSent.delete(c);
      if (isGranted || isAsked) this._declined.delete(c);
      // It was waiting for the customer and is neither waiting nor granted now: declined. (An ask
      // sent after this caps was made is still in _askSent and keeps it waiting.)
      else if (this._asked.has(c) && !this._askSent.has(c)) this._declined.add(c);
    }
    this._granted = new Set(caps.granted);
    this._grantable = new Set(caps.grantable);
    this._asked = new Set(caps.asked);
    this._known = true;
    return { granted, revoked };
  }

  /** The viewer sent `ask` for these. @param {Capability[]} caps @param {number} now */
  asking(caps, now) {
    for (const c of caps) {
      this._askSent.set(c, now);
      this._declined.delete(c);
    }
  }

  /**
   * An `ask` was refused (n 0): nothing is waiting on the viewer's side any more. `declined`
   * (the customer said no) marks what was waiting as declined even if no `caps` ever showed it
   * asked (the refusal names no capability in a machine-readable way; its detail is for people).
   * @param {string} why
   */
  askRefused(why) {
    if (why === 'declined') for (const c of new Set([...this._askSent.keys(), ...this._asked])) this._declined.add(c);
    this._askSent.clear();
  }

  /** @param {Capability} c */
  isGranted(c) {
    return this._granted.has(c);
  }

  get known() {
    return this._known;
  }

  /** @param {Capability} c @param {number} now @returns {CapState} */
  state(c, now) {
    if (!this._known) return 'unknown';
    if (this._granted.has(c)) return 'granted';
    if (!this._grantable.has(c)) return 'not-grantable';
    const sent = this._askSent.get(c);
    if (sent !== undefined && now - sent < this._ackTimeoutMs) return 'waiting';
    // Declined (by a refusal) before the caps that drops it from `asked` arrived.
    if (this._declined.has(c)) return 'declined';
    if (this._asked.has(c)) return 'waiting';
    return 'ask';
  }

  /** May the agent ask for `c` now (the Ask button shows)? @param {Capability} c @param {number} now */
  canAsk(c, now) {
    const s = this.state(c, now);
    return s === 'ask' || s === 'declined';
  }

  /** The session ended. */
  reset() {
    this._known = false;
    this._granted.clear();
    this._grantable.clear();
    this._asked.clear();
    this._declined.clear();
    this._askSent.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Refusals: what the agent reads

/** @type {Record<string, string>} */
const ACTION_WORDS = {
  click: 'click', type: 'typing', key: 'key', select: 'choosing an option', check: 'ticking a box',
  scroll: 'scrolling', nav: 'opening a page', laser: 'the pointer', mark: 'highlighting', draw: 'drawing', clear: 'clearing', ask: 'asking',
};

/**
 * The toast for a refusal. `a` is the action (or tool kind); `detail` is already cleaned.
 * @param {{a: string, why: string, detail: string}} r
 */
export function refusalText(r) {
  const d = r.detail ? ` — ${r.detail}` : '';
  const cap = CAPABILITY_OF[r.a];
  const capName = cap ? `“${CAPABILITY_LABELS[cap]}”` : 'that';
  switch (r.why) {
    case 'finalizing':
      return `Blocked: the customer must do this themselves${d}`;
    case 'submit':
      return `Blocked: the customer must send this form themselves${d}`;
    case 'masked':
      return `Blocked: a private field — only the customer may fill it in${d}`;
    case 'origin':
      return `Blocked: that address is outside the sites you may open${d}`;
    case 'not-granted':
      return `Not allowed: the customer has not granted ${capName}${d}`;
    case 'not-grantable':
      return `The customer’s settings never allow ${capName}${d}`;
    case 'revoked':
      return `Stopped: the customer took back ${capName}${d}`;
    case 'stale':
      return 'The page changed before that arrived — try again';
    case 'no-node':
      return `That element is no longer on the page${d}`;
    case 'not-editable':
      return `Not a field you can ${r.a === 'select' ? 'choose an option in' : r.a === 'check' ? 'tick' : 'type into'}${d}`;
    case 'invalid':
      return `That did not work${d}`;
    case 'declined':
      return r.a === 'nav' ? `The customer declined to open the page${d}` : `The customer declined${d}`;
    case 'busy':
      return 'The customer has not answered your last page proposal yet';
    case 'rate':
      return r.a === 'ask'
        ? 'The customer just declined — wait a few seconds before asking again'
        : `Too fast: some ${ACTION_WORDS[r.a] ?? 'actions'} did not reach the customer`;
    default:
      return `Refused (${r.why.replace(/[^a-z0-9-]/gi, '')})${d}`;
  }
}

/**
 * Lets a refusal through at most once per key per `quietMs` (tool refusals: key = kind and reason).
 */
export class RefusalGate {
  /** @param {number} [quietMs] */
  constructor(quietMs = TOOL_REFUSAL_QUIET_MS) {
    this._quietMs = quietMs;
    /** @type {Map<string, number>} */
    this._last = new Map();
  }

  /** @param {string} key @param {number} now @returns {boolean} show it */
  admit(key, now) {
    const last = this._last.get(key);
    if (last !== undefined && now - last < this._quietMs) return false;
    this._last.delete(key);
    this._last.set(key, now);
    // Keys come from the customer's words: keep the map small whatever it sends.
    if (this._last.size > 64) {
      const oldest = this._last.keys().next().value;
      if (oldest !== undefined) this._last.delete(oldest);
    }
    return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Actions: sequence numbers, what is pending, the local budget

/**
 * @template T
 * Sequence numbers for `act.n` (1, 2, …) and what each pending action was about, until its
 * `done` or `refused`; at most `max` remembered (a customer that never answers costs nothing).
 */
export class PendingActs {
  /** @param {number} [max] */
  constructor(max = MAX_PENDING_ACTS) {
    this._max = max;
    this._next = 1;
    /** @type {Map<number, T>} */
    this._open = new Map();
  }

  /** @param {T} info @returns {number} the action's n */
  open(info) {
    const n = this._next;
    this._next = n >= Number.MAX_SAFE_INTEGER ? 1 : n + 1;
    this._open.set(n, info);
    if (this._open.size > this._max) {
      const oldest = this._open.keys().next().value;
      if (oldest !== undefined) this._open.delete(oldest);
    }
    return n;
  }

  /** `done` or `refused` for n: what it was, or null (unknown, forgotten or answered before). @param {number} n @returns {T | null} */
  settle(n) {
    const info = this._open.get(n);
    if (info === undefined) return null;
    this._open.delete(n);
    return info;
  }

  /** @param {(info: T) => boolean} pred @returns {boolean} */
  some(pred) {
    for (const info of this._open.values()) if (pred(info)) return true;
    return false;
  }

  get size() {
    return this._open.size;
  }

  clear() {
    this._open.clear();
  }
}

/** A token bucket: `rate` per second, at most `burst` saved up. Time is passed in (ms). */
export class TokenBucket {
  /** @param {number} rate @param {number} burst @param {number} now */
  constructor(rate, burst, now) {
    this._rate = rate;
    this._burst = burst;
    this._tokens = burst;
    this._at = now;
  }

  /** @param {number} now */
  _refill(now) {
    if (now > this._at) {
      this._tokens = Math.min(this._burst, this._tokens + ((now - this._at) * this._rate) / 1000);
      this._at = now;
    }
  }

  /** Takes one token. @param {number} now @returns {boolean} */
  take(now) {
    this._refill(now);
    if (this._tokens < 1) return false;
    this._tokens -= 1;
    return true;
  }

  /** Whether a token is there (without taking it). @param {number} now */
  ready(now) {
    this._refill(now);
    return this._tokens >= 1;
  }
}

/**
 * @typedef {{a: 'scroll', e: number, id: number, x: number, y: number}
 *   | {a: 'type', e: number, id: number, text: string}
 *   | {a: 'key', e: number, id: number, key: KeyName}
 *   | {a: 'select', e: number, id: number, v: string}
 *   | {a: 'check', e: number, id: number, c: boolean}
 *   | {a: 'click', e: number, id: number}
 *   | {a: 'nav', url: string}} QueuedAct  an `act` without its n
 */

/**
 * Discrete actions in the order the agent made them, waiting for the budget. Typed text joins
 * the last queued `type` for the same field (so keystrokes within a frame, or while the budget is
 * empty, go as one action of ≤ MAX_TYPE_CHARS), never jumping over a key or click made after it.
 */
export class ActQueue {
  constructor() {
    /** @type {QueuedAct[]} */
    this._items = [];
    this._textChars = 0;
  }

  /** @param {QueuedAct} act @returns {boolean} false: the queue is full, dropped */
  push(act) {
    if (act.a === 'type') return this.pushText(act.e, act.id, act.text) === act.text.length;
    if (this._items.filter((x) => x.a !== 'type').length >= MAX_QUEUED_ACTS) return false;
    this._items.push(act);
    return true;
  }

  /**
   * Queues typed text; returns how many UTF-16 units were accepted (the rest would exceed
   * MAX_TYPE_BUFFER_CHARS).
   * @param {number} e @param {number} id @param {string} text
   */
  pushText(e, id, text) {
    const room = MAX_TYPE_BUFFER_CHARS - this._textChars;
    const take = text.slice(0, cutIndex(text, Math.max(0, room)));
    let rest = take;
    while (rest.length > 0) {
      const tail = this._items[this._items.length - 1];
      if (tail && tail.a === 'type' && tail.e === e && tail.id === id && tail.text.length < MAX_TYPE_CHARS) {
        const k = cutIndex(rest, MAX_TYPE_CHARS - tail.text.length);
        if (k === 0) {
          this._items.push({ a: 'type', e, id, text: '' });
          continue;
        }
        tail.text += rest.slice(0, k);
        rest = rest.slice(k);
      } else {
        this._items.push({ a: 'type', e, id, text: '' });
      }
    }
    this._textChars += take.length;
    return take.length;
  }

  /** @returns {QueuedAct | undefined} */
  shift() {
    const act = this._items.shift();
    if (act && act.a === 'type') this._textChars -= act.text.length;
    return act;
  }

  /** Drops every queued action for which `pred` is true. @param {(a: QueuedAct) => boolean} pred */
  drop(pred) {
    this._items = this._items.filter((x) => !pred(x));
    this._textChars = this._items.reduce((n, x) => n + (x.a === 'type' ? x.text.length : 0), 0);
  }

  get length() {
    return this._items.length;
  }

  clear() {
    this._items = [];
    this._textChars = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing

/** One decimal: sub-pixel precision nobody sees costs bytes. @param {number} v */
export function round1(v) {
  const r = Math.round(v * 10) / 10;
  return Math.max(-MAX_COORD_PX, Math.min(MAX_COORD_PX, Object.is(r, -0) ? 0 : r));
}

/**
 * @typedef {{k: 'draw', e: number, s: number, id: number, pts: [number, number][], end: boolean, fade: number}} DrawMsg
 * @typedef {{s: number, e: number, id: number, fade: number, count: number, pending: [number, number][], ending: boolean, last: [number, number]}} StrokeState
 */

/**
 * Turns one drag into `draw` messages: points collect between frames and `take()` (once per frame)
 * returns them as messages of ≤ MAX_DRAW_POINTS points; a stroke reaching MAX_STROKE_POINTS ends
 * and the drag goes on as a new stroke that starts at its last point (same anchor). Stroke ids
 * count up from 1 for the session and wrap at MAX_STROKE_ID.
 */
export class StrokeBuilder {
  constructor() {
    this._nextS = 1;
    /** @type {StrokeState | null} */
    this._cur = null;
    /** @type {StrokeState[]} strokes that ended with points or the end still to send */
    this._closing = [];
  }

  /** @returns {number} */
  _allocate() {
    const s = this._nextS;
    this._nextS = s >= MAX_STROKE_ID ? 1 : s + 1;
    return s;
  }

  /**
   * Starts a stroke anchored at element `id` of epoch `e`; `p` is relative to the anchor.
   * A stroke still open is ended first.
   * @param {number} e @param {number} id @param {Point} p @param {number} fade
   * @returns {number} the stroke id
   */
  begin(e, id, p, fade) {
    if (this._cur) this.end();
    const pt = /** @type {[number, number]} */ ([round1(p.x), round1(p.y)]);
    this._cur = { s: this._allocate(), e, id, fade, count: 1, pending: [pt], ending: false, last: pt };
    return this._cur.s;
  }

  /**
   * Adds a point (relative to the anchor). Returns the id of a new stroke when the current one
   * was full and the drag continues as a new one, else 0.
   * @param {Point} p
   */
  add(p) {
    const cur = this._cur;
    if (!cur) return 0;
    const pt = /** @type {[number, number]} */ ([round1(p.x), round1(p.y)]);
    if (pt[0] === cur.last[0] && pt[1] === cur.last[1]) return 0;
    if (cur.count >= MAX_STROKE_POINTS) {
      cur.ending = true;
      this._closing.push(cur);
      const next = { s: this._allocate(), e: cur.e, id: cur.id, fade: cur.fade, count: 2, pending: [cur.last, pt], ending: false, last: pt };
      this._cur = next;
      return next.s;
    }
    cur.pending.push(pt);
    cur.count++;
    cur.last = pt;
    return 0;
  }

  /** The drag ended (the next take() sends end:true). */
  end() {
    if (!this._cur) return;
    this._cur.ending = true;
    this._closing.push(this._cur);
    this._cur = null;
  }

  /** The id of the stroke being drawn, or 0. */
  get current() {
    return this._cur ? this._cur.s : 0;
  }

  /** Drops the stroke being drawn and what is unsent (annotate revoked, epoch gone). */
  abandon() {
    this._cur = null;
    this._closing = [];
  }

  /** Whether take() has anything to send. */
  get busy() {
    return this._closing.length > 0 || (this._cur !== null && this._cur.pending.length > 0);
  }

  /** @returns {DrawMsg[]} the messages to send now, in order */
  take() {
    /** @type {DrawMsg[]} */
    const out = [];
    const all = this._cur ? [...this._closing, this._cur] : [...this._closing];
    this._closing = [];
    for (const st of all) {
      // The end needs a message even when no point is left: it repeats the last point (a
      // zero-length segment draws nothing).
      if (st.ending && st.pending.length === 0) st.pending.push(st.last);
      while (st.pending.length > 0) {
        const pts = st.pending.splice(0, MAX_DRAW_POINTS);
        out.push({ k: 'draw', e: st.e, s: st.s, id: st.id, pts, end: st.ending && st.pending.length === 0, fade: st.fade });
      }
    }
    return out;
  }
}

/**
 * The most recent `max` keys, oldest dropped first (the viewer's copy of marks and strokes keeps
 * what the customer's overlay keeps).
 * @template K
 */
export class BoundedSet {
  /** @param {number} max */
  constructor(max) {
    this._max = max;
    /** @type {Set<K>} */
    this._keys = new Set();
  }

  /** Adds `k` as the newest; returns the keys dropped to stay within max. @param {K} k @returns {K[]} */
  add(k) {
    this._keys.delete(k);
    this._keys.add(k);
    /** @type {K[]} */
    const dropped = [];
    while (this._keys.size > this._max) {
      const oldest = /** @type {K} */ (this._keys.values().next().value);
      this._keys.delete(oldest);
      dropped.push(oldest);
    }
    return dropped;
  }

  /** @param {K} k */
  has(k) {
    return this._keys.has(k);
  }

  /** @param {K} k */
  delete(k) {
    return this._keys.delete(k);
  }

  get size() {
    return this._keys.size;
  }

  values() {
    return [...this._keys];
  }

  clear() {
    this._keys.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Coordinates and scrolling

/**
 * A point of the viewer page (client px) in the mirror's own viewport (the customer's CSS px):
 * the mirror is drawn at the customer's viewport size, scaled by `scale` from the top left of
 * `box` (the scaled screen's client rect).
 * @param {number} clientX @param {number} clientY @param {{left: number, top: number}} box @param {number} scale
 * @returns {Point}
 */
export function toMirrorPoint(clientX, clientY, box, scale) {
  const s = scale > 0 ? scale : 1;
  return { x: (clientX - box.left) / s, y: (clientY - box.top) / s };
}

/**
 * A mirror point relative to an element's border-box top left (what laser and draw send).
 * @param {Point} p @param {{left: number, top: number}} rect
 * @returns {Point}
 */
export function relativeTo(p, rect) {
  return { x: round1(p.x - rect.left), y: round1(p.y - rect.top) };
}

/**
 * A wheel event's delta in CSS px.
 * @param {number} dx @param {number} dy @param {number} mode  WheelEvent.deltaMode (0 px, 1 lines, 2 pages)
 * @param {{w: number, h: number}} page  the scroller's visible size (for page mode)
 */
export function wheelPixels(dx, dy, mode, page) {
  const fx = mode === 1 ? WHEEL_LINE_PX : mode === 2 ? page.w : 1;
  const fy = mode === 1 ? WHEEL_LINE_PX : mode === 2 ? page.h : 1;
  const x = Number.isFinite(dx) ? dx * fx : 0;
  const y = Number.isFinite(dy) ? dy * fy : 0;
  return { dx: x, dy: y };
}

/**
 * Can a scroller at `pos` (max `max`) move by (dx, dy) at all?
 * @param {Point} pos @param {Point} max @param {number} dx @param {number} dy
 */
export function canScrollBy(pos, max, dx, dy) {
  const roomX = (dx > 0 && pos.x < max.x - 0.5) || (dx < 0 && pos.x > 0.5);
  const roomY = (dy > 0 && pos.y < max.y - 0.5) || (dy < 0 && pos.y > 0.5);
  return roomX || roomY;
}

/**
 * Scroll targets for `act scroll`: the mirror only moves when the customer's page did (its scroll
 * op echoes back), so a target sent within SCROLL_SETTLE_MS is the base of the next one instead of
 * the mirror's stale position; targets are clamped to [0, max] and whole pixels.
 */
export class ScrollPlanner {
  /** @param {number} [settleMs] */
  constructor(settleMs = SCROLL_SETTLE_MS) {
    this._settleMs = settleMs;
    /** @type {Map<string, {target: Point, at: number}>} */
    this._last = new Map();
  }

  /**
   * Where the scroller `key` is (or is about to be, after what was sent).
   * @param {string} key @param {Point} current @param {number} now
   * @returns {Point}
   */
  base(key, current, now) {
    const last = this._last.get(key);
    return last && now - last.at < this._settleMs ? last.target : current;
  }

  /**
   * @param {string} key  the scroller (epoch:id)
   * @param {Point} current  its scroll position in the mirror
   * @param {Point} max  its largest scroll position
   * @param {number} dx @param {number} dy
   * @param {number} now
   * @returns {Point} the target
   */
  plan(key, current, max, dx, dy, now) {
    const b = this.base(key, current, now);
    const clamp = (/** @type {number} */ v, /** @type {number} */ hi) => Math.round(Math.max(0, Math.min(Math.max(0, hi), v)));
    const target = { x: clamp(b.x + dx, max.x), y: clamp(b.y + dy, max.y) };
    this._last.set(key, { target, at: now });
    if (this._last.size > 64) {
      const oldest = this._last.keys().next().value;
      if (oldest !== undefined) this._last.delete(oldest);
    }
    return target;
  }

  clear() {
    this._last.clear();
  }
}

// ---------------------------------------------------------------------------------------------
// Hit testing in the mirror
//
// The Mirror keeps its document's root `inert`, and inert content is invisible to
// elementFromPoint. Lifting inertness for each test restyles the whole document (measured: ~50 ms
// per test on a 20,000-element page, ~800 ms on 100,000), far too slow for a pointer. The caret
// position APIs do their own hit test that ignores inertness and cost well under a millisecond;
// they land on the nearest text position though (an empty box over text gives the text below, an
// input or image gives its parent and an offset), so the element is then found geometrically:
// up to the first ancestor whose box holds the point, then down through the children that hold it
// (last first: later siblings paint on top).

/** Most element boxes one hit test reads (a page with thousands of siblings costs at most this). */
export const MAX_HIT_CHECKS = 400;

/**
 * @typedef {{nodeType: number, parentElement: HitNode | null, childNodes: ArrayLike<HitNode>,
 *   lastElementChild: HitNode | null, previousElementSibling: HitNode | null}} HitNode
 *   the parts of a Node this needs (tests pass plain objects)
 * @typedef {{left: number, top: number, right: number, bottom: number}} Box
 */

/** @param {Box} r @param {number} x @param {number} y */
function holds(r, x, y) {
  return x >= r.left && x < r.right && y >= r.top && y < r.bottom;
}

/**
 * The element at (x, y), starting from a caret position (offsetNode, offset) there.
 * @template {HitNode} N
 * @param {N} offsetNode @param {number} offset @param {number} x @param {number} y
 * @param {(el: N) => Box} boxOf
 * @param {(el: N) => boolean} takesPointer  false for children a click would go through
 *   (visibility hidden, pointer-events none)
 * @returns {N | null}
 */
export function elementAtCaret(offsetNode, offset, x, y, boxOf, takesPointer) {
  let checks = 0;
  /** @type {N | null} */
  let el = null;
  if (offsetNode.nodeType === 1) {
    // Between two children of an element (an input, an image, a box without text): the one of
    // the two that holds the point, else the element itself.
    const kids = offsetNode.childNodes;
    for (const k of [kids[offset], kids[offset - 1]]) {
      if (k && k.nodeType === 1 && (checks++, holds(boxOf(/** @type {N} */ (k)), x, y))) {
        el = /** @type {N} */ (k);
        break;
      }
    }
    el ??= offsetNode;
  } else {
    el = /** @type {N | null} */ (offsetNode.parentElement);
  }
  while (el && checks++ < MAX_HIT_CHECKS && !holds(boxOf(el), x, y)) el = /** @type {N | null} */ (el.parentElement);
  if (!el) return null;
  for (;;) {
    /** @type {N | null} */
    let next = null;
    for (let c = /** @type {N | null} */ (el.lastElementChild); c && checks < MAX_HIT_CHECKS; c = /** @type {N | null} */ (c.previousElementSibling)) {
      checks++;
      if (holds(boxOf(c), x, y) && takesPointer(c)) {
        next = c;
        break;
      }
    }
    if (!next) return el;
    el = next;
  }
}

// ---------------------------------------------------------------------------------------------
// Keyboard and fields

/**
 * What a keydown in the viewer's typing sink means.
 *   key:  a named key for `act key` (the viewer cancels its default);
 *   block: cancel it and send nothing (a named key with a modifier: Shift+Tab, Ctrl+Enter… have
 *          no equivalent in `act key`);
 *   pass: let the browser handle it; printable text arrives as an `input` event (so IME, dead
 *          keys and paste work).
 * @param {{key: string, ctrlKey: boolean, metaKey: boolean, altKey: boolean, shiftKey: boolean, isComposing: boolean}} ev
 * @returns {{t: 'key', key: KeyName} | {t: 'block'} | {t: 'pass'}}
 */
export function keyAction(ev) {
  if (ev.isComposing || ev.key === 'Process' || ev.key === 'Dead') return { t: 'pass' };
  const named = KEYS.find((k) => k === ev.key);
  if (!named) return { t: 'pass' };
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return { t: 'block' };
  if (ev.shiftKey && named === 'Tab') return { t: 'block' };
  return { t: 'key', key: named };
}

/**
 * The text an `input` event of the sink inserted, or '' when it inserted nothing to send
 * (deletions, undo, a composition still running). Line breaks become "\n".
 * @param {string} inputType @param {string} value  the sink's value (cleared after each event)
 * @param {boolean} composing
 */
export function insertedText(inputType, value, composing) {
  if (composing || !inputType.startsWith('insert')) return '';
  return typeableText(value);
}

/**
 * Text as `act type` may carry it: line breaks as "\n" (the firewall decides what a line break
 * means in the field), a tab as a space (Tab is a key of its own), other control characters
 * dropped (the validators refuse them: a "\r" would reach pages as keyCode 13, Enter).
 * @param {string} s
 */
export function typeableText(s) {
  return s.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '');
}

/** Input types the agent types into as text. */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'number', 'password']);

/**
 * @typedef {{localName: string, namespaceURI: string | null, getAttribute(name: string): string | null, parentElement: FieldElement | null}} FieldElement
 *   the parts of an Element this needs (tests pass plain objects)
 * @typedef {'text' | 'select' | 'check'} FieldKind
 */

const HTML_NS = 'http://www.w3.org/1999/xhtml';

/**
 * The field `el` belongs to — itself when it is an input, textarea or select; else the editing
 * host around it (the nearest `contenteditable` ancestor, unless that says false) — and what kind
 * it is. Null: not a field (or an input the agent does not type into: buttons, files, ranges…).
 * @template {FieldElement} E
 * @param {E | null} el
 * @returns {{el: E, kind: FieldKind} | null}
 */
export function fieldOf(el) {
  if (!el || el.namespaceURI !== HTML_NS) return null;
  const tag = el.localName;
  if (tag === 'input') {
    const type = (el.getAttribute('type') ?? 'text').trim().toLowerCase() || 'text';
    if (type === 'checkbox' || type === 'radio') return { el, kind: 'check' };
    return TEXT_INPUT_TYPES.has(type) ? { el, kind: 'text' } : null;
  }
  if (tag === 'textarea') return { el, kind: 'text' };
  if (tag === 'select') return { el, kind: 'select' };
  /** @type {E | null} */
  let cur = el;
  while (cur && cur.namespaceURI === HTML_NS) {
    const ce = cur.getAttribute('contenteditable');
    if (ce !== null) {
      const v = ce.trim().toLowerCase();
      return v === '' || v === 'true' || v === 'plaintext-only' ? { el: cur, kind: 'text' } : null;
    }
    cur = /** @type {E | null} */ (cur.parentElement);
  }
  return null;
}

/**
 * A short name for a field in the toolbar ("input “email”"), from what the mirror holds (the
 * customer side already masked it). At most 60 characters.
 * @param {FieldElement} el
 */
export function fieldLabel(el) {
  const name = ['aria-label', 'placeholder', 'name', 'id'].map((a) => el.getAttribute(a)?.trim() ?? '').find((v) => v.length > 0) ?? '';
  const tag = el.localName === 'input' ? `${(el.getAttribute('type') ?? 'text').toLowerCase() || 'text'} field` : el.localName === 'textarea' ? 'text area' : el.localName === 'select' ? 'list' : 'editable text';
  const label = name ? `${tag} “${cleanDetail(name).slice(0, 40)}”` : tag;
  return label.slice(0, cutIndex(label, 60));
}

// ---------------------------------------------------------------------------------------------
// Open page

/**
 * The URL to propose for what the agent typed: absolute http(s) URLs as they are; a path
 * ("/help", "?q", "#top", "./x") relative to the customer's page; a bare host ("shop.example/help")
 * as https. The customer's firewall decides about the origin.
 * @param {string} typed @param {string} pageUrl  the customer's current page ('' when unknown)
 * @returns {{ok: true, url: string} | {ok: false, problem: string}}
 */
export function proposalUrl(typed, pageUrl) {
  const t = typed.trim();
  if (t === '') return { ok: false, problem: 'Type the address of the page first' };
  const relative = /^(\/|\?|#|\.\.?\/)/.test(t);
  const hasScheme = /^[a-z][a-z0-9+.-]*:/i.test(t);
  /** @type {URL} */
  let u;
  try {
    if (relative) {
      if (!pageUrl) return { ok: false, problem: 'Type a full address (https://…)' };
      u = new URL(t, pageUrl);
    } else if (hasScheme && !/^[^:]+:\d/.test(t)) {
      u = new URL(t);
    } else {
      u = new URL(`https://${t}`);
    }
  } catch {
    return { ok: false, problem: 'That is not a web address' };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, problem: 'Only web addresses (http or https) can be proposed' };
  if (u.href.length > MAX_URL_CHARS) return { ok: false, problem: `That address is longer than ${MAX_URL_CHARS} characters` };
  return { ok: true, url: u.href };
}
