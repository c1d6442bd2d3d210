// Settings page: relay URL, extra mask/block selectors (one per line), mode. Stored in
// chrome.storage.local `settings`; the service worker reads them when a session starts.

import { defaultSettings, normalizeSettings, relayUrlProblem, selectorsFromText, SETTINGS_KEY } from '../background/settings.js';

const SAVED_FEEDBACK_MS = 2000;

/** @template {HTMLElement} T @param {string} id @param {new () => T} type @returns {T} */
function el(id, type) {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`options.html has no ${type.name} #${id}`);
  return found;
}

const form = el('settings', HTMLFormElement);
const relay = el('relay', HTMLInputElement);
const mode = el('mode', HTMLSelectElement);
const mask = el('mask', HTMLTextAreaElement);
const block = el('block', HTMLTextAreaElement);
const relayError = el('relay-error', HTMLElement);
const maskError = el('mask-error', HTMLElement);
const blockError = el('block-error', HTMLElement);
const saved = el('saved', HTMLElement);
const reset = el('reset', HTMLButtonElement);

/** @param {import('../background/settings.js').Settings} s */
function fill(s) {
  relay.value = s.relay;
  mode.value = s.mode;
  mask.value = s.maskSelectors.join('\n');
  block.value = s.blockSelectors.join('\n');
}

/**
 * The selectors of `text` that the browser cannot parse (they would match nothing, or throw).
 * @param {string[]} selectors
 */
function invalidSelectors(selectors) {
  const probe = document.createDocumentFragment();
  return selectors.filter((sel) => {
    try {
      probe.querySelector(sel);
      return false;
    } catch {
      return true;
    }
  });
}

/** @param {HTMLElement} field @param {HTMLElement} out @param {string | null} problem */
function showProblem(field, out, problem) {
  field.setAttribute('aria-invalid', problem ? 'true' : 'false');
  out.hidden = !problem;
  out.textContent = problem ?? '';
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const relayProblem = relayUrlProblem(relay.value.trim());
  const maskSelectors = selectorsFromText(mask.value);
  const blockSelectors = selectorsFromText(block.value);
  const badMask = invalidSelectors(maskSelectors);
  const badBlock = invalidSelectors(blockSelectors);
  showProblem(relay, relayError, relayProblem);
  showProblem(mask, maskError, badMask.length ? `Not a valid selector: ${badMask.join(', ')}` : null);
  showProblem(block, blockError, badBlock.length ? `Not a valid selector: ${badBlock.join(', ')}` : null);
  if (relayProblem || badMask.length || badBlock.length) {
    saved.textContent = '';
    return;
  }
  const settings = normalizeSettings({ relay: relay.value.trim(), mode: mode.value, maskSelectors, blockSelectors });
  await chrome.storage.local.set({ [SETTINGS_KEY]: settings });
  fill(settings);
  saved.textContent = 'Saved. New sessions use these settings.';
  setTimeout(() => (saved.textContent = ''), SAVED_FEEDBACK_MS);
});

reset.addEventListener('click', () => {
  fill(defaultSettings());
  saved.textContent = 'Defaults restored — click Save to keep them.';
});

void (async () => {
  const got = await chrome.storage.local.get(SETTINGS_KEY);
  fill(normalizeSettings(got[SETTINGS_KEY]));
})();
