import { validateAgentMessage, validateCustomerMessage } from '../common/app.js';
import { CAPABILITIES } from './settings.js';

// Validators for the extension's internal messages (the brief's port contracts): what the content
// script, the viewer and the popup may send to the service worker. Pure: no chrome.*.
// Each returns the message, rebuilt from checked members only (no unchecked casts, no extra
// members carried along), or null: the caller drops and counts a null.

/** Longest session code the popup may pass on (digits, spaces, dashes: 6 + 1 + 3 + 1 + 3 plus slack
 * for the spaces a person types). */
export const MAX_TYPED_CODE_CHARS = 40;
/** Largest `t` of a latency probe; `performance.now()` values stay far below. */
const MAX_PROBE_TIME = 1e12;

/**
 * @typedef {import('./settings.js').Capability} Capability
 * @typedef {import('../common/app.js').MirrorMsg | import('../common/app.js').PongMsg
 *   | import('../common/app.js').DoneMsg | import('../common/app.js').RefusedMsg} ContentData
 * @typedef {{to: 'peer', data: ContentData} | {to: 'sw', k: 'stop'} | {to: 'sw', k: 'overflow'}
 *   | {to: 'sw', k: 'revoke', caps: Capability[]}} ContentMessage
 *   `overflow`: a batch was too large to send (app_max_message_bytes); the recorder waits for a
 *   resync with a new epoch (the service worker owns the epoch numbers); `revoke`: the customer
 *   took capabilities back on the page's indicator (the content script already stopped them)
 * @typedef {{k: 'send', data: import('../common/app.js').AgentMsg} | {k: 'leave'}} ViewerMessage
 * @typedef {{cmd: 'share', tabId: number} | {cmd: 'customer-join', tabId: number, code: string}
 *   | {cmd: 'agent-join', code: string} | {cmd: 'agent-start'} | {cmd: 'allow'} | {cmd: 'deny'}
 *   | {cmd: 'stop'} | {cmd: 'leave'} | {cmd: 'state'}
 *   | {cmd: 'grant' | 'decline' | 'revoke', caps: Capability[]} | {cmd: 'revoke-all'}} PopupCommand
 */

/** @param {unknown} v @returns {v is Record<string, unknown>} */
export function isPlainObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** @param {Record<string, unknown>} o @param {string[]} allowed */
function onlyKeys(o, allowed) {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) return false;
  return true;
}

/** @param {unknown} v @returns {v is number} */
function isEpoch(v) {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;
}

/** @param {unknown} v @returns {v is number} */
function isProbeTime(v) {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_PROBE_TIME;
}

/**
 * A non-empty list of distinct capability names, in CAPABILITIES order.
 * @param {unknown} v
 * @returns {Capability[] | null}
 */
export function parseCapabilityList(v) {
  if (!Array.isArray(v) || v.length === 0 || v.length > CAPABILITIES.length) return null;
  if (new Set(v).size !== v.length || !v.every((c) => typeof c === 'string' && CAPABILITIES.includes(/** @type {Capability} */ (c)))) return null;
  return CAPABILITIES.filter((c) => v.includes(c));
}

