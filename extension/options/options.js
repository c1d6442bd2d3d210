// Settings page: relay URL, extra mask/block selectors (one per line), mode, and what agents may
// be allowed to do (capabilities, extra origins, controls they may never click), and whether
// sessions use the host's loopback data channel. Stored in
// chrome.storage.local `settings`; the service worker reads them when a session starts.

import {
  CAPABILITIES,
  defaultSettings,
  normalizeSettings,
  originsFromText,
  relayUrlProblem,
  selectorsFromText,
  SETTINGS_KEY,
} from '../background/settings.js';
import { CAPABILITY_TEXT } from '../popup/texts.js';

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
const capsRows = el('caps-rows', HTMLElement);
const origins = el('origins', HTMLTextAreaElement);
const originsError = el('origins-error', HTMLElement);
const finalize = el('finalize', HTMLTextAreaElement);
const finalizeError = el('finalize-error', HTMLElement);
const dataChannel = el('data-channel', HTMLInputElement);

/** One row per capability: may it ever be granted, is it granted with the join. */
const capBoxes = CAPABILITIES.map((cap) => {
  const row = document.createElement('tr');
  const name = document.createElement('th');
  name.scope = 'row';
  name.textContent = CAPABILITY_TEXT[cap];
  const grantable = Object.assign(document.createElement('input'), { type: 'checkbox', id: `grantable-${cap}` });
  const granted = Object.assign(document.createElement('input'), { type: 'checkbox', id: `granted-${cap}` });
  grantable.setAttribute('aria-label', `${CAPABILITY_TEXT[cap]}: can be allowed`);
  granted.setAttribute('aria-label', `${CAPABILITY_TEXT[cap]}: allowed with the join`);
  // Granted with the join implies grantable.
  grantable.addEventListener('change', () => {
    if (!grantable.checked) granted.checked = false;
  });
  granted.addEventListener('change', () => {
    if (granted.checked) grantable.checked = true;
  });
  const c1 = document.createElement('td');
  c1.append(grantable);
  const c2 = document.createElement('td');
  c2.append(granted);
  row.append(name, c1, c2);
  capsRows.append(row);
  return { cap, grantable, granted };
});
const reset = el('reset', HTMLButtonElement);

/** @param {import('../background/settings.js').Settings} s */
function fill(s) {
  relay.value = s.relay;
  mode.value = s.mode;
  mask.value = s.maskSelectors.join('\n');
  block.value = s.blockSelectors.join('\n');
  for (const b of capBoxes) {
    b.grantable.checked = s.grantable.includes(b.cap);
    b.granted.checked = s.granted.includes(b.cap);
  }
  origins.value = s.allowedOrigins.join('\n');
  finalize.value = s.finalizeSelectors.join('\n');
  dataChannel.checked = s.dataChannel;
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
  const finalizeSelectors = selectorsFromText(finalize.value);
  const badFinalize = invalidSelectors(finalizeSelectors);
  const allowed = originsFromText(origins.value);
  showProblem(origins, originsError, allowed.bad.length ? `Not a web origin (https://host): ${allowed.bad.join(', ')}` : null);
  showProblem(finalize, finalizeError, badFinalize.length ? `Not a valid selector: ${badFinalize.join(', ')}` : null);
  showProblem(relay, relayError, relayProblem);
  showProblem(mask, maskError, badMask.length ? `Not a valid selector: ${badMask.join(', ')}` : null);
  showProblem(block, blockError, badBlock.length ? `Not a valid selector: ${badBlock.join(', ')}` : null);
  if (relayProblem || badMask.length || badBlock.length || badFinalize.length || allowed.bad.length) {
    saved.textContent = '';
    return;
  }
  const settings = normalizeSettings({
    relay: relay.value.trim(),
    mode: mode.value,
    maskSelectors,
    blockSelectors,
    grantable: capBoxes.filter((b) => b.grantable.checked).map((b) => b.cap),
    granted: capBoxes.filter((b) => b.granted.checked).map((b) => b.cap),
    allowedOrigins: allowed.origins,
    finalizeSelectors,
    dataChannel: dataChannel.checked,
  });
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
