import { validateCustomerMessage } from '../common/app.js';

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
 * @typedef {import('../common/app.js').MirrorMsg | import('../common/app.js').PongMsg} ContentData
 * @typedef {{to: 'peer', data: ContentData} | {to: 'sw', k: 'stop'} | {to: 'sw', k: 'overflow'}} ContentMessage
 *   `overflow`: a batch was too large to send (app_max_message_bytes); the recorder waits for a
 *   resync with a new epoch (the service worker owns the epoch numbers)
 * @typedef {{k: 'send', data: {k: 'resync'} | {k: 'ping', t: number}} | {k: 'leave'}} ViewerMessage
 * @typedef {{cmd: 'share', tabId: number} | {cmd: 'customer-join', tabId: number, code: string}
 *   | {cmd: 'agent-join', code: string} | {cmd: 'agent-start'} | {cmd: 'allow'} | {cmd: 'deny'}
 *   | {cmd: 'stop'} | {cmd: 'leave'} | {cmd: 'state'}} PopupCommand
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
  if (d.k === 'snap' || d.k === 'part' || d.k === 'snapend' || d.k === 'm' || d.k === 'pong') return { to: 'peer', data: d };
  return null;
}

/**
 * Viewer → SW (port `cotab-viewer`). The viewer may only ask for a resync and probe latency.
 * @param {unknown} m
 * @returns {ViewerMessage | null}
 */
export function parseViewerMessage(m) {
  if (!isPlainObject(m)) return null;
  if (m.k === 'leave') return onlyKeys(m, ['k']) ? { k: 'leave' } : null;
  if (m.k !== 'send' || !onlyKeys(m, ['k', 'data']) || !isPlainObject(m.data)) return null;
  const d = m.data;
  if (d.k === 'resync') return onlyKeys(d, ['k']) ? { k: 'send', data: { k: 'resync' } } : null;
  if (d.k === 'ping') return isProbeTime(d.t) && onlyKeys(d, ['k', 't']) ? { k: 'send', data: { k: 'ping', t: d.t } } : null;
  return null;
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

/**
 * @typedef {{k: 'start', epoch: number, maskSelectors: string[], blockSelectors: string[], hintEvent: string}
 *   | {k: 'resync', epoch: number} | {k: 'ping', t: number} | {k: 'stop'}} ContentControl
 */

/** @param {unknown} v @returns {string[] | null} */
function stringList(v) {
  if (!Array.isArray(v) || v.length > MAX_START_SELECTORS) return null;
  /** @type {string[]} */
  const out = [];
  for (const x of v) {
    if (typeof x !== 'string') return null;
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
    default:
      return null;
  }
}
