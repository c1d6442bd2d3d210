// Service worker entry: wires chrome events to the session state machine (session.js) and carries
// out its effects. Listeners are registered synchronously at top level (the worker can be started
// by any of these events); events are handled one at a time, in order, after the stored state was
// loaded. The state lives in chrome.storage.session, so a restarted worker recovers (session.js
// `recover`: the native port and the host died with the old worker, so a running session ended).

import { LIMITS } from '../dist/protocol.js';
import * as api from './chrome-api.js';
import { isOwnPageSender, isTabId, parseContentMessage, parseLaneOffer, parsePopupCommand, parseViewerMessage } from './messages.js';
import { NATIVE_HOST_NAME, NativeHost } from './native-port.js';
import { initialState, isActive, publicState, recover, reduce } from './session.js';
import { CAPABILITIES, normalizeSettings, SETTINGS_KEY } from './settings.js';

/** @typedef {import('./session.js').SessionState} SessionState */
/** @typedef {import('./session.js').SessionEvent} SessionEvent */
/** @typedef {import('./session.js').Effect} Effect */

const PORT_CONTENT = 'cotab-content';
const PORT_VIEWER = 'cotab-viewer';
const PORT_POPUP = 'cotab-popup';

const reducerLimits = { resyncMinIntervalMs: LIMITS.app_resync_min_interval_ms, maxRefusalsPerSecond: LIMITS.app_max_refusals_per_second };

/** Pages of this extension that may send commands. */
const POPUP_URL = api.extensionUrl(api.POPUP_PAGE);
const VIEWER_URL = api.extensionUrl(api.VIEWER_PAGE);

// ---------------------------------------------------------------------------------------------
// Worker-lifetime state (this file only; the session state proper is `state`, persisted).

/** @type {SessionState} */
let state = initialState();
let lastBroadcast = '';
/** Inbound messages dropped, by source (diagnostics; read them with `chrome.runtime.sendMessage({cmd:'state'})`'s reply). */
const dropCounts = { native: 0, content: 0, viewer: 0, popup: 0 };
/** The content script port of the shared tab's current document. @type {chrome.runtime.Port | null} */
let contentPort = null;
/** documentId the capture was last injected into (so DOMContentLoaded + load inject once). */
let injectedDocumentId = /** @type {string | null} */ (null);
/** @type {Set<chrome.runtime.Port>} */
const viewerPorts = new Set();
/**
 * Lanes: a MessagePort per viewer, from this worker straight to the viewer page (same renderer
 * process, no hop through the browser process: a paced round trip of p50 0.30 ms against 1.20 ms
 * for the runtime port, node tools/bench/mirror/worker-page.mjs). Everything for that viewer goes
 * on its lane once the lane is up; the runtime port still tells when the viewer is gone and
 * carries the viewer's own messages.
 * @type {Map<chrome.runtime.Port, MessagePort>}
 */
const viewerLanes = new Map();
/** Lane offers waiting for their other half, by nonce (at most LANE_OFFERS_MAX). @type {Map<string, {port?: chrome.runtime.Port, lane?: MessagePort}>} */
const laneOffers = new Map();
const LANE_OFFERS_MAX = 8;
/** @type {Set<chrome.runtime.Port>} */
const popupPorts = new Set();
/** The settings' `dataChannel` as last read (settings are read with every command, so before a session starts). */
let dataChannelSetting = normalizeSettings(undefined).dataChannel;
/** The consent window this worker opened. @type {number | null} */
let consentWindowId = null;
/** The tab the consent window is about. @type {number | null} */
let consentWindowTab = null;

const native = new NativeHost({
  connect: () => api.connectNativeHost(NATIVE_HOST_NAME),
  lastError: api.lastErrorMessage,
  onMessage: (msg) => dispatch({ type: 'host', msg, now: Date.now() }),
  onGone: (error) => dispatch({ type: 'host-gone', error }),
  onDropped: (why) => {
    dropCounts.native++;
    console.warn(`cotab: dropped a host message (${why})`);
  },
  // The data channel (PROTOCOL.md §3.4): a WebSocket to the host on 127.0.0.1. This worker is
  // the only place that sees its token.
  openSocket: (url) => new WebSocket(url),
  channelEnabled: () => dataChannelSetting,
});

