// Unit tests of the internal message validators (extension/background/messages.js): what the
// content script, the viewer and the popup may send the service worker, and what the service
// worker may send the content script. Each rebuilds the message from checked members only.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  isOwnPageSender,
  MAX_TYPED_CODE_CHARS,
  parseContentControl,
  parseContentMessage,
  parsePopupCommand,
  parseTypedCode,
  parseLaneOffer,
  parseViewerMessage,
} from '../../../extension/background/messages.js';

describe('messages: content script → service worker', () => {
  test('mirror messages and pong pass, as the same object', () => {
    const part = { k: 'part', e: 1, first: 1, n: [[0, 'html']] };
    assert.equal(parseContentMessage({ to: 'peer', data: part })?.to, 'peer');
    assert.equal(/** @type {any} */ (parseContentMessage({ to: 'peer', data: part })).data, part);
    assert.deepEqual(parseContentMessage({ to: 'peer', data: { k: 'pong', t: 1.5 } }), { to: 'peer', data: { k: 'pong', t: 1.5 } });
    assert.deepEqual(parseContentMessage({ to: 'sw', k: 'stop' }), { to: 'sw', k: 'stop' });
    assert.deepEqual(parseContentMessage({ to: 'sw', k: 'overflow' }), { to: 'sw', k: 'overflow' });
  });

  test('threat: a compromised content script cannot speak for the customer’s service worker (session kinds, bad envelopes refused)', () => {
    for (const m of [
      { to: 'peer', data: { k: 'consent', view: true } },
      { to: 'peer', data: { k: 'bye', reason: 'customer-stopped' } },
      { to: 'peer', data: { k: 'hello', app: 1, role: 'customer' } },
      { to: 'peer', data: { k: 'page', state: 'loading', url: 'x' } },
      { to: 'peer', data: { k: 'm', e: 0, ops: [] } },
      { to: 'peer', data: { k: 'm', e: 1 } },
      { to: 'peer', data: { k: 'm', e: 1, ops: [], extra: 1 } },
      { to: 'peer', data: { k: 'pong', t: Infinity } },
      { to: 'peer', data: { k: 'whatever' } },
      { to: 'peer', data: 'snap' },
      { to: 'peer', data: { k: 'pong', t: 1 }, more: true },
      { to: 'sw', k: 'allow' },
      { to: 'sw', k: 'stop', why: 'x' },
      { to: 'host', data: {} },
      null,
      'stop',
      [],
    ]) {
      assert.equal(parseContentMessage(m), null, JSON.stringify(m));
    }
  });
});

describe('messages: viewer → service worker', () => {
  test('resync, ping and leave pass', () => {
    assert.deepEqual(parseViewerMessage({ k: 'send', data: { k: 'resync' } }), { k: 'send', data: { k: 'resync' } });
    assert.deepEqual(parseViewerMessage({ k: 'send', data: { k: 'ping', t: 12 } }), { k: 'send', data: { k: 'ping', t: 12 } });
    assert.deepEqual(parseViewerMessage({ k: 'leave' }), { k: 'leave' });
  });

  test('threat: the viewer page cannot send arbitrary app messages to the customer', () => {
    for (const m of [
      { k: 'send', data: { k: 'bye', reason: 'agent-left' } },
      { k: 'send', data: { k: 'hello', app: 1, role: 'agent' } },
      { k: 'send', data: { k: 'ping', t: '1' } },
      { k: 'send', data: { k: 'ping', t: NaN } },
      { k: 'send', data: { k: 'ping', t: 1e13 } },
      { k: 'send', data: { k: 'resync', epoch: 3 } },
      { k: 'send', data: { k: 'navigate', url: 'https://x' } },
      { k: 'send' },
      { k: 'leave', now: true },
      { k: 'state' },
      undefined,
    ]) {
      assert.equal(parseViewerMessage(m), null, JSON.stringify(m));
    }
  });
});

describe('messages: popup commands', () => {
  test('every command of the contract', () => {
    assert.deepEqual(parsePopupCommand({ cmd: 'share', tabId: 3 }), { cmd: 'share', tabId: 3 });
    assert.deepEqual(parsePopupCommand({ cmd: 'customer-join', tabId: 3, code: '4821 937 204' }), { cmd: 'customer-join', tabId: 3, code: '4821-937-204' });
    assert.deepEqual(parsePopupCommand({ cmd: 'agent-join', code: '4821-937-204' }), { cmd: 'agent-join', code: '4821-937-204' });
    for (const cmd of ['agent-start', 'allow', 'deny', 'stop', 'leave', 'state']) assert.deepEqual(parsePopupCommand({ cmd }), { cmd });
  });

  test('malformed commands are refused', () => {
    for (const m of [
      { cmd: 'share' },
      { cmd: 'share', tabId: -1 },
      { cmd: 'share', tabId: 1.5 },
      { cmd: 'share', tabId: '3' },
      { cmd: 'agent-join', code: '12' },
      { cmd: 'agent-join', code: '4821-937-204', relay: 'ws://evil' },
      { cmd: 'allow', tabId: 3 },
      { cmd: 'eval' },
      { cmd: 1 },
      null,
    ]) {
      assert.equal(parsePopupCommand(m), null, JSON.stringify(m));
    }
  });
});

