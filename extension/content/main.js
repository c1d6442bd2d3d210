// Content-script entry of the shared tab (isolated world; bundled to dist/content.js). The service
// worker injects it only after the customer clicked Allow. It connects the `cotab-content` port,
// waits for `start`, then runs the Recorder (serializer.js: snapshot + mutation batches, masking
// done here, before anything leaves the page) and shows the on-page indicator. It answers the
// agent's latency pings itself, so the figure covers the whole path. When the port closes (session
// over, worker restarted, page hidden in the back/forward cache) everything stops and the
// indicator goes away.

import { parseContentControl } from '../background/messages.js';
import { Indicator } from './indicator.js';
import { Recorder } from './serializer.js';

const PORT_NAME = 'cotab-content';
/** Key of this document's instance in the isolated world's global (the page cannot see it). */
const INSTANCE_KEY = '__cotabContentSession';

class ContentSession {
  constructor() {
    /** @type {chrome.runtime.Port | null} */
    this.port = null;
    /** @type {Recorder | null} */
    this.recorder = null;
    /** @type {Indicator | null} */
    this.indicator = null;
    /** This document was shared at some point: reconnect after a back/forward-cache restore. */
    this.wasStarted = false;
    this.dropped = 0;
    window.addEventListener('pageshow', (event) => {
      if (event.persisted && this.wasStarted) this.connect();
    });
  }

  /** The service worker injected this script again (it does so once per committed document, so
   * this document came back, e.g. from the back/forward cache): start over on a fresh port, so
   * the service worker hears `connect` again and starts a new epoch. */
  restart() {
    this.disconnect();
    this.connect();
  }

  /** Opens the port unless one is open. */
  connect() {
    if (this.port) return;
    /** @type {chrome.runtime.Port} */
    let port;
    try {
      port = chrome.runtime.connect({ name: PORT_NAME });
    } catch {
      return; // the extension was reloaded or removed: this script is orphaned
    }
    this.port = port;
    port.onMessage.addListener((raw) => {
      if (port === this.port) this.onControl(raw);
    });
    port.onDisconnect.addListener(() => {
      if (port !== this.port) return;
      this.port = null;
      this.teardown();
    });
  }

  /** @param {unknown} raw */
  onControl(raw) {
    const msg = parseContentControl(raw);
    if (!msg) {
      this.dropped++;
      return;
    }
    switch (msg.k) {
      case 'start':
        this.start(msg);
        break;
      case 'resync':
        this.recorder?.restart(msg.epoch).catch((e) => console.error('cotab: snapshot failed', e));
        break;
      case 'ping':
        this.post({ to: 'peer', data: { k: 'pong', t: msg.t } });
        break;
      case 'stop':
        this.disconnect();
        break;
    }
  }

  /** @param {Extract<import('../background/messages.js').ContentControl, {k: 'start'}>} msg */
  start(msg) {
    this.recorder?.stop();
    this.wasStarted = true;
    const indicator = (this.indicator ??= new Indicator({ doc: document, onStop: () => this.post({ to: 'sw', k: 'stop' }) }));
    indicator.show();
    const recorder = new Recorder({
      doc: document,
      emit: (data) => {
        if (this.recorder === recorder) this.post({ to: 'peer', data });
      },
      maskSelectors: msg.maskSelectors,
      blockSelectors: msg.blockSelectors,
      isOwnNode: (node) => indicator.isOwnNode(node),
      hintEvent: msg.hintEvent,
      // The batch was too large to send: ask for a new epoch (the service worker numbers them).
      onOverflow: () => {
        if (this.recorder === recorder) this.post({ to: 'sw', k: 'overflow' });
      },
    });
    this.recorder = recorder;
    recorder.start(msg.epoch).catch((e) => console.error('cotab: snapshot failed', e));
  }

  /** @param {object} msg */
  post(msg) {
    const port = this.port;
    if (!port) return;
    try {
      port.postMessage(msg);
    } catch {
      // The port died under us (worker gone): stop, as onDisconnect would.
      this.port = null;
      this.teardown();
    }
  }

  disconnect() {
    const port = this.port;
    this.port = null;
    this.teardown();
    try {
      port?.disconnect();
    } catch {
      // already closed
    }
  }

  teardown() {
    const recorder = this.recorder;
    this.recorder = null;
    recorder?.stop();
    this.indicator?.remove();
  }
}

// A second injection into the same document runs this bundle again (a new ContentSession class):
// it must reuse the instance that already exists.
const g = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));
const existing = /** @type {{restart?: unknown} | undefined} */ (g[INSTANCE_KEY]);
if (existing && typeof existing.restart === 'function') {
  existing.restart();
} else {
  const session = new ContentSession();
  g[INSTANCE_KEY] = Object.freeze({ restart: () => session.restart() });
  session.connect();
}
