// demoPage: the "Northwind Outfitters" checkout used in the product demo. Cart, address form,
// card fields (masked by Cotab), "Place order", a help chat, a nested scrolling panel and
// elements that keep changing (reservation countdown, clock, stock ticker, viewers, low-stock
// counter) so the agent's mirror visibly updates.

import { icon, iconSprite, logoSvg } from './svg.mjs';
import { COUNTRIES, esc, money } from './util.mjs';

/** @typedef {{sku: string, name: string, variant: string, cents: number, qty: number, img: string}} CartLine */

/** @type {readonly CartLine[]} */
const CART = [
  { sku: 'NW-TS-204', name: 'Trail Shell Jacket', variant: 'Forest · M', cents: 18900, qty: 1, img: 'demo-trail-shell' },
  { sku: 'NW-MB-118', name: 'Merino Base Layer', variant: 'Charcoal · M', cents: 7400, qty: 2, img: 'demo-merino-base' },
  { sku: 'NW-DP-032', name: 'Ridge 28L Daypack', variant: 'Rust', cents: 12900, qty: 1, img: 'demo-ridge-daypack' },
  { sku: 'NW-WS-551', name: 'Wool Hiking Socks (3-pack)', variant: 'Assorted · L', cents: 2900, qty: 1, img: 'demo-wool-socks' },
];

const TICKER = [['NWO', 48.12], ['ALPN', 112.4], ['TRAIL', 23.87], ['GEAR', 71.05], ['FJRD', 9.64], ['SUMT', 204.3], ['RIDG', 56.78], ['COAST', 31.2]];

