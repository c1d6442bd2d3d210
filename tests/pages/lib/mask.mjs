// maskPage: one element of every masked and blocked kind (app.md §4.2), each holding distinct
// canary strings (in values, text, and attributes such as title / data-* / aria-label / alt),
// with unmasked neighbours that hold *visible* markers for contrast, and a script that changes
// masked state after load (typing simulation, programmatic value sets, an element that becomes
// masked through a class, an autocomplete change, inserted and moved elements).
//
// A test searches everything that left the customer's content script for the secret canaries
// (they must never appear) and the mirror for the visible markers (they must appear).

import { Rng, esc } from './util.mjs';

/** Settings the e2e tests put into `chrome.storage.local.settings` for this page. */
export const MASK_SETTINGS = Object.freeze({ maskSelectors: ['.account-number'], blockSelectors: ['.card-vault'] });

/**
 * @typedef {object} MaskCase
 * @property {string} key canary key (in `maskCanaries()`)
 * @property {string} selector the element that holds it
 * @property {'value'|'text'|'attr'|'option'} where the string is contained in — `value`: el.value; `text`: el.textContent; `attr`: el.getAttribute(attr); `option`: the selected option's text
 * @property {string} [attr] for where = 'attr'
 * @property {boolean} secret true: masked or blocked, must never leave the customer side; false: a visible marker the mirror must show
 * @property {'initial'|'late'} phase initial: in the page as loaded; late: present only after `window.maskChanges.run()` resolved
 * @property {string} why which masking rule (or, for visible ones, which near-miss) it is about
 */