describe('messages: who may send commands', () => {
  const ID = 'mnknokapbblehlbilofanegdjpgoobcc';
  const ORIGIN = `chrome-extension://${ID}/`;
  test('the popup, the consent window and the viewer may', () => {
    assert.equal(isOwnPageSender({ id: ID, url: `${ORIGIN}popup/popup.html` }, ID, ORIGIN), true);
    assert.equal(isOwnPageSender({ id: ID, url: `${ORIGIN}popup/popup.html?tab=3`, frameId: 0 }, ID, ORIGIN), true);
  });

  test('threat: a content script in a hostile page cannot send Allow (or any command)', () => {
    assert.equal(isOwnPageSender({ id: ID, url: 'https://evil.example/', frameId: 0 }, ID, ORIGIN), false);
    assert.equal(isOwnPageSender({ id: ID, url: `https://evil.example/${ORIGIN}` }, ID, ORIGIN), false);
    assert.equal(isOwnPageSender({ id: 'otherextensionidaaaaaaaaaaaaaaaa', url: `${ORIGIN}popup/popup.html` }, ID, ORIGIN), false);
    assert.equal(isOwnPageSender({ id: ID, url: `${ORIGIN}popup/popup.html`, frameId: 3 }, ID, ORIGIN), false, 'an extension page framed somewhere');
    assert.equal(isOwnPageSender({ id: ID }, ID, ORIGIN), false);
  });
});

describe('messages: typed codes', () => {
  test('digits with spaces, dashes or dots become NAMEPLATE-DDD-DDD', () => {
    assert.equal(parseTypedCode('4821 937 204'), '4821-937-204');
    assert.equal(parseTypedCode(' 4821·937·204 '), '4821-937-204');
    assert.equal(parseTypedCode('4821937204'), '4821-937-204');
    assert.equal(parseTypedCode('1-234-567'), '1-234-567');
    assert.equal(parseTypedCode('123456-234-567'), '123456-234-567');
  });

  test('too few or too many digits, letters, or a very long input are refused', () => {
    assert.equal(parseTypedCode('123456'), null);
    assert.equal(parseTypedCode('1234567890123'), null);
    assert.equal(parseTypedCode('4821 937 2O4'), null);
    assert.equal(parseTypedCode(`4821937204${' '.repeat(MAX_TYPED_CODE_CHARS)}`), null, 'MAX_TYPED_CODE_CHARS');
    assert.equal(parseTypedCode(`4821937204${' '.repeat(MAX_TYPED_CODE_CHARS - 10)}`), '4821-937-204', 'at the limit');
    assert.equal(parseTypedCode(42), null);
  });
});

describe('messages: service worker → content script', () => {
  test('start, resync, ping and stop pass', () => {
    const start = { k: 'start', epoch: 1, maskSelectors: ['.a'], blockSelectors: [], hintEvent: 'cotab-ab' };
    assert.deepEqual(parseContentControl(start), start);
    assert.deepEqual(parseContentControl({ k: 'resync', epoch: 2 }), { k: 'resync', epoch: 2 });
    assert.deepEqual(parseContentControl({ k: 'ping', t: 9 }), { k: 'ping', t: 9 });
    assert.deepEqual(parseContentControl({ k: 'stop' }), { k: 'stop' });
  });

  test('malformed control messages are refused', () => {
    for (const m of [
      { k: 'start', epoch: 0, maskSelectors: [], blockSelectors: [], hintEvent: '' },
      { k: 'start', epoch: 1, maskSelectors: [1], blockSelectors: [], hintEvent: '' },
      { k: 'start', epoch: 1, maskSelectors: [], blockSelectors: [], hintEvent: 'x'.repeat(65) },
      { k: 'start', epoch: 1, maskSelectors: [], blockSelectors: [] },
      { k: 'resync' },
      { k: 'ping', t: null },
      { k: 'stop', now: 1 },
      { k: 'act', what: 'click' },
    ]) {
      assert.equal(parseContentControl(m), null, JSON.stringify(m));
    }
  });
});

describe('parseLaneOffer (the viewer offering its lane, sw.js)', () => {
  test('a random UUID nonce, nothing else', () => {
    const nonce = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.equal(parseLaneOffer({ k: 'lane', nonce }), nonce);
    for (const m of [
      null,
      'lane',
      { k: 'lane' },
      { k: 'lane', nonce: 'x' },
      { k: 'lane', nonce: nonce.toUpperCase() },
      { k: 'lane', nonce, extra: 1 },
      { k: 'send', nonce },
      { k: 'lane', nonce: 42 },
    ]) {
      assert.equal(parseLaneOffer(m), null, JSON.stringify(m));
    }
  });
});
