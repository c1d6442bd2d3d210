// Glass-to-glass latency: a change in the customer's page (the probe's text set to a sequence
// number) until the viewer's mirror document holds it, timed by the two pages' own clocks (both
// browsers run on this machine; the clock skew between them, measured through Node, is
// subtracted). One change at a time: the next is made after the previous has arrived, so the
// figure is latency, not throughput. The rigs (rrweb's, Cotab's in cotab-live.mjs) stay open
// side by side and take turns.
import { call, clockSkew, launchPlainBrowser, loadScripts, newPage, num } from './browsers.mjs';

/** How long one change may take to show before it counts as lost. */
export const CHANGE_TIMEOUT_MS = 5000;
/** How long the first mirror (the snapshot) may take to show the probe. */
export const MIRROR_READY_TIMEOUT_MS = 60_000;

/**
 * @typedef {object} LatencyResult
 * @property {number[]} samplesMs latencies of the measured changes (warm-up excluded)
 * @property {number} warmup changes made first and discarded
 * @property {number} lost changes that never showed within CHANGE_TIMEOUT_MS
 * @property {{skewMs: number, uncertaintyMs: number}} clock viewer clock minus customer clock
 * @property {[number, number, number][]} timeline the measured changes: [seq, changed at (customer clock), shown at (viewer clock)]
 * @property {string} [error] why the rig stopped early (its samples so far are kept)
 */

/**
 * One customer → viewer pair ready to measure.
 * @typedef {object} LatencyRig
 * @property {string} name
 * @property {(seq: number) => Promise<number>} change makes change `seq`; resolves with its wall time in the customer page
 * @property {(seq: number) => Promise<number | null>} seen resolves with the viewer's wall time when `seq` showed (null: lost)
 * @property {{skewMs: number, uncertaintyMs: number}} clock viewer clock minus customer clock
 * @property {() => Promise<void>} close
 * @property {(timeline: [number, number, number][]) => Promise<Record<string, number[]>>} [segments] where along its path the time went
 */

/** Changes a rig makes in a row before the next rig's turn. */
export const CHANGES_PER_TURN = 50;

/**
 * Measures all rigs, taking turns (CHANGES_PER_TURN changes each), so that load on the machine,
 * which drifts, falls on all of them alike. Each rig's first `warmup` changes are discarded.
 * @param {LatencyRig[]} rigs
 * @param {{changes: number, warmup: number}} counts
 * @param {(rig: LatencyRig, changedAt: number[]) => Promise<void>} [afterTurn] runs after each
 *   rig's completed turn with the customer-page times of the changes it made, in order (warm-up
 *   included): a measurement that copies the rig's pacing takes its turn there
 * @returns {Promise<Map<string, LatencyResult>>}
 */
export async function measureLatency(rigs, { changes, warmup }, afterTurn) {
  /** @type {Map<string, LatencyResult>} */
  const results = new Map(rigs.map((r) => [r.name, { samplesMs: [], warmup, lost: 0, clock: r.clock, timeline: [] }]));
  const total = warmup + changes;
  for (let from = 1; from <= total; from += CHANGES_PER_TURN) {
    for (const rig of rigs) {
      const result = results.get(rig.name);
      if (!result || result.error) continue;
      /** @type {number[]} */
      const turn = [];
      try {
        for (let seq = from; seq < from + CHANGES_PER_TURN && seq <= total; seq++) {
          const changedAt = await rig.change(seq);
          turn.push(changedAt);
          const shownAt = await rig.seen(seq);
          if (shownAt === null) result.lost++;
          else if (seq > warmup) {
            result.samplesMs.push(shownAt - changedAt - rig.clock.skewMs);
            result.timeline.push([seq, changedAt, shownAt]);
          }
        }
      } catch (e) {
        result.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
        continue;
      }
      if (afterTurn) await afterTurn(rig, turn);
    }
  }
  return results;
}

/**
 * rrweb as a live integrator runs it: record() in the customer's page (a normal page, no
 * extension) → a WebSocket relay on 127.0.0.1 → a page in a second browser running Replayer in
 * live mode, addEvent on arrival.
 * @param {object} opts
 * @param {import('./server.mjs').BenchServer} opts.server
 * @param {string} opts.pageUrl
 * @param {import('./page/viewer-rrweb.mjs').LiveConfig} opts.config
 * @returns {Promise<LatencyRig>}
 */
export async function rrwebRig({ server, pageUrl, config }) {
  const customerBrowser = await launchPlainBrowser();
  const viewerBrowser = await launchPlainBrowser().catch(async (e) => {
    await customerBrowser.close();
    throw e;
  });
  const close = async () => {
    await Promise.allSettled([customerBrowser.close(), viewerBrowser.close()]);
  };
  try {
    const room = `rrweb-live-${config}`;
    const viewer = await newPage(viewerBrowser);
    await viewer.goto(`${server.origin}/blank`);
    await loadScripts(viewer, ['rrwebViewer']);
    await call(viewer, 'rrwebReplayerStart', { url: server.relayUrl(room, 'viewer'), config });

    const customer = await newPage(customerBrowser);
    await customer.goto(pageUrl, { waitUntil: 'load' });
    await loadScripts(customer, ['rrwebCustomer']);
    await call(customer, 'installProbe');
    await call(customer, 'rrwebRecord', { url: server.relayUrl(room, 'customer') });
    if ((await call(viewer, 'probeReady', MIRROR_READY_TIMEOUT_MS)) !== true) throw new Error(`rrweb ${config}: the mirror never showed the page`);
    return {
      name: `rrweb-${config}`,
      change: async (seq) => num(await call(customer, 'setProbe', seq), 'setProbe'),
      seen: async (seq) => {
        const t = await call(viewer, 'probeSeen', { seq, timeoutMs: CHANGE_TIMEOUT_MS });
        return t === null ? null : num(t, 'probeSeen');
      },
      clock: await clockSkew(customer, viewer),
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}
