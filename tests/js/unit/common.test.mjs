// The pure protocol modules in extension/common/ at their limits (the shared vectors are run by
// protocol-vectors.test.mjs): JSON measuring, the extension→host builders, chunk reassembly caps.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ChunkAssembler, MAX_ASSEMBLED_BYTES, MAX_CHUNK_COUNT } from '../../../extension/common/chunks.js';
import { jsonStringBytes, measureJson, utf8Length } from '../../../extension/common/json.js';
import {
  endRequest,
  helloRequest,
  isTypedCode,
  joinRequest,
  MAX_REQUEST_ID,
  sendRequest,
  shareRequest,
  validateExtensionMessage,
} from '../../../extension/common/native.js';
import { LIMITS } from '../../../extension/dist/protocol.js';

const NO_CAP = { maxBytes: Infinity, maxDepth: 1000 };

/** A small deterministic PRNG (tests must not vary between runs). */
function prng(seed = 12345) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

const SAMPLE_CHARS = ['a', 'Z', ' ', '"', '\\', '\n', '\t', '\b', '\f', '\r', '\u0000', '\u001f', '\u007f', 'é', 'ß', '世', '\u2028', '😀', '/', '<'];

/** @param {() => number} rand @param {number} depth @returns {unknown} */
function randomValue(rand, depth) {
  const pick = Math.floor(rand() * (depth > 4 ? 5 : 7));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return [0, -0, 1, -1.5, 0.1, 1e21, 1e-7, 2 ** 53, -(2 ** 31), 123456789.125][Math.floor(rand() * 10)];
    case 3:
    case 4:
      return Array.from({ length: Math.floor(rand() * 12) }, () => SAMPLE_CHARS[Math.floor(rand() * SAMPLE_CHARS.length)]).join('');
    case 5:
      return Array.from({ length: Math.floor(rand() * 5) }, () => randomValue(rand, depth + 1));
    default: {
      /** @type {Record<string, unknown>} */
      const o = {};
      for (let i = Math.floor(rand() * 5); i > 0; i--) o[String(randomValue(rand, 99))] = randomValue(rand, depth + 1);
      return o;
    }
  }
}

describe('json: measuring what goes on the wire', () => {
  test('measureJson gives the UTF-8 length of JSON.stringify for 2,000 varied values', () => {
    const rand = prng();
    for (let i = 0; i < 2000; i++) {
      const v = randomValue(rand, 0);
      const r = measureJson(v, NO_CAP);
      assert.deepEqual(r, { ok: true, bytes: Buffer.byteLength(JSON.stringify(v)) }, JSON.stringify(v));
    }
  });

  test('utf8Length and jsonStringBytes agree with Buffer for every sample character', () => {
    for (const c of SAMPLE_CHARS) {
      assert.equal(utf8Length(c.repeat(3)), Buffer.byteLength(c.repeat(3)), JSON.stringify(c));
      assert.equal(jsonStringBytes(c), Buffer.byteLength(JSON.stringify(c)), JSON.stringify(c));
    }
    assert.equal(utf8Length('\ud800x'), 4, 'a lone surrogate is written as U+FFFD (3 bytes)');
  });

  test('refuses values that would not arrive as sent', () => {
    // threat: a value that JSON.stringify silently changes (undefined dropped, NaN to null)
    // would make the peer see something else than the sender meant.
    for (const v of [undefined, () => 1, Symbol('s'), 10n, NaN, Infinity, new Date(0), new Map(), { a: undefined }, [1, , 3]]) {
      assert.deepEqual(measureJson(v, NO_CAP), { ok: false, code: 'bad-message' }, String(v));
    }
    assert.deepEqual(measureJson(Object.create(null), NO_CAP), { ok: true, bytes: 2 }, 'a null-prototype object is plain');
  });

  test('a lone surrogate, in a value or a key, is bad-json (the host refuses its escape)', () => {
    assert.deepEqual(measureJson(['ok', '\udc00'], NO_CAP), { ok: false, code: 'bad-json' });
    assert.deepEqual(measureJson({ '\ud83d': 1 }, NO_CAP), { ok: false, code: 'bad-json' });
    assert.deepEqual(measureJson('😀', NO_CAP), { ok: true, bytes: 6 });
  });

  test('stops at the size cap and at the depth cap, also on a cycle', () => {
    assert.deepEqual(measureJson('x'.repeat(9), { maxBytes: 11, maxDepth: 64 }), { ok: true, bytes: 11 });
    assert.deepEqual(measureJson('x'.repeat(10), { maxBytes: 11, maxDepth: 64 }), { ok: false, code: 'message-too-large' });
    /** @type {unknown[]} */
    const cycle = [];
    cycle.push(cycle);
    assert.deepEqual(measureJson(cycle, { maxBytes: Infinity, maxDepth: 64 }), { ok: false, code: 'json-too-deep' });
  });
});