const DEMO_CSS = `
:root{--bg:#f6f7fb;--card:#fff;--fg:#111827;--muted:#6b7280;--line:#e5e7eb;--brand:#1f4fd8;--brand-2:#0f9f8f;--ok:#15803d;--bad:#dc2626;--warn:#b45309;--radius:14px;--shadow:0 1px 2px rgb(17 24 39 / .05),0 8px 24px rgb(17 24 39 / .08);font-family:"Brand Sans",system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
@font-face{font-family:"Brand Sans";src:url(/slow-font.woff2) format("woff2");font-display:swap}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font-size:15px;line-height:1.5}
a{color:var(--brand)}
button,input,select,textarea{font:inherit;color:inherit}
.icon{width:18px;height:18px;vertical-align:-3px}
.ticker{overflow:hidden;background:#0b1530;color:#cbd5e1;font:13px/32px ui-monospace,SFMono-Regular,Menlo,monospace;white-space:nowrap}
.ticker__track{display:inline-flex;gap:32px;padding-left:16px;animation:ticker 40s linear infinite}
.ticker__item b{color:#fff;margin-right:6px}
.ticker__item .up{color:#4ade80}.ticker__item .down{color:#f87171}
@keyframes ticker{from{transform:translateX(0)}to{transform:translateX(-50%)}}
header.top{display:flex;align-items:center;gap:16px;padding:14px 32px;background:var(--card);border-bottom:1px solid var(--line)}
.brand{display:flex;align-items:center;gap:10px;font-weight:800;font-size:18px;color:var(--fg);text-decoration:none}
.steps{display:flex;gap:8px;margin-left:32px;font-size:13px;color:var(--muted)}
.steps li{list-style:none;display:flex;align-items:center;gap:6px}
.steps li+li::before{content:"›";margin-right:2px;color:var(--line)}
.steps .is-current{color:var(--fg);font-weight:700}
.top__right{margin-left:auto;display:flex;align-items:center;gap:16px;font-size:13px;color:var(--muted)}
.clock{font-variant-numeric:tabular-nums;font-weight:600;color:var(--fg)}
.reserve{display:flex;align-items:center;justify-content:center;gap:10px;padding:10px 16px;background:linear-gradient(90deg,#fff7ed,#fffbeb);color:var(--warn);font-size:14px;border-bottom:1px solid #fde68a}
.reserve strong{font-variant-numeric:tabular-nums;font-size:16px}
.reserve.is-urgent{background:#fef2f2;color:var(--bad)}
main{display:grid;grid-template-columns:minmax(0,1.35fr) minmax(320px,1fr);gap:28px;max-width:1180px;margin:28px auto;padding:0 24px}
.panel{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);box-shadow:var(--shadow);padding:24px}
.panel+.panel{margin-top:20px}
.panel h2{display:flex;align-items:center;gap:10px;margin:0 0 16px;font-size:18px}
.panel h2 .n{display:grid;place-items:center;width:26px;height:26px;border-radius:50%;background:var(--fg);color:#fff;font-size:13px}
.grid{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:14px}
.f{grid-column:span 6;display:flex;flex-direction:column;gap:6px}
.f--3{grid-column:span 3}.f--2{grid-column:span 2}
.f label{font-size:13px;font-weight:600}
.f input,.f select,.f textarea{padding:11px 12px;border:1px solid var(--line);border-radius:10px;background:#fff;transition:border-color .15s,box-shadow .15s}
.f input:focus,.f select:focus,.f textarea:focus{outline:none;border-color:var(--brand);box-shadow:0 0 0 3px rgb(31 79 216 / .15)}
.f input:user-invalid{border-color:var(--bad)}
.card-field{position:relative}
.card-field .brands{position:absolute;right:10px;bottom:9px;display:flex;gap:4px}
.card-field .brands span{padding:2px 5px;border:1px solid var(--line);border-radius:4px;font-size:10px;font-weight:800;color:var(--muted)}
.ship{display:grid;gap:10px}
.ship label{display:flex;align-items:center;gap:12px;padding:12px 14px;border:1px solid var(--line);border-radius:12px;cursor:pointer}
.ship label:has(input:checked){border-color:var(--brand);background:#eff4ff}
.ship .price{margin-left:auto;font-weight:700}
.ship small{display:block;color:var(--muted)}
.secure{display:flex;align-items:center;gap:8px;margin:14px 0 0;font-size:13px;color:var(--muted)}
.place{display:flex;align-items:center;justify-content:center;gap:10px;width:100%;margin-top:18px;padding:15px;border:0;border-radius:12px;background:linear-gradient(90deg,var(--brand),#3b6cf0);color:#fff;font-weight:700;font-size:16px;cursor:pointer;box-shadow:0 6px 16px rgb(31 79 216 / .3)}
.place:hover{filter:brightness(1.05)}
.place[aria-busy="true"]{opacity:.7;cursor:progress}
.summary{position:sticky;top:20px}
.line{display:grid;grid-template-columns:64px minmax(0,1fr) auto;gap:14px;align-items:center;padding:12px 0;border-bottom:1px solid var(--line)}
.line img{width:64px;height:64px;border-radius:10px;object-fit:cover;background:var(--bg)}
.line h3{margin:0;font-size:14px}
.line p{margin:2px 0 0;font-size:12px;color:var(--muted)}
.line .low{color:var(--bad);font-weight:600}
.qty{display:inline-flex;align-items:center;margin-top:6px;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.qty button{width:28px;height:28px;border:0;background:#fff;cursor:pointer}
.qty button:hover{background:var(--bg)}
.qty output{min-width:28px;text-align:center;font-size:13px;font-variant-numeric:tabular-nums}
.line__price{text-align:right;font-weight:700;font-variant-numeric:tabular-nums}
.line__remove{display:block;margin-top:6px;border:0;background:none;color:var(--muted);font-size:12px;cursor:pointer;text-decoration:underline}
.promo{display:flex;gap:8px;margin:16px 0}
.promo input{flex:1;padding:10px 12px;border:1px solid var(--line);border-radius:10px}
.promo button{padding:10px 14px;border:1px solid var(--fg);border-radius:10px;background:#fff;font-weight:600;cursor:pointer}
.promo__msg{margin:-8px 0 12px;font-size:13px;color:var(--ok)}
.totals{display:grid;grid-template-columns:1fr auto;gap:8px;margin:0;font-size:14px}
.totals dt{color:var(--muted)}.totals dd{margin:0;text-align:right;font-variant-numeric:tabular-nums}
.totals .grand{font-size:18px;font-weight:800;color:var(--fg)}
.viewers{display:flex;align-items:center;gap:8px;margin-top:14px;font-size:13px;color:var(--muted)}
.viewers::before{content:"";width:8px;height:8px;border-radius:50%;background:#22c55e;animation:pulse 1.6s ease-in-out infinite}
@keyframes pulse{50%{opacity:.3}}
.details{height:220px;overflow:auto;margin-top:12px;padding:12px 14px;border:1px solid var(--line);border-radius:12px;background:#fcfcfd;font-size:13px}
.details h4{margin:12px 0 6px}
.details__inner{height:110px;overflow:auto;margin:8px 0;padding:8px 10px;border:1px dashed var(--line);border-radius:8px;background:#fff}
.details__inner li{padding:3px 0}
.chat{position:fixed;right:24px;bottom:24px;width:340px;background:var(--card);border:1px solid var(--line);border-radius:18px;box-shadow:0 12px 40px rgb(17 24 39 / .18);overflow:hidden;z-index:20}
.chat__head{display:flex;align-items:center;gap:10px;padding:12px 14px;background:linear-gradient(90deg,var(--brand),var(--brand-2));color:#fff}
.chat__head img{width:32px;height:32px;border-radius:50%}
.chat__head p{margin:0;font-size:12px;opacity:.85}
.chat__toggle{margin-left:auto;border:0;background:rgb(255 255 255 / .15);color:#fff;width:28px;height:28px;border-radius:8px;cursor:pointer}
.chat__log{height:150px;overflow:auto;padding:12px 14px;display:flex;flex-direction:column;gap:8px;background:#fafbff}
.msg{max-width:82%;padding:8px 11px;border-radius:14px;font-size:13px;animation:pop .2s ease-out}
.msg--agent{align-self:flex-start;background:#fff;border:1px solid var(--line);border-bottom-left-radius:4px}
.msg--me{align-self:flex-end;background:var(--brand);color:#fff;border-bottom-right-radius:4px}
.msg time{display:block;margin-top:2px;font-size:10px;opacity:.6}
.typing{align-self:flex-start;font-size:12px;color:var(--muted)}
@keyframes pop{from{transform:scale(.96);opacity:0}}
.chat form{display:flex;gap:8px;padding:10px;border-top:1px solid var(--line)}
.chat input{flex:1;padding:9px 11px;border:1px solid var(--line);border-radius:10px}
.chat button[type="submit"]{border:0;border-radius:10px;background:var(--brand);color:#fff;padding:0 12px;cursor:pointer}
.chat.is-collapsed .chat__log,.chat.is-collapsed form{display:none}
.overlay{position:fixed;inset:0;display:grid;place-items:center;background:rgb(17 24 39 / .45);z-index:30}
.overlay[hidden]{display:none}
.confirm{width:min(440px,92vw);padding:28px;border-radius:18px;background:#fff;text-align:center;box-shadow:var(--shadow)}
.confirm .tick{display:grid;place-items:center;width:56px;height:56px;margin:0 auto 12px;border-radius:50%;background:#dcfce7;color:var(--ok)}
.errors{margin:12px 0 0;padding:10px 12px;border-radius:10px;background:#fef2f2;color:var(--bad);font-size:13px}
.errors[hidden]{display:none}
@media (max-width:900px){main{grid-template-columns:1fr}.summary{position:static}.chat{width:300px}.steps{display:none}}
`;

