// The Recorder: turns the shared tab's DOM into the mirror stream of shared/protocol/app.md §4 — one
// time-sliced snapshot (snap, part…, snapend) per epoch, then one `m` batch per task. Pure DOM, no
// chrome.*: it runs in the content script's isolated world and never trusts the page's main world
// (hints from hints.js only say "look again"; values are always re-read here).
//
// Masking happens here, before anything is emitted (mask.js): masked text and values leave only as
// placeholders, blocked elements only as boxes.
//
// Node identity. Every mirrored node gets a positive id from one counter per epoch (WeakMap
// node → id), never reused; id 0 is the document (and the window, for scroll). The mirror's tree
// restricted to nodes with ids always equals the DOM as of the last emitted message. A node whose
// mirror copy goes away (removed, or re-sent because its masked/blocked status changed) has its id
// forgotten, so a later re-insertion is serialised fresh.
//
// PARENT REFERENCES (an addition to app.md §4.1, to be written there): a record's parent `p` is
// 0 for the document, a positive id (absolute), or NEGATIVE: -k means the parent is the record
// with id (this record's id − k). The Recorder sends every parent relative except the document
// and the root of an insert op (which must equal the op's parent). Records are in document order,
// so most relative references are small repeated numbers: the stream compresses about 3× better
// than with absolute ids (a 20k-element page: 59 KB instead of 176 KB gzipped).
//
// Design choices beyond app.md (worth a line in ARCHITECTURE.md):
// - A known node met inside a freshly inserted subtree keeps its id and is MOVED there (op 2) after
//   the insert, instead of being re-serialised: wrapping a large subtree in a new element costs one
//   small op, and no removal of a node inside another removed node can ever be emitted (which the
//   mirror would have to treat as a desync). Its status (masked/blocked) must be unchanged;
//   otherwise it is re-sent with fresh ids and its old copy removed.
// - Likewise the snapshot walker skips a node that already has an id (it moved during the snapshot
//   from a walked place to an unwalked one); the batch after snapend moves it. An element the
//   walker could not finish (detached or blocked between slices, or masked under it) is sent
//   again by that batch.
// - An element whose status changed is sent again with a new id, but its descendants are checked
//   one by one: those whose own status did not change keep their ids (moved into the new copy).
// - Removes: a [0, id] is emitted only when none of the node's mirror ancestors is itself removed
//   in the same batch; the mirror ancestors are reconstructed from each node's first removal record
//   (its parent as of the last batch).
// - An input that was ever seen as type=password stays masked when a "show password" toggle turns
//   it into a text field (masking errs on the safe side).
// - Every masked element carries props.mask (not only the root of a masked region), so a masked
//   element can move to a plain parent without being re-sent while it still matches a rule.
// - CSS url(...) in <style> text and style attributes is made absolute too: the mirror does not
//   depend on its <base> (which the viewer page's CSP base-uri may refuse).

import { HTML_NS, SVG_NS, MATHML_NS, XLINK_NS, XML_NS, XMLNS_NS } from '../common/namespaces.js';
import { LIMITS } from '../dist/protocol.js';
import { isAllowedLinkRel, UNSAFE_STYLE } from '../common/markup-rules.js';

export { isAllowedLinkRel };
import {
  collectMatches,
  compileRules,
  isAllowedInMasked,
  matchesBlockRule,
  matchesMaskRule,
  placeholderOf,
  selectorValidator,
} from './mask.js';

/**
 * The protocol limits (shared/protocol/limits.json, generated into dist/protocol.js); the app
 * limits of app.md §5 among them, under the same names.
 */
export const APP_LIMITS = LIMITS;

/** A part is also sent early when its records' estimated JSON size reaches this. */
const PART_BYTES = APP_LIMITS.app_max_message_bytes / 4;
/** A `<style>`'s css longer than this is sent empty (app.md §5). */
const MAX_CSS_CHARS = APP_LIMITS.app_max_message_bytes / 2;
/** Sheets of more rules than this are read ahead of the walk, across slices (_readBigSheets). */
const SHEET_RULES_PER_READ = 500;
/** The walker looks at the clock every this many nodes (a power of two). */
const CLOCK_EVERY = 32;
/**
 * Nodes every slice walks whatever the clock says (about a millisecond): the snapshot always
 * progresses, even when the page mutates so much between slices that bringing the match sets up
 * to date uses up the slice (it would otherwise never end).
 */
const MIN_SLICE_NODES = 512;


const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** What _record did with a node. */
const SKIPPED = 0; // nothing more to do (skipped, a leaf, or a kept node queued for a move)
const DESCEND = 1; // an element whose children follow

/** Walk modes. */
const MODE_SNAPSHOT = 0; // the snapshot: a node that already has an id was recorded already
const MODE_INSERT = 1; // a new subtree: a known node with unchanged status is kept (moved), unless forced

/** Element kinds whose box is a placeholder: recorded without anything that loads content. */
const FRAME_LIKE = new Set(['iframe', 'frame', 'object', 'embed', 'portal', 'fencedframe', 'applet']);
/** The only attributes a frame-like element keeps. */
const FRAME_ATTRIBUTES = new Set([
  'id', 'class', 'style', 'width', 'height', 'title', 'name', 'hidden', 'dir', 'lang', 'role',
  'tabindex', 'frameborder', 'scrolling', 'marginwidth', 'marginheight', 'align', 'loading',
]);
/** Attributes whose value is one URL, sent absolute. */
const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'poster', 'background', 'cite', 'xlink:href']);
/**
 * Elements whose scroll offsets the snapshot does not read: phrasing and table-cell-like elements
 * that are practically never scroll containers (reading scrollLeft/scrollTop costs on every
 * element; a later scroll of any element still arrives as op 7). Empty elements are skipped too.
 */
const NEVER_SCROLLED = new Set([
  'a', 'abbr', 'b', 'bdi', 'bdo', 'br', 'button', 'caption', 'cite', 'code', 'data', 'dd', 'dfn', 'dt', 'em',
  'figcaption', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'i', 'img', 'input', 'kbd', 'label', 'legend', 'li', 'mark',
  'option', 'optgroup', 'p', 'picture', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'summary', 'sup',
  'td', 'th', 'time', 'title', 'tr', 'u', 'var', 'head', 'meta', 'link', 'style', 'template', 'iframe', 'video', 'audio', 'canvas',
]);
/** rel tokens a recorded <link> may carry (the viewer renders stylesheets and icons only). */

