// bigPage: a real-looking shop / news / dashboard page with an exact element budget, plus the
// long-table and heavy-CSS pages. Element counts follow `document.getElementsByTagName('*')`:
// the markup is written so the HTML parser creates exactly the elements written (explicit
// <tbody>, no auto-closed <p>, no nested forms, no <template>/<noscript>).

import { componentRules, baseRules, keyframeRules, moduleRules, cssRules } from './css.mjs';
import { icon, iconSprite, logoSvg } from './svg.mjs';
import {
  BRANDS, CATEGORIES, CITIES, COUNTRIES, PRODUCT_ADJECTIVES, PRODUCT_NOUNS, SWATCHES, Rng,
  countElements, esc, isoDate, jsonForScript, money, shortDate, slug,
} from './util.mjs';

export const BIG_PAGE_MIN_ELEMENTS = 5_000;
export const BIG_PAGE_MAX_ELEMENTS = 250_000;
/** id of the `<style>` whose rules are only inserted through CSSOM (`sheet.insertRule`). */
export const CSSOM_STYLE_ID = 'css-in-js';
/** The colour the CSSOM-inserted price rule gives `.price__now` (as getComputedStyle reports it). */
export const CSSOM_PRICE_COLOR = 'rgb(190, 18, 60)';

/**
 * @param {number} elements
 * @returns {number} rules in the big page's `<style>` elements (a few hundred to a few thousand)
 */
export function bigPageStyleRuleCount(elements) {
  return Math.round(300 + elements * 0.025);
}

/**
 * @param {number} elements
 * @returns {number} rules the big page inserts through CSSOM into `#css-in-js`
 */
export function bigPageCssomRuleCount(elements) {
  return 40 + Math.floor(elements / 2000);
}

/**
 * A CSS-in-JS style sheet the way emotion / styled-components build it in production: an empty
 * `<style>` filled with `insertRule`; one inserted rule is deleted again.
 * @param {Rng} rng
 * @param {number} count rules left in the sheet
 * @returns {{script: string, classes: string[], priceClass: string}}
 */
function cssInJs(rng, count) {
  const priceClass = `css-${rng.hash(7)}-Price`;
  const classes = [];
  const rules = [`.${priceClass}{color:${CSSOM_PRICE_COLOR};letter-spacing:-.01em}`];
  const labels = ['Badge', 'Button', 'Rating', 'Card', 'Swatch', 'Stack', 'Text', 'Box'];
  for (let i = 1; i < count; i++) {
    const cls = `css-${rng.hash(7)}-${rng.pick(labels)}`;
    classes.push(cls);
    if (i % 9 === 0) rules.push(`@media (max-width: 768px){.${cls}{padding:${rng.int(2, 8)}px}}`);
    else if (i % 5 === 0) rules.push(`.${cls}:hover{filter:brightness(${(0.9 + rng.int(0, 2) / 10).toFixed(1)})}`);
    else rules.push(`.${cls}{margin-top:${rng.int(0, 3)}px;border-radius:${rng.int(2, 10)}px}`);
  }
  const script = `(function(){var sheet=document.getElementById(${JSON.stringify(CSSOM_STYLE_ID)}).sheet;`
    + `var rules=${jsonForScript(rules)};sheet.insertRule('.css-global-placeholder{}',0);`
    + 'for(var i=0;i<rules.length;i++)sheet.insertRule(rules[i],sheet.cssRules.length);sheet.deleteRule(0);})();';
  return { script, classes, priceClass };
}

/**
 * @param {{title: string, styles: string[][], cssom?: string, extraHead?: string, bodyAttrs?: string, body: string}} parts
 * @returns {string}
 */
