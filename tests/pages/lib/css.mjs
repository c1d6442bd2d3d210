// Realistic style sheets, as arrays of top-level rules (each string parses to exactly one
// CSSRule in Chromium, so a page's rule count is exact): custom properties, @font-face, a reset,
// component rules (grid/flex, :hover, :nth-child, pseudo-elements, nesting, @container,
// @supports, media queries), @keyframes, a utility framework (escaped class names, hover and
// responsive variants) and an endless tail of CSS-modules-style hashed rules.

import { Rng } from './util.mjs';

/** The font every page asks for; the server answers 404 (the page falls back to system fonts). */
export const BRAND_FONT_URL = '/slow-font.woff2';

/** @returns {string[]} custom properties, @font-face, reset and typography */
export function baseRules() {
  return [
    ':root{--c-bg:#ffffff;--c-surface:#f8fafc;--c-fg:#0f172a;--c-muted:#64748b;--c-line:#e2e8f0;--c-primary:#2563eb;--c-primary-600:#1d4ed8;--c-primary-50:#eff6ff;--c-accent:#f59e0b;--c-danger:#dc2626;--c-success:#16a34a;--c-warning:#d97706;--radius:12px;--radius-sm:6px;--shadow-sm:0 1px 2px rgb(15 23 42 / .06);--shadow:0 1px 2px rgb(15 23 42 / .06),0 6px 16px rgb(15 23 42 / .08);--font-sans:"Brand Sans",system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;--font-mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;--space-1:4px;--space-2:8px;--space-3:12px;--space-4:16px;--space-6:24px;--space-8:32px;--header-h:64px}',
    '@media (prefers-color-scheme: dark){:root{--c-bg:#0b1120;--c-surface:#111827;--c-fg:#e5e7eb;--c-muted:#94a3b8;--c-line:#1f2937;--c-primary-50:#172554}}',
    '[data-theme="contrast"]{--c-fg:#000;--c-muted:#1f2937;--c-line:#000;--c-primary:#0000ee}',
    `@font-face{font-family:"Brand Sans";src:url(${BRAND_FONT_URL}) format("woff2");font-weight:400 700;font-style:normal;font-display:swap}`,
    '*,*::before,*::after{box-sizing:border-box}',
    'html{-webkit-text-size-adjust:100%;text-size-adjust:100%;scroll-behavior:smooth;scroll-padding-top:calc(var(--header-h) + 16px)}',
    'body{margin:0;font-family:var(--font-sans);font-size:15px;line-height:1.55;color:var(--c-fg);background:var(--c-bg);-webkit-font-smoothing:antialiased}',
    'img,svg,video,canvas{display:block;max-width:100%}',
    'img{height:auto}',
    'button,input,select,textarea{font:inherit;color:inherit}',
    'button{cursor:pointer}',
    'button:disabled{cursor:not-allowed;opacity:.55}',
    'a{color:var(--c-primary);text-decoration:none}',
    'a:hover{text-decoration:underline;text-underline-offset:3px}',
    'a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible{outline:2px solid var(--c-primary);outline-offset:2px}',
    'h1,h2,h3,h4,h5,h6{margin:0 0 .5em;line-height:1.2;font-weight:700;letter-spacing:-.01em}',
    'h1{font-size:clamp(28px,4vw,48px)}',
    'h2{font-size:clamp(22px,2.6vw,30px)}',
    'h3{font-size:17px}',
    'p{margin:0 0 1em}',
    'ul,ol{margin:0;padding:0;list-style:none}',
    'table{border-collapse:collapse}',
    'fieldset{border:0;margin:0;padding:0;min-width:0}',
    'legend{padding:0;font-weight:600}',
    'hr{border:0;border-top:1px solid var(--c-line);margin:24px 0}',
    '::selection{background:#bfdbfe;color:#0f172a}',
    '.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}',
    '.skip-link{position:absolute;left:8px;top:-40px;z-index:100;padding:8px 12px;background:var(--c-fg);color:var(--c-bg);border-radius:var(--radius-sm)}',
    '.skip-link:focus{top:8px}',
    '.container{width:min(1320px,100% - 32px);margin-inline:auto}',
    '.icon{width:20px;height:20px;flex:none;vertical-align:middle}',
    '@supports (font-variation-settings:normal){body{font-optical-sizing:auto}}',
  ];
}

