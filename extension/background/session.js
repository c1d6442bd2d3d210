// The session state machine of the service worker: a pure function (state, event) → {state, effects}.
// No chrome.* here: sw.js feeds it events (commands from the popup and viewer, host messages from
// the native port, content-script messages, tab and navigation events) and carries out the effects
// it returns (post to the host, the content script or the viewer; inject; open windows; badge).
// The state is plain JSON, kept in chrome.storage.session by sw.js, so a restarted worker can
// recover (see `recover`).
//
// Every event is validated again here (sw.js validates the wire shape first); an event that does
// not fit the current state is ignored — the state object is returned unchanged and no effect runs.

import { APP_VERSION, capabilityOf, validateAgentMessage, validateCustomerMessage } from '../common/app.js';
import { CAPABILITIES } from './settings.js';

/**
 * @typedef {'idle'|'customer'|'agent'} Mode
 * @typedef {'idle'|'connecting'|'code'|'joining'|'handshaking'|'consent'|'live'|'ended'
 *   |'waiting-consent'|'loading'|'denied'} Phase
 * @typedef {{maskSelectors: string[], blockSelectors: string[]}} CaptureSettings
 * @typedef {import('./settings.js').Capability} Capability
 * @typedef {{grantable: Capability[], granted: Capability[], allowedOrigins: string[], finalizeSelectors: string[]}} AssistSettings
 *   what the settings say when a session starts: `granted` = the capabilities the join grants
 * @typedef {object} AssistState  customer: who may do what (app.md §7)
 * @property {Capability[]} grantable   settings: what may ever be granted
 * @property {Capability[]} joinGrants  settings: granted with Allow
 * @property {Capability[]} granted     granted now
 * @property {Capability[]} asked       asked by the agent, waiting for the customer
 * @property {Record<string, number>} declinedAt  capability → when the customer last declined it
 * @property {string[]} allowedOrigins  settings: where the agent may send the page, besides its own origin
 * @property {string[]} finalizeSelectors settings: extra controls the agent may never activate
 * @typedef {{k: 'caps', granted: Capability[], grantable: Capability[], asked: Capability[]}} PeerCaps
 *
 * @typedef {object} SessionState
 * @property {Mode} mode
 * @property {Phase} phase
 * @property {string} [code]      the session code to show (share side), until the peer is confirmed
 * @property {string} [sas]       short authentication string, once the host confirmed the peer
 * @property {number} [tabId]     customer: the one shared tab
 * @property {number} epoch       customer: epoch of the current snapshot; agent: last epoch seen
 * @property {string} [error]     registry code (or extension code) of what went wrong
 * @property {string} [reason]    why the session ended (app bye reason, host reason, …)
 * @property {'customer'|'agent'} startedBy  whose code is used: the side that ran `share`
 * @property {number} requestId   id of the last request sent to the host (share/join/end)
 * @property {boolean} peerUp     the host confirmed the peer: app messages may flow
 * @property {boolean} peerHello  the other side's app hello arrived
 * @property {boolean} contentUp  customer: the content script of the current document is started
 * @property {number|null} lastResyncAt  customer: time (ms) of the last snapshot start
 * @property {boolean} resyncPending     customer: a merged resync waits for its timer
 * @property {boolean} epochBroken       customer: the host refused a message of this epoch
 *   (send-queue-full): the rest of the epoch is useless to the agent and is not sent
 * @property {CaptureSettings} [capture]  customer: what the content script masks and blocks
 * @property {string} [hintEvent] customer: the random event name of the main-world hints
 * @property {string} [ua]        what this side says about its browser in hello
 * @property {number} dropped     inbound messages dropped (malformed, unknown, out of state)
 * @property {AssistState} [assist] customer: capabilities and the firewall's settings
 * @property {{at: number, count: number}} [refusals] customer: refusals sent in the second that began at `at`
 * @property {PeerCaps} [peerCaps] agent: the customer's last `caps` (a reconnected viewer gets it again)
 */

/**
 * @typedef {{type: 'share', tabId: number, relay: string, capture: CaptureSettings, assist?: AssistSettings, hintEvent: string, ua: string}
 *   | {type: 'customer-join', tabId: number, code: string, relay: string, capture: CaptureSettings, assist?: AssistSettings, hintEvent: string, ua: string}
 *   | {type: 'agent-join', code: string, relay: string, ua: string}
 *   | {type: 'agent-start', relay: string, ua: string}
 *   | {type: 'allow'} | {type: 'deny'} | {type: 'stop'} | {type: 'leave'}
 *   | {type: 'grant', caps: Capability[]} | {type: 'decline', caps: Capability[], now: number}
 *   | {type: 'revoke', caps: Capability[]}
 *   | {type: 'host', msg: import('../common/native.js').HostMessage, now: number}
 *   | {type: 'host-gone', error: string}
 *   | {type: 'content-ready', tabId: number, now: number}
 *   | {type: 'content-gone', tabId: number}
 *   | {type: 'content', tabId: number, msg: import('./messages.js').ContentMessage, now: number}
 *   | {type: 'viewer-ready'}
 *   | {type: 'viewer', msg: import('./messages.js').ViewerMessage}
 *   | {type: 'tab-removed', tabId: number}
 *   | {type: 'committed', tabId: number, url: string}
 *   | {type: 'url-changed', tabId: number, url: string}
 *   | {type: 'dom-ready', tabId: number}
 *   | {type: 'inject-failed', tabId: number, error: string}
 *   | {type: 'resync-timer', now: number}
 * } SessionEvent
 */

