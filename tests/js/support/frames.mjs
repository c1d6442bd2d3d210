// Chrome native-messaging frames (PROTOCOL.md §2): a 4-byte little-endian length, then that many
// bytes of UTF-8 JSON. Tests use this to read bytes recorded from (or written to) a host's stdio.
//
// FrameDecoder is a pure incremental state machine with the host's semantics
// (native-host/wire/frame_decoder.hpp, vectors/framing.json): feed it bytes split anywhere and it
// yields the same events; a length above the cap is reported once and its body skipped (the
// stream stays in sync, and a huge length never allocates).

import { LIMITS } from '../../../extension/dist/protocol.js';

/** @typedef {{frame: Uint8Array} | {oversize: number}} FrameEvent */

const PREFIX_BYTES = 4;

export class FrameDecoder {
  /** @param {number} [maxFrameBytes] largest accepted payload (default: max_inbound_frame_bytes) */
  constructor(maxFrameBytes = LIMITS.max_inbound_frame_bytes) {
    this.maxFrameBytes = maxFrameBytes;
    /** @type {'length' | 'body' | 'skip'} */
    this.state = 'length';
    this.prefix = new Uint8Array(PREFIX_BYTES);
    this.prefixHave = 0;
    /** bytes still to read (body) or to skip (skip) */
    this.remaining = 0;
    /** @type {Uint8Array} */
    this.body = new Uint8Array(0);
    this.bodyHave = 0;
  }

  /**
   * Consumes all of `bytes`; returns the events completed by them, in order.
   * @param {Uint8Array} bytes
   * @returns {FrameEvent[]}
   */
  feed(bytes) {
    /** @type {FrameEvent[]} */
    const events = [];
    let pos = 0;
    while (pos < bytes.length) {
      if (this.state === 'length') {
        const take = Math.min(PREFIX_BYTES - this.prefixHave, bytes.length - pos);
        this.prefix.set(bytes.subarray(pos, pos + take), this.prefixHave);
        this.prefixHave += take;
        pos += take;
        if (this.prefixHave < PREFIX_BYTES) break;
        this.prefixHave = 0;
        const declared = new DataView(this.prefix.buffer).getUint32(0, true);
        if (declared > this.maxFrameBytes) {
          events.push({ oversize: declared });
          this.state = 'skip';
          this.remaining = declared;
        } else {
          this.state = 'body';
          this.remaining = declared;
          this.body = new Uint8Array(declared);
          this.bodyHave = 0;
        }
      } else if (this.state === 'skip') {
        const take = Math.min(this.remaining, bytes.length - pos);
        this.remaining -= take;
        pos += take;
      } else {
        const take = Math.min(this.remaining, bytes.length - pos);
        this.body.set(bytes.subarray(pos, pos + take), this.bodyHave);
        this.bodyHave += take;
        this.remaining -= take;
        pos += take;
      }
      // Here a frame is in progress; it (or a skipped body) may be complete with no byte left:
      // an empty frame, say.
      if (this.remaining === 0) {
        if (this.state === 'body') events.push({ frame: this.body });
        this.state = 'length';
        this.body = new Uint8Array(0);
      }
    }
    return events;
  }

  /** True when the input so far ends inside a frame (at EOF the host reports frame-truncated). */
  get midFrame() {
    return this.state !== 'length' || this.prefixHave > 0;
  }
}

/**
 * One frame: the 4-byte little-endian length of `payload`'s UTF-8 bytes, then the bytes.
 * @param {string | Uint8Array} payload
 */
export function encodeFrame(payload) {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const out = new Uint8Array(PREFIX_BYTES + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, PREFIX_BYTES);
  return out;
}
