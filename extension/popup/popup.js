// The popup: the toolbar popup, and the same page in a window as popup.html?tab=<tabId> (the
// consent window the service worker opens when an agent connects). It shows the session state it
// receives on the `cotab-popup` port and sends commands with chrome.runtime.sendMessage.

import { parseTypedCode } from '../background/messages.js';
import { normalizeSettings, SETTINGS_KEY } from '../background/settings.js';
import { parsePublicState } from '../viewer/viewer-model.js';
import { parseCapsState } from './caps-model.js';
import { CAPABILITY_TEXT, endedText, formatCode, joinGrantsText, refusalText, statusText } from './texts.js';

/** @typedef {import('../background/session.js').PublicState} PublicState */

const COPIED_FEEDBACK_MS = 1500;
/** Ends that are nobody's problem: shown as information, not as a warning. */
const CALM_REASONS = new Set(['customer-stopped', 'agent-left', 'denied', 'local-end', 'peer-ended', 'tab-closed']);
const ACTIVE = new Set(['connecting', 'code', 'joining', 'handshaking', 'consent', 'live', 'waiting-consent', 'loading']);

/** @param {string} id @returns {HTMLElement} */
function el(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`popup.html has no #${id}`);
  return found;
}
/** @param {string} testId @returns {HTMLElement} */
function byTestId(testId) {
  const found = document.querySelector(`[data-testid="${testId}"]`);
  if (!(found instanceof HTMLElement)) throw new Error(`popup.html has no [data-testid=${testId}]`);
  return found;
}
/** @param {string} testId @returns {HTMLInputElement} */
function inputByTestId(testId) {
  const found = byTestId(testId);
  if (!(found instanceof HTMLInputElement)) throw new Error(`[data-testid=${testId}] is not an input`);
  return found;
}

const ui = {
  app: el('app'),
  status: byTestId('status'),
  notice: el('notice'),
  views: {
    start: el('view-start'),
    code: el('view-code'),
    progress: el('view-progress'),
    consent: el('view-consent'),
    live: el('view-live'),
    ask: el('view-ask'),
    elsewhere: el('view-elsewhere'),
    agent: el('view-agent'),
  },
  customerCard: el('customer-card'),
  agentCard: el('agent-card'),
  share: byTestId('share'),
  haveCode: byTestId('have-code'),
  haveCodeForm: el('have-code-form'),
  codeInput: inputByTestId('code-input'),
  joinForm: el('join-form'),
  joinCode: inputByTestId('join-code'),
  agentStart: byTestId('agent-start'),
  code: byTestId('code'),
  copyCode: byTestId('copy-code'),
  progressText: el('progress-text'),
  consentTab: el('consent-tab'),
  sas: byTestId('sas'),
  allow: byTestId('allow'),
  deny: byTestId('deny'),
  liveTab: el('live-tab'),
  askTab: el('ask-tab'),
  askList: el('ask-list'),
  askAllow: byTestId('ask-allow'),
  askDeny: byTestId('ask-deny'),
  capList: el('cap-list'),
  takeBack: byTestId('take-back'),
  consentGrants: el('consent-grants'),
  liveWarning: el('live-warning'),
  showSharedTab: el('show-shared-tab'),
  agentTitle: el('agent-title'),
  agentText: el('agent-text'),
  openViewer: el('open-viewer'),
  footer: el('footer'),
  stop: byTestId('stop'),
  leave: byTestId('leave'),
  closeWindow: el('close-window'),
  openOptions: el('open-options'),
};

/** The tab this popup is about: ?tab=<id> (consent window, tests) or the active tab. */
const tabFromQuery = (() => {
  const raw = new URLSearchParams(location.search).get('tab');
  if (raw === null || !/^\d{1,10}$/.test(raw)) return null;
  return Number(raw);
})();
const inWindow = tabFromQuery !== null;

/** @type {number | null} */
let popupTabId = tabFromQuery;
/** @type {PublicState | null} */
let current = null;
/** What the agent may do / asks for (the state's `caps`). */
let caps = parseCapsState(null);
/** The asks the checkboxes show (re-rendered only when the asks change, so ticks stay). */
let shownAsks = '';
/** Allow ignores clicks this long after new asks appear: a window that pops up under a click
 * the customer meant for something else must not grant anything. */
