// threat: the customer's page attacking the agent through the mirror.
// The hostile page (tests/pages) carries every script-injection trick we know (inline handlers,
// javascript:/vbscript:/data: URLs, srcdoc, <base>, <meta refresh>, SVG/MathML tricks, declarative
// shadow roots…) and keeps inserting new ones after load. Each payload that runs reports to the
// page server's /beacon with where it ran (`from`, `top`, `origin`) and sets `top.PWNED…` globals.
// The agent's browser has its own user agent, so a request it makes is told apart for certain.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HOSTILE_LIVE_VECTORS, hostilePayloads } from '../pages/generate.mjs';
import { connectPair, inMirror, startRig, viewerState, waitFor } from './harness.mjs';

const AGENT_UA_MARK = 'CotabE2EAgentBrowser';
const AGENT_UA = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36 ${AGENT_UA_MARK}`;

/** @type {import('./harness.mjs').Relay} */
let relay;
/** @type {import('./harness.mjs').RecordingProxy} */
let proxy;
/** @type {import('../pages/server.mjs').PageServer} */
let server;
/** @type {import('./harness.mjs').CotabBrowser} */
let customer;
/** @type {import('./harness.mjs').CotabBrowser} */
let agent;

/** @type {import('./harness.mjs').Rig} */
let rig;

before(async () => {
  rig = await startRig({ agent: { userAgent: AGENT_UA } });
  ({ relay, proxy, server, customer, agent } = rig);
});

after(async () => {
  await rig?.close();
});

/**
 * The highest n of a mirrored live payload element `[data-hostile=live-<vector>-<n>]`.
 * @param {Document} doc
 */
function highestLiveInsertion(doc) {
  let best = 0;
  for (const el of doc.querySelectorAll('[data-hostile^="live-"]')) {
    const m = /-(\d+)$/.exec(el.getAttribute('data-hostile') ?? '');
    if (m) best = Math.max(best, Number(m[1]));
  }
  return best;
}

/**
 * What a sanitizing mirror must never contain (app.md §1, §4.1).
 * @param {Document} doc
 */
function dangerousMarkup(doc) {
  /** @type {string[]} */
  const found = [];
  const urlAttrs = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'poster', 'background', 'data', 'srcset']);
  for (const el of doc.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (tag === 'script') found.push(`<script> ${el.getAttribute('data-hostile') ?? ''}`);
    // (the viewer's own Content-Security-Policy <meta> is welcome; anything else is not)
    const equiv = el.getAttribute('http-equiv');
    if (tag === 'meta' && equiv !== null && (equiv.toLowerCase() !== 'content-security-policy' || el.hasAttribute('data-hostile'))) {
      found.push(`<meta http-equiv=${equiv} content=${(el.getAttribute('content') ?? '').slice(0, 40)}> ${el.getAttribute('data-hostile') ?? ''}`);
    }
    if (tag === 'base' && el.getAttribute('href')?.match(/script:/i)) found.push('<base href=javascript:>');
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      if (name.startsWith('on')) found.push(`${tag}[${name}] ${el.getAttribute('data-hostile') ?? ''}`);
      if (name === 'srcdoc') found.push(`${tag}[srcdoc]`);
      const v = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (urlAttrs.has(name) && (v.startsWith('javascript:') || v.startsWith('vbscript:') || v.startsWith('data:text/html'))) {
        found.push(`${tag}[${name}=${a.value.slice(0, 30)}…] ${el.getAttribute('data-hostile') ?? ''}`);
      }
    }
  }
  return found;
}

test("the hostile page's payloads never run on the agent's side, and the viewer keeps working", async (t) => {
  // threat: the customer's page attacking the agent through the mirror (script execution, requests from the agent's side)
  const page = await customer.context.newPage();
  await page.goto(`${server.url}/hostile`);
  // The beacon path works: the customer's own tab runs its page's scripts and reports.
  await server.waitForHit((h) => h.query.id === 'inline-script' && (h.query.from ?? '').startsWith(server.url));

  const pair = await connectPair({ customer, agent, customerPage: page });
  const frameSandbox = await pair.viewer.evaluate(() => document.querySelector('iframe[data-testid=mirror]')?.getAttribute('sandbox') ?? null);
  assert.ok(frameSandbox !== null && /\ballow-same-origin\b/.test(frameSandbox) && !/\ballow-scripts\b/.test(frameSandbox), `mirror sandbox: ${frameSandbox}`);

  // Let the page's post-load attacks run through the live stream: every live vector at least once.
  const liveAtStart = await page.evaluate(() => /** @type {{HOSTILE_LIVE_COUNT?: number}} */ (/** @type {unknown} */ (window)).HOSTILE_LIVE_COUNT ?? 0);
  const target = liveAtStart + HOSTILE_LIVE_VECTORS.length + 1;
  await waitFor(async () => (await inMirror(pair.viewer, highestLiveInsertion, null)) >= target, {
    timeout: 60_000,
    message: async () => `the mirror shows live insertion ${target} (has ${await inMirror(pair.viewer, highestLiveInsertion, null)}, viewer ${await viewerState(pair.viewer)})`,
  });

  // The agent pokes at everything that needs a click or a hover in a normal tab.
  const mirror = pair.viewer.frameLocator('iframe[data-testid=mirror]');
  for (const p of hostilePayloads().filter((x) => x.trigger === 'click' || x.trigger === 'hover')) {
    const el = mirror.locator(`[data-hostile="${p.id}"]`).first();
    if (!(await el.count())) continue;
    if (p.trigger === 'hover') await el.hover({ timeout: 2000, force: true }).catch(() => {});
    else await el.click({ timeout: 2000, force: true, noWaitAfter: true }).catch(() => {});
  }
  // Then more live insertions, so anything they would have triggered had time to report.
  const afterPoking = (await inMirror(pair.viewer, highestLiveInsertion, null)) + 4;
  await waitFor(async () => (await inMirror(pair.viewer, highestLiveInsertion, null)) >= afterPoking, {
    timeout: 60_000,
    message: `the mirror shows live insertion ${afterPoking}`,
  });

  const customerOrigin = server.url;
  /** @param {import('../pages/server.mjs').Hit} h */
  const customerSide = (h) =>
    !(h.headers['user-agent'] ?? '').includes(AGENT_UA_MARK) &&
    ((h.query.from ?? '').startsWith(customerOrigin) ||
      (h.query.top ?? '').startsWith(customerOrigin) ||
      // a data: frame of the customer's page: opaque origin, its top is cross-origin to it
      ((h.query.from ?? '').startsWith('data:text/html') && h.query.origin === 'null'));
  const scriptHits = server.hits.filter((h) => h.query.from !== undefined);
  const foreign = scriptHits.filter((h) => !customerSide(h));
  assert.deepEqual(
    foreign.map((h) => ({ id: h.query.id, from: h.query.from, top: h.query.top, origin: h.query.origin, ua: h.headers['user-agent'] })),
    [],
    'a payload ran outside the customer tab',
  );
  assert.ok(scriptHits.some((h) => (h.query.id ?? '').startsWith('live-')), 'the live payloads ran in the customer tab (the beacon works)');
  const agentRequests = server.hits.filter((h) => (h.headers['user-agent'] ?? '').includes(AGENT_UA_MARK));
  t.diagnostic(`plain resource requests made by the agent's browser: ${agentRequests.map((h) => h.query.id).join(', ') || 'none'}`);

  const pwnedViewer = await pair.viewer.evaluate(() => Object.keys(window).filter((k) => k.startsWith('PWNED')));
  assert.deepEqual(pwnedViewer, [], 'PWNED globals on the viewer page');
  const pwnedMirror = await inMirror(pair.viewer, (doc) => Object.keys(doc.defaultView ?? {}).filter((k) => k.startsWith('PWNED')), null);
  assert.deepEqual(pwnedMirror, [], 'PWNED globals in the mirror document');
  assert.deepEqual(await inMirror(pair.viewer, dangerousMarkup, null), [], 'dangerous markup in the mirror');

  // The viewer still works: a new change reaches the mirror.
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { id: 'still-works', textContent: 'STILL-WORKS-3b7c' })));
  await waitFor(async () => (await inMirror(pair.viewer, (doc) => doc.getElementById('still-works')?.textContent, null)) === 'STILL-WORKS-3b7c', {
    message: async () => `the mirror still updates (viewer ${await viewerState(pair.viewer)})`,
  });
  assert.equal(await viewerState(pair.viewer), 'live');
});
