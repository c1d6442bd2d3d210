// The extension's settings (chrome.storage.local key `settings`): their defaults and the one
// function that turns whatever is stored into a valid Settings object. Pure: used by the service
// worker, the popup and the options page.

/** @typedef {'both'|'customer'|'agent'} SettingsMode */
/**
 * @typedef {object} Settings
 * @property {string} relay            wss://host[:port][/path] (ws:// only for loopback; the host checks)
 * @property {string[]} maskSelectors  extra CSS selectors whose elements are masked
 * @property {string[]} blockSelectors extra CSS selectors whose elements are blocked
 * @property {SettingsMode} mode       which side this browser offers
 */

export const SETTINGS_KEY = 'settings';
export const DEFAULT_RELAY = 'wss://relay.cotab.io/v1';
/** Most selectors kept per list, and the longest selector: settings go into every snapshot start. */
export const MAX_SELECTORS = 200;
export const MAX_SELECTOR_CHARS = 1000;
export const MAX_RELAY_URL_CHARS = 2048;

/** @returns {Settings} */
export function defaultSettings() {
  return { relay: DEFAULT_RELAY, maskSelectors: [], blockSelectors: [], mode: 'both' };
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
 * Whatever is stored, as valid settings: missing or malformed members get their defaults.
 * @param {unknown} stored
 * @returns {Settings}
 */
export function normalizeSettings(stored) {
  const d = defaultSettings();
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return d;
  const o = /** @type {Record<string, unknown>} */ (stored);
  const mode = o.mode === 'customer' || o.mode === 'agent' || o.mode === 'both' ? o.mode : d.mode;
  return {
    relay: typeof o.relay === 'string' && relayUrlProblem(o.relay) === null ? o.relay : d.relay,
    maskSelectors: selectorList(o.maskSelectors),
    blockSelectors: selectorList(o.blockSelectors),
    mode,
  };
}

/**
 * Splits a textarea's text into selectors, one per line.
 * @param {string} text
 */
export function selectorsFromText(text) {
  return selectorList(text.split(/\r?\n/));
}
