// Customer page, Cotab side: the extension's Recorder (extension/content/serializer.js) run in a
// normal page, timed alone or streaming its messages to the benchmark's relay.
import { Recorder } from '../../../../extension/content/serializer.js';
import { MainThreadMonitor } from './main-thread.mjs';
import { installProbe, setProbe } from './probe.mjs';
import { collectGarbage, nextTask, openSocket, register, wallNow } from './registry.mjs';

let epoch = 0;
/** @type {Recorder | undefined} */
let sharing;
/** @type {WebSocket | undefined} */
let socket;

/** @param {unknown} msg */
function kindOf(msg) {
  return typeof msg === 'object' && msg !== null ? Reflect.get(msg, 'k') : undefined;
}

register({
  installProbe: () => installProbe(document),
  setProbe: (/** @type {number} */ seq) => setProbe(document, seq),

  /**
   * One snapshot by the Recorder, timed from start() to the moment it emitted `snapend`. The
   * messages are only collected while it runs (no JSON, no posting: rrweb-snapshot's figure
   * has none either); with `keep` they are returned as JSON texts afterwards.
   * @param {{keep: boolean, heartbeat: boolean}} arg
   */
  cotabSnapshot: async ({ keep, heartbeat }) => {
    collectGarbage();
    await nextTask();
    /** @type {object[]} */
    const messages = [];
    let snapendAt = NaN;
    const recorder = new Recorder({
      doc: document,
      emit: (msg) => {
        messages.push(msg);
        if (kindOf(msg) === 'snapend' && Number.isNaN(snapendAt)) snapendAt = performance.now();
      },
    });
    const monitor = new MainThreadMonitor();
    monitor.start({ heartbeat });
    await nextTask(); // let the heartbeat get going
    const t0 = performance.now();
    await recorder.start(++epoch);
    recorder.stop();
    await nextTask();
    await nextTask();
    const main = monitor.stop(snapendAt);
    const parts = messages.filter((m) => kindOf(m) === 'part').length;
    const stats = recorder.stats;
    return {
      wallMs: snapendAt - t0,
      ...main,
      messages: messages.length,
      parts,
      // The Recorder's own account: its slices and the longest of them.
      recorder: { slices: stats.slices, maxSliceMs: stats.maxSliceMs, snapshotMs: stats.snapshotMs, records: stats.records },
      json: keep ? messages.map((m) => JSON.stringify(m)) : null,
    };
  },

  /**
   * Starts the Recorder streaming every message as JSON to the relay at `url`.
   * @param {{url: string}} arg
   * @returns {Promise<{startedAt: number, snapendAt: number}>} wall-clock ms
   */
  cotabShare: async ({ url }) => {
    socket = await openSocket(url);
    const ws = socket;
    let snapendAt = NaN;
    const recorder = new Recorder({
      doc: document,
      emit: (msg) => {
        ws.send(JSON.stringify(msg));
        if (kindOf(msg) === 'snapend' && Number.isNaN(snapendAt)) snapendAt = wallNow();
      },
    });
    sharing = recorder;
    const startedAt = wallNow();
    await recorder.start(++epoch);
    return { startedAt, snapendAt };
  },

  cotabStop: () => {
    sharing?.stop();
    sharing = undefined;
    socket?.close();
    socket = undefined;
  },
});
