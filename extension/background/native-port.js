// The port to cotab-host (PROTOCOL.md §2–§4). Connects on first use and sends `hello` first,
// joins `chunk` frames into the messages they carry and validates every message against the
// host→extension schema (common/chunks.js + common/native.js) before handing it on, and reports
// the port's end. No chrome.* here: the caller passes a `connect` function
// (chrome.runtime.connectNative in the service worker, a fake port in unit tests).
//
// The data channel (PROTOCOL.md §3.4), when the caller passes `openSocket`: on each valid `peer`
// it asks the host for a channel, connects to the offered loopback port, sends the token first,
// and switches each direction at its barrier: messages that arrive on the channel before the
// host's native `channel-up` are held and delivered (in order) when it comes, then the
// extension's own `channel-up` is posted natively and every later message goes on the channel.
// `channel`, `channel-up` and `error{code:"channel-refused"}` are handled here and never reach
// onMessage. A channel that fails before it is up changes nothing (the session stays on native
// messaging); one that closes after it is up makes the host end the session (`channel-lost` and
// `ended`, on native messaging, handed on as usual), and what the extension posts meanwhile is
// dropped.

import { ChunkAssembler, MAX_ASSEMBLED_BYTES } from '../common/chunks.js';
import { utf8Length } from '../common/json.js';
import { channelRequest, channelUpRequest, validateHostMessage } from '../common/native.js';

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

/**
 * The part of a WebSocket this module uses (the browser's WebSocket; a fake in unit tests).
 * @typedef {object} WebSocketLike
 * @property {number} readyState  1 = OPEN
 * @property {(data: string) => void} send
 * @property {(code?: number, reason?: string) => void} close
 * @property {(type: 'open' | 'message' | 'error' | 'close', fn: (ev: any) => void) => void} addEventListener
 */

/**
 * Where the data channel stands (PROTOCOL.md §3.4):
 * - `none`: not asked for (no session yet, or no `openSocket`, or turned off);
 * - `offered`: `channel` sent, waiting for the host's offer;
 * - `connecting`: connecting to the offered port / token sent, waiting for the host's `channel-up`
 *   (messages on the channel are held);
 * - `up`: both directions on the channel;
 * - `refused`: the host answered `channel-refused` (native messaging only, as before);
 * - `failed`: the socket failed or closed before the host's `channel-up` (native messaging only);
 * - `lost`: the socket closed after the switch; posts are dropped until the host's `ended`;
 * - `closed`: the session (or the port) ended while the channel was asked for, set up or up; the
 *   socket is closed, messages go on native messaging again (a new `peer` may ask again).
 * `refused`, `failed` and `closed` stay after the session for diagnostics; a new port starts
 * on native messaging whatever the state.
 * @typedef {'none' | 'offered' | 'connecting' | 'up' | 'refused' | 'failed' | 'lost' | 'closed'} ChannelState
 * @typedef {{state: ChannelState, requests: number, ups: number, refused: number, failed: number, lost: number,
 *   sent: number, received: number, dropped: number}} ChannelStatus
 *   diagnostics: the state and counters since the worker started (`sent`/`received`: messages on
 *   the channel; `dropped`: messages dropped because of the channel, in either direction)
 */

/** WebSocket.OPEN */
const SOCKET_OPEN = 1;
/** States in which this session's channel is asked for, being set up, or up (no second request). */
const CHANNEL_ACTIVE = /** @type {readonly ChannelState[]} */ (['offered', 'connecting', 'up', 'lost']);

export class NativeHost {
  /**
   * @param {{
   *   connect: () => PortLike,
   *   lastError: () => string | undefined,
   *   onMessage: (msg: import('../common/native.js').HostMessage) => void,
   *   onGone: (error: string) => void,
   *   onDropped?: (why: string) => void,
   *   openSocket?: (url: string) => WebSocketLike,
   *   channelEnabled?: () => boolean,
   * }} opts  `openSocket` absent: no data channel. `channelEnabled` (default: always) is asked at
   *   each `peer` (the settings' switch).
   */
  constructor(opts) {
    this.opts = opts;
    /** @type {PortLike | null} */
    this.port = null;
    /** @type {ChunkAssembler | null} */
    this.chunks = null;
    this.dropped = 0;
    /** @type {ChannelState} */
    this.channelState = 'none';
    /** @type {WebSocketLike | null} */
    this.socket = null;
    /** Host messages that arrived on the channel before the host's native `channel-up`. @type {import('../common/native.js').HostMessage[]} */
    this.held = [];
    this.counts = { requests: 0, ups: 0, refused: 0, failed: 0, lost: 0, sent: 0, received: 0, dropped: 0 };
  }