export const ASK_ARMING_MS = 600;
let askArmedAt = 0;
let settings = normalizeSettings(undefined);
/** A refusal or local error to show until the next state change. @type {string | null} */
let localError = null;
let busy = false;

// ---------------------------------------------------------------------------------------------

/**
 * @param {object} cmd
 * @returns {Promise<{ok: boolean, state?: PublicState, error?: string}>}
 */
async function send(cmd) {
  try {
    /** @type {unknown} */
    const reply = await chrome.runtime.sendMessage(cmd);
    if (!reply || typeof reply !== 'object') return { ok: false, error: 'no-reply' };
    const r = /** @type {{ok?: unknown, state?: unknown, error?: unknown}} */ (reply);
    const state = parsePublicState(r.state);
    if (state) caps = parseCapsState(r.state);
    return { ok: r.ok === true, ...(state ? { state } : {}), ...(typeof r.error === 'string' ? { error: r.error } : {}) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Runs a command, shows its refusal, renders the state it returns. @param {object} cmd */
async function command(cmd) {
  if (busy) return;
  busy = true;
  render();
  const reply = await send(cmd);
  busy = false;
  localError = reply.ok ? null : refusalText(reply.error);
  if (reply.state) current = reply.state;
  render();
}

// ---------------------------------------------------------------------------------------------

/** @param {HTMLElement} node @param {boolean} visible */
function show(node, visible) {
  node.hidden = !visible;
}

/** @param {string | null} text @param {'info'|'error'|'warn'} kind */
function setNotice(text, kind) {
  ui.notice.hidden = !text;
  ui.notice.textContent = text ?? '';
  ui.notice.className = `notice ${kind === 'warn' ? '' : kind}`.trim();
}

function render() {
  const s = current ?? { mode: /** @type {const} */ ('idle'), phase: /** @type {const} */ ('idle'), epoch: 0, startedBy: /** @type {const} */ ('customer') };
  ui.app.dataset.state = `${s.mode}:${s.phase}`;
  ui.app.dataset.phase = s.phase;
  ui.status.textContent = statusText(s.mode, s.phase);
  const active = s.mode !== 'idle' && ACTIVE.has(s.phase);
  const customer = s.mode === 'customer';
  const elsewhere = active && customer && popupTabId !== null && s.tabId !== undefined && s.tabId !== popupTabId;

  /** @type {keyof typeof ui.views} */
  let view = 'start';
  if (elsewhere) view = 'elsewhere';
  else if (active && customer) {
    if (s.phase === 'code') view = 'code';
    else if (s.phase === 'consent') view = 'consent';
    else if (s.phase === 'live') view = caps.asked.length ? 'ask' : 'live';
    else view = 'progress';
  } else if (active) view = 'agent';
  for (const [name, node] of Object.entries(ui.views)) show(node, name === view);

  // Start view: which sides this browser offers.
  show(ui.customerCard, settings.mode !== 'agent');
  show(ui.agentCard, settings.mode !== 'customer' && !inWindow);

  // Notice: why the last session ended, or why a command was refused.
  if (localError) setNotice(localError, 'error');
  else if (!active && (s.phase === 'ended' || s.phase === 'denied')) setNotice(endedText(s), CALM_REASONS.has(s.reason ?? '') ? 'info' : 'warn');
  else setNotice(null, 'info');

  ui.code.textContent = s.code ? formatCode(s.code) : '';
  ui.sas.textContent = s.sas ?? '';
  ui.progressText.textContent = statusText(s.mode, s.phase);
  ui.liveWarning.hidden = !(s.phase === 'live' && s.error === 'page-not-shareable');
  ui.liveWarning.textContent = 'This page cannot be shown to the agent (browser pages are protected). Go back to the website to continue.';

  if (s.mode === 'agent') {
    ui.agentTitle.textContent = s.phase === 'code' ? 'Give the customer the code in the viewer' : 'Session open in the viewer';
    ui.agentText.textContent = statusText(s.mode, s.phase);
  }

  // Footer: the one way out of whatever is running.
  const canStop = active && customer && s.phase !== 'consent';
  show(ui.footer, canStop || (active && !customer) || (inWindow && !active));
  show(ui.stop, canStop);
  ui.stop.textContent = s.phase === 'live' ? 'Stop sharing' : 'Cancel';
  show(ui.leave, active && !customer);
  show(ui.closeWindow, inWindow && !active);

  ui.consentGrants.textContent = joinGrantsText(settings.granted.filter((c) => settings.grantable.includes(c)));
  renderCaps(view === 'ask');

  for (const b of [ui.share, ui.agentStart, ui.allow, ui.deny, ui.stop, ui.leave, ui.askAllow, ui.askDeny, ui.takeBack]) {
    if (b instanceof HTMLButtonElement) b.disabled = busy;
  }
  void renderTabLines(s);
}

/** The asks (checkboxes) and what is granted now (each with its own Remove). @param {boolean} asking */
function renderCaps(asking) {
  const key = caps.asked.join(',');
  if (asking && key !== shownAsks) {
    shownAsks = key;
    askArmedAt = performance.now() + ASK_ARMING_MS;
    ui.askList.replaceChildren(
      ...caps.asked.map((c) => {
        const li = document.createElement('li');
        const label = document.createElement('label');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.checked = true;
        box.value = c;
        box.dataset.testid = `ask-cap-${c}`;
        label.append(box, ` ${CAPABILITY_TEXT[c]}`);
        li.append(label);
        return li;
      }),
    );
  }
  if (!asking) shownAsks = '';
  ui.capList.replaceChildren(
    ...(caps.granted.length
      ? caps.granted.map((c) => {
          const li = document.createElement('li');
          const text = document.createElement('span');
          text.textContent = CAPABILITY_TEXT[c];
          const remove = document.createElement('button');
          remove.type = 'button';
          remove.className = 'link';
          remove.textContent = 'Remove';
          remove.dataset.testid = `revoke-${c}`;
          remove.setAttribute('aria-label', `Remove: ${CAPABILITY_TEXT[c]}`);
          remove.addEventListener('click', () => void command({ cmd: 'revoke', caps: [c] }));
          li.append(text, remove);
          return li;
        })
      : [Object.assign(document.createElement('li'), { textContent: 'See this tab, nothing more.' })]),
  );
  ui.takeBack.hidden = caps.granted.length === 0;
}

/** @returns {{checked: import('./caps-model.js').Capability[], unchecked: import('./caps-model.js').Capability[]}} */
function askChoices() {
  const boxes = [...ui.askList.querySelectorAll('input[type=checkbox]')].filter((b) => b instanceof HTMLInputElement);
  const pick = (/** @type {boolean} */ on) => caps.asked.filter((c) => boxes.some((b) => b.value === c && b.checked === on));
  return { checked: pick(true), unchecked: pick(false) };
}

/** @type {number | null} */
let tabLineFor = null;
/** Shows which tab is (to be) shared: its site and title. @param {PublicState} s */
async function renderTabLines(s) {
  const tabId = s.tabId ?? popupTabId;
  if (tabId === null || tabId === undefined || tabLineFor === tabId) return;
  tabLineFor = tabId;
  try {
    const tab = await chrome.tabs.get(tabId);
    let site = '';
    try {
      site = tab.url ? new URL(tab.url).host : '';
    } catch {
      site = '';
    }
    const text = [site, tab.title].filter(Boolean).join(' — ');
    ui.consentTab.textContent = text;
    ui.liveTab.textContent = text;
    ui.askTab.textContent = text;
  } catch {
    tabLineFor = null;
  }
}

// ---------------------------------------------------------------------------------------------

ui.share.addEventListener('click', () => {
  if (popupTabId === null) return;
  void command({ cmd: 'share', tabId: popupTabId });
});

ui.haveCode.addEventListener('click', () => {
  const open = ui.haveCodeForm.hidden;
  ui.haveCodeForm.hidden = !open;
  ui.haveCode.setAttribute('aria-expanded', String(open));
  if (open) ui.codeInput.focus();
});

/**
 * @param {HTMLInputElement} input
 * @returns {string | null}
 */
function readCode(input) {
  const code = parseTypedCode(input.value);
  input.setAttribute('aria-invalid', code ? 'false' : 'true');
  if (!code) {
    localError = refusalText('bad-command');
    render();
    input.focus();
  }
  return code;
}

ui.haveCodeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = readCode(ui.codeInput);
  if (!code || popupTabId === null) return;
  void command({ cmd: 'customer-join', tabId: popupTabId, code });
});

ui.joinForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const code = readCode(ui.joinCode);
  if (!code) return;
  void command({ cmd: 'agent-join', code });
});

