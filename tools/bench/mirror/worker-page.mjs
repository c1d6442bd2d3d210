// The hop from an extension's service worker to one of its pages, two ways: the runtime port
// (chrome.runtime.connect; what the viewer used alone before the lane) and a MessagePort the
// page hands the worker (the viewer lane, extension/background/sw.js). Round trips to an echo in
// the worker (worker-page-ext/, a benchmark-only extension), paced like the glass-to-glass run
// (one message every --gap ms) and taking turns of 50. Not a test: it asserts nothing.
// README ("The mirror against rrweb") and ARCHITECTURE.md quote it.
//
// Usage: node tools/bench/mirror/worker-page.mjs [--messages N] [--gap MS]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../../tests/e2e/harness.mjs';
import { numberOption } from './args.mjs';
import { percentile } from './stats.mjs';

const MESSAGES = numberOption('--messages', 400);
const GAP_MS = numberOption('--gap', 18);
const WARMUP = 20;
const TURN = 50;

const extensionDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'worker-page-ext');
// No relay is used: the extension has no native host.
const browser = await launchBrowser({ name: 'bench-worker-page', relayUrl: 'ws://127.0.0.1:9/v1', extensionDir });
try {
  const page = await browser.context.newPage();
  await page.goto(`${browser.origin}/page.html`);
  const got = await page.evaluate(
    async ({ total, turn, gapMs }) => {
      const runtime = chrome.runtime.connect({ name: 'bench' });
      const reg = await navigator.serviceWorker.ready;
      const lane = new MessageChannel();
      if (!reg.active) throw new Error('no active service worker');
      reg.active.postMessage('lane', [lane.port2]);
      /** @type {((t: number) => void) | null} */
      let waiting = null;
      const arrived = () => waiting?.(performance.now());
      runtime.onMessage.addListener(arrived);
      lane.port1.onmessage = arrived;
      /** @param {(m: object) => void} send @param {number} n */
      const run = async (send, n) => {
        /** @type {number[]} */
        const out = [];
        for (let i = 0; i < n; i++) {
          if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
          const echoed = new Promise((resolve) => (waiting = resolve));
          const sent = performance.now();
          send({ seq: i, pad: 'x'.repeat(40) });
          out.push(/** @type {number} */ (await echoed) - sent);
        }
        return out;
      };
      /** @type {{runtime: number[], lane: number[]}} */
      const r = { runtime: [], lane: [] };
      for (let done = 0; done < total; done += turn) {
        const n = Math.min(turn, total - done);
        r.runtime.push(...(await run((m) => runtime.postMessage(m), n)));
        r.lane.push(...(await run((m) => lane.port1.postMessage(m), n)));
      }
      return r;
    },
    { total: MESSAGES + WARMUP, turn: TURN, gapMs: GAP_MS },
  );
  /** @param {number[]} all */
  const cell = (all) => [50, 90, 99].map((p) => percentile(all.slice(WARMUP), p).toFixed(2)).join(' / ');
  console.log(`worker-page: service worker ⇄ extension page round trips, ${MESSAGES} messages (+${WARMUP} warm-up), one every ${GAP_MS} ms, p50 / p90 / p99 ms`);
  console.log(`  runtime port (chrome.runtime.connect): ${cell(got.runtime)}`);
  console.log(`  MessagePort (the viewer lane):         ${cell(got.lane)}`);
} finally {
  await browser.close();
}