const ABSOLUTE_URL = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const CSS_URL = /url\(\s*(["']?)([^"')]*)\1\s*\)/gi;

const MUTATION_OPTIONS = /** @type {MutationObserverInit} */ ({
  subtree: true,
  childList: true,
  attributes: true,
  characterData: true,
});

/**
 * @typedef {object} RecorderOptions
 * @property {Document} doc  the document to record
 * @property {(msg: object) => void} emit  receives every app message (snap, part, snapend, m)
 * @property {string[]} [maskSelectors]  settings: more mask rules
 * @property {string[]} [blockSelectors]  settings: block rules
 * @property {(n: Node) => boolean} [isOwnNode]  the extension's own UI (never recorded)
 * @property {string} [hintEvent]  name of the CustomEvent the main-world hints.js dispatches
 * @property {() => void} [onOverflow]  a batch was too large to send (app_max_message_bytes):
 *   nothing more is emitted until restart(epoch) with a new epoch. Without it the Recorder
 *   restarts itself as epoch + 1.
 */

/**
 * @typedef {object} Frame  one level of the explicit DFS stack
 * @property {Node} node
 * @property {number} id
 * @property {boolean} masked  children inherit this
 * @property {Node | null} cursor  the child processed last
 * @property {Node | null} expect  the cursor's next sibling when it was processed (to detect changes)
 * @property {boolean} dead  stop walking this frame
 */

/**
 * @typedef {object} Walk  the state of one serialisation (the snapshot, or one inserted subtree)
 * @property {number} mode
 * @property {Set<Element>} maskSet  elements that themselves match a mask rule
 * @property {Set<Element>} blockSet  elements that match a block rule
 * @property {unknown[][]} out  records
 * @property {number} bytes  estimated JSON size of `out`
 * @property {Node[]} moves  known nodes kept inside the new subtree (MODE_INSERT), document order
 * @property {Map<Node, number>} reid  node → old id, for nodes sent again
 * @property {Set<Node>} forced  known nodes that must be sent again even if their status did not change
 * @property {Frame[]} stack
 * @property {string} base  the document's base URL
 * @property {boolean} lastMasked  the masked state of the element _record handled last
 * @property {number} rootId  the id of the inserted subtree's root (its parent is sent absolute); 0 in a snapshot
 * @property {Map<Element, string>} sheets  style elements whose text was read ahead of the walk (_readBigSheets)
 */

/**
 * @typedef {object} RecorderStats
 * @property {number} epoch
 * @property {number} records  records of the last snapshot
 * @property {number} parts  parts of the last snapshot
 * @property {number} slices  time slices of the last snapshot
 * @property {number} maxSliceMs  longest slice of the last snapshot (the walk)
 * @property {number} prepMs  the snapshot's first slice: matching the mask/block rules, counting, `snap`
 * @property {number} snapshotMs  wall time of the last snapshot
 * @property {number} batches  `m` messages sent in this epoch
 * @property {number} overflows  batches not sent because they were too large
 * @property {number} emitErrors  emit() calls that threw
 */

export class Recorder {
  /** @param {RecorderOptions} opts */
  constructor(opts) {
    const doc = opts.doc;
    this._doc = doc;
    this._win = doc.defaultView;
    this._emitFn = opts.emit;
    this._isOwn = typeof opts.isOwnNode === 'function' ? opts.isOwnNode : () => false;
    this._hintEvent = typeof opts.hintEvent === 'string' && opts.hintEvent !== '' ? opts.hintEvent : null;
    this._onOverflow = typeof opts.onOverflow === 'function' ? opts.onOverflow : null;
    this._rules = compileRules({
      maskSelectors: opts.maskSelectors,
      blockSelectors: opts.blockSelectors,
      isValid: selectorValidator(doc),
    });

    /** 'idle' | 'snapshot' | 'live' | 'overflow' | 'stopped' */
    this._state = 'idle';
    /** Bumped by every (re)start and stop: a running snapshot whose generation is old gives up. */
    this._gen = 0;
    this._epoch = 0;
    /** @type {WeakMap<Node, number>} */
    this._ids = new WeakMap();
    this._nextId = 1;
    /** id → node, built on first nodeOf() of an epoch. @type {Map<number, WeakRef<Node>> | null} */
    this._byId = null;
    /** Nodes recorded as masked (elements and text nodes). @type {WeakSet<Node>} */
    this._masked = new WeakSet();
    /** Elements recorded as blocked boxes. @type {WeakSet<Node>} */
    this._blocked = new WeakSet();
    /** Inputs ever seen as type=password. @type {WeakSet<Element>} */
    this._sticky = new WeakSet();
    /** Recorded elements that matched a mask rule themselves, and blocked elements; kept only for complex settings selectors. @type {Set<Element>} */
    this._maskRoots = new Set();
    /** @type {Set<Element>} */
    this._blockRoots = new Set();
    /** @type {Walk | null} the snapshot in progress */
    this._snapWalk = null;
    /**
     * Elements the snapshot walked only partly (their frame died between slices) or walked with
     * a masked state their own record does not have: the first batch sends them again.
     * @type {Set<Node>}
     */
    this._snapRefresh = new Set();
    this._snapDirty = false;

    /** @type {MutationRecord[]} */
    this._pending = [];
    /** @type {Set<Element>} */
    this._dirtyProps = new Set();
    /** @type {Set<Node>} */
    this._dirtyScroll = new Set();
    /** @type {Set<Element>} */
    this._dirtyCss = new Set();
    this._dirtyFocus = false;
    /** The focus last sent (0: none). */
    this._lastFocus = 0;
    this._dirtyViewport = false;
    /** @type {number[] | null} the pointer op waiting for the next batch */
    this._pointerOp = null;
    /** @type {number[] | null} the latest pointer position, waiting for an animation frame */
    this._pointerAt = null;
    this._raf = 0;
    this._flushQueued = false;
    this._listening = false;

    /** @type {RecorderStats} */
    this._stats = { epoch: 0, records: 0, parts: 0, slices: 0, maxSliceMs: 0, prepMs: 0, snapshotMs: 0, batches: 0, overflows: 0, emitErrors: 0 };

    this._observer = new MutationObserver((records) => this._onMutations(records));
    this._onInput = (/** @type {Event} */ e) => this._markProps(e.target);
    this._onScroll = (/** @type {Event} */ e) => {
      const t = /** @type {Node | null} */ (e.target);
      if (t === null) return;
      this._dirtyScroll.add(t);
      this._scheduleFlush();
    };
    this._onFocus = () => {
      this._dirtyFocus = true;
      this._scheduleFlush();
    };
    this._onResize = () => {
      this._dirtyViewport = true;
      this._scheduleFlush();
    };
    this._onPointerMove = (/** @type {MouseEvent} */ e) => this._pointerMoved(e.clientX, e.clientY);
    this._onPointerOut = (/** @type {MouseEvent} */ e) => {
      if (e.relatedTarget === null) this._pointerLeft();
    };
    this._onReset = (/** @type {Event} */ e) => this._formReset(e.target);
    this._onHint = (/** @type {Event} */ e) => this._hinted(e.target);
  }

  /** The epoch being recorded (0 before the first snapshot). */
  get epoch() {
    return this._epoch;
  }

  /**
   * The node that has `id` in the current epoch, if it is still in the document. The id → node
   * index is built on first use (one walk of the document) and then kept up to date as ids are
   * given out, so sessions that never use agent tools pay nothing for it.
   * @param {number} id
   * @returns {Node | null}
   */
  nodeOf(id) {
    if (!Number.isSafeInteger(id) || id < 1 || id >= this._nextId || this._state === 'stopped') return null;
    if (!this._byId) {
      /** @type {Map<number, WeakRef<Node>>} */
      const index = new Map();
      const walker = this._doc.createTreeWalker(this._doc, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const i = this._ids.get(n);
        if (i !== undefined) index.set(i, new WeakRef(n));
      }
      this._byId = index;
    }
    const node = this._byId.get(id)?.deref();
    // An id is never reused; a node that was removed, or re-sent under a new id, no longer answers.
    if (!node || this._ids.get(node) !== id || !node.isConnected) return null;
    return node;
  }

  /**
   * Is `el` masked or blocked now (itself or through an ancestor)? Checked afresh against the
   * rules, not only against what was recorded: the firewall asks about the page as it is.
   * @param {Element} el
   */
  isProtected(el) {
    for (let e = /** @type {Element | null} */ (el); e; e = e.parentElement) {
      if (this._masked.has(e) || this._blocked.has(e) || this._selfMasked(e) || matchesBlockRule(e, this._rules)) return true;
    }
    return false;
  }

  /** Settings selectors that were skipped because the browser cannot parse them. */
  get invalidSelectors() {
    return this._rules.invalid.slice();
  }

  /** Figures of the last snapshot and the current epoch (for tests and benchmarks). @returns {RecorderStats} */
  get stats() {
    return { ...this._stats };
  }

  /**
   * Snapshot (time-sliced) as epoch `epoch`, then stream `m` batches.
   * @param {number} epoch
   * @returns {Promise<void>} resolves after `snapend` was emitted (or the snapshot was superseded)
   */
  start(epoch) {
    return this._snapshot(epoch);
  }

  /**
   * Drop all ids and take a new snapshot as `epoch` (resync, or after an overflow).
   * @param {number} epoch
   */
  restart(epoch) {
    return this._snapshot(epoch);
  }

  /** Disconnect the observer and every listener; emit nothing more. */
  stop() {
    this._state = 'stopped';
    this._gen++;
    this._observer.disconnect();
    this._pending = [];
    this._snapWalk = null;
    this._removeListeners();
    this._clearDirty();
  }

  // ---------------------------------------------------------------------------------------------
  // Snapshot

  /** @param {number} epoch */
  async _snapshot(epoch) {
    if (this._state === 'stopped') return;
    const gen = ++this._gen;
    const doc = this._doc;
    const win = this._win;
    this._epoch = epoch;
    this._ids = new WeakMap();
    this._byId = null;
    this._nextId = 1;
    this._masked = new WeakSet();
    this._blocked = new WeakSet();
    this._maskRoots.clear();
    this._blockRoots.clear();
    this._snapRefresh.clear();
    this._observer.disconnect();
    this._pending = [];
    this._clearDirty();
    // The observer is attached before the walk starts: what changes during the snapshot is
    // delivered as the first batch after snapend.
    this._observer.observe(doc, MUTATION_OPTIONS);
    this._addListeners();
    this._state = 'snapshot';
    const started = performance.now();
    this._stats = { epoch, records: 0, parts: 0, slices: 0, maxSliceMs: 0, prepMs: 0, snapshotMs: 0, batches: 0, overflows: 0, emitErrors: 0 };

    const w = this._newWalk(MODE_SNAPSHOT, new Map());
    this._collect(doc, w);
    w.stack.push({ node: doc, id: 0, masked: false, cursor: null, expect: null, dead: false });
    this._snapWalk = w;
    this._snapDirty = false;

    const dt = doc.doctype;
    this._emit({
      k: 'snap',
      e: epoch,
      url: cut(doc.URL),
      title: cut(doc.title),
      base: cut(doc.baseURI),
      doctype: dt ? { name: dt.name, publicId: dt.publicId, systemId: dt.systemId } : null,
      vw: win ? win.innerWidth : 0,
      vh: win ? win.innerHeight : 0,
      sx: win ? win.scrollX : 0,
      sy: win ? win.scrollY : 0,
      total: doc.getElementsByTagName('*').length,
    });

    let first = 1;
    const flushPart = () => {
      if (w.out.length === 0) return;
      const n = w.out;
      w.out = [];
      w.bytes = 0;
      this._emit({ k: 'part', e: epoch, first, n });
      first += n.length;
      this._stats.parts++;
    };

    // The matching and counting above took one slice of their own.
    this._stats.prepMs = performance.now() - started;
    await yieldToPage();
    if (gen !== this._gen) return;
    if (!(await this._readBigSheets(w, gen))) return;
    for (;;) {
      const sliceStart = performance.now();
      if (this._snapDirty) this._refreshSnapshot(w);
      const done = this._walk(w, sliceStart + APP_LIMITS.mirror_slice_ms, flushPart);
      // What the slice recorded goes out now (the viewer shows progress; memory stays bounded).
      flushPart();
      const sliceMs = performance.now() - sliceStart;
      this._stats.slices++;
      if (sliceMs > this._stats.maxSliceMs) this._stats.maxSliceMs = sliceMs;
      if (done) break;
      await yieldToPage();
      if (gen !== this._gen) return; // restarted or stopped meanwhile
    }
    this._snapWalk = null;
    this._stats.records = this._nextId - 1;
    this._stats.snapshotMs = performance.now() - started;
    this._emit({ k: 'snapend', e: epoch, count: this._nextId - 1 });
    this._state = 'live';
    // The mirror starts without focus: the first batch says where it is.
    this._lastFocus = 0;
    this._dirtyFocus = true;
    // Everything the page did during the snapshot, as one normal batch.
    this._flush();
  }

  /**
   * Between slices the page ran: bring the snapshot's match sets and the stack's inherited
   * masked/blocked state up to date with what the mutation records say changed.
   * @param {Walk} w
   */
  _refreshSnapshot(w) {
    this._snapDirty = false;
    const doc = this._doc;
    if (this._rules.complex) {
      w.maskSet.clear();
      w.blockSet.clear();
      this._collect(doc, w);
    }
    // Each frame's node: dead when detached or (now) inside a blocked element; masked when an
    // ancestor (or itself) is masked now. Masking is only ever added here (erring safe); a status
    // that changed is corrected by the batch after snapend, which re-sends the element. While the
    // stack still is a chain of parents, each frame inherits from the one below it.
    /** @param {Element} el */
    const blockedNow = (el) => w.blockSet.has(el) || this._blocked.has(el);
    /** @param {Element} el */
    const maskedNow = (el) => w.maskSet.has(el) || this._masked.has(el) || this._sticky.has(el);
    let below = /** @type {Node} */ (doc);
    let belowMasked = false;
    let belowDead = false;
    for (let i = 1; i < w.stack.length; i++) {
      const f = w.stack[i];
      const node = f.node;
      const el = /** @type {Element} */ (node);
      const wasDead = f.dead;
      const wasMasked = f.masked;
      if (!f.dead && !node.isConnected) f.dead = true;
      if (!f.dead) {
        if (node.parentNode === below) {
          if (belowDead || blockedNow(el)) f.dead = true;
          else if (belowMasked || maskedNow(el)) f.masked = true;
        } else {
          for (let a = /** @type {Node | null} */ (node); a !== null && a !== doc; a = a.parentNode) {
            if (a.nodeType !== ELEMENT_NODE) continue;
            const ae = /** @type {Element} */ (a);
            if (blockedNow(ae)) {
              f.dead = true;
              break;
            }
            if (maskedNow(ae)) f.masked = true;
          }
        }
      }
      // Its children will not all be walked, or not with the state its record says.
      if ((f.dead && !wasDead) || (f.masked && !wasMasked)) this._snapRefresh.add(node);
      below = node;
      belowMasked = f.masked;
      belowDead = f.dead;
    }
  }

  /**
   * Mutation records that arrived during the snapshot: keep the match sets exact for nodes the
   * walker has not reached yet.
   * @param {MutationRecord[]} records
   */
  _noteSnapshotRecords(records) {
    const w = this._snapWalk;
    if (!w) return;
    this._snapDirty = true;
    if (this._rules.complex) return; // recomputed in full at the next slice
    for (const r of records) {
      if (r.type === 'attributes') {
        const el = /** @type {Element} */ (r.target);
        if (matchesBlockRule(el, this._rules)) w.blockSet.add(el);
        else w.blockSet.delete(el);
        if (this._selfMasked(el)) w.maskSet.add(el);
        else w.maskSet.delete(el);
      } else if (r.type === 'childList') {
        const added = r.addedNodes;
        for (let i = 0; i < added.length; i++) {
          const n = added[i];
          if (n.nodeType === ELEMENT_NODE) this._collect(/** @type {Element} */ (n), w);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Serialisation (shared by the snapshot and by inserts)

  /**
   * @param {number} mode
   * @param {Map<Node, number>} reid
   * @param {Set<Node>} [forced]
   * @returns {Walk}
   */
  _newWalk(mode, reid, forced = new Set()) {
    return {
      mode,
      maskSet: new Set(),
      blockSet: new Set(),
      out: [],
      bytes: 0,
      moves: [],
      reid,
      forced,
      stack: [],
      base: this._doc.baseURI,
      lastMasked: false,
      rootId: 0,
      sheets: new Map(),
    };
  }

  /**
   * Adds the mask / block matches of `root`'s subtree to the walk's sets.
   * @param {Document | Element} root
   * @param {Walk} w
   */
  _collect(root, w) {
    /** @type {Set<Element>} */
    const masked = new Set();
    collectMatches(root, this._rules, masked, w.blockSet);
    for (const el of masked) {
      w.maskSet.add(el);
      if (isPasswordInput(el)) this._sticky.add(el);
    }
  }

  /**
   * Reads the text of the document's style sheets of more than SHEET_RULES_PER_READ rules ahead of
   * the walk, in slices of their own (mirror_slice_ms): one sheet of 20,000 rules read at once
   * took 84 ms (median, 189 ms cold) of the page's main thread. The walk takes the text from
   * w.sheets. A sheet changed meanwhile is re-sent after snapend like any changed sheet (the
   * observer and the CSSOM hint are on from the start).
   * @param {Walk} w
   * @param {number} gen
   * @returns {Promise<boolean>} false: the snapshot was restarted or stopped meanwhile
   */
  async _readBigSheets(w, gen) {
    const styles = this._doc.querySelectorAll('style');
    let deadline = performance.now() + APP_LIMITS.mirror_slice_ms;
    let sliceStart = performance.now();
    const endSlice = () => {
      const ms = performance.now() - sliceStart;
      this._stats.slices++;
      if (ms > this._stats.maxSliceMs) this._stats.maxSliceMs = ms;
    };
    let read = false;
    for (const el of styles) {
      /** @type {CSSRuleList | null} */
      let rules = null;
      try {
        rules = /** @type {HTMLStyleElement} */ (el).sheet?.cssRules ?? null;
      } catch {
        rules = null;
      }
      if (rules === null || rules.length <= SHEET_RULES_PER_READ) continue;
      read = true;
      const parts = new Array(rules.length);
      let i = 0;
      // The list is live: a rule inserted or deleted meanwhile shifts it (the sheet is re-sent
      // after snapend then).
      while (i < rules.length) {
        parts[i] = rules[i]?.cssText ?? '';
        i++;
        if ((i & 63) === 0 && performance.now() >= deadline) {
          endSlice();
          await yieldToPage();
          if (gen !== this._gen) return false;
          sliceStart = performance.now();
          deadline = sliceStart + APP_LIMITS.mirror_slice_ms;
        }
      }
      w.sheets.set(el, cssToSend(parts.join('\n'), w.base));
    }
    if (read) {
      endSlice();
      await yieldToPage();
      if (gen !== this._gen) return false;
    }
    return true;
  }

  /**
   * Runs the DFS until the stack is empty (true) or the deadline passed (false).
   * @param {Walk} w
   * @param {number} deadline  performance.now() value; Infinity for a synchronous walk
   * @param {(() => void) | null} flushPart  called when a snapshot part is full
   */
  _walk(w, deadline, flushPart) {
    const stack = w.stack;
    const ids = this._ids;
    let n = 0;
    while (stack.length > 0) {
      if ((++n & (CLOCK_EVERY - 1)) === 0 && n >= MIN_SLICE_NODES && deadline !== Infinity && performance.now() >= deadline) return false;
      const f = stack[stack.length - 1];
      if (f.dead) {
        stack.pop();
        continue;
      }
      const child = nextChild(f, ids);
      if (child === null) {
        stack.pop();
        continue;
      }
      f.cursor = child;
      f.expect = child.nextSibling;
      if (this._record(child, f.id, f.masked, w) === DESCEND) {
        stack.push({
          node: child,
          id: /** @type {number} */ (ids.get(child)),
          masked: w.lastMasked,
          cursor: null,
          expect: null,
          dead: false,
        });
      }
      if (flushPart !== null && (w.out.length >= APP_LIMITS.mirror_part_records || w.bytes >= PART_BYTES)) flushPart();
    }
    return true;
  }

  /**
   * Serialises one node (not its children) into a record appended to w.out and gives it an id.
   * @param {Node} node
   * @param {number} pid  the parent's id
   * @param {boolean} parentMasked
   * @param {Walk} w
   * @returns {number} SKIPPED or DESCEND
   */
  _record(node, pid, parentMasked, w) {
    const type = node.nodeType;
    if (type !== ELEMENT_NODE && type !== TEXT_NODE) return SKIPPED;
    if (this._isOwn(node)) return SKIPPED;
    const ids = this._ids;
    const known = ids.get(node);
    if (known !== undefined) {
      if (w.mode === MODE_SNAPSHOT) return SKIPPED;
      if (w.mode === MODE_INSERT && !w.forced.has(node) && this._statusUnchanged(node, parentMasked, w)) {
        w.moves.push(node);
        return SKIPPED;
      }
      // Sent again as a new node; its old copy is removed after the inserts.
      if (!w.reid.has(node)) w.reid.set(node, known);
      ids.delete(node);
    }

    if (type === TEXT_NODE) {
      let text = cut(/** @type {Text} */ (node).data);
      if (parentMasked) {
        text = placeholderOf(text);
        this._masked.add(node);
      } else if (w.mode !== MODE_SNAPSHOT) {
        this._masked.delete(node);
      }
      const id = this._nextId++;
      ids.set(node, id);
      this._byId?.set(id, new WeakRef(node));
      w.out.push([pid === 0 || id === w.rootId ? pid : pid - id, '#t', text]);
      w.bytes += text.length + 16;
      return SKIPPED;
    }

    const el = /** @type {Element} */ (node);
    const ns = el.namespaceURI;
    const local = el.localName;
    const html = ns === HTML_NS;
    /** @type {string} */
    let tag;
    if (html) {
      if (!isRecordableHtml(el, local)) return SKIPPED;
      tag = local;
    } else if (local === 'script') {
      return SKIPPED;
    } else if (ns === SVG_NS) {
      tag = 'svg:' + local;
    } else if (ns === MATHML_NS) {
      tag = 'math:' + local;
    } else {
      tag = local;
    }
    const id = this._nextId++;
    ids.set(el, id);
    this._byId?.set(id, new WeakRef(el));
    const rules = this._rules;
    // The parent as a relative reference (-k: the record k places back) except for the root of
    // what is being sent; see PARENT REFERENCES at the top of this file.
    const p = pid === 0 || id === w.rootId ? pid : pid - id;

    if (w.blockSet.has(el)) {
      this._blocked.add(el);
      this._masked.delete(el);
      if (rules.complex) this._blockRoots.add(el);
      w.out.push([p, tag, 0, this._blockBox(el)]);
      w.bytes += tag.length + 64;
      return SKIPPED;
    }
    if (w.mode !== MODE_SNAPSHOT) this._blocked.delete(el);
    const masked = parentMasked || w.maskSet.has(el) || this._sticky.has(el);

    /** @type {Record<string, string> | null} */
    let attrs = null;
    /** @type {string | null} */
    let valueAttr = null;
    const list = el.attributes;
    const count = list.length;
    if (count > 0) {
      const frameLike = html && FRAME_LIKE.has(local);
      const base = w.base;
      for (let i = 0; i < count; i++) {
        const a = list[i];
        const name = a.name;
        const v = attributeValue(local, frameLike, name, a.value, masked, base);
        if (v === null) continue;
        if (attrs === null) attrs = {};
        attrs[name] = v;
        w.bytes += name.length + v.length + 6;
        if (name === 'value') valueAttr = v;
      }
    }

    /** @type {Record<string, unknown> | null} */
    let props = null;
    if (html) {
      switch (local) {
        case 'input': {
          const input = /** @type {HTMLInputElement} */ (el);
          const t = input.type;
          if (t === 'checkbox' || t === 'radio') {
            if (!masked && input.checked) (props ??= {}).c = true;
          } else if (t !== 'file') {
            const v = input.value;
            if (v !== (valueAttr ?? '')) {
              const sent = masked ? placeholderOf(cut(v)) : cut(v);
              (props ??= {}).v = sent;
              w.bytes += sent.length + 8;
            }
          }
          break;
        }
        case 'textarea': {
          const area = /** @type {HTMLTextAreaElement} */ (el);
          const v = area.value;
          if (v !== area.defaultValue) {
            const sent = masked ? placeholderOf(cut(v)) : cut(v);
            (props ??= {}).v = sent;
            w.bytes += sent.length + 8;
          }
          break;
        }
        case 'select': {
          const select = /** @type {HTMLSelectElement} */ (el);
          if (!masked && select.selectedIndex === -1 && select.length > 0) (props ??= {}).v = '';
          break;
        }
        case 'option':
          if (!masked && /** @type {HTMLOptionElement} */ (el).selected) (props ??= {}).s = true;
          break;
        case 'style': {
          const css = w.sheets.get(el) ?? styleText(/** @type {HTMLStyleElement} */ (el), w.base);
          (props ??= {}).css = css;
          w.bytes += css.length + 10;
          break;
        }
      }
      if (el.firstChild !== null && !NEVER_SCROLLED.has(local) && el !== this._doc.scrollingElement) {
        const sx = el.scrollLeft;
        const sy = el.scrollTop;
        if (sx !== 0 || sy !== 0) {
          props ??= {};
          props.sx = sx;
          props.sy = sy;
        }
      }
    } else if (local === 'style' && ns === SVG_NS) {
      const css = w.sheets.get(el) ?? styleText(/** @type {SVGStyleElement} */ (el), w.base);
      (props ??= {}).css = css;
      w.bytes += css.length + 10;
    }

    if (masked) {
      // Every masked element says so (not only the root of a masked region): a masked element
      // moved to a plain parent while still matching a rule stays masked without being re-sent.
      this._masked.add(el);
      (props ??= {}).mask = 1;
      if (rules.complex && (w.maskSet.has(el) || this._sticky.has(el))) this._maskRoots.add(el);
    } else if (w.mode !== MODE_SNAPSHOT) {
      this._masked.delete(el);
    }

    w.bytes += tag.length + 12;
    if (props !== null) w.out.push([p, tag, attrs ?? 0, props]);
    else if (attrs !== null) w.out.push([p, tag, attrs]);
    else w.out.push([p, tag]);
    w.lastMasked = masked;

    if (local === 'style' && (html || ns === SVG_NS)) return SKIPPED; // css prop, no child records
    if (local === 'template' && html) return SKIPPED; // its content is not recorded
    return el.firstChild !== null ? DESCEND : SKIPPED;
  }

  /**
   * The blocked box's props: size and display (the only place getComputedStyle is used).
   * @param {Element} el
   */
  _blockBox(el) {
    const r = el.getBoundingClientRect();
    const win = this._win;
    const d = win ? win.getComputedStyle(el).display : 'block';
    return { block: 1, w: round2(r.width), h: round2(r.height), d };
  }

  /**
   * Is a known node's masked/blocked status (in its new place) the one it was recorded with?
   * @param {Node} node
   * @param {boolean} parentMasked
   * @param {Walk | null} w  match sets of the subtree being inserted, or null to match directly
   */
  _statusUnchanged(node, parentMasked, w) {
    if (node.nodeType === TEXT_NODE) return parentMasked === this._masked.has(node);
    const el = /** @type {Element} */ (node);
    const blocked = w ? w.blockSet.has(el) : matchesBlockRule(el, this._rules);
    if (blocked !== this._blocked.has(el)) return false;
    if (blocked) return true;
    const masked = parentMasked || (w ? w.maskSet.has(el) || this._sticky.has(el) : this._selfMasked(el));
    if (masked !== this._masked.has(el)) return false;
    if (el.namespaceURI === HTML_NS && !isRecordableHtml(el, el.localName)) return false;
    return true;
  }

  /**
   * Does `el` itself match a mask rule (or was it ever a password field)?
   * @param {Element} el
   */
  _selfMasked(el) {
    if (this._sticky.has(el)) return true;
    if (!matchesMaskRule(el, this._rules)) return false;
    if (isPasswordInput(el)) this._sticky.add(el);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Batches

  /** @param {MutationRecord[]} records */
  _onMutations(records) {
    if (this._state === 'snapshot') {
      for (const r of records) this._pending.push(r);
      this._noteSnapshotRecords(records);
    } else if (this._state === 'live') {
      for (const r of records) this._pending.push(r);
      this._scheduleFlush();
    }
  }

  _scheduleFlush() {
    if (this._flushQueued || this._state !== 'live') return;
    this._flushQueued = true;
    queueMicrotask(() => {
      this._flushQueued = false;
      this._flush();
    });
  }

  /** Turns everything that happened since the last batch into one `m` message. */
  _flush() {
    if (this._state !== 'live') return;
    const records = this._pending;
    this._pending = [];
    const late = this._observer.takeRecords();
    for (let i = 0; i < late.length; i++) records.push(late[i]);
    if (
      records.length === 0 &&
      this._dirtyProps.size === 0 &&
      this._dirtyScroll.size === 0 &&
      this._dirtyCss.size === 0 &&
      !this._dirtyFocus &&
      !this._dirtyViewport &&
      this._pointerOp === null
    ) {
      return;
    }
    const built = this._buildOps(records);
    if (built.ops.length === 0) return;
    if (built.bytes > APP_LIMITS.app_max_message_bytes) {
      this._overflow();
      return;
    }
    this._stats.batches++;
    this._emit({ k: 'm', e: this._epoch, ops: built.ops });
  }

  /** A batch too large to send: stop streaming this epoch; a new snapshot replaces it. */
  _overflow() {
    this._stats.overflows++;
    this._state = 'overflow';
    this._observer.disconnect();
    this._pending = [];
    this._clearDirty();
    const onOverflow = this._onOverflow;
    if (onOverflow) {
      try {
        onOverflow();
      } catch {
        // the caller's problem; we stay in 'overflow' until restart()
      }
    } else {
      this.restart(this._epoch + 1).catch(() => {});
    }
  }

  /**
   * The ops of one batch (app.md §4.3 order) and their estimated JSON size.
   * @param {MutationRecord[]} records
   * @returns {{ops: unknown[][], bytes: number}}
   */
  _buildOps(records) {
    const doc = this._doc;
    const ids = this._ids;
    const rules = this._rules;
    const batchFirst = this._nextId;

    // 1. What the records say.
    /** Each removed node's parent at its first removal in this batch = its parent in the mirror. @type {Map<Node, Node>} */
    const firstParent = new Map();
    /** @type {Set<Node>} */
    const added = new Set();
    /** @type {Map<Element, Map<string, [string | null, string]>>} */
    const attrChanges = new Map();
    /** @type {Set<Node>} */
    const texts = new Set();
    const css = this._dirtyCss;
    const props = this._dirtyProps;
    for (let i = 0; i < records.length; i++) {
      const r = records[i];
      const t = r.target;
      if (r.type === 'childList') {
        const removed = r.removedNodes;
        for (let j = 0; j < removed.length; j++) {
          const n = removed[j];
          if (!firstParent.has(n)) firstParent.set(n, t);
        }
        const adds = r.addedNodes;
        for (let j = 0; j < adds.length; j++) added.add(adds[j]);
        if (isStyleElement(t)) css.add(/** @type {Element} */ (t));
        else if (t.nodeType === ELEMENT_NODE && /** @type {Element} */ (t).localName === 'select') props.add(/** @type {Element} */ (t));
      } else if (r.type === 'attributes') {
        const el = /** @type {Element} */ (t);
        const local = /** @type {string} */ (r.attributeName);
        const ns = r.attributeNamespace;
        let names = attrChanges.get(el);
        if (!names) attrChanges.set(el, (names = new Map()));
        names.set(ns ? ns + ' ' + local : local, [ns, local]);
        if (local === 'value' || local === 'checked' || local === 'selected' || local === 'type' || local === 'multiple') props.add(el);
      } else {
        const p = t.parentNode;
        if (p !== null && isStyleElement(p)) css.add(/** @type {Element} */ (p));
        else texts.add(t);
      }
    }

    // 2. Elements whose masked / blocked / recordable status changed are sent again.
    /** @type {Set<Element>} */
    const resend = new Set();
    for (const el of attrChanges.keys()) {
      if (el.nodeType !== ELEMENT_NODE || !el.isConnected) continue;
      const id = ids.get(el);
      if (id === undefined) {
        // A <link>/<meta> that was not recordable may have become so.
        if (el.namespaceURI === HTML_NS && (el.localName === 'link' || el.localName === 'meta')) added.add(el);
        continue;
      }
      const p = el.parentNode;
      if (!this._statusUnchanged(el, p !== null && this._masked.has(p), null)) resend.add(el);
    }
    if (rules.complex && records.length > 0) this._complexRecheck(resend);
    // Elements sent again: their status changed, or the snapshot left them incomplete or
    // over-masked (see _refreshSnapshot). Their descendants are checked one by one: those whose
    // status did not change are kept (moved into the new copy).
    for (const n of this._snapRefresh) {
      if (ids.has(n) && n.isConnected) resend.add(/** @type {Element} */ (n));
    }
    this._snapRefresh.clear();
    /** @type {Set<Node>} */
    const forced = new Set(resend);

    // 3. Inserts and moves, parents ancestors-first, each parent's children last-first (so that
    // every `before` already stands where it should).
    /** @type {Map<Node, Set<Node>>} */
    const groups = new Map();
    const group = (/** @type {Node} */ n) => {
      const p = n.parentNode;
      if (p === null) return;
      let set = groups.get(p);
      if (!set) groups.set(p, (set = new Set()));
      set.add(n);
    };
    for (const n of added) group(n);
    for (const n of resend) group(n);
    /** @type {unknown[][]} */
    const ops = [];
    let bytes = 16;
    /** @type {Set<Node>} */
    const placed = new Set();
    /** @type {Map<Node, number>} */
    const reid = new Map();
    if (groups.size > 0) {
      const parents = [...groups.keys()];
      if (parents.length > 1) {
        const depth = new Map(parents.map((p) => [p, depthOf(p)]));
        parents.sort((a, b) => /** @type {number} */ (depth.get(a)) - /** @type {number} */ (depth.get(b)));
      }
      for (const p of parents) {
        const pid = this._containerId(p, batchFirst);
        if (pid < 0) continue;
        const pMasked = p !== doc && this._masked.has(p);
        const kids = reverseChildren(p, /** @type {Set<Node>} */ (groups.get(p)));
        for (const c of kids) {
          const known = ids.get(c);
          if (known !== undefined && known < batchFirst && !forced.has(c)) {
            if (this._statusUnchanged(c, pMasked, null)) {
              ops.push([2, known, pid, this._beforeId(c)]);
              bytes += 40;
              placed.add(c);
              continue;
            }
          }
          const w = this._newWalk(MODE_INSERT, reid, forced);
          if (c.nodeType === ELEMENT_NODE) this._collect(/** @type {Element} */ (c), w);
          const before = this._beforeId(c);
          const first = this._nextId;
          w.rootId = first;
          if (this._record(c, pid, pMasked, w) === DESCEND) {
            w.stack.push({ node: c, id: /** @type {number} */ (ids.get(c)), masked: w.lastMasked, cursor: null, expect: null, dead: false });
            this._walk(w, Infinity, null);
          }
          if (w.out.length > 0) {
            ops.push([1, pid, before, first, w.out]);
            bytes += w.bytes + 40;
          }
          for (let i = w.moves.length - 1; i >= 0; i--) {
            const k = w.moves[i];
            ops.push([2, ids.get(k), ids.get(/** @type {Node} */ (k.parentNode)), this._beforeId(k)]);
            bytes += 40;
            placed.add(k);
          }
        }
      }
    }

    // 4. Removes: known nodes that are not where the mirror has them, unless a mirror ancestor
    // of theirs goes too.
    /** @type {Map<Node, number>} */
    const gone = new Map();
    for (const n of firstParent.keys()) {
      if (placed.has(n) || reid.has(n)) continue;
      const id = ids.get(n);
      if (id === undefined || id >= batchFirst) continue;
      gone.set(n, id);
    }
    for (const [n, old] of reid) gone.set(n, old);
    if (gone.size > 0) {
      for (const [n, old] of gone) {
        if (!this._removedWithAncestor(n, gone, firstParent, placed, reid, batchFirst)) {
          ops.push([0, old]);
          bytes += 16;
        }
      }
      for (const n of gone.keys()) this._forget(n, batchFirst, placed);
    }

    // 5. Attributes, text, props, css, scroll, viewport, focus, pointer — for nodes the mirror
    // already had (fresh records carry current values).
    /** @type {Map<Node, boolean>} */
    const memo = new Map();
    const live = (/** @type {Node} */ n) => {
      const id = ids.get(n);
      return id !== undefined && id < batchFirst && this._isLive(n, memo);
    };
    for (const [el, names] of attrChanges) {
      if (!live(el) || this._blocked.has(el)) continue;
      const masked = this._masked.has(el);
      const html = el.namespaceURI === HTML_NS;
      const local = el.localName;
      const frameLike = html && FRAME_LIKE.has(local);
      const base = doc.baseURI;
      /** @type {Record<string, string | null>} */
      const change = {};
      let any = false;
      for (const [ns, name] of names.values()) {
        const a = ns ? el.getAttributeNodeNS(ns, name) : el.getAttributeNode(name);
        const qualified = a ? a.name : qualify(ns, name);
        const v = a ? attributeValue(local, frameLike, qualified, a.value, masked, base) : null;
        if (v === null && isNeverRecorded(qualified, masked)) continue;
        change[qualified] = v;
        bytes += qualified.length + (v === null ? 6 : v.length + 4);
        any = true;
      }
      if (any) ops.push([3, ids.get(el), change]);
    }
    for (const t of texts) {
      if (t.nodeType !== TEXT_NODE || !live(t)) continue;
      let text = cut(/** @type {Text} */ (t).data);
      if (this._masked.has(t)) text = placeholderOf(text);
      ops.push([4, ids.get(t), text]);
      bytes += text.length + 16;
    }
    if (props.size > 0) {
      /** @type {Set<Element>} */
      const selects = new Set();
      for (const el of props) {
        if (el.nodeType !== ELEMENT_NODE || el.namespaceURI !== HTML_NS) continue;
        const local = el.localName;
        if (local === 'option' || local === 'optgroup') {
          const s = owningSelect(el);
          if (s) selects.add(s);
          continue;
        }
        if (local === 'select') {
          selects.add(el);
          continue;
        }
        if (!live(el)) continue;
        bytes += this._fieldOps(el, ops);
      }
      for (const s of selects) if (live(s)) bytes += this._selectOps(/** @type {HTMLSelectElement} */ (s), ops, live);
    }
    for (const s of css) {
      if (!live(s)) continue;
      const text = styleText(/** @type {HTMLStyleElement} */ (s), doc.baseURI);
      ops.push([6, ids.get(s), text]);
      bytes += text.length + 16;
    }
    const win = this._win;
    for (const t of this._dirtyScroll) {
      if (t === doc || t === doc.scrollingElement) {
        if (win) ops.push([7, 0, win.scrollX, win.scrollY]);
      } else if (t.nodeType === ELEMENT_NODE && live(t)) {
        const el = /** @type {Element} */ (t);
        ops.push([7, ids.get(el), el.scrollLeft, el.scrollTop]);
      }
      bytes += 32;
    }
    if (this._dirtyViewport && win) ops.push([8, win.innerWidth, win.innerHeight]);
    if (this._dirtyFocus) {
      const a = doc.activeElement;
      const id = a && a !== doc.body ? ids.get(a) : undefined;
      const focus = id !== undefined && this._isLive(/** @type {Element} */ (a), memo) ? id : 0;
      if (focus !== this._lastFocus) {
        ops.push([9, focus]);
        this._lastFocus = focus;
      }
    }
    if (this._pointerOp !== null) ops.push(this._pointerOp);
    bytes += 64;
    this._clearDirty();
    return { ops, bytes };
  }

  /**
   * Complex settings selectors: a status can change without an attribute change on the element
   * itself. Compare a fresh document-wide match with what was recorded.
   * @param {Set<Element>} resend
   */
  _complexRecheck(resend) {
    const w = this._newWalk(MODE_INSERT, new Map());
    this._collect(this._doc, w);
    const ids = this._ids;
    for (const el of w.blockSet) if (ids.has(el) && !this._blocked.has(el)) resend.add(el);
    for (const el of this._blockRoots) {
      if (!ids.has(el) || !el.isConnected) this._blockRoots.delete(el);
      else if (!w.blockSet.has(el)) resend.add(el);
    }
    for (const el of w.maskSet) if (ids.has(el) && !this._masked.has(el) && !this._blocked.has(el)) resend.add(el);
    for (const el of this._maskRoots) {
      if (!ids.has(el) || !el.isConnected) {
        this._maskRoots.delete(el);
        continue;
      }
      const p = el.parentNode;
      if (!w.maskSet.has(el) && !this._sticky.has(el) && !(p !== null && this._masked.has(p))) resend.add(el);
    }
  }

  /**
   * The id of `p` when new children can be placed in it: it is in the mirror (an unbroken chain
   * of mirrored containers up to the document), was there before this batch (a node serialised in
   * this batch had its children serialised with it), and records children. Otherwise -1.
   * @param {Node} p
   * @param {number} batchFirst
   */
  _containerId(p, batchFirst) {
    if (p === this._doc) return 0;
    const id = this._ids.get(p);
    if (id === undefined || id >= batchFirst) return -1;
    for (let a = /** @type {Node | null} */ (p); a !== this._doc; a = a.parentNode) {
      if (a === null || !this._ids.has(a) || !this._isContainer(a)) return -1;
    }
    return id;
  }

  /**
   * Is `n` in the mirror now (after this batch's structural ops)?
   * @param {Node} n
   * @param {Map<Node, boolean>} memo  per batch: node → "is a mirrored container in the mirror"
   */
  _isLive(n, memo) {
    if (!this._ids.has(n)) return false;
    const p = n.parentNode;
    return p !== null && this._isLiveContainer(p, memo);
  }

  /**
   * Is `p` in the mirror and do its children get records? Memoised per batch.
   * @param {Node} p
   * @param {Map<Node, boolean>} memo
   */
  _isLiveContainer(p, memo) {
    /** @type {Node[]} */
    const chain = [];
    let result = false;
    for (let a = /** @type {Node | null} */ (p); ; a = a.parentNode) {
      if (a === null) break;
      if (a === this._doc) {
        result = true;
        break;
      }
      const m = memo.get(a);
      if (m !== undefined) {
        result = m;
        break;
      }
      chain.push(a);
      if (!this._ids.has(a) || !this._isContainer(a)) break;
    }
    for (const a of chain) memo.set(a, result);
    return result;
  }

  /** @param {Node} n */
  _isContainer(n) {
    if (n.nodeType !== ELEMENT_NODE) return false;
    if (this._blocked.has(n)) return false;
    const el = /** @type {Element} */ (n);
    const local = el.localName;
    if (local === 'style') return el.namespaceURI !== HTML_NS && el.namespaceURI !== SVG_NS;
    if (local === 'template') return el.namespaceURI !== HTML_NS;
    return true;
  }

  /**
   * Is the removal of n's old copy implied by the removal of one of its mirror ancestors? Walks up
   * the mirror as it stands when the removes apply (after this batch's inserts and moves): an old
   * copy stands where its node was before the batch unless it was moved; a node serialised in this
   * batch (fresh, or sent again) stands where its node is now.
   * @param {Node} n
   * @param {Map<Node, number>} gone  nodes whose old copy goes
   * @param {Map<Node, Node>} firstParent
   * @param {Set<Node>} placed  nodes moved in this batch
   * @param {Map<Node, number>} reid  nodes sent again in this batch
   * @param {number} batchFirst
   */
  _removedWithAncestor(n, gone, firstParent, placed, reid, batchFirst) {
    const doc = this._doc;
    const ids = this._ids;
    /** @param {Node} y */
    const oldParent = (y) => (firstParent.has(y) ? firstParent.get(y) ?? null : y.parentNode);
    let y = oldParent(n);
    // `current`: y names its node's current copy (true) or its old copy (false).
    let current = false;
    for (let guard = 0; y !== null && y !== doc && guard < 100000; guard++) {
      const node = /** @type {Node} */ (y);
      if (current && (reid.has(node) || /** @type {number} */ (ids.get(node) ?? 0) >= batchFirst)) {
        y = node.parentNode; // a copy made in this batch, at the node's current place
        continue;
      }
      if (gone.has(node)) return true;
      if (placed.has(node)) {
        y = node.parentNode;
        current = true;
      } else {
        y = oldParent(node);
        current = false;
      }
    }
    return false;
  }

  /**
   * Forgets the ids of `n`'s current subtree that the mirror dropped with it: ids from before this
   * batch, except in subtrees that were moved into place (they live on). Nodes serialised in this
   * batch (a subtree sent again keeps its new ids) are kept.
   * @param {Node} n
   * @param {number} batchFirst
   * @param {Set<Node>} placed
   */
  _forget(n, batchFirst, placed) {
    const ids = this._ids;
    /** @type {Node | null} */
    let cur = n;
    while (cur !== null) {
      let descend = true;
      if (cur !== n && placed.has(cur)) {
        descend = false;
      } else {
        const id = ids.get(cur);
        if (id !== undefined && id < batchFirst) {
          ids.delete(cur);
          this._masked.delete(cur);
          this._blocked.delete(cur);
        }
      }
      if (descend && cur.firstChild !== null) {
        cur = cur.firstChild;
        continue;
      }
      while (cur !== null && cur !== n && cur.nextSibling === null) cur = cur.parentNode;
      if (cur === null || cur === n) break;
      cur = cur.nextSibling;
    }
  }

  /**
   * The id of the nearest next sibling that is in the mirror, or null (append).
   * @param {Node} n
   */
  _beforeId(n) {
    for (let s = n.nextSibling; s !== null; s = s.nextSibling) {
      const id = this._ids.get(s);
      if (id !== undefined) return id;
    }
    return null;
  }

  /**
   * Field state op of an input or textarea.
   * @param {Element} el
   * @param {unknown[][]} ops
   * @returns {number} estimated bytes
   */
  _fieldOps(el, ops) {
    const local = el.localName;
    const masked = this._masked.has(el);
    const id = this._ids.get(el);
    if (local === 'input') {
      const input = /** @type {HTMLInputElement} */ (el);
      const t = input.type;
      if (t === 'checkbox' || t === 'radio') {
        if (masked) return 0;
        ops.push([5, id, { c: input.checked }]);
        return 32;
      }
      if (t === 'file') return 0;
      const v = masked ? placeholderOf(cut(input.value)) : cut(input.value);
      ops.push([5, id, { v }]);
      return v.length + 32;
    }
    if (local === 'textarea') {
      const area = /** @type {HTMLTextAreaElement} */ (el);
      const v = masked ? placeholderOf(cut(area.value)) : cut(area.value);
      ops.push([5, id, { v }]);
      return v.length + 32;
    }
    return 0;
  }

  /**
   * Selection ops of a select: the selected option (single), every option (multiple), or v:"" for
   * none. A masked select reports nothing.
   * @param {HTMLSelectElement} select
   * @param {unknown[][]} ops
   * @param {(n: Node) => boolean} live
   * @returns {number} estimated bytes
   */
  _selectOps(select, ops, live) {
    if (this._masked.has(select)) return 0;
    const options = select.options;
    let bytes = 0;
    if (select.multiple) {
      for (let i = 0; i < options.length; i++) {
        const o = options[i];
        if (!live(o)) continue;
        ops.push([5, this._ids.get(o), { s: o.selected }]);
        bytes += 32;
      }
      return bytes;
    }
    const index = select.selectedIndex;
    if (index < 0) {
      ops.push([5, this._ids.get(select), { v: '' }]);
      return 32;
    }
    const o = options[index];
    if (o && live(o)) {
      ops.push([5, this._ids.get(o), { s: true }]);
      bytes += 32;
    }
    return bytes;
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  _addListeners() {
    if (this._listening) return;
    this._listening = true;
    const doc = this._doc;
    const capture = { capture: true };
    const passive = { capture: true, passive: true };
    doc.addEventListener('input', this._onInput, capture);
    doc.addEventListener('change', this._onInput, capture);
    doc.addEventListener('reset', this._onReset, capture);
    doc.addEventListener('scroll', this._onScroll, passive);
    doc.addEventListener('focusin', this._onFocus, capture);
    doc.addEventListener('focusout', this._onFocus, capture);
    doc.addEventListener('pointermove', this._onPointerMove, passive);
    doc.addEventListener('mousemove', this._onPointerMove, passive);
    doc.addEventListener('pointerout', this._onPointerOut, passive);
    if (this._hintEvent) doc.addEventListener(this._hintEvent, this._onHint, capture);
    this._win?.addEventListener('resize', this._onResize, passive);
  }

  _removeListeners() {
    if (!this._listening) return;
    this._listening = false;
    const doc = this._doc;
    doc.removeEventListener('input', this._onInput, true);
    doc.removeEventListener('change', this._onInput, true);
    doc.removeEventListener('reset', this._onReset, true);
    doc.removeEventListener('scroll', this._onScroll, true);
    doc.removeEventListener('focusin', this._onFocus, true);
    doc.removeEventListener('focusout', this._onFocus, true);
    doc.removeEventListener('pointermove', this._onPointerMove, true);
    doc.removeEventListener('mousemove', this._onPointerMove, true);
    doc.removeEventListener('pointerout', this._onPointerOut, true);
    if (this._hintEvent) doc.removeEventListener(this._hintEvent, this._onHint, true);
    this._win?.removeEventListener('resize', this._onResize, true);
    if (this._raf && this._win) this._win.cancelAnimationFrame(this._raf);
    this._raf = 0;
  }

  _clearDirty() {
    this._dirtyProps.clear();
    this._dirtyScroll.clear();
    this._dirtyCss.clear();
    this._dirtyFocus = false;
    this._dirtyViewport = false;
    this._pointerOp = null;
  }

  /** @param {EventTarget | null} t */
  _markProps(t) {
    if (!t || /** @type {Node} */ (t).nodeType !== ELEMENT_NODE) return;
    this._dirtyProps.add(/** @type {Element} */ (t));
    this._scheduleFlush();
  }

  /**
   * A hint from the main world: something about `t` changed without a DOM mutation. Only a
   * reason to look again; the values are re-read from the DOM.
   * @param {EventTarget | null} t
   */
  _hinted(t) {
    if (!t || /** @type {Node} */ (t).nodeType !== ELEMENT_NODE) return;
    const el = /** @type {Element} */ (t);
    if (isStyleElement(el)) {
      this._dirtyCss.add(el);
      this._scheduleFlush();
    } else {
      this._markProps(el);
    }
  }

  /**
   * A form's reset event fires before the reset: look at its fields in the next task.
   * @param {EventTarget | null} t
   */
  _formReset(t) {
    if (!t || /** @type {Node} */ (t).nodeType !== ELEMENT_NODE) return;
    const form = /** @type {HTMLFormElement} */ (t);
    if (form.localName !== 'form') return;
    const gen = this._gen;
    setTimeout(() => {
      if (gen !== this._gen) return;
      const fields = form.elements;
      for (let i = 0; i < fields.length; i++) this._dirtyProps.add(fields[i]);
      this._scheduleFlush();
    }, 0);
  }

  /**
   * @param {number} x
   * @param {number} y
   */
  _pointerMoved(x, y) {
    this._pointerAt = [x, y];
    const win = this._win;
    if (this._raf || !win) return;
    this._raf = win.requestAnimationFrame(() => {
      this._raf = 0;
      const at = this._pointerAt;
      this._pointerAt = null;
      if (!at || this._state !== 'live') return;
      this._pointerOp = [10, at[0], at[1]];
      this._flush();
    });
  }

  _pointerLeft() {
    if (this._raf && this._win) this._win.cancelAnimationFrame(this._raf);
    this._raf = 0;
    this._pointerAt = null;
    this._pointerOp = [10];
    this._scheduleFlush();
  }

  /** @param {object} msg */
  _emit(msg) {
    if (this._state === 'stopped') return;
    try {
      this._emitFn(msg);
    } catch {
      this._stats.emitErrors++;
    }
  }
}

// -----------------------------------------------------------------------------------------------
// Pure helpers

/**
 * The next child of a frame to look at. Between slices the DOM may have changed under the
 * frame: when the cursor is no longer where it was, resume from the first child without an id
 * (whatever was skipped is covered by the mutation records).
 * @param {Frame} f
 * @param {WeakMap<Node, number>} ids
 */
function nextChild(f, ids) {
  const cursor = f.cursor;
  if (cursor === null) return f.node.firstChild;
  if (cursor.parentNode === f.node && cursor.nextSibling === f.expect) return f.expect;
  for (let c = f.node.firstChild; c !== null; c = c.nextSibling) if (!ids.has(c)) return c;
  return null;
}

/**
 * Is an HTML element recorded at all? Never: script, noscript, base, meta http-equiv, and links
 * other than stylesheets and icons.
 * @param {Element} el
 * @param {string} local
 */
function isRecordableHtml(el, local) {
  switch (local) {
    case 'script':
    case 'noscript':
    case 'base':
      return false;
    case 'meta':
      return !el.hasAttribute('http-equiv');
    case 'link':
      return isAllowedLinkRel(el.getAttribute('rel'));
    default:
      return true;
  }
}


/** @param {Node} n */
function isStyleElement(n) {
  if (n.nodeType !== ELEMENT_NODE) return false;
  const el = /** @type {Element} */ (n);
  return el.localName === 'style' && (el.namespaceURI === HTML_NS || el.namespaceURI === SVG_NS);
}

/** @param {Element} el */
function isPasswordInput(el) {
  return el.localName === 'input' && el.namespaceURI === HTML_NS && /** @type {HTMLInputElement} */ (el).type === 'password';
}

/** @param {Element} el */
function owningSelect(el) {
  let p = el.parentNode;
  for (let i = 0; i < 2 && p !== null; i++, p = p.parentNode) {
    if (p.nodeType === ELEMENT_NODE && /** @type {Element} */ (p).localName === 'select') return /** @type {Element} */ (p);
  }
  return null;
}

/** @param {Node} n */
function depthOf(n) {
  let d = 0;
  for (let a = n.parentNode; a !== null; a = a.parentNode) d++;
  return d;
}

/**
 * `set`'s members that are children of `p`, in reverse document order.
 * @param {Node} p
 * @param {Set<Node>} set
 * @returns {Node[]}
 */
function reverseChildren(p, set) {
  if (set.size === 1) {
    const only = /** @type {Node} */ (set.values().next().value);
    return only.parentNode === p ? [only] : [];
  }
  /** @type {Node[]} */
  const out = [];
  let remaining = set.size;
  for (let c = p.lastChild; c !== null && remaining > 0; c = c.previousSibling) {
    if (set.has(c)) {
      out.push(c);
      remaining--;
    }
  }
  return out;
}

/**
 * The qualified name of an attribute that no longer exists (only its namespace and local name
 * are known).
 * @param {string | null} ns
 * @param {string} local
 */
function qualify(ns, local) {
  if (ns === XLINK_NS) return 'xlink:' + local;
  if (ns === XML_NS) return 'xml:' + local;
  if (ns === XMLNS_NS) return local === 'xmlns' ? local : 'xmlns:' + local;
  return local;
}

/**
 * An attribute that is never recorded whatever its value (so a change need not be sent).
 * @param {string} name
 * @param {boolean} masked
 */
function isNeverRecorded(name, masked) {
  if (masked && !isAllowedInMasked(name)) return true;
  return isDroppedName(name);
}

/** @param {string} name */
function isDroppedName(name) {
  const c0 = name.charCodeAt(0) | 32;
  if (c0 === 111 /* o */ && (name.charCodeAt(1) | 32) === 110 /* n */) return true; // on*
  switch (name) {
    case 'nonce':
    case 'integrity':
    case 'srcdoc':
    case 'formaction':
    case 'data-cotab-masked':
    case 'data-cotab-blocked':
      return true;
  }
  return false;
}

/**
 * The value an attribute is recorded with, or null when it is not recorded.
 * @param {string} local  the element's local name
 * @param {boolean} frameLike
 * @param {string} name  qualified attribute name
 * @param {string} value
 * @param {boolean} masked
 * @param {string} base  the document's base URL
 * @returns {string | null}
 */
export function attributeValue(local, frameLike, name, value, masked, base) {
  if (masked && !isAllowedInMasked(name)) return null;
  if (isDroppedName(name)) return null;
  if (frameLike && !FRAME_ATTRIBUTES.has(name)) return null;
  if (local === 'meta' && name === 'http-equiv') return null;
  let v = cut(value);
  if (name === 'style') {
    if (UNSAFE_STYLE.test(v)) return null;
    return v.indexOf('url(') >= 0 ? absolutizeCss(v, base) : v;
  }
  if (hasDangerousScheme(v)) return null;
  if (URL_ATTRIBUTES.has(name)) return absolutizeUrl(v, base);
  if (name === 'srcset' || name === 'imagesrcset') return absolutizeSrcset(v, base);
  return v;
}

/**
 * Does the value start (after the characters browsers ignore) with javascript:, vbscript: or
 * data:text/html? Checked on every attribute, not only known URL attributes.
 * @param {string} v
 */
export function hasDangerousScheme(v) {
  const colon = v.indexOf(':');
  if (colon < 0) return false;
  let s = '';
  for (let i = 0; i < v.length && s.length < 14; i++) {
    const c = v.charCodeAt(i);
    if (c > 32) s += v[i];
  }
  s = s.toLowerCase();
  return s.startsWith('javascript:') || s.startsWith('vbscript:') || s.startsWith('data:text/html');
}

/**
 * A URL attribute's value made absolute against the document's base. Fragment-only values
 * (`#id`, used by SVG <use>) and empty values stay as they are.
 * @param {string} v
 * @param {string} base
 */
export function absolutizeUrl(v, base) {
  const t = v.trim();
  if (t === '' || t.charCodeAt(0) === 35 /* # */ || ABSOLUTE_URL.test(t)) return t === '' ? v : t;
  try {
    return new URL(t, base).href;
  } catch {
    return v;
  }
}

/**
 * @param {string} v  a srcset: comma-separated "url descriptor" candidates
 * @param {string} base
 */
export function absolutizeSrcset(v, base) {
  return v
    .split(',')
    .map((part) => {
      const m = /^(\s*)(\S+)([\s\S]*)$/.exec(part);
      return m ? m[1] + absolutizeUrl(m[2], base) + m[3] : part;
    })
    .join(',');
}

/**
 * Every relative url(...) in CSS text made absolute (the viewer must not depend on a <base>).
 * @param {string} css
 * @param {string} base
 */
export function absolutizeCss(css, base) {
  return css.replace(CSS_URL, (whole, _q, url) => {
    const t = String(url).trim();
    if (t === '' || t.charCodeAt(0) === 35 || ABSOLUTE_URL.test(t)) return whole;
    try {
      return `url("${new URL(t, base).href}")`;
    } catch {
      return whole;
    }
  });
}

/**
 * The text of a <style>'s sheet as the browser holds it (CSSOM inserts included), URLs absolute.
 * @param {HTMLStyleElement | SVGStyleElement} el
 * @param {string} base
 */
function styleText(el, base) {
  const sheet = el.sheet;
  let text = '';
  if (sheet) {
    try {
      const rules = sheet.cssRules;
      const parts = new Array(rules.length);
      for (let i = 0; i < rules.length; i++) parts[i] = rules[i].cssText;
      text = parts.join('\n');
    } catch {
      text = el.textContent ?? '';
    }
  } else {
    text = el.textContent ?? '';
  }
  return cssToSend(text, base);
}

/**
 * A style sheet's text as it is sent: '' above MAX_CSS_CHARS, url()s made absolute.
 * @param {string} text
 * @param {string} base
 */
function cssToSend(text, base) {
  if (text.length > MAX_CSS_CHARS) return '';
  return text.indexOf('url(') >= 0 ? absolutizeCss(text, base) : text;
}

/**
 * Cuts a string to mirror_max_string_chars (without splitting a surrogate pair).
 * @param {string} s
 */
function cut(s) {
  const max = APP_LIMITS.mirror_max_string_chars;
  if (s.length <= max) return s;
  const c = s.charCodeAt(max - 1);
  return s.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
}

/** @param {number} x */
function round2(x) {
  return Math.round(x * 100) / 100;
}

/** One MessageChannel for yielding; its port and the waiting slices. */
/** @type {(() => void)[]} */
const tickWaiters = [];
/** @type {MessagePort | null} */
let tickPort = null;

/**
 * Lets the page run (input, rendering, its own tasks) before the next slice: a MessageChannel
 * task, queued behind what the page has queued.
 *
 * Not scheduler.yield(): its continuation is run BEFORE the page's pending tasks, so a sliced
 * snapshot starves the page anyway. Measured in this Chromium (156, headless), 500 ms of 8 ms
 * slices: with scheduler.yield() the page got 4 animation frames and 0 timer callbacks; with a
 * MessageChannel tick 31 frames and 30 timer callbacks (scheduler.postTask 'user-visible': 28 and
 * 25). A snapshot of a large page must not freeze its animations and timers.
 * @returns {Promise<void>}
 */
function yieldToPage() {
  return new Promise((resolve) => {
    if (tickPort === null) {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => tickWaiters.shift()?.();
      tickPort = ch.port2;
    }
    tickWaiters.push(resolve);
    tickPort.postMessage(0);
  });
}
