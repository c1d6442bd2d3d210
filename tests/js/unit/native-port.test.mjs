// Unit tests of the native port wrapper (extension/background/native-port.js) against a fake
// chrome.runtime.Port: hello first, lazy connect, chunk reassembly, validation, the port's end;
// and the data channel (PROTOCOL.md §3.4) against a fake WebSocket: the request, the token, the
// barriers in both directions, and every way the channel can fail.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeNativeError, HELLO_REQUEST_ID, NativeHost } from '../../../extension/background/native-port.js';
import { MAX_ASSEMBLED_BYTES } from '../../../extension/common/chunks.js';

class FakePort {
  constructor() {
    /** @type {unknown[]} */
    this.posted = [];
    /** @type {((m: unknown) => void)[]} */
    this.messageListeners = [];
    /** @type {(() => void)[]} */
    this.disconnectListeners = [];
    this.disconnected = false;
    this.onMessage = { addListener: (/** @type {(m: unknown) => void} */ fn) => this.messageListeners.push(fn) };
    this.onDisconnect = { addListener: (/** @type {() => void} */ fn) => this.disconnectListeners.push(fn) };
  }
  /** @param {unknown} m */
  postMessage(m) {
    if (this.disconnected) throw new Error('Attempting to use a disconnected port object');
    this.posted.push(m);
  }
  disconnect() {
    this.disconnected = true;
  }
  /** The host writes `m`. @param {unknown} m */
  deliver(m) {
    for (const fn of this.messageListeners) fn(m);
  }
  /** The host exits. */
  die() {
    for (const fn of this.disconnectListeners) fn();
  }
}

function setup(lastError = /** @type {string | undefined} */ (undefined)) {
  /** @type {FakePort[]} */
  const ports = [];
  /** @type {unknown[]} */
  const received = [];
  /** @type {string[]} */
  const gone = [];
  /** @type {string[]} */
  const drops = [];
  const host = new NativeHost({
    connect: () => {
      const p = new FakePort();
      ports.push(p);
      return p;
    },
    lastError: () => lastError,
    onMessage: (m) => received.push(m),
    onGone: (e) => gone.push(e),
    onDropped: (why) => drops.push(why),
  });
  return { host, ports, received, gone, drops };
}

