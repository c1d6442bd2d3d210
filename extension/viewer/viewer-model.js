// Pure logic of the viewer page (no chrome.*, no DOM): what state it shows, how the customer's
// viewport is scaled, and validation of what the service worker posts on the `cotab-viewer` port.

/** @typedef {import('../background/session.js').PublicState} PublicState */
/** @typedef {'connecting'|'code'|'handshaking'|'waiting-consent'|'loading'|'live'|'ended'|'denied'} ViewerState */

/**
 * What the viewer shows ([data-testid=viewer-state] data-state). While the session is past consent,
 * "live" needs a mirror that is really showing the customer's current document; until then
 * (first snapshot, a resync after a reconnect or a desync, the customer's page navigating) it is
 * "loading".
 * @param {PublicState | null} session  null until the service worker's first state arrived
 * @param {'empty'|'loading'|'live'|'desync'} mirrorPhase
 * @param {boolean} pageLoading
 * @returns {ViewerState}
 */
export function viewerDisplayState(session, mirrorPhase, pageLoading) {
  // No state from the service worker yet: the page just opened and is connecting to it.
  if (!session) return 'connecting';
  if (session.mode !== 'agent') return 'ended';
  switch (session.phase) {
    case 'connecting':
    case 'code':
    case 'handshaking':
    case 'waiting-consent':
    case 'ended':
    case 'denied':
      return session.phase;
    case 'loading':
    case 'live':
      return mirrorPhase === 'live' && !pageLoading ? 'live' : 'loading';
    default:
      return 'ended';
  }
}

/**
 * Scale that fits a `w`×`h` viewport into `aw`×`ah`, never enlarging (text stays as crisp as
 * the customer sees it).
 * @param {number} w @param {number} h @param {number} aw @param {number} ah
 */
export function scaleToFit(w, h, aw, ah) {
  if (!(w > 0 && h > 0 && aw > 0 && ah > 0)) return 1;
  return Math.min(1, aw / w, ah / h);
}

const MODES = ['idle', 'customer', 'agent'];
const PHASES = ['idle', 'connecting', 'code', 'joining', 'handshaking', 'consent', 'live', 'ended', 'waiting-consent', 'loading', 'denied'];

/** @param {unknown} v @returns {v is Record<string, unknown>} */
function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * @param {unknown} v
 * @returns {PublicState | null}
 */
export function parsePublicState(v) {
  if (!isObject(v)) return null;
  if (typeof v.mode !== 'string' || !MODES.includes(v.mode)) return null;
  if (typeof v.phase !== 'string' || !PHASES.includes(v.phase)) return null;
  if (typeof v.epoch !== 'number' || (v.startedBy !== 'customer' && v.startedBy !== 'agent')) return null;
  /** @type {PublicState} */
  const out = {
    mode: /** @type {PublicState['mode']} */ (v.mode),
    phase: /** @type {PublicState['phase']} */ (v.phase),
    epoch: v.epoch,
    startedBy: v.startedBy,
  };
  for (const k of /** @type {const} */ (['code', 'sas', 'error', 'reason'])) {
    const x = v[k];
    if (typeof x === 'string') out[k] = x;
  }
  if (typeof v.tabId === 'number') out.tabId = v.tabId;
  return out;
}

/**
 * The worker's `{k:'lane-up'}` on the runtime port: what came on the lane so far, and all that
 * comes on it from now on, follows everything the runtime port carried (viewer.js connect()).
 * @param {unknown} m
 */
export function isLaneUp(m) {
  return isObject(m) && m.k === 'lane-up' && Object.keys(m).length === 1;
}

/**
 * SW → viewer: `{k:'state', state}` or `{k:'peer', data}` (an app message from the customer;
 * the Mirror validates mirror messages in full).
 * @param {unknown} m
 * @returns {{k: 'state', state: PublicState} | {k: 'peer', data: {k: string} & Record<string, unknown>} | null}
 */
export function parseViewerInbound(m) {
  if (!isObject(m)) return null;
  if (m.k === 'state') {
    const state = parsePublicState(m.state);
    return state ? { k: 'state', state } : null;
  }
  if (m.k === 'peer' && isObject(m.data) && typeof m.data.k === 'string') {
    return { k: 'peer', data: /** @type {{k: string} & Record<string, unknown>} */ (m.data) };
  }
  return null;
}
