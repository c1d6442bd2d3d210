// Contract tests: every vector file in shared/protocol/vectors/ run on the JS side, every schema
// compiled and checked against the same vectors (so schemas and validators cannot drift), and the
// registries (errors.json, limits.json) checked, together with the freshness of the generated
// extension/dist/protocol.js. The C++ side runs the same vectors (tests/unit/unit-*.cpp).
// Needs `node tools/build-extension.mjs` first (it writes extension/dist/protocol.js).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import Ajv2020Module from 'ajv/dist/2020.js';

import { validateAgentMessage, validateCustomerMessage } from '../../../extension/common/app.js';
import * as app from '../../../extension/common/app.js';
import { ChunkAssembler } from '../../../extension/common/chunks.js';
import * as native from '../../../extension/common/native.js';
import { validateExtensionMessage, validateHostMessage } from '../../../extension/common/native.js';
import { ERRORS, LIMITS } from '../../../extension/dist/protocol.js';
import { protocolModule } from '../../../tools/build-extension.mjs';
import { FrameDecoder } from '../support/frames.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const protocolDir = path.join(root, 'shared/protocol');
/** @param {string} rel @returns {any} */
const load = (rel) => JSON.parse(readFileSync(path.join(protocolDir, rel), 'utf8'));

// ajv's 2020-12 build is CommonJS; its default export arrives as the module object under ESM.
const Ajv2020 = /** @type {typeof Ajv2020Module} */ (/** @type {any} */ (Ajv2020Module).default ?? Ajv2020Module);
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
const schemaFiles = readdirSync(path.join(protocolDir, 'schemas')).filter((f) => f.endsWith('.schema.json'));
/** @type {Record<string, any>} */
const schemas = {};
for (const file of schemaFiles) {
  schemas[file] = load(`schemas/${file}`);
  ajv.addSchema(schemas[file], file);
}
/** @param {string} ref e.g. "app.schema.json#/$defs/from_agent" */
function schema(ref) {
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `schema ${ref} exists`);
  return validate;
}
/** @param {string} ref @param {unknown} value */
function schemaAccepts(ref, value) {
  return schema(ref)(value) === true;
}

/** Error codes that describe JSON text, nesting or size — things a JSON Schema cannot express. */
const NON_SCHEMA_CODES = new Set(['bad-json', 'json-too-deep', 'message-too-large', 'app-message-too-large']);

const hex = (/** @type {string} */ s) => Uint8Array.from(Buffer.from(s, 'hex'));
const utf8 = new TextDecoder('utf-8', { fatal: true });

describe('schemas', () => {
  test('every schema compiles with ajv (2020-12, strict)', () => {
    assert.ok(schemaFiles.length >= 4, schemaFiles.join(', '));
    for (const file of schemaFiles) assert.equal(typeof ajv.getSchema(file), 'function', file);
  });

  test('the schemas state the same constants as the validators and limits.json', () => {
    const appDefs = schemas['app.schema.json'].$defs;
    assert.equal(appDefs.part.properties.n.maxItems, LIMITS.mirror_part_records);
    assert.equal(appDefs.hello_common.properties.app.const, app.APP_VERSION);
    assert.equal(appDefs.hello_common.properties.ua.maxLength, app.MAX_UA_CHARS);
    assert.equal(appDefs.node_id.maximum, app.MAX_APP_INTEGER);
    assert.deepEqual(appDefs.bye.properties.reason.enum, [...app.BYE_REASONS]);
    assert.deepEqual(appDefs.page.properties.state.enum, [...app.PAGE_STATES]);
    const known = new Set([...app.KINDS_FROM_AGENT, ...app.KINDS_FROM_CUSTOMER]);
    assert.deepEqual(new Set(appDefs.unknown_kind.properties.k.not.enum), known);
    const hostDefs = schemas['host-to-extension.schema.json'].$defs;
    assert.equal(hostDefs.id.maximum, native.MAX_REQUEST_ID);
    assert.deepEqual(hostDefs.status.properties.state.enum, [...native.STATUS_STATES]);
    assert.deepEqual(hostDefs.peer.properties.role.enum, [...native.PEER_ROLES]);
    assert.equal(hostDefs.hello.properties.version.const, LIMITS.protocol_version);
    assert.equal(hostDefs.channel.properties.token.pattern, native.CHANNEL_TOKEN.source);
    assert.equal(schemas['extension-to-host.schema.json'].$defs.id.maximum, native.MAX_REQUEST_ID);
  });
});

