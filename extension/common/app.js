// Validators of the app protocol (shared/protocol/app.md): the values the two extensions exchange
// inside send.data / recv.data. Pure: no chrome.*.
//
// Session kinds are checked in full. The mirror kinds (snap, part, snapend, m) are checked for
// their top-level members only: the viewer's Mirror validates every record and op itself (and
// desyncs on a bad one). Envelopes are strict — an unknown member of a known kind is
// app-bad-message — while an unknown kind is ignored (a newer peer may add kinds).
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

export const BYE_REASONS = /** @type {const} */ (['customer-stopped', 'agent-left', 'denied', 'tab-closed', 'role-conflict', 'error']);
export const PAGE_STATES = /** @type {const} */ (['loading', 'url']);
/** What each side may send (app.md §3, §4). */
export const KINDS_FROM_AGENT = /** @type {const} */ (['hello', 'bye', 'ping', 'resync']);
export const KINDS_FROM_CUSTOMER = /** @type {const} */ (['hello', 'consent', 'deny', 'bye', 'pong', 'page', 'snap', 'part', 'snapend', 'm']);
const KNOWN_KINDS = new Set([...KINDS_FROM_AGENT, ...KINDS_FROM_CUSTOMER]);

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
 * @typedef {HelloMsg | ByeMsg | PingMsg | ResyncMsg} AgentMsg  what an agent sends
 * @typedef {HelloMsg | ConsentMsg | DenyMsg | ByeMsg | PongMsg | PageMsg | MirrorMsg} CustomerMsg  what a customer sends
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
    default:
      return bad; // unreachable: every known kind has a case
  }
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
