// The extension's settings (chrome.storage.local key `settings`): their defaults and the one
// function that turns whatever is stored into a valid Settings object. Pure: used by the service
// worker, the popup and the options page.

import { CAPABILITIES } from '../common/app.js';

/** @typedef {'both'|'customer'|'agent'} SettingsMode */
/**
 * @typedef {object} Settings
 * @property {string} relay            wss://host[:port][/path] (ws:// only for loopback; the host checks)
 * @property {string[]} maskSelectors  extra CSS selectors whose elements are masked
 * @property {string[]} blockSelectors extra CSS selectors whose elements are blocked
 * @property {SettingsMode} mode       which side this browser offers
 * @property {Capability[]} grantable  capabilities the customer may ever grant (policy later); others are refused
 *   `not-grantable` without a prompt
 * @property {Capability[]} granted    capabilities granted with the join (the consent window names them); ⊆ grantable
 * @property {string[]} allowedOrigins origins an agent may propose or click links to, besides the shared page's own
 * @property {string[]} finalizeSelectors extra CSS selectors of controls the agent may never activate
 * @property {boolean} dataChannel     move a session's messages to the host's loopback data channel once it
 *   is up (PROTOCOL.md §3.4); off: native messaging only
 */
/** @typedef {import('../common/app.js').Capability} Capability */

// The agent capabilities beyond view (app.md §7), in the order the UI lists them.
export { CAPABILITIES };
/** Most extra origins kept. */
export const MAX_ALLOWED_ORIGINS = 50;

export const SETTINGS_KEY = 'settings';
export const DEFAULT_RELAY = 'wss://relay.cotab.io/v1';
/** Most selectors kept per list, and the longest selector: settings go into every snapshot start. */
export const MAX_SELECTORS = 200;
export const MAX_SELECTOR_CHARS = 1000;
export const MAX_RELAY_URL_CHARS = 2048;

/** @returns {Settings} */
export function defaultSettings() {
  return {
    relay: DEFAULT_RELAY,
    maskSelectors: [],
    blockSelectors: [],
    mode: 'both',
    grantable: [...CAPABILITIES],
    granted: ['annotate'],
    allowedOrigins: [],
    finalizeSelectors: [],
    dataChannel: true,
  };
}

/** @param {unknown} v @returns {string|null} why the relay URL is not acceptable, or null */
export function relayUrlProblem(v) {
  if (typeof v !== 'string' || v.length === 0) return 'Enter the relay address.';
  if (v.length > MAX_RELAY_URL_CHARS) return 'This address is too long.';
  /** @type {URL} */
  let url;
  try {
    url = new URL(v);
  } catch {
    return 'This is not a valid address.';
  }
  if (url.protocol !== 'wss:' && url.protocol !== 'ws:') return 'The address must start with wss://';
  if (url.username || url.password || url.search || url.hash) return 'The address may not carry a user, query or fragment.';
  return null;
}

/**
 * @param {unknown} v
 * @returns {string[]} the strings of `v` (trimmed, non-empty, deduplicated, capped)
 */
function selectorList(v) {
  if (!Array.isArray(v)) return [];
  /** @type {string[]} */
  const out = [];
  for (const x of v) {
    if (typeof x !== 'string') continue;
    const s = x.trim();
    if (!s || s.length > MAX_SELECTOR_CHARS || out.includes(s)) continue;
    out.push(s);
    if (out.length >= MAX_SELECTORS) break;
  }
  return out;
}

/**
 * @param {unknown} v
 * @param {readonly Capability[]} fallback  used when `v` is not an array at all
 * @returns {Capability[]} the known capabilities of `v`, in CAPABILITIES order
 */
function capabilityList(v, fallback) {
  if (!Array.isArray(v)) return [...fallback];
  return CAPABILITIES.filter((c) => v.includes(c));
}

/**
 * An origin as `new URL(x).origin` writes it, for http(s) only; null for anything else.
 * @param {unknown} v
 */
export function normalizeOrigin(v) {
  if (typeof v !== 'string' || v.length > MAX_RELAY_URL_CHARS) return null;
  try {
    const url = new URL(v.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    return url.origin;
  } catch {
    return null;
  }
}

/** @param {unknown} v @returns {string[]} */
function originList(v) {
  if (!Array.isArray(v)) return [];
  /** @type {string[]} */
  const out = [];
  for (const x of v) {
    const o = normalizeOrigin(x);
    if (o && !out.includes(o)) out.push(o);
    if (out.length >= MAX_ALLOWED_ORIGINS) break;
  }
  return out;
}

/**
 * Whatever is stored, as valid settings: missing or malformed members get their defaults.
 * @param {unknown} stored
 * @returns {Settings}
 */
export function normalizeSettings(stored) {
  const d = defaultSettings();
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return d;
  const o = /** @type {Record<string, unknown>} */ (stored);
  const mode = o.mode === 'customer' || o.mode === 'agent' || o.mode === 'both' ? o.mode : d.mode;
  const grantable = capabilityList(o.grantable, d.grantable);
  return {
    relay: typeof o.relay === 'string' && relayUrlProblem(o.relay) === null ? o.relay : d.relay,
    maskSelectors: selectorList(o.maskSelectors),
    blockSelectors: selectorList(o.blockSelectors),
    mode,
    grantable,
    granted: capabilityList(o.granted, d.granted).filter((c) => grantable.includes(c)),
    allowedOrigins: originList(o.allowedOrigins),
    finalizeSelectors: selectorList(o.finalizeSelectors),
    dataChannel: typeof o.dataChannel === 'boolean' ? o.dataChannel : d.dataChannel,
  };
}

/**
 * Splits a textarea's text into origins, one per line; what is not an http(s) origin is returned
 * in `bad`.
 * @param {string} text
 */
export function originsFromText(text) {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  return { origins: originList(lines), bad: lines.filter((l) => normalizeOrigin(l) === null) };
}

/**
 * Splits a textarea's text into selectors, one per line.
 * @param {string} text
 */
export function selectorsFromText(text) {
  return selectorList(text.split(/\r?\n/));
}
