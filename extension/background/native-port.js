// The port to cotab-host (PROTOCOL.md §2–§4). Connects on first use and sends `hello` first,
// joins `chunk` frames into the messages they carry and validates every message against the
// host→extension schema (common/chunks.js + common/native.js) before handing it on, and reports
// the port's end. No chrome.* here: the caller passes a `connect` function
// (chrome.runtime.connectNative in the service worker, a fake port in unit tests).

import { ChunkAssembler } from '../common/chunks.js';

/** Native messaging host name (manifests/io.cotab.host.json.in). */
export const NATIVE_HOST_NAME = 'io.cotab.host';
/** Request id of the `hello` sent on connect (the session state machine numbers from 1). */
export const HELLO_REQUEST_ID = 0;

/**
 * The part of chrome.runtime.Port this module uses.
 * @typedef {object} PortLike
 * @property {(msg: unknown) => void} postMessage
 * @property {() => void} disconnect
 * @property {{addListener: (fn: (msg: unknown) => void) => void}} onMessage
 * @property {{addListener: (fn: () => void) => void}} onDisconnect
 */

export class NativeHost {
  /**
   * @param {{
   *   connect: () => PortLike,
   *   lastError: () => string | undefined,
   *   onMessage: (msg: import('../common/native.js').HostMessage) => void,
   *   onGone: (error: string) => void,
   *   onDropped?: (why: string) => void,
   * }} opts
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {PortLike | null} */
    this.port = null;
    /** @type {ChunkAssembler | null} */
    this.chunks = null;
    this.dropped = 0;
  }

  get connected() {
    return this.port !== null;
  }

  /** Sends `msg`, connecting first (and saying hello) when no port is open. @param {object} msg */
  post(msg) {
    const port = this.port ?? this.open();
    try {
      port.postMessage(msg);
    } catch (e) {
      // postMessage throws on a message Chrome cannot carry (above 64 MiB) or a dead port.
      this.drop(`post failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Closes the port (the host ends any session and exits). No onGone for a close we asked for. */
  close() {
    const port = this.port;
    if (!port) return;
    this.port = null;
    this.chunks = null;
    try {
      port.disconnect();
    } catch {
      // already gone
    }
  }

  /** @returns {PortLike} */
  open() {
    const port = this.opts.connect();
    this.port = port;
    this.chunks = new ChunkAssembler();
    port.onMessage.addListener((raw) => {
      if (this.port === port) this.receive(raw);
    });
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      // A partial chunked message dies with the port (PROTOCOL.md §4).
      this.port = null;
      this.chunks = null;
      this.opts.onGone(describeNativeError(this.opts.lastError()));
    });
    port.postMessage({ type: 'hello', id: HELLO_REQUEST_ID });
    return port;
  }

  /** @param {unknown} raw */
  receive(raw) {
    const wasChunk = typeof raw === 'object' && raw !== null && /** @type {{type?: unknown}} */ (raw).type === 'chunk';
    const fed = /** @type {ChunkAssembler} */ (this.chunks).feed(raw);
    if ('pending' in fed) return;
    if ('error' in fed) {
      this.drop(fed.error);
      // A broken chunk stream lost a message, and a host of another protocol version cannot be
      // spoken to: both end the session (PROTOCOL.md: no silent loss). A single malformed
      // message is only dropped.
      if (wasChunk || fed.error === 'version-mismatch') this.fail(fed.error);
      return;
    }
    this.opts.onMessage(fed.done);
  }

  /** Closes the port and reports it gone. @param {string} code */
  fail(code) {
    this.close();
    this.opts.onGone(code);
  }

  /** @param {string} why */
  drop(why) {
    this.dropped++;
    this.opts.onDropped?.(why);
  }
}

/**
 * Turns Chrome's lastError text of a dead native port into a stable code for the UI.
 * @param {string | undefined} message
 */
export function describeNativeError(message) {
  if (!message) return 'host-exited';
  if (/not found/i.test(message)) return 'host-not-installed';
  if (/forbidden|access/i.test(message)) return 'host-forbidden';
  if (/exited/i.test(message)) return 'host-exited';
  return 'host-failed';
}
