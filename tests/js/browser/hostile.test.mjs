/// <reference path="./globals.d.ts" />
// Hostile content in a real Chromium: what a hostile customer PAGE contains is never recorded, and
// what a hostile customer EXTENSION or host could send instead (hand-crafted records and ops) never
// executes or loads anything in the agent's mirror; malformed input desyncs, never throws.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { assertMirror, openHarness } from './harness.mjs';

/** @type {import('./harness.mjs').Harness} */
let h;

before(async () => {
  h = await openHarness();
});
after(async () => {
  await h?.close();
});

const snap = (/** @type {number} */ e, /** @type {Record<string, unknown>} */ extra = {}) => ({
  k: 'snap',
  e,
  url: 'https://shop.example/',
  title: 't',
  base: 'https://shop.example/',
  doctype: { name: 'html', publicId: '', systemId: '' },
  vw: 800,
  vh: 600,
  sx: 0,
  sy: 0,
  total: 3,
  ...extra,
});
/** A valid three-record snapshot: html > head, body. */
const basic = (/** @type {number} */ e) => [
  snap(e),
  { k: 'part', e, first: 1, n: [[0, 'html'], [1, 'head'], [1, 'body']] },
  { k: 'snapend', e, count: 3 },
];

/** Waits until no canary request has arrived for a while after the mirror's own sentinel loaded. */
async function quietCanary() {
  await h.page.evaluate(async () => {
    const img = /** @type {HTMLImageElement | null | undefined} */ (cotabTest.fedDoc()?.getElementById('sentinel'));
    if (img && !img.complete) await new Promise((resolve) => img.addEventListener('load', resolve, { once: true }));
    // anything the mirror would have started (meta refresh, frames, preloads) is issued by now
    await new Promise((resolve) => setTimeout(resolve, 300));
  });
}

test('hostile page: scripts, handlers, javascript: URLs, srcdoc, svg script/onload, meta refresh and base are never recorded', async () => {
  // threat: the customer's page (e.g. with stored XSS) tries to run script in the agent's viewer
  const C = h.canaryOrigin;
  const page = `<!DOCTYPE html><html><head>
  <meta http-equiv="refresh" content="600;url=${C}/refresh">
  <meta http-equiv="Content-Security-Policy" content="img-src 'none'">
  <base href="${C}/base/">
  <script>window.customerRan = 1;</script>
  <script src="${C}/script.js" nonce="abc" integrity="sha384-x"></script>
  <link rel="modulepreload" href="${C}/mod.js">
  </head><body onload="window.x=1">
  <a id="js" href="javascript:alert(1)">js link</a>
  <a id="js2" href="  JaVa&#x09;ScRiPt:alert(2)">spaced</a>
  <a href="vbscript:msgbox(1)">vb</a>
  <a href="data:text/html,<script>alert(3)</script>">data</a>
  <img src="x.png" onerror="alert(4)" onload="alert(5)">
  <iframe srcdoc="<script>alert(6)</script>" src="${C}/frame"></iframe>
  <object data="${C}/object"></object><embed src="${C}/embed">
  <svg onload="alert(7)"><script>alert(8)</script><a href="javascript:alert(9)"><text>t</text></a><animate attributeName="href" to="javascript:alert(10)"/></svg>
  <form action="javascript:alert(11)"><button formaction="javascript:alert(12)">b</button></form>
  <div style="background: url(javascript:alert(13))">styled</div>
  <noscript><img src="${C}/noscript.png"></noscript>
  </body></html>`;
  const path = h.addPage('hostile.html', page);
  await h.page.evaluate((p) => cotabTest.open({ path: p }), path);
  await h.page.evaluate(() => cotabTest.start());
  // and the same things added later by the page's script
  await h.page.evaluate(() => {
    const doc = cotabTest.customerDoc();
    const s = doc.createElement('script');
    s.textContent = 'window.late = 1';
    doc.body.append(s);
    doc.getElementById('js2')?.setAttribute('onclick', 'alert(14)');
    doc.querySelector('img')?.setAttribute('src', 'javascript:alert(15)');
    const f = doc.createElement('iframe');
    f.srcdoc = '<script>alert(16)</script>';
    doc.body.append(f);
    const m = doc.createElement('meta');
    m.httpEquiv = 'refresh';
    doc.head.append(m);
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.append(doc.createElementNS('http://www.w3.org/2000/svg', 'script'));
    svg.setAttribute('onload', 'alert(17)');
    doc.body.append(svg);
    doc.head.append(Object.assign(doc.createElement('base'), { href: 'https://evil.example/' }));
  });
  await h.page.evaluate(() => cotabTest.sync());
  const wire = await h.page.evaluate(() => cotabTest.wireText());
  for (const bad of ['"script"', 'svg:script', 'alert(', 'javascript', 'vbscript', 'data:text/html', 'srcdoc', 'http-equiv', 'nonce', 'integrity', '"onload"', '"onerror"', '"onclick"', 'modulepreload', '/frame', '/object', '/embed', 'noscript', 'evil.example']) {
    assert.ok(!wire.toLowerCase().includes(bad.toLowerCase()), `${bad} is in the wire`);
  }
  // (the page's <base> still decides how its URLs resolve: snap.base and absolute URLs say so)
  assert.doesNotMatch(wire, /,"base"[,\]]/, 'a <base> record is in the wire');
  await assertMirror(h, 'hostile page');
  assert.equal(await h.page.evaluate(() => /** @type {any} */ (window).__cotabPwned), undefined);
});