/** @returns {string[]} component rules of the big page, the demo shop and the table page */
export function componentRules() {
  /** @type {string[]} */
  const rules = [
    // top bar, header, navigation, mega menus
    '.topbar{background:#0f172a;color:#cbd5e1;font-size:13px}',
    '.topbar .container{display:flex;justify-content:space-between;align-items:center;gap:16px;min-height:36px}',
    '.topbar a{color:inherit}',
    '.topbar__msg{display:flex;align-items:center;gap:6px;margin:0}',
    '.topbar__links{display:flex;gap:16px}',
    '.topbar select{background:transparent;border:0;color:inherit}',
    '.site-header{position:sticky;top:0;z-index:40;background:var(--c-bg);border-bottom:1px solid var(--c-line);box-shadow:var(--shadow-sm)}',
    '@supports (backdrop-filter:blur(8px)){.site-header{background:rgb(255 255 255 / .86);backdrop-filter:saturate(180%) blur(8px)}}',
    '.site-header__row{display:flex;align-items:center;gap:24px;height:var(--header-h)}',
    '.logo{display:flex;align-items:center;gap:10px;font-weight:800;font-size:18px;color:var(--c-fg)}',
    '.logo:hover{text-decoration:none}',
    '.search{flex:1;display:flex;max-width:640px;border:1px solid var(--c-line);border-radius:999px;overflow:hidden;background:var(--c-surface)}',
    '.search:focus-within{border-color:var(--c-primary);box-shadow:0 0 0 3px var(--c-primary-50)}',
    '.search select{border:0;background:transparent;padding:0 12px;border-right:1px solid var(--c-line)}',
    '.search input{flex:1;border:0;background:transparent;padding:10px 14px;min-width:0}',
    '.search input:focus{outline:none}',
    '.search button{border:0;background:var(--c-primary);color:#fff;padding:0 18px}',
    '.header-actions{display:flex;align-items:center;gap:8px;margin-left:auto}',
    '.header-actions a{position:relative;display:grid;place-items:center;width:40px;height:40px;border-radius:999px;color:var(--c-fg)}',
    '.header-actions a:hover{background:var(--c-surface)}',
    '.header-actions .count{position:absolute;top:2px;right:0;min-width:18px;height:18px;padding:0 5px;border-radius:9px;background:var(--c-danger);color:#fff;font-size:11px;line-height:18px;text-align:center}',
    '.nav{border-top:1px solid var(--c-line)}',
    '.nav__list{display:flex;gap:4px}',
    '.nav__item{position:relative}',
    '.nav__link{display:flex;align-items:center;gap:4px;padding:12px 14px;color:var(--c-fg);font-weight:600;font-size:14px}',
    '.nav__item:hover>.nav__link,.nav__item:focus-within>.nav__link{color:var(--c-primary);text-decoration:none}',
    '.nav__item:nth-child(n+7) .nav__link{color:var(--c-danger)}',
    '.mega{position:absolute;left:0;top:100%;display:none;grid-template-columns:repeat(4,minmax(160px,1fr));gap:24px;padding:24px;min-width:720px;background:var(--c-bg);border:1px solid var(--c-line);border-radius:0 0 var(--radius) var(--radius);box-shadow:var(--shadow)}',
    '.nav__item:hover>.mega,.nav__item:focus-within>.mega{display:grid;animation:fade-in .15s ease-out}',
    '.nav__item:nth-last-child(-n+3)>.mega{left:auto;right:0}',
    '.mega h4{font-size:12px;text-transform:uppercase;letter-spacing:.08em;color:var(--c-muted)}',
    '.mega li+li{margin-top:6px}',
    '.mega a{color:var(--c-fg);font-size:14px}',
    '.announcement{background:linear-gradient(90deg,#1d4ed8,#0d9488);color:#fff;text-align:center;font-size:14px;padding:8px 16px}',
    '.announcement strong{font-weight:700}',
    // hero
    '.hero{display:grid;grid-template-columns:minmax(0,1.1fr) minmax(0,1fr);gap:48px;align-items:center;padding:56px 0}',
    '.hero__copy .eyebrow{display:inline-block;padding:4px 10px;border-radius:999px;background:var(--c-primary-50);color:var(--c-primary);font-weight:600;font-size:13px}',
    '.hero h1{margin-top:16px}',
    '.hero h1 em{font-style:normal;background:linear-gradient(90deg,#2563eb,#0d9488);-webkit-background-clip:text;background-clip:text;color:transparent}',
    '.hero__lead{font-size:18px;color:var(--c-muted);max-width:56ch}',
    '.hero__cta{display:flex;flex-wrap:wrap;gap:12px;margin:24px 0}',
    '.hero__perks{display:flex;flex-wrap:wrap;gap:20px;color:var(--c-muted);font-size:14px}',
    '.hero__perks li{display:flex;align-items:center;gap:8px}',
    '.hero__media{position:relative;border-radius:24px;overflow:hidden;box-shadow:var(--shadow);aspect-ratio:4/3}',
    '.hero__media img{width:100%;height:100%;object-fit:cover}',
    '.hero__media::after{content:"";position:absolute;inset:0;background:linear-gradient(180deg,transparent 55%,rgb(15 23 42 / .35))}',
    // buttons
    '.btn{display:inline-flex;align-items:center;justify-content:center;gap:8px;padding:10px 18px;border-radius:999px;border:1px solid transparent;font-weight:600;font-size:14px;line-height:1.2;transition:background-color .15s,box-shadow .15s,transform .15s}',
    '.btn:hover{text-decoration:none}',
    '.btn:active{transform:translateY(1px)}',
    '.btn--sm{padding:7px 12px;font-size:13px}',
    '.btn--lg{padding:14px 24px;font-size:16px}',
    '.btn--block{display:flex;width:100%}',
    '.icon-btn{display:inline-grid;place-items:center;width:32px;height:32px;border-radius:8px;border:0;background:transparent;color:var(--c-muted)}',
    '.icon-btn:hover{background:var(--c-surface);color:var(--c-fg)}',
    '.link-btn{display:inline-flex;align-items:center;gap:6px;border:0;background:none;padding:4px 6px;border-radius:6px;color:var(--c-muted);font-size:13px}',
    '.link-btn:hover{color:var(--c-primary);background:var(--c-primary-50)}',
    '.link-btn[aria-pressed="true"]{color:var(--c-primary)}',
    // layout
    '.layout{display:grid;grid-template-columns:280px minmax(0,1fr);gap:32px;align-items:start}',
    '.section{padding:40px 0;border-top:1px solid var(--c-line)}',
    '.section__head{display:flex;align-items:end;justify-content:space-between;gap:16px;margin-bottom:20px}',
    '.section__head p{margin:0;color:var(--c-muted)}',
    '.section__more{font-weight:600;white-space:nowrap}',
    '.breadcrumbs{display:flex;flex-wrap:wrap;gap:6px;font-size:13px;color:var(--c-muted);padding:16px 0}',
    '.breadcrumbs li+li::before{content:"/";margin-right:6px;color:var(--c-line)}',
    // filters sidebar
    '.filters{position:sticky;top:calc(var(--header-h) + 56px);max-height:calc(100vh - var(--header-h) - 72px);overflow:auto;padding-right:8px;scrollbar-width:thin}',
    '.filters fieldset{padding:16px 0;border-bottom:1px solid var(--c-line)}',
    '.filters legend{margin-bottom:8px;font-size:14px}',
    '.check{display:flex;align-items:center;gap:8px;padding:3px 0;font-size:14px;cursor:pointer}',
    '.check input{width:16px;height:16px;accent-color:var(--c-primary)}',
    '.check input:checked+span{font-weight:600}',
    '.check .count{margin-left:auto;color:var(--c-muted);font-size:12px}',
    '.filters__more summary{cursor:pointer;color:var(--c-primary);font-size:14px;padding:4px 0}',
    '.filters__more[open] summary{margin-bottom:4px}',
    '.size-grid{display:grid;grid-template-columns:repeat(4,1fr);gap:6px}',
    '.size-grid label{position:relative}',
    '.size-grid input{position:absolute;opacity:0;inset:0}',
    '.size-grid span{display:grid;place-items:center;height:34px;border:1px solid var(--c-line);border-radius:8px;font-size:13px}',
    '.size-grid input:checked+span{border-color:var(--c-fg);background:var(--c-fg);color:var(--c-bg)}',
    '.size-grid input:focus-visible+span{outline:2px solid var(--c-primary)}',
    '.color-grid{display:flex;flex-wrap:wrap;gap:8px}',
    '.color-grid label{position:relative}',
    '.color-grid input{position:absolute;opacity:0}',
    '.color-grid span{display:block;width:26px;height:26px;border-radius:50%;background:var(--swatch);box-shadow:inset 0 0 0 1px rgb(0 0 0 / .15)}',
    '.color-grid input:checked+span{box-shadow:0 0 0 2px var(--c-bg),0 0 0 4px var(--c-fg)}',
    '.range{display:grid;gap:8px}',
    '.range input[type="range"]{width:100%;accent-color:var(--c-primary)}',
    '.range__values{display:grid;grid-template-columns:1fr auto 1fr;gap:8px;align-items:center}',
    '.range__values input{width:100%;padding:6px 8px;border:1px solid var(--c-line);border-radius:8px}',
    '.select{width:100%;padding:8px 10px;border:1px solid var(--c-line);border-radius:8px;background:var(--c-bg)}',
    '.filters__actions{display:flex;gap:8px;padding:16px 0}',
    // product grid and cards
    '.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(210px,1fr));gap:20px}',
    '.grid--list{grid-template-columns:1fr}',
    '.card{position:relative;display:flex;flex-direction:column;background:var(--c-bg);border:1px solid var(--c-line);border-radius:var(--radius);overflow:hidden;transition:box-shadow .2s,transform .2s;container-type:inline-size}',
    '.card:hover{box-shadow:var(--shadow);transform:translateY(-2px)}',
    '.card:focus-within{box-shadow:0 0 0 2px var(--c-primary)}',
    '.card__media{position:relative;display:block;background:var(--c-surface);aspect-ratio:1}',
    '.card__media img{width:100%;height:100%;object-fit:cover;transition:transform .4s}',
    '.card:hover .card__media img{transform:scale(1.04)}',
    '.card__wish{position:absolute;top:10px;right:10px;display:grid;place-items:center;width:34px;height:34px;border:0;border-radius:50%;background:rgb(255 255 255 / .9);color:var(--c-fg);box-shadow:var(--shadow-sm)}',
    '.card__wish[aria-pressed="true"]{color:var(--c-danger)}',
    '.card__wish[aria-pressed="true"] .icon{fill:currentColor}',
    '.card__body{display:flex;flex-direction:column;gap:6px;padding:14px;flex:1}',
    '.card__brand{margin:0;font-size:12px;text-transform:uppercase;letter-spacing:.06em;color:var(--c-muted)}',
    '.card__title{margin:0;font-size:15px;font-weight:600}',
    '.card__title a{color:var(--c-fg)}',
    '.card__title a::after{content:"";position:absolute;inset:0;z-index:0}',
    '.card__actions{position:relative;z-index:1;display:flex;gap:8px;margin-top:auto;padding-top:8px}',
    '.card__actions select{flex:0 0 64px;padding:6px;border:1px solid var(--c-line);border-radius:8px;background:var(--c-bg)}',
    '@container (max-width: 240px){.card__actions{flex-direction:column}.card__actions select{flex-basis:auto}}',
    '.badge{display:inline-flex;align-items:center;gap:4px;padding:2px 8px;border-radius:999px;font-size:12px;font-weight:600;background:var(--c-surface);color:var(--c-fg)}',
    '.card__media .badge{position:absolute;top:10px;left:10px}',
    '.badge::before{content:"";width:6px;height:6px;border-radius:50%;background:currentColor;opacity:.7}',
    '.rating{display:flex;align-items:center;gap:1px;color:#e2e8f0}',
    '.rating .icon{width:15px;height:15px}',
    '.rating .icon.is-on{color:var(--c-accent);fill:var(--c-accent)}',
    '.rating__count{margin-left:6px;font-size:12px;color:var(--c-muted)}',
    '.price{display:flex;align-items:baseline;gap:8px}',
    '.price__now{font-weight:700;font-size:16px;color:var(--c-fg)}',
    '.price__was{color:var(--c-muted);font-size:13px}',
    '.swatches{display:flex;gap:6px}',
    '.swatch{width:16px;height:16px;padding:0;border-radius:50%;border:1px solid rgb(0 0 0 / .15);background:var(--swatch)}',
    '.swatch:hover{transform:scale(1.15)}',
    '.swatches li:nth-child(n+4){display:none}',
    '.toolbar{display:flex;align-items:center;gap:12px;flex-wrap:wrap;&>.toolbar__spacer{flex:1}& select,& input{padding:7px 10px;border:1px solid var(--c-line);border-radius:8px;background:var(--c-bg)}&:has(input:focus){border-color:var(--c-primary)}}',
    // stories / news
    '.stories{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:24px}',
    '.story{display:grid;grid-template-rows:auto 1fr;gap:12px}',
    '.story__media{display:block;border-radius:var(--radius);overflow:hidden;aspect-ratio:16/9;background:var(--c-surface)}',
    '.story__media img{width:100%;height:100%;object-fit:cover}',
    '.story h3{margin:4px 0}',
    '.story h3 a{color:var(--c-fg)}',
    '.story p{color:var(--c-muted);font-size:14px;margin:0 0 8px;display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}',
    '.kicker{font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.08em;color:var(--c-primary)}',
    '.meta{display:flex;flex-wrap:wrap;gap:6px 12px;font-size:12px;color:var(--c-muted)}',
    '.meta>*+*::before{content:"·";margin-right:12px}',
    // dashboard
    '.kpis{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:16px;margin-bottom:24px}',
    '.kpi{padding:16px;border:1px solid var(--c-line);border-radius:var(--radius);background:linear-gradient(180deg,var(--c-bg),var(--c-surface))}',
    '.kpi__label{margin:0;font-size:13px;color:var(--c-muted)}',
    '.kpi__value{margin:4px 0;font-size:26px;font-weight:800;font-variant-numeric:tabular-nums}',
    '.kpi__delta{display:inline-flex;align-items:center;gap:2px;font-size:12px;font-weight:600}',
    '.kpi__delta.is-up{color:var(--c-success)}',
    '.kpi__delta.is-down{color:var(--c-danger)}',
    '.spark{width:100%;height:36px;margin-top:8px}',
    '.spark polyline{fill:none;stroke:var(--c-primary);stroke-width:2;vector-effect:non-scaling-stroke}',
    '.chart{width:100%;height:220px;border:1px solid var(--c-line);border-radius:var(--radius);padding:12px;background:var(--c-bg)}',
    '.chart rect{fill:var(--c-primary);transition:opacity .15s}',
    '.chart rect:nth-child(odd){fill:#60a5fa}',
    '.chart rect:hover{opacity:.7}',
    '.chart text{font-size:9px;fill:var(--c-muted)}',
    // data tables
    '.table-wrap{overflow:auto;max-height:640px;border:1px solid var(--c-line);border-radius:var(--radius)}',
    '.data-table{width:100%;font-size:13px;font-variant-numeric:tabular-nums}',
    '.data-table caption{caption-side:top;text-align:left;padding:12px 14px;color:var(--c-muted)}',
    '.data-table th,.data-table td{padding:9px 14px;text-align:left;border-bottom:1px solid var(--c-line);white-space:nowrap}',
    '.data-table thead th{position:sticky;top:0;z-index:1;background:var(--c-surface);font-weight:600;color:var(--c-muted)}',
    '.data-table tbody tr:nth-child(even){background:#f8fafc}',
    '.data-table tbody tr:nth-child(odd){background:var(--c-bg)}',
    '.data-table tbody tr:hover{background:var(--c-primary-50)}',
    '.data-table td.num,.data-table th.num{text-align:right}',
    '.data-table tfoot td{font-weight:700;background:var(--c-surface)}',
    '.sort{display:inline-flex;align-items:center;gap:4px;border:0;background:none;padding:0;font-weight:inherit;color:inherit}',
    '.sort .icon{width:14px;height:14px;opacity:.4}',
    'th[aria-sort="ascending"] .sort .icon,th[aria-sort="descending"] .sort .icon{opacity:1;color:var(--c-primary)}',
    'th[aria-sort="descending"] .sort .icon{transform:rotate(180deg)}',
    '.status{display:inline-flex;align-items:center;gap:6px;padding:2px 8px;border-radius:999px;font-size:12px;font-weight:600}',
    '.status::before{content:"";width:6px;height:6px;border-radius:50%;background:currentColor}',
    '.switch{position:relative;display:inline-block;width:34px;height:20px}',
    '.switch input{position:absolute;opacity:0;inset:0;margin:0}',
    '.switch span{position:absolute;inset:0;border-radius:999px;background:#cbd5e1;transition:background .2s}',
    '.switch span::after{content:"";position:absolute;top:2px;left:2px;width:16px;height:16px;border-radius:50%;background:#fff;transition:transform .2s;box-shadow:var(--shadow-sm)}',
    '.switch input:checked+span{background:var(--c-success)}',
    '.switch input:checked+span::after{transform:translateX(14px)}',
    'meter{width:100px;height:8px}',
    '.pagination{display:flex;justify-content:center;gap:4px;padding:16px 0}',
    '.pagination a,.pagination span{display:grid;place-items:center;min-width:34px;height:34px;padding:0 8px;border-radius:8px;border:1px solid var(--c-line);color:var(--c-fg);font-size:14px}',
    '.pagination [aria-current="page"]{background:var(--c-fg);color:var(--c-bg);border-color:var(--c-fg)}',
    // comments
    '.comments{max-width:820px}',
    '.comment{display:grid;grid-template-columns:40px minmax(0,1fr);gap:12px;padding:14px 0}',
    '.comment+.comment{border-top:1px solid var(--c-line)}',
    '.comment:target{animation:flash 2s ease-out}',
    '.avatar{width:40px;height:40px;border-radius:50%;object-fit:cover;background:var(--c-surface)}',
    '.comment__head{display:flex;flex-wrap:wrap;align-items:center;gap:8px;font-size:13px}',
    '.comment__author{font-weight:700;color:var(--c-fg)}',
    '.comment__head time{color:var(--c-muted)}',
    '.comment__body{font-size:14px}',
    '.comment__body p{margin:6px 0}',
    '.comment__actions{display:flex;gap:4px;margin-top:4px}',
    '.replies{margin-top:8px;padding-left:16px;border-left:2px solid var(--c-line)}',
    '.replies .comment{grid-template-columns:32px minmax(0,1fr)}',
    '.replies .avatar{width:32px;height:32px}',
    '.badge--verified{background:#dcfce7;color:#166534}',
    '.badge--staff{background:#dbeafe;color:#1e40af}',
    '.comment-form{display:grid;gap:8px;margin-bottom:24px}',
    '.comment-form textarea{min-height:96px;padding:12px;border:1px solid var(--c-line);border-radius:var(--radius);resize:vertical}',
    // forms, checkout, newsletter
    '.form-grid{display:grid;grid-template-columns:repeat(6,minmax(0,1fr));gap:14px}',
    '.field{display:flex;flex-direction:column;gap:6px;grid-column:span 6}',
    '.field--half{grid-column:span 3}',
    '.field--third{grid-column:span 2}',
    '.field label{font-size:13px;font-weight:600}',
    '.field input,.field select,.field textarea{width:100%;padding:10px 12px;border:1px solid var(--c-line);border-radius:10px;background:var(--c-bg);transition:border-color .15s,box-shadow .15s}',
    '.field input:focus,.field select:focus,.field textarea:focus{outline:none;border-color:var(--c-primary);box-shadow:0 0 0 3px var(--c-primary-50)}',
    '.field input:user-invalid{border-color:var(--c-danger)}',
    '.field input:user-invalid+.field__hint{color:var(--c-danger)}',
    '.field__hint{font-size:12px;color:var(--c-muted)}',
    '.field--card{position:relative}',
    '.field--card .icon{position:absolute;right:12px;bottom:11px;color:var(--c-muted)}',
    '.checkout{display:grid;grid-template-columns:minmax(0,1.4fr) minmax(0,1fr);gap:32px}',
    '.panel{padding:24px;border:1px solid var(--c-line);border-radius:var(--radius);background:var(--c-bg)}',
    '.panel+.panel{margin-top:16px}',
    '.panel h3{display:flex;align-items:center;gap:10px}',
    '.panel h3 .step{display:grid;place-items:center;width:26px;height:26px;border-radius:50%;background:var(--c-fg);color:var(--c-bg);font-size:13px}',
    '.secure-note{display:flex;align-items:center;gap:8px;font-size:13px;color:var(--c-muted)}',
    '.newsletter{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:32px;align-items:center;padding:40px;border-radius:24px;background:linear-gradient(135deg,#1e3a8a,#0f766e);color:#fff}',
    '.newsletter form{display:flex;flex-wrap:wrap;gap:8px}',
    '.newsletter input[type="email"]{flex:1;min-width:200px;padding:12px 16px;border:0;border-radius:999px}',
    '.newsletter .check{color:#e0f2fe;flex-basis:100%}',
    // footer
    '.site-footer{margin-top:48px;padding:48px 0 24px;background:#0f172a;color:#94a3b8;font-size:14px}',
    '.site-footer a{color:#cbd5e1}',
    '.footer-cols{display:grid;grid-template-columns:1.4fr repeat(4,minmax(0,1fr));gap:32px}',
    '.footer-cols h4{color:#fff;font-size:14px}',
    '.footer-cols li+li{margin-top:8px}',
    '.social{display:flex;gap:10px;margin-top:16px}',
    '.social a{display:grid;place-items:center;width:36px;height:36px;border-radius:50%;background:#1e293b}',
    '.social a:hover{background:var(--c-primary)}',
    '.payments{display:flex;flex-wrap:wrap;gap:8px}',
    '.payments span{padding:4px 8px;border:1px solid #334155;border-radius:6px;font-size:12px;font-weight:700;color:#e2e8f0}',
    '.legal{display:flex;flex-wrap:wrap;justify-content:space-between;gap:16px;margin-top:40px;padding-top:24px;border-top:1px solid #1e293b}',
    '.chips{display:flex;flex-wrap:wrap;gap:8px}',
    '.chip{display:inline-block;padding:4px 10px;border-radius:999px;border:1px solid var(--c-line);font-size:13px;color:var(--c-fg)}',
    '.chip:hover{border-color:var(--c-primary);color:var(--c-primary);text-decoration:none}',
    '.skeleton{background:linear-gradient(90deg,#f1f5f9 25%,#e2e8f0 37%,#f1f5f9 63%);background-size:400% 100%;animation:shimmer 1.4s ease infinite}',
    '.toast{position:fixed;right:16px;bottom:16px;padding:12px 16px;border-radius:12px;background:#0f172a;color:#fff;box-shadow:var(--shadow);animation:slide-up .25s ease-out}',
    '.drawer{border:1px dashed var(--c-line);border-radius:var(--radius);padding:24px}',
    '.tabs{display:flex;gap:4px;border-bottom:1px solid var(--c-line)}',
    '.tabs [role="tab"]{padding:10px 14px;border:0;background:none;border-bottom:2px solid transparent;font-weight:600;color:var(--c-muted)}',
    '.tabs [role="tab"][aria-selected="true"]{color:var(--c-fg);border-bottom-color:var(--c-primary)}',
    // responsive
    '@media (max-width: 1200px){.footer-cols{grid-template-columns:repeat(3,minmax(0,1fr))}.kpis{grid-template-columns:repeat(2,minmax(0,1fr))}}',
    '@media (max-width: 1024px){.layout{grid-template-columns:1fr}.filters{position:static;max-height:none}.hero{grid-template-columns:1fr}.checkout{grid-template-columns:1fr}.newsletter{grid-template-columns:1fr}}',
    '@media (max-width: 768px){.nav{display:none}.search select{display:none}.grid{grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}.field--half,.field--third{grid-column:span 6}.topbar__links{display:none}}',
    '@media (max-width: 480px){.header-actions a:not(:last-child){display:none}.hero{padding:32px 0}.footer-cols{grid-template-columns:1fr 1fr}}',
    '@media (hover: none){.card:hover{transform:none}.card:hover .card__media img{transform:none}}',
    '@media (prefers-reduced-motion: reduce){*,*::before,*::after{animation-duration:.01ms!important;transition-duration:.01ms!important;scroll-behavior:auto!important}}',
    '@media print{.site-header,.filters,.site-footer,.newsletter{display:none}.grid{grid-template-columns:repeat(3,1fr)}}',
    '@page{margin:1.5cm}',
  ];
  // variants, the way a design system spells them out
  const tones = /** @type {const} */ ([
    ['paid', '#dcfce7', '#166534'], ['pending', '#fef9c3', '#854d0e'], ['refunded', '#e0e7ff', '#3730a3'],
    ['failed', '#fee2e2', '#991b1b'], ['shipped', '#dbeafe', '#1e40af'], ['cancelled', '#f1f5f9', '#475569'],
    ['new', '#dbeafe', '#1d4ed8'], ['sale', '#fee2e2', '#b91c1c'], ['eco', '#dcfce7', '#15803d'],
  ]);
  for (const [tone, bg, fg] of tones) {
    rules.push(`.status--${tone}{background:${bg};color:${fg}}`);
    rules.push(`.badge--${tone}{background:${bg};color:${fg}}`);
  }
  const buttons = /** @type {const} */ ([
    ['primary', 'var(--c-primary)', '#fff', 'var(--c-primary-600)'],
    ['secondary', 'var(--c-fg)', 'var(--c-bg)', '#334155'],
    ['ghost', 'transparent', 'var(--c-fg)', 'var(--c-surface)'],
    ['danger', 'var(--c-danger)', '#fff', '#b91c1c'],
    ['success', 'var(--c-success)', '#fff', '#15803d'],
  ]);
  for (const [name, bg, fg, hover] of buttons) {
    rules.push(`.btn--${name}{background:${bg};color:${fg};border-color:${name === 'ghost' ? 'var(--c-line)' : bg}}`);
    rules.push(`.btn--${name}:hover{background:${hover}}`);
    rules.push(`.btn--${name}:focus-visible{box-shadow:0 0 0 3px var(--c-primary-50)}`);
    rules.push(`.btn--${name}[aria-busy="true"]::after{content:"";width:14px;height:14px;border-radius:50%;border:2px solid currentColor;border-right-color:transparent;animation:spin .7s linear infinite}`);
  }
  for (let cols = 2; cols <= 6; cols++) {
    rules.push(`.grid--cols-${cols}{grid-template-columns:repeat(${cols},minmax(0,1fr))}`);
  }
  for (let i = 1; i <= 12; i++) {
    rules.push(`.nav__item:nth-child(${i}) .mega{--mega-accent:hsl(${(i * 29) % 360} 70% 45%)}`);
  }
  return rules;
}

