// Big pages (tests/pages bigPage: 10k / 50k / 100k elements) mirror correctly through the whole
// real pipeline, and the viewer shows progress while the snapshot is loading. Also the app limits
// that big content hits (app.md §5): a batch above app_max_message_bytes becomes a new snapshot
// (nothing lost), a string above mirror_max_string_chars is cut to it.
import assert from 'node:assert/strict';
import { after, afterEach, before, test } from 'node:test';
import { LIMITS } from '../../extension/dist/protocol.js';
import {
  connectPair,
  inMirror,
  inPage,
  recordPort,
  resetSession,
  waitFor,
  waitForMirrorEqual,
  waitForViewerState,
  startRig,
} from './harness.mjs';

/** Per size: how long the snapshot may take to reach live on the shared 2-core machine. */
const LIVE_TIMEOUT_MS = { 10000: 60_000, 50000: 120_000, 100000: 180_000 };

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
  rig = await startRig();
  ({ relay, proxy, server, customer, agent } = rig);
});

afterEach(async () => {
  await Promise.all([customer && resetSession(customer), agent && resetSession(agent)]);
});

after(async () => {
  await rig?.close();
});

/**
 * Starts recording, in the viewer page, every viewer-state and every progress display it shows.
 * @param {import('playwright-core').Page} viewer
 */