describe('native port', () => {
  test('connects on first use and says hello before anything else', () => {
    const { host, ports } = setup();
    assert.equal(host.connected, false);
    host.post({ type: 'share', relay: 'ws://127.0.0.1:1/v1', id: 1 });
    assert.equal(ports.length, 1);
    assert.deepEqual(ports[0].posted, [{ type: 'hello', id: HELLO_REQUEST_ID }, { type: 'share', relay: 'ws://127.0.0.1:1/v1', id: 1 }]);
    host.post({ type: 'end' });
    assert.equal(ports.length, 1, 'one port per session');
  });

  test('valid host messages are handed on; chunked ones reassembled', () => {
    const { host, ports, received } = setup();
    host.post({ type: 'hello' });
    ports[0].deliver({ type: 'status', state: 'connecting' });
    const text = JSON.stringify({ type: 'recv', data: { k: 'part', e: 1, first: 1, n: [[0, 'html']] } });
    const cut = Math.floor(text.length / 2);
    ports[0].deliver({ type: 'chunk', id: 1, index: 0, count: 2, part: text.slice(0, cut) });
    assert.equal(received.length, 1, 'nothing before the last chunk');
    ports[0].deliver({ type: 'chunk', id: 1, index: 1, count: 2, part: text.slice(cut) });
    assert.deepEqual(received, [{ type: 'status', state: 'connecting' }, JSON.parse(text)]);
  });

  test('threat: malformed host messages are dropped and counted, never dispatched', () => {
    const { host, ports, received, drops, gone } = setup();
    host.post({ type: 'hello' });
    for (const m of [{ type: 'status', state: 'flying' }, { type: 'peer', sas: '1', role: 'initiator' }, { type: 'launch' }, null, 'recv']) ports[0].deliver(m);
    assert.deepEqual(received, []);
    assert.equal(drops.length, 5);
    assert.equal(host.dropped, 5);
    assert.deepEqual(gone, [], 'a single bad message does not end the session');
  });

  test('a broken chunk stream (a lost message) ends the session', () => {
    const { host, ports, gone } = setup();
    host.post({ type: 'hello' });
    ports[0].deliver({ type: 'chunk', id: 1, index: 0, count: 3, part: '{"type":' });
    ports[0].deliver({ type: 'chunk', id: 1, index: 2, count: 3, part: '"x"}' });
    assert.deepEqual(gone, ['protocol-violation']);
    assert.equal(host.connected, false);
    assert.equal(ports[0].disconnected, true);
  });

  test('a host of another protocol version ends the session', () => {
    const { host, ports, gone } = setup();
    host.post({ type: 'hello' });
    ports[0].deliver({ type: 'hello', version: 2, host: 'future', limits: {}, id: 0 });
    assert.deepEqual(gone, ['version-mismatch']);
  });

  test('the port dies: onGone with the cause; the next post opens a new port', () => {
    const { host, ports, gone } = setup('Specified native messaging host not found.');
    host.post({ type: 'hello' });
    ports[0].die();
    assert.deepEqual(gone, ['host-not-installed']);
    assert.equal(host.connected, false);
    host.post({ type: 'share', relay: 'ws://127.0.0.1:1/v1' });
    assert.equal(ports.length, 2);
    assert.deepEqual(ports[1].posted[0], { type: 'hello', id: HELLO_REQUEST_ID });
  });

  test('close() disconnects without reporting; late messages of that port are ignored', () => {
    const { host, ports, gone, received } = setup();
    host.post({ type: 'hello' });
    host.close();
    assert.equal(ports[0].disconnected, true);
    ports[0].deliver({ type: 'ended', reason: 'local-end' });
    ports[0].die();
    assert.deepEqual(gone, []);
    assert.deepEqual(received, []);
  });

  test("Chrome's error texts become stable codes", () => {
    assert.equal(describeNativeError('Specified native messaging host not found.'), 'host-not-installed');
    assert.equal(describeNativeError('Access to the specified native messaging host is forbidden.'), 'host-forbidden');
    assert.equal(describeNativeError('Native host has exited.'), 'host-exited');
    assert.equal(describeNativeError('Error when communicating with the native messaging host.'), 'host-failed');
    assert.equal(describeNativeError(undefined), 'host-exited');
  });
});

class FakeSocket {
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    /** @type {string[]} */
    this.sent = [];
    /** @type {Record<string, ((ev: any) => void)[]>} */
    this.listeners = {};
    this.closed = false;
  }
  /** @param {'open' | 'message' | 'error' | 'close'} type @param {(ev: any) => void} fn */
  addEventListener(type, fn) {
    (this.listeners[type] ??= []).push(fn);
  }
  /** @param {string} data */
  send(data) {
    if (this.readyState !== 1) throw new Error('InvalidStateError');
    this.sent.push(data);
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  /** @param {string} type @param {unknown} [ev] */
  emit(type, ev = {}) {
    for (const fn of this.listeners[type] ?? []) fn(ev);
  }
  /** The connection is accepted. */
  open() {
    this.readyState = 1;
    this.emit('open');
  }
  /** The host writes one text (or other) message. @param {unknown} data */
  deliver(data) {
    this.emit('message', { data });
  }
  /** The connection fails or is closed by the host. */
  fail() {
    this.readyState = 3;
    this.emit('error');
    this.emit('close');
  }
}