/** @returns {string[]} @keyframes used by the components */
export function keyframeRules() {
  return [
    '@keyframes spin{to{transform:rotate(360deg)}}',
    '@keyframes fade-in{from{opacity:0}to{opacity:1}}',
    '@keyframes slide-up{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}',
    '@keyframes shimmer{0%{background-position:100% 50%}100%{background-position:0 50%}}',
    '@keyframes flash{0%{background:#fef9c3}100%{background:transparent}}',
    '@keyframes pulse{0%,100%{opacity:1}50%{opacity:.5}}',
    '@keyframes ticker{from{transform:translateX(0)}to{transform:translateX(-50%)}}',
    '@keyframes bounce{0%,100%{transform:translateY(0)}50%{transform:translateY(-4px)}}',
  ];
}

const SPACING = /** @type {const} */ ([
  ['0', '0'], ['px', '1px'], ['0\\.5', '.125rem'], ['1', '.25rem'], ['1\\.5', '.375rem'], ['2', '.5rem'],
  ['2\\.5', '.625rem'], ['3', '.75rem'], ['4', '1rem'], ['5', '1.25rem'], ['6', '1.5rem'], ['8', '2rem'],
  ['10', '2.5rem'], ['12', '3rem'], ['16', '4rem'], ['20', '5rem'], ['24', '6rem'],
]);
const SPACING_PROPS = /** @type {const} */ ([
  ['p', ['padding']], ['px', ['padding-left', 'padding-right']], ['py', ['padding-top', 'padding-bottom']],
  ['pt', ['padding-top']], ['pr', ['padding-right']], ['pb', ['padding-bottom']], ['pl', ['padding-left']],
  ['m', ['margin']], ['mx', ['margin-left', 'margin-right']], ['my', ['margin-top', 'margin-bottom']],
  ['mt', ['margin-top']], ['mr', ['margin-right']], ['mb', ['margin-bottom']], ['ml', ['margin-left']],
  ['gap', ['gap']],
]);
const PALETTE = /** @type {const} */ ([
  ['slate', 215, 20], ['gray', 220, 9], ['red', 0, 84], ['orange', 25, 95], ['amber', 38, 92],
  ['yellow', 48, 96], ['lime', 84, 81], ['green', 142, 71], ['emerald', 160, 84], ['teal', 173, 80],
  ['cyan', 189, 94], ['sky', 199, 89], ['blue', 217, 91], ['indigo', 239, 84], ['violet', 258, 90],
  ['purple', 271, 91], ['fuchsia', 292, 84], ['pink', 330, 81], ['rose', 350, 89],
]);
const SHADES = /** @type {const} */ ([[50, 97], [100, 94], [200, 86], [300, 75], [400, 62], [500, 52], [600, 44], [700, 36], [800, 28], [900, 20]]);
const BREAKPOINTS = /** @type {const} */ ([['sm', 640], ['md', 768], ['lg', 1024], ['xl', 1280]]);

