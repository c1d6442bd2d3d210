// In-page side of the browser tests (bundled by harness.mjs with the real Recorder and Mirror).
// It loads a "customer" document in a same-origin iframe, records it with the Recorder, passes
// every message through JSON (the wire) and applies it with a Mirror into its sandboxed iframe.
// Exposed as window.cotabTest for page.evaluate().

import { APP_LIMITS, Recorder } from '../../../extension/content/serializer.js';
import { installHints } from '../../../extension/content/hints.js';
import { Mirror } from '../../../extension/viewer/mirror.js';
import { normalizeDom } from './normalize.js';

/**
 * @typedef {object} OpenOptions
 * @property {string} path  the customer page (served by the test server)
 * @property {string[]} [maskSelectors]
 * @property {string[]} [blockSelectors]
 * @property {boolean} [hints]  install the main-world hints in the customer document first
 * @property {boolean} [manualOverflow]  pass an onOverflow that only counts (the test restarts)
 * @property {number} [width]
 * @property {number} [height]
 */

/**
 * @typedef {object} Session
 * @property {HTMLIFrameElement} customerFrame
 * @property {Document} cdoc
 * @property {Window} cwin
 * @property {Recorder} recorder
 * @property {Mirror} mirror
 * @property {string[]} wire  every message as sent (JSON text)
 * @property {{phase: string, received: number, total: number}[]} states
 * @property {string[]} desyncs
 * @property {({x: number, y: number} | null)[]} pointers
 * @property {number[][]} viewports
 * @property {number} overflows
 * @property {OpenOptions} opts
 * @property {string} hintEvent
 */

/** @type {Session | null} */
let session = null;
/** @type {Mirror | null} */
let fedMirror = null;
/** @type {HTMLElement | null} */
let fedHost = null;

const HINT_EVENT = 'cotab-hint-' + Math.random().toString(36).slice(2);

/** @returns {Session} */
function current() {
  if (!session) throw new Error('no session: call open() first');
  return session;
}

/** @param {Window} win */
function frames(win, n = 2) {
  return new Promise((resolve) => {
    const step = () => (n-- <= 0 ? resolve(undefined) : win.requestAnimationFrame(step));
    step();
  });
}