test('hostile stream: hand-crafted records and ops run no script and load nothing in the mirror', async () => {
  // threat: a modified customer extension or host sends script, handlers or loaders to the viewer
  const C = h.canaryOrigin;
  const pwn = (/** @type {string} */ what) => `parent.__cotabPwned=${JSON.stringify(what)};top.__cotabPwned=${JSON.stringify(what)}`;
  /** @type {unknown[][]} */
  const records = [
    [0, 'html', { onload: pwn('html onload') }],
    [1, 'head'],
    [2, 'script', { src: `${C}/s1.js` }],
    [3, '#t', pwn('inline script')],
    [2, 'meta', { 'HTTP-EQUIV': 'refresh', content: `0;url=${C}/refresh` }],
    [2, 'base', { href: `${C}/base/` }],
    [2, 'link', { rel: 'prefetch', href: `${C}/prefetch` }],
    [2, 'link', { rel: 'stylesheet preload', href: `${C}/preload.css` }],
    [2, 'link', { rel: 'modulepreload', href: `${C}/mod.js` }],
    [1, 'body', { onload: pwn('body onload'), onpageshow: pwn('pageshow') }],
    [10, 'img', { src: 'broken.png', onerror: pwn('onerror') }],
    [10, 'a', { href: `javascript:${pwn('js href')}`, id: 'jsa', style: 'display:block;width:200px;height:40px' }],
    [12, '#t', 'click me'],
    [10, 'iframe', { srcdoc: `<script>${pwn('srcdoc')}</script>` }],
    [10, 'iframe', { src: `${C}/frame` }],
    [10, 'object', { data: `${C}/object`, type: 'text/html' }],
    [10, 'embed', { src: `${C}/embed`, type: 'text/html' }],
    [10, 'svg:svg', { onload: pwn('svg onload') }],
    [18, 'svg:script', { href: `${C}/svg.js` }],
    [19, '#t', pwn('svg script')],
    [18, 'svg:a', { href: `javascript:${pwn('svg a')}` }],
    [18, 'svg:animate', { attributeName: 'href', to: `javascript:${pwn('animate')}` }],
    [18, 'svg:set', { attributeName: 'onclick', to: pwn('set') }],
    [10, 'form', { action: `${C}/form`, id: 'f' }],
    [24, 'input', { name: 'q', autofocus: '', onfocus: pwn('onfocus') }],
    [24, 'button', { formaction: `javascript:${pwn('formaction')}`, id: 'btn' }],
    [10, 'div', { style: `background:url(javascript:${pwn('style')})`, 'data-x': 'data:text/html,<script>1</script>' }],
    [10, 'noscript'],
    [10, 'portal', { src: `${C}/portal` }],
    [10, 'math:math'],
    [30, 'math:maction', { href: `javascript:${pwn('mathml')}` }],
    [10, 'SCRIPT', { src: `${C}/upper.js` }],
    [10, 'img', { id: 'sentinel', src: `${h.origin}/sentinel.png` }],
    [10, 'frameset', { onload: pwn('frameset') }],
    [10, 'iframe', { name: 'x', srcdoc: '', src: 'javascript:parent.__cotabPwned=1' }],
  ];
  const n = records.length;
  await h.page.evaluate(() => cotabTest.close());
  h.canaryRequests.length = 0; // what the customer pages of other tests loaded does not count
  const ops = [
    [1, 10, null, n + 1, [[10, 'script'], [-1, '#t', pwn('inserted script')]]],
    [3, 11, { onerror: pwn('late onerror'), src: 'also-broken.png' }],
    [3, 15, { src: `${C}/late-frame`, srcdoc: `<script>${pwn('late srcdoc')}</script>` }],
    [3, 12, { href: ` java\tscript:${pwn('late js href')}` }],
    [1, 2, null, n + 3, [[2, 'meta', { name: 'x' }]]],
    [3, n + 3, { 'http-equiv': 'refresh', content: `0;url=${C}/late-refresh` }],
    [1, 2, null, n + 4, [[2, 'link', { rel: 'stylesheet', href: `${h.origin}/late.css` }]]],
    [3, n + 4, { rel: 'prefetch' }],
    [3, 1, { inert: null }],
    [3, 26, { formaction: `javascript:${pwn('late formaction')}` }],
    [3, 3, { src: `${C}/placeholder-attr.js` }],
    [2, 4, 10, null],
  ];
  const e = 7;
  const result = await h.page.evaluate(
    (msgs) => cotabTest.feed(msgs),
    [snap(e, { total: n }), { k: 'part', e, first: 1, n: records }, { k: 'snapend', e, count: n }, { k: 'm', e, ops }],
  );
  assert.deepEqual(result.threw, []);
  assert.deepEqual(result.desyncs, []);
  assert.equal(result.phase, 'live');
  // try the link and the button for real: pointer clicks on the mirror
  const box = await h.page.evaluate(() => {
    const m = /** @type {import('../../../extension/viewer/mirror.js').Mirror} */ (cotabTest.fedMirror());
    const frame = /** @type {HTMLIFrameElement} */ (m.frame);
    const f = frame.getBoundingClientRect();
    const a = /** @type {Element} */ (frame.contentDocument?.getElementById('jsa')).getBoundingClientRect();
    return { x: f.left + a.left + 5, y: f.top + a.top + 5 };
  });
  await h.page.mouse.click(box.x, box.y);
  await h.page.keyboard.press('Enter');
  await quietCanary();
  const state = await h.page.evaluate(() => {
    const m = /** @type {import('../../../extension/viewer/mirror.js').Mirror} */ (cotabTest.fedMirror());
    const frame = /** @type {HTMLIFrameElement} */ (m.frame);
    const d = /** @type {Document} */ (frame.contentDocument);
    return {
      pwned: /** @type {any} */ (window).__cotabPwned,
      sandbox: frame.getAttribute('sandbox'),
      csp: frame.getAttribute('csp'),
      location: frame.contentWindow?.location.href,
      scripts: d.getElementsByTagName('script').length + d.getElementsByTagNameNS('http://www.w3.org/2000/svg', 'script').length,
      onAttrs: Array.from(d.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes, (a) => a.name)).filter((nm) => nm.toLowerCase().startsWith('on')),
      jsValues: Array.from(d.querySelectorAll('*')).flatMap((el) => Array.from(el.attributes, (a) => a.value)).filter((v) => /javascript|data:text\/html/i.test(v)),
      metas: Array.from(d.querySelectorAll('meta[http-equiv]'), (mt) => mt.getAttribute('content')),
      bases: Array.from(d.querySelectorAll('base'), (b) => b.getAttribute('href')),
      links: Array.from(d.querySelectorAll('link'), (l) => l.getAttribute('rel')),
      frames: Array.from(d.querySelectorAll('iframe,object,embed'), (el) => el.outerHTML),
      inert: d.documentElement.inert,
    };
  });
  assert.equal(state.pwned, undefined, 'no script ran');
  assert.deepEqual(h.canaryRequests, [], 'nothing was loaded from the canary server');
  assert.equal(state.sandbox, 'allow-same-origin');
  assert.match(String(state.csp), /default-src 'none'/);
  assert.equal(state.location, 'about:srcdoc');
  assert.equal(state.scripts, 0);
  assert.deepEqual(state.onAttrs, []);
  assert.deepEqual(state.jsValues, []);
  assert.ok(state.metas.every((c) => /default-src 'none'/.test(String(c))), 'only the mirror\'s own CSP meta');
  assert.deepEqual(state.bases, ['https://shop.example/']);
  assert.deepEqual(state.links, ['stylesheet']);
  assert.ok(state.frames.every((f) => !/src=|data=/.test(f)), state.frames.join(' '));
  assert.equal(state.inert, true);
});