/** @returns {string[]} a utility framework: spacing, colours, hover and responsive variants, layout helpers */
export function utilityRules() {
  /** @type {string[]} */
  const rules = [];
  for (const [prefix, props] of SPACING_PROPS) {
    for (const [step, value] of SPACING) {
      rules.push(`.${prefix}-${step}{${props.map((p) => `${p}:${value}`).join(';')}}`);
    }
  }
  for (const [name, hue, sat] of PALETTE) {
    for (const [shade, light] of SHADES) {
      const color = `hsl(${hue} ${sat}% ${light}%)`;
      rules.push(`.text-${name}-${shade}{color:${color}}`);
      rules.push(`.bg-${name}-${shade}{background-color:${color}}`);
      rules.push(`.border-${name}-${shade}{border-color:${color}}`);
      if (shade >= 400 && shade <= 700) rules.push(`.hover\\:bg-${name}-${shade}:hover{background-color:${color}}`);
    }
  }
  const fixed = [
    '.flex{display:flex}', '.inline-flex{display:inline-flex}', '.grid{display:grid}', '.block{display:block}',
    '.inline-block{display:inline-block}', '.hidden{display:none}', '.contents{display:contents}',
    '.flex-col{flex-direction:column}', '.flex-row{flex-direction:row}', '.flex-wrap{flex-wrap:wrap}',
    '.flex-1{flex:1 1 0%}', '.flex-none{flex:none}', '.grow{flex-grow:1}', '.shrink-0{flex-shrink:0}',
    '.items-start{align-items:flex-start}', '.items-center{align-items:center}', '.items-end{align-items:flex-end}',
    '.items-baseline{align-items:baseline}', '.justify-start{justify-content:flex-start}',
    '.justify-center{justify-content:center}', '.justify-between{justify-content:space-between}',
    '.justify-end{justify-content:flex-end}', '.place-items-center{place-items:center}',
    '.relative{position:relative}', '.absolute{position:absolute}', '.fixed{position:fixed}', '.sticky{position:sticky}',
    '.inset-0{inset:0}', '.top-0{top:0}', '.right-0{right:0}', '.bottom-0{bottom:0}', '.left-0{left:0}',
    '.z-10{z-index:10}', '.z-20{z-index:20}', '.z-50{z-index:50}',
    '.w-full{width:100%}', '.w-1\\/2{width:50%}', '.w-1\\/3{width:33.333333%}', '.w-2\\/3{width:66.666667%}',
    '.w-1\\/4{width:25%}', '.w-3\\/4{width:75%}', '.h-full{height:100%}', '.min-h-screen{min-height:100vh}',
    '.max-w-prose{max-width:65ch}', '.max-w-screen-xl{max-width:1280px}', '.mx-auto{margin-left:auto;margin-right:auto}',
    '.overflow-hidden{overflow:hidden}', '.overflow-auto{overflow:auto}', '.overflow-x-auto{overflow-x:auto}',
    '.truncate{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}', '.whitespace-nowrap{white-space:nowrap}',
    '.break-words{overflow-wrap:break-word}', '.text-left{text-align:left}', '.text-center{text-align:center}',
    '.text-right{text-align:right}', '.uppercase{text-transform:uppercase}', '.capitalize{text-transform:capitalize}',
    '.italic{font-style:italic}', '.underline{text-decoration-line:underline}', '.line-through{text-decoration-line:line-through}',
    '.font-normal{font-weight:400}', '.font-medium{font-weight:500}', '.font-semibold{font-weight:600}',
    '.font-bold{font-weight:700}', '.font-extrabold{font-weight:800}', '.font-mono{font-family:var(--font-mono)}',
    '.tabular-nums{font-variant-numeric:tabular-nums}', '.leading-tight{line-height:1.25}', '.leading-relaxed{line-height:1.625}',
    '.tracking-wide{letter-spacing:.025em}', '.tracking-wider{letter-spacing:.05em}',
    '.rounded{border-radius:.25rem}', '.rounded-md{border-radius:.375rem}', '.rounded-lg{border-radius:.5rem}',
    '.rounded-xl{border-radius:.75rem}', '.rounded-2xl{border-radius:1rem}', '.rounded-full{border-radius:9999px}',
    '.border{border-width:1px;border-style:solid}', '.border-0{border-width:0}', '.border-t{border-top-width:1px;border-top-style:solid}',
    '.border-b{border-bottom-width:1px;border-bottom-style:solid}', '.shadow-sm{box-shadow:var(--shadow-sm)}',
    '.shadow{box-shadow:var(--shadow)}', '.shadow-none{box-shadow:none}', '.opacity-0{opacity:0}', '.opacity-50{opacity:.5}',
    '.opacity-75{opacity:.75}', '.cursor-pointer{cursor:pointer}', '.select-none{user-select:none}',
    '.pointer-events-none{pointer-events:none}', '.transition{transition-property:color,background-color,border-color,opacity,box-shadow,transform;transition-duration:.15s}',
    '.duration-300{transition-duration:.3s}', '.ease-out{transition-timing-function:cubic-bezier(0,0,.2,1)}',
    '.animate-spin{animation:spin 1s linear infinite}', '.animate-pulse{animation:pulse 2s cubic-bezier(.4,0,.6,1) infinite}',
    '.aspect-square{aspect-ratio:1/1}', '.aspect-video{aspect-ratio:16/9}', '.object-cover{object-fit:cover}',
    '.object-contain{object-fit:contain}', '.sr-only{position:absolute;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border-width:0}',
    '.space-y-2>:not([hidden])~:not([hidden]){margin-top:.5rem}', '.space-y-4>:not([hidden])~:not([hidden]){margin-top:1rem}',
    '.space-x-2>:not([hidden])~:not([hidden]){margin-left:.5rem}', '.divide-y>:not([hidden])~:not([hidden]){border-top:1px solid var(--c-line)}',
    '.group:hover .group-hover\\:underline{text-decoration-line:underline}', '.peer:checked~.peer-checked\\:font-bold{font-weight:700}',
    '.focus\\:ring:focus{box-shadow:0 0 0 3px var(--c-primary-50)}', '.disabled\\:opacity-50:disabled{opacity:.5}',
    '.first\\:pt-0:first-child{padding-top:0}', '.last\\:pb-0:last-child{padding-bottom:0}', '.odd\\:bg-white:nth-child(odd){background:#fff}',
    '.even\\:bg-slate-50:nth-child(even){background:hsl(215 20% 97%)}', '.before\\:content-none::before{content:none}',
  ];
  rules.push(...fixed);
  for (const size of [12, 13, 14, 15, 16, 18, 20, 24, 30, 36, 48, 60]) rules.push(`.text-${size}{font-size:${size}px}`);
  for (let cols = 1; cols <= 12; cols++) {
    rules.push(`.grid-cols-${cols}{grid-template-columns:repeat(${cols},minmax(0,1fr))}`);
    rules.push(`.col-span-${cols}{grid-column:span ${cols}/span ${cols}}`);
  }
  for (const [bp, px] of BREAKPOINTS) {
    // one @media per utility, the way an atomic-CSS build with source order preserved emits them
    for (const cols of [1, 2, 3, 4, 6]) rules.push(`@media (min-width: ${px}px){.${bp}\\:grid-cols-${cols}{grid-template-columns:repeat(${cols},minmax(0,1fr))}}`);
    for (const d of ['flex', 'grid', 'block', 'hidden']) rules.push(`@media (min-width: ${px}px){.${bp}\\:${d}{display:${d === 'hidden' ? 'none' : d}}}`);
    for (const [step, value] of SPACING.slice(6, 14)) rules.push(`@media (min-width: ${px}px){.${bp}\\:p-${step}{padding:${value}}}`);
    rules.push(`@media (min-width: ${px}px){.${bp}\\:text-left{text-align:left}.${bp}\\:flex-row{flex-direction:row}.${bp}\\:w-1\\/2{width:50%}}`);
  }
  return rules;
}