ui.agentStart.addEventListener('click', () => void command({ cmd: 'agent-start' }));
ui.allow.addEventListener('click', () => void command({ cmd: 'allow' }));
ui.deny.addEventListener('click', () => void command({ cmd: 'deny' }));
ui.stop.addEventListener('click', () => void command({ cmd: 'stop' }));
ui.askAllow.addEventListener('click', async () => {
  if (performance.now() < askArmedAt) return;
  const { checked, unchecked } = askChoices();
  if (checked.length) await command({ cmd: 'grant', caps: checked });
  if (unchecked.length) await command({ cmd: 'decline', caps: unchecked });
});
ui.askDeny.addEventListener('click', () => {
  if (caps.asked.length) void command({ cmd: 'decline', caps: [...caps.asked] });
});
ui.takeBack.addEventListener('click', () => void command({ cmd: 'revoke-all' }));
ui.leave.addEventListener('click', () => void command({ cmd: 'leave' }));
ui.openViewer.addEventListener('click', () => {
  void chrome.tabs.create({ url: chrome.runtime.getURL('viewer/viewer.html') });
});
ui.showSharedTab.addEventListener('click', async () => {
  const tabId = current?.tabId;
  if (tabId === undefined) return;
  const tab = await chrome.tabs.update(tabId, { active: true });
  if (tab?.windowId !== undefined) await chrome.windows.update(tab.windowId, { focused: true });
});
ui.closeWindow.addEventListener('click', () => window.close());
ui.openOptions.addEventListener('click', () => void chrome.runtime.openOptionsPage());

