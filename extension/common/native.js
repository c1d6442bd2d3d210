// The extension ⇄ cotab-host contract (shared/protocol/PROTOCOL.md §3), both directions.
// Pure: no chrome.*.
//
// - validateHostMessage: everything that arrives on the native port, before dispatch
//   (schema: shared/protocol/schemas/host-to-extension.schema.json).
// - validateExtensionMessage and the *Request builders: everything the extension posts. The
//   host's decoding is strict (an unknown member is bad-message), so the extension only ever sends
//   what shared/protocol/schemas/extension-to-host.schema.json allows; the builders refuse
//   anything else with the registry code the host would have answered.
// Both directions are run against the shared vectors (tests/js/unit/protocol-vectors.test.mjs).

import { LIMITS } from '../dist/protocol.js';
import { has, isIntegerIn, isPlainObject, jsonStringBytes, measureJson, onlyMembers } from './json.js';

/** @typedef {keyof typeof import('../dist/protocol.js').ERRORS} ErrorCode  a code of shared/protocol/errors.json */
/**
 * @template T
 * @typedef {{ok: true, msg: T} | {ok: false, code: ErrorCode}} Result
 */

// ---- host → extension -------------------------------------------------------------------------

/**
 * @typedef {{type: 'hello', version: 1, host: string, limits: Record<string, number>, id?: number}} HostHello
 *   reply to hello; may carry members a newer host adds (the schema allows them on hello only)
 * @typedef {{type: 'status', state: 'connecting' | 'waiting' | 'handshaking'}} HostStatus
 * @typedef {{type: 'code', code: string, nameplate: string, id?: number}} HostCode
 * @typedef {{type: 'peer', sas: string, role: 'initiator' | 'responder', id?: number}} HostPeer
 *   `role` is the host's CPace role (it ran share = initiator, join = responder), not the app role
 * @typedef {{type: 'recv', data: unknown}} HostRecv
 * @typedef {{type: 'chunk', id: number, index: number, count: number, part: string}} HostChunk
 * @typedef {{type: 'ended', reason: string, peer_reason?: string, id?: number}} HostEnded
 * @typedef {{type: 'error', code: string, message: string, fatal: boolean, id?: number}} HostError
 * @typedef {{type: 'channel', port: number, token: string}} HostChannel
 *   the data channel's offer (§3.4): connect to ws://127.0.0.1:<port>/channel, send `token` first
 * @typedef {{type: 'channel-up'}} HostChannelUp
 *   the host accepted the token; from now on it writes every message on the data channel (§3.4)
 * @typedef {HostHello | HostStatus | HostCode | HostPeer | HostRecv | HostEnded | HostError | HostChannel | HostChannelUp} HostMessage
 *   a whole host message (after chunk reassembly)
 * @typedef {HostMessage | HostChunk} HostFrame  what one native-messaging frame from the host carries
 */

/** Largest request id: 2^53 (the schemas' bound; the host echoes it). */
export const MAX_REQUEST_ID = 2 ** 53;
export const STATUS_STATES = /** @type {const} */ (['connecting', 'waiting', 'handshaking']);
export const PEER_ROLES = /** @type {const} */ (['initiator', 'responder']);
const DISPLAY_CODE = /^[0-9]{1,6}-[0-9]{3}-[0-9]{3}$/;
const NAMEPLATE = /^[0-9]{1,6}$/;
const SAS = /^[0-9]{3} [0-9]{3}$/;
/** The data channel's one-time token: channel_token_bytes random bytes as lowercase hex (§3.4). */
export const CHANNEL_TOKEN = new RegExp(`^[0-9a-f]{${2 * LIMITS.channel_token_bytes}}$`);

/** @param {unknown} v @returns {v is number} */
function isRequestId(v) {
  return isIntegerIn(v, 0, MAX_REQUEST_ID);
}

/** @param {unknown} v @param {RegExp} re @returns {v is string} */
function matches(v, re) {
  return typeof v === 'string' && re.test(v);
}

/** @param {Record<string, unknown>} o optional `id` absent or valid */
function idOk(o) {
  return !has(o, 'id') || isRequestId(o.id);
}

/**
 * Validates one message received from the host (Chrome has already parsed the frame's JSON).
 * Errors: `unknown-type` (a string `type` this version does not know), `version-mismatch` (a hello
 * of another protocol version), `bad-message` (anything else that does not match the schema).
 * @param {unknown} value
 * @returns {Result<HostFrame>}
 */
