// Measuring JSON values the way the wire sees them. Pure: no chrome.*.
//
// Chrome serializes what the extension posts with JSON.stringify (so a lone surrogate becomes a
// "\udXXX" escape, which cotab-host refuses as bad-json) and the host counts bytes of UTF-8 text.
// These helpers give the exact UTF-8 size of JSON.stringify(value) without building the text,
// stop as soon as a cap is passed (a hostile value costs at most the cap), and refuse anything
// that would not arrive as it was meant (undefined, functions, NaN, class instances).

/**
 * @typedef {'bad-message' | 'bad-json' | 'json-too-deep' | 'message-too-large'} JsonFault
 * @typedef {{ok: true, bytes: number} | {ok: false, code: JsonFault}} JsonSize
 */

// Printable ASCII without '"' and '\': each character is one byte in JSON and in UTF-8.
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * UTF-8 length of `s` (a lone surrogate counts 3 bytes, as U+FFFD, which is what encoders write).
 * @param {string} s
 */
export function utf8Length(s) {
  if (ASCII.test(s)) return s.length;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Bytes of JSON.stringify(s) in UTF-8 (quotes included), or -1 when `s` holds a lone surrogate
 * (not well-formed UTF-16: it cannot be sent as UTF-8 JSON).
 * @param {string} s
 */
export function jsonStringBytes(s) {
  if (PLAIN_ASCII.test(s)) return s.length + 2;
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x0c || c === 0x0a || c === 0x0d || c === 0x09) n += 2;
    else if (c < 0x20) n += 6;
    else if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      if (i + 1 >= s.length || !isLowSurrogate(s.charCodeAt(i + 1))) return -1;
      n += 4;
      i++;
    } else if (isLowSurrogate(c)) return -1;
    else n += 3;
  }
  return n;
}

/** @param {number} c */
function isLowSurrogate(c) {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * True for objects that JSON.stringify writes as `{...}` and JSON.parse / structured clone
 * produce: plain objects (prototype Object.prototype or null), not arrays, not class instances.
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
export function isPlainObject(v) {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Checks that `value` is plain JSON data and measures it.
 * @param {unknown} value
 * @param {{maxBytes: number, maxDepth: number, depth?: number}} caps `depth`: the nesting level
 *   `value` sits at (1 = a member of a top-level object); a container one level deeper than
 *   `maxDepth` is json-too-deep.
 * @returns {JsonSize} `bytes` = UTF-8 length of JSON.stringify(value); `message-too-large` as
 *   soon as it would pass `maxBytes` (the walk stops there).
 */
export function measureJson(value, caps) {
  const state = { bytes: 0, maxBytes: caps.maxBytes, maxDepth: caps.maxDepth };
  const fault = walk(value, caps.depth ?? 0, state);
  return fault ? { ok: false, code: fault } : { ok: true, bytes: state.bytes };
}

/**
 * @param {unknown} v
 * @param {number} depth
 * @param {{bytes: number, maxBytes: number, maxDepth: number}} st
 * @returns {JsonFault | null}
 */
function walk(v, depth, st) {
  switch (typeof v) {
    case 'string': {
      const n = jsonStringBytes(v);
      if (n < 0) return 'bad-json';
      st.bytes += n;
      break;
    }
    case 'number':
      // JSON.stringify would write null for NaN and the infinities: not what the sender meant.
      if (!Number.isFinite(v)) return 'bad-message';
      st.bytes += String(v).length;
      break;
    case 'boolean':
      st.bytes += v ? 4 : 5;
      break;
    case 'object': {
      if (v === null) {
        st.bytes += 4;
        break;
      }
      if (depth + 1 > st.maxDepth) return 'json-too-deep';
      if (Array.isArray(v)) {
        st.bytes += 2 + Math.max(0, v.length - 1);
        if (st.bytes > st.maxBytes) return 'message-too-large';
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) return 'bad-message'; // a hole would be sent as null
          const fault = walk(v[i], depth + 1, st);
          if (fault) return fault;
        }
        break;
      }
      if (!isPlainObject(v)) return 'bad-message';
      const keys = Object.keys(v);
      st.bytes += 2 + Math.max(0, keys.length - 1) + keys.length; // braces, commas, colons
      for (const key of keys) {
        const kn = jsonStringBytes(key);
        if (kn < 0) return 'bad-json';
        st.bytes += kn;
        const fault = walk(v[key], depth + 1, st);
        if (fault) return fault;
      }
      break;
    }
    default:
      // undefined, function, symbol, bigint: JSON.stringify drops, nulls or throws on them.
      return 'bad-message';
  }
  return st.bytes > st.maxBytes ? 'message-too-large' : null;
}

/** @param {unknown} v @returns {v is number} */
export function isFiniteNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * An integer within [min, max] (JSON Schema "integer" with bounds).
 * @param {unknown} v @param {number} min @param {number} max @returns {v is number}
 */
export function isIntegerIn(v, min, max) {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * True when every own key of `o` is in `allowed`.
 * @param {Record<string, unknown>} o @param {readonly string[]} allowed
 */
export function onlyMembers(o, allowed) {
  for (const key of Object.keys(o)) if (!allowed.includes(key)) return false;
  return true;
}

/**
 * Own member lookup (never the prototype chain: a `constructor` or `__proto__` key is data).
 * @param {Record<string, unknown>} o @param {string} key
 */
export function has(o, key) {
  return Object.prototype.hasOwnProperty.call(o, key);
}
