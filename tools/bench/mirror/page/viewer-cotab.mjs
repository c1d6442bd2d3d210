// Viewer page, Cotab side: the extension's Mirror (extension/viewer/mirror.js) in a normal page,
// applying the messages that arrive from the benchmark's relay.
import { Mirror } from '../../../../extension/viewer/mirror.js';
import { FirstMirror } from './first-mirror.mjs';
import { ProbeWatcher } from './probe.mjs';
import { openSocket, register } from './registry.mjs';

/** @type {Mirror | undefined} */
let mirror;
/** @type {ProbeWatcher | undefined} */
let watcher;
const firstMirror = new FirstMirror();
let events = 0;
/** @type {string | null} */
let desync = null;

register({
  /** @param {{url: string}} arg */
  cotabMirrorStart: async ({ url }) => {
    const ws = await openSocket(url);
    const m = new Mirror({
      host: document.body,
      onState: (s) => {
        if (s.phase === 'live') firstMirror.built();
      },
      onDesync: (why) => {
        desync = why;
      },
    });
    ws.onmessage = (e) => {
      events += 1;
      const text = String(e.data);
      firstMirror.received(text.length);
      m.handle(JSON.parse(text));
    };
    mirror = m;
    watcher = new ProbeWatcher(() => m.frame?.contentDocument ?? null);
  },

  /** @param {number} timeoutMs */
  firstMirror: (timeoutMs) => firstMirror.wait(timeoutMs),

  eventsReceived: () => events,
  desync: () => desync,

  /** @param {number} timeoutMs */
  probeReady: (timeoutMs) => {
    if (!watcher) throw new Error('no mirror');
    return watcher.ready(timeoutMs);
  },

  /** @param {{seq: number, timeoutMs: number}} arg */
  probeSeen: ({ seq, timeoutMs }) => {
    if (!watcher) throw new Error('no mirror');
    return watcher.when(seq, timeoutMs);
  },

  mirrorAlive: () => mirror !== undefined,
});
