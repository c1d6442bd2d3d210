// Chrome's native messaging alone: the extension's service worker and a host that does nothing
// but echo (build/bin/cotab-bench-echo, tools/bench/nm_echo.cpp), in a Chromium with the real
// extension. Cotab's glass-to-glass path crosses native messaging twice (customer worker → its
// host, agent's host → agent worker), so these legs are a floor under Cotab's latency that no
// change inside Cotab can remove while it uses native messaging.
//
// The worker posts one message at a time, of the size the customer's worker posts for one probe
// change, paced like the glass-to-glass run: it takes a turn right after each of Cotab's turns
// and replays that turn's gaps between changes, because Chrome's read of a host's stdout wakes
// more slowly after the pipe has been idle (and because load on the machine drifts). A
// back-to-back turn beside it (next message as soon as the echo is in) shows that effect. The
// echo stamps its receive time with the wall clock; the worker's clock (timeOrigin + now()) is
// put on the same clock through Date.now(), which reads the same system clock as the host.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launchBrowser } from '../../../tests/e2e/harness.mjs';
import { repoRoot } from './bundles.mjs';
import { CHANGE_TIMEOUT_MS } from './latency.mjs';
import { median, summarize } from './stats.mjs';

export const ECHO_BIN = path.join(repoRoot, 'build/bin/cotab-bench-echo');
/** The echo's name in the benchmark profile's NativeMessagingHosts, beside io.cotab.host. */
export const ECHO_HOST_NAME = 'io.cotab.bench_echo';
/** Size of each message until the glass-to-glass run gives one. */
export const FALLBACK_MESSAGE_CHARS = 60;
/** Where the worker keeps the port and its state between turns. */
const STATE_KEY = '__cotabBenchEcho';

/**
 * @typedef {object} NativeMessagingRun
 * @property {number} n messages measured (warm-up excluded)
 * @property {number} warmup messages sent first and discarded
 * @property {number} gapMs median time from one post to the next, as sent
 * @property {ReturnType<typeof summarize>} toHost worker's postMessage → the echo has read the frame
 * @property {ReturnType<typeof summarize>} toWorker the echo has read it → the worker's onMessage
 * @property {ReturnType<typeof summarize>} roundTrip postMessage → onMessage (needs no clock)
 */

/**
 * @typedef {object} NativeMessagingFigures
 * @property {number} messageChars JSON characters of each message the worker posted (the median)
 * @property {number} pacingGapMs median of the gaps asked for (the paced run's changes' gaps)
 * @property {NativeMessagingRun} paced
 * @property {NativeMessagingRun} backToBack
 * @property {{offsetMs: number, spreadMs: number, driftMs: number}} clock worker clock − system clock (from
 *   Date.now()): the mean of the start and end medians (subtracted from the one-way legs), the samples'
 *   widest spread (max − min) and end − start
 */

/**
 * Worker clock minus Date.now(), in the worker: at each tick of Date.now() the high-resolution
 * clock is read; median over `samples` ticks, and max − min.
 * @param {import('playwright-core').Worker} worker
 * @param {number} [samples]
 * @returns {Promise<{offsetMs: number, spreadMs: number}>}
 */
async function workerClockOffset(worker, samples = 21) {
  const offsets = await worker.evaluate((n) => {
    /** @type {number[]} */
    const out = [];
    for (let i = 0; i < n; i++) {
      const d0 = Date.now();
      let d = d0;
      while (d === d0) d = Date.now();
      out.push(performance.timeOrigin + performance.now() - d);
    }
    return out;
  }, samples);
  return { offsetMs: median(offsets), spreadMs: Math.max(...offsets) - Math.min(...offsets) };
}

/** @typedef {'paced' | 'backToBack'} Mode */

/**
 * The echo's port opened from the extension's worker in its own browser, measured in turns.
 * @typedef {object} NativeEcho
 * @property {(mode: Mode, count: number, gapsMs: number[], chars: number) => Promise<void>} turn
 *   `count` messages of `chars` JSON characters, one at a time; paced: message i + 1 posted
 *   gapsMs[i] after message i (cycled; never before its echo is in), back to back: at once
 * @property {() => Promise<NativeMessagingFigures>} figures
 * @property {() => Promise<void>} close
 */

/**
 * A Chromium with the real extension and the echo registered beside io.cotab.host (its session
 * idle: no relay is used).
 * @param {string} name
 * @returns {Promise<import('../../../tests/e2e/harness.mjs').CotabBrowser>}
 */
export async function launchWithEcho(name) {
  if (!existsSync(ECHO_BIN)) throw new Error(`${path.relative(repoRoot, ECHO_BIN)} missing (tools/build default)`);
  const browser = await launchBrowser({ name, relayUrl: 'ws://127.0.0.1:9/v1' });
  try {
    writeFileSync(
      path.join(browser.userDataDir, 'NativeMessagingHosts', `${ECHO_HOST_NAME}.json`),
      JSON.stringify({
        name: ECHO_HOST_NAME,
        description: 'Cotab benchmark echo host',
        path: ECHO_BIN,
        type: 'stdio',
        allowed_origins: [`${browser.origin}/`],
      }),
    );
    return browser;
  } catch (e) {
    await browser.close();
    throw e;
  }
}