const MODULE_NAMES = [
  'ProductTile', 'PriceTag', 'ReviewStars', 'MiniCart', 'SizeGuide', 'StoreLocator', 'PromoBanner',
  'FilterChip', 'Breadcrumbs', 'QuickView', 'Carousel', 'Accordion', 'Drawer', 'Modal', 'Tooltip',
  'Toast', 'Avatar', 'CommentThread', 'ArticleCard', 'NewsTicker', 'StatCard', 'Sparkline', 'DataGrid',
  'Pagination', 'CheckoutStep', 'AddressForm', 'PaymentForm', 'OrderSummary', 'Footer', 'MegaMenu',
];
const MODULE_PARTS = ['root', 'inner', 'title', 'subtitle', 'body', 'media', 'icon', 'label', 'value', 'meta', 'actions', 'button', 'list', 'item', 'link', 'header', 'footer', 'overlay'];
const MODULE_DECLS = [
  () => 'display:flex', () => 'display:grid', () => 'display:inline-flex', () => 'flex-direction:column',
  () => 'align-items:center', () => 'justify-content:space-between', () => 'position:relative',
  () => 'overflow:hidden', () => 'text-overflow:ellipsis', () => 'white-space:nowrap', () => 'cursor:pointer',
  /** @param {Rng} r */ (r) => `gap:${r.int(1, 6) * 4}px`,
  /** @param {Rng} r */ (r) => `padding:${r.int(0, 6) * 4}px ${r.int(0, 8) * 4}px`,
  /** @param {Rng} r */ (r) => `margin-top:${r.int(0, 6) * 4}px`,
  /** @param {Rng} r */ (r) => `font-size:${r.int(11, 22)}px`,
  /** @param {Rng} r */ (r) => `line-height:${(1.1 + r.int(0, 6) / 10).toFixed(1)}`,
  /** @param {Rng} r */ (r) => `font-weight:${r.pick([400, 500, 600, 700])}`,
  /** @param {Rng} r */ (r) => `color:hsl(${r.int(0, 359)} ${r.int(10, 80)}% ${r.int(15, 45)}%)`,
  /** @param {Rng} r */ (r) => `background:hsl(${r.int(0, 359)} ${r.int(10, 80)}% ${r.int(90, 99)}%)`,
  /** @param {Rng} r */ (r) => `border-radius:${r.int(0, 8) * 2}px`,
  /** @param {Rng} r */ (r) => `border:1px solid hsl(${r.int(200, 230)} 20% ${r.int(80, 92)}%)`,
  /** @param {Rng} r */ (r) => `box-shadow:0 ${r.int(1, 4)}px ${r.int(2, 16)}px rgb(15 23 42 / .${r.int(4, 16)})`,
  /** @param {Rng} r */ (r) => `width:${r.int(1, 40) * 8}px`,
  /** @param {Rng} r */ (r) => `min-height:${r.int(1, 20) * 8}px`,
  /** @param {Rng} r */ (r) => `transition:${r.pick(['opacity', 'transform', 'color', 'background-color'])} .${r.int(1, 4)}s ease`,
  /** @param {Rng} r */ (r) => `grid-template-columns:repeat(${r.int(2, 5)},minmax(0,1fr))`,
  /** @param {Rng} r */ (r) => `z-index:${r.int(1, 30)}`,
  /** @param {Rng} r */ (r) => `opacity:.${r.int(3, 9)}`,
  /** @param {Rng} r */ (r) => `transform:translateY(${r.int(-8, 8)}px)`,
];