function watchProgress(viewer) {
  return viewer.evaluate(() => {
    /** @type {{states: string[], progress: string[]}} */
    const seen = { states: [], progress: [] };
    /** @type {{cotabSeen?: typeof seen}} */ (/** @type {unknown} */ (window)).cotabSeen = seen;
    const record = () => {
      const s = document.querySelector('[data-testid=viewer-state]')?.getAttribute('data-state');
      if (s && seen.states.at(-1) !== s) seen.states.push(s);
      const p = document.querySelector('[data-testid=progress]');
      if (p) {
        const shown = [p.textContent?.trim() ?? '', p.getAttribute('value') ?? '', p.getAttribute('aria-valuenow') ?? '', p.getAttribute('style') ?? ''].join('|');
        if (seen.progress.at(-1) !== shown) seen.progress.push(shown);
      }
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    record();
  });
}

/**
 * Element counts by tag name, the way the mirror should have them (no script/noscript content,
 * not the extension's own indicator), and a sample of every 997th element's outer structure.
 * @param {Document} doc
 */
function shapeOf(doc) {
  /** @type {Record<string, number>} */
  const counts = {};
  const all = [...doc.querySelectorAll('body *')].filter((el) => !el.closest('script, noscript, template, cotab-indicator, cotab-overlay'));
  for (const el of all) counts[el.tagName.toLowerCase()] = (counts[el.tagName.toLowerCase()] ?? 0) + 1;
  delete counts.script;
  const withId = all.filter((el) => el.id).filter((_, i) => i % 97 === 0);
  const sample = withId.map((el) => `${el.id}:${el.tagName}:${el.childElementCount}:${(el.textContent ?? '').replace(/\s+/g, ' ').trim().slice(0, 40)}`);
  return { total: all.length, counts, sample };
}

for (const elements of [10_000, 50_000, 100_000]) {
  test(`a ${elements.toLocaleString('en')}-element page mirrors correctly and the viewer shows loading progress`, async (t) => {
    const page = await customer.context.newPage();
    await page.goto(`${server.url}/big/${elements}`, { timeout: 120_000 });
    const pair = await connectPair({ customer, agent, customerPage: page, decision: 'none' });
    await watchProgress(pair.viewer);
    const started = Date.now();
    await pair.consent.getByTestId('allow').click();
    await page.bringToFront();
    const timeout = LIVE_TIMEOUT_MS[/** @type {10000|50000|100000} */ (elements)];
    await waitForViewerState(pair.viewer, 'live', { timeout });
    const shape = await inPage(page, shapeOf, null);
    t.diagnostic(`${elements} elements: live after ${Date.now() - started} ms; ${shape.total} elements in <body>`);

    if (elements <= 50_000) {
      await waitForMirrorEqual(page, pair.viewer, { digest: true, timeout, what: `${elements} elements` });
    } else {
      // 100k: element counts by tag and a sample of subtrees (the full normalized compare of
      // both sides is slow on two shared cores); then a full digest compare, which is cheaper.
      /** @type {unknown} */
      let last;
      await waitFor(
        async () => {
          last = await inMirror(pair.viewer, shapeOf, null);
          return JSON.stringify(last) === JSON.stringify(shape);
        },
        { timeout, interval: 500, message: () => `mirror shape == page shape; mirror: ${JSON.stringify(last).slice(0, 1500)}` },
      );
      await waitForMirrorEqual(page, pair.viewer, { digest: true, timeout, what: `${elements} elements` });
    }
    t.diagnostic(`${elements} elements: mirror equal after ${Date.now() - started} ms`);

    const seen = await pair.viewer.evaluate(() => /** @type {{cotabSeen?: {states: string[], progress: string[]}}} */ (/** @type {unknown} */ (window)).cotabSeen);
    assert.ok(seen, 'the progress watcher ran');
    assert.ok(
      seen.states.includes('loading') || seen.progress.length >= 2,
      `progress was shown while loading: states ${seen.states.join(' → ')}; progress ${seen.progress.slice(0, 5).join(' ; ')}`,
    );
    await page.close();
    // The viewer goes too: its mirror's images still load and lay out for a while after the
    // mirror is complete, on the thread every extension page of this browser shares (the next
    // test's popup).
    await pair.viewer.close();
  });
}


test('a batch above app_max_message_bytes is sent as a new snapshot instead, and nothing is lost', async (t) => {
  const contentLog = await recordPort(customer, 'cotab-content');
  const page = await customer.context.newPage();
  await page.goto(`${server.url}/plain.html`);
  const pair = await connectPair({ customer, agent, customerPage: page });
  await waitForMirrorEqual(page, pair.viewer, { what: 'before the big batch' });
  const snapsBefore = (await contentLog.received()).filter((m) => m.data?.k === 'snap').length;
  // One task inserts ~1.2 × the limit of text (in pieces below mirror_max_string_chars).
  const pieces = Math.ceil((LIMITS.app_max_message_bytes * 1.2) / 100_000);
  await page.evaluate((n) => {
    const box = document.createElement('section');
    box.id = 'huge-batch';
    for (let i = 0; i < n; i++) {
      const p = document.createElement('p');
      p.textContent = `${i}:`.padEnd(100_000, String.fromCharCode(97 + (i % 26)));
      box.append(p);
    }
    document.body.append(box);
  }, pieces);
  const t0 = Date.now();
  await waitForMirrorEqual(page, pair.viewer, { digest: true, timeout: 120_000, what: 'after a batch above the limit' });
  t.diagnostic(`mirror equal ${Date.now() - t0} ms after the big batch`);
  const received = await contentLog.received();
  const snaps = received.filter((m) => m.data?.k === 'snap');
  assert.ok(snaps.length > snapsBefore, 'a new snapshot (new epoch) was started');
  const largest = Math.max(...received.map((m) => JSON.stringify(m.data ?? null).length));
  assert.ok(largest <= LIMITS.app_max_message_bytes, `no app message above the limit (largest ${largest})`);
  await waitForViewerState(pair.viewer, 'live');
});

test('a text or attribute longer than mirror_max_string_chars reaches the mirror cut to that length', async () => {
  const page = await customer.context.newPage();
  await page.goto(`${server.url}/plain.html?long`);
  const pair = await connectPair({ customer, agent, customerPage: page });
  const max = LIMITS.mirror_max_string_chars;
  await page.evaluate((n) => {
    const p = document.createElement('p');
    p.id = 'long-text';
    p.textContent = 'x'.repeat(n + 10);
    p.setAttribute('data-long', 'y'.repeat(n + 10));
    document.body.append(p);
  }, max);
  const lengths = await waitFor(
    async () => {
      const got = await inMirror(pair.viewer, (doc) => {
        const p = doc.getElementById('long-text');
        return p ? [p.textContent?.length ?? 0, p.getAttribute('data-long')?.length ?? 0] : null;
      }, null);
      return got;
    },
    { message: 'the long text reached the mirror' },
  );
  assert.deepEqual(lengths, [max, max]);
  // and the stream goes on
  await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { id: 'after-long' })));
  await waitFor(() => inMirror(pair.viewer, (doc) => doc.getElementById('after-long') !== null, null), { message: 'a later change' });
});