test('desync: an op naming an unknown id calls onDesync and the mirror enters state desync', async () => {
  // threat: a stream that lost track keeps being applied to the wrong nodes
  const r = await h.page.evaluate((msgs) => cotabTest.feed(msgs), [...basic(1), { k: 'm', e: 1, ops: [[4, 999, 'x']] }, { k: 'm', e: 1, ops: [[0, 2]] }]);
  assert.deepEqual(r.threw, []);
  assert.equal(r.phase, 'desync');
  assert.deepEqual(r.desyncs, ['unknown id 999']);
  assert.deepEqual(r.phases.slice(-2), ['live', 'desync']);
  // the epoch stays stopped: the next batch was not applied
  const head = await h.page.evaluate(() => !!cotabTest.fedDoc()?.head);
  assert.equal(head, true);
  // a new snapshot (the resync) brings it back
  const again = await h.page.evaluate((msgs) => cotabTest.feed(msgs), [...basic(1), { k: 'm', e: 1, ops: [[4, 999, 'x']] }, ...basic(2)]);
  assert.equal(again.phase, 'live');
});

test('malformed messages, records and ops never throw out of handle() (each desyncs or is dropped)', async () => {
  // threat: a malformed or hostile stream crashes the viewer
  const big = Number.MAX_SAFE_INTEGER;
  /** @type {Array<[string, unknown[]]>} */
  const dropped = [
    ['not an object', [null, 42, 'str', [], true]],
    ['no kind', [{}, { k: 5 }, { e: 1 }]],
    ['unknown kind', [{ k: 'future-kind', e: 1 }]],
  ];
  for (const [what, msgs] of dropped) {
    const r = await h.page.evaluate((m) => cotabTest.feed(m), [...basic(1), ...msgs]);
    assert.deepEqual(r.threw, [], what);
    assert.equal(r.phase, 'live', what);
    assert.equal(r.dropped, msgs.length, what);
  }
  /** @type {Array<[string, unknown]>} */
  const badSnaps = [
    ['negative epoch', snap(-1)],
    ['fractional epoch', snap(1.5)],
    ['string viewport', snap(1, { vw: '800' })],
    ['huge viewport', snap(1, { vh: 1e9 })],
    ['bad doctype', snap(1, { doctype: 5 })],
    ['missing url', { ...snap(1), url: undefined }],
  ];
  for (const [what, msg] of badSnaps) {
    const r = await h.page.evaluate((m) => cotabTest.feed(m), [msg]);
    assert.deepEqual(r.threw, [], what);
    assert.equal(r.phase, 'desync', what);
  }
  /** @type {Array<[string, unknown[]]>} */
  const badParts = [
    ['records not an array', [{ k: 'part', e: 1, first: 1, n: 'x' }]],
    ['first out of order', [{ k: 'part', e: 1, first: 5, n: [[0, 'html']] }]],
    ['record not an array', [{ k: 'part', e: 1, first: 1, n: [{ p: 0 }] }]],
    ['string parent', [{ k: 'part', e: 1, first: 1, n: [['0', 'html']] }]],
    ['huge parent', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [1e300, 'head']] }]],
    ['parent that does not exist', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [77, 'head']] }]],
    ['relative parent before the first record', [{ k: 'part', e: 1, first: 1, n: [[-5, 'html']] }]],
    ['parent is a text node', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [1, '#t', 'x'], [2, 'b']] }]],
    ['text at document level', [{ k: 'part', e: 1, first: 1, n: [[0, '#t', 'x']] }]],
    ['numeric tag', [{ k: 'part', e: 1, first: 1, n: [[0, 5]] }]],
    ['empty tag', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [1, '']] }]],
    ['endless tag', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [1, 'a'.repeat(5000)]] }]],
    ['attrs not an object', [{ k: 'part', e: 1, first: 1, n: [[0, 'html', 'class=x']] }]],
    ['attribute value not a string', [{ k: 'part', e: 1, first: 1, n: [[0, 'html', { lang: 5 }]] }]],
    ['props an array', [{ k: 'part', e: 1, first: 1, n: [[0, 'html', 0, []]] }]],
    ['value prop not a string', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [1, 'input', 0, { v: 5 }]] }]],
    ['text record without text', [{ k: 'part', e: 1, first: 1, n: [[0, 'html'], [1, '#t']] }]],
    ['count mismatch', [{ k: 'part', e: 1, first: 1, n: [[0, 'html']] }, { k: 'snapend', e: 1, count: 9 }]],
    ['batch before snapend', [{ k: 'm', e: 1, ops: [] }]],
  ];
  for (const [what, msgs] of badParts) {
    const r = await h.page.evaluate((m) => cotabTest.feed(m), [snap(1), ...msgs]);
    assert.deepEqual(r.threw, [], what);
    assert.equal(r.phase, 'desync', what);
    assert.equal(r.desyncs.length, 1, what);
  }
  /** @type {Array<[string, unknown]>} */
  const badOps = [
    ['ops not an array', 'x'],
    ['op not an array', [5]],
    ['empty op', [[]]],
    ['unknown op code', [[99]]],
    ['string op code', [['0', 2]]],
    ['fractional op code', [[1.5]]],
    ['null op code (NaN on the wire)', [[null]]],
    ['remove without id', [[0]]],
    ['remove the document', [[0, 0]]],
    ['remove a huge id', [[0, big + 2]]],
    ['insert without records', [[1, 3, null, 4, []]]],
    ['insert reusing an id', [[1, 3, null, 2, [[3, 'p']]]]],
    ['insert with a huge first id', [[1, 3, null, big, [[3, 'p'], [-1, 'b']]]]],
    ['insert whose root is not under its parent', [[1, 3, null, 4, [[2, 'p']]]]],
    ['insert before a node of another parent', [[1, 3, 2, 4, [[3, 'p']]]]],
    ['insert record outside its subtree', [[1, 3, null, 4, [[3, 'p'], [2, 'b']]]]],
    ['move into itself', [[2, 1, 3, null]]],
    ['move before itself', [[2, 3, 1, 3]]],
    ['attrs not an object', [[3, 2, ['a']]]],
    ['attribute value a number', [[3, 2, { a: 1 }]]],
    ['text op on an element', [[4, 2, 'x']]],
    ['text op without text', [[4, 2]]],
    ['props op with a numeric value', [[5, 3, { v: 1 }]]],
    ['css op on a non-style', [[6, 2, 'a{}']]],
    ['scroll with a string', [[7, 0, 'x', 0]]],
    ['scroll of a text-less unknown id', [[7, 44, 0, 0]]],
    ['negative viewport', [[8, -1, 5]]],
    ['huge viewport', [[8, 1e9, 1]]],
    ['focus of an unknown id', [[9, 12345]]],
    ['pointer with strings', [[10, 'a', 1]]],
  ];
  for (const [what, ops] of badOps) {
    const r = await h.page.evaluate((m) => cotabTest.feed(m), [...basic(1), { k: 'm', e: 1, ops }]);
    assert.deepEqual(r.threw, [], what);
    assert.equal(r.phase, 'desync', what);
    assert.equal(r.desyncs.length, 1, what);
  }
  // messages of another epoch are dropped, not applied
  const other = await h.page.evaluate((m) => cotabTest.feed(m), [...basic(1), { k: 'm', e: 2, ops: [[0, 999]] }, { k: 'part', e: 0, first: 1, n: [] }]);
  assert.equal(other.phase, 'live');
  assert.equal(other.dropped, 2);
});