/** @param {unknown} v @returns {v is number} */
export function isTabId(v) {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Content script → SW (port `cotab-content`). The data must be an app message the customer side
 * may send (common/app.js: session kinds in full, mirror kinds by their envelope; the agent's
 * viewer validates every record and op, app.md §1) and one the content script sends: a mirror
 * message or a pong.
 * @param {unknown} m
 * @returns {ContentMessage | null}
 */
export function parseContentMessage(m) {
  if (!isPlainObject(m)) return null;
  if (m.to === 'sw') {
    if (m.k === 'revoke') {
      const caps = parseCapabilityList(m.caps);
      return caps && onlyKeys(m, ['to', 'k', 'caps']) ? { to: 'sw', k: 'revoke', caps } : null;
    }
    if (!onlyKeys(m, ['to', 'k'])) return null;
    if (m.k === 'stop') return { to: 'sw', k: 'stop' };
    if (m.k === 'overflow') return { to: 'sw', k: 'overflow' };
    return null;
  }
  if (m.to !== 'peer' || !onlyKeys(m, ['to', 'data'])) return null;
  const checked = validateCustomerMessage(m.data);
  if (!checked.ok) return null;
  const d = checked.msg;
  // Forwarded as the very object the content script built (it may be megabytes: no copy).
  if (d.k === 'snap' || d.k === 'part' || d.k === 'snapend' || d.k === 'm' || d.k === 'pong' || d.k === 'done' || d.k === 'refused') {
    return { to: 'peer', data: d };
  }
  return null;
}

/** What the viewer may send for its agent: the session kinds (hello, bye) are the worker's own. */
const VIEWER_SENDS = new Set(['resync', 'ping', 'ask', 'laser', 'mark', 'draw', 'clear', 'act']);

/**
 * Viewer → SW (port `cotab-viewer`): resync, latency probes, and the agent's asks, tools and
 * actions (app.md §7), each validated in full against the app protocol (the customer's side
 * checks them all again; this keeps a broken viewer from sending what the customer would drop).
 * @param {unknown} m
 * @returns {ViewerMessage | null}
 */
export function parseViewerMessage(m) {
  if (!isPlainObject(m)) return null;
  if (m.k === 'leave') return onlyKeys(m, ['k']) ? { k: 'leave' } : null;
  if (m.k !== 'send' || !onlyKeys(m, ['k', 'data']) || !isPlainObject(m.data)) return null;
  const d = m.data;
  if (typeof d.k !== 'string' || !VIEWER_SENDS.has(d.k)) return null;
  if (d.k === 'ping' && !isProbeTime(d.t)) return null;
  const checked = validateAgentMessage(d);
  return checked.ok ? { k: 'send', data: checked.msg } : null;
}

const LANE_NONCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The viewer's offer of a lane (a MessagePort from the worker straight to the viewer page; see
 * sw.js): `{k:'lane', nonce}` on its runtime port and, with the port, on the worker's `message`
 * event. Returns the nonce (a random UUID), or null.
 * @param {unknown} m
 * @returns {string | null}
 */
export function parseLaneOffer(m) {
  if (!isPlainObject(m) || m.k !== 'lane' || !onlyKeys(m, ['k', 'nonce'])) return null;
  return typeof m.nonce === 'string' && LANE_NONCE.test(m.nonce) ? m.nonce : null;
}

/**
 * True when a runtime message comes from one of this extension's own pages (popup, consent
 * window, viewer, options) — not from a content script, whose sender URL is the web page's.
 * @param {{id?: string, url?: string, frameId?: number}} sender
 * @param {string} extensionId   chrome.runtime.id
 * @param {string} extensionOrigin  chrome.runtime.getURL('') ("chrome-extension://<id>/")
 */
export function isOwnPageSender(sender, extensionId, extensionOrigin) {
  return sender.id === extensionId && typeof sender.url === 'string' && sender.url.startsWith(extensionOrigin) && !sender.frameId;
}

/**
 * A typed session code: digits with spaces, dashes or dots between groups. Returns the canonical
 * `NAMEPLATE-DDD-DDD` form the host expects, or null when it cannot be a code.
 * @param {unknown} v
 */
export function parseTypedCode(v) {
  if (typeof v !== 'string' || v.length > MAX_TYPED_CODE_CHARS) return null;
  if (!/^[0-9\s\-.·]+$/.test(v)) return null;
  const digits = v.replace(/[^0-9]/g, '');
  if (digits.length < 7 || digits.length > 12) return null;
  const n = digits.length - 6;
  return `${digits.slice(0, n)}-${digits.slice(n, n + 3)}-${digits.slice(n + 3)}`;
}

/**
 * Popup / viewer / options → SW by chrome.runtime.sendMessage.
 * @param {unknown} m
 * @returns {PopupCommand | null}
 */
export function parsePopupCommand(m) {
  if (!isPlainObject(m) || typeof m.cmd !== 'string') return null;
  switch (m.cmd) {
    case 'share':
      return isTabId(m.tabId) && onlyKeys(m, ['cmd', 'tabId']) ? { cmd: 'share', tabId: m.tabId } : null;
    case 'customer-join': {
      const code = parseTypedCode(m.code);
      return code && isTabId(m.tabId) && onlyKeys(m, ['cmd', 'tabId', 'code']) ? { cmd: 'customer-join', tabId: m.tabId, code } : null;
    }
    case 'agent-join': {
      const code = parseTypedCode(m.code);
      return code && onlyKeys(m, ['cmd', 'code']) ? { cmd: 'agent-join', code } : null;
    }
    case 'grant':
    case 'decline':
    case 'revoke': {
      const caps = parseCapabilityList(m.caps);
      return caps && onlyKeys(m, ['cmd', 'caps']) ? { cmd: m.cmd, caps } : null;
    }
    case 'revoke-all':
    case 'agent-start':
    case 'allow':
    case 'deny':
    case 'stop':
    case 'leave':
    case 'state':
      return onlyKeys(m, ['cmd']) ? { cmd: m.cmd } : null;
    default:
      return null;
  }
}