function macrotask() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export const api = {
  APP_LIMITS,
  installHints,
  normalizeDom,
  Mirror,
  Recorder,

  /** @param {OpenOptions} opts */
  async open(opts) {
    api.close();
    const width = opts.width ?? 800;
    const height = opts.height ?? 600;
    const customerFrame = document.createElement('iframe');
    customerFrame.id = 'customer';
    customerFrame.style.cssText = `position:absolute;left:0;top:0;width:${width}px;height:${height}px;border:0`;
    const loaded = new Promise((resolve) => customerFrame.addEventListener('load', resolve, { once: true }));
    customerFrame.src = opts.path;
    document.body.appendChild(customerFrame);
    await loaded;
    const cdoc = /** @type {Document} */ (customerFrame.contentDocument);
    const cwin = /** @type {Window} */ (customerFrame.contentWindow);
    if (opts.hints) {
      // As chrome.scripting.executeScript({world: 'MAIN', func, args}) does: the function's source
      // runs in the page's realm.
      const run = /** @type {(src: string) => unknown} */ (Reflect.get(cwin, 'eval'));
      run(`(${installHints.toString()})(${JSON.stringify(HINT_EVENT)})`);
    }
    let host = document.getElementById('mirror-host');
    if (!host) {
      host = document.createElement('div');
      host.id = 'mirror-host';
      host.style.cssText = `position:absolute;left:${width + 20}px;top:0;width:${width}px;height:${height}px;overflow:hidden`;
      document.body.appendChild(host);
    }
    /** @type {Session} */
    const s = {
      customerFrame,
      cdoc,
      cwin,
      opts,
      wire: [],
      states: [],
      desyncs: [],
      pointers: [],
      viewports: [],
      overflows: 0,
      hintEvent: HINT_EVENT,
      mirror: new Mirror({
        host,
        onState: (st) => s.states.push(st),
        onDesync: (why) => s.desyncs.push(why),
        onPointer: (p) => s.pointers.push(p),
        onViewport: (w, h) => s.viewports.push([w, h]),
      }),
      recorder: /** @type {Recorder} */ (/** @type {unknown} */ (null)),
    };
    s.recorder = new Recorder({
      doc: cdoc,
      emit: (msg) => {
        const text = JSON.stringify(msg);
        s.wire.push(text);
        s.mirror.handle(JSON.parse(text));
      },
      maskSelectors: opts.maskSelectors,
      blockSelectors: opts.blockSelectors,
      hintEvent: HINT_EVENT,
      onOverflow: () => {
        s.overflows++;
      },
    });
    session = s;
    return { invalidSelectors: s.recorder.invalidSelectors };
  },

  /** @param {number} [epoch] */
  async start(epoch = 1) {
    const s = current();
    await s.recorder.start(epoch);
    await api.sync();
    return s.recorder.stats;
  },

  /** Lets queued work finish: scroll events (next frames), batches (microtasks), the mirror. */
  async sync() {
    const s = current();
    await macrotask();
    await frames(s.cwin, 2);
    await macrotask();
    await s.mirror.settled();
  },

  compare() {
    const s = current();
    const mirrorDoc = s.mirror.frame?.contentDocument;
    if (!mirrorDoc) throw new Error('no mirror frame');
    return {
      customer: normalizeDom({ doc: s.cdoc, maskSelectors: s.opts.maskSelectors, blockSelectors: s.opts.blockSelectors }),
      mirror: normalizeDom({ doc: mirrorDoc, mirror: true }),
      desyncs: s.desyncs.slice(),
    };
  },

  /**
   * Compares in the page (no large transfer when all is well): null when the mirror equals the
   * customer's page and nothing desynced, else both normalized trees.
   */
  check() {
    const r = api.compare();
    if (r.desyncs.length === 0 && JSON.stringify(r.customer) === JSON.stringify(r.mirror)) return null;
    return r;
  },

  /** Every message sent so far, as its JSON text, one per line. @param {number} [from] */
  wireText(from = 0) {
    return current().wire.slice(from).join('\n');
  },

  /** The length of every message's JSON text. */
  wireLengths() {
    return current().wire.map((t) => t.length);
  },

  wireCount() {
    return current().wire.length;
  },

  /** The kind of every message sent so far. @param {number} [from] */
  kinds(from = 0) {
    return current().wire.slice(from).map((t) => /^\{"k":"([a-z]+)"/.exec(t)?.[1] ?? '?');
  },

  /** The parsed messages sent so far. @param {number} [from] */
  messages(from = 0) {
    return current().wire.slice(from).map((t) => JSON.parse(t));
  },

  info() {
    const s = current();
    return {
      phase: s.mirror.phase,
      desyncs: s.desyncs.slice(),
      overflows: s.overflows,
      stats: s.recorder.stats,
      states: s.states.length,
      hintEvent: s.hintEvent,
      pointers: s.pointers.slice(),
      viewports: s.viewports.slice(),
      mirrorSize: [s.mirror.frame?.style.width, s.mirror.frame?.style.height],
    };
  },

  /** The mirror's document (for direct checks). */
  mirrorDoc() {
    return current().mirror.frame?.contentDocument ?? null;
  },

  customerDoc() {
    return current().cdoc;
  },

  customerWin() {
    return current().cwin;
  },

  recorder() {
    return current().recorder;
  },

  mirror() {
    return current().mirror;
  },

  /**
   * Feeds hand-made messages to a Mirror of its own (a new host), as a modified customer
   * extension could send them. Reports whether handle() threw.
   * @param {unknown[]} messages
   */
  async feed(messages) {
    fedHost?.remove();
    fedMirror?.reset();
    const host = document.createElement('div');
    host.id = 'fed-host';
    host.style.cssText = 'position:absolute;left:0;top:620px;width:800px;height:600px;overflow:hidden';
    document.body.appendChild(host);
    /** @type {string[]} */
    const desyncs = [];
    /** @type {string[]} */
    const phases = [];
    const mirror = new Mirror({ host, onDesync: (why) => desyncs.push(why), onState: (st) => phases.push(st.phase) });
    fedHost = host;
    fedMirror = mirror;
    /** @type {string[]} */
    const threw = [];
    for (const msg of messages) {
      try {
        mirror.handle(msg);
      } catch (err) {
        threw.push(String(err));
      }
    }
    await mirror.settled();
    return { phase: mirror.phase, desyncs, threw, phases, dropped: mirror.dropped };
  },

  /** The fed Mirror's shown document. */
  fedDoc() {
    return fedMirror?.frame?.contentDocument ?? null;
  },

  fedMirror() {
    return fedMirror;
  },

  close() {
    if (!session) return;
    session.recorder.stop();
    session.mirror.reset();
    session.customerFrame.remove();
    session = null;
  },
};

Object.assign(window, { cotabTest: api });