/**
 * @typedef {{t: 'host', msg: object}
 *   | {t: 'host-close'}
 *   | {t: 'content', msg: object}
 *   | {t: 'content-close'}
 *   | {t: 'viewer', msg: object}
 *   | {t: 'inject', tabId: number}
 *   | {t: 'open-consent', tabId: number}
 *   | {t: 'open-viewer'}
 *   | {t: 'badge', text: string, color: string}
 *   | {t: 'resync-timer', ms: number}
 *   | {t: 'cleanup-tab', tabId: number}
 * } Effect
 */

/** Badge colours: attention (consent needed) and sharing. */
export const BADGE_CONSENT = '#f08c00';
export const BADGE_LIVE = '#e8590c';

/** Phases in which a session is running (the host has or may soon have one). */
const ACTIVE_PHASES = new Set(['connecting', 'code', 'joining', 'handshaking', 'consent', 'live', 'waiting-consent', 'loading']);
/** Mirror stream kinds the content script sends (app.md §4). */
const MIRROR_KINDS = new Set(['snap', 'part', 'snapend', 'm']);
/** Agent kinds that need a capability and go on to the shared tab (app.md §7). */
const ASSIST_KINDS = new Set(['laser', 'mark', 'draw', 'clear', 'act']);
/** A capability the customer declined is not asked again (no new prompt) for this long: an agent
 * cannot bury the customer in consent windows. Its `ask` is refused `rate` meanwhile. */
export const ASK_COOLDOWN_MS = 10_000;
/** Badge while a capability request waits for the customer. */
export const BADGE_ASK_TEXT = '?';

/**
 * @typedef {{resyncMinIntervalMs: number, maxRefusalsPerSecond: number}} SessionLimits
 */

/** @returns {SessionState} */
export function initialState() {
  return {
    mode: 'idle',
    phase: 'idle',
    epoch: 0,
    startedBy: 'customer',
    requestId: 0,
    peerUp: false,
    peerHello: false,
    contentUp: false,
    lastResyncAt: null,
    resyncPending: false,
    epochBroken: false,
    dropped: 0,
  };
}

/** @param {SessionState} s */
export function isActive(s) {
  return s.mode !== 'idle' && ACTIVE_PHASES.has(s.phase);
}

/**
 * What the popup and the viewer see (no internal bookkeeping).
 * @param {SessionState} s
 */
export function publicState(s) {
  /** @type {{mode: Mode, phase: Phase, epoch: number, startedBy: 'customer'|'agent', code?: string, sas?: string, tabId?: number, error?: string, reason?: string,
   *   caps?: {granted: Capability[], asked: Capability[], grantable: Capability[]}}} */
  const out = { mode: s.mode, phase: s.phase, epoch: s.epoch, startedBy: s.startedBy };
  // Customer: what the agent may do (popup and consent window); agent: what the customer allowed.
  const caps = s.mode === 'customer' ? s.assist : s.peerCaps;
  if (caps && isActive(s)) out.caps = { granted: [...caps.granted], asked: [...caps.asked], grantable: [...caps.grantable] };
  if (s.code !== undefined) out.code = s.code;
  if (s.sas !== undefined) out.sas = s.sas;
  if (s.tabId !== undefined) out.tabId = s.tabId;
  if (s.error !== undefined) out.error = s.error;
  if (s.reason !== undefined) out.reason = s.reason;
  return out;
}

/** @typedef {ReturnType<typeof publicState>} PublicState */

/**
 * A worker that starts finds the state its predecessor stored. The native port died with that
 * worker, and the host with it: a session that was running is over.
 * @param {unknown} stored  whatever chrome.storage.session held (validated here)
 * @returns {{state: SessionState, effects: Effect[]}}
 */
export function recover(stored) {
  const s = parseStoredState(stored);
  if (!s) return result(initialState(), []);
  const quiet = { ...s, peerUp: false, contentUp: false, resyncPending: false, epochBroken: false };
  if (!isActive(s)) return result(quiet, []);
  /** @type {Effect[]} */
  const effects = [{ t: 'badge', text: '', color: BADGE_LIVE }];
  if (s.mode === 'customer' && s.tabId !== undefined) effects.push({ t: 'cleanup-tab', tabId: s.tabId });
  const state = withoutSecrets({ ...quiet, phase: 'ended', reason: 'extension-restarted' });
  return { state, effects };
}

