// Snapshot cost and time to first mirror, Cotab's Recorder and Mirror against rrweb on the same
// pages in the same browsers:
// - snapshot: the Recorder in a normal page, start() until it emitted `snapend`, against
//   rrweb-snapshot's snapshot(document); the longest main-thread task while it ran; the bytes;
// - first mirror: the Recorder streaming to the Mirror in a second browser over the benchmark's
//   relay, from start() until the mirror was shown, against rrweb's record() streaming to a
//   live Replayer the same way.
import { call, clockSkew, loadScripts, newPage, num, obj } from './browsers.mjs';
import { wireSizes } from './compress.mjs';

/** How long one snapshot or first mirror may take before the run fails. */
export const RUN_TIMEOUT_MS = 120_000;

/** @typedef {'cotab' | 'rrweb'} Impl */
export const IMPLS = /** @type {const} */ (['cotab', 'rrweb']);

/**
 * @typedef {object} SnapshotRun
 * @property {number} wallMs
 * @property {number | null} longestGapMs longest heartbeat gap (null: no heartbeat)
 * @property {number[]} longTasksMs long tasks (≥ 50 ms) the browser reported during the run
 * @property {{slices: number, maxSliceMs: number, snapshotMs: number, records: number}} [recorder] Cotab: the Recorder's own stats
 */

/**
 * @typedef {object} SnapshotFigures
 * @property {SnapshotRun} cold the first run in a freshly loaded page
 * @property {SnapshotRun[]} warm the measured runs (after one discarded warm-up run)
 * @property {{json: number, gzip: number, zstd: number}} bytes
 * @property {number} [messages] Cotab: messages emitted up to snapend
 */

/**
 * @param {unknown} value
 * @returns {SnapshotRun & {json: unknown, messages: unknown}}
 */
function snapshotRun(value) {
  const o = obj(value, 'snapshot run');
  const gap = o.longestGapMs;
  const tasks = Array.isArray(o.longTasksMs) ? o.longTasksMs.map((t) => num(t, 'long task')) : [];
  /** @type {SnapshotRun & {json: unknown, messages: unknown}} */
  const run = {
    wallMs: num(o.wallMs, 'wallMs'),
    longestGapMs: gap === null ? null : num(gap, 'longestGapMs'),
    longTasksMs: tasks,
    json: o.json,
    messages: o.messages,
  };
  if (o.recorder !== undefined) {
    const r = obj(o.recorder, 'recorder stats');
    run.recorder = {
      slices: num(r.slices, 'slices'),
      maxSliceMs: num(r.maxSliceMs, 'maxSliceMs'),
      snapshotMs: num(r.snapshotMs, 'snapshotMs'),
      records: num(r.records, 'records'),
    };
  }
  return run;
}

/** @param {SnapshotRun & {json: unknown}} run @returns {SnapshotRun} */
const withoutJson = ({ wallMs, longestGapMs, longTasksMs, recorder }) => ({ wallMs, longestGapMs, longTasksMs, ...(recorder ? { recorder } : {}) });

/**
 * @param {unknown} json
 * @returns {string[]}
 */
function jsonTexts(json) {
  if (typeof json === 'string') return [json];
  if (Array.isArray(json) && json.every((t) => typeof t === 'string')) return json;
  throw new Error('snapshot run returned no JSON');
}

const SNAPSHOT_COMMAND = { cotab: 'cotabSnapshot', rrweb: 'rrwebSnapshot' };
const CUSTOMER_BUNDLE = /** @type {const} */ ({ cotab: 'cotabCustomer', rrweb: 'rrwebCustomer' });

/**
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {import('./bundles.mjs').BundleName[]} bundles
 */
async function freshPage(browser, url, bundles) {
  const page = await newPage(browser);
  page.setDefaultTimeout(RUN_TIMEOUT_MS);
  await page.goto(url, { waitUntil: 'load', timeout: RUN_TIMEOUT_MS });
  await loadScripts(page, bundles);
  return page;
}

/**
 * Snapshot cost of one page.
 * @param {object} opts
 * @param {import('playwright-core').Browser} opts.browser
 * @param {string} opts.url
 * @param {number} opts.runs measured warm runs per implementation
 * @param {boolean} opts.heartbeat
 * @param {readonly Impl[]} [opts.impls]
 * @returns {Promise<Partial<Record<Impl, SnapshotFigures>>>}
 */
export async function snapshotCost({ browser, url, runs, heartbeat, impls = IMPLS }) {
  /** @type {Partial<Record<Impl, SnapshotFigures>>} */
  const out = {};
  // Cold: each implementation's first run in a page of its own, freshly loaded. Its JSON gives
  // the bytes.
  for (const impl of impls) {
    const page = await freshPage(browser, url, [CUSTOMER_BUNDLE[impl]]);
    try {
      const run = snapshotRun(await call(page, SNAPSHOT_COMMAND[impl], { keep: true, heartbeat }));
      out[impl] = {
        cold: withoutJson(run),
        warm: [],
        bytes: await wireSizes(jsonTexts(run.json)),
        ...(typeof run.messages === 'number' ? { messages: run.messages } : {}),
      };
    } finally {
      await page.context().close();
    }
  }
  // Warm: both in one freshly loaded page, one discarded warm-up run each, then `runs` runs
  // each, alternating which goes first.
  const page = await freshPage(browser, url, impls.map((impl) => CUSTOMER_BUNDLE[impl]));
  try {
    for (const impl of impls) await call(page, SNAPSHOT_COMMAND[impl], { keep: false, heartbeat });
    for (let r = 0; r < runs; r++) {
      const order = r % 2 === 0 ? impls : [...impls].reverse();
      for (const impl of order) {
        const run = snapshotRun(await call(page, SNAPSHOT_COMMAND[impl], { keep: false, heartbeat }));
        out[impl]?.warm.push(withoutJson(run));
      }
    }
  } finally {
    await page.context().close();
  }
  return out;
}

