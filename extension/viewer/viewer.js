// The agent's viewer: connection state, the code to read (when the agent started), the security
// number, and the customer's tab rebuilt by the Mirror (mirror.js: sandboxed iframe, no scripts),
// drawn at the customer's viewport size and scaled to fit, with the customer's pointer above it
// and the round-trip latency; the agent's tools and actions over it (tools.js). Talks to the
// service worker on the `cotab-viewer` port.

import { Mirror } from './mirror.js';
import { ViewerTools } from './tools.js';
import { endedText, formatCode, statusText } from '../popup/texts.js';
import { isLaneUp, parseViewerInbound, scaleToFit, viewerDisplayState } from './viewer-model.js';

/** @typedef {import('../background/session.js').PublicState} PublicState */

/** Latency probe period (the customer answers each ping from the shared tab). */
export const PING_INTERVAL_MS = 1000;
/** No answer for this long: the latency figure is shown as stale. */
export const LATENCY_STALE_MS = 5000;
/** Outstanding probes remembered (older answers are ignored). */
const MAX_OUTSTANDING_PINGS = 16;
const COPIED_FEEDBACK_MS = 1500;
/** Room around the scaled screen inside the area, CSS px. */
const STAGE_PADDING_PX = 16;

/** @template {Element} T @param {string} selector @param {new () => T} type @returns {T} */
function pick(selector, type) {
  const found = document.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`viewer.html has no ${type.name} ${selector}`);
  return found;
}

const ui = {
  state: pick('[data-testid=viewer-state]', HTMLElement),
  stateText: pick('#state-text', HTMLElement),
  pageUrl: pick('#page-url', HTMLElement),
  sasChip: pick('#sas-chip', HTMLElement),
  sas: pick('[data-testid=viewer-sas]', HTMLElement),
  latencyChip: pick('#latency-chip', HTMLElement),
  latency: pick('[data-testid=latency]', HTMLElement),
  leave: pick('[data-testid=leave]', HTMLButtonElement),
  progress: pick('[data-testid=progress]', HTMLElement),
  progressFill: pick('#progress-fill', HTMLElement),
  area: pick('#area', HTMLElement),
  panels: {
    connecting: pick('#panel-connecting', HTMLElement),
    code: pick('#panel-code', HTMLElement),
    waiting: pick('#panel-waiting', HTMLElement),
    ended: pick('#panel-ended', HTMLElement),
  },
  connectingTitle: pick('#connecting-title', HTMLElement),
  connectingText: pick('#connecting-text', HTMLElement),
  code: pick('[data-testid=viewer-code]', HTMLElement),
  copyCode: pick('#copy-code', HTMLButtonElement),
  sasBig: pick('#sas-big', HTMLElement),
  endedTitle: pick('#ended-title', HTMLElement),
  endedReason: pick('[data-testid=ended-reason]', HTMLElement),
  closeTab: pick('#close-tab', HTMLButtonElement),
  stage: pick('#stage', HTMLElement),
  screenBox: pick('#screen-box', HTMLElement),
  screen: pick('#screen', HTMLElement),
  mirrorHost: pick('#mirror-host', HTMLElement),
  pointer: pick('[data-testid=pointer]', HTMLElement),
  veil: pick('#veil', HTMLElement),
  veilText: pick('#veil-text', HTMLElement),
};

// ---------------------------------------------------------------------------------------------
// View state (this page only).

/** @type {PublicState | null} */
let session = null;
/** @type {{phase: 'empty'|'loading'|'live'|'desync', received: number, total: number}} */
let mirrorState = { phase: 'empty', received: 0, total: 0 };
/** The customer's tab is navigating: show the loading veil until the next snapshot. */
let pageLoading = false;
let viewport = { w: 1280, h: 720 };
/** @type {{x: number, y: number} | null} */
let pointer = null;
let scale = 1;
/** @type {Map<number, number>} probe t → sent at (performance.now()) */
const outstandingPings = new Map();
let lastPongAt = 0;
/** @type {chrome.runtime.Port | null} */
let port = null;
let leaving = false;

const mirror = new Mirror({
  host: ui.mirrorHost,
  onState: (s) => {
    mirrorState = { phase: s.phase, received: s.received, total: s.total };
    render();
    tools.mirrorChanged();
  },
  onDesync: (why) => {
    console.warn(`cotab viewer: mirror desync (${why}); asking for a new snapshot`);
    send({ k: 'send', data: { k: 'resync' } });
  },
  onPointer: (p) => {
    pointer = p;
    placePointer();
  },
  onViewport: (w, h) => {
    if (w > 0 && h > 0) {
      viewport = { w, h };
      layout();
    }
  },
});

const tools = new ViewerTools({
  doc: document,
  mirror,
  send: (data) => send({ k: 'send', data }),
  scale: () => scale,
  pageUrl: () => ui.pageUrl.textContent ?? '',
});

// ---------------------------------------------------------------------------------------------