/**
 * @param {SessionState} s
 * @param {SessionEvent} e
 * @param {SessionLimits} limits
 * @returns {{state: SessionState, effects: Effect[]}}
 */
export function reduce(s, e, limits) {
  switch (e.type) {
    case 'share':
    case 'customer-join':
      return startCustomer(s, e);
    case 'agent-join':
    case 'agent-start':
      return startAgent(s, e);
    case 'allow': {
      if (s.mode !== 'customer' || s.phase !== 'consent') return same(s);
      const assist = s.assist ? { ...s.assist, granted: [...s.assist.joinGrants] } : undefined;
      const state = { ...s, phase: /** @type {Phase} */ ('live'), assist };
      return result(state, [
        hostSend({ k: 'consent', view: true }),
        ...(assist ? [hostSend(capsMessage(assist))] : []),
        { t: 'inject', tabId: /** @type {number} */ (s.tabId) },
        { t: 'badge', text: 'ON', color: BADGE_LIVE },
      ]);
    }
    case 'grant':
    case 'decline':
    case 'revoke':
      return onCapabilityDecision(s, e);
    case 'deny':
      if (s.mode !== 'customer' || s.phase !== 'consent') return same(s);
      return endLocally(s, 'denied', {}, [hostSend({ k: 'deny' })]);
    case 'stop':
    case 'leave':
      if (!isActive(s)) return same(s);
      return endLocally(s, s.mode === 'customer' ? 'customer-stopped' : 'agent-left');
    case 'host':
      return onHost(s, e.msg, e.now, limits);
    case 'host-gone':
      if (!isActive(s)) return same(s);
      return ended(s, { reason: 'host-disconnected', error: e.error }, []);
    case 'content-ready':
      if (s.mode !== 'customer' || s.phase !== 'live' || e.tabId !== s.tabId) return result(s, [{ t: 'content-close' }]);
      return withCapsToContent(startSnapshot({ ...s, contentUp: true }, e.now, 'start'));
    case 'content-gone':
      if (s.mode !== 'customer' || e.tabId !== s.tabId || !s.contentUp) return same(s);
      return result({ ...s, contentUp: false, resyncPending: false }, []);
    case 'content':
      return onContent(s, e, limits);
    case 'viewer-ready':
      // A (re)connected viewer has no mirror: ask the customer for a fresh snapshot.
      if (s.mode !== 'agent' || (s.phase !== 'live' && s.phase !== 'loading')) return same(s);
      return result(s, [hostSend({ k: 'resync' }), ...(s.peerCaps ? [/** @type {Effect} */ ({ t: 'viewer', msg: { k: 'peer', data: s.peerCaps } })] : [])]);
    case 'viewer':
      if (e.msg.k === 'leave') return reduce(s, { type: 'leave' }, limits);
      if (s.mode !== 'agent' || (s.phase !== 'live' && s.phase !== 'loading')) return same(s);
      return result(s, [hostSend(e.msg.data)]);
    case 'tab-removed':
      if (s.mode !== 'customer' || e.tabId !== s.tabId || !isActive(s)) return same(s);
      return endLocally(s, 'tab-closed');
    case 'committed':
      // The shared tab is loading a new document (reload or navigation): the agent's mirror shows
      // a loading state; the new document gets the content script when it is ready.
      if (s.mode !== 'customer' || e.tabId !== s.tabId || s.phase !== 'live') return same(s);
      return result({ ...s, contentUp: false, resyncPending: false, error: undefined }, [hostSend({ k: 'page', state: 'loading', url: e.url })]);
    case 'url-changed':
      if (s.mode !== 'customer' || e.tabId !== s.tabId || s.phase !== 'live') return same(s);
      return result(s, [hostSend({ k: 'page', state: 'url', url: e.url })]);
    case 'dom-ready':
      if (s.mode !== 'customer' || e.tabId !== s.tabId || s.phase !== 'live' || s.contentUp) return same(s);
      return result(s, [{ t: 'inject', tabId: e.tabId }]);
    case 'inject-failed':
      if (s.mode !== 'customer' || e.tabId !== s.tabId || s.phase !== 'live') return same(s);
      return result({ ...s, error: 'page-not-shareable' }, []);
    case 'resync-timer':
      if (s.mode !== 'customer' || s.phase !== 'live' || !s.resyncPending) return same(s);
      if (!s.contentUp) return result({ ...s, resyncPending: false }, []);
      return startSnapshot(s, e.now, 'resync');
    default:
      return same(s);
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * @param {SessionState} state
 * @param {Effect[]} [effects]
 * @returns {{state: SessionState, effects: Effect[]}}
 */
function result(state, effects = []) {
  return { state, effects };
}

/** @param {SessionState} s */
function same(s) {
  return result(s, []);
}

/** @param {SessionState} s */
function dropped(s) {
  return result({ ...s, dropped: s.dropped + 1 }, []);
}

/** @param {unknown} data  an app message (app.md) @returns {Effect} */
function hostSend(data) {
  return { t: 'host', msg: { type: 'send', data } };
}

/** @param {SessionState} s */
function canStart(s) {
  return !isActive(s);
}

/** A fresh session's state, keeping only the counters. @param {SessionState} s */
function fresh(s) {
  const base = initialState();
  return { ...base, requestId: s.requestId + 1, dropped: s.dropped };
}

/**
 * @param {SessionState} s
 * @param {Extract<SessionEvent, {type: 'share'|'customer-join'}>} e
 */
function startCustomer(s, e) {
  if (!canStart(s)) return same(s);
  const base = fresh(s);
  const joining = e.type === 'customer-join';
  /** @type {SessionState} */
  const state = {
    ...base,
    mode: 'customer',
    phase: joining ? 'joining' : 'connecting',
    startedBy: joining ? 'agent' : 'customer',
    tabId: e.tabId,
    capture: { maskSelectors: [...e.capture.maskSelectors], blockSelectors: [...e.capture.blockSelectors] },
    assist: initialAssist(e.assist),
    hintEvent: e.hintEvent,
    ua: e.ua,
  };
  const msg = joining ? { type: 'join', relay: e.relay, code: e.code, id: state.requestId } : { type: 'share', relay: e.relay, id: state.requestId };
  // A fresh host process per session: a late `ended` of the previous one cannot reach this one.
  return result(state, [{ t: 'host-close' }, { t: 'badge', text: '', color: BADGE_LIVE }, { t: 'host', msg }]);
}

/**
 * @param {SessionState} s
 * @param {Extract<SessionEvent, {type: 'agent-join'|'agent-start'}>} e
 */
function startAgent(s, e) {
  if (!canStart(s)) return same(s);
  const base = fresh(s);
  const joining = e.type === 'agent-join';
  /** @type {SessionState} */
  const state = { ...base, mode: 'agent', phase: 'connecting', startedBy: joining ? 'customer' : 'agent', ua: e.ua };
  const msg = e.type === 'agent-join' ? { type: 'join', relay: e.relay, code: e.code, id: state.requestId } : { type: 'share', relay: e.relay, id: state.requestId };
  return result(state, [{ t: 'host-close' }, { t: 'badge', text: '', color: BADGE_LIVE }, { t: 'host', msg }, { t: 'open-viewer' }]);
}

/** Drops what must not outlive a session. @param {SessionState} s @returns {SessionState} */
function withoutSecrets(s) {
  const { code: _code, capture: _capture, hintEvent: _hint, assist: _assist, refusals: _refusals, peerCaps: _caps, ...rest } = s;
  return { ...rest, peerUp: false, contentUp: false, resyncPending: false, epochBroken: false };
}

/**
 * The session is over for this side. Stops the tab's content script.
 * @param {SessionState} s
 * @param {{reason: string, error?: string, phase?: Phase}} how
 * @param {Effect[]} effects  already decided (sent before the stop)
 */
function ended(s, how, effects) {
  /** @type {SessionState} */
  const state = withoutSecrets({ ...s, phase: how.phase ?? 'ended', reason: how.reason, error: how.error ?? s.error });
  /** @type {Effect[]} */
  const out = [...effects];
  if (s.mode === 'customer' && s.contentUp) out.push({ t: 'content', msg: { k: 'stop' } });
  if (s.mode === 'customer') out.push({ t: 'content-close' });
  out.push({ t: 'badge', text: '', color: BADGE_LIVE });
  return result(state, out);
}

/** @type {Effect} */
const HOST_END = { t: 'host', msg: { type: 'end' } };

/**
 * This side ends the session: tell the peer why (app `bye`, when it can hear us), then the host.
 * @param {SessionState} s
 * @param {import('../common/app.js').ByeMsg['reason']} byeReason
 * @param {{reason?: string, error?: string}} [how]  what this side shows (default: the bye reason)
 * @param {Effect[]} [first]  sent before the bye (e.g. `deny`)
 */
function endLocally(s, byeReason, how = {}, first = []) {
  /** @type {Effect[]} */
  const effects = [...first];
  if (s.peerUp) effects.push(hostSend({ k: 'bye', reason: byeReason }));
  effects.push(HOST_END);
  return ended(s, { reason: how.reason ?? byeReason, error: how.error }, effects);
}

/**
 * A new snapshot (new epoch) in the shared tab: on start, resync and after a refused send.
 * @param {SessionState} s
 * @param {number} now
 * @param {'start'|'resync'} how
 */
function startSnapshot(s, now, how) {
  const epoch = s.epoch + 1;
  const state = { ...s, epoch, lastResyncAt: now, resyncPending: false, epochBroken: false };
  const capture = s.capture ?? { maskSelectors: [], blockSelectors: [] };
  const msg =
    how === 'start'
      ? { k: 'start', epoch, maskSelectors: capture.maskSelectors, blockSelectors: capture.blockSelectors, hintEvent: s.hintEvent ?? '' }
      : { k: 'resync', epoch };
  return result(state, [/** @type {Effect} */ ({ t: 'content', msg })]);
}

/**
 * The agent (or a refused send) asks for a new snapshot: at most one per interval; closer requests
 * are merged into one that runs when the interval is over.
 * @param {SessionState} s
 * @param {number} now
 * @param {number} minIntervalMs
 */
function requestResync(s, now, minIntervalMs) {
  if (s.mode !== 'customer' || s.phase !== 'live' || !s.contentUp) return same(s);
  const since = s.lastResyncAt === null ? Infinity : now - s.lastResyncAt;
  if (since >= minIntervalMs) return startSnapshot(s, now, 'resync');
  if (s.resyncPending) return same(s);
  return result({ ...s, resyncPending: true }, [/** @type {Effect} */ ({ t: 'resync-timer', ms: minIntervalMs - since })]);
}

/**
 * @param {SessionState} s
 * @param {import('../common/native.js').HostMessage} msg
 * @param {number} now
 * @param {SessionLimits} limits
 */
function onHost(s, msg, now, limits) {
  switch (msg.type) {
    case 'hello':
      if (msg.version !== 1 && isActive(s)) return ended(s, { reason: 'version-mismatch', error: 'version-mismatch' }, [{ t: 'host-close' }]);
      return same(s);
    case 'status':
      if (!isActive(s) || s.peerUp) return same(s);
      if (msg.state === 'handshaking') return result({ ...s, phase: 'handshaking' }, []);
      return same(s);
    case 'code': {
      const sharing = (s.mode === 'customer' && s.startedBy === 'customer') || (s.mode === 'agent' && s.startedBy === 'agent');
      if (!sharing || s.phase !== 'connecting') return same(s);
      return result({ ...s, phase: 'code', code: msg.code }, []);
    }
    case 'peer': {
      if (!isActive(s) || s.peerUp) return same(s);
      const { code: _code, ...rest } = s;
      /** @type {SessionState} */
      const state = { ...rest, peerUp: true, sas: msg.sas, phase: s.mode === 'agent' ? 'waiting-consent' : 'handshaking' };
      return result(state, [hostSend({ k: 'hello', app: APP_VERSION, role: s.mode, ua: s.ua ?? '' })]);
    }
    case 'recv':
      if (!isActive(s) || !s.peerUp) return dropped(s);
      return s.mode === 'customer' ? onAgentMessage(s, msg.data, now, limits) : onCustomerMessage(s, msg.data);
    case 'ended': {
      if (!isActive(s)) return result(s, [{ t: 'host-close' }]);
      let reason = msg.reason;
      if (reason === 'peer-ended') reason = msg.peer_reason && msg.peer_reason !== 'local-end' ? msg.peer_reason : 'peer-ended';
      const error = reason === 'local-end' || reason === 'peer-ended' ? s.error : reason;
      return ended(s, { reason, error }, [{ t: 'host-close' }]);
    }
    case 'error':
      if (msg.code === 'send-queue-full') {
        // Nothing of the refused message was sent; the agent's mirror now lacks it: new epoch
        // (and nothing more of this one, which could only desync the mirror).
        if (s.mode !== 'customer' || s.phase !== 'live' || !s.contentUp) return same(s);
        return requestResync(s.epochBroken ? s : { ...s, epochBroken: true }, now, limits.resyncMinIntervalMs);
      }
      if (!isActive(s)) return same(s);
      if (msg.fatal) return result({ ...s, error: msg.code }, []);
      // A refused share/join: the host stays idle, so the session never started.
      if (msg.id === s.requestId && !s.peerUp && (s.phase === 'connecting' || s.phase === 'joining')) {
        return ended(s, { reason: msg.code, error: msg.code }, [{ t: 'host-close' }]);
      }
      return dropped(s);
    default:
      return dropped(s);
  }
}

/**
 * Customer side: a message from the agent. Nothing the agent sends reaches the page unless the
 * customer allowed it; malformed messages are dropped without an answer.
 * @param {SessionState} s
 * @param {unknown} data
 * @param {number} now
 * @param {SessionLimits} limits
 */
function onAgentMessage(s, data, now, limits) {
  const checked = validateAgentMessage(data);
  if (!checked.ok) {
    // The version and the role are in hello: they end the session. Anything else malformed or
    // unknown is dropped without an answer (the agent learns nothing from probing).
    if (!checked.ignored && !s.peerHello && (checked.code === 'role-conflict' || checked.code === 'app-version-mismatch')) {
      return helloRefused(s, checked.code);
    }
    return dropped(s);
  }
  const msg = checked.msg;
  switch (msg.k) {
    case 'hello':
      if (s.peerHello || s.phase !== 'handshaking') return dropped(s);
      return result({ ...s, peerHello: true, phase: 'consent' }, [
        { t: 'open-consent', tabId: /** @type {number} */ (s.tabId) },
        { t: 'badge', text: '1', color: BADGE_CONSENT },
      ]);
    case 'bye':
      return ended(s, { reason: msg.reason }, [HOST_END]);
    case 'ping':
      if (s.phase !== 'live' || !s.contentUp) return dropped(s);
      return result(s, [{ t: 'content', msg: { k: 'ping', t: msg.t } }]);
    case 'resync':
      if (s.phase !== 'live') return dropped(s);
      return requestResync(s, now, limits.resyncMinIntervalMs);
    case 'ask':
      if (s.phase !== 'live' || !s.assist) return dropped(s);
      return onAsk(s, s.assist, msg.caps, now, limits);
    default:
      if (!ASSIST_KINDS.has(msg.k)) return dropped(s);
      return onAssist(s, msg, now, limits);
  }
}

/** @param {AssistSettings | undefined} a @returns {AssistState} */
function initialAssist(a) {
  const grantable = CAPABILITIES.filter((c) => a?.grantable.includes(c));
  return {
    grantable,
    joinGrants: CAPABILITIES.filter((c) => a?.granted.includes(c) && grantable.includes(c)),
    granted: [],
    asked: [],
    declinedAt: {},
    allowedOrigins: a ? [...a.allowedOrigins] : [],
    finalizeSelectors: a ? [...a.finalizeSelectors] : [],
  };
}

/** @param {AssistState} a @returns {PeerCaps} */
function capsMessage(a) {
  return { k: 'caps', granted: [...a.granted], grantable: [...a.grantable], asked: [...a.asked] };
}

/** @param {AssistState} a */
function contentCaps(a) {
  return { k: 'caps', granted: [...a.granted], allowedOrigins: [...a.allowedOrigins], finalizeSelectors: [...a.finalizeSelectors] };
}

/** Adds the content script's capability update (when it runs) to a result. @param {{state: SessionState, effects: Effect[]}} r */
function withCapsToContent(r) {
  const a = r.state.assist;
  if (!a || !r.state.contentUp) return r;
  /** @type {Effect} */
  const caps = { t: 'content', msg: contentCaps(a) };
  return { state: r.state, effects: [...r.effects, caps] };
}

/**
 * Capabilities changed: the state, the agent's `caps`, the content script's copy (which drops
 * in-flight actions of what was revoked at once), the badge.
 * @param {SessionState} s
 * @param {AssistState} assist
 * @param {Effect[]} [first]
 */
function capsChanged(s, assist, first = []) {
  const state = { ...s, assist };
  /** @type {Effect[]} */
  const effects = [...first, hostSend(capsMessage(assist))];
  if (s.contentUp) effects.push({ t: 'content', msg: contentCaps(assist) });
  effects.push(assist.asked.length ? { t: 'badge', text: BADGE_ASK_TEXT, color: BADGE_CONSENT } : { t: 'badge', text: 'ON', color: BADGE_LIVE });
  return result(state, effects);
}

/** CAPABILITIES order, no duplicates. @param {Iterable<Capability>} caps */
function ordered(caps) {
  const set = new Set(caps);
  return CAPABILITIES.filter((c) => set.has(c));
}

/**
 * The agent asks for capabilities: those the settings never allow are refused at once; those
 * declined a moment ago are refused `rate`; the rest wait for the customer in the consent window.
 * @param {SessionState} s
 * @param {AssistState} a
 * @param {Capability[]} caps
 * @param {number} now
 * @param {SessionLimits} limits
 */
function onAsk(s, a, caps, now, limits) {
  const notGrantable = caps.filter((c) => !a.grantable.includes(c));
  const cooling = caps.filter((c) => a.grantable.includes(c) && !a.granted.includes(c) && now - (a.declinedAt[c] ?? -Infinity) < ASK_COOLDOWN_MS);
  const fresh = caps.filter((c) => a.grantable.includes(c) && !a.granted.includes(c) && !a.asked.includes(c) && !cooling.includes(c));
  /** @type {{state: SessionState, effects: Effect[]}} */
  let r = result(s, []);
  if (notGrantable.length) r = refuse(r, now, limits, { n: 0, a: 'ask', why: 'not-grantable', detail: notGrantable.join(', ') });
  if (cooling.length) r = refuse(r, now, limits, { n: 0, a: 'ask', why: 'rate', detail: cooling.join(', ') });
  if (!fresh.length) return r.effects.length ? r : result(s, [hostSend(capsMessage(a))]);
  const assist = { ...a, asked: ordered([...a.asked, ...fresh]) };
  const changed = capsChanged(r.state, assist, r.effects);
  return result(changed.state, [...changed.effects, { t: 'open-consent', tabId: /** @type {number} */ (s.tabId) }]);
}

/**
 * A tool or an action from the agent: refused here unless its capability is granted now; the
 * content script checks the grant again, then the epoch, the rate and the firewall.
 * @param {SessionState} s
 * @param {import('../common/app.js').AgentMsg} msg
 * @param {number} now
 * @param {SessionLimits} limits
 */
function onAssist(s, msg, now, limits) {
  const a = s.assist;
  const cap = capabilityOf(msg);
  if (s.phase !== 'live' || !a || cap === null) return dropped(s);
  const act = msg.k === 'act' ? /** @type {{n: number, a: string}} */ (msg) : null;
  const label = { n: act ? act.n : 0, a: act ? act.a : msg.k };
  if (!a.granted.includes(/** @type {Capability} */ (cap))) return refuse(result(s, []), now, limits, { ...label, why: 'not-granted', detail: cap });
  // Between documents (the tab is loading) there is nothing to act on: ids are of the old epoch.
  if (!s.contentUp) return act ? refuse(result(s, []), now, limits, { ...label, why: 'stale', detail: 'the page is loading' }) : same(s);
  return result(s, [{ t: 'content', msg: { k: 'agent', msg } }]);
}

/**
 * Adds a `refused` to the agent, unless this second's refusals are used up (then it is counted
 * as dropped: a flooding agent gets no amplification).
 * @param {{state: SessionState, effects: Effect[]}} r
 * @param {number} now
 * @param {SessionLimits} limits
 * @param {{n: number, a: string, why: string, detail: string}} refusal
 */
function refuse(r, now, limits, refusal) {
  const s = r.state;
  const w = s.refusals && now - s.refusals.at < 1000 && now >= s.refusals.at ? s.refusals : { at: now, count: 0 };
  if (w.count >= limits.maxRefusalsPerSecond) return result({ ...s, refusals: w, dropped: s.dropped + 1 }, r.effects);
  return result({ ...s, refusals: { at: w.at, count: w.count + 1 } }, [...r.effects, hostSend({ k: 'refused', ...refusal })]);
}

/**
 * The customer granted, declined or revoked capabilities (consent window, popup, indicator).
 * @param {SessionState} s
 * @param {Extract<SessionEvent, {type: 'grant'|'decline'|'revoke'}>} e
 */
function onCapabilityDecision(s, e) {
  const a = s.assist;
  if (s.mode !== 'customer' || s.phase !== 'live' || !a) return same(s);
  const caps = new Set(e.caps);
  if (e.type === 'grant') {
    // Only what the agent asked for and the settings allow: a grant is an answer, never a gift.
    const grant = a.asked.filter((c) => caps.has(c) && a.grantable.includes(c));
    if (!grant.length) return same(s);
    return capsChanged(s, { ...a, granted: ordered([...a.granted, ...grant]), asked: a.asked.filter((c) => !caps.has(c)) });
  }
  if (e.type === 'decline') {
    const declined = a.asked.filter((c) => caps.has(c));
    if (!declined.length) return same(s);
    const declinedAt = { ...a.declinedAt };
    for (const c of declined) declinedAt[c] = e.now;
    const assist = { ...a, asked: a.asked.filter((c) => !caps.has(c)), declinedAt };
    return capsChanged(s, assist, [hostSend({ k: 'refused', n: 0, a: 'ask', why: 'declined', detail: declined.join(', ') })]);
  }
  // revoke: also withdraws pending asks of the same capabilities (Take back control = all).
  const granted = a.granted.filter((c) => !caps.has(c));
  const asked = a.asked.filter((c) => !caps.has(c));
  if (granted.length === a.granted.length && asked.length === a.asked.length) return same(s);
  return capsChanged(s, { ...a, granted, asked });
}

/**
 * The peer's hello says it is the same role as this side, or speaks another app version.
 * @param {SessionState} s
 * @param {'role-conflict'|'app-version-mismatch'} code
 */
function helloRefused(s, code) {
  return endLocally({ ...s, peerHello: true }, code === 'role-conflict' ? 'role-conflict' : 'error', { reason: code, error: code });
}

/**
 * Agent side: a message from the customer. Mirror messages go to the viewer (whose Mirror
 * validates every record and op); session messages move the phase.
 * @param {SessionState} s
 * @param {unknown} data
 */
function onCustomerMessage(s, data) {
  const checked = validateCustomerMessage(data);
  if (!checked.ok) {
    if (!checked.ignored && !s.peerHello && (checked.code === 'role-conflict' || checked.code === 'app-version-mismatch')) {
      return helloRefused(s, checked.code);
    }
    return dropped(s);
  }
  const msg = checked.msg;
  const viewing = s.phase === 'live' || s.phase === 'loading';
  switch (msg.k) {
    case 'hello':
      if (s.peerHello) return dropped(s);
      return result({ ...s, peerHello: true }, []);
    case 'consent':
      if (s.phase !== 'waiting-consent' || !s.peerHello) return dropped(s);
      return result({ ...s, phase: 'loading' }, []);
    case 'deny':
      if (s.phase !== 'waiting-consent') return dropped(s);
      return ended(s, { reason: 'denied', phase: 'denied' }, [HOST_END]);
    case 'bye':
      return ended(s, { reason: msg.reason }, [HOST_END]);
    case 'page':
      if (!viewing) return dropped(s);
      return result(msg.state === 'loading' ? { ...s, phase: 'loading' } : s, [{ t: 'viewer', msg: { k: 'peer', data: msg } }]);
    case 'pong':
      if (!viewing) return dropped(s);
      return result(s, [{ t: 'viewer', msg: { k: 'peer', data: msg } }]);
    case 'snap':
      if (!viewing) return dropped(s);
      return result({ ...s, phase: 'loading', epoch: msg.e }, [{ t: 'viewer', msg: { k: 'peer', data: msg } }]);
    case 'snapend': {
      if (!viewing) return dropped(s);
      const state = msg.e === s.epoch && s.phase === 'loading' ? { ...s, phase: /** @type {Phase} */ ('live') } : s;
      return result(state, [{ t: 'viewer', msg: { k: 'peer', data: msg } }]);
    }
    case 'part':
    case 'm':
    case 'done':
    case 'refused':
      if (!viewing) return dropped(s);
      return result(s, [{ t: 'viewer', msg: { k: 'peer', data: msg } }]);
    case 'caps':
      if (!viewing && s.phase !== 'waiting-consent') return dropped(s);
      return result({ ...s, peerCaps: msg }, [{ t: 'viewer', msg: { k: 'peer', data: msg } }]);
    default:
      return dropped(s);
  }
}

/**
 * Customer side: a message from the shared tab's content script.
 * @param {SessionState} s
 * @param {Extract<SessionEvent, {type: 'content'}>} e
 * @param {SessionLimits} limits
 */
function onContent(s, e, limits) {
  if (s.mode !== 'customer' || e.tabId !== s.tabId) return dropped(s);
  const msg = e.msg;
  if (msg.to === 'sw') {
    if (msg.k === 'overflow') return requestResync(s, e.now, limits.resyncMinIntervalMs);
    if (msg.k === 'revoke') return onCapabilityDecision(s, { type: 'revoke', caps: msg.caps });
    return isActive(s) ? endLocally(s, 'customer-stopped') : same(s);
  }
  if (s.phase !== 'live' || !s.contentUp || !s.peerUp) return dropped(s);
  const data = msg.data;
  // A message of an older epoch (a snapshot being replaced) would only desync the mirror.
  if (MIRROR_KINDS.has(data.k) && (/** @type {{e: number}} */ (data).e !== s.epoch || s.epochBroken)) return same(s);
  return result(s, [hostSend(data)]);
}

/**
 * Validates a stored state (chrome.storage.session is ours, but a state written by an older
 * version of the extension must not break a newer one).
 * @param {unknown} v
 * @returns {SessionState | null}
 */
export function parseStoredState(v) {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = /** @type {Record<string, unknown>} */ (v);
  const modes = ['idle', 'customer', 'agent'];
  const phases = ['idle', 'connecting', 'code', 'joining', 'handshaking', 'consent', 'live', 'ended', 'waiting-consent', 'loading', 'denied'];
  if (typeof o.mode !== 'string' || !modes.includes(o.mode)) return null;
  if (typeof o.phase !== 'string' || !phases.includes(o.phase)) return null;
  const int = (/** @type {unknown} */ x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
  if (!int(o.epoch) || !int(o.requestId) || !int(o.dropped)) return null;
  const str = (/** @type {unknown} */ x) => x === undefined || typeof x === 'string';
  if (!str(o.code) || !str(o.sas) || !str(o.error) || !str(o.reason) || !str(o.hintEvent) || !str(o.ua)) return null;
  if (o.tabId !== undefined && !int(o.tabId)) return null;
  if (o.startedBy !== 'customer' && o.startedBy !== 'agent') return null;
  if (o.lastResyncAt !== null && typeof o.lastResyncAt !== 'number') return null;
  /** @type {SessionState} */
  const s = {
    mode: /** @type {Mode} */ (o.mode),
    phase: /** @type {Phase} */ (o.phase),
    epoch: /** @type {number} */ (o.epoch),
    startedBy: o.startedBy,
    requestId: /** @type {number} */ (o.requestId),
    peerUp: o.peerUp === true,
    peerHello: o.peerHello === true,
    contentUp: o.contentUp === true,
    lastResyncAt: /** @type {number|null} */ (o.lastResyncAt),
    resyncPending: o.resyncPending === true,
    epochBroken: o.epochBroken === true,
    dropped: /** @type {number} */ (o.dropped),
  };
  for (const k of /** @type {const} */ (['code', 'sas', 'error', 'reason', 'hintEvent', 'ua'])) {
    const x = o[k];
    if (typeof x === 'string') s[k] = x;
  }
  if (typeof o.tabId === 'number') s.tabId = o.tabId;
  if (s.mode === 'idle' && s.phase !== 'idle') return null;
  return s;
}
