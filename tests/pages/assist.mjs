// Pages for the agent-assistance tests (the action firewall, the ActionRunner, the guard): a shop
// checkout full of things an agent must never activate next to things it may, and a React 18 form
// with controlled fields. Pure generators (same arguments, same string); the pages keep their own
// score in window globals the tests read:
//
//   window.__submits      every submit event the page saw and every form.submit() that reached it
//                         (the page's own listener on the document, its own patch of submit())
//   window.__finalClicks  every pointerdown, mousedown or click that reached a finalizing control
//                         ([data-final]), counted in the capture phase on the document
//   window.__coupons      clicks on "Apply coupon" (the harmless button)
//   window.onCoupon       a test's hook, called with the form from "Apply coupon"'s click handler
//                         (what a page's handler might do: submit, navigate, proxy-click "Pay")
//   window.__log          "type:key-or-inputType:id" of every keyboard, input and change event
//   window.__pageId       performance.timeOrigin: a navigation that slipped through changes it
//
// Submissions the page lets through are posted to /assist/order (the submit listener does it with
// fetch, like a single-page checkout; form.submit() navigates there), and every finalizing click
// posts /assist/final?id=…: a server that counts those requests proves nothing was submitted.

import { COUNTRIES, esc } from './lib/util.mjs';

/** Finalizing controls of checkoutPage(): id → the language of its label (every one is [data-final]). */
export const CHECKOUT_FINALIZING = Object.freeze({
  'pay': 'en', 'place-order': 'en', 'buy': 'en', 'transfer': 'en', 'delete': 'en', 'remove-card': 'en',
  'purchase-icon': 'en', 'pay-tile-label': 'en', 'buy-tile-img': 'en', 'trash-icon': 'en', 'kaufen': 'de', 'confirmer': 'fr',
  'eliminar': 'es', 'acquista': 'it', 'finalizar': 'pt', 'betalen': 'nl', 'zaplac': 'pl', 'chumon': 'ja',
  'goumai': 'zh',
});
/** Controls of checkoutPage() whose activation submits the form (and that say nothing finalizing). */
export const CHECKOUT_SUBMITTING = Object.freeze(['continue', 'continue-span', 'continue-label', 'outside-submit', 'image-submit']);
/** Fields of checkoutPage() that are masked or blocked, with the canary each one holds. */
export const CHECKOUT_MASKED = Object.freeze({
  password: 'CANARY-PASSWORD', card: 'CANARY-4242', cvc: 'CANARY-CVC', loyalty: 'CANARY-LOYALTY',
  'saved-card-note': 'CANARY-SAVED', 'secret-note': 'CANARY-SETTINGS',
});
/** The settings selector the tests pass as a mask rule (it masks #secret-note). */
export const CHECKOUT_MASK_SELECTOR = '.account-secret';
/** A settings finalize selector matching #custom-final ("Continue", not finalizing by its words). */
export const CHECKOUT_FINALIZE_SELECTOR = '.checkout-next';