describe('errors.json and limits.json', () => {
  const errors = load('errors.json').errors;
  const limits = load('limits.json').limits;

  test('error ids are unique and dense from 1, codes unique, every entry complete', () => {
    const ids = errors.map((/** @type {any} */ e) => e.id);
    assert.deepEqual(ids, ids.map((/** @type {number} */ _, /** @type {number} */ i) => i + 1));
    assert.equal(new Set(errors.map((/** @type {any} */ e) => e.code)).size, errors.length);
    for (const e of errors) {
      assert.match(e.code, /^[a-z][a-z0-9-]*$/, e.code);
      assert.equal(typeof e.fatal, 'boolean', e.code);
      assert.ok(['host', 'relay', 'both', 'app'].includes(e.layer), `${e.code}: layer ${e.layer}`);
      assert.ok(e.meaning.length > 10, e.code);
    }
  });

  test('the app layer has the errors app.md relies on', () => {
    const byCode = Object.fromEntries(errors.map((/** @type {any} */ e) => [e.code, e]));
    /** @type {[string, boolean][]} */
    const expected = [['app-bad-message', false], ['role-conflict', true], ['app-version-mismatch', true], ['mirror-desync', false], ['app-message-too-large', false]];
    for (const [code, fatal] of expected) {
      assert.equal(byCode[code]?.layer, 'app', code);
      assert.equal(byCode[code].fatal, fatal, code);
    }
  });

  test('limit names are unique and every limit says its value, unit, meaning and test', () => {
    assert.equal(new Set(limits.map((/** @type {any} */ l) => l.name)).size, limits.length);
    for (const l of limits) {
      assert.ok(Number.isSafeInteger(l.value) && l.value > 0, l.name);
      for (const key of ['unit', 'meaning', 'tested_by']) assert.ok(typeof l[key] === 'string' && l[key].length > 0, `${l.name}.${key}`);
    }
  });

  test("every limit in app.md §5 is in limits.json (names starting app_ / mirror_)", () => {
    const appMd = readFileSync(path.join(protocolDir, 'app.md'), 'utf8');
    const section = appMd.slice(appMd.indexOf('## 5. Limits'), appMd.indexOf('## 6.'));
    const named = [...section.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    assert.ok(named.length >= 6, named.join(', '));
    for (const name of named) assert.ok(limits.some((/** @type {any} */ l) => l.name === name), name);
  });

  test('extension/dist/protocol.js is fresh: it equals a new generation from the JSON files', () => {
    const built = readFileSync(path.join(root, 'extension/dist/protocol.js'), 'utf8');
    assert.equal(built, protocolModule(), 'run `node tools/build-extension.mjs`');
    assert.deepEqual(LIMITS, Object.fromEntries(limits.map((/** @type {any} */ l) => [l.name, l.value])));
    assert.deepEqual(Object.keys(ERRORS), errors.map((/** @type {any} */ e) => e.code));
  });
});

describe('vectors/framing.json (native-messaging frames)', () => {
  const vectors = load('vectors/framing.json');

  /** @param {number} max @param {Uint8Array[]} pieces */
  function decode(max, pieces) {
    const decoder = new FrameDecoder(max);
    const events = pieces.flatMap((p) => decoder.feed(p)).map((e) => ('frame' in e ? { frame: utf8.decode(e.frame) } : e));
    return { events, truncated: decoder.midFrame };
  }

  for (const c of vectors.cases) {
    test(`${c.name}: the same events for every split of the input`, () => {
      const input = hex(c.input_hex);
      const want = { events: c.events, truncated: c.truncated };
      assert.deepEqual(decode(c.max_frame_bytes, [input]), want, 'whole');
      assert.deepEqual(decode(c.max_frame_bytes, [...input].map((b) => Uint8Array.of(b))), want, 'byte by byte');
      for (let i = 0; i <= input.length; i++) {
        for (let j = i; j <= input.length; j++) {
          const pieces = [input.subarray(0, i), input.subarray(i, j), input.subarray(j)];
          assert.deepEqual(decode(c.max_frame_bytes, pieces), want, `split at ${i}, ${j}`);
        }
      }
    });
  }
});

describe('vectors/messages.json (extension → host)', () => {
  const vectors = load('vectors/messages.json');
  const toHost = 'extension-to-host.schema.json';

  for (const c of vectors.cases) {
    test(c.name, () => {
      const bytes = c.input_hex !== undefined ? hex(c.input_hex) : new TextEncoder().encode(c.input);
      /** @type {unknown} */
      let value;
      try {
        value = JSON.parse(utf8.decode(bytes));
      } catch {
        // Not UTF-8 JSON: nothing the extension could post (Chrome writes JSON.stringify text).
        assert.equal(c.error, 'bad-json');
        return;
      }
      const got = validateExtensionMessage(value);
      if (c.text_only) {
        // The fault is in the text; the parsed value is a fine message, and the extension's own
        // text for it (JSON.stringify) is not the vector's text.
        assert.equal(got.ok, true, c.text_only);
        assert.notEqual(JSON.stringify(value), c.input);
        assert.ok(schemaAccepts(toHost, value));
        return;
      }
      if (c.error) {
        assert.deepEqual(got, { ok: false, code: c.error });
        assert.equal(schemaAccepts(toHost, value), NON_SCHEMA_CODES.has(c.error), 'schema agrees');
        return;
      }
      assert.ok(got.ok, JSON.stringify(got));
      const msg = /** @type {Record<string, unknown>} */ (got.msg);
      assert.equal(msg.type, c.ok.type);
      assert.equal(msg.id, c.ok.id);
      for (const key of ['relay', 'code']) if (key in c.ok) assert.equal(msg[key], c.ok[key]);
      // The host forwards `data` as the exact bytes; in JS what applies is the same value.
      if ('data' in c.ok) assert.deepEqual(msg.data, JSON.parse(c.ok.data));
      assert.ok(schemaAccepts(toHost, value));
    });
  }
});

describe('vectors/chunking.json (host → extension chunks)', () => {
  const vectors = load('vectors/chunking.json');
  const fromHost = 'host-to-extension.schema.json';

  for (const c of vectors.cases) {
    test(`${c.name}: reassembling the frames gives the message`, () => {
      const chunks = new ChunkAssembler();
      const frames = c.frames.map((/** @type {string} */ f) => JSON.parse(f));
      for (const [i, frame] of frames.entries()) {
        assert.ok(new TextEncoder().encode(c.frames[i]).length <= c.budget, 'each frame within the budget');
        assert.ok(schemaAccepts(fromHost, frame), `frame ${i} matches the schema`);
        const fed = chunks.feed(frame);
        if (i < frames.length - 1) assert.deepEqual(fed, { pending: true }, `frame ${i}`);
        else assert.deepEqual(fed, { done: JSON.parse(c.message) });
      }
      assert.equal(chunks.pending, false);
    });
  }
});

describe('vectors/host-to-extension.json (host → extension)', () => {
  const vectors = load('vectors/host-to-extension.json');
  const fromHost = 'host-to-extension.schema.json';

  for (const c of vectors.cases) {
    test(c.name, () => {
      const got = validateHostMessage(c.message);
      if (c.error) assert.deepEqual(got, { ok: false, code: c.error });
      else {
        assert.ok(got.ok, JSON.stringify(got));
        assert.equal(got.msg.type, c.ok.type);
        assert.equal(got.msg, c.message, 'the validated message itself');
      }
      assert.equal(schemaAccepts(fromHost, c.message), !c.error, 'schema agrees');
    });
  }

  for (const s of vectors.chunk_sequences) {
    test(`chunks: ${s.name}`, () => {
      const chunks = new ChunkAssembler();
      const events = s.frames.map((/** @type {unknown} */ f) => chunks.feed(f));
      assert.deepEqual(events, s.events);
      assert.equal(chunks.pending, false, 'no partial message is left behind');
    });
  }
});

describe('vectors/app.json (app messages)', () => {
  const vectors = load('vectors/app.json');

  /** Builds the case's input: `message` (a fresh copy) or `input` text, with `pad` / `fill` applied. */
  function inputOf(/** @type {any} */ c) {
    /** @type {any} */
    let input = c.input !== undefined ? c.input : structuredClone(c.message);
    if (c.fill) {
      const count = LIMITS[/** @type {keyof typeof LIMITS} */ (c.fill.count)] + c.fill.plus;
      input[c.fill.member] = Array.from({ length: count }, () => structuredClone(c.fill.item));
    }
    if (c.pad) {
      const target = LIMITS[/** @type {keyof typeof LIMITS} */ (c.pad.bytes)] + c.pad.plus;
      assert.ok(Number.isInteger(target), c.pad.bytes);
      if (c.pad.spaces) input += ' '.repeat(target - Buffer.byteLength(input));
      else input[c.pad.member] = 'x'.repeat(target - Buffer.byteLength(JSON.stringify(input)));
      const size = Buffer.byteLength(typeof input === 'string' ? input : JSON.stringify(input));
      assert.equal(size, target, 'padded to the exact size');
    }
    return input;
  }

  test('covers both sides, every outcome and every app error code', () => {
    const outcomes = new Set(vectors.cases.map((/** @type {any} */ c) => c.error ?? c.mirror ?? (c.ignored ? 'ignored' : 'ok')));
    for (const o of ['ok', 'ignored', 'app-bad-message', 'role-conflict', 'app-version-mismatch', 'app-message-too-large', 'mirror-desync']) {
      assert.ok(outcomes.has(o), o);
    }
    for (const c of vectors.cases) assert.ok(c.from === 'agent' || c.from === 'customer', c.name);
  });

  for (const c of vectors.cases) {
    test(`${c.from}: ${c.name}`, () => {
      const input = inputOf(c);
      const got = c.from === 'agent' ? validateAgentMessage(input) : validateCustomerMessage(input);
      if (c.ok) {
        assert.ok(got.ok, JSON.stringify(got).slice(0, 300));
        assert.equal(got.msg.k, c.ok.k);
      } else if (c.ignored) {
        assert.ok(!got.ok && got.ignored, JSON.stringify(got).slice(0, 300));
      } else {
        assert.deepEqual(got, { ok: false, ignored: false, code: c.error });
      }
      // The schema: valid cases (and ignored kinds) validate, invalid ones do not, except for
      // faults the schema cannot state (sizes, and the cases marked schema_valid).
      /** @type {unknown} */
      let value = input;
      if (typeof input === 'string') {
        try {
          value = JSON.parse(input);
        } catch {
          return; // not JSON at all: nothing for a schema to say
        }
      }
      const expected =
        (c.ok && (!c.mirror || c.schema_valid === true)) ||
        c.ignored === true ||
        NON_SCHEMA_CODES.has(c.error) ||
        (c.error !== undefined && c.schema_valid === true);
      const ref = `app.schema.json#/$defs/${c.from === 'agent' ? 'from_agent' : 'from_customer'}`;
      assert.equal(schemaAccepts(ref, value), expected, `schema ${ref}`);
      if (expected) assert.ok(schemaAccepts('app.schema.json', value), 'root schema');
    });
  }
});
