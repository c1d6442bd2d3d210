// The transports an extension can reach a local process with, each as a round trip to an echo
// that does nothing else, paced like the glass-to-glass run (one message every --gap ms: after an
// idle gap) and back to back (the next message as soon as the echo is in):
// - Chrome native messaging to cotab-bench-echo (tools/bench/nm_echo.cpp), from the extension's
//   service worker and from an extension page (what Cotab crosses twice per change today);
// - a WebSocket to an echo on 127.0.0.1 (Node's ws, in this process), from the same extension page.
// One Chromium with the real extension; the three take turns of 50 messages, so that load on the
// machine, which drifts, falls on all of them alike. Messages are {"seq":N,"pad":"x…"} of --chars
// JSON characters. Not a test: it asserts nothing. README, "The mirror against rrweb", quotes it.
//
// Usage: node tools/bench/mirror/transports.mjs [--messages N] [--gap MS] [--chars N]
import { WebSocketServer } from 'ws';
import { ECHO_HOST_NAME, launchWithEcho } from './native-messaging.mjs';
import { numberOption } from './args.mjs';
import { percentile } from './stats.mjs';

const MESSAGES = numberOption('--messages', 400);
const GAP_MS = numberOption('--gap', 18);
const CHARS = numberOption('--chars', 60);
const WARMUP = 20;
const TURN = 50;
/** How long one echo may take before the run stops. */
const ECHO_TIMEOUT_MS = 5000;

/**
 * One turn in the extension realm it is evaluated in (worker or page): `count` messages over a
 * transport opened once per realm and kept in a global between turns. Self-contained: it is sent
 * to the browser as source.
 * @param {{kind: 'native' | 'websocket', host: string, url: string, count: number, gapMs: number, chars: number, timeoutMs: number}} a
 * @returns {Promise<number[]>} round trips, ms
 */
async function turnInRealm({ kind, host, url, count, gapMs, chars, timeoutMs }) {
  const key = `__cotabTransport_${kind}`;
  /** @type {{send: (m: object) => void, waiting: ((t: number) => void) | null}} */
  let t = Reflect.get(globalThis, key);
  if (!t) {
    /** @type {{send: (m: object) => void, waiting: ((t: number) => void) | null}} */
    const state = { send: () => {}, waiting: null };
    const arrived = () => state.waiting?.(performance.now());
    if (kind === 'native') {
      const port = chrome.runtime.connectNative(host);
      port.onMessage.addListener(arrived);
      state.send = (m) => port.postMessage(m);
    } else {
      const ws = new WebSocket(url);
      await new Promise((resolve, reject) => {
        ws.onopen = resolve;
        ws.onerror = () => reject(new Error(`websocket ${url} did not open`));
      });
      ws.onmessage = arrived;
      state.send = (m) => ws.send(JSON.stringify(m));
    }
    Reflect.set(globalThis, key, state);
    t = state;
  }
  const pad = 'x'.repeat(Math.max(0, chars - '{"seq":1000000,"pad":""}'.length));
  /** @type {number[]} */
  const out = [];
  for (let i = 0; i < count; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const state = t;
    const echoed = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${kind}: no echo in ${timeoutMs} ms`)), timeoutMs);
      state.waiting = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
    const sent = performance.now();
    state.send({ seq: 1_000_000 + i, pad });
    out.push(/** @type {number} */ (await echoed) - sent);
  }
  return out;
}

const echo = new WebSocketServer({ host: '127.0.0.1', port: 0 });
echo.on('connection', (socket) => socket.on('message', (data) => socket.send(data, { binary: false })));
await new Promise((resolve) => echo.once('listening', resolve));
const address = echo.address();
const url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;

const browser = await launchWithEcho('bench-transports');
try {
  const worker = await browser.currentWorker();
  const page = await browser.context.newPage();
  await page.goto(`${browser.origin}/popup/popup.html`); // any extension page
  /** @type {Array<{name: string, kind: 'native' | 'websocket', inWorker: boolean}>} */
  const rigs = [
    { name: 'native messaging, service worker ⇄ cotab-bench-echo', kind: 'native', inWorker: true },
    { name: 'native messaging, extension page ⇄ cotab-bench-echo', kind: 'native', inWorker: false },
    { name: 'WebSocket, extension page ⇄ echo on 127.0.0.1', kind: 'websocket', inWorker: false },
  ];
  /** @type {Map<string, {paced: number[], backToBack: number[]}>} */
  const got = new Map(rigs.map((r) => [r.name, { paced: [], backToBack: [] }]));
  for (let done = 0; done < MESSAGES + WARMUP; done += TURN) {
    const count = Math.min(TURN, MESSAGES + WARMUP - done);
    for (const mode of /** @type {const} */ (['paced', 'backToBack'])) {
      for (const rig of rigs) {
        const arg = { kind: rig.kind, host: ECHO_HOST_NAME, url, count, gapMs: mode === 'paced' ? GAP_MS : 0, chars: CHARS, timeoutMs: ECHO_TIMEOUT_MS };
        const rtts = rig.inWorker ? await worker.evaluate(turnInRealm, arg) : await page.evaluate(turnInRealm, arg);
        got.get(rig.name)?.[mode].push(...rtts);
      }
    }
  }
  /** @param {number[]} all */
  const cell = (all) => {
    const s = all.slice(WARMUP);
    return [50, 90, 99].map((p) => percentile(s, p).toFixed(2)).join(' / ');
  };
  console.log(`transports: round trip to a local echo, ${MESSAGES} messages of ${CHARS} JSON characters each (+${WARMUP} warm-up), p50 / p90 / p99 ms`);
  console.log(`paced: one message every ${GAP_MS} ms (as in the glass-to-glass run); back to back: the next as soon as the echo is in`);
  const rows = [['transport', `paced (${GAP_MS} ms gap)`, 'back to back'], ...rigs.map((r) => {
    const g = got.get(r.name);
    return [r.name, g ? cell(g.paced) : '', g ? cell(g.backToBack) : ''];
  })];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => c.padEnd(widths[j])).join(' | ').trimEnd());
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('-+-'));
  }
} finally {
  await browser.close();
  echo.close();
}