/** Most selectors the content script accepts per list in `start` (the settings cap them too). */
const MAX_START_SELECTORS = 1000;
const MAX_HINT_EVENT_CHARS = 64;

/** Most origins / finalize selectors the content script accepts in `caps`. */
const MAX_CAPS_LIST = 1000;
const MAX_ORIGIN_CHARS = 2048;

/**
 * @typedef {{k: 'start', epoch: number, maskSelectors: string[], blockSelectors: string[], hintEvent: string}
 *   | {k: 'resync', epoch: number} | {k: 'ping', t: number} | {k: 'stop'}
 *   | {k: 'caps', granted: Capability[], allowedOrigins: string[], finalizeSelectors: string[]}
 *   | {k: 'agent', msg: import('../common/app.js').AgentMsg}} ContentControl
 *   `caps`: what the agent may do now (content-side copy; a revoked capability's in-flight actions
 *   are dropped when it arrives); `agent`: a tool or action the service worker let through
 */

/** @param {unknown} v @param {number} [maxItems] @param {number} [maxChars] @returns {string[] | null} */
function stringList(v, maxItems = MAX_START_SELECTORS, maxChars = Infinity) {
  if (!Array.isArray(v) || v.length > maxItems) return null;
  /** @type {string[]} */
  const out = [];
  for (const x of v) {
    if (typeof x !== 'string' || x.length > maxChars) return null;
    out.push(x);
  }
  return out;
}

/**
 * SW → content script (port `cotab-content`), checked in the content script.
 * @param {unknown} m
 * @returns {ContentControl | null}
 */
export function parseContentControl(m) {
  if (!isPlainObject(m)) return null;
  switch (m.k) {
    case 'start': {
      if (!onlyKeys(m, ['k', 'epoch', 'maskSelectors', 'blockSelectors', 'hintEvent']) || !isEpoch(m.epoch)) return null;
      const maskSelectors = stringList(m.maskSelectors);
      const blockSelectors = stringList(m.blockSelectors);
      const hint = m.hintEvent;
      if (!maskSelectors || !blockSelectors || typeof hint !== 'string' || hint.length > MAX_HINT_EVENT_CHARS) return null;
      return { k: 'start', epoch: m.epoch, maskSelectors, blockSelectors, hintEvent: hint };
    }
    case 'resync':
      return onlyKeys(m, ['k', 'epoch']) && isEpoch(m.epoch) ? { k: 'resync', epoch: m.epoch } : null;
    case 'ping':
      return onlyKeys(m, ['k', 't']) && isProbeTime(m.t) ? { k: 'ping', t: m.t } : null;
    case 'stop':
      return onlyKeys(m, ['k']) ? { k: 'stop' } : null;
    case 'caps': {
      if (!onlyKeys(m, ['k', 'granted', 'allowedOrigins', 'finalizeSelectors'])) return null;
      const granted = Array.isArray(m.granted) && m.granted.length === 0 ? [] : parseCapabilityList(m.granted);
      const allowedOrigins = stringList(m.allowedOrigins, MAX_CAPS_LIST, MAX_ORIGIN_CHARS);
      const finalizeSelectors = stringList(m.finalizeSelectors, MAX_CAPS_LIST);
      if (!granted || !allowedOrigins || !finalizeSelectors) return null;
      return { k: 'caps', granted, allowedOrigins, finalizeSelectors };
    }
    case 'agent': {
      if (!onlyKeys(m, ['k', 'msg'])) return null;
      // Checked again here, in the customer's tab: the service worker is not the last line.
      const checked = validateAgentMessage(m.msg);
      return checked.ok ? { k: 'agent', msg: checked.msg } : null;
    }
    default:
      return null;
  }
}