function documentShell(parts) {
  const styles = parts.styles.map((rules, i) => `<style data-bundle="${i}">\n${rules.join('\n')}\n</style>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(parts.title)}</title>
<meta name="description" content="Outdoor clothing, gear and stories from Northwind Outfitters.">
<link rel="icon" href="/img/favicon-64x64.svg" type="image/svg+xml">
${parts.extraHead ?? ''}${styles}
${parts.cssom ?? ''}</head>
<body${parts.bodyAttrs ?? ''}>
${parts.body}
</body></html>
`;
}

/** @param {Rng} rng @returns {string} */
function topbar(rng) {
  return `<div class="topbar"><div class="container"><p class="topbar__msg">${icon('truck', 16)} Free shipping over $75 · 60-day returns</p>`
    + '<ul class="topbar__links"><li><a href="/stores">Find a store</a></li><li><a href="/help">Help</a></li><li><a href="/orders">Track order</a></li><li><a href="/gift-cards">Gift cards</a></li></ul>'
    + `<form class="topbar__locale" action="/locale"><label class="visually-hidden" for="currency">Currency</label><select id="currency" name="currency">${['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY'].map((c, i) => `<option${i === 0 ? ' selected' : ''}>${c}</option>`).join('')}</select></form>`
    + '</div></div>';
}

/** @param {Rng} rng @returns {string} */
function siteHeader(rng) {
  let nav = '<nav class="nav" aria-label="Main"><div class="container"><ul class="nav__list">';
  const tops = ['New', 'Women', 'Men', 'Kids', 'Gear', 'Footwear', 'Sale', 'Stories'];
  for (const top of tops) {
    nav += `<li class="nav__item"><a class="nav__link" href="/c/${slug(top)}" aria-haspopup="true">${top}${icon('chevron', 14)}</a><div class="mega" role="menu">`;
    for (let col = 0; col < 4; col++) {
      nav += `<div class="mega__col"><h4>${esc(rng.pick(CATEGORIES))}</h4><ul>`;
      for (let i = 0; i < 6; i++) {
        const label = `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_NOUNS)}s`;
        nav += `<li><a href="/c/${slug(top)}/${slug(label)}" role="menuitem">${esc(label)}</a></li>`;
      }
      nav += '</ul></div>';
    }
    nav += '</div></li>';
  }
  nav += '</ul></div></nav>';
  const categories = ['All', ...CATEGORIES].map((c) => `<option value="${slug(c)}">${esc(c)}</option>`).join('');
  return `<header class="site-header"><div class="container site-header__row">`
    + `<a class="logo" href="/">${logoSvg()}<span>Northwind Outfitters</span></a>`
    + `<form class="search" role="search" action="/search"><label class="visually-hidden" for="q-cat">Category</label><select id="q-cat" name="cat">${categories}</select>`
    + '<label class="visually-hidden" for="q">Search</label><input id="q" name="q" type="search" placeholder="Search jackets, boots, tents…" autocomplete="off" spellcheck="false">'
    + `<button type="submit" aria-label="Search">${icon('search')}</button></form>`
    + `<div class="header-actions"><a href="/account" aria-label="Account">${icon('user')}</a><a href="/wishlist" aria-label="Wishlist">${icon('heart')}<span class="count">3</span></a><a href="/cart" aria-label="Cart">${icon('cart')}<span class="count">2</span></a></div>`
    + `</div>${nav}</header>`;
}

/** @returns {string} */
function hero() {
  return '<section class="container hero" id="top"><div class="hero__copy"><p class="eyebrow">Autumn 2024</p>'
    + '<h1>Built for the <em>long way</em> round</h1>'
    + '<p class="hero__lead">Recycled shells, merino base layers and packs that carry a week of weather. Repaired for free, forever.</p>'
    + '<div class="hero__cta"><a class="btn btn--primary btn--lg" href="#shop">Shop the collection</a><a class="btn btn--ghost btn--lg" href="#stories">Read the stories</a></div>'
    + `<ul class="hero__perks"><li>${icon('truck', 18)}Free carbon-neutral shipping</li><li>${icon('shield', 18)}Lifetime repairs</li><li>${icon('gift', 18)}Gift wrapping</li></ul></div>`
    + '<div class="hero__media"><picture><source type="image/svg+xml" srcset="/img/hero-autumn-800x600.svg 800w, /img/hero-autumn-1600x1200.svg 1600w" sizes="(min-width: 1024px) 50vw, 100vw">'
    + '<img src="/img/hero-autumn-800x600.svg" width="800" height="600" alt="Two hikers on a ridge at sunrise" fetchpriority="high"></picture></div></section>';
}

/** @param {Rng} rng @returns {string} */
function filters(rng) {
  let out = '<aside class="filters" aria-label="Filters"><form class="filters__form" action="/search" method="get">';
  out += '<fieldset><legend>Category</legend>';
  for (const cat of CATEGORIES) {
    out += `<label class="check"><input type="checkbox" name="cat" value="${slug(cat)}"${rng.chance(0.2) ? ' checked' : ''}><span>${esc(cat)}</span><span class="count">${rng.int(3, 480)}</span></label>`;
  }
  out += '</fieldset><fieldset><legend>Brand</legend>';
  BRANDS.slice(0, 6).forEach((b) => {
    out += `<label class="check"><input type="checkbox" name="brand" value="${slug(b)}"><span>${esc(b)}</span><span class="count">${rng.int(3, 200)}</span></label>`;
  });
  out += '<details class="filters__more"><summary>Show all brands</summary>';
  BRANDS.slice(6).forEach((b) => {
    out += `<label class="check"><input type="checkbox" name="brand" value="${slug(b)}"><span>${esc(b)}</span><span class="count">${rng.int(3, 200)}</span></label>`;
  });
  out += '</details></fieldset><fieldset><legend>Size</legend><div class="size-grid">';
  for (const size of ['XXS', 'XS', 'S', 'M', 'L', 'XL', 'XXL', '3XL']) {
    out += `<label><input type="radio" name="size" value="${size}"${size === 'M' ? ' checked' : ''}><span>${size}</span></label>`;
  }
  out += '</div></fieldset><fieldset><legend>Colour</legend><div class="color-grid">';
  for (const [name, hex] of SWATCHES) {
    out += `<label title="${name}"><input type="checkbox" name="color" value="${slug(name)}"><span style="--swatch:${hex}"></span></label>`;
  }
  out += '</div></fieldset><fieldset class="range"><legend>Price</legend>'
    + '<input type="range" name="price_max" min="0" max="600" step="10" value="350" aria-label="Maximum price">'
    + '<div class="range__values"><input type="number" name="price_min" min="0" max="600" value="20" aria-label="Minimum"><span>–</span><input type="number" name="price_max_n" min="0" max="600" value="350" aria-label="Maximum"></div></fieldset>';
  out += '<fieldset><legend>Rating</legend>';
  for (let stars = 4; stars >= 1; stars--) {
    let row = '';
    for (let i = 0; i < 5; i++) row += icon('star', 14, i < stars ? 'is-on' : '');
    out += `<label class="check"><input type="radio" name="rating" value="${stars}"${stars === 4 ? ' checked' : ''}><span class="rating">${row}</span><span class="count">&amp; up</span></label>`;
  }
  out += '</fieldset><fieldset><legend>Sort by</legend><select class="select" name="sort">';
  for (const [v, label] of [['relevance', 'Relevance'], ['new', 'Newest'], ['price-asc', 'Price: low to high'], ['price-desc', 'Price: high to low'], ['rating', 'Top rated'], ['reviews', 'Most reviewed'], ['sale', 'Biggest discount'], ['az', 'Name A–Z']]) {
    out += `<option value="${v}"${v === 'relevance' ? ' selected' : ''}>${esc(label)}</option>`;
  }
  out += '</select></fieldset><fieldset><legend>Availability</legend>'
    + '<label class="check"><input type="checkbox" name="in_stock" checked><span>In stock online</span></label>'
    + '<label class="check"><input type="checkbox" name="pickup"><span>Pick up today</span></label>'
    + `<select class="select" name="store" aria-label="Store">${CITIES.slice(0, 12).map((c) => `<option>${esc(c)}</option>`).join('')}</select></fieldset>`
    + '<div class="filters__actions"><button class="btn btn--primary btn--sm" type="submit">Apply</button><button class="btn btn--ghost btn--sm" type="reset">Reset</button></div>'
    + '</form></aside>';
  return out;
}

/**
 * @typedef {{html: string, count: number}} Built markup and its element count
 */

/**
 * @param {Rng} rng
 * @param {number} index
 * @param {{classes: string[], priceClass: string}} css
 * @returns {string}
 */
function productCard(rng, index, css) {
  const name = `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_NOUNS)}`;
  const brand = rng.pick(BRANDS);
  const [colorName] = rng.pick(SWATCHES);
  const sku = `NW-${String(10000 + index).padStart(6, '0')}`;
  const href = `/p/${slug(name)}-${index}`;
  const img = `p-${index % 600}`;
  const price = rng.int(19, 420) * 100 - rng.pick([0, 1, 5]);
  const sale = rng.chance(0.3);
  const badge = sale ? `<span class="badge badge--sale ${rng.pick(css.classes)}">−${rng.pick([10, 15, 20, 25, 30, 40])}%</span>`
    : rng.chance(0.2) ? `<span class="badge badge--new ${rng.pick(css.classes)}">New</span>`
      : rng.chance(0.15) ? '<span class="badge badge--eco">Recycled</span>' : '';
  const rating = rng.int(25, 50) / 10;
  let stars = '';
  for (let i = 0; i < 5; i++) stars += icon('star', 15, i < Math.round(rating) ? 'is-on' : '');
  let swatches = '';
  const swatchCount = rng.int(2, 5);
  for (let i = 0; i < swatchCount; i++) {
    const [sName, sHex] = rng.pick(SWATCHES);
    swatches += `<li><button type="button" class="swatch" style="--swatch:${sHex}" aria-label="${sName}"></button></li>`;
  }
  const sizes = ['XS', 'S', 'M', 'L', 'XL'].map((s) => `<option>${s}</option>`).join('');
  const loading = index < 8 ? '' : ' loading="lazy"';
  return `<article class="card group relative flex flex-col" data-sku="${sku}" data-category="${slug(rng.pick(CATEGORIES))}" data-price="${price}" data-position="${index + 1}" itemscope itemtype="https://schema.org/Product">`
    + `<a class="card__media block relative overflow-hidden" href="${href}" tabindex="-1" data-track="select_item" data-item-id="${sku}"><img src="/img/${img}-320x320.svg" srcset="/img/${img}-320x320.svg 320w, /img/${img}-640x640.svg 640w" sizes="(min-width: 1280px) 20vw, (min-width: 768px) 30vw, 50vw" width="320" height="320" alt="${esc(name)} in ${colorName}"${loading} decoding="async">${badge}</a>`
    + `<button class="card__wish" type="button" aria-label="Save ${esc(name)} to wishlist" aria-pressed="${rng.chance(0.1)}">${icon('heart', 18)}</button>`
    + `<div class="card__body flex flex-col gap-1.5 p-3"><p class="card__brand text-slate-500 uppercase tracking-wide" itemprop="brand">${esc(brand)}</p><h3 class="card__title font-semibold leading-tight" itemprop="name"><a href="${href}" data-track="select_item" data-item-id="${sku}">${esc(name)}</a></h3>`
    + `<div class="rating" aria-label="Rated ${rating} out of 5">${stars}<span class="rating__count">(${rng.int(0, 2400)})</span></div>`
    + `<div class="price flex items-baseline gap-2" itemprop="offers" itemscope itemtype="https://schema.org/Offer"><span class="price__now font-bold tabular-nums ${css.priceClass}" itemprop="price" content="${(price / 100).toFixed(2)}">${money(sale ? Math.round(price * 0.8) : price)}</span>${sale ? `<s class="price__was">${money(price)}</s>` : ''}</div>`
    + `<ul class="swatches" aria-label="Colours">${swatches}</ul>`
    + `<div class="card__actions"><select aria-label="Size" name="size-${index}">${sizes}</select><button class="btn btn--primary btn--sm" type="button" data-add="${sku}">${icon('cart', 16)}Add</button></div>`
    + '</div></article>';
}

/**
 * Product sections of up to 24 cards until `budget` elements are used.
 * @param {Rng} rng
 * @param {number} budget
 * @param {{classes: string[], priceClass: string}} css
 * @returns {Built}
 */
function productSections(rng, budget, css) {
  const titles = ['Trending now', 'New arrivals', 'Back in stock', 'Staff picks', 'Rain-ready', 'Under $100', 'Bestsellers', 'Recommended for you'];
  let html = '';
  let count = 0;
  let index = 0;
  for (let s = 0; ; s++) {
    const title = titles[s % titles.length] + (s >= titles.length ? ` · ${Math.floor(s / titles.length) + 1}` : '');
    const head = `<section class="section" id="${s === 0 ? 'shop' : `shop-${s}`}" aria-labelledby="shop-h-${s}"><div class="section__head"><div><h2 id="shop-h-${s}">${esc(title)}</h2><p>${rng.int(40, 900)} products</p></div>`
      + `<div class="toolbar"><button class="icon-btn" type="button" aria-label="Grid view" aria-pressed="true">${icon('grid')}</button><button class="icon-btn" type="button" aria-label="List view" aria-pressed="false">${icon('list')}</button><a class="section__more" href="/c/${slug(title)}">View all</a></div></div><div class="grid">`;
    const tail = '</div></section>';
    const headCount = countElements(head);
    if (count + headCount + 40 > budget) break;
    let cards = '';
    let cardsCount = 0;
    for (let i = 0; i < 24; i++) {
      const card = productCard(rng, index, css);
      const n = countElements(card);
      if (count + headCount + cardsCount + n > budget) break;
      cards += card;
      cardsCount += n;
      index++;
    }
    if (cardsCount === 0) break;
    html += head + cards + tail;
    count += headCount + cardsCount;
  }
  return { html, count };
}

/**
 * @param {Rng} rng
 * @param {number} budget
 * @returns {Built}
 */
function newsSection(rng, budget) {
  const kickers = ['Guides', 'Field notes', 'Repair', 'Community', 'Sustainability', 'Trips'];
  const head = '<section class="section" id="stories"><div class="section__head"><div><h2>Stories from the trail</h2><p>Guides, repairs and people we met along the way.</p></div><a class="section__more" href="/stories">All stories</a></div><div class="stories">';
  let html = head;
  let count = countElements(head);
  for (let i = 0; ; i++) {
    const title = rng.sentence(4, 9).slice(0, -1);
    const d = rng.date(2023);
    const story = `<article class="story"><a class="story__media" href="/stories/${slug(title)}" tabindex="-1"><img src="/img/story-${i % 200}-640x360.svg" width="640" height="360" alt="" loading="lazy" decoding="async"></a>`
      + `<div><span class="kicker">${rng.pick(kickers)}</span><h3><a href="/stories/${slug(title)}">${esc(title)}</a></h3><p>${esc(rng.paragraph(2))}</p>`
      + `<div class="meta"><span>By ${esc(rng.person())}</span><time datetime="${isoDate(d)}">${shortDate(d)}</time><span>${rng.int(3, 14)} min read</span></div></div></article>`;
    const n = countElements(story);
    if (count + n > budget) break;
    html += story;
    count += n;
  }
  return { html: html + '</div></section>', count };
}

/**
 * @param {Rng} rng
 * @param {number} depth
 * @param {number} id
 * @returns {{html: string, next: number}}
 */
function comment(rng, depth, id) {
  const name = rng.person();
  const d = rng.date(2024);
  const paragraphs = rng.int(1, 3);
  let body = '';
  for (let i = 0; i < paragraphs; i++) body += `<p>${esc(rng.paragraph(rng.int(1, 3)))}</p>`;
  const badge = rng.chance(0.25) ? '<span class="badge badge--verified">Verified buyer</span>' : rng.chance(0.05) ? '<span class="badge badge--staff">Northwind staff</span>' : '';
  let next = id + 1;
  let replies = '';
  if (depth < 3) {
    const n = rng.chance(0.45) ? rng.int(1, depth === 0 ? 3 : 2) : 0;
    for (let i = 0; i < n; i++) {
      const reply = comment(rng, depth + 1, next);
      replies += reply.html;
      next = reply.next;
    }
  }
  const html = `<article class="comment" id="c-${id}" data-comment-id="${id}" data-depth="${depth}" itemscope itemtype="https://schema.org/Comment"><img class="avatar" src="/img/avatar-${id % 97}-64x64.svg" width="40" height="40" alt="" loading="lazy" decoding="async"><div class="comment__main">`
    + `<header class="comment__head"><a class="comment__author" href="/u/${slug(name)}">${esc(name)}</a>${badge}<time datetime="${d.toISOString()}">${shortDate(d)}</time></header>`
    + `<div class="comment__body">${body}</div>`
    + `<footer class="comment__actions"><button type="button" class="link-btn" data-reply="${id}">${icon('reply', 16)}Reply</button><button type="button" class="link-btn" aria-pressed="false" aria-label="Helpful">${icon('thumb', 16)}<span>${rng.int(0, 90)}</span></button><button type="button" class="link-btn" aria-label="Report">${icon('flag', 16)}</button></footer>`
    + (replies ? `<div class="replies">${replies}</div>` : '')
    + '</div></article>';
  return { html, next };
}

/**
 * @param {Rng} rng
 * @param {number} budget
 * @returns {Built}
 */
function commentsSection(rng, budget) {
  const head = '<section class="section comments" id="reviews" aria-labelledby="reviews-h"><div class="section__head"><div><h2 id="reviews-h">Reviews &amp; questions</h2><p>What people say about the Trail Shell.</p></div></div>'
    + '<form class="comment-form" action="/reviews" method="post"><label for="review-text">Write a review</label><textarea id="review-text" name="text" placeholder="How did it fit? Where did you take it?"></textarea><div class="toolbar"><select name="stars" aria-label="Stars"><option>5 stars</option><option>4 stars</option><option>3 stars</option><option>2 stars</option><option>1 star</option></select><span class="toolbar__spacer"></span><button class="btn btn--primary btn--sm" type="submit">Post review</button></div></form>'
    + '<div class="comments__list">';
  let html = head;
  let count = countElements(head);
  let id = 1;
  for (;;) {
    const thread = comment(rng, 0, id);
    const n = countElements(thread.html);
    if (count + n > budget) break;
    html += thread.html;
    count += n;
    id = thread.next;
  }
  return { html: html + '</div></section>', count };
}

/** @param {Rng} rng @returns {string} */
function dashboard(rng) {
  const kpis = [['Orders today', 1284], ['Revenue', 9_241_300], ['Conversion', 342], ['Returns', 61]];
  let out = '<section class="section" id="dashboard" aria-labelledby="dash-h"><div class="section__head"><div><h2 id="dash-h">Store dashboard</h2><p>Live figures for the last 24 hours.</p></div>'
    + '<div class="tabs" role="tablist"><button role="tab" type="button" aria-selected="true">24 h</button><button role="tab" type="button" aria-selected="false">7 days</button><button role="tab" type="button" aria-selected="false">30 days</button></div></div><div class="kpis">';
  for (const [label, value] of kpis) {
    const up = rng.chance(0.6);
    let points = '';
    for (let x = 0; x <= 100; x += 10) points += `${x},${rng.int(2, 28)} `;
    const shown = label === 'Revenue' ? money(Number(value)) : label === 'Conversion' ? `${Number(value) / 100}%` : String(value);
    out += `<div class="kpi"><p class="kpi__label">${label}</p><p class="kpi__value">${shown}</p><span class="kpi__delta ${up ? 'is-up' : 'is-down'}">${icon(up ? 'up' : 'down', 14)}${rng.int(1, 30)}.${rng.int(0, 9)}%</span>`
      + `<svg class="spark" viewBox="0 0 100 30" preserveAspectRatio="none" aria-hidden="true"><polyline points="${points.trim()}"/></svg></div>`;
  }
  out += '</div><svg class="chart" viewBox="0 0 480 200" role="img" aria-label="Orders per hour"><g class="bars">';
  for (let h = 0; h < 24; h++) {
    const v = rng.int(20, 170);
    out += `<rect x="${h * 20 + 4}" y="${180 - v}" width="12" height="${v}" rx="2"><title>${h}:00 — ${v} orders</title></rect>`;
  }
  out += '</g><g class="axis">';
  for (let h = 0; h < 24; h += 3) out += `<text x="${h * 20 + 10}" y="195" text-anchor="middle">${String(h).padStart(2, '0')}:00</text>`;
  return out + '</g></svg></section>';
}

const ORDER_STATUSES = ['paid', 'pending', 'shipped', 'refunded', 'failed', 'cancelled'];

/**
 * @param {Rng} rng
 * @param {number} n
 * @returns {string}
 */
function orderRow(rng, n) {
  const name = rng.person();
  const d = rng.date(2024);
  const status = rng.pick(ORDER_STATUSES);
  const [code, country] = rng.pick(COUNTRIES);
  const email = `${slug(name).replace(/-/g, '.')}@example.com`;
  const cell = 'data-table__cell px-3 py-2';
  return `<tr class="data-table__row" data-order-id="NW-${100000 + n}" data-status="${status}"><td class="${cell}"><a href="/orders/NW-${100000 + n}" data-track="open_order">#NW-${100000 + n}</a></td><td class="${cell} truncate">${esc(name)}</td><td class="${cell} text-slate-600">${email}</td>`
    + `<td class="${cell}"><time datetime="${isoDate(d)}">${shortDate(d)}</time></td><td class="${cell}"><span class="status status--${status}">${status.charAt(0).toUpperCase() + status.slice(1)}</span></td>`
    + `<td class="${cell} num">${rng.int(1, 9)}</td><td class="${cell} num">${money(rng.int(1500, 120000))}</td><td class="${cell}" title="${esc(country)}">${code}</td>`
    + `<td class="${cell} text-right"><button class="icon-btn" type="button" aria-label="Actions for order ${100000 + n}" aria-haspopup="menu">${icon('more', 18)}</button></td></tr>`;
}

/**
 * @param {Rng} rng
 * @param {number} n
 * @returns {string}
 */
function inventoryRow(rng, n) {
  const name = `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_NOUNS)}`;
  const stock = rng.int(0, 500);
  return `<tr class="data-table__row" data-sku="SKU-${String(n).padStart(5, '0')}"><td class="font-mono">SKU-${String(n).padStart(5, '0')}</td><td>${esc(name)}</td><td>${esc(rng.pick(CATEGORIES))}</td>`
    + `<td class="num">${stock}</td><td><meter min="0" max="500" low="50" high="400" optimum="250" value="${stock}">${stock}</meter></td>`
    + `<td class="num">${money(rng.int(900, 45000))}</td><td><label class="switch"><input type="checkbox" aria-label="Listed"${stock > 0 ? ' checked' : ''}><span></span></label></td></tr>`;
}

/**
 * A sortable data table section; rows are added while they fit in `budget`.
 * @param {{rng: Rng, budget: number, id: string, title: string, caption: string, columns: string[], numeric: Set<number>, row: (rng: Rng, n: number) => string}} spec
 * @returns {Built}
 */
function tableSection(spec) {
  const ths = spec.columns.map((c, i) => `<th scope="col"${spec.numeric.has(i) ? ' class="num"' : ''} aria-sort="none"><button class="sort" type="button" data-col="${i}">${esc(c)}${icon('sort', 14)}</button></th>`).join('');
  const head = `<section class="section" id="${spec.id}" aria-labelledby="${spec.id}-h"><div class="section__head"><div><h2 id="${spec.id}-h">${esc(spec.title)}</h2></div>`
    + `<div class="toolbar"><label class="visually-hidden" for="${spec.id}-filter">Filter</label><input id="${spec.id}-filter" type="search" placeholder="Filter rows"><button class="btn btn--ghost btn--sm" type="button">Export CSV</button></div></div>`
    + `<div class="table-wrap"><table class="data-table" data-sortable><caption>${esc(spec.caption)}</caption><thead><tr>${ths}</tr></thead><tbody>`;
  const tail = `</tbody></table></div><nav class="pagination" aria-label="${esc(spec.title)} pages"><a href="?page=1" aria-current="page">1</a><a href="?page=2">2</a><a href="?page=3">3</a><span>…</span><a href="?page=42">42</a></nav></section>`;
  let count = countElements(head) + countElements(tail);
  let rows = '';
  for (let n = 1; ; n++) {
    const row = spec.row(spec.rng, n);
    const c = countElements(row);
    if (count + c > spec.budget) break;
    rows += row;
    count += c;
  }
  return { html: head + rows + tail, count };
}

/** @param {Rng} rng @returns {string} */
function checkout(rng) {
  const countries = COUNTRIES.map(([code, name]) => `<option value="${code}"${code === 'US' ? ' selected' : ''}>${esc(name)}</option>`).join('');
  const months = Array.from({ length: 12 }, (_, i) => `<option>${String(i + 1).padStart(2, '0')}</option>`).join('');
  return '<section class="section" id="quick-checkout" aria-labelledby="qc-h"><div class="section__head"><div><h2 id="qc-h">Quick checkout</h2><p>Pay for your saved cart without leaving the page.</p></div></div>'
    + '<form class="checkout drawer" action="/checkout" method="post" autocomplete="on"><div>'
    + '<div class="panel"><h3><span class="step">1</span>Contact</h3><div class="form-grid">'
    + '<div class="field field--half"><label for="co-email">Email</label><input id="co-email" name="email" type="email" autocomplete="email" required placeholder="you@example.com"></div>'
    + '<div class="field field--half"><label for="co-phone">Phone</label><input id="co-phone" name="phone" type="tel" autocomplete="tel" placeholder="+1 555 0100"></div>'
    + '<div class="field"><label for="co-password">Create a password (optional)</label><input id="co-password" name="new-password" type="password" autocomplete="new-password" minlength="8"><span class="field__hint">Save your details for next time.</span></div>'
    + '</div></div><div class="panel"><h3><span class="step">2</span>Shipping address</h3><div class="form-grid">'
    + '<div class="field field--half"><label for="co-given">First name</label><input id="co-given" name="given-name" autocomplete="given-name" required></div>'
    + '<div class="field field--half"><label for="co-family">Last name</label><input id="co-family" name="family-name" autocomplete="family-name" required></div>'
    + '<div class="field"><label for="co-addr1">Address</label><input id="co-addr1" name="address-line1" autocomplete="address-line1" required></div>'
    + '<div class="field"><label for="co-addr2">Apartment, suite (optional)</label><input id="co-addr2" name="address-line2" autocomplete="address-line2"></div>'
    + '<div class="field field--third"><label for="co-city">City</label><input id="co-city" name="city" autocomplete="address-level2" required></div>'
    + '<div class="field field--third"><label for="co-zip">Postal code</label><input id="co-zip" name="postal-code" autocomplete="postal-code" inputmode="numeric" required></div>'
    + `<div class="field field--third"><label for="co-country">Country</label><select id="co-country" name="country" autocomplete="country">${countries}</select></div>`
    + '</div></div></div><div>'
    + '<div class="panel"><h3><span class="step">3</span>Payment</h3><div class="form-grid">'
    + '<div class="field"><label for="co-ccname">Name on card</label><input id="co-ccname" name="cc-name" autocomplete="cc-name" required></div>'
    + `<div class="field field--card"><label for="co-ccnum">Card number</label><input id="co-ccnum" name="cc-number" autocomplete="cc-number" inputmode="numeric" placeholder="1234 1234 1234 1234" required>${icon('card')}</div>`
    + '<div class="field field--third"><label for="co-ccexp">Expiry</label><input id="co-ccexp" name="cc-exp" autocomplete="cc-exp" placeholder="MM / YY" required></div>'
    + `<div class="field field--third"><label for="co-ccmonth">Month</label><select id="co-ccmonth" name="cc-exp-month" autocomplete="cc-exp-month">${months}</select></div>`
    + '<div class="field field--third"><label for="co-cccsc">CVC</label><input id="co-cccsc" name="cc-csc" autocomplete="cc-csc" inputmode="numeric" maxlength="4" required></div>'
    + '</div>'
    + `<p class="secure-note">${icon('lock', 16)}Payments are encrypted and processed securely.</p>`
    + `<button class="btn btn--primary btn--block btn--lg" type="submit">Pay ${money(rng.int(8000, 40000))}</button></div></div></form></section>`;
}

/** @param {Rng} rng @returns {string} */
function newsletterAndFooter(rng) {
  /** @type {[string, string[]][]} */
  const cols = [['Shop', ['Women', 'Men', 'Kids', 'Gear', 'Footwear', 'Sale', 'Gift cards', 'New arrivals']],
    ['Help', ['Order status', 'Shipping', 'Returns', 'Repairs', 'Size guide', 'Contact us', 'Accessibility', 'FAQ']],
    ['Company', ['About', 'Careers', 'Press', 'Sustainability', 'Impact report', 'Affiliates', 'Wholesale', 'Investors']],
    ['Stores', CITIES.slice(0, 8)]];
  let footer = '<div class="container newsletter"><div><h2>Get trail-ready emails</h2><p>New gear, repair guides and member-only sales. No spam.</p></div>'
    + '<form action="/newsletter" method="post"><label class="visually-hidden" for="nl-email">Email</label><input id="nl-email" name="email" type="email" autocomplete="email" placeholder="you@example.com" required>'
    + '<button class="btn btn--secondary" type="submit">Subscribe</button><label class="check"><input type="checkbox" name="consent" required><span>I agree to the privacy policy.</span></label></form></div>'
    + '<footer class="site-footer"><div class="container"><div class="footer-cols"><div>'
    + `<a class="logo" href="/">${logoSvg()}<span>Northwind Outfitters</span></a><p>Outdoor clothing and gear, made to be repaired. Since 1987.</p>`
    + `<div class="social"><a href="/social/instagram" aria-label="Instagram">${icon('globe', 18)}</a><a href="/social/youtube" aria-label="YouTube">${icon('globe', 18)}</a><a href="mailto:hello@northwind.example" aria-label="Email">${icon('mail', 18)}</a><a href="tel:+15550100" aria-label="Phone">${icon('phone', 18)}</a></div></div>`;
  for (const [title, links] of cols) {
    footer += `<div><h4>${title}</h4><ul>${links.map((l) => `<li><a href="/${slug(title)}/${slug(l)}">${esc(l)}</a></li>`).join('')}</ul></div>`;
  }
  footer += '</div><div class="legal"><p>© 2024 Northwind Outfitters, Inc. All rights reserved.</p>'
    + '<div class="payments"><span>VISA</span><span>Mastercard</span><span>AMEX</span><span>PayPal</span><span>Apple Pay</span></div>'
    + `<form action="/region"><label class="visually-hidden" for="region">Region</label><select id="region" name="region">${COUNTRIES.slice(0, 12).map(([c, n]) => `<option value="${c}">${esc(n)}</option>`).join('')}</select></form>`
    + `<p><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a> · <a href="/cookies">Cookie settings</a> · v${rng.int(1, 9)}.${rng.int(0, 40)}</p></div></div></footer>`;
  return footer;
}

/** Click-to-sort for every `table[data-sortable]` (runs only on clicks; adds no elements). */
const SORT_SCRIPT = `(function(){
  document.addEventListener('click', function (event) {
    var target = event.target;
    var button = target instanceof Element ? target.closest('button.sort') : null;
    if (!button) return;
    var th = button.closest('th'); var table = button.closest('table');
    if (!th || !table || !table.tBodies[0]) return;
    var col = Number(button.getAttribute('data-col'));
    var dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    table.querySelectorAll('th[aria-sort]').forEach(function (h) { h.setAttribute('aria-sort', 'none'); });
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var key = function (row) { var t = row.cells[col] ? row.cells[col].textContent || '' : ''; var n = Number(t.replace(/[^0-9.-]/g, '')); return t.trim() !== '' && !isNaN(n) && /\\d/.test(t) && !/[a-z]{2}/i.test(t) ? n : t; };
    rows.sort(function (a, b) { var x = key(a), y = key(b); var r = x < y ? -1 : x > y ? 1 : 0; return dir === 'ascending' ? r : -r; });
    var frag = document.createDocumentFragment(); rows.forEach(function (r) { frag.appendChild(r); }); body.appendChild(frag);
  });
  document.addEventListener('click', function (event) {
    var target = event.target;
    var wish = target instanceof Element ? target.closest('.card__wish') : null;
    if (wish) wish.setAttribute('aria-pressed', String(wish.getAttribute('aria-pressed') !== 'true'));
  });
})();`;

/**
 * A real-looking e-commerce / news / dashboard page with `elements` elements (exactly, as
 * `document.getElementsByTagName('*').length` counts them after load).
 * @param {{elements: number, seed?: number}} options
 * @returns {string} a complete HTML document
 */
export function bigPage({ elements, seed = 1 }) {
  if (!Number.isInteger(elements) || elements < BIG_PAGE_MIN_ELEMENTS || elements > BIG_PAGE_MAX_ELEMENTS) {
    throw new RangeError(`bigPage: elements must be an integer in [${BIG_PAGE_MIN_ELEMENTS}, ${BIG_PAGE_MAX_ELEMENTS}], got ${elements}`);
  }
  const rng = new Rng(seed);
  const styleRules = bigPageStyleRuleCount(elements);
  const inline = [...baseRules(), ...componentRules(), ...keyframeRules()];
  const modules = moduleRules(seed);
  while (inline.length < styleRules) inline.push(modules.next().value);
  const third = Math.ceil(inline.length / 3);
  const styles = [inline.slice(0, third), inline.slice(third, 2 * third), inline.slice(2 * third)];
  const css = cssInJs(rng, bigPageCssomRuleCount(elements));
  const ldJson = jsonForScript({ '@context': 'https://schema.org', '@type': 'Store', name: 'Northwind Outfitters', url: 'https://northwind.example/' });
  const extraHead = '<link rel="stylesheet" href="/css/site.css">\n';
  const cssom = `<style id="${CSSOM_STYLE_ID}" data-emotion="css"></style>\n<script>${css.script}</script>\n<script type="application/ld+json">${ldJson}</script>\n`;

  const fixedTop = `<a class="skip-link" href="#main">Skip to content</a>${iconSprite()}${topbar(rng)}`
    + '<div class="announcement"><strong>Member weekend:</strong> 20% off repairs and rentals until Sunday.</div>'
    + `${siteHeader(rng)}<nav class="container" aria-label="Breadcrumb"><ol class="breadcrumbs"><li><a href="/">Home</a></li><li><a href="/c/gear">Gear</a></li><li aria-current="page">Autumn collection</li></ol></nav>${hero()}`;
  const aside = filters(rng);
  const dash = dashboard(rng);
  const checkoutHtml = `<div class="container">${checkout(rng)}</div>`;
  const footer = newsletterAndFooter(rng);
  const script = `<script>${SORT_SCRIPT}</script>`;
  // html, head, body + what documentShell writes around the body
  const shellCount = countElements(documentShell({ title: '', styles, cssom, extraHead, body: '' }));
  const layoutOpen = '<div class="container layout">';
  const mainOpen = '<main id="main">';
  const fixed = shellCount + countElements(fixedTop + aside + dash + checkoutHtml + footer + script + layoutOpen + mainOpen);
  let budget = elements - fixed;
  if (budget < 1000) throw new RangeError(`bigPage: ${elements} elements leave no room for content (fixed part has ${fixed})`);

  const products = productSections(rng, Math.floor(budget * 0.30), css);
  const news = newsSection(rng, Math.floor(budget * 0.07));
  const comments = commentsSection(rng, Math.floor(budget * 0.18));
  budget -= products.count + news.count + comments.count;
  const orders = tableSection({
    rng, budget: Math.floor(budget * 0.7), id: 'orders', title: 'Recent orders', caption: 'Orders placed in the last 90 days',
    columns: ['Order', 'Customer', 'Email', 'Date', 'Status', 'Items', 'Total', 'Country', ''], numeric: new Set([5, 6]), row: orderRow,
  });
  budget -= orders.count;
  const inventory = tableSection({
    rng, budget: budget - 1, id: 'inventory', title: 'Inventory', caption: 'Stock levels across all warehouses',
    columns: ['SKU', 'Product', 'Category', 'Stock', 'Level', 'Price', 'Listed'], numeric: new Set([3, 5]), row: inventoryRow,
  });
  budget -= inventory.count;
  // the few elements left: popular-search chips (1 wrapper + 1 per chip)
  let chips = '<div class="chips" aria-label="Popular searches">';
  for (let i = 0; i < budget - 1; i++) chips += `<a class="chip" href="/search?q=${i}">${esc(rng.pick(PRODUCT_NOUNS).toLowerCase())}</a>`;
  chips += '</div>';

  const body = fixedTop + layoutOpen + aside + mainOpen + dash + products.html + news.html + orders.html + inventory.html + comments.html
    + chips
    + '</main></div>' + checkoutHtml + footer + script;
  return documentShell({ title: 'Autumn collection — Northwind Outfitters', styles, cssom, extraHead, body });
}

/**
 * One big sortable, zebra-striped table.
 * @param {{rows: number, cols?: number, seed?: number}} options
 * @returns {string}
 */
export function longTable({ rows, cols = 8, seed = 2 }) {
  if (!Number.isInteger(rows) || rows < 1 || rows > 200_000) throw new RangeError(`longTable: rows must be in [1, 200000], got ${rows}`);
  if (!Number.isInteger(cols) || cols < 1 || cols > 64) throw new RangeError(`longTable: cols must be in [1, 64], got ${cols}`);
  const rng = new Rng(seed);
  const kinds = ['id', 'name', 'email', 'city', 'date', 'status', 'amount', 'qty'];
  const columns = Array.from({ length: cols }, (_, i) => kinds[i % kinds.length]);
  const label = { id: 'ID', name: 'Name', email: 'Email', city: 'City', date: 'Date', status: 'Status', amount: 'Amount', qty: 'Qty' };
  const ths = columns.map((k, i) => `<th scope="col" aria-sort="none"${k === 'amount' || k === 'qty' ? ' class="num"' : ''}><button class="sort" type="button" data-col="${i}">${label[/** @type {keyof typeof label} */ (k)]}${i >= kinds.length ? ` ${Math.floor(i / kinds.length) + 1}` : ''}</button></th>`).join('');
  const parts = [];
  for (let r = 1; r <= rows; r++) {
    let tr = '<tr>';
    for (const k of columns) {
      switch (k) {
        case 'id': tr += `<td>${r}</td>`; break;
        case 'name': tr += `<td>${esc(rng.person())}</td>`; break;
        case 'email': tr += `<td>user${rng.int(1000, 99999)}@example.com</td>`; break;
        case 'city': tr += `<td>${esc(rng.pick(CITIES))}</td>`; break;
        case 'date': tr += `<td>${isoDate(rng.date(2023))}</td>`; break;
        case 'status': tr += `<td>${rng.pick(ORDER_STATUSES)}</td>`; break;
        case 'amount': tr += `<td class="num">${money(rng.int(100, 500000))}</td>`; break;
        default: tr += `<td class="num">${rng.int(1, 99)}</td>`;
      }
    }
    parts.push(tr + '</tr>');
  }
  const tableCss = [...baseRules().slice(0, 8), ...componentRules().filter((r) => /data-table|\.sort|table-wrap/.test(r))];
  return documentShell({
    title: `Table — ${rows} rows`, styles: [tableCss],
    body: `<main class="container"><h1>Transactions</h1><p>${rows} rows × ${cols} columns. Click a header to sort.</p>`
      + `<table class="data-table" data-sortable><thead><tr>${ths}</tr></thead><tbody>${parts.join('')}</tbody></table></main><script>${SORT_SCRIPT}</script>`,
  });
}

/**
 * A page whose `<style>` elements hold exactly `rules` top-level CSS rules (the sum of
 * `sheet.cssRules.length`), with markup that uses them.
 * @param {{rules: number, seed?: number}} options
 * @returns {string}
 */
export function heavyCss({ rules, seed = 3 }) {
  if (!Number.isInteger(rules) || rules < 1 || rules > 200_000) throw new RangeError(`heavyCss: rules must be in [1, 200000], got ${rules}`);
  const all = cssRules(rules, seed);
  /** @type {string[][]} */
  const styles = [];
  for (let i = 0; i < all.length; i += 1000) styles.push(all.slice(i, i + 1000));
  const rng = new Rng(seed);
  let cards = '';
  for (let i = 0; i < 60; i++) {
    const name = `${rng.pick(PRODUCT_ADJECTIVES)} ${rng.pick(PRODUCT_NOUNS)}`;
    cards += `<article class="card p-4 rounded-xl shadow-sm"><div class="card__body"><p class="card__brand text-slate-500">${esc(rng.pick(BRANDS))}</p><h3 class="card__title">${esc(name)}</h3>`
      + `<div class="price"><span class="price__now">${money(rng.int(1900, 42000))}</span></div><button class="btn btn--${rng.pick(['primary', 'secondary', 'ghost'])} btn--sm mt-2" type="button">Add to cart</button></div></article>`;
  }
  return documentShell({
    title: `Heavy CSS — ${rules} rules`, styles,
    body: `<header class="site-header"><div class="container site-header__row"><a class="logo" href="/">${logoSvg()}<span>Northwind UI kit</span></a></div></header>`
      + `<main class="container py-8"><h1 class="text-30 font-bold">${rules} CSS rules</h1><p class="text-slate-600 max-w-prose">Utilities, components, media queries, keyframes, nesting and hashed CSS-module classes.</p>`
      + `<div class="grid grid--cols-4 gap-4 md:grid-cols-3">${cards}</div></main>`,
  });
}