describe('native: extension → host builders', () => {
  /** @param {number} levels */
  const nested = (levels) => {
    /** @type {unknown} */
    let v = [];
    for (let i = 1; i < levels; i++) v = [v];
    return v;
  };

  test('build exactly the schema messages, with id only when given', () => {
    assert.deepEqual(helloRequest(), { ok: true, msg: { type: 'hello' } });
    assert.deepEqual(helloRequest(0), { ok: true, msg: { type: 'hello', id: 0 } });
    assert.deepEqual(shareRequest('wss://relay.example/v1', 2), { ok: true, msg: { type: 'share', relay: 'wss://relay.example/v1', id: 2 } });
    assert.deepEqual(joinRequest('ws://127.0.0.1:9/v1', '4821-937-204'), {
      ok: true,
      msg: { type: 'join', relay: 'ws://127.0.0.1:9/v1', code: '4821-937-204' },
    });
    assert.deepEqual(sendRequest({ k: 'resync' }), { ok: true, msg: { type: 'send', data: { k: 'resync' } } });
    assert.deepEqual(sendRequest(null), { ok: true, msg: { type: 'send', data: null } });
    assert.deepEqual(endRequest(MAX_REQUEST_ID), { ok: true, msg: { type: 'end', id: MAX_REQUEST_ID } });
  });

  test('refuse what the host would refuse, with the host\'s code', () => {
    for (const id of [-1, 1.5, MAX_REQUEST_ID + 2, NaN]) assert.deepEqual(helloRequest(id), { ok: false, code: 'bad-message' }, String(id));
    assert.deepEqual(helloRequest(/** @type {any} */ ('1')), { ok: false, code: 'bad-message' });
    assert.deepEqual(shareRequest('https://relay.example/v1'), { ok: false, code: 'bad-relay-url' });
    assert.deepEqual(shareRequest(/** @type {any} */ (5)), { ok: false, code: 'bad-message' });
    assert.deepEqual(joinRequest('wss://r.example', '4821-93a-204'), { ok: false, code: 'code-format' });
    assert.deepEqual(joinRequest('wss://r.example', '4-821937'), { ok: true, msg: { type: 'join', relay: 'wss://r.example', code: '4-821937' } });
    assert.deepEqual(joinRequest('wss://r.example', '482-193'), { ok: false, code: 'code-format' }, '6 digits: too few');
    assert.deepEqual(joinRequest('wss://r.example', '1234567-890123'), { ok: false, code: 'code-format' }, '13 digits: too many');
    assert.deepEqual(sendRequest(undefined), { ok: false, code: 'bad-message' });
    assert.deepEqual(sendRequest({ text: 'broken \ud800 pair' }), { ok: false, code: 'bad-json' });
  });

  test('isTypedCode follows key-agreement.md §1 (7 to 12 digits, spaces and dashes anywhere)', () => {
    assert.ok(isTypedCode(' 4821 - 937 204 '));
    assert.ok(!isTypedCode('4821\t937204'), 'other whitespace');
    assert.ok(!isTypedCode('４８２１-937-204'), 'non-ASCII digits');
    assert.ok(!isTypedCode(''));
  });

  test('send data of max_json_depth - 1 levels passes; one more is json-too-deep', () => {
    // The message object is level 1: data may nest max_json_depth - 1 levels (vectors/messages.json).
    assert.equal(sendRequest(nested(LIMITS.max_json_depth - 1)).ok, true);
    assert.deepEqual(sendRequest(nested(LIMITS.max_json_depth)), { ok: false, code: 'json-too-deep' });
  });

  test('send data of exactly max_message_bytes passes; one byte more is message-too-large', () => {
    const atLimit = 'x'.repeat(LIMITS.max_message_bytes - 2); // + 2 quotes
    assert.equal(sendRequest(atLimit).ok, true);
    assert.deepEqual(sendRequest(atLimit + 'x'), { ok: false, code: 'message-too-large' });
    assert.deepEqual(sendRequest('é'.repeat(LIMITS.max_message_bytes / 2)), { ok: false, code: 'message-too-large' }, 'bytes, not characters');
  });

  test('validateExtensionMessage refuses members the host does not know, on every type', () => {
    // threat: the host's decoding is strict; an extra member would turn a request into bad-message.
    for (const m of [{ type: 'hello', v: 1 }, { type: 'share', relay: 'wss://x', code: '1' }, { type: 'send', data: 1, relay: 'wss://x' }, { type: 'end', reason: 'x' }]) {
      assert.deepEqual(validateExtensionMessage(m), { ok: false, code: 'bad-message' }, JSON.stringify(m));
    }
  });
});