// ---------------------------------------------------------------------------------------------
// The event loop: one event at a time, after the stored state was loaded.

const ready = (async () => {
  try {
    const { state: recovered, effects } = recover(await api.loadSessionState());
    state = recovered;
    await api.saveSessionState(state);
    for (const effect of effects) runEffect(effect);
  } catch (e) {
    console.error('cotab: could not load the session state', e);
  }
})();

/** @type {Promise<void>} */
let queue = ready;

/** Runs `task` after every earlier one. @param {() => void | Promise<void>} task */
function enqueue(task) {
  queue = queue.then(task).catch((e) => console.error('cotab: event failed', e));
  return queue;
}

/** @param {SessionEvent} event */
function dispatch(event) {
  return enqueue(() => step(event));
}

/** @param {SessionEvent} event */
function step(event) {
  const { state: next, effects } = reduce(state, event, reducerLimits);
  if (next !== state) {
    state = next;
    api.saveSessionState(state).catch((e) => console.error('cotab: could not store the session state', e));
    broadcastState();
  }
  for (const effect of effects) runEffect(effect);
}

function broadcastState() {
  const pub = publicState(state);
  const text = JSON.stringify(pub);
  if (text === lastBroadcast) return;
  lastBroadcast = text;
  for (const port of viewerPorts) postToViewer(port, { k: 'state', state: pub });
  for (const port of popupPorts) safePost(port, { k: 'state', state: pub });
}

/** On the viewer's lane once it is up, else on its runtime port. @param {chrome.runtime.Port} port @param {unknown} msg */
function postToViewer(port, msg) {
  const lane = viewerLanes.get(port);
  if (!lane) return safePost(port, msg);
  try {
    lane.postMessage(msg);
    return true;
  } catch {
    return false;
  }
}

/**
 * One half of a viewer's lane offer (its runtime port's `{k:'lane'}`, or the MessagePort on the
 * worker's `message` event); with both, the lane goes up. Runs in the event queue, so the switch
 * falls between two effects: the viewer holds what comes on the lane until it reads `lane-up` on
 * its runtime port, after everything sent there before.
 * @param {string} nonce @param {{port?: chrome.runtime.Port, lane?: MessagePort}} half
 */
function laneHalf(nonce, half) {
  const offer = { ...laneOffers.get(nonce), ...half };
  laneOffers.delete(nonce);
  if (!offer.port || !offer.lane) {
    laneOffers.set(nonce, offer);
    for (const [old, o] of laneOffers) {
      if (laneOffers.size <= LANE_OFFERS_MAX) break;
      laneOffers.delete(old);
      o.lane?.close();
    }
    return;
  }
  const { port, lane } = offer;
  if (!viewerPorts.has(port) || viewerLanes.has(port)) {
    lane.close();
    return;
  }
  safePost(port, { k: 'lane-up' });
  viewerLanes.set(port, lane);
}

/** @param {chrome.runtime.Port} port @param {unknown} msg */
function safePost(port, msg) {
  try {
    port.postMessage(msg);
    return true;
  } catch {
    return false;
  }
}

/** @param {Effect} effect */
function runEffect(effect) {
  switch (effect.t) {
    case 'host':
      native.post(effect.msg);
      break;
    case 'host-close':
      native.close();
      break;
    case 'content':
      if (contentPort && !safePost(contentPort, effect.msg)) closeContentPort();
      break;
    case 'content-close':
      closeContentPort();
      break;
    case 'viewer':
      for (const port of viewerPorts) postToViewer(port, effect.msg);
      break;
    case 'inject':
      void inject(effect.tabId);
      break;
    case 'open-consent':
      void openConsent(effect.tabId);
      break;
    case 'open-viewer':
      api.openViewer().catch((e) => console.error('cotab: could not open the viewer', e));
      break;
    case 'badge':
      api.setBadge(effect.text, effect.color).catch(() => {});
      break;
    case 'resync-timer':
      setTimeout(() => dispatch({ type: 'resync-timer', now: Date.now() }), effect.ms);
      break;
    case 'cleanup-tab':
      void api.removeLeftoverIndicator(effect.tabId);
      break;
  }
}