ui.copyCode.addEventListener('click', async () => {
  const code = current?.code;
  if (!code) return;
  const text = code.replace(/-/g, ' ');
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const range = document.createRange();
    range.selectNodeContents(ui.code);
    const sel = getSelection();
    sel?.removeAllRanges();
    sel?.addRange(range);
    document.execCommand('copy');
  }
  ui.copyCode.dataset.copied = '';
  ui.copyCode.textContent = 'Copied';
  setTimeout(() => {
    delete ui.copyCode.dataset.copied;
    ui.copyCode.textContent = 'Copy';
  }, COPIED_FEEDBACK_MS);
});

// ---------------------------------------------------------------------------------------------

/** @param {unknown} m @returns {PublicState | null} */
function stateOf(m) {
  if (!m || typeof m !== 'object') return null;
  const o = /** @type {{k?: unknown, state?: unknown}} */ (m);
  return o.k === 'state' ? parsePublicState(o.state) : null;
}

function connect() {
  const port = chrome.runtime.connect({ name: 'cotab-popup' });
  port.onMessage.addListener((m) => {
    const st = stateOf(m);
    if (!st) return;
    if (current && (current.phase !== st.phase || current.mode !== st.mode)) localError = null;
    current = st;
    caps = parseCapsState(/** @type {{state?: unknown}} */ (m).state);
    render();
  });
  // The worker restarted: reconnect (it tells us the recovered state).
  port.onDisconnect.addListener(() => setTimeout(connect, 200));
}

async function init() {
  settings = normalizeSettings((await chrome.storage.local.get(SETTINGS_KEY))[SETTINGS_KEY]);
  if (popupTabId === null) {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    popupTabId = tab?.id ?? null;
  }
  const reply = await send({ cmd: 'state' });
  if (reply.state) current = reply.state;
  render();
  connect();
}

chrome.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && changes[SETTINGS_KEY]) {
    settings = normalizeSettings(changes[SETTINGS_KEY].newValue);
    render();
  }
});

render();
void init();
