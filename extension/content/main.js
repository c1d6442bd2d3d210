// Content-script entry of the shared tab (isolated world; bundled to dist/content.js). The service
// worker injects it only after the customer clicked Allow. It connects the `cotab-content` port,
// waits for `start`, then runs the Recorder (serializer.js: snapshot + mutation batches, masking
// done here, before anything leaves the page) and shows the on-page indicator. It answers the
// agent's latency pings itself, so the figure covers the whole path. The agent's tools and actions
// the service worker lets through are checked again here and applied by Assist (assist.js: overlay,
// firewall, action runner). When the port closes (session over, worker restarted, page hidden in
// the back/forward cache) everything stops and the indicator goes away.

import { parseContentControl } from '../background/messages.js';
import { Assist } from './assist.js';
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
    /** @type {Assist | null} */
    this.assist = null;
    /** The grants of the last `caps` (kept across a restart of the recorder). @type {Extract<import('../background/messages.js').ContentControl, {k: 'caps'}> | null} */
    this.caps = null;
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
      case 'caps':
        this.caps = msg;
        this.assist?.setCaps(msg);
        break;
      case 'agent':
        this.assist?.handle(msg.msg);
        break;
    }
  }

  /** @param {Extract<import('../background/messages.js').ContentControl, {k: 'start'}>} msg */
  start(msg) {
    this.recorder?.stop();
    this.wasStarted = true;
    const indicator = (this.indicator ??= new Indicator({
      doc: document,
      onStop: () => this.post({ to: 'sw', k: 'stop' }),
      onRevoke: (caps) => this.assist?.revokeHere(caps),
    }));
    indicator.show();
    this.assist?.destroy();
    /** @type {Assist | null} */
    let assist = null;
    const recorder = new Recorder({
      doc: document,
      emit: (data) => {
        if (this.recorder === recorder) this.post({ to: 'peer', data });
      },
      maskSelectors: msg.maskSelectors,
      blockSelectors: msg.blockSelectors,
      isOwnNode: (node) => indicator.isOwnNode(node) || (assist !== null && assist.isOwnNode(node)),
      hintEvent: msg.hintEvent,
      // The batch was too large to send: ask for a new epoch (the service worker numbers them).
      onOverflow: () => {
        if (this.recorder === recorder) this.post({ to: 'sw', k: 'overflow' });
      },
    });
    this.recorder = recorder;
    assist = new Assist({
      doc: document,
      recorder,
      indicator,
      guardEvent: msg.hintEvent,
      toPeer: (data) => {
        if (this.assist === assist) this.post({ to: 'peer', data });
      },
      onRevoked: (caps) => {
        if (this.assist === assist) this.post({ to: 'sw', k: 'revoke', caps });
      },
    });
    this.assist = assist;
    if (this.caps) assist.setCaps(this.caps);
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
    this.assist?.destroy();
    this.assist = null;
    this.caps = null;
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