function closeContentPort() {
  const port = contentPort;
  contentPort = null;
  injectedDocumentId = null;
  if (port) {
    try {
      port.disconnect();
    } catch {
      // already closed
    }
  }
}

/** @param {number} tabId */
async function inject(tabId) {
  const documentId = await api.topDocumentId(tabId);
  if (!documentId) {
    dispatch({ type: 'inject-failed', tabId, error: 'no-document' });
    return;
  }
  if (documentId === injectedDocumentId) return;
  injectedDocumentId = documentId;
  try {
    await api.injectCapture(tabId, documentId, state.hintEvent ?? '');
  } catch (e) {
    if (injectedDocumentId === documentId) injectedDocumentId = null;
    console.warn('cotab: could not inject into the shared tab', e);
    dispatch({ type: 'inject-failed', tabId, error: e instanceof Error ? e.message : String(e) });
  }
}

/** @param {number} tabId */
async function openConsent(tabId) {
  if (await api.actionPopupOpen()) return;
  // The window of this tab is still open (it follows the state: a capability request shows in
  // it): bring it forward. One left from an earlier session shows that session's tab: replace it.
  if (consentWindowId !== null && consentWindowTab === tabId && (await api.focusWindow(consentWindowId))) return;
  if (consentWindowId !== null) await api.closeWindow(consentWindowId);
  consentWindowId = null;
  consentWindowTab = tabId;
  try {
    consentWindowId = await api.openConsentWindow(tabId);
  } catch (e) {
    console.error('cotab: could not open the consent window', e);
  }
}

// ---------------------------------------------------------------------------------------------
// Commands from the extension's own pages (popup, consent window, viewer).

/**
 * @param {import('./messages.js').PopupCommand} cmd
 * @returns {Promise<{ok: boolean, state: import('./session.js').PublicState, error?: string}>}
 */
async function handleCommand(cmd) {
  const settings = normalizeSettings(await api.loadStoredSettings(SETTINGS_KEY));
  dataChannelSetting = settings.dataChannel;
  /** @type {SessionEvent | null} */
  let event = null;
  /** @type {string | undefined} */
  let refused;
  switch (cmd.cmd) {
    case 'state':
      break;
    case 'share':
    case 'customer-join': {
      if (settings.mode === 'agent') {
        refused = 'mode-not-allowed';
        break;
      }
      const tab = await api.getTab(cmd.tabId);
      if (!tab || !isShareableUrl(tab.url)) {
        refused = 'page-not-shareable';
        break;
      }
      const common = {
        tabId: cmd.tabId,
        relay: settings.relay,
        capture: { maskSelectors: settings.maskSelectors, blockSelectors: settings.blockSelectors },
        assist: {
          grantable: settings.grantable,
          granted: settings.granted,
          allowedOrigins: settings.allowedOrigins,
          finalizeSelectors: settings.finalizeSelectors,
        },
        hintEvent: api.randomHintEvent(),
        ua: api.browserName(),
      };
      event = cmd.cmd === 'share' ? { type: 'share', ...common } : { type: 'customer-join', ...common, code: cmd.code };
      break;
    }
    case 'agent-join':
    case 'agent-start':
      if (settings.mode === 'customer') {
        refused = 'mode-not-allowed';
        break;
      }
      event =
        cmd.cmd === 'agent-join'
          ? { type: 'agent-join', code: cmd.code, relay: settings.relay, ua: api.browserName() }
          : { type: 'agent-start', relay: settings.relay, ua: api.browserName() };
      break;
    case 'grant':
    case 'revoke':
      event = { type: cmd.cmd, caps: cmd.caps };
      break;
    case 'decline':
      event = { type: 'decline', caps: cmd.caps, now: Date.now() };
      break;
    case 'revoke-all':
      event = { type: 'revoke', caps: [...CAPABILITIES] };
      break;
    default:
      event = { type: cmd.cmd };
  }
  /** @type {{ok: boolean, state: import('./session.js').PublicState, error?: string}} */
  let reply = { ok: false, state: publicState(state) };
  await enqueue(() => {
    if (refused) {
      reply = { ok: false, state: publicState(state), error: refused };
      return;
    }
    if (!event) {
      reply = { ok: true, state: publicState(state) };
      return;
    }
    if ((event.type === 'share' || event.type === 'customer-join' || event.type === 'agent-join' || event.type === 'agent-start') && isActive(state)) {
      reply = { ok: false, state: publicState(state), error: 'busy' };
      return;
    }
    const before = state;
    step(event);
    reply = state !== before ? { ok: true, state: publicState(state) } : { ok: false, state: publicState(state), error: 'wrong-state' };
  });
  return reply;
}