const CHECKOUT_CSS = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1f2937;background:#f5f5f4}
header{display:flex;gap:18px;align-items:center;padding:12px 24px;background:#fff;border-bottom:1px solid #e7e5e4}
header .brand{font-weight:800;margin-right:auto}
main{max-width:920px;margin:24px auto;padding:0 16px}
fieldset{border:1px solid #e7e5e4;border-radius:12px;background:#fff;margin:0 0 16px;padding:16px}
legend{font-weight:700;padding:0 6px}
label{display:block;margin:8px 0 4px;font-size:13px;font-weight:600}
label.inline{display:flex;gap:8px;align-items:center;font-weight:400;font-size:15px}
input:not([type=checkbox]):not([type=radio]):not([type=image]),select,textarea{width:100%;padding:9px 10px;border:1px solid #d6d3d1;border-radius:8px;font:inherit}
textarea{min-height:70px}
[contenteditable]{min-height:48px;padding:8px 10px;border:1px dashed #a8a29e;border-radius:8px;background:#fff}
.row{display:flex;gap:8px;align-items:center;margin:12px 0}
button,.btn{padding:9px 14px;border-radius:8px;border:1px solid #d6d3d1;background:#fff;font:inherit;cursor:pointer}
.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}
.actions{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.tile{display:inline-flex;padding:12px 16px;border:1px solid #d6d3d1;border-radius:10px;cursor:pointer;background:#fff}
#terms-panel{height:120px;overflow:auto;border:1px solid #e7e5e4;padding:8px 12px;background:#fff}
#hscroll{width:300px;overflow-x:auto;white-space:nowrap;border:1px solid #e7e5e4}
#clipped{height:60px;overflow:hidden}
.icon{width:18px;height:18px;vertical-align:-3px}
footer{padding:24px;color:#78716c}
footer p{margin:0 0 400px}
`;

/** The page's own script: its score keeping (see the top of this file) and its handlers. */
const CHECKOUT_SCRIPT = `
(() => {
  window.__pageId = performance.timeOrigin;
  window.__submits = 0;
  window.__finalClicks = 0;
  window.__coupons = 0;
  window.__log = [];
  window.onCoupon = null;
  const realSubmit = HTMLFormElement.prototype.submit;
  HTMLFormElement.prototype.submit = function submit() {
    window.__submits++;
    return realSubmit.call(this);
  };
  document.addEventListener('submit', (e) => {
    window.__submits++;
    e.preventDefault();
    const form = e.target;
    fetch(form.action, { method: 'POST', body: new URLSearchParams(new FormData(form)) });
  });
  for (const type of ['pointerdown', 'mousedown', 'click']) {
    document.addEventListener(type, (e) => {
      const final = e.target instanceof Element ? e.target.closest('[data-final]') : null;
      if (!final) return;
      window.__finalClicks++;
      if (type === 'click') fetch('/assist/final?id=' + encodeURIComponent(final.id), { method: 'POST' });
    }, true);
  }
  for (const type of ['keydown', 'keypress', 'keyup', 'beforeinput', 'input', 'change']) {
    document.addEventListener(type, (e) => {
      if (window.__log.length >= 5000) window.__log.splice(0, 1000);
      const what = e.key !== undefined ? e.key : e.inputType !== undefined ? e.inputType : '';
      window.__log.push(type + ':' + what + ':' + (e.target && e.target.id || ''));
    }, true);
  }
  document.addEventListener('DOMContentLoaded', () => {
    const form = document.getElementById('checkout');
    document.getElementById('coupon').addEventListener('click', () => {
      window.__coupons++;
      if (typeof window.onCoupon === 'function') window.onCoupon(form);
    });
    const toggle = document.getElementById('details-toggle');
    toggle.addEventListener('click', () => {
      const details = document.getElementById('details');
      details.hidden = !details.hidden;
      toggle.setAttribute('aria-expanded', String(!details.hidden));
      toggle.textContent = details.hidden ? 'Show details' : 'Hide details';
    });
    document.getElementById('pay').addEventListener('click', () => {
      fetch('/assist/pay', { method: 'POST' });
    });
  });
})();
`;

/** @param {number} n @param {string} what */
function paragraphs(n, what) {
  let out = '';
  for (let i = 1; i <= n; i++) out += `<p>${esc(what)} ${i}: returns are free within 30 days; keep the receipt and the original packaging.</p>`;
  return out;
}

/**
 * A realistic checkout: contact and address fields, a textarea and a contenteditable gift note,
 * a country <select>, radios and checkboxes, payment fields (masked: password, card number, CVC,
 * a data-cotab-mask loyalty number, a data-cotab-block saved-cards area, a settings-masked note),
 * the finalizing controls of CHECKOUT_FINALIZING in ten languages, the submitting controls of
 * CHECKOUT_SUBMITTING, harmless ones ("Apply coupon", "Show details"), links (same origin, cross
 * origin, new window, javascript:), a nested scroll panel, disabled / hidden / inert controls and
 * a long page.
 * @param {{crossOrigin?: string}} [opts]  where the partner link points (an origin, no slash)
 */
export function checkoutPage(opts = {}) {
  const cross = opts.crossOrigin ?? 'https://partner.example';
  const countries = COUNTRIES.map(([code, name]) => `<option value="${esc(code.toLowerCase())}">${esc(name)}</option>`).join('');
  const trash = '<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M5 2h6v2h3v2H2V4h3zM3 7h10l-1 8H4z"/></svg>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Checkout · Lumen Home</title>
<style>${CHECKOUT_CSS}</style>
<script>${CHECKOUT_SCRIPT}</script>
</head><body>
<header>
  <span class="brand">Lumen Home</span>
  <a id="help-link" href="/assist/help">Help with your order</a>
  <a id="partner-link" href="${esc(cross)}/terms">Partner terms</a>
  <a id="size-guide" href="/assist/size-guide" target="_blank">Size guide</a>
  <a id="js-link" href="javascript:void(0)">Print this page</a>
  <a id="download-link" href="/assist/invoice.pdf" download>Invoice</a>
</header>
<main>
<form id="checkout" action="/assist/order" method="post">
  <fieldset><legend>Contact</legend>
    <label for="name">Full name</label><input id="name" name="name" autocomplete="name">
    <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email">
    <label for="phone">Phone</label><input id="phone" name="phone" type="tel" maxlength="12">
  </fieldset>
  <fieldset><legend>Shipping</legend>
    <label for="address">Street address</label><input id="address" name="address" autocomplete="street-address" value="12 Elm Street">
    <label for="zip">Postcode</label><input id="zip" name="zip">
    <label for="qty">Quantity</label><input id="qty" name="qty" type="number" value="1" min="1" max="9">
    <label for="country">Country</label>
    <select id="country" name="country"><option value="">Choose…</option>${countries}<option value="zz" disabled>Antarctica (no delivery)</option></select>
    <label for="notes">Delivery notes</label><textarea id="notes" name="notes"></textarea>
    <label id="note-label">Gift message</label>
    <div id="note" contenteditable="true" aria-labelledby="note-label"><p id="note-p">Dear Sam,</p></div>
    <label class="inline"><input type="radio" name="ship" id="ship-standard" value="standard" checked> Standard (3–5 days)</label>
    <label class="inline"><input type="radio" name="ship" id="ship-express" value="express"> Express (next day)</label>
    <label class="inline"><input type="checkbox" id="gift" name="gift"> Gift wrap</label>
    <label class="inline"><input type="checkbox" id="same-billing" name="same-billing" checked> Billing address same as shipping</label>
    <label class="inline"><input type="checkbox" id="sign-terms" name="sign-terms"> I accept the terms and sign the contract</label>
    <label for="order-ref">Order reference</label><input id="order-ref" readonly value="LH-20931">
  </fieldset>
  <fieldset><legend>Payment</legend>
    <label for="card">Card number</label><input id="card" name="card" autocomplete="cc-number" inputmode="numeric" value="${CHECKOUT_MASKED.card}">
    <label for="cvc">CVC</label><input id="cvc" name="cvc" autocomplete="cc-csc" value="${CHECKOUT_MASKED.cvc}">
    <label for="password">Account password</label><input id="password" name="password" type="password" value="${CHECKOUT_MASKED.password}">
    <label for="loyalty">Loyalty number</label><input id="loyalty" name="loyalty" data-cotab-mask value="${CHECKOUT_MASKED.loyalty}">
    <div id="saved-cards" data-cotab-block><label for="saved-card-note">Saved card</label><input id="saved-card-note" value="${CHECKOUT_MASKED['saved-card-note']}">
      <button type="button" id="blocked-button">Use ${CHECKOUT_MASKED['saved-card-note']}</button></div>
    <div class="account-secret"><label for="secret-note">Security answer</label><input id="secret-note" value="${CHECKOUT_MASKED['secret-note']}"></div>
    <div data-cotab-mask id="masked-region"><button type="button" id="masked-button">Show ${CHECKOUT_MASKED.loyalty}</button></div>
  </fieldset>
  <div class="row"><input id="coupon-code" name="coupon" placeholder="Coupon code" aria-label="Coupon code">
    <button type="button" id="coupon">Apply coupon</button>
    <button type="button" id="gift-card-apply" disabled>Apply gift card</button></div>
  <div class="row"><button type="button" id="details-toggle" aria-expanded="false" aria-controls="details">Show details</button>
    <button type="button" id="hidden-btn" style="display:none">Track parcel</button>
    <button type="button" id="invisible-btn" style="visibility:hidden">Track order</button>
    <button type="button" id="label-secret">Card <span data-cotab-mask id="label-secret-part">${CHECKOUT_MASKED.card}</span> details</button>
    <div inert><button type="button" id="inert-btn">Edit address</button></div></div>
  <section id="details" hidden><p>Subtotal €84.00 · Shipping €4.90 · VAT included</p></section>
  <div id="terms-panel" tabindex="0">${paragraphs(12, 'Term')}</div>
  <div id="hscroll"><span>${'Scroll sideways · '.repeat(40)}</span></div>
  <div id="clipped">${paragraphs(6, 'Clipped')}</div>
  <p id="long-text">You can delete saved addresses at any time in your account. ${'Our shipping partners deliver on weekdays between eight and six, and a signature is needed for parcels above fifty euros. '.repeat(2)}</p>
  <p id="short-text">Delete this address</p>
  <div class="actions">
    <button id="continue" class="primary">Continue <span id="continue-span">to review</span></button>
    <label for="continue" id="continue-label" class="btn">Review your order</label>
    <input type="image" id="image-submit" alt="Next step" width="32" height="32" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
    <button type="submit" id="place-order" data-final>Place order</button>
    <input type="submit" id="buy" value="Buy" data-final>
    <button type="button" id="pay" class="primary" data-final>Pay now</button>
    <button type="button" id="kaufen" data-final>Jetzt kaufen</button>
    <button type="button" id="confirmer" data-final>Confirmer la commande</button>
    <button type="button" id="eliminar" data-final>Eliminar cuenta</button>
    <button type="button" id="acquista" data-final>Acquista ora</button>
    <button type="button" id="finalizar" data-final>Finalizar compra</button>
    <button type="button" id="betalen" data-final>Nu betalen</button>
    <button type="button" id="zaplac" data-final>Zapłać teraz</button>
    <button type="button" id="chumon" data-final>注文を確定する</button>
    <button type="button" id="goumai" data-final>立即购买</button>
    <div role="button" tabindex="0" id="transfer" class="btn" data-final>Transfer money</div>
    <button type="button" id="delete" aria-label="Delete" data-final>${trash}</button>
    <span id="remove-card-label">Remove saved card</span><button type="button" id="remove-card" aria-labelledby="remove-card-label" data-final>${trash}</button>
    <button type="button" id="purchase-icon" title="Purchase" data-final>🛒</button>
    <button type="button" id="trash-icon" class="icon-button icon-trash" data-final>${trash}</button>
    <div class="tile" id="pay-tile" data-final><span id="pay-tile-label">Pay with saved card</span></div>
    <div class="tile" id="buy-tile" data-final><img id="buy-tile-img" alt="" width="16" height="16" src="data:image/gif;base64,R0lGODlhAQABAAAAACw="> Buy again</div>
    <a id="custom-final" class="checkout-next btn" href="/assist/next" data-final>Continue</a>
  </div>
</form>
<button id="outside-submit" form="checkout">Review</button>
<dialog id="modal"><p>Are you sure?</p><button type="button" id="modal-ok">Close</button></dialog>
</main>
<footer id="footer">${paragraphs(8, 'Footer note')}</footer>
</body></html>`;
}

/**
 * A React 18 app (React.createElement, no JSX) with a controlled text input, textarea, select and
 * checkbox, rendering its state as JSON into <pre id="state"> on every change: if React did not
 * see an edit, the state stays and React puts the old value back into the field.
 * State: {name, message, country, newsletter, keys} (keys = keydowns React saw on the name field).
 * @param {{reactSrc: string, reactDomSrc: string}} opts  URLs of the UMD builds
 */
export function reactFormPage(opts) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>React form</title>
<style>body{font:15px system-ui,sans-serif;margin:24px}label{display:block;margin:10px 0 4px}input,textarea,select{font:inherit}</style>
</head><body>
<div id="root"></div>
<script src="${esc(opts.reactSrc)}"></script>
<script src="${esc(opts.reactDomSrc)}"></script>
<script>
(() => {
  const h = React.createElement;
  window.__reactSubmits = 0;
  function App() {
    const [s, setState] = React.useState({ name: '', message: '', country: 'fr', newsletter: false, keys: 0 });
    const set = (key, value) => setState((prev) => ({ ...prev, [key]: value }));
    return h('form', { id: 'react-form', onSubmit: (e) => { e.preventDefault(); window.__reactSubmits++; } },
      h('label', { htmlFor: 'r-name' }, 'Name'),
      h('input', { id: 'r-name', value: s.name, onChange: (e) => set('name', e.target.value),
        onKeyDown: () => setState((prev) => ({ ...prev, keys: prev.keys + 1 })) }),
      h('label', { htmlFor: 'r-message' }, 'Message'),
      h('textarea', { id: 'r-message', value: s.message, onChange: (e) => set('message', e.target.value) }),
      h('label', { htmlFor: 'r-country' }, 'Country'),
      h('select', { id: 'r-country', value: s.country, onChange: (e) => set('country', e.target.value) },
        h('option', { value: 'fr' }, 'France'), h('option', { value: 'de' }, 'Germany'), h('option', { value: 'jp' }, 'Japan')),
      h('label', null, h('input', { id: 'r-newsletter', type: 'checkbox', checked: s.newsletter,
        onChange: (e) => set('newsletter', e.target.checked) }), ' Send me the monthly newsletter'),
      h('pre', { id: 'state' }, JSON.stringify(s)));
  }
  ReactDOM.createRoot(document.getElementById('root')).render(h(App));
})();
</script>
</body></html>`;
}