/** @param {object} msg */
function send(msg) {
  if (!port) return;
  try {
    port.postMessage(msg);
  } catch {
    // the worker is gone; the reconnect will resync
  }
}

/** @param {unknown} raw  a message from the worker, on the runtime port or the lane */
function fromWorker(raw) {
  const msg = parseViewerInbound(raw);
  if (!msg) return;
  if (msg.k === 'state') onSession(msg.state);
  else onPeer(msg.data);
}

function connect() {
  const p = chrome.runtime.connect({ name: 'cotab-viewer' });
  port = p;
  // The lane: a MessagePort straight from the worker (background/sw.js). What it carries before
  // the worker's `lane-up` on the runtime port was sent after everything there: held till then.
  const lane = new MessageChannel();
  const nonce = crypto.randomUUID();
  /** @type {unknown[] | null} */
  let held = [];
  lane.port1.onmessage = (ev) => {
    if (p !== port) return;
    if (held) held.push(ev.data);
    else fromWorker(ev.data);
  };
  p.onMessage.addListener((raw) => {
    if (p !== port) return;
    if (isLaneUp(raw) && held) {
      const waiting = held;
      held = null;
      for (const m of waiting) fromWorker(m);
      return;
    }
    fromWorker(raw);
  });
  p.postMessage({ k: 'lane', nonce });
  navigator.serviceWorker.ready
    .then((reg) => reg.active?.postMessage({ k: 'lane', nonce }, [lane.port2]))
    .catch(() => {}); // no lane: everything stays on the runtime port
  p.onDisconnect.addListener(() => {
    if (p !== port) return;
    port = null;
    lane.port1.close();
    // The worker restarted (it recovers the state and tells us on the next port).
    setTimeout(connect, 200);
  });
}

/** @param {PublicState} s */
function onSession(s) {
  const wasRunning = session && (session.phase === 'live' || session.phase === 'loading');
  session = s;
  const running = s.mode === 'agent' && (s.phase === 'live' || s.phase === 'loading');
  if (!running && wasRunning) {
    mirror.reset();
    mirrorState = { phase: 'empty', received: 0, total: 0 };
    pointer = null;
    placePointer();
    outstandingPings.clear();
  }
  if (!running) {
    pageLoading = false;
    showUrl('');
  }
  if (s.mode === 'agent' && s.phase !== 'ended' && s.phase !== 'denied') leaving = false;
  render();
}

/** @param {{k: string} & Record<string, unknown>} data  an app message from the customer */
function onPeer(data) {
  switch (data.k) {
    case 'pong':
      onPong(data.t);
      return;
    case 'page':
      if (data.state === 'loading') pageLoading = true;
      if (typeof data.url === 'string') showUrl(data.url);
      render();
      return;
    case 'snap':
      pageLoading = false;
      if (typeof data.url === 'string') showUrl(data.url);
      break;
    case 'part':
    case 'snapend':
    case 'm':
      break;
    default:
      tools.handlePeer(data); // caps, done, refused; anything else is dropped
      return;
  }
  mirror.handle(data);
}

/** @param {string} url */
function showUrl(url) {
  ui.pageUrl.textContent = url;
  ui.pageUrl.title = url;
}

/** @param {unknown} t */
function onPong(t) {
  if (typeof t !== 'number' || !outstandingPings.has(t)) return;
  outstandingPings.delete(t);
  const rtt = Math.max(0, performance.now() - t);
  lastPongAt = performance.now();
  ui.latency.textContent = `${Math.round(rtt)} ms`;
  delete ui.latencyChip.dataset.stale;
}

function ping() {
  const shown = displayState();
  if (shown !== 'live' && shown !== 'loading') return;
  const t = performance.now();
  outstandingPings.set(t, t);
  if (outstandingPings.size > MAX_OUTSTANDING_PINGS) {
    const oldest = outstandingPings.keys().next().value;
    if (oldest !== undefined) outstandingPings.delete(oldest);
  }
  send({ k: 'send', data: { k: 'ping', t } });
  if (lastPongAt && t - lastPongAt > LATENCY_STALE_MS) ui.latencyChip.dataset.stale = '';
}