  get connected() {
    return this.port !== null;
  }

  /** The data channel's state and counters (a copy, for diagnostics). @returns {ChannelStatus} */
  get channel() {
    return { state: this.channelState, ...this.counts };
  }

  /**
   * Sends `msg`: on the data channel once it is up, else on the native port (connecting first,
   * and saying hello, when no port is open). After the channel was lost it is dropped: the host
   * is ending the session.
   * @param {object} msg
   */
  post(msg) {
    if (this.channelState === 'up') {
      this.sendOnChannel(msg);
      return;
    }
    if (this.channelState === 'lost') {
      this.dropChannel('the data channel is lost: message not sent');
      return;
    }
    this.postNative(msg);
  }

  /** @param {object} msg */
  postNative(msg) {
    const port = this.port ?? this.open();
    try {
      port.postMessage(msg);
    } catch (e) {
      // postMessage throws on a message Chrome cannot carry (above 64 MiB) or a dead port.
      this.drop(`post failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** @param {object} msg */
  sendOnChannel(msg) {
    const socket = this.socket;
    if (!socket || socket.readyState !== SOCKET_OPEN) {
      this.socketGone(socket);
      this.dropChannel('the data channel is lost: message not sent');
      return;
    }
    /** @type {string} */
    let text;
    try {
      text = JSON.stringify(msg);
    } catch (e) {
      this.drop(`post failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // The host closes the channel (and so ends the session) on a message above this; on native
    // messaging it would only refuse that one message. Refuse it here the same way: the session
    // goes on without it (as with the host's non-fatal answer, which the session drops).
    if (text.length > MAX_ASSEMBLED_BYTES || (text.length * 3 > MAX_ASSEMBLED_BYTES && utf8Length(text) > MAX_ASSEMBLED_BYTES)) {
      this.dropChannel('message-too-large: not sent on the data channel');
      return;
    }
    try {
      socket.send(text);
      this.counts.sent++;
    } catch (e) {
      this.dropChannel(`channel send failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Closes the port and the data channel (the host ends any session and exits). No onGone for a close we asked for. */
  close() {
    this.endChannel();
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
      // A partial chunked message dies with the port (PROTOCOL.md §4); so does the channel.
      this.port = null;
      this.chunks = null;
      this.endChannel();
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
    this.handle(fed.done);
  }

  /**
   * One whole, valid host message, from the native port or the channel: the channel's own
   * messages are taken here, everything else is handed on.
   * @param {import('../common/native.js').HostMessage} msg
   */
  handle(msg) {
    switch (msg.type) {
      case 'peer':
        this.requestChannel();
        break;
      case 'channel':
        this.onOffer(msg);
        return;
      case 'channel-up':
        this.onChannelUp();
        return;
      case 'error':
        if (msg.code === 'channel-refused') {
          this.onRefused();
          return;
        }
        // The host ends the session (an `ended` follows): no more posts on a dead channel.
        if (msg.code === 'channel-lost' && (this.channelState === 'up' || this.channelState === 'connecting')) this.lose();
        break;
      case 'ended':
        // The host closes the channel with the session; a new session starts on native messaging.
        this.endChannel();
        break;
    }
    this.opts.onMessage(msg);
  }

  /** After `peer`: asks for the data channel, once per session, when there is a way to open one. */
  requestChannel() {
    if (!this.opts.openSocket || CHANNEL_ACTIVE.includes(this.channelState)) return;
    if (this.opts.channelEnabled && !this.opts.channelEnabled()) return;
    const req = channelRequest();
    if (!req.ok) return;
    this.held = [];
    this.channelState = 'offered';
    this.counts.requests++;
    this.postNative(req.msg);
  }

  /** The host's offer: connect to 127.0.0.1:<port>, send the token first. @param {import('../common/native.js').HostChannel} offer */
  onOffer(offer) {
    const openSocket = this.opts.openSocket;
    // Threat: an offer nobody asked for (or a second one) must not make the extension connect
    // anywhere or replace the session's channel.
    if (this.channelState !== 'offered' || !openSocket) {
      this.dropChannel('an unexpected data channel offer');
      return;
    }
    /** @type {string | null} */
    let token = offer.token;
    /** @type {WebSocketLike} */
    let socket;
    try {
      // Always the loopback address, whatever the host says: the validator took only a port.
      socket = openSocket(`ws://127.0.0.1:${offer.port}/channel`);
    } catch {
      this.channelState = 'failed';
      this.counts.failed++;
      return;
    }
    this.socket = socket;
    this.channelState = 'connecting';
    socket.addEventListener('open', () => {
      if (this.socket !== socket || token === null) return;
      const t = token;
      token = null; // sent once, then forgotten
      try {
        socket.send(t);
      } catch {
        this.socketGone(socket);
      }
    });
    socket.addEventListener('message', (/** @type {{data: unknown}} */ ev) => {
      if (this.socket === socket) this.receiveChannel(ev.data);
    });
    // A socket that errs also closes; either is its end.
    socket.addEventListener('error', () => this.socketGone(socket));
    socket.addEventListener('close', () => this.socketGone(socket));
  }

  /**
   * One text message from the channel: the JSON text of one host message (PROTOCOL.md §3.4).
   * @param {unknown} data
   */
  receiveChannel(data) {
    // Text that is not a valid host message is dropped and counted, like a single malformed
    // message on the native port (the session goes on). `chunk` (never sent on the channel:
    // there is no chunking there), `channel` and `channel-up` (native-only barrier messages) are
    // invalid on the channel and dropped and counted the same way, rather than ending the session:
    // a conforming host never sends them, and no message was lost by the drop of one of them.
    if (typeof data !== 'string') {
      this.dropChannel('a binary message on the data channel');
      return;
    }
    /** @type {unknown} */
    let value;
    try {
      value = JSON.parse(data);
    } catch {
      this.dropChannel('bad-json on the data channel');
      return;
    }
    const checked = validateHostMessage(value);
    if (!checked.ok) {
      this.dropChannel(`${checked.code} on the data channel`);
      if (checked.code === 'version-mismatch') this.fail(checked.code);
      return;
    }
    const msg = checked.msg;
    if (msg.type === 'chunk' || msg.type === 'channel' || msg.type === 'channel-up') {
      this.dropChannel(`protocol-violation: ${msg.type} on the data channel`);
      return;
    }
    this.counts.received++;
    // Sent after the host's native channel-up, which has not been read yet: hold (§3.4).
    if (this.channelState === 'connecting' || this.channelState === 'failed') this.held.push(msg);
    else this.handle(msg);
  }

  /** The host's native `channel-up`: its messages come on the channel from now on. */
  onChannelUp() {
    const state = this.channelState;
    if (state !== 'connecting' && state !== 'failed') {
      this.dropChannel(`an unexpected channel-up (${state})`);
      return;
    }
    // First what the host sent on the channel after this barrier, in order.
    const port = this.port;
    const held = this.held;
    this.held = [];
    for (const msg of held) {
      this.handle(msg);
      // A held `ended` closed the channel; a held hello of another version closed the port.
      if (this.channelState !== state || this.port !== port) return;
    }
    if (state === 'failed') {
      // The socket closed after the host took the token: the host reports channel-lost.
      this.lose();
      return;
    }
    const up = channelUpRequest();
    if (!up.ok) return;
    this.postNative(up.msg);
    this.channelState = 'up';
    this.counts.ups++;
  }

  onRefused() {
    const state = this.channelState;
    if (state === 'offered' || state === 'connecting' || state === 'failed') {
      this.closeChannel('refused');
      this.counts.refused++;
    } else {
      this.dropChannel(`an unexpected channel-refused (${state})`);
    }
  }

  /** The socket `socket` closed or failed (or was found closed). @param {WebSocketLike | null} socket */
  socketGone(socket) {
    if (!socket || this.socket !== socket) return;
    this.socket = null;
    try {
      socket.close();
    } catch {
      // closed already
    }
    if (this.channelState === 'connecting') {
      this.channelState = 'failed';
      this.counts.failed++;
    } else if (this.channelState === 'up') {
      this.channelState = 'lost';
      this.counts.lost++;
    }
  }

  /** The channel is gone after the switch: drop posts until the host's `ended`. */
  lose() {
    this.closeChannel('lost');
    this.counts.lost++;
  }

  /**
   * The session (or the port) is over: close any socket, messages go on native messaging again and
   * a new `peer` may ask again. `refused` / `failed` stay as they are (for diagnostics; they had
   * no socket), any other channel becomes `closed`.
   */
  endChannel() {
    if (this.channelState === 'none' || this.channelState === 'refused' || this.channelState === 'failed') this.held = [];
    else this.closeChannel('closed');
  }

  /** Closes any socket, forgets held messages and sets the state. @param {ChannelState} state */
  closeChannel(state) {
    const socket = this.socket;
    this.socket = null;
    this.held = [];
    this.channelState = state;
    if (!socket) return;
    try {
      socket.close();
    } catch {
      // closed already
    }
  }

  /** @param {string} why */
  dropChannel(why) {
    this.counts.dropped++;
    this.drop(why);
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