/** @param {Rng} rng @param {number} n @returns {string} */
function declarations(rng, n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(rng.pick(MODULE_DECLS)(rng));
  return out.join(';');
}

/**
 * Endless CSS-modules-style rules (`.ProductTile_title__k3j9a{…}`), with :hover, pseudo-elements,
 * :nth-child and media-query rules mixed in.
 * @param {number} seed
 * @returns {Generator<string, never, void>}
 */
export function* moduleRules(seed) {
  const rng = new Rng(seed);
  for (let i = 0; ; i++) {
    const cls = `${rng.pick(MODULE_NAMES)}_${rng.pick(MODULE_PARTS)}__${rng.hash(5)}`;
    const kind = i % 40;
    if (kind === 7) yield `.${cls}:hover{${declarations(rng, 2)}}`;
    else if (kind === 13) yield `.${cls}::before{content:"${rng.pick(['', '•', '→', '★', '✓'])}";${declarations(rng, 2)}}`;
    else if (kind === 19) yield `.${cls}:nth-child(${rng.pick(['2n+1', 'even', '3n', 'n+4', '-n+3'])}){${declarations(rng, 1)}}`;
    else if (kind === 23) yield `@media (max-width: ${rng.pick([480, 640, 768, 1024])}px){.${cls}{${declarations(rng, 2)}}.${cls}>*{${declarations(rng, 1)}}}`;
    else if (kind === 29) yield `.${cls}:focus-visible{outline:2px solid hsl(${rng.int(200, 230)} 90% 50%);outline-offset:2px}`;
    else if (kind === 31) yield `.${cls}[aria-expanded="true"]{${declarations(rng, 2)}}`;
    else if (kind === 37) yield `.${cls}:not(:last-child)::after{content:"";${declarations(rng, 2)}}`;
    else yield `.${cls}{${declarations(rng, rng.int(2, 6))}}`;
  }
}

/**
 * The first `count` rules of: base, components, keyframes, utilities, then CSS-modules rules.
 * @param {number} count
 * @param {number} [seed]
 * @returns {string[]}
 */
export function cssRules(count, seed = 1) {
  const fixed = [...baseRules(), ...componentRules(), ...keyframeRules(), ...utilityRules()];
  if (count <= fixed.length) return fixed.slice(0, count);
  const out = fixed;
  const tail = moduleRules(seed);
  while (out.length < count) out.push(tail.next().value);
  return out;
}

/** @returns {string} /css/site.css: the reset and the utility framework (a "vendor" style sheet) */
export function siteCss() {
  return `/* Northwind UI kit — utilities. Served as /css/site.css. */\n${[...baseRules().slice(4, 12), ...utilityRules()].join('\n')}\n`;
}
