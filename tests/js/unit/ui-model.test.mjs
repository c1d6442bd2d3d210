// Unit tests of the pure parts of the popup, options and viewer: settings normalization, words
// and code formatting, the viewer's displayed state, scaling, and validation of what the service
// worker posts to the viewer.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  CAPABILITIES,
  DEFAULT_RELAY,
  MAX_ALLOWED_ORIGINS,
  MAX_SELECTOR_CHARS,
  MAX_SELECTORS,
  normalizeOrigin,
  normalizeSettings,
  originsFromText,
  relayUrlProblem,
  selectorsFromText,
} from '../../../extension/background/settings.js';
import { endedText, formatCode, statusText } from '../../../extension/popup/texts.js';
import { isLaneUp, parseViewerInbound, scaleToFit, viewerDisplayState } from '../../../extension/viewer/viewer-model.js';

/** @param {string} phase @param {string} [mode] @returns {any} */
const st = (phase, mode = 'agent') => ({ mode, phase, epoch: 1, startedBy: 'customer' });

describe('settings', () => {
  test('defaults for anything missing or malformed', () => {
    const assist = { grantable: [...CAPABILITIES], granted: ['annotate'], allowedOrigins: [], finalizeSelectors: [], dataChannel: true };
    assert.deepEqual(normalizeSettings(undefined), { relay: DEFAULT_RELAY, maskSelectors: [], blockSelectors: [], mode: 'both', ...assist });
    assert.deepEqual(normalizeSettings({ relay: 'http://x', mode: 'admin', maskSelectors: 'x' }), normalizeSettings(undefined));
    assert.deepEqual(normalizeSettings({ relay: 'ws://127.0.0.1:4000/v1', mode: 'agent', maskSelectors: [' .a ', '', 3, '.a'], blockSelectors: ['#b'] }), {
      relay: 'ws://127.0.0.1:4000/v1',
      maskSelectors: ['.a'],
      blockSelectors: ['#b'],
      mode: 'agent',
      ...assist,
    });
  });

  test('dataChannel: a stored boolean is kept, anything else is the default (on)', () => {
    assert.equal(normalizeSettings({ dataChannel: false }).dataChannel, false);
    assert.equal(normalizeSettings({ dataChannel: true }).dataChannel, true);
    assert.equal(normalizeSettings({ dataChannel: 'false' }).dataChannel, true);
    assert.equal(normalizeSettings({ dataChannel: 0 }).dataChannel, true);
  });

  test('capabilities: unknown names dropped, granted only from grantable, lists kept in order', () => {
    const s = normalizeSettings({ grantable: ['click', 'type', 'root', 'annotate'], granted: ['click', 'scroll', 'x'] });
    assert.deepEqual(s.grantable, ['annotate', 'type', 'click']);
    // scroll is not grantable, so it cannot be granted with the join either.
    assert.deepEqual(s.granted, ['click']);
    assert.deepEqual(normalizeSettings({ grantable: [] }).granted, [], 'nothing grantable: nothing granted');
    assert.deepEqual(normalizeSettings({ grantable: 'all' }).grantable, [...CAPABILITIES], 'not an array: the default');
  });

  test('allowed origins: http(s) origins only, normalized, deduplicated, capped (MAX_ALLOWED_ORIGINS)', () => {
    assert.equal(normalizeOrigin('https://Help.Example.com/path?q'), 'https://help.example.com');
    assert.equal(normalizeOrigin('javascript:alert(1)'), null);
    assert.equal(normalizeOrigin('file:///etc/passwd'), null);
    const s = normalizeSettings({ allowedOrigins: ['https://a.example/x', 'https://a.example', 'ftp://b', 7] });
    assert.deepEqual(s.allowedOrigins, ['https://a.example']);
    const many = Array.from({ length: MAX_ALLOWED_ORIGINS + 3 }, (_, i) => `https://o${i}.example`);
    assert.equal(normalizeSettings({ allowedOrigins: many }).allowedOrigins.length, MAX_ALLOWED_ORIGINS);
    assert.deepEqual(originsFromText('https://a.example\n\n nope \nhttp://b.example:8080/x'), {
      origins: ['https://a.example', 'http://b.example:8080'],
      bad: ['nope'],
    });
  });

  test('selector lists are capped (MAX_SELECTORS, MAX_SELECTOR_CHARS)', () => {
    const many = Array.from({ length: MAX_SELECTORS + 5 }, (_, i) => `.s${i}`);
    assert.equal(normalizeSettings({ maskSelectors: many }).maskSelectors.length, MAX_SELECTORS);
    assert.deepEqual(normalizeSettings({ maskSelectors: ['a'.repeat(MAX_SELECTOR_CHARS + 1), 'a'.repeat(MAX_SELECTOR_CHARS)] }).maskSelectors, [
      'a'.repeat(MAX_SELECTOR_CHARS),
    ]);
    assert.deepEqual(selectorsFromText('.a\r\n\n  #b  \n'), ['.a', '#b']);
  });

  test('relay URL problems are explained', () => {
    assert.equal(relayUrlProblem('wss://relay.cotab.io/v1'), null);
    assert.equal(relayUrlProblem('ws://127.0.0.1:8080/v1'), null);
    assert.match(String(relayUrlProblem('https://relay.cotab.io')), /wss:\/\//);
    assert.ok(relayUrlProblem('wss://u:p@relay.cotab.io/v1'));
    assert.ok(relayUrlProblem('not a url'));
    assert.ok(relayUrlProblem(''));
  });
});

describe('words', () => {
  test('codes are grouped for reading aloud', () => {
    assert.equal(formatCode('4821-937-204'), '4821 · 937 · 204');
  });

  test('every phase has words on both sides', () => {
    for (const phase of ['connecting', 'code', 'joining', 'handshaking', 'consent', 'live', 'ended']) assert.ok(statusText('customer', phase));
    for (const phase of ['connecting', 'code', 'handshaking', 'waiting-consent', 'loading', 'live', 'ended', 'denied']) assert.ok(statusText('agent', phase));
  });

  test('end reasons read differently for each side; the error code wins over a generic reason', () => {
    assert.equal(endedText({ mode: 'customer', reason: 'customer-stopped' }), 'You stopped sharing.');
    assert.equal(endedText({ mode: 'agent', reason: 'customer-stopped' }), 'The customer stopped sharing.');
    assert.match(endedText({ mode: 'customer', reason: 'host-disconnected', error: 'host-not-installed' }), /not installed/);
    assert.match(endedText({ mode: 'agent', reason: 'extension-restarted' }), /restarted/);
    assert.match(endedText({ mode: 'agent', reason: 'something-new' }), /something-new/);
  });
});

describe('viewer model', () => {
  test('live only when the mirror shows the current document', () => {
    assert.equal(viewerDisplayState(st('live'), 'live', false), 'live');
    assert.equal(viewerDisplayState(st('live'), 'empty', false), 'loading', 'a reconnected viewer waits for the resync');
    assert.equal(viewerDisplayState(st('live'), 'desync', false), 'loading');
    assert.equal(viewerDisplayState(st('live'), 'live', true), 'loading', 'the customer is navigating');
    assert.equal(viewerDisplayState(st('loading'), 'loading', false), 'loading');
    for (const phase of ['connecting', 'code', 'handshaking', 'waiting-consent', 'ended', 'denied']) assert.equal(viewerDisplayState(st(phase), 'empty', false), phase);
    assert.equal(viewerDisplayState(null, 'empty', false), 'connecting', 'before the first state: connecting, never a false "ended"');
    assert.equal(viewerDisplayState({ ...st('idle'), mode: 'idle' }, 'empty', false), 'ended', 'no agent session: ended');
    assert.equal(viewerDisplayState(st('live', 'customer'), 'live', false), 'ended', 'not an agent session');
  });

  test('the customer viewport is scaled down to fit, never up', () => {
    assert.equal(scaleToFit(1280, 720, 640, 720), 0.5);
    assert.equal(scaleToFit(1280, 720, 2560, 1440), 1);
    assert.equal(scaleToFit(1000, 1000, 800, 500), 0.5);
    assert.equal(scaleToFit(0, 720, 100, 100), 1);
  });

  test('what the worker posts is validated', () => {
    assert.deepEqual(parseViewerInbound({ k: 'state', state: { ...st('live'), sas: '123 456', junk: 1 } }), {
      k: 'state',
      state: { ...st('live'), sas: '123 456' },
    });
    assert.equal(parseViewerInbound({ k: 'state', state: { mode: 'agent', phase: 'dancing', epoch: 1, startedBy: 'agent' } }), null);
    assert.equal(parseViewerInbound({ k: 'peer', data: { k: 'm', e: 1, ops: [] } })?.k, 'peer');
    assert.equal(parseViewerInbound({ k: 'peer', data: 'm' }), null);
    assert.equal(parseViewerInbound({ k: 'eval', code: '1' }), null);
  });
});

describe('isLaneUp (the worker switching the viewer to its lane)', () => {
  test('exactly {k: "lane-up"}', () => {
    assert.equal(isLaneUp({ k: 'lane-up' }), true);
    for (const m of [null, 'lane-up', { k: 'lane-up', x: 1 }, { k: 'state' }, []]) assert.equal(isLaneUp(m), false, JSON.stringify(m));
  });
});
