// Reassembles host→extension messages that cotab-host split into `chunk` frames
// (shared/protocol/PROTOCOL.md §4). Pure: no chrome.*.
//
// The frames of one message are consecutive, `index` runs 0…count-1 in order, `id` grows from one
// chunked message to the next on a port, and the whole text stays within max_message_bytes plus
// an envelope. Anything else is refused, and the partial message is dropped (so is it when the
// port closes: reset()). Reassembled messages are validated like any other host message.

import { LIMITS } from '../dist/protocol.js';
import { utf8Length } from './json.js';
import { MESSAGE_ENVELOPE_BYTES, validateHostMessage } from './native.js';

/** Largest reassembled message text (UTF-8 bytes): a max_message_bytes `data` plus its envelope. */
export const MAX_ASSEMBLED_BYTES = LIMITS.max_message_bytes + MESSAGE_ENVELOPE_BYTES;
/** Bytes the host reserves in every chunk frame for the frame's own members (PROTOCOL.md §4). */
export const CHUNK_ENVELOPE_RESERVE_BYTES = 128;
/**
 * Most chunks one message can take. The host fills every part but the last to within 5 bytes of
 * its room (chunk_budget_bytes minus the reserve), and one byte of message text costs at most 6
 * bytes escaped (a control character as \u00XX), so every part but the last carries at least
 * this many message bytes.
 */
const MIN_PART_BYTES = Math.floor((LIMITS.chunk_budget_bytes - CHUNK_ENVELOPE_RESERVE_BYTES - 5) / 6);
export const MAX_CHUNK_COUNT = Math.ceil(MAX_ASSEMBLED_BYTES / MIN_PART_BYTES) + 1;

/**
 * @typedef {import('./native.js').HostMessage} HostMessage
 * @typedef {import('./native.js').ErrorCode} ErrorCode
 * @typedef {{done: HostMessage} | {pending: true} | {error: ErrorCode}} FeedResult
 *   `done`: a whole, validated host message (never a chunk); `pending`: a chunk was taken, more
 *   are needed; `error`: a registry code — `protocol-violation` (frames out of order, interleaved,
 *   an id that does not grow, a count out of bounds, an oversize part, a chunk inside chunks),
 *   `message-too-large` (the parts pass MAX_ASSEMBLED_BYTES), `bad-json` (the parts do not join
 *   into JSON), or the code validateHostMessage gave the message. After an error no partial
 *   message is kept: the message is lost, which PROTOCOL.md does not allow — treat it as the end
 *   of the session.
 */

export class ChunkAssembler {
  constructor() {
    /** @type {{id: number, count: number, next: number, bytes: number, parts: string[]} | null} */
    this.partial = null;
    /** id of the last chunked message started on this port (ids only grow) */
    this.lastId = 0;
  }

  /** True while a chunked message is half received. */
  get pending() {
    return this.partial !== null;
  }

  /**
   * Takes one message from the native port (any type, as Chrome delivered it). Non-chunk
   * messages pass through validated when no chunked message is in progress.
   * @param {unknown} raw
   * @returns {FeedResult}
   */
  feed(raw) {
    const checked = validateHostMessage(raw);
    if (!checked.ok) return this.fail(checked.code);
    const msg = checked.msg;
    if (msg.type !== 'chunk') return this.partial ? this.fail('protocol-violation') : { done: msg };

    if (utf8Length(msg.part) > LIMITS.chunk_budget_bytes) return this.fail('protocol-violation');
    let p = this.partial;
    if (!p) {
      if (msg.index !== 0 || msg.id <= this.lastId || msg.count > MAX_CHUNK_COUNT) return this.fail('protocol-violation');
      this.lastId = msg.id;
      p = this.partial = { id: msg.id, count: msg.count, next: 0, bytes: 0, parts: [] };
    } else if (msg.id !== p.id || msg.index !== p.next || msg.count !== p.count) {
      return this.fail('protocol-violation');
    }
    p.bytes += utf8Length(msg.part);
    if (p.bytes > MAX_ASSEMBLED_BYTES) return this.fail('message-too-large');
    p.parts.push(msg.part);
    p.next++;
    if (p.next < p.count) return { pending: true };

    this.partial = null;
    /** @type {unknown} */
    let whole;
    try {
      whole = JSON.parse(p.parts.join(''));
    } catch {
      return { error: 'bad-json' };
    }
    const inner = validateHostMessage(whole);
    if (!inner.ok) return { error: inner.code };
    if (inner.msg.type === 'chunk') return { error: 'protocol-violation' };
    return { done: inner.msg };
  }

  /** Drops any partial message and forgets the port's ids (call when the port closes or reopens). */
  reset() {
    this.partial = null;
    this.lastId = 0;
  }

  /** @param {ErrorCode} code @returns {{error: ErrorCode}} */
  fail(code) {
    this.partial = null;
    return { error: code };
  }
}