/**
 * One first mirror, in ms from the start call in the customer's page (viewer clock corrected).
 * @typedef {object} FirstMirrorRun
 * @property {number} firstMessageMs the first message reached the viewer page
 * @property {number} lastMessageMs the last message before the mirror was complete reached it
 * @property {number} builtMs the mirror's DOM was complete
 * @property {number} shownMs the task after its first rendered frame: the figure
 * @property {number} messages messages up to the complete mirror
 * @property {number} chars their JSON characters
 */

/**
 * @typedef {object} FirstMirrorFigures
 * @property {FirstMirrorRun} cold the first run
 * @property {FirstMirrorRun[]} runs the measured runs after it
 */

/**
 * Time to first mirror of one page, both implementations, customer and viewer in two browsers.
 * Every run loads the customer's page and the viewer's page anew (a session starts once per
 * page: the realistic case is a page that has never been recorded; rrweb's ids would also keep
 * growing across recordings of one page). Runs alternate between the implementations (so that
 * load on the machine, which drifts, falls on both alike); each one's first run is its cold run
 * (the first in these browsers), reported apart from the median.
 * @param {object} opts
 * @param {import('playwright-core').Browser} opts.customerBrowser
 * @param {import('playwright-core').Browser} opts.viewerBrowser
 * @param {import('./server.mjs').BenchServer} opts.server
 * @param {string} opts.url
 * @param {string} opts.name
 * @param {number} opts.runs measured runs per implementation (after one cold run)
 * @param {readonly Impl[]} [opts.impls]
 * @returns {Promise<Partial<Record<Impl, FirstMirrorFigures>>>}
 */
export async function firstMirrorTime({ customerBrowser, viewerBrowser, server, url, name, runs, impls = IMPLS }) {
  /** @type {import('playwright-core').Page[]} */
  const opened = [];
  try {
    /** @type {Partial<Record<Impl, import('playwright-core').Page>>} */
    const customers = {};
    for (const impl of impls) {
      const page = await freshPage(customerBrowser, url, [CUSTOMER_BUNDLE[impl]]);
      opened.push(page);
      customers[impl] = page;
    }
    const viewer = await newPage(viewerBrowser);
    opened.push(viewer);
    viewer.setDefaultTimeout(RUN_TIMEOUT_MS);
    await viewer.goto(`${server.origin}/blank`);
    /** @type {Partial<Record<Impl, {skewMs: number}>>} */
    const clocks = {};
    for (const impl of impls) {
      const customer = customers[impl];
      if (customer) clocks[impl] = await clockSkew(customer, viewer);
    }
    /** @type {Partial<Record<Impl, FirstMirrorRun[]>>} */
    const all = {};
    for (let r = 0; r <= runs; r++) {
      for (const impl of r % 2 === 0 ? impls : [...impls].reverse()) {
        const customer = customers[impl];
        const clock = clocks[impl];
        if (!customer || !clock) continue;
        if (r > 0) {
          await customer.goto(url, { waitUntil: 'load', timeout: RUN_TIMEOUT_MS });
          await loadScripts(customer, [CUSTOMER_BUNDLE[impl]]);
        }
        const run = await oneFirstMirror({ impl, customer, viewer, server, room: `first-${impl}-${name}-${r}`, skewMs: clock.skewMs });
        (all[impl] ??= []).push(run);
      }
    }
    /** @type {Partial<Record<Impl, FirstMirrorFigures>>} */
    const out = {};
    for (const impl of impls) {
      const [cold, ...measured] = all[impl] ?? [];
      if (cold) out[impl] = { cold, runs: measured };
    }
    return out;
  } finally {
    await Promise.allSettled(opened.map((p) => p.context().close()));
  }
}

/**
 * @param {object} o
 * @param {Impl} o.impl
 * @param {import('playwright-core').Page} o.customer
 * @param {import('playwright-core').Page} o.viewer
 * @param {import('./server.mjs').BenchServer} o.server
 * @param {string} o.room
 * @param {number} o.skewMs
 * @returns {Promise<FirstMirrorRun>}
 */
async function oneFirstMirror({ impl, customer, viewer, server, room, skewMs }) {
  await viewer.goto(`${server.origin}/blank`);
  if (impl === 'cotab') {
    await loadScripts(viewer, ['cotabViewer']);
    await call(viewer, 'cotabMirrorStart', { url: server.relayUrl(room, 'viewer') });
  } else {
    await loadScripts(viewer, ['rrwebViewer']);
    await call(viewer, 'rrwebReplayerStart', { url: server.relayUrl(room, 'viewer'), config: 'arrival' });
  }
  const wait = call(viewer, 'firstMirror', RUN_TIMEOUT_MS);
  const started = obj(await call(customer, impl === 'cotab' ? 'cotabShare' : 'rrwebRecord', { url: server.relayUrl(room, 'customer') }), 'share');
  const startedAt = num(started.startedAt, 'startedAt');
  const done = await wait;
  await call(customer, impl === 'cotab' ? 'cotabStop' : 'rrwebStop');
  if (done === null) throw new Error(`${impl} ${room}: the first mirror was not shown within ${RUN_TIMEOUT_MS} ms`);
  const d = obj(done, 'firstMirror');
  const since = (/** @type {string} */ key) => num(d[key], key) - startedAt - skewMs;
  return {
    firstMessageMs: since('firstMessageAt'),
    lastMessageMs: since('lastMessageAt'),
    builtMs: since('builtAt'),
    shownMs: since('shownAt'),
    messages: num(d.messages, 'messages'),
    chars: num(d.chars, 'chars'),
  };
}