export function validateHostMessage(value) {
  if (!isPlainObject(value) || typeof value.type !== 'string') return bad();
  const m = value;
  switch (m.type) {
    case 'hello': {
      if (!idOk(m) || typeof m.host !== 'string' || !isPlainObject(m.limits)) return bad();
      for (const v of Object.values(m.limits)) if (!Number.isInteger(v)) return bad();
      if (m.version !== LIMITS.protocol_version) {
        return Number.isInteger(m.version) ? { ok: false, code: 'version-mismatch' } : bad();
      }
      return ok(/** @type {HostHello} */ (m));
    }
    case 'status':
      if (!onlyMembers(m, ['type', 'state']) || !STATUS_STATES.includes(/** @type {never} */ (m.state))) return bad();
      return ok(/** @type {HostStatus} */ (m));
    case 'code':
      if (!onlyMembers(m, ['type', 'id', 'code', 'nameplate']) || !idOk(m)) return bad();
      if (!matches(m.code, DISPLAY_CODE) || !matches(m.nameplate, NAMEPLATE)) return bad();
      return ok(/** @type {HostCode} */ (m));
    case 'peer':
      if (!onlyMembers(m, ['type', 'id', 'sas', 'role']) || !idOk(m)) return bad();
      if (!matches(m.sas, SAS) || !PEER_ROLES.includes(/** @type {never} */ (m.role))) return bad();
      return ok(/** @type {HostPeer} */ (m));
    case 'recv':
      if (!onlyMembers(m, ['type', 'data']) || !has(m, 'data')) return bad();
      return ok(/** @type {HostRecv} */ (m));
    case 'chunk':
      if (!onlyMembers(m, ['type', 'id', 'index', 'count', 'part'])) return bad();
      if (!isIntegerIn(m.id, 1, MAX_REQUEST_ID) || !isIntegerIn(m.index, 0, MAX_REQUEST_ID)) return bad();
      if (!isIntegerIn(m.count, 2, MAX_REQUEST_ID) || typeof m.part !== 'string') return bad();
      return ok(/** @type {HostChunk} */ (m));
    case 'ended':
      if (!onlyMembers(m, ['type', 'id', 'reason', 'peer_reason']) || !idOk(m)) return bad();
      if (typeof m.reason !== 'string' || (has(m, 'peer_reason') && typeof m.peer_reason !== 'string')) return bad();
      return ok(/** @type {HostEnded} */ (m));
    case 'error':
      if (!onlyMembers(m, ['type', 'id', 'code', 'message', 'fatal']) || !idOk(m)) return bad();
      if (typeof m.code !== 'string' || typeof m.message !== 'string' || typeof m.fatal !== 'boolean') return bad();
      return ok(/** @type {HostError} */ (m));
    case 'channel':
      if (!onlyMembers(m, ['type', 'port', 'token']) || !isIntegerIn(m.port, 1, 65535) || !matches(m.token, CHANNEL_TOKEN)) return bad();
      return ok(/** @type {HostChannel} */ (m));
    case 'channel-up':
      if (!onlyMembers(m, ['type'])) return bad();
      return ok(/** @type {HostChannelUp} */ (m));
    default:
      return { ok: false, code: 'unknown-type' };
  }
}

// ---- extension → host -------------------------------------------------------------------------

/**
 * @typedef {{type: 'hello', id?: number}} ExtHello
 * @typedef {{type: 'share', relay: string, id?: number}} ExtShare
 * @typedef {{type: 'join', relay: string, code: string, id?: number}} ExtJoin
 * @typedef {{type: 'send', data: unknown, id?: number}} ExtSend
 * @typedef {{type: 'end', id?: number}} ExtEnd
 * @typedef {{type: 'channel', id?: number}} ExtChannel  asks for the data channel, after `peer` (§3.4)
 * @typedef {{type: 'channel-up', id?: number}} ExtChannelUp
 *   the barrier: the extension saw the host's channel-up and sends everything on the channel from now on (§3.4)
 * @typedef {ExtHello | ExtShare | ExtJoin | ExtSend | ExtEnd | ExtChannel | ExtChannelUp} ExtensionMessage
 */

const EXT_MEMBERS = /** @type {const} */ ({
  hello: ['type', 'id'],
  share: ['type', 'id', 'relay'],
  join: ['type', 'id', 'relay', 'code'],
  send: ['type', 'id', 'data'],
  end: ['type', 'id'],
  channel: ['type', 'id'],
  'channel-up': ['type', 'id'],
});
const RELAY_URL = /^wss?:\/\//;
const TYPED_CODE = /^[0-9 -]+$/;
/** Slack the host allows around a max_message_bytes `data` for the rest of a frame (ext_message.cpp). */
export const MESSAGE_ENVELOPE_BYTES = 1024;

