// Cotab's glass-to-glass latency through the whole real path: two Chromium browsers with the
// real unpacked extension, real cotab-host processes (started by Chromium), a local cotab-relay,
// paired the way a user pairs them (tests/e2e/harness.mjs): content script → service worker →
// host (zstd + encryption) → relay → host → service worker → viewer → Mirror.
import { connectPair, launchBrowser, startRelay } from '../../../tests/e2e/harness.mjs';
import { VIEWPORT, call, clockSkew, loadScripts, num } from './browsers.mjs';
import { bundle } from './bundles.mjs';
import { CHANGE_TIMEOUT_MS, MIRROR_READY_TIMEOUT_MS } from './latency.mjs';

/**
 * Puts a bundled script into a page through the DevTools protocol (extension pages refuse
 * inline scripts; Runtime.evaluate is not subject to the page's CSP).
 * @param {import('playwright-core').Page} page
 * @param {string} source
 */
async function evaluateScript(page, source) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const r = await cdp.send('Runtime.evaluate', { expression: source, awaitPromise: false });
    if (r.exceptionDetails) throw new Error(`script failed in ${page.url()}: ${r.exceptionDetails.text}`);
  } finally {
    await cdp.detach();
  }
}

/**
 * Where along the path a probe change was seen, in a service worker: its messages on the
 * content port, the viewer port and the native host's port, each stamped with the wall clock
 * when the worker received (`in`) or posted (`out`) it, with its size as JSON. Added beside the
 * extension's own listeners (the same Port object reaches every onConnect listener;
 * connectNative is wrapped before the session opens its host port); the extension's code is not
 * changed.
 * @typedef {{port: string, dir: 'in' | 'out', seq: number, t: number, chars: number}} Tap
 */

/** @param {import('../../../tests/e2e/harness.mjs').CotabBrowser} browser */
async function tapServiceWorker(browser) {
  const worker = await browser.currentWorker();
  return worker.evaluate(() => {
    /** @type {Tap[]} */
    const taps = [];
    Reflect.set(globalThis, '__cotabBenchTaps', taps);
    // The probe's text op inside any message: [4, id, "seq"].
    const probeOp = /\[4,\d+,"(\d+)"\]/;
    /** @param {chrome.runtime.Port} port @param {string} name */
    const tap = (port, name) => {
      port.onMessage.addListener((m) => {
        const t = performance.timeOrigin + performance.now();
        const json = JSON.stringify(m);
        const hit = probeOp.exec(json);
        if (hit) taps.push({ port: name, dir: 'in', seq: Number(hit[1]), t, chars: json.length });
      });
      const post = port.postMessage.bind(port);
      port.postMessage = (m) => {
        const json = JSON.stringify(m);
        const hit = probeOp.exec(json);
        // Stamped after the tap's own work, just before the post.
        if (hit) taps.push({ port: name, dir: 'out', seq: Number(hit[1]), t: performance.timeOrigin + performance.now(), chars: json.length });
        post(m);
      };
    };
    chrome.runtime.onConnect.addListener((port) => tap(port, port.name));
    // The viewer's lane (a MessagePort, sw.js): what the worker posts there goes to the viewer.
    const lanePost = MessagePort.prototype.postMessage;
    MessagePort.prototype.postMessage = function (/** @type {unknown} */ m, /** @type {any} */ transfer) {
      const json = JSON.stringify(m) ?? '';
      const hit = probeOp.exec(json);
      if (hit) taps.push({ port: 'cotab-viewer', dir: 'out', seq: Number(hit[1]), t: performance.timeOrigin + performance.now(), chars: json.length });
      return lanePost.call(this, m, transfer);
    };
    // The data channel to the host (PROTOCOL.md §3.4): the worker opens it with `new WebSocket`
    // after this ran, so a subclass taps it (its listener first, before the extension's).
    const Base = globalThis.WebSocket;
    if (typeof Base === 'function') {
      globalThis.WebSocket = class extends Base {
        /** @param {string | URL} url @param {string | string[]} [protocols] */
        constructor(url, protocols) {
          super(url, protocols);
          this.addEventListener('message', (ev) => {
            const t = performance.timeOrigin + performance.now();
            const text = typeof ev.data === 'string' ? ev.data : '';
            const hit = probeOp.exec(text);
            if (hit) taps.push({ port: 'channel', dir: 'in', seq: Number(hit[1]), t, chars: text.length });
          });
        }
        /** @override @param {string | ArrayBufferLike | Blob | ArrayBufferView} data */
        send(data) {
          const hit = typeof data === 'string' ? probeOp.exec(data) : null;
          if (hit) taps.push({ port: 'channel', dir: 'out', seq: Number(hit[1]), t: performance.timeOrigin + performance.now(), chars: String(data).length });
          super.send(data);
        }
      };
    }
    try {
      const connectNative = chrome.runtime.connectNative.bind(chrome.runtime);
      chrome.runtime.connectNative = (name) => {
        const port = connectNative(name);
        tap(port, 'native');
        return port;
      };
      return true;
    } catch {
      return false; // no native segments then
    }
  });
}

/**
 * @param {import('../../../tests/e2e/harness.mjs').CotabBrowser} browser
 * @returns {Promise<Tap[]>}
 */
