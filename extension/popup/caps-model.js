// The capability part of the session state the service worker posts to its pages
// (session.js publicState().caps): parsed on its own, because parsePublicState keeps only the
// members every page needs. Pure.

import { CAPABILITIES } from '../background/settings.js';

/** @typedef {import('../background/settings.js').Capability} Capability */
/** @typedef {{granted: Capability[], asked: Capability[], grantable: Capability[]}} CapsState */

/** @param {unknown} v @returns {Capability[] | null} */
function capList(v) {
  if (!Array.isArray(v) || v.length > CAPABILITIES.length) return null;
  if (!v.every((c) => typeof c === 'string' && CAPABILITIES.includes(/** @type {Capability} */ (c)))) return null;
  return CAPABILITIES.filter((c) => v.includes(c));
}

/**
 * @param {unknown} state  the raw public state
 * @returns {CapsState}  empty lists when there is none (or it is malformed)
 */
export function parseCapsState(state) {
  const none = { granted: [], asked: [], grantable: [] };
  if (!state || typeof state !== 'object') return none;
  const caps = /** @type {{caps?: unknown}} */ (state).caps;
  if (!caps || typeof caps !== 'object') return none;
  const c = /** @type {Record<string, unknown>} */ (caps);
  const granted = capList(c.granted);
  const asked = capList(c.asked);
  const grantable = capList(c.grantable);
  if (!granted || !asked || !grantable) return none;
  return { granted, asked, grantable };
}