/** Pages the content script can run in (not the browser's own pages, not other extensions). @param {string | undefined} url */
function isShareableUrl(url) {
  return typeof url === 'string' && /^(https?|file):/i.test(url);
}

/** @param {chrome.runtime.MessageSender} sender  an extension page of ours (not a content script) */
function isOwnPage(sender) {
  return isOwnPageSender(sender, chrome.runtime.id, api.extensionUrl(''));
}

// ---------------------------------------------------------------------------------------------
// Listeners (top level, synchronous).

chrome.runtime.onMessage.addListener((raw, sender, sendResponse) => {
  if (!isOwnPage(sender)) {
    dropCounts.popup++;
    return false;
  }
  const cmd = parsePopupCommand(raw);
  if (!cmd) {
    dropCounts.popup++;
    sendResponse({ ok: false, error: 'bad-command' });
    return false;
  }
  handleCommand(cmd).then(sendResponse, (e) => sendResponse({ ok: false, error: String(e) }));
  return true;
});

chrome.runtime.onConnect.addListener((port) => {
  const sender = port.sender;
  if (!sender || sender.id !== chrome.runtime.id) {
    port.disconnect();
    return;
  }
  if (port.name === PORT_CONTENT) onContentPort(port, sender);
  else if (port.name === PORT_VIEWER && sender.url?.startsWith(VIEWER_URL)) onPagePort(port, viewerPorts, 'viewer');
  else if (port.name === PORT_POPUP && sender.url?.startsWith(POPUP_URL)) onPagePort(port, popupPorts, 'popup');
  else port.disconnect();
});

/** @param {chrome.runtime.Port} port @param {chrome.runtime.MessageSender} sender */
function onContentPort(port, sender) {
  const tabId = sender.tab?.id;
  if (sender.frameId !== 0 || !isTabId(tabId)) {
    port.disconnect();
    return;
  }
  port.onMessage.addListener((raw) => {
    if (port !== contentPort) return;
    const msg = parseContentMessage(raw);
    if (!msg) {
      dropCounts.content++;
      return;
    }
    void dispatch({ type: 'content', tabId, msg, now: Date.now() });
  });
  port.onDisconnect.addListener(() => {
    void enqueue(() => {
      if (port !== contentPort) return;
      contentPort = null;
      step({ type: 'content-gone', tabId });
    });
  });
  void enqueue(() => {
    if (state.mode !== 'customer' || state.tabId !== tabId || state.phase !== 'live') {
      port.disconnect();
      return;
    }
    // A newer document of the shared tab replaces the older one's script.
    if (contentPort && contentPort !== port) {
      const old = contentPort;
      contentPort = null;
      try {
        old.disconnect();
      } catch {
        // gone already
      }
    }
    contentPort = port;
    step({ type: 'content-ready', tabId, now: Date.now() });
  });
}

/**
 * @param {chrome.runtime.Port} port
 * @param {Set<chrome.runtime.Port>} set
 * @param {'viewer'|'popup'} kind
 */
