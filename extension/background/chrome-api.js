// The one module of the service worker that talks to chrome.* (besides listener registration in
// sw.js, which must happen synchronously at top level). Everything else is pure and unit-tested.

import { installGuard } from '../content/guard.js';
import { installHints } from '../content/hints.js';

const CONTENT_SCRIPT_FILE = 'dist/content.js';
export const POPUP_PAGE = 'popup/popup.html';
export const VIEWER_PAGE = 'viewer/viewer.html';
/** Size of the consent window (popup.html?tab=<id>). */
export const CONSENT_WINDOW = { width: 380, height: 520 };
const SESSION_STATE_KEY = 'session';

/** @param {string} page */
export function extensionUrl(page) {
  return chrome.runtime.getURL(page);
}

/** @returns {Promise<unknown>} the stored session state (validated by the caller) */
export async function loadSessionState() {
  const got = await chrome.storage.session.get(SESSION_STATE_KEY);
  return got[SESSION_STATE_KEY];
}

/** @param {object} state */
export function saveSessionState(state) {
  return chrome.storage.session.set({ [SESSION_STATE_KEY]: state });
}

/** @returns {Promise<unknown>} */
export async function loadStoredSettings(/** @type {string} */ key) {
  const got = await chrome.storage.local.get(key);
  return got[key];
}

export function connectNativeHost(/** @type {string} */ name) {
  return chrome.runtime.connectNative(name);
}

export function lastErrorMessage() {
  return chrome.runtime.lastError?.message;
}

/** @param {number} tabId @returns {Promise<chrome.tabs.Tab | null>} */
export async function getTab(tabId) {
  try {
    return await chrome.tabs.get(tabId);
  } catch {
    return null;
  }
}

/** @param {number} tabId @returns {Promise<string | null>} the documentId of the tab's top frame */
export async function topDocumentId(tabId) {
  try {
    const frame = await chrome.webNavigation.getFrame({ tabId, frameId: 0 });
    return frame?.documentId ?? null;
  } catch {
    return null;
  }
}

/**
 * Injects the main-world hints (setter and CSSOM patches that dispatch `hintEvent`), the
 * main-world half of the action guard (form.submit paths, blocked while an agent action is being
 * dispatched), and then the content script (isolated world) into one document: the top frame of
 * `tabId`, pinned by its documentId so that a navigation in between cannot redirect the injection.
 * @param {number} tabId
 * @param {string} documentId
 * @param {string} hintEvent
 */
export async function injectCapture(tabId, documentId, hintEvent) {
  const target = { tabId, documentIds: [documentId] };
  await chrome.scripting.executeScript({ target, world: 'MAIN', func: installHints, args: [hintEvent], injectImmediately: true });
  await chrome.scripting.executeScript({ target, world: 'MAIN', func: installGuard, args: [hintEvent], injectImmediately: true });
  await chrome.scripting.executeScript({ target, files: [CONTENT_SCRIPT_FILE] });
}

/** Removes an indicator a content script of a dead worker may have left (it removes itself when
 * its port closes; this is for a content script that could not run its cleanup). @param {number} tabId */
export async function removeLeftoverIndicator(tabId) {
  try {
    await chrome.scripting.executeScript({
      target: { tabId, frameIds: [0] },
      func: () => {
        for (const n of document.querySelectorAll('cotab-indicator, cotab-overlay')) n.remove();
      },
    });
  } catch {
    // the tab is gone or cannot be scripted: nothing left to clean
  }
}

/** True when the toolbar popup is open (a consent window is then not needed). */
export async function actionPopupOpen() {
  try {
    const contexts = await chrome.runtime.getContexts({ contextTypes: ['POPUP'] });
    return contexts.length > 0;
  } catch {
    return false;
  }
}

/** @param {number} windowId */
export async function focusWindow(windowId) {
  try {
    await chrome.windows.update(windowId, { focused: true, drawAttention: true });
    return true;
  } catch {
    return false;
  }
}

/** @param {number} windowId */
export async function closeWindow(windowId) {
  try {
    await chrome.windows.remove(windowId);
  } catch {
    // closed already
  }
}

/** @param {number} tabId @returns {Promise<number | null>} the window's id */
export async function openConsentWindow(tabId) {
  const win = await chrome.windows.create({
    url: extensionUrl(`${POPUP_PAGE}?tab=${tabId}`),
    type: 'popup',
    width: CONSENT_WINDOW.width,
    height: CONSENT_WINDOW.height,
    focused: true,
  });
  return win?.id ?? null;
}

/** Opens a fresh viewer tab for a new session; viewer tabs of earlier sessions are closed (they
 * would only show the same new session twice). */
export async function openViewer() {
  const url = extensionUrl(VIEWER_PAGE);
  // (Match patterns cannot name chrome-extension:// URLs: filter the tabs ourselves.)
  const old = (await chrome.tabs.query({})).filter((t) => typeof t.url === 'string' && t.url.startsWith(url) && t.id !== undefined);
  const created = await chrome.tabs.create({ url, active: true });
  if (created.windowId !== undefined) await focusWindow(created.windowId);
  for (const t of old) await chrome.tabs.remove(/** @type {number} */ (t.id)).catch(() => {});
}

/** @param {string} text @param {string} color */
export async function setBadge(text, color) {
  await chrome.action.setBadgeText({ text });
  if (text) await chrome.action.setBadgeBackgroundColor({ color });
}

/** What this browser says about itself in the app hello ("Chromium 156"). */
export function browserName() {
  const nav = /** @type {{userAgentData?: {brands?: {brand: string, version: string}[]}, userAgent: string}} */ (
    /** @type {unknown} */ (navigator)
  );
  const brands = nav.userAgentData?.brands ?? [];
  const named = brands.find((b) => !/not.?a.?brand/i.test(b.brand) && b.brand !== 'Chromium') ?? brands.find((b) => b.brand === 'Chromium');
  if (named) return `${named.brand} ${named.version}`.slice(0, 64);
  const m = /(Chrom(?:e|ium))\/(\d+)/.exec(nav.userAgent);
  return m ? `${m[1]} ${m[2]}` : 'Chromium';
}

/** A random event name for the main-world hints (the page cannot guess it in advance). */
export function randomHintEvent() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `cotab-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