const DEMO_SCRIPT = `(function () {
  'use strict';
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var pad = function (n) { return String(n).padStart(2, '0'); };
  var fmt = function (cents) { return '$' + (cents / 100).toFixed(2).replace(/\\B(?=(\\d{3})+(?!\\d))/g, ','); };
  var seed = 20240917;
  var rand = function () { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };

  // reservation countdown
  var reserveEnd = Date.now() + 14 * 60 * 1000 + 59 * 1000;
  var countdown = $('[data-live="countdown"]');
  var reserve = $('.reserve');
  function tickCountdown() {
    var left = Math.max(0, Math.round((reserveEnd - Date.now()) / 1000));
    if (left === 0) reserveEnd = Date.now() + 15 * 60 * 1000;
    countdown.textContent = pad(Math.floor(left / 60)) + ':' + pad(left % 60);
    reserve.classList.toggle('is-urgent', left < 120);
  }
  // clock
  var clock = $('[data-live="clock"]');
  function tickClock() { var d = new Date(); clock.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); clock.setAttribute('datetime', d.toISOString()); }
  // stock ticker
  var tickerItems = $$('[data-live="ticker"] .ticker__item');
  function tickTicker() {
    for (var k = 0; k < 3; k++) {
      var item = tickerItems[Math.floor(rand() * tickerItems.length)];
      var priceEl = $('.p', item), chEl = $('.c', item);
      var price = Number(priceEl.getAttribute('data-v'));
      var delta = (rand() - 0.48) * price * 0.01;
      price = Math.max(1, price + delta);
      priceEl.setAttribute('data-v', price.toFixed(2));
      priceEl.textContent = price.toFixed(2);
      chEl.textContent = (delta >= 0 ? '▲ ' : '▼ ') + Math.abs(delta / price * 100).toFixed(2) + '%';
      chEl.className = 'c ' + (delta >= 0 ? 'up' : 'down');
    }
  }
  // people viewing, low stock
  var viewers = $('[data-live="viewers"]');
  function tickViewers() { var n = 9 + Math.floor(rand() * 14); viewers.textContent = n + ' people are looking at these items right now'; }
  var low = $('[data-live="low-stock"]');
  var lowCount = 7;
  function tickLow() { if (lowCount > 2) { lowCount--; low.textContent = 'Only ' + lowCount + ' left in your size'; } }

  tickCountdown(); tickClock(); tickViewers();
  setInterval(function () { tickCountdown(); tickClock(); }, 1000);
  setInterval(tickTicker, 700);
  setInterval(tickViewers, 4000);
  setInterval(tickLow, 9000);

  // cart: quantities, remove, shipping, promo, totals
  var promo = 0;
  function recalc() {
    var sub = 0, items = 0;
    $$('.line').forEach(function (line) {
      var qty = Number($('output', line).value);
      var cents = Number(line.getAttribute('data-cents'));
      $('.line__price', line).textContent = fmt(cents * qty);
      sub += cents * qty; items += qty;
    });
    var ship = $('input[name="shipping"]:checked');
    var shipCents = ship ? Number(ship.getAttribute('data-cents')) : 0;
    var discount = Math.round(sub * promo);
    var tax = Math.round((sub - discount) * 0.0825);
    $('[data-total="items"]').textContent = items + (items === 1 ? ' item' : ' items');
    $('[data-total="subtotal"]').textContent = fmt(sub);
    $('[data-total="discount"]').textContent = discount ? '−' + fmt(discount) : '—';
    $('[data-total="shipping"]').textContent = shipCents ? fmt(shipCents) : 'Free';
    $('[data-total="tax"]').textContent = fmt(tax);
    var grand = sub - discount + shipCents + tax;
    $('[data-total="grand"]').textContent = fmt(grand);
    $('[data-total="button"]').textContent = fmt(grand);
  }
  document.addEventListener('click', function (e) {
    var t = e.target instanceof Element ? e.target : null;
    if (!t) return;
    var step = t.closest('[data-step]');
    if (step) {
      var out = $('output', step.closest('.qty'));
      out.value = String(Math.min(9, Math.max(1, Number(out.value) + Number(step.getAttribute('data-step')))));
      recalc();
    }
    var rm = t.closest('.line__remove');
    if (rm) { var line = rm.closest('.line'); if (line && $$('.line').length > 1) { line.remove(); recalc(); } }
    var toggle = t.closest('.chat__toggle');
    if (toggle) { var chat = $('.chat'); chat.classList.toggle('is-collapsed'); toggle.setAttribute('aria-expanded', String(!chat.classList.contains('is-collapsed'))); }
    if (t.closest('[data-close-confirm]')) $('.overlay').hidden = true;
  });
  document.addEventListener('change', function (e) { if (e.target instanceof HTMLInputElement && e.target.name === 'shipping') recalc(); });
  $('#promo-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var code = $('#promo').value.trim().toUpperCase();
    var msg = $('.promo__msg');
    if (code === 'NORTHWIND10') { promo = 0.1; msg.textContent = 'NORTHWIND10 applied: 10% off.'; msg.style.color = ''; }
    else { promo = 0; msg.textContent = code ? 'That code is not valid.' : ''; msg.style.color = 'var(--bad)'; }
    recalc();
  });

  // card number formatting, as payment forms do
  var ccnum = $('#cc-number');
  ccnum.addEventListener('input', function () {
    var digits = ccnum.value.replace(/\\D/g, '').slice(0, 19);
    ccnum.value = digits.replace(/(.{4})/g, '$1 ').trim();
  });
  var ccexp = $('#cc-exp');
  ccexp.addEventListener('input', function () {
    var d = ccexp.value.replace(/\\D/g, '').slice(0, 4);
    ccexp.value = d.length > 2 ? d.slice(0, 2) + ' / ' + d.slice(2) : d;
  });

  // place order
  $('#checkout').addEventListener('submit', function (e) {
    e.preventDefault();
    var form = e.currentTarget;
    var missing = $$('[required]', form).filter(function (el) { return !el.value.trim(); });
    var errors = $('.errors');
    if (missing.length) {
      errors.hidden = false;
      errors.textContent = 'Please fill in: ' + missing.map(function (el) { var l = $('label[for="' + el.id + '"]'); return l ? l.textContent : el.name; }).join(', ') + '.';
      missing[0].focus();
      return;
    }
    errors.hidden = true;
    var btn = $('.place');
    btn.setAttribute('aria-busy', 'true');
    setTimeout(function () {
      btn.removeAttribute('aria-busy');
      $('[data-order-number]').textContent = 'NW-' + (100000 + Math.floor(rand() * 899999));
      $('.overlay').hidden = false;
    }, 900);
  });

  // help chat
  var log = $('.chat__log');
  function say(who, text) {
    var m = document.createElement('div');
    m.className = 'msg msg--' + who;
    m.textContent = text;
    var t = document.createElement('time');
    var d = new Date(); t.textContent = pad(d.getHours()) + ':' + pad(d.getMinutes());
    m.appendChild(t);
    log.appendChild(m);
    log.scrollTop = log.scrollHeight;
  }
  var replies = ['Happy to help! Our Trail Shell runs true to size.', 'Standard shipping takes 3–5 business days.', 'You can return anything within 60 days, free.', 'I have shared a size guide link with you.', 'Anything else I can do for you?'];
  var replyIndex = 0;
  function agentReply() {
    var typing = document.createElement('div');
    typing.className = 'typing'; typing.textContent = 'Maya is typing…';
    log.appendChild(typing); log.scrollTop = log.scrollHeight;
    setTimeout(function () { typing.remove(); say('agent', replies[replyIndex++ % replies.length]); }, 1200);
  }
  setTimeout(agentReply, 1500);
  $('#chat-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var input = $('#chat-input');
    var text = input.value.trim();
    if (!text) return;
    say('me', text); input.value = '';
    agentReply();
  });
  recalc();
})();`;