async function readTaps(browser) {
  const worker = await browser.currentWorker();
  const taps = await worker.evaluate(() => {
    const t = Reflect.get(globalThis, '__cotabBenchTaps');
    return Array.isArray(t) ? JSON.stringify(t) : '[]';
  });
  /** @type {unknown} */
  const parsed = JSON.parse(taps);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (x) =>
      typeof x?.port === 'string' &&
      (x.dir === 'in' || x.dir === 'out') &&
      Number.isInteger(x.seq) &&
      typeof x.t === 'number' &&
      typeof x.chars === 'number',
  );
}

/**
 * The path's segments for each measured change (wall-clock ms), where the taps saw it.
 * @typedef {object} CotabSegments
 * @property {number[]} pageToCustomerWorker the page's change → the customer's worker has the `m` batch (MutationObserver, batching, content port)
 * @property {number[]} customerWorker that → posted to the native host
 * @property {number[]} hostsAndRelay posted to the customer's host → the agent's worker received `recv` (native messaging ×2, zstd, encryption, relay)
 * @property {number[]} agentWorker received → posted to the viewer
 * @property {number[]} workerToMirror posted to the viewer → in the mirror's DOM (viewer port, Mirror)
 */

/**
 * JSON sizes of the native messages that carried a probe change.
 * @typedef {object} NativeChars
 * @property {number[]} toHost what the customer's worker posted to its host
 * @property {number[]} toWorker what the agent's host sent its worker
 */

/**
 * @param {object} opts
 * @param {string} opts.pageUrl an http://127.0.0.1 page (the content script's match)
 * @param {(line: string) => void} opts.log
 * @returns {Promise<import('./latency.mjs').LatencyRig & {connectMs: number, nativeChars: () => Promise<NativeChars>}>}
 */
export async function cotabRig({ pageUrl, log }) {
  const relay = await startRelay();
  /** @type {import('../../../tests/e2e/harness.mjs').CotabBrowser[]} */
  const browsers = [];
  const close = async () => {
    await Promise.allSettled(browsers.map((b) => b.close()));
    await relay.close();
  };
  try {
    const customer = await launchBrowser({ name: 'bench-customer', relayUrl: relay.url, viewport: VIEWPORT });
    browsers.push(customer);
    const agent = await launchBrowser({ name: 'bench-agent', relayUrl: relay.url, viewport: VIEWPORT });
    browsers.push(agent);
    await tapServiceWorker(customer);
    await tapServiceWorker(agent);
    const customerPage = await customer.context.newPage();
    await customerPage.goto(pageUrl, { waitUntil: 'load' });
    await loadScripts(customerPage, ['probeCustomer']);
    await call(customerPage, 'installProbe');
    const t0 = performance.now();
    const pair = await connectPair({ customer, agent, customerPage, timeout: MIRROR_READY_TIMEOUT_MS });
    const connectMs = performance.now() - t0;
    log(`cotab: shared, joined, allowed and live in ${(connectMs / 1000).toFixed(1)} s`);
    const viewer = pair.viewer;
    await evaluateScript(viewer, await bundle('extensionViewer'));
    const clock = await clockSkew(customerPage, viewer);
    const skewMs = clock.skewMs;
    if ((await call(viewer, 'probeReady', MIRROR_READY_TIMEOUT_MS)) !== true) throw new Error('cotab: the mirror never showed the probe');
    return {
      name: 'cotab',
      change: async (seq) => num(await call(customerPage, 'setProbe', seq), 'setProbe'),
      seen: async (seq) => {
        const t = await call(viewer, 'probeSeen', { seq, timeoutMs: CHANGE_TIMEOUT_MS });
        return t === null ? null : num(t, 'probeSeen');
      },
      clock,
      close,
      connectMs,
      nativeChars: async () => {
        const [c, a] = await Promise.all([readTaps(customer), readTaps(agent)]);
        return {
          toHost: c.filter((x) => (x.port === 'native' || x.port === 'channel') && x.dir === 'out').map((x) => x.chars),
          toWorker: a.filter((x) => (x.port === 'native' || x.port === 'channel') && x.dir === 'in').map((x) => x.chars),
        };
      },
      segments: async (timeline) => {
        const [c, a] = await Promise.all([readTaps(customer), readTaps(agent)]);
        /** @param {Tap[]} taps @param {string} port @param {'in' | 'out'} dir */
        const index = (taps, port, dir) => new Map(taps.filter((x) => x.port === port && x.dir === dir).map((x) => [x.seq, x.t]));
        const contentIn = index(c, 'cotab-content', 'in');
        // A change goes to the host on the data channel once it is up, natively before.
        const nativeOut = new Map([...index(c, 'native', 'out'), ...index(c, 'channel', 'out')]);
        const nativeIn = new Map([...index(a, 'native', 'in'), ...index(a, 'channel', 'in')]);
        const viewerOut = index(a, 'cotab-viewer', 'out');
        /** @type {CotabSegments} */
        const seg = { pageToCustomerWorker: [], customerWorker: [], hostsAndRelay: [], agentWorker: [], workerToMirror: [] };
        for (const [seq, changedAt, shownAt] of timeline) {
          const t1 = contentIn.get(seq);
          const t2 = nativeOut.get(seq);
          const t3 = nativeIn.get(seq);
          const t4 = viewerOut.get(seq);
          if (t1 === undefined || t2 === undefined || t3 === undefined || t4 === undefined) continue;
          seg.pageToCustomerWorker.push(t1 - changedAt);
          seg.customerWorker.push(t2 - t1);
          seg.hostsAndRelay.push(t3 - t2 - skewMs); // the one segment between the two browsers
          seg.agentWorker.push(t4 - t3);
          seg.workerToMirror.push(shownAt - t4);
        }
        return seg;
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}