test('resync: the previous epoch stays on screen until the new snapshot is complete', async () => {
  // threat (availability): a resync blanks the agent's view
  const path = h.addPage('resync.html', '<!DOCTYPE html><html><body><p id="p">one</p></body></html>');
  await h.page.evaluate((p) => cotabTest.open({ path: p }), path);
  await h.page.evaluate(() => cotabTest.start(1));
  const seen = await h.page.evaluate(async () => {
    const m = cotabTest.mirror();
    const before = m.frame;
    /** @type {string[]} */
    const log = [];
    const rec = cotabTest.recorder();
    // Feed the next epoch's messages by hand: snap and parts, holding back snapend.
    /** @type {any[]} */
    const held = [];
    const probe = new cotabTest.Recorder({ doc: cotabTest.customerDoc(), emit: (msg) => held.push(JSON.parse(JSON.stringify(msg))) });
    await probe.start(2);
    probe.stop();
    rec.stop();
    for (const msg of held.filter((x) => x.k !== 'snapend')) m.handle(msg);
    await m.settled();
    log.push(m.frame === before ? 'old frame shown while loading' : 'switched early');
    log.push(before?.isConnected ? 'old frame still in the page' : 'old frame gone');
    log.push(m.phase);
    for (const msg of held.filter((x) => x.k === 'snapend')) m.handle(msg);
    await m.settled();
    log.push(m.frame !== before ? 'new frame shown' : 'not switched');
    log.push(before?.isConnected ? 'old frame kept' : 'old frame removed');
    log.push(m.phase);
    log.push(m.frame?.getAttribute('data-testid') ?? '');
    return log;
  });
  assert.deepEqual(seen, ['old frame shown while loading', 'old frame still in the page', 'loading', 'new frame shown', 'old frame removed', 'live', 'mirror']);
});