/** @returns {string} the demo shop's checkout page */
export function demoPage() {
  const lines = CART.map((line, i) => `<li class="line" data-sku="${line.sku}" data-cents="${line.cents}">`
    + `<img src="/img/${line.img}-128x128.svg" width="64" height="64" alt="">`
    + `<div><h3>${esc(line.name)}</h3><p>${esc(line.variant)} · ${line.sku}</p>${i === 0 ? '<p class="low" data-live="low-stock">Only 7 left in your size</p>' : ''}`
    + `<div class="qty" role="group" aria-label="Quantity of ${esc(line.name)}"><button type="button" data-step="-1" aria-label="One fewer">−</button><output>${line.qty}</output><button type="button" data-step="1" aria-label="One more">+</button></div></div>`
    + `<div><div class="line__price">${money(line.cents * line.qty)}</div><button type="button" class="line__remove">Remove</button></div></li>`).join('');
  const ticker = [...TICKER, ...TICKER].map(([sym, price]) => `<span class="ticker__item"><b>${sym}</b><span class="p" data-v="${price}">${Number(price).toFixed(2)}</span> <span class="c up">▲ 0.00%</span></span>`).join('');
  const countries = COUNTRIES.map(([code, name]) => `<option value="${code}"${code === 'US' ? ' selected' : ''}>${esc(name)}</option>`).join('');
  const states = ['Oregon', 'Washington', 'California', 'Colorado', 'New York', 'Texas', 'Vermont', 'Maine'].map((s) => `<option${s === 'Oregon' ? ' selected' : ''}>${s}</option>`).join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Checkout — Northwind Outfitters</title>
<link rel="icon" href="/img/favicon-64x64.svg" type="image/svg+xml">
<style>${DEMO_CSS}</style></head>
<body>
${iconSprite()}
<div class="ticker" data-live="ticker" aria-label="Market prices"><div class="ticker__track">${ticker}</div></div>
<header class="top"><a class="brand" href="/demo">${logoSvg()}Northwind Outfitters</a>
<ol class="steps"><li>Cart</li><li class="is-current">Details &amp; payment</li><li>Confirmation</li></ol>
<div class="top__right"><span>${icon('lock', 16)} Secure checkout</span><span>Portland store · <time class="clock" data-live="clock">--:--:--</time></span></div></header>
<div class="reserve" role="status">${icon('clock', 18)}<span>Items in your cart are reserved for <strong data-live="countdown">14:59</strong></span></div>
<main>
<form id="checkout" class="checkout" action="/demo/order" method="post" novalidate>
<section class="panel"><h2><span class="n">1</span>Contact</h2><div class="grid">
<div class="f f--3"><label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" placeholder="you@example.com" required></div>
<div class="f f--3"><label for="phone">Phone</label><input id="phone" name="phone" type="tel" autocomplete="tel" placeholder="+1 (503) 555-0143"></div>
<div class="f"><label for="account-password">Password (to create an account)</label><input id="account-password" name="password" type="password" autocomplete="new-password" minlength="8" placeholder="At least 8 characters"></div>
</div></section>
<section class="panel"><h2><span class="n">2</span>Shipping address</h2><div class="grid">
<div class="f f--3"><label for="given-name">First name</label><input id="given-name" name="given-name" autocomplete="given-name" required></div>
<div class="f f--3"><label for="family-name">Last name</label><input id="family-name" name="family-name" autocomplete="family-name" required></div>
<div class="f"><label for="address-line1">Street address</label><input id="address-line1" name="address-line1" autocomplete="address-line1" placeholder="1234 NW Everett St" required></div>
<div class="f"><label for="address-line2">Apartment, suite, etc. (optional)</label><input id="address-line2" name="address-line2" autocomplete="address-line2"></div>
<div class="f f--2"><label for="city">City</label><input id="city" name="city" autocomplete="address-level2" required></div>
<div class="f f--2"><label for="state">State</label><select id="state" name="state" autocomplete="address-level1">${states}</select></div>
<div class="f f--2"><label for="postal-code">ZIP code</label><input id="postal-code" name="postal-code" autocomplete="postal-code" inputmode="numeric" required></div>
<div class="f"><label for="country">Country</label><select id="country" name="country" autocomplete="country">${countries}</select></div>
<div class="f"><label for="notes">Delivery notes (optional)</label><textarea id="notes" name="notes" rows="2" placeholder="Leave at the side door"></textarea></div>
</div></section>
<section class="panel"><h2><span class="n">3</span>Delivery</h2><div class="ship">
<label><input type="radio" name="shipping" value="standard" data-cents="0" checked><span>Standard<small>3–5 business days</small></span><span class="price">Free</span></label>
<label><input type="radio" name="shipping" value="express" data-cents="1500"><span>Express<small>1–2 business days</small></span><span class="price">$15.00</span></label>
<label><input type="radio" name="shipping" value="pickup" data-cents="0"><span>Pick up in store<small>Portland, ready in 2 hours</small></span><span class="price">Free</span></label>
</div>
<div class="details" data-testid="outer-scroll" tabindex="0"><h4>Delivery &amp; returns</h4>
<p>We ship from our Portland warehouse Monday to Saturday. Orders placed before 2 pm Pacific leave the same day. Every parcel is carbon-neutral and packed in recycled paper.</p>
<div class="details__inner" data-testid="inner-scroll" tabindex="0"><ul>${Array.from({ length: 16 }, (_, i) => `<li>Zone ${i + 1}: ${i < 4 ? '1–2' : i < 10 ? '2–4' : '3–6'} business days</li>`).join('')}</ul></div>
<h4>Returns</h4><p>Return anything within 60 days, worn or not. Repairs are free for the life of the product. Bring it to a store or print a label from your account.</p>
<p>Gift orders ship with a gift receipt and no prices. Recipients can exchange sizes for free.</p>
<h4>Warranty</h4><p>If a seam fails or a zip breaks, we fix it. If we cannot fix it, we replace it.</p></div></section>
<section class="panel"><h2><span class="n">4</span>Payment</h2><div class="grid">
<div class="f"><label for="cc-name">Name on card</label><input id="cc-name" name="cc-name" autocomplete="cc-name" required></div>
<div class="f card-field"><label for="cc-number">Card number</label><input id="cc-number" name="cc-number" autocomplete="cc-number" inputmode="numeric" placeholder="1234 1234 1234 1234" required><span class="brands"><span>VISA</span><span>MC</span><span>AMEX</span></span></div>
<div class="f f--3"><label for="cc-exp">Expiry date</label><input id="cc-exp" name="cc-exp" autocomplete="cc-exp" placeholder="MM / YY" required></div>
<div class="f f--3"><label for="cc-csc">Security code</label><input id="cc-csc" name="cc-csc" autocomplete="cc-csc" inputmode="numeric" maxlength="4" placeholder="CVC" required></div>
</div>
<p class="secure">${icon('shield', 16)}Your card details are encrypted. Northwind never stores your full card number.</p>
<p class="errors" role="alert" hidden></p>
<button class="place" type="submit">${icon('lock', 18)}Place order · <span data-total="button">$0.00</span></button>
</section>
</form>
<aside class="summary"><section class="panel"><h2>Your cart <small data-total="items" style="margin-left:auto;font-size:13px;color:var(--muted);font-weight:500">5 items</small></h2>
<ul class="cart" style="list-style:none;margin:0;padding:0">${lines}</ul>
<form id="promo-form" class="promo"><label class="visually-hidden" for="promo" style="position:absolute;left:-9999px">Promo code</label><input id="promo" name="promo" placeholder="Promo code (try NORTHWIND10)"><button type="submit">Apply</button></form>
<p class="promo__msg" aria-live="polite"></p>
<dl class="totals"><dt>Subtotal</dt><dd data-total="subtotal">$0.00</dd><dt>Discount</dt><dd data-total="discount">—</dd><dt>Shipping</dt><dd data-total="shipping">Free</dd><dt>Estimated tax</dt><dd data-total="tax">$0.00</dd><dt class="grand">Total</dt><dd class="grand" data-total="grand">$0.00</dd></dl>
<p class="viewers" data-live="viewers">12 people are looking at these items right now</p>
</section></aside>
</main>
<div class="chat" role="complementary" aria-label="Help chat">
<div class="chat__head"><img src="/img/demo-agent-maya-64x64.svg" width="32" height="32" alt=""><div><strong>Maya · Northwind help</strong><p>Typically replies in a minute</p></div><button class="chat__toggle" type="button" aria-expanded="true" aria-label="Minimise chat">${icon('chevron', 16)}</button></div>
<div class="chat__log" aria-live="polite"><div class="msg msg--agent">Hi! I am Maya. Questions about sizes, shipping or returns? Ask away.<time>now</time></div></div>
<form id="chat-form"><label for="chat-input" style="position:absolute;left:-9999px">Message</label><input id="chat-input" name="message" autocomplete="off" placeholder="Type a message…"><button type="submit" aria-label="Send">${icon('send', 16)}</button></form>
</div>
<div class="overlay" hidden><div class="confirm" role="dialog" aria-modal="true" aria-labelledby="confirm-h"><div class="tick">${icon('check', 28)}</div><h2 id="confirm-h">Order placed</h2><p>Thank you! Your order <strong data-order-number>NW-000000</strong> is confirmed. A receipt is on its way to your inbox.</p><button class="place" type="button" data-close-confirm>Back to the shop</button></div></div>
<script>${DEMO_SCRIPT}</script>
</body></html>
`;
}