function onPagePort(port, set, kind) {
  port.onDisconnect.addListener(() => {
    set.delete(port);
    viewerLanes.get(port)?.close();
    viewerLanes.delete(port);
  });
  port.onMessage.addListener((raw) => {
    if (kind !== 'viewer') {
      dropCounts.popup++;
      return;
    }
    const nonce = parseLaneOffer(raw);
    if (nonce) {
      void enqueue(() => laneHalf(nonce, { port }));
      return;
    }
    const msg = parseViewerMessage(raw);
    if (!msg) {
      dropCounts.viewer++;
      return;
    }
    void dispatch({ type: 'viewer', msg });
  });
  void enqueue(() => {
    set.add(port);
    postToViewer(port, { k: 'state', state: publicState(state) });
    if (kind === 'viewer') step({ type: 'viewer-ready' });
  });
}

// The other half of a lane offer: a MessagePort from the viewer page (only our own viewer).
self.addEventListener('message', (event) => {
  const source = /** @type {{url?: unknown} | null} */ (event.source);
  const nonce = parseLaneOffer(event.data);
  const lane = event.ports.length === 1 ? event.ports[0] : null;
  if (!nonce || !lane || typeof source?.url !== 'string' || !source.url.startsWith(VIEWER_URL)) {
    for (const p of event.ports) p.close();
    dropCounts.viewer++;
    return;
  }
  void enqueue(() => laneHalf(nonce, { lane }));
});

chrome.tabs.onRemoved.addListener((tabId) => {
  void dispatch({ type: 'tab-removed', tabId });
});

chrome.tabs.onReplaced.addListener((addedTabId, removedTabId) => {
  // The browser swapped the tab's contents for a prerendered one: the shared tab is gone as far
  // as the content script is concerned; end rather than silently share another tab id.
  void dispatch({ type: 'tab-removed', tabId: removedTabId });
  void addedTabId;
});

chrome.windows.onRemoved.addListener((windowId) => {
  if (windowId === consentWindowId) consentWindowId = null;
});

/** @param {{tabId: number, frameId: number, documentLifecycle?: string}} d */
function isSharedTopFrame(d) {
  return d.frameId === 0 && d.tabId === state.tabId && d.documentLifecycle !== 'prerender';
}

chrome.webNavigation.onCommitted.addListener((d) => {
  if (!isSharedTopFrame(d)) return;
  void enqueue(() => {
    injectedDocumentId = null;
    step({ type: 'committed', tabId: d.tabId, url: d.url });
  });
});
chrome.webNavigation.onDOMContentLoaded.addListener((d) => {
  if (isSharedTopFrame(d)) void dispatch({ type: 'dom-ready', tabId: d.tabId });
});
chrome.webNavigation.onCompleted.addListener((d) => {
  // Also after a back/forward-cache restore, which has no DOMContentLoaded of its own.
  if (isSharedTopFrame(d)) void dispatch({ type: 'dom-ready', tabId: d.tabId });
});
chrome.webNavigation.onHistoryStateUpdated.addListener((d) => {
  if (isSharedTopFrame(d)) void dispatch({ type: 'url-changed', tabId: d.tabId, url: d.url });
});
chrome.webNavigation.onReferenceFragmentUpdated.addListener((d) => {
  if (isSharedTopFrame(d)) void dispatch({ type: 'url-changed', tabId: d.tabId, url: d.url });
});

// Exposed for diagnostics in DevTools / tests (read-only copies).
/** @type {{cotabDiagnostics?: () => object}} */ (/** @type {unknown} */ (globalThis)).cotabDiagnostics = () => ({
  state: JSON.parse(JSON.stringify(state)),
  dropped: { ...dropCounts, session: state.dropped, nativeFrames: native.dropped },
  channel: native.channel,
  contentConnected: contentPort !== null,
  viewers: viewerPorts.size,
  viewerLanes: viewerLanes.size,
  popups: popupPorts.size,
});