/** @type {readonly MaskCase[]} */
const CASES = [
  // password
  { key: 'passwordValue', selector: '#pw', where: 'value', secret: true, phase: 'initial', why: 'input[type=password]' },
  { key: 'passwordTitle', selector: '#pw', where: 'attr', attr: 'title', secret: true, phase: 'initial', why: 'non-presentational attribute of a masked element' },
  { key: 'passwordData', selector: '#pw', where: 'attr', attr: 'data-last', secret: true, phase: 'initial', why: 'data-* of a masked element' },
  { key: 'passwordAria', selector: '#pw', where: 'attr', attr: 'aria-label', secret: true, phase: 'initial', why: 'aria-label of a masked element' },
  { key: 'passwordDefault', selector: '#pw', where: 'attr', attr: 'value', secret: true, phase: 'initial', why: 'value attribute (default value) of a password field' },
  // payment card
  { key: 'ccNumber', selector: '#cc-number', where: 'value', secret: true, phase: 'initial', why: 'autocomplete=cc-number' },
  { key: 'ccNumberTitle', selector: '#cc-number', where: 'attr', attr: 'title', secret: true, phase: 'initial', why: 'title of a cc-number field' },
  { key: 'ccNumberSection', selector: '#cc-number-2', where: 'value', secret: true, phase: 'initial', why: 'autocomplete="section-gift billing cc-number" (token list)' },
  { key: 'ccExp', selector: '#cc-exp', where: 'value', secret: true, phase: 'initial', why: 'autocomplete=cc-exp' },
  { key: 'ccExpMonth', selector: '#cc-exp-month', where: 'option', secret: true, phase: 'initial', why: 'autocomplete=cc-exp-month select (no selected option may show)' },
  { key: 'ccCsc', selector: '#cc-csc', where: 'value', secret: true, phase: 'initial', why: 'autocomplete=cc-csc' },
  { key: 'ccName', selector: '#cc-name', where: 'value', secret: true, phase: 'initial', why: 'autocomplete=cc-name' },
  { key: 'ccNameData', selector: '#cc-name', where: 'attr', attr: 'data-holder', secret: true, phase: 'initial', why: 'data-* of a cc-name field' },
  { key: 'otp', selector: '#otp', where: 'value', secret: true, phase: 'initial', why: 'autocomplete=one-time-code' },
  // data-cotab-mask
  { key: 'maskText', selector: '#mask-text', where: 'text', secret: true, phase: 'initial', why: '[data-cotab-mask] text' },
  { key: 'maskNested', selector: '#mask-text b', where: 'text', secret: true, phase: 'initial', why: 'text inside a [data-cotab-mask] ancestor' },
  { key: 'maskTitle', selector: '#mask-text', where: 'attr', attr: 'title', secret: true, phase: 'initial', why: 'title of a [data-cotab-mask] element' },
  { key: 'maskAria', selector: '#mask-text b', where: 'attr', attr: 'aria-label', secret: true, phase: 'initial', why: 'aria-label inside a masked ancestor' },
  { key: 'maskInput', selector: '#mask-input', where: 'value', secret: true, phase: 'initial', why: 'input[data-cotab-mask]' },
  { key: 'maskAncestorInput', selector: '#mask-box input', where: 'value', secret: true, phase: 'initial', why: 'input inside a [data-cotab-mask] container' },
  { key: 'maskAncestorTextarea', selector: '#mask-box textarea', where: 'value', secret: true, phase: 'initial', why: 'textarea inside a masked container' },
  { key: 'maskAncestorOption', selector: '#mask-box select', where: 'option', secret: true, phase: 'initial', why: 'select inside a masked container' },
  { key: 'maskAncestorAlt', selector: '#mask-box img', where: 'attr', attr: 'alt', secret: true, phase: 'initial', why: 'img alt inside a masked container' },
  // .cotab-mask
  { key: 'classMaskText', selector: '#class-mask', where: 'text', secret: true, phase: 'initial', why: '.cotab-mask text' },
  { key: 'classMaskData', selector: '#class-mask', where: 'attr', attr: 'data-balance', secret: true, phase: 'initial', why: 'data-* of a .cotab-mask element' },
  { key: 'classMaskHref', selector: '#class-mask a', where: 'attr', attr: 'href', secret: true, phase: 'initial', why: 'href inside a masked element (not presentational)' },
  // settings selector
  { key: 'accountNumber', selector: '.account-number', where: 'text', secret: true, phase: 'initial', why: 'maskSelectors setting (.account-number)' },
  { key: 'accountNumberTitle', selector: '.account-number', where: 'attr', attr: 'title', secret: true, phase: 'initial', why: 'title of a settings-masked element' },
  // blocked
  { key: 'blockText', selector: '#blocked', where: 'text', secret: true, phase: 'initial', why: '[data-cotab-block] text' },
  { key: 'blockTitle', selector: '#blocked', where: 'attr', attr: 'title', secret: true, phase: 'initial', why: 'attribute of a blocked element' },
  { key: 'blockInput', selector: '#blocked input', where: 'value', secret: true, phase: 'initial', why: 'input inside a blocked element' },
  { key: 'blockImgAlt', selector: '#blocked img', where: 'attr', attr: 'alt', secret: true, phase: 'initial', why: 'img inside a blocked element' },
  { key: 'vaultText', selector: '.card-vault', where: 'text', secret: true, phase: 'initial', why: 'blockSelectors setting (.card-vault)' },
  // visible neighbours (near misses: must NOT be masked)
  { key: 'visibleName', selector: '#full-name', where: 'value', secret: false, phase: 'initial', why: 'autocomplete=name is not cc-name' },
  { key: 'visibleText', selector: '#plain-input', where: 'value', secret: false, phase: 'initial', why: 'plain text input' },
  { key: 'visibleParagraph', selector: '#plain-text', where: 'text', secret: false, phase: 'initial', why: 'plain text next to masked text' },
  { key: 'visibleTitle', selector: '#plain-text', where: 'attr', attr: 'title', secret: false, phase: 'initial', why: 'title of an unmasked element' },
  { key: 'visibleAccountName', selector: '.account-name', where: 'text', secret: false, phase: 'initial', why: '.account-name is not .account-number' },
  { key: 'visibleMaskFalse', selector: '#mask-off', where: 'text', secret: false, phase: 'initial', why: 'class "cotab-masked" is not "cotab-mask"' },
  { key: 'visibleSearch', selector: '#search', where: 'value', secret: false, phase: 'initial', why: 'autocomplete=off search field' },
  { key: 'visibleCcLabel', selector: '#cc-label', where: 'text', secret: false, phase: 'initial', why: 'label of a card field (outside the field)' },
  { key: 'lateBefore', selector: '#late-mask', where: 'text', secret: false, phase: 'initial', why: 'visible until a class masks it' },
  { key: 'lateAcBefore', selector: '#late-autocomplete', where: 'value', secret: false, phase: 'initial', why: 'visible until autocomplete becomes cc-number' },
  { key: 'moveBefore', selector: '#move-me', where: 'text', secret: false, phase: 'initial', why: 'visible until moved into a masked container' },
  // after window.maskChanges.run()
  { key: 'passwordTyped', selector: '#pw', where: 'value', secret: true, phase: 'late', why: 'typed into a password field, one key at a time' },
  { key: 'ccNumberLate', selector: '#cc-number', where: 'value', secret: true, phase: 'late', why: 'programmatic .value on a cc-number field' },
  { key: 'otpLate', selector: '#otp', where: 'value', secret: true, phase: 'late', why: 'setAttribute("value") plus .value on a one-time-code field' },
  { key: 'maskTextLate', selector: '#mask-text', where: 'text', secret: true, phase: 'late', why: 'text node changed inside a masked element' },
  { key: 'maskTitleLate', selector: '#mask-text', where: 'attr', attr: 'title', secret: true, phase: 'late', why: 'attribute changed on a masked element' },
  { key: 'lateAfter', selector: '#late-mask', where: 'text', secret: true, phase: 'late', why: 'text set after .cotab-mask was added' },
  { key: 'lateAc', selector: '#late-autocomplete', where: 'value', secret: true, phase: 'late', why: 'value set after autocomplete became cc-number' },
  { key: 'insertedPassword', selector: '#inserted-pw', where: 'value', secret: true, phase: 'late', why: 'password field inserted after load' },
  { key: 'insertedMaskText', selector: '#inserted-mask', where: 'text', secret: true, phase: 'late', why: '[data-cotab-mask] element inserted after load' },
  { key: 'movedText', selector: '#move-me', where: 'text', secret: true, phase: 'late', why: 'element moved into a masked container, then changed' },
  { key: 'blockLate', selector: '#blocked', where: 'text', secret: true, phase: 'late', why: 'text appended inside a blocked element' },
  { key: 'visibleLate', selector: '#plain-text', where: 'text', secret: false, phase: 'late', why: 'unmasked text changed at the same time (the stream is live)' },
];