function displayState() {
  return viewerDisplayState(session, mirrorState.phase, pageLoading);
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** @param {HTMLElement} node @param {boolean} visible */
function show(node, visible) {
  node.hidden = !visible;
}

const STATE_WORDS = {
  connecting: 'Connecting…',
  code: 'Waiting for the customer',
  handshaking: 'Securing the connection…',
  'waiting-consent': 'Waiting for permission',
  loading: 'Loading…',
  live: 'Live',
  ended: 'Session ended',
  denied: 'Customer denied',
};

function render() {
  const shown = displayState();
  ui.state.dataset.state = shown;
  ui.stateText.textContent = STATE_WORDS[shown];
  const s = session;
  const active = !!s && s.mode === 'agent' && shown !== 'ended' && shown !== 'denied';

  show(ui.panels.connecting, shown === 'connecting' || shown === 'handshaking');
  show(ui.panels.code, shown === 'code');
  show(ui.panels.waiting, shown === 'waiting-consent');
  show(ui.panels.ended, shown === 'ended' || shown === 'denied');
  show(ui.stage, shown === 'loading' || shown === 'live');

  if (shown === 'handshaking') {
    ui.connectingTitle.textContent = 'Securing the connection…';
    ui.connectingText.textContent = 'The customer is connected. Checking the code on both sides.';
  } else {
    ui.connectingTitle.textContent = 'Connecting…';
    ui.connectingText.textContent =
      s?.startedBy === 'agent' ? 'Getting a code for this session.' : 'Looking for the customer’s session.';
  }

  ui.code.textContent = s?.code ? formatCode(s.code) : '';
  ui.sas.textContent = s?.sas ?? '';
  ui.sasBig.textContent = s?.sas ?? '';
  show(ui.sasChip, active && !!s?.sas);
  show(ui.latencyChip, shown === 'live' || shown === 'loading');
  if (!(shown === 'live' || shown === 'loading')) {
    ui.latency.textContent = '–';
    lastPongAt = 0;
  }

  if (shown === 'denied') {
    ui.endedTitle.textContent = 'Customer denied';
    ui.endedReason.textContent = 'The customer declined to share their tab. Nothing was shown.';
  } else if (shown === 'ended') {
    ui.endedTitle.textContent = 'Session ended';
    ui.endedReason.textContent = s && s.mode === 'agent' ? endedText(s) : 'No session is running. Join one from the Cotab button in the toolbar.';
  }

  // Loading: progress of the snapshot; the veil over an old or empty mirror.
  const loading = shown === 'loading';
  show(ui.progress, loading);
  const pct = mirrorState.phase === 'loading' && mirrorState.total > 0 ? Math.min(99, (100 * mirrorState.received) / mirrorState.total) : 2;
  ui.progressFill.style.width = `${pct}%`;
  ui.progress.setAttribute('aria-valuenow', String(Math.round(pct)));
  show(ui.veil, loading);
  ui.veilText.textContent = pageLoading ? 'The customer’s page is loading…' : 'Loading the customer’s tab…';

  tools.setRunning(shown === 'loading' || shown === 'live');
  show(ui.leave, active);
  ui.leave.disabled = leaving;
  document.title = shown === 'live' ? 'Cotab — viewing the customer’s tab' : `Cotab — ${statusText('agent', s?.mode === 'agent' ? s.phase : 'ended')}`;
  if (shown === 'loading' || shown === 'live') layout();
}

function layout() {
  const aw = Math.max(1, ui.area.clientWidth - 2 * STAGE_PADDING_PX);
  const ah = Math.max(1, ui.area.clientHeight - 2 * STAGE_PADDING_PX);
  scale = scaleToFit(viewport.w, viewport.h, aw, ah);
  ui.screenBox.style.width = `${viewport.w * scale}px`;
  ui.screenBox.style.height = `${viewport.h * scale}px`;
  ui.screen.style.width = `${viewport.w}px`;
  ui.screen.style.height = `${viewport.h}px`;
  ui.screen.style.transform = `scale(${scale})`;
  const card = ui.veil.firstElementChild;
  if (card instanceof HTMLElement) card.style.transform = `scale(${1 / scale})`;
  placePointer();
}

function placePointer() {
  if (!pointer) {
    ui.pointer.hidden = true;
    return;
  }
  ui.pointer.hidden = false;
  // Inside the scaled screen: customer CSS px; the arrow itself keeps its size.
  ui.pointer.style.transform = `translate(${pointer.x}px, ${pointer.y}px) scale(${1 / scale})`;
}

// ---------------------------------------------------------------------------------------------

ui.leave.addEventListener('click', () => {
  leaving = true;
  send({ k: 'leave' });
  render();
});

ui.closeTab.addEventListener('click', async () => {
  const tab = await chrome.tabs.getCurrent();
  if (tab?.id !== undefined) await chrome.tabs.remove(tab.id);
  else window.close();
});

ui.copyCode.addEventListener('click', async () => {
  const code = session?.code;
  if (!code) return;
  try {
    await navigator.clipboard.writeText(code.replace(/-/g, ' '));
  } catch {
    const range = document.createRange();
    range.selectNodeContents(ui.code);
    getSelection()?.removeAllRanges();
    getSelection()?.addRange(range);
    document.execCommand('copy');
  }
  ui.copyCode.dataset.copied = '';
  ui.copyCode.textContent = 'Copied';
  setTimeout(() => {
    delete ui.copyCode.dataset.copied;
    ui.copyCode.textContent = 'Copy';
  }, COPIED_FEEDBACK_MS);
});

new ResizeObserver(() => layout()).observe(ui.area);
setInterval(ping, PING_INTERVAL_MS);
render();
connect();