/**
 * @param {{warmup: number}} opts the first `warmup` messages of each mode are discarded
 * @returns {Promise<NativeEcho>}
 */
export async function openNativeEcho({ warmup }) {
  const browser = await launchWithEcho('bench-native-messaging');
  try {
    const worker = await browser.currentWorker();
    const start = await workerClockOffset(worker);
    await worker.evaluate(
      ({ key, name }) => {
        const port = chrome.runtime.connectNative(name);
        /** @type {Map<number, (m: {t: number, hostMs: number}) => void>} */
        const waiting = new Map();
        /** @type {string[]} */
        const problems = [];
        port.onMessage.addListener((m) => {
          const t = performance.timeOrigin + performance.now();
          const seq = m?.seq;
          const hostMs = m?.hostMs;
          const resolve = typeof seq === 'number' ? waiting.get(seq) : undefined;
          if (!resolve || typeof hostMs !== 'number') {
            problems.push(JSON.stringify(m).slice(0, 200));
            return;
          }
          waiting.delete(seq);
          resolve({ t, hostMs });
        });
        port.onDisconnect.addListener(() => problems.push(`disconnected: ${chrome.runtime.lastError?.message ?? ''}`));
        Reflect.set(globalThis, key, { port, waiting, problems, seq: 1_000_000 });
      },
      { key: STATE_KEY, name: ECHO_HOST_NAME },
    );

    /** @type {Record<Mode, [number, number, number][]>} [posted, host read, received], warm-up included */
    const samples = { paced: [], backToBack: [] };
    /** @type {Record<Mode, number[]>} from one post to the next within a turn, as sent (warm-up excluded) */
    const sentGaps = { paced: [], backToBack: [] };
    /** @type {number[]} */
    const askedGaps = [];
    /** @type {number[]} */
    const sizes = [];

    return {
      async turn(mode, count, gapsMs, chars) {
        const gaps = mode === 'paced' ? Array.from({ length: count }, (_, i) => gapsMs[i % gapsMs.length] ?? 0) : [];
        const got = await worker.evaluate(
          async ({ key, count, gaps, chars, timeoutMs }) => {
            const state = Reflect.get(globalThis, key);
            const now = () => performance.timeOrigin + performance.now();
            // {"seq":N,"pad":"x…x"} of `chars` characters (N has 7 digits).
            const pad = 'x'.repeat(Math.max(0, chars - '{"seq":1000000,"pad":""}'.length));
            /** @type {[number, number, number][]} */
            const out = [];
            let nextAt = now();
            for (let i = 0; i < count; i++) {
              const wait = nextAt - now();
              if (wait > 0) await new Promise((r) => setTimeout(r, wait));
              const seq = state.seq++;
              /** @type {Promise<{t: number, hostMs: number}>} */
              const echoed = new Promise((resolve, reject) => {
                const timer = setTimeout(() => reject(new Error(`no echo of ${seq} in ${timeoutMs} ms; ${state.problems.join('; ')}`)), timeoutMs);
                state.waiting.set(seq, (/** @type {{t: number, hostMs: number}} */ m) => {
                  clearTimeout(timer);
                  resolve(m);
                });
              });
              const posted = now();
              state.port.postMessage({ seq, pad });
              const { t, hostMs } = await echoed;
              out.push([posted, hostMs, t]);
              nextAt = posted + (gaps[i] ?? 0);
            }
            return out;
          },
          { key: STATE_KEY, count, gaps, chars, timeoutMs: CHANGE_TIMEOUT_MS },
        );
        for (const [i, s] of got.entries()) {
          const counted = samples[mode].push(s) > warmup;
          if (counted && i > 0) sentGaps[mode].push(s[0] - got[i - 1][0]);
          if (counted && mode === 'paced' && i < got.length - 1) askedGaps.push(gaps[i]);
          if (counted && mode === 'paced') sizes.push(chars);
        }
      },
      async figures() {
        const end = await workerClockOffset(worker);
        const offsetMs = (start.offsetMs + end.offsetMs) / 2;
        /** @param {Mode} mode @returns {NativeMessagingRun} */
        const run = (mode) => {
          const s = samples[mode].slice(warmup);
          return {
            n: s.length,
            warmup,
            gapMs: median(sentGaps[mode]),
            toHost: summarize(s.map(([posted, host]) => host + offsetMs - posted)),
            toWorker: summarize(s.map(([, host, received]) => received - (host + offsetMs))),
            roundTrip: summarize(s.map(([posted, , received]) => received - posted)),
          };
        };
        return {
          messageChars: median(sizes),
          pacingGapMs: median(askedGaps),
          paced: run('paced'),
          backToBack: run('backToBack'),
          clock: { offsetMs, spreadMs: Math.max(start.spreadMs, end.spreadMs), driftMs: end.offsetMs - start.offsetMs },
        };
      },
      async close() {
        try {
          await worker.evaluate((key) => Reflect.get(globalThis, key)?.port.disconnect(), STATE_KEY);
        } finally {
          await browser.close();
        }
      },
    };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
