// Unit tests of the native port wrapper (extension/background/native-port.js) against a fake
// chrome.runtime.Port: hello first, lazy connect, chunk reassembly, validation, the port's end.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { describeNativeError, HELLO_REQUEST_ID, NativeHost } from '../../../extension/background/native-port.js';

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