/**
 * Validates a message before it is posted to the host, exactly as the host will decode it (the
 * JSON text Chrome writes is JSON.stringify of it). Errors, in the host's order: `bad-json` (a
 * string with a lone surrogate), `json-too-deep` (nesting beyond max_json_depth, the message
 * itself counting 1), `bad-message` (not plain JSON data; not an object; a bad `id`; `type` missing
 * or not a string; an unknown or missing member, or one of the wrong JSON type), `unknown-type`,
 * `bad-relay-url` (a relay that is not ws:// or wss://), `code-format` (a code with other
 * characters than digits, spaces and dashes), `message-too-large` (`data` above max_message_bytes).
 * @param {unknown} value
 * @returns {Result<ExtensionMessage>}
 */
export function validateExtensionMessage(value) {
  if (!isPlainObject(value)) {
    const measured = measureJson(value, { maxBytes: Infinity, maxDepth: LIMITS.max_json_depth });
    return measured.ok ? bad() : { ok: false, code: measured.code };
  }
  const m = value;
  // The whole text first (bad-json, json-too-deep, size), one walk per member.
  let total = 2;
  for (const key of Object.keys(m)) {
    const cap = key === 'data' ? LIMITS.max_message_bytes : LIMITS.max_message_bytes + MESSAGE_ENVELOPE_BYTES;
    const measured = measureJson(m[key], { maxBytes: cap, maxDepth: LIMITS.max_json_depth, depth: 1 });
    if (!measured.ok) return { ok: false, code: measured.code };
    total += jsonStringBytes(key) + 2 + measured.bytes; // "key": value,
  }
  if (total > LIMITS.max_message_bytes + MESSAGE_ENVELOPE_BYTES) return { ok: false, code: 'message-too-large' };
  if (!idOk(m) || typeof m.type !== 'string') return bad();
  if (!has(EXT_MEMBERS, m.type)) return { ok: false, code: 'unknown-type' };
  const type = /** @type {keyof typeof EXT_MEMBERS} */ (m.type);
  if (!onlyMembers(m, EXT_MEMBERS[type])) return bad();
  if (type === 'share' || type === 'join') {
    if (typeof m.relay !== 'string') return bad();
    if (!RELAY_URL.test(m.relay)) return { ok: false, code: 'bad-relay-url' };
  }
  if (type === 'join') {
    if (typeof m.code !== 'string') return bad();
    if (!TYPED_CODE.test(m.code)) return { ok: false, code: 'code-format' };
  }
  if (type === 'send' && (!has(m, 'data') || m.data === undefined)) return bad();
  return ok(/** @type {ExtensionMessage} */ (m));
}

/**
 * What a person typed as a session code, checked as the host will (key-agreement.md §1): digits,
 * spaces and dashes only, 7 to 12 digits.
 * @param {string} typed
 */
export function isTypedCode(typed) {
  if (!TYPED_CODE.test(typed)) return false;
  const digits = typed.replace(/[ -]/g, '').length;
  return digits >= LIMITS.code_secret_digits + 1 && digits <= LIMITS.code_secret_digits + 6;
}

/**
 * @template {ExtensionMessage} T
 * @param {T} msg @param {number | undefined} id
 * @returns {Result<T>}
 */
function build(msg, id) {
  /** @type {Record<string, unknown>} */
  const out = { ...msg };
  if (id !== undefined) out.id = id;
  const checked = validateExtensionMessage(out);
  return checked.ok ? ok(/** @type {T} */ (checked.msg)) : checked;
}

/** @param {number} [id] */
export function helloRequest(id) {
  return build(/** @type {ExtHello} */ ({ type: 'hello' }), id);
}

/** @param {string} relay @param {number} [id] */
export function shareRequest(relay, id) {
  return build(/** @type {ExtShare} */ ({ type: 'share', relay }), id);
}

/**
 * @param {string} relay @param {string} code as typed (see isTypedCode) @param {number} [id]
 * @returns {Result<ExtJoin>}
 */
export function joinRequest(relay, code, id) {
  const built = build(/** @type {ExtJoin} */ ({ type: 'join', relay, code }), id);
  return built.ok && !isTypedCode(built.msg.code) ? { ok: false, code: 'code-format' } : built;
}

/** @param {unknown} data any JSON value (an app message) @param {number} [id] */
export function sendRequest(data, id) {
  return build(/** @type {ExtSend} */ ({ type: 'send', data }), id);
}

/** @param {number} [id] */
export function endRequest(id) {
  return build(/** @type {ExtEnd} */ ({ type: 'end' }), id);
}

/** @param {number} [id] */
export function channelRequest(id) {
  return build(/** @type {ExtChannel} */ ({ type: 'channel' }), id);
}

/** @param {number} [id] */
export function channelUpRequest(id) {
  return build(/** @type {ExtChannelUp} */ ({ type: 'channel-up' }), id);
}

/**
 * @template T @param {T} msg @returns {{ok: true, msg: T}}
 */
function ok(msg) {
  return { ok: true, msg };
}

/** @returns {{ok: false, code: 'bad-message'}} */
function bad() {
  return { ok: false, code: 'bad-message' };
}