/** @returns {MaskCase[]} every canary and marker on the mask page, and where it lives */
export function maskCases() {
  return CASES.map((c) => ({ ...c }));
}

/**
 * Distinct canary strings, one per case key. Secret ones start `CANARY-`, visible ones
 * `VISIBLE-`; each ends in a random tag, so none is a substring of another.
 * @param {number} [seed]
 * @returns {Record<string, string>}
 */
export function maskCanaries(seed = 7) {
  const rng = new Rng(seed);
  /** @type {Record<string, string>} */
  const out = {};
  for (const c of CASES) out[c.key] = `${c.secret ? 'CANARY' : 'VISIBLE'}-${c.key}-${rng.hash(6).toUpperCase()}`;
  return out;
}

/**
 * @param {{canaries?: Record<string, string>}} [options] overrides for some or all canary strings
 * @returns {string}
 */
export function maskPage({ canaries = {} } = {}) {
  const all = { ...maskCanaries(), ...canaries };
  for (const [key, value] of Object.entries(all)) {
    if (typeof value !== 'string' || !/^[A-Za-z0-9_.-]{6,200}$/.test(value)) throw new TypeError(`maskPage: canary ${key} must be 6–200 characters of [A-Za-z0-9_.-]`);
  }
  /** @param {string} key @returns {string} */
  const c = (key) => {
    const v = all[key];
    if (v === undefined) throw new Error(`no canary ${key}`);
    return esc(v);
  };
  const late = {
    passwordTyped: all.passwordTyped, ccNumberLate: all.ccNumberLate, otpLate: all.otpLate,
    maskTextLate: all.maskTextLate, maskTitleLate: all.maskTitleLate, lateAfter: all.lateAfter, lateAc: all.lateAc,
    insertedPassword: all.insertedPassword, insertedMaskText: all.insertedMaskText, movedText: all.movedText,
    blockLate: all.blockLate, visibleLate: all.visibleLate,
  };
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Billing settings — Mask test</title>
<link rel="icon" href="/img/favicon-64x64.svg" type="image/svg+xml">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;padding:24px;background:#f8fafc;color:#0f172a}
section{margin:0 0 16px;padding:16px;border:1px solid #e2e8f0;border-radius:12px;background:#fff}
h2{margin:0 0 10px;font-size:16px}
label{display:block;margin:8px 0 2px;font-size:13px;font-weight:600}
input,select,textarea{padding:8px 10px;border:1px solid #cbd5e1;border-radius:8px;font:inherit;min-width:260px}
.row{display:flex;gap:16px;flex-wrap:wrap}
[data-cotab-mask],.cotab-mask{background:#fefce8}
[data-cotab-block],.card-vault{background:#fee2e2;padding:12px;border-radius:8px}
</style></head>
<body>
<h1>Billing settings</h1>
<section aria-labelledby="h-login"><h2 id="h-login">Sign-in</h2>
<label for="full-name">Full name</label><input id="full-name" name="name" autocomplete="name" value="${c('visibleName')}">
<label for="pw">Password</label><input id="pw" type="password" name="password" autocomplete="current-password" value="${c('passwordDefault')}" title="${c('passwordTitle')}" data-last="${c('passwordData')}" aria-label="${c('passwordAria')}" placeholder="Password">
<script>document.getElementById('pw').value = ${JSON.stringify(all.passwordValue)}; // the live value differs from the value attribute, as after autofill</script>
<label for="plain-input">Nickname</label><input id="plain-input" name="nickname" value="${c('visibleText')}">
<label for="search">Search</label><input id="search" type="search" name="q" autocomplete="off" value="${c('visibleSearch')}">
<label for="otp">One-time code</label><input id="otp" name="otp" autocomplete="one-time-code" inputmode="numeric" value="${c('otp')}">
</section>
<section aria-labelledby="h-card"><h2 id="h-card">Payment card</h2>
<p id="cc-label">Card on file: <span>${c('visibleCcLabel')}</span></p>
<div class="row">
<div><label for="cc-name">Name on card</label><input id="cc-name" name="ccname" autocomplete="cc-name" value="${c('ccName')}" data-holder="${c('ccNameData')}"></div>
<div><label for="cc-number">Card number</label><input id="cc-number" name="cardnumber" autocomplete="cc-number" inputmode="numeric" value="${c('ccNumber')}" title="${c('ccNumberTitle')}"></div>
<div><label for="cc-number-2">Gift card number</label><input id="cc-number-2" name="giftcard" autocomplete="section-gift billing cc-number" value="${c('ccNumberSection')}"></div>
<div><label for="cc-exp">Expiry</label><input id="cc-exp" name="exp" autocomplete="cc-exp" value="${c('ccExp')}"></div>
<div><label for="cc-exp-month">Expiry month</label><select id="cc-exp-month" name="exp-month" autocomplete="cc-exp-month"><option value="01">January</option><option value="${c('ccExpMonth')}" selected>${c('ccExpMonth')}</option><option value="03">March</option></select></div>
<div><label for="cc-csc">Security code</label><input id="cc-csc" name="cvc" autocomplete="cc-csc" value="${c('ccCsc')}"></div>
<div><label for="late-autocomplete">Backup card</label><input id="late-autocomplete" name="backup" autocomplete="off" value="${c('lateAcBefore')}"></div>
</div></section>
<section aria-labelledby="h-notes"><h2 id="h-notes">Notes</h2>
<p id="plain-text" title="${c('visibleTitle')}">${c('visibleParagraph')}</p>
<p id="mask-text" data-cotab-mask title="${c('maskTitle')}">Secret note: ${c('maskText')} <b aria-label="${c('maskAria')}">${c('maskNested')}</b></p>
<label for="mask-input">Masked by attribute</label><input id="mask-input" data-cotab-mask value="${c('maskInput')}">
<div id="mask-box" data-cotab-mask>
<label for="mask-box-input">Inside a masked box</label><input id="mask-box-input" value="${c('maskAncestorInput')}">
<textarea aria-label="notes">${c('maskAncestorTextarea')}</textarea>
<select aria-label="plan"><option>Basic</option><option selected>${c('maskAncestorOption')}</option></select>
<img src="/img/mask-avatar-48x48.svg" width="48" height="48" alt="${c('maskAncestorAlt')}">
</div>
<p id="class-mask" class="balance cotab-mask" data-balance="${c('classMaskData')}">Balance: ${c('classMaskText')} <a href="/statements/${c('classMaskHref')}">statement</a></p>
<p id="mask-off" class="cotab-masked">${c('visibleMaskFalse')}</p>
<p>Account: <span class="account-name">${c('visibleAccountName')}</span> · <span class="account-number" title="${c('accountNumberTitle')}">${c('accountNumber')}</span></p>
<p id="late-mask">${c('lateBefore')}</p>
<p><span id="move-me">${c('moveBefore')}</span></p>
</section>
<section aria-labelledby="h-blocked"><h2 id="h-blocked">Blocked areas</h2>
<div id="blocked" data-cotab-block title="${c('blockTitle')}" style="width:320px;height:90px">Internal: ${c('blockText')}
<input aria-label="internal" value="${c('blockInput')}"><img src="/img/blocked-48x48.svg" width="48" height="48" alt="${c('blockImgAlt')}"></div>
<div class="card-vault" style="width:320px;height:40px">Vault: ${c('vaultText')}</div>
</section>
<div id="inserted-zone"></div>
<script>
(function () {
  var LATE = ${JSON.stringify(late).replace(/</g, '\\u003c')};
  var $ = function (s) { return document.querySelector(s); };
  function nextTask() { return new Promise(function (r) { setTimeout(r, 20); }); }
  function fire(el) { el.dispatchEvent(new Event('input', { bubbles: true })); el.dispatchEvent(new Event('change', { bubbles: true })); }
  async function run() {
    document.documentElement.setAttribute('data-mask-phase', 'running');
    // typing simulation: clear, then one character per task, with key and input events
    var pw = $('#pw');
    pw.focus(); pw.value = ''; fire(pw);
    for (var i = 0; i < LATE.passwordTyped.length; i++) {
      var ch = LATE.passwordTyped[i];
      pw.dispatchEvent(new KeyboardEvent('keydown', { key: ch, bubbles: true }));
      pw.value += ch;
      pw.dispatchEvent(new InputEvent('input', { data: ch, inputType: 'insertText', bubbles: true }));
      pw.dispatchEvent(new KeyboardEvent('keyup', { key: ch, bubbles: true }));
      if (i % 4 === 3) await nextTask();
    }
    await nextTask();
    var cc = $('#cc-number'); cc.value = LATE.ccNumberLate; fire(cc);
    var otp = $('#otp'); otp.setAttribute('value', LATE.otpLate); otp.value = LATE.otpLate; fire(otp);
    await nextTask();
    var mt = $('#mask-text'); mt.firstChild.textContent = 'Secret note: ' + LATE.maskTextLate + ' '; mt.setAttribute('title', LATE.maskTitleLate);
    await nextTask();
    var lm = $('#late-mask'); lm.classList.add('cotab-mask');
    await nextTask();
    lm.textContent = LATE.lateAfter;
    var la = $('#late-autocomplete'); la.setAttribute('autocomplete', 'cc-number');
    await nextTask();
    la.value = LATE.lateAc; fire(la);
    var zone = $('#inserted-zone'); zone.replaceChildren();
    var ip = document.createElement('input'); ip.type = 'password'; ip.id = 'inserted-pw'; ip.value = LATE.insertedPassword; zone.appendChild(ip);
    var im = document.createElement('div'); im.id = 'inserted-mask'; im.setAttribute('data-cotab-mask', ''); im.textContent = LATE.insertedMaskText; zone.appendChild(im);
    await nextTask();
    var mv = $('#move-me'); $('#mask-box').appendChild(mv);
    await nextTask();
    mv.textContent = LATE.movedText;
    $('#blocked').appendChild(document.createTextNode(' ' + LATE.blockLate));
    $('#plain-text').textContent = LATE.visibleLate;
    await nextTask();
    document.documentElement.setAttribute('data-mask-phase', 'done');
  }
  var running = null;
  /** run() is idempotent in effect: it always ends in the same "late" state. */
  window.maskChanges = { run: function () { return running || (running = run().finally(function () { running = null; })); } };
  if (!/[?&]manual=1(&|$)/.test(location.search)) window.addEventListener('load', function () { setTimeout(window.maskChanges.run, 500); });
})();
</script>
</body></html>
`;
}
