// Customer page, rrweb side: rrweb's record() streaming to the benchmark's relay as a live
// integrator runs it, and rrweb-snapshot's snapshot(document) timed alone.
import { record } from 'rrweb';
import { snapshot } from 'rrweb-snapshot';
import { MainThreadMonitor } from './main-thread.mjs';
import { installProbe, setProbe } from './probe.mjs';
import { collectGarbage, nextTask, openSocket, register, wallNow } from './registry.mjs';

/** @type {(() => void) | undefined} */
let stopRecording;
/** @type {WebSocket | undefined} */
let socket;

register({
  installProbe: () => installProbe(document),
  setProbe: (/** @type {number} */ seq) => setProbe(document, seq),

  /**
   * Starts rrweb's recorder, every event sent as JSON to the relay at `url`.
   * @param {{url: string}} arg
   * @returns {Promise<{startedAt: number}>} wall-clock ms just before record() was called
   */
  rrwebRecord: async ({ url }) => {
    socket = await openSocket(url);
    const ws = socket;
    const startedAt = wallNow();
    stopRecording = record({ emit: (event) => ws.send(JSON.stringify(event)) });
    return { startedAt };
  },

  rrwebStop: () => {
    stopRecording?.();
    stopRecording = undefined;
    socket?.close();
    socket = undefined;
  },

  /**
   * One rrweb-snapshot snapshot(document), timed.
   * @param {{keep: boolean, heartbeat: boolean}} arg
   */
  rrwebSnapshot: async ({ keep, heartbeat }) => {
    collectGarbage();
    await nextTask();
    const monitor = new MainThreadMonitor();
    monitor.start({ heartbeat });
    await nextTask(); // let the heartbeat get going
    const t0 = performance.now();
    const snap = snapshot(document);
    const t1 = performance.now();
    await nextTask();
    await nextTask();
    const main = monitor.stop(t1);
    if (!snap) throw new Error('rrweb-snapshot returned nothing');
    return { wallMs: t1 - t0, ...main, json: keep ? JSON.stringify(snap) : null };
  },
});
