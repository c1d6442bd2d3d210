// Viewer page, rrweb side: rrweb's Replayer in live mode fed from the benchmark's relay.
import { Replayer, ReplayerEvents } from 'rrweb';
import { FirstMirror } from './first-mirror.mjs';
import { ProbeWatcher } from './probe.mjs';
import { openSocket, register } from './registry.mjs';

/**
 * How the Replayer is run:
 * - 'default': as rrweb's live-mode guide shows it: `startLive()` (baseline = now, no buffer);
 *   each event is scheduled on the replayer's requestAnimationFrame timer;
 * - 'arrival': every event applied as it arrives: the baseline is set past every event's
 *   timestamp, so addEvent casts each one synchronously (in a microtask), and useVirtualDom is off
 *   (with it on, events applied "synchronously" go into a virtual DOM that live mode never
 *   flushes to the iframe).
 * @typedef {'default' | 'arrival'} LiveConfig
 */

/** How far ahead of now the 'arrival' baseline is put: past any event of the run. */
const ARRIVAL_BASELINE_AHEAD_MS = 365 * 24 * 3600 * 1000;

/** @type {Replayer | undefined} */
let replayer;
/** @type {ProbeWatcher | undefined} */
let watcher;
const firstMirror = new FirstMirror();
let events = 0;

register({
  /**
   * @param {{url: string, config: LiveConfig}} arg
   */
  rrwebReplayerStart: async ({ url, config }) => {
    const ws = await openSocket(url);
    const live = new Replayer([], {
      root: document.body,
      liveMode: true,
      loadTimeout: 0,
      showWarning: false,
      mouseTail: false,
      useVirtualDom: config !== 'arrival',
    });
    live.on(ReplayerEvents.FullsnapshotRebuilded, () => firstMirror.built());
    if (config === 'arrival') live.startLive(Date.now() + ARRIVAL_BASELINE_AHEAD_MS);
    else live.startLive();
    ws.onmessage = (m) => {
      events += 1;
      const text = String(m.data);
      firstMirror.received(text.length);
      live.addEvent(JSON.parse(text));
    };
    replayer = live;
    watcher = new ProbeWatcher(() => live.iframe.contentDocument);
  },

  /** @param {number} timeoutMs */
  firstMirror: (timeoutMs) => firstMirror.wait(timeoutMs),

  eventsReceived: () => events,

  /** @param {number} timeoutMs */
  probeReady: (timeoutMs) => {
    if (!watcher) throw new Error('no replayer');
    return watcher.ready(timeoutMs);
  },

  /** @param {{seq: number, timeoutMs: number}} arg */
  probeSeen: ({ seq, timeoutMs }) => {
    if (!watcher) throw new Error('no replayer');
    return watcher.when(seq, timeoutMs);
  },

  replayerAlive: () => replayer !== undefined,
});