const TOKEN = '0123456789abcdef'.repeat(4);
const PEER = { type: 'peer', sas: '305 118', role: 'initiator', id: 1 };
const OFFER = { type: 'channel', port: 41234, token: TOKEN };
const SHARE = { type: 'share', relay: 'ws://127.0.0.1:1/v1', id: 1 };
/** @param {unknown} n */
const recv = (n) => ({ type: 'recv', data: { n } });
/** @param {unknown} n */
const send = (n) => ({ type: 'send', data: { n } });

/**
 * A NativeHost with a fake port and fake sockets. `log` records, in order, what reaches onMessage
 * (`in:<type>`), what is posted natively (`native:<type>`) and what is sent on a socket (`socket:<text>`).
 * @param {{openSocket?: boolean, enabled?: () => boolean, onMessage?: (host: NativeHost, m: any) => void}} [o]
 */
function channelSetup(o = {}) {
  /** @type {FakePort[]} */
  const ports = [];
  /** @type {FakeSocket[]} */
  const sockets = [];
  /** @type {any[]} */
  const received = [];
  /** @type {string[]} */
  const gone = [];
  /** @type {string[]} */
  const drops = [];
  /** @type {string[]} */
  const log = [];
  /** @type {NativeHost} */
  const host = new NativeHost({
    connect: () => {
      const p = new FakePort();
      const post = p.postMessage.bind(p);
      p.postMessage = (/** @type {any} */ m) => {
        post(m);
        log.push(`native:${m.type}`);
      };
      ports.push(p);
      return p;
    },
    lastError: () => undefined,
    onMessage: (m) => {
      received.push(m);
      log.push(`in:${m.type}`);
      o.onMessage?.(host, m);
    },
    onGone: (e) => gone.push(e),
    onDropped: (why) => drops.push(why),
    channelEnabled: o.enabled,
    openSocket:
      o.openSocket === false
        ? undefined
        : (url) => {
            const s = new FakeSocket(url);
            const sendOn = s.send.bind(s);
            s.send = (d) => {
              sendOn(d);
              log.push(`socket:${d}`);
            };
            sockets.push(s);
            return s;
          },
  });
  return { host, ports, sockets, received, gone, drops, log };
}

/** Share, peer, offer, open: the host has the token and is about to send its channel-up. @param {Parameters<typeof channelSetup>[0]} [o] */
function connecting(o = {}) {
  const t = channelSetup(o);
  t.host.post(SHARE);
  t.ports[0].deliver(PEER);
  t.ports[0].deliver(OFFER);
  t.sockets[0].open();
  return t;
}

/** Both directions on the channel. @param {Parameters<typeof channelSetup>[0]} [o] */
function up(o = {}) {
  const t = connecting(o);
  t.ports[0].deliver({ type: 'channel-up' });
  return t;
}