describe('chunks: reassembly caps', () => {
  /**
   * Splits `text` into chunk frames of at most `size` characters.
   * @param {number} id @param {string} text @param {number} size @param {number} [count]
   */
  function frames(id, text, size, count) {
    const parts = [];
    for (let at = 0; at < text.length; at += size) parts.push(text.slice(at, at + size));
    return parts.map((part, index) => ({ type: 'chunk', id, index, count: count ?? parts.length, part }));
  }
  /** @param {number} bytes a recv message of exactly this many (ASCII) bytes */
  function recvOf(bytes) {
    const envelope = '{"type":"recv","data":""}';
    return `{"type":"recv","data":"${'x'.repeat(bytes - envelope.length)}"}`;
  }

  test('a message of exactly MAX_ASSEMBLED_BYTES is reassembled; one byte more is message-too-large', () => {
    // threat: a host (or a bug) sending endless chunks cannot make the extension buffer without bound.
    assert.equal(MAX_ASSEMBLED_BYTES, LIMITS.max_message_bytes + 1024);
    const chunks = new ChunkAssembler();
    const ok = frames(1, recvOf(MAX_ASSEMBLED_BYTES), LIMITS.chunk_budget_bytes - 128);
    const results = ok.map((f) => chunks.feed(f));
    const last = results.pop();
    assert.ok(results.every((r) => 'pending' in r));
    assert.ok(last && 'done' in last && last.done.type === 'recv' && typeof last.done.data === 'string');
    assert.equal(/** @type {string} */ (last.done.data).length, MAX_ASSEMBLED_BYTES - 25);

    const over = frames(2, recvOf(MAX_ASSEMBLED_BYTES + 1), LIMITS.chunk_budget_bytes - 128);
    const overResults = over.map((f) => chunks.feed(f));
    assert.deepEqual(overResults.at(-1), { error: 'message-too-large' });
    assert.equal(chunks.pending, false);
  });

  test('the size counts UTF-8 bytes, not characters', () => {
    const chunks = new ChunkAssembler();
    const part = 'é'.repeat(LIMITS.chunk_budget_bytes / 2); // chunk_budget_bytes bytes, half as many characters
    const count = 2 * Math.ceil(MAX_ASSEMBLED_BYTES / LIMITS.chunk_budget_bytes);
    let index = 0;
    /** @type {import('../../../extension/common/chunks.js').FeedResult} */
    let fed;
    do fed = chunks.feed({ type: 'chunk', id: 1, index, count, part });
    while ('pending' in fed && ++index < count);
    assert.deepEqual(fed, { error: 'message-too-large' });
    assert.equal(index, Math.floor(MAX_ASSEMBLED_BYTES / LIMITS.chunk_budget_bytes), 'refused at the first part past the cap');
  });

  test('a count of MAX_CHUNK_COUNT is taken, one more is refused', () => {
    // threat: a count no real message can need announces a message larger than any allowed.
    const minPart = Math.floor((LIMITS.chunk_budget_bytes - 128 - 5) / 6);
    assert.ok((MAX_CHUNK_COUNT - 1) * minPart >= MAX_ASSEMBLED_BYTES, 'the bound admits every legal message');
    assert.deepEqual(new ChunkAssembler().feed({ type: 'chunk', id: 1, index: 0, count: MAX_CHUNK_COUNT, part: '{' }), { pending: true });
    assert.deepEqual(new ChunkAssembler().feed({ type: 'chunk', id: 1, index: 0, count: MAX_CHUNK_COUNT + 1, part: '{' }), {
      error: 'protocol-violation',
    });
  });

  test('a part above chunk_budget_bytes is refused (no host frame is that large)', () => {
    const chunks = new ChunkAssembler();
    const part = 'x'.repeat(LIMITS.chunk_budget_bytes + 1);
    assert.deepEqual(chunks.feed({ type: 'chunk', id: 1, index: 0, count: 2, part }), { error: 'protocol-violation' });
    assert.deepEqual(chunks.feed({ type: 'chunk', id: 2, index: 0, count: 2, part: part.slice(1) }), { pending: true });
  });

  test('reset() drops a partial message and lets a new port count ids from 1 again', () => {
    const chunks = new ChunkAssembler();
    const [first] = frames(5, recvOf(100), 40);
    assert.deepEqual(chunks.feed(first), { pending: true });
    assert.equal(chunks.pending, true);
    chunks.reset();
    assert.equal(chunks.pending, false);
    const again = frames(1, recvOf(100), 40).map((f) => chunks.feed(f));
    assert.deepEqual(again.at(-1), { done: JSON.parse(recvOf(100)) });
  });
});