test('the shared vectors: every app.json stream fault marked mirror-desync desyncs the real Mirror; valid parts do not', async () => {
  // threat: the viewer and the protocol's single source of truth drift apart (a fault the
  // vectors name is applied by the viewer after all)
  const vectors = JSON.parse(readFileSync(new URL('../../../shared/protocol/vectors/app.json', import.meta.url), 'utf8'));
  /** A valid snapshot holding ids 1..30 (html > head, body > 27 divs), in epoch `e`. */
  const thirty = (/** @type {number} */ e) => [
    snap(e, { total: 30 }),
    { k: 'part', e, first: 1, n: [[0, 'html'], [1, 'head'], [1, 'body'], ...Array.from({ length: 27 }, () => [3, 'div'])] },
    { k: 'snapend', e, count: 30 },
  ];
  let checked = 0;
  const wrong = /** @type {string[]} */ ([]);
  for (const c of vectors.cases) {
    const msg = c.message;
    if (!msg || typeof msg !== 'object' || (msg.k !== 'm' && msg.k !== 'part')) continue;
    const e = Number.isSafeInteger(msg.e) && msg.e >= 1 ? msg.e : 3;
    const stream = msg.k === 'm' ? [...thirty(e), msg] : [snap(e), msg];
    const r = await h.page.evaluate((m) => cotabTest.feed(m), stream);
    if (r.threw.length) wrong.push(`${c.name}: threw ${r.threw}`);
    else if (c.mirror === 'mirror-desync' && r.phase !== 'desync') wrong.push(`${c.name}: applied (${r.phase})`);
    else if (c.ok && !c.mirror && msg.k === 'part' && msg.first === 1 && r.phase === 'desync') wrong.push(`${c.name}: desync ${JSON.stringify(r.desyncs)}`);
    checked++;
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 60, `${checked} vectors fed`);
});