describe('data channel', () => {
  test('no openSocket: no channel request after peer (native messaging only, as before)', () => {
    const { host, ports, received } = channelSetup({ openSocket: false });
    host.post(SHARE);
    ports[0].deliver(PEER);
    assert.deepEqual(ports[0].posted, [{ type: 'hello', id: HELLO_REQUEST_ID }, SHARE]);
    assert.deepEqual(received, [PEER]);
    assert.equal(host.channel.state, 'none');
  });

  test('turned off in the settings (channelEnabled false): no channel request', () => {
    const { host, ports } = channelSetup({ enabled: () => false });
    host.post(SHARE);
    ports[0].deliver(PEER);
    assert.deepEqual(ports[0].posted, [{ type: 'hello', id: HELLO_REQUEST_ID }, SHARE]);
    assert.equal(host.channel.state, 'none');
  });

  test('the channel request is posted natively after a valid peer, which is still handed on', () => {
    const { host, ports, received, sockets } = channelSetup();
    host.post(SHARE);
    ports[0].deliver({ type: 'status', state: 'handshaking' });
    assert.equal(ports[0].posted.length, 2, 'nothing before peer');
    ports[0].deliver({ type: 'peer', sas: 'bad', role: 'initiator' });
    assert.equal(ports[0].posted.length, 2, 'not after an invalid peer');
    ports[0].deliver(PEER);
    assert.deepEqual(ports[0].posted.slice(2), [{ type: 'channel' }]);
    assert.deepEqual(received.map((m) => m.type), ['status', 'peer']);
    assert.equal(host.channel.state, 'offered');
    assert.equal(sockets.length, 0, 'no socket before the offer');
  });

  test('threat (token leak / a socket to elsewhere): connects to ws://127.0.0.1:<port>/channel only, the token is its first message, sent once', () => {
    const { host, ports, sockets, received } = channelSetup();
    host.post(SHARE);
    ports[0].deliver(PEER);
    ports[0].deliver(OFFER);
    assert.equal(sockets.length, 1);
    assert.equal(sockets[0].url, 'ws://127.0.0.1:41234/channel');
    assert.deepEqual(sockets[0].sent, [], 'nothing before the socket is open');
    sockets[0].open();
    sockets[0].emit('open');
    assert.deepEqual(sockets[0].sent, [TOKEN], 'the token first, once');
    assert.equal(host.channel.state, 'connecting');
    assert.ok(!received.some((m) => m.type === 'channel'), 'the offer (and its token) never reaches the session');
  });

  test('threat (a stray or replayed offer): an offer nobody asked for, or a second one, opens no socket', () => {
    const { host, ports, sockets, drops } = channelSetup();
    host.post(SHARE);
    ports[0].deliver(OFFER);
    assert.equal(sockets.length, 0, 'before peer: not asked for');
    ports[0].deliver(PEER);
    ports[0].deliver(OFFER);
    ports[0].deliver({ ...OFFER, port: 41235 });
    assert.equal(sockets.length, 1, 'the second offer does not replace the channel');
    assert.equal(sockets[0].url, 'ws://127.0.0.1:41234/channel');
    assert.equal(drops.length, 2);
    assert.equal(host.channel.dropped, 2);
  });

  test('threat (a malformed offer): a bad port or token, or an extra member, is dropped; no socket', () => {
    const { host, ports, sockets, drops } = channelSetup();
    host.post(SHARE);
    ports[0].deliver(PEER);
    for (const bad of [{ ...OFFER, port: 0 }, { ...OFFER, port: 70000 }, { ...OFFER, token: TOKEN.toUpperCase() }, { ...OFFER, token: TOKEN.slice(1) }, { ...OFFER, address: '10.0.0.1' }]) {
      ports[0].deliver(bad);
    }
    assert.equal(sockets.length, 0);
    assert.equal(drops.length, 5);
    assert.equal(host.channel.state, 'offered', 'a valid offer may still come');
  });

  test('messages on the channel before the host channel-up are held, then delivered in order before later ones', () => {
    const { ports, sockets, received, log } = connecting();
    ports[0].deliver({ type: 'status', state: 'handshaking' }); // native messages still pass at once
    sockets[0].deliver(JSON.stringify(recv(1)));
    sockets[0].deliver(JSON.stringify(recv(2)));
    assert.deepEqual(received.map((m) => m.type), ['peer', 'status'], 'held until the barrier');
    ports[0].deliver({ type: 'channel-up' });
    sockets[0].deliver(JSON.stringify(recv(3)));
    assert.deepEqual(received.slice(2), [recv(1), recv(2), recv(3)]);
    assert.deepEqual(log.slice(-5), ['in:status', 'in:recv', 'in:recv', 'native:channel-up', 'in:recv'], 'the held ones before the extension’s own channel-up');
  });

  test('extension messages go natively before the switch and on the channel after; the native channel-up is posted exactly between', () => {
    const { host, ports, sockets, log } = connecting();
    host.post(send(1));
    ports[0].deliver({ type: 'channel-up' });
    host.post(send(2));
    host.post({ type: 'end' });
    const after = log.slice(log.indexOf(`socket:${TOKEN}`) + 1);
    assert.deepEqual(after, ['native:send', 'native:channel-up', `socket:${JSON.stringify(send(2))}`, 'socket:{"type":"end"}']);
    assert.deepEqual(ports[0].posted.at(-1), { type: 'channel-up' });
    assert.deepEqual(sockets[0].sent, [TOKEN, JSON.stringify(send(2)), '{"type":"end"}']);
    assert.deepEqual({ ...host.channel, dropped: 0 }, { state: 'up', requests: 1, ups: 1, refused: 0, failed: 0, lost: 0, sent: 2, received: 0, dropped: 0 });
  });

  test('a reply the session posts while held messages are delivered goes natively, before the barrier', () => {
    const { ports, sockets, log } = connecting({
      onMessage: (h, m) => {
        if (m.type === 'recv') h.post(send(`re ${m.data.n}`));
      },
    });
    sockets[0].deliver(JSON.stringify(recv(1)));
    ports[0].deliver({ type: 'channel-up' });
    sockets[0].deliver(JSON.stringify(recv(2)));
    assert.deepEqual(log.slice(-5), ['in:recv', 'native:send', 'native:channel-up', 'in:recv', `socket:${JSON.stringify(send('re 2'))}`]);
  });

  test('channel-refused is taken here (never a session error) and the session stays on native messaging', () => {
    const { host, ports, received, sockets } = channelSetup();
    host.post(SHARE);
    ports[0].deliver(PEER);
    ports[0].deliver({ type: 'error', code: 'channel-refused', message: 'off', fatal: false });
    assert.deepEqual(received, [PEER]);
    assert.equal(host.channel.state, 'refused');
    host.post(send(1));
    assert.deepEqual(ports[0].posted.at(-1), send(1));
    assert.equal(sockets.length, 0);
  });

  test('channel-refused after the token (no connection in time): the socket is closed, the session stays native', () => {
    const { host, ports, received, sockets } = connecting();
    ports[0].deliver({ type: 'error', code: 'channel-refused', message: 'timeout', fatal: false });
    assert.equal(sockets[0].closed, true);
    assert.equal(host.channel.state, 'refused');
    assert.equal(host.channel.refused, 1);
    assert.deepEqual(received, [PEER]);
    host.post(send(1));
    assert.deepEqual(ports[0].posted.at(-1), send(1));
    assert.deepEqual(sockets[0].sent, [TOKEN]);
  });

  test('the socket fails before the channel is up: silently native (no onGone, no session error); the later channel-refused is taken here', () => {
    const { host, ports, sockets, received, gone } = connecting();
    sockets[0].fail();
    assert.equal(host.channel.state, 'failed');
    assert.equal(host.channel.failed, 1);
    host.post(send(1));
    assert.deepEqual(ports[0].posted.at(-1), send(1));
    ports[0].deliver({ type: 'error', code: 'channel-refused', message: 'refusals', fatal: false });
    assert.deepEqual(received, [PEER]);
    assert.deepEqual(gone, []);
    assert.equal(host.connected, true);
  });

  test('openSocket throws (e.g. blocked): failed, native messaging only', () => {
    const t = channelSetup();
    t.host.opts.openSocket = () => {
      throw new Error('SecurityError');
    };
    t.host.post(SHARE);
    t.ports[0].deliver(PEER);
    t.ports[0].deliver(OFFER);
    assert.equal(t.host.channel.state, 'failed');
    t.host.post(send(1));
    assert.deepEqual(t.ports[0].posted.at(-1), send(1));
  });

  test('the socket closes after the switch: later posts are dropped (onDropped); channel-lost and ended pass through; then native again', () => {
    const { host, ports, sockets, received, drops, gone } = up();
    sockets[0].fail();
    assert.equal(host.channel.state, 'lost');
    const nativeBefore = ports[0].posted.length;
    host.post(send(1));
    host.post({ type: 'end' });
    assert.equal(ports[0].posted.length, nativeBefore, 'nothing native: the host is ending the session');
    assert.equal(sockets[0].sent.length, 1, 'only the token');
    assert.equal(drops.length, 2);
    ports[0].deliver({ type: 'error', code: 'channel-lost', message: 'closed', fatal: true });
    ports[0].deliver({ type: 'ended', reason: 'channel-lost' });
    assert.deepEqual(received.slice(1).map((m) => m.type), ['error', 'ended']);
    assert.deepEqual(gone, []);
    assert.equal(host.channel.state, 'closed');
    host.post({ type: 'hello', id: 9 });
    assert.deepEqual(ports[0].posted.at(-1), { type: 'hello', id: 9 }, 'after ended: native again');
  });

  test('the socket closes after the host took the token but before its channel-up was read: held ones delivered, then lost', () => {
    const { host, ports, sockets, received } = connecting();
    sockets[0].deliver(JSON.stringify(recv(1)));
    sockets[0].fail();
    ports[0].deliver({ type: 'channel-up' });
    assert.deepEqual(received.at(-1), recv(1));
    assert.ok(!ports[0].posted.some((m) => /** @type {any} */ (m).type === 'channel-up'), 'no barrier on a dead channel');
    assert.equal(host.channel.state, 'lost');
    host.post(send(1));
    assert.equal(ports[0].posted.filter((m) => /** @type {any} */ (m).type === 'send').length, 0);
  });

  test('channel-lost from the host while up: the socket is closed, the error passes to the session', () => {
    const { host, ports, sockets, received } = up();
    ports[0].deliver({ type: 'error', code: 'channel-lost', message: 'stopped reading', fatal: true });
    assert.equal(sockets[0].closed, true);
    assert.equal(host.channel.state, 'lost');
    assert.equal(received.at(-1).code, 'channel-lost');
  });

  test('threat (a stray barrier): a channel-up nobody is waiting for is dropped and does not move sends to a socket', () => {
    const { host, ports, drops } = channelSetup();
    host.post(SHARE);
    ports[0].deliver({ type: 'channel-up' });
    ports[0].deliver(PEER);
    ports[0].deliver({ type: 'channel-up' }); // offered, no socket yet
    assert.equal(drops.length, 2);
    host.post(send(1));
    assert.deepEqual(ports[0].posted.at(-1), send(1));
    assert.ok(!ports[0].posted.some((m) => /** @type {any} */ (m).type === 'channel-up'));
  });

  test('threat (a confused host or a smuggled frame): chunk, channel, channel-up, invalid JSON, binary and invalid messages on the channel are dropped and counted, never dispatched', () => {
    // Chosen: drop + count (like one malformed native message), not the end of the session: a
    // conforming host never sends them on the channel, and dropping one loses no session message.
    const { host, sockets, received, drops, gone } = up();
    const chunk = { type: 'chunk', id: 1, index: 0, count: 2, part: '{"type":"recv",' };
    for (const bad of [JSON.stringify(chunk), JSON.stringify(OFFER), '{"type":"channel-up"}', '{"type":"recv",', 'recv', new ArrayBuffer(4), '{"type":"status","state":"flying"}', '{"type":"launch"}', 'null']) {
      sockets[0].deliver(bad);
    }
    assert.deepEqual(received, [PEER]);
    assert.equal(drops.length, 9);
    assert.equal(host.channel.dropped, 9);
    assert.equal(host.channel.received, 0);
    assert.deepEqual(gone, []);
    assert.equal(host.channel.state, 'up');
    sockets[0].deliver(JSON.stringify(recv(1)));
    assert.deepEqual(received.at(-1), recv(1), 'the channel still works');
  });

  test('channel-refused on the channel or when nothing was asked is still never a session error', () => {
    const { host, ports, sockets, received } = up();
    const refused = { type: 'error', code: 'channel-refused', message: 'x', fatal: false };
    sockets[0].deliver(JSON.stringify(refused));
    ports[0].deliver(refused);
    assert.deepEqual(received, [PEER]);
    assert.equal(host.channel.state, 'up');
  });

  test('a hello of another protocol version on the channel ends the session', () => {
    const { host, sockets, gone } = up();
    sockets[0].deliver(JSON.stringify({ type: 'hello', version: 2, host: 'future', limits: {} }));
    assert.deepEqual(gone, ['version-mismatch']);
    assert.equal(sockets[0].closed, true);
    assert.equal(host.connected, false);
  });

  test('a message too large for the channel is dropped, not sent (the host would end the session)', () => {
    const { host, sockets, drops } = up();
    host.post({ type: 'send', data: 'x'.repeat(MAX_ASSEMBLED_BYTES) });
    host.post({ type: 'send', data: 'é'.repeat(Math.ceil(MAX_ASSEMBLED_BYTES / 2)) });
    assert.equal(sockets[0].sent.length, 1, 'only the token');
    assert.equal(drops.length, 2);
    host.post(send(1));
    assert.equal(sockets[0].sent.length, 2, 'the session goes on');
  });

  test('ended on the channel closes it; the next session on that port asks again (one request per peer)', () => {
    const { host, ports, sockets, received } = up();
    ports[0].deliver(PEER); // a repeated peer in the same session: no second request
    assert.equal(ports[0].posted.filter((m) => /** @type {any} */ (m).type === 'channel').length, 1);
    sockets[0].deliver('{"type":"ended","reason":"peer-ended","peer_reason":"local-end"}');
    sockets[0].fail(); // the host closes it after ended: not a loss
    assert.equal(received.at(-1).type, 'ended');
    assert.equal(sockets[0].closed, true);
    assert.equal(host.channel.state, 'closed');
    assert.equal(host.channel.lost, 0);
    host.post(SHARE);
    assert.deepEqual(ports[0].posted.at(-1), SHARE, 'native again');
    ports[0].deliver(PEER);
    assert.deepEqual(ports[0].posted.at(-1), { type: 'channel' });
    ports[0].deliver(OFFER);
    assert.equal(sockets.length, 2);
  });

  test('a held ended: delivered, the channel closed, no barrier posted', () => {
    const { host, ports, sockets, received } = connecting();
    sockets[0].deliver(JSON.stringify(recv(1)));
    sockets[0].deliver('{"type":"ended","reason":"local-end"}');
    sockets[0].deliver(JSON.stringify(recv(2)));
    ports[0].deliver({ type: 'channel-up' });
    assert.deepEqual(received.slice(1).map((m) => m.type), ['recv', 'ended']);
    assert.ok(!ports[0].posted.some((m) => /** @type {any} */ (m).type === 'channel-up'));
    assert.equal(host.channel.state, 'closed');
  });

  test('close() closes both the port and the socket; late socket messages and events are ignored', () => {
    const { host, ports, sockets, received, gone } = up();
    host.close();
    assert.equal(ports[0].disconnected, true);
    assert.equal(sockets[0].closed, true);
    sockets[0].deliver(JSON.stringify(recv(1)));
    sockets[0].fail();
    assert.deepEqual(received, [PEER]);
    assert.deepEqual(gone, []);
    assert.equal(host.channel.state, 'closed');
    host.post(SHARE);
    assert.equal(ports.length, 2, 'a new port; native first');
    assert.deepEqual(ports[1].posted, [{ type: 'hello', id: HELLO_REQUEST_ID }, SHARE]);
    ports[1].deliver(PEER);
    assert.deepEqual(ports[1].posted.at(-1), { type: 'channel' }, 'the new session asks again');
  });

  test('the native port dies: the socket is closed with it', () => {
    const { host, ports, sockets, gone } = up();
    ports[0].die();
    assert.deepEqual(gone, ['host-exited']);
    assert.equal(sockets[0].closed, true);
    assert.equal(host.channel.state, 'closed');
  });
});
