// The Mirror: applies the customer's mirror stream (shared/protocol/app.md §4) into a sandboxed
// iframe of the agent's viewer. No chrome.*.
//
// Threat: the customer's page — or a modified customer extension or host — is hostile to the
// agent. So the stream is validated record by record and op by op (a bad one is a desync: the
// epoch stops, onDesync asks for a resync; handle() never throws), and it is SANITISED AGAIN here,
// whatever the customer side claims to have removed: no <script>, <noscript>, <base>,
// <meta http-equiv>, no <link> but stylesheets and icons (each replaced by an inert, hidden
// <template> that keeps the id valid), no on* attributes, no javascript:/vbscript:/data:text/html
// values, no srcdoc/formaction, no frame-like element that loads anything, no style with
// javascript: or expression(). Elements are created with createElementNS and text with
// createTextNode; no markup is ever parsed. Everything lands in an iframe with
// sandbox="allow-same-origin" (no scripts, forms, popups, navigation of the top) and a CSP
// (the iframe's csp attribute and a <meta> in its document); its root is inert and clicks,
// submits and keys are cancelled, so links and forms cannot act.
//
// A record's parent may be relative (negative: -k names the record k places back), see
// serializer.js "PARENT REFERENCES".
//
// Each epoch builds into a NEW iframe, hidden until its snapend; the previous epoch's frame stays
// on screen until then (no flash on resync). Parts are applied in time slices (mirror_slice_ms).
// The hidden frame's box has content-visibility:hidden, so it is not laid out while it grows,
// except in layout passes taken while the viewer waits for parts (see _layoutPass).

import { LIMITS as APP_LIMITS } from '../dist/protocol.js';
import { isAllowedLinkRel, UNSAFE_STYLE } from '../common/markup-rules.js';
import { HTML_NS, SVG_NS, MATHML_NS, XLINK_NS, XML_NS, XMLNS_NS } from '../common/namespaces.js';

/** Members of each op, its code included (app.md §4.3); pointer (10) is also `[10]` alone. */
const OP_ARITY = /** @type {Record<number, number>} */ ({ 0: 2, 1: 5, 2: 4, 3: 3, 4: 3, 5: 3, 6: 3, 7: 4, 8: 3, 9: 2, 10: 3 });

/** The policy of the mirror document (also the iframe's csp attribute). */
export const MIRROR_CSP = "default-src 'none'; img-src * data: blob:; style-src * 'unsafe-inline'; font-src * data:; media-src *";
/** Largest viewport side accepted (CSS px). */
const MAX_VIEWPORT_PX = 100000;
/** Longest tag name accepted. */
const MAX_TAG_CHARS = 256;


/** Elements never created (a placeholder takes their id). */
const FORBIDDEN = new Set(['script', 'noscript', 'base', 'portal', 'fencedframe', 'applet']);
/** Elements that could load a document: only these attributes are kept. */
const FRAME_LIKE = new Set(['iframe', 'frame', 'object', 'embed', 'portal', 'fencedframe', 'applet']);
const FRAME_ATTRIBUTES = new Set([
  'id', 'class', 'style', 'width', 'height', 'title', 'name', 'hidden', 'dir', 'lang', 'role',
  'tabindex', 'frameborder', 'scrolling', 'marginwidth', 'marginheight', 'align', 'loading',
]);
/** Attributes never set, whatever the element. */
const DROPPED_ATTRIBUTES = new Set(['srcdoc', 'formaction', 'nonce', 'integrity', 'autoplay', 'ping', 'data-cotab-masked', 'data-cotab-blocked']);
/**
 * Attributes that make an element fetch media (by element: HTML local name, or svg:name), held
 * back while an epoch is built in its hidden frame and set when it is shown (_snapend).
 * @type {ReadonlyMap<string, ReadonlySet<string>>}
 */
const DEFERRED_MEDIA = new Map([
  ['img', new Set(['src', 'srcset'])],
  ['source', new Set(['src', 'srcset'])],
  ['input', new Set(['src'])],
  ['video', new Set(['src', 'poster'])],
  ['audio', new Set(['src'])],
  ['svg:image', new Set(['href', 'xlink:href'])],
  ['svg:feimage', new Set(['href', 'xlink:href'])],
]);
/**
 * Elements an epoch being built must have before a layout pass is worth a frame: below, laying
 * the whole page out in the first frame after snapend is short (about 0.2-0.3 s at 10k elements
 * on the 2-core development machine) and a pass mostly delays the parts behind it
 * (tools/bench-mirror, time to first mirror at 10k: 0.45 s without passes, 0.56 s with passes
 * from 2,000 elements; at 50k passes save about 0.3 s).
 */
const LAYOUT_PASS_MIN_ELEMENTS = 16000;
/** How long held-back media wait for an idle viewer after their epoch's first frame at most, ms. */
const MEDIA_IDLE_TIMEOUT_MS = 500;
/** Held-back media attributes set per idle period. */
const MEDIA_PER_IDLE = 256;
const SVG_ANIMATIONS = new Set(['animate', 'set', 'animatemotion', 'animatetransform', 'discard']);
const DISPLAY_VALUE = /^[a-z-]+( [a-z-]+){0,2}$/;
/** Events cancelled in the mirror (capture, on its window). */
const INERT_EVENTS = ['click', 'auxclick', 'dblclick', 'mousedown', 'pointerdown', 'submit', 'keydown', 'keypress', 'beforeinput', 'dragstart', 'drop', 'paste', 'contextmenu'];
/** The mirror's own decoration: marks for masked and blocked elements (not in the DOM). */
const DECORATION_CSS = `[data-cotab-masked]:not([data-cotab-masked] [data-cotab-masked]){outline:1px dashed rgba(110,110,130,.55)!important;outline-offset:-1px!important}
[data-cotab-blocked]{background:repeating-linear-gradient(45deg,#d9d9de 0 6px,#f2f2f5 6px 12px)!important;box-sizing:border-box!important;overflow:hidden!important}`;

/**
 * @typedef {'empty' | 'loading' | 'live' | 'desync'} MirrorPhase
 * @typedef {{phase: MirrorPhase, received: number, total: number}} MirrorState  received: elements of
 *   the snapshot applied so far; total: snap.total (the customer's element count, an estimate)
 * @typedef {object} MirrorOptions
 * @property {HTMLElement} host  the iframes go in here (the viewer positions and scales it)
 * @property {(s: MirrorState) => void} [onState]
 * @property {(why: string) => void} [onDesync]  the epoch stopped: ask for a resync
 * @property {(p: {x: number, y: number} | null) => void} [onPointer]  the customer's pointer (null: left the page)
 * @property {(w: number, h: number) => void} [onViewport]  the customer's viewport size (CSS px)
 */

/** Thrown inside the mirror for a bad record or op; caught by handle(). */
class Desync extends Error {}

/**
 * @typedef {object} Epoch  one snapshot and its batches, in its own iframe
 * @property {number} e
 * @property {HTMLIFrameElement} frame
 * @property {HTMLDivElement} box  the frame's box (content-visibility:hidden while the epoch is built)
 * @property {number} laidOut  elements applied at the last layout pass
 * @property {boolean} passing  a layout pass is under way
 * @property {Document | null} doc  set when the frame has loaded
 * @property {Map<number, Node>} nodes  id → node
 * @property {WeakMap<Node, number>} idOf  node → id
 * @property {unknown[]} queue  messages waiting (parts, snapend, batches)
 * @property {number} partIndex  records of queue[0] (a part) already applied
 * @property {number} received  snapshot records applied
 * @property {number} elements  snapshot element records applied (progress: snap.total counts elements)
 * @property {number} total
 * @property {number} maxId
 * @property {boolean} live  snapend applied
 * @property {boolean} dead  desynced or replaced
 * @property {boolean} scheduled  a continuation of the pump is queued
 * @property {Array<[Element, Record<string, unknown> | null]>} fields  field state to apply once the nodes stand
 * @property {Array<[Element, number, number]>} scrolls  element scroll offsets to apply at snapend
 * @property {Array<[Element, string, string, string, string]>} media  media URL attributes held back while the epoch is built: [el, local name, ns, attribute, value]
 * @property {number} sx
 * @property {number} sy
 * @property {number} vw
 * @property {number} vh
 * @property {WeakSet<Element>} opaque  placeholders of forbidden elements and blocked boxes (no attributes, no state)
 * @property {HTMLElement | null} base  the mirror's own <base>
 * @property {HTMLElement | null} cspMeta  the mirror's own CSP <meta>
 * @property {string} baseHref
 */

export class Mirror {
  /** @param {MirrorOptions} opts */
  constructor(opts) {
    this._host = opts.host;
    this._onState = opts.onState;
    this._onDesync = opts.onDesync;
    this._onPointer = opts.onPointer;
    this._onViewport = opts.onViewport;
    /** @type {Epoch | null} the epoch on screen */
    this._live = null;
    /** @type {Epoch | null} the epoch being built (hidden) */
    this._loading = null;
    /** @type {MirrorPhase} */
    this._phase = 'empty';
    /** Messages dropped: unknown kind, other epoch, malformed envelope. */
    this.dropped = 0;
    /** Layout passes taken while epochs were built (_layoutPass). */
    this.layoutPasses = 0;
    /** @type {(() => void)[]} */
    this._idleWaiters = [];
    /** @type {MessagePort | null} */
    this._tick = null;
    /** @type {Epoch[]} */
    this._tickQueue = [];
  }

  /** The iframe currently shown (data-testid="mirror"), or null. */
  get frame() {
    return this._live ? this._live.frame : null;
  }

  /** The current phase. */
  get phase() {
    return this._phase;
  }

  /** The epoch on screen (the one the agent's tools name nodes in), or null. */
  get epoch() {
    return this._live ? this._live.e : null;
  }

  /** The document of the epoch on screen, or null. The agent's tools read it (hit testing,
   * boxes, scroll positions); nothing may run in it or change it but the Mirror. */
  get document() {
    return this._live ? this._live.doc : null;
  }

  /**
   * The id of a node of the epoch on screen, or null (not mirrored: another epoch, or the
   * mirror's own <base>/<meta>).
   * @param {Node} node
   * @returns {number | null}
   */
  idOf(node) {
    const id = this._live ? this._live.idOf.get(node) : undefined;
    return id === undefined ? null : id;
  }

  /**
   * The node with this id in the epoch on screen, or null.
   * @param {number} id
   * @returns {Node | null}
   */
  nodeOf(id) {
    return (this._live && this._live.nodes.get(id)) ?? null;
  }

  /**
   * Resolves when every message handled so far has been applied (or dropped). For tests.
   * @returns {Promise<void>}
   */
  settled() {
    if (this._isIdle()) return Promise.resolve();
    return new Promise((resolve) => this._idleWaiters.push(resolve));
  }

  /**
   * Apply one app message of kind snap | part | snapend | m. Validates everything; never throws
   * on bad input (the epoch desyncs instead).
   * @param {unknown} msg
   */
  handle(msg) {
    /** @type {Epoch | null} */
    let ep = null;
    try {
      if (!isPlainObject(msg) || typeof msg.k !== 'string') {
        this.dropped++;
        return;
      }
      switch (msg.k) {
        case 'snap':
          this._snap(msg);
          return;
        case 'part':
        case 'snapend':
        case 'm': {
          ep = this._loading ?? this._live;
          if (!ep || ep.dead || msg.e !== ep.e) {
            this.dropped++;
            return;
          }
          ep.queue.push(msg);
          this._pump(ep);
          return;
        }
        default:
          this.dropped++;
      }
    } catch (err) {
      this._desync(ep, err instanceof Desync ? err.message : `internal: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this._notifyIdle();
    }
  }

  /** Drop the mirror (the session ended). */
  reset() {
    for (const ep of [this._live, this._loading]) {
      if (!ep) continue;
      ep.dead = true;
      ep.box.remove();
    }
    this._live = null;
    this._loading = null;
    this._setPhase('empty', 0, 0);
    this._notifyIdle();
  }

  // ---------------------------------------------------------------------------------------------

  /** @param {Record<string, unknown>} msg */
  _snap(msg) {
    const e = msg.e;
    const vw = msg.vw;
    const vh = msg.vh;
    const doctype = msg.doctype;
    if (
      !isId(e) ||
      typeof msg.url !== 'string' ||
      typeof msg.title !== 'string' ||
      typeof msg.base !== 'string' ||
      !(doctype === null || (isPlainObject(doctype) && typeof doctype.name === 'string')) ||
      !isSize(vw) ||
      !isSize(vh) ||
      !isFinite(msg.sx) ||
      !isFinite(msg.sy) ||
      !isId(msg.total)
    ) {
      throw new Desync('bad snap');
    }
    if (this._loading) {
      this._loading.dead = true;
      this._loading.box.remove();
      this._loading = null;
    }
    const hostDoc = this._host.ownerDocument;
    const frame = hostDoc.createElement('iframe');
    frame.setAttribute('sandbox', 'allow-same-origin');
    frame.setAttribute('csp', MIRROR_CSP);
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    frame.style.cssText = `position:absolute;left:0;top:0;border:0;margin:0;padding:0;background:#fff;width:${vw}px;height:${vh}px`;
    // Never moved out of its box: moving an iframe reloads it. The box is hidden (not painted,
    // not hit by the pointer) and not laid out while the epoch is built.
    const box = hostDoc.createElement('div');
    box.style.cssText = `position:absolute;left:0;top:0;margin:0;padding:0;width:${vw}px;height:${vh}px;visibility:hidden;content-visibility:hidden`;
    box.appendChild(frame);
    // No srcdoc for a quirks-mode page: about:blank is in quirks mode, srcdoc documents never are.
    if (doctype === null) frame.src = 'about:blank';
    else frame.srcdoc = '<!DOCTYPE html>';
    /** @type {Epoch} */
    const ep = {
      e,
      frame,
      box,
      laidOut: 0,
      passing: false,
      doc: null,
      nodes: new Map(),
      idOf: new WeakMap(),
      queue: [],
      partIndex: 0,
      received: 0,
      elements: 0,
      total: /** @type {number} */ (msg.total),
      maxId: 0,
      live: false,
      dead: false,
      scheduled: false,
      fields: [],
      scrolls: [],
      media: [],
      opaque: new WeakSet(),
      sx: /** @type {number} */ (msg.sx),
      sy: /** @type {number} */ (msg.sy),
      vw,
      vh,
      base: null,
      cspMeta: null,
      baseHref: safeBase(msg.base),
    };
    frame.addEventListener(
      'load',
      () => {
        try {
          if (ep.dead || ep.doc) return;
          this._initDocument(ep);
          this._pump(ep);
        } catch (err) {
          this._desync(ep, err instanceof Desync ? err.message : `internal: ${err instanceof Error ? err.message : String(err)}`);
        } finally {
          this._notifyIdle();
        }
      },
      { once: true },
    );
    this._loading = ep;
    this._host.appendChild(box);
    this._setPhase('loading', 0, ep.total);
    this._safeCall(() => this._onViewport?.(vw, vh));
  }

  /** @param {Epoch} ep */
  _initDocument(ep) {
    const doc = ep.frame.contentDocument;
    const win = ep.frame.contentWindow;
    if (!doc || !win) throw new Desync('mirror frame has no document');
    ep.doc = doc;
    // The policy applies from now on, even after the root is replaced by the snapshot's.
    const meta = doc.createElement('meta');
    meta.setAttribute('http-equiv', 'Content-Security-Policy');
    meta.setAttribute('content', MIRROR_CSP);
    (doc.head ?? doc.documentElement ?? doc).appendChild(meta);
    // Requests for the customer's images and styles do not reveal the viewer's URL.
    const referrer = doc.createElement('meta');
    referrer.setAttribute('name', 'referrer');
    referrer.setAttribute('content', 'no-referrer');
    (doc.head ?? doc.documentElement ?? doc).appendChild(referrer);
    const own = doc.createElement('meta');
    own.setAttribute('http-equiv', 'Content-Security-Policy');
    own.setAttribute('content', MIRROR_CSP);
    ep.cspMeta = own;
    const base = doc.createElement('base');
    if (ep.baseHref) base.setAttribute('href', ep.baseHref);
    ep.base = base;
    for (const type of INERT_EVENTS) {
      win.addEventListener(
        type,
        (event) => {
          event.preventDefault();
          event.stopImmediatePropagation();
        },
        { capture: true },
      );
    }
    try {
      const SheetInFrame = /** @type {typeof CSSStyleSheet} */ (Reflect.get(win, 'CSSStyleSheet'));
      const sheet = new SheetInFrame();
      sheet.replaceSync(DECORATION_CSS);
      doc.adoptedStyleSheets = [sheet];
    } catch {
      // decoration only
    }
  }

  /**
   * Applies queued messages until the queue is empty or the slice is used up.
   * @param {Epoch} ep
   */
  _pump(ep) {
    if (ep.dead || !ep.doc || ep.scheduled) return;
    const deadline = performance.now() + APP_LIMITS.mirror_slice_ms;
    try {
      while (ep.queue.length > 0 && !ep.dead) {
        const msg = /** @type {Record<string, unknown>} */ (ep.queue[0]);
        if (msg.k === 'part') {
          if (!this._applyPart(ep, msg, deadline)) {
            this._continueLater(ep);
            return;
          }
        } else if (msg.k === 'snapend') {
          this._snapend(ep, msg);
        } else {
          if (!ep.live) throw new Desync('batch before snapend');
          this._applyBatch(ep, msg);
        }
        ep.queue.shift();
        ep.partIndex = 0;
        if (!ep.live) this._setPhase('loading', ep.elements, ep.total);
        if (ep.queue.length > 0 && performance.now() >= deadline && !ep.live) {
          this._continueLater(ep);
          return;
        }
      }
      if (!ep.live) this._layoutPass(ep);
    } catch (err) {
      this._desync(ep, err instanceof Desync ? err.message : `internal: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * The epoch being built has used every part that came and waits for the next: let the next
   * frame lay out what it has (its box unlocked for that frame, locked again after it), so that
   * this layout is not left to the first frame after snapend. Still hidden by the box's
   * visibility. Taken each time the elements have doubled since the last pass: a layout
   * is incremental for most content but not for all (a growing table is laid out whole), so the
   * passes add at most about one final layout's work, in time the viewer would spend waiting.
   * tools/bench-mirror (time to first mirror) measures it.
   * @param {Epoch} ep
   */
  _layoutPass(ep) {
    if (ep.live || ep.dead || ep.passing || !ep.doc) return;
    if (ep.elements < LAYOUT_PASS_MIN_ELEMENTS || ep.elements < ep.laidOut * 2) return;
    const win = this._host.ownerDocument.defaultView;
    if (!win || win.document.visibilityState === 'hidden') return;
    ep.passing = true;
    ep.laidOut = ep.elements;
    this.layoutPasses++;
    ep.box.style.contentVisibility = 'visible';
    // rAF callbacks run before the frame's layout; a task queued from them runs after it.
    win.requestAnimationFrame(() =>
      win.setTimeout(() => {
        ep.passing = false;
        if (!ep.live && !ep.dead) ep.box.style.contentVisibility = 'hidden';
      }, 0),
    );
  }

  /** @param {Epoch} ep */
  _continueLater(ep) {
    ep.scheduled = true;
    if (!this._tick) {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        const next = this._tickQueue.shift();
        if (!next) return;
        next.scheduled = false;
        this._pump(next);
        this._notifyIdle();
      };
      this._tick = ch.port2;
    }
    this._tickQueue.push(ep);
    this._tick.postMessage(0);
  }

  /**
   * @param {Epoch} ep
   * @param {Record<string, unknown>} msg
   * @param {number} deadline
   * @returns {boolean} the part is done
   */
  _applyPart(ep, msg, deadline) {
    const records = msg.n;
    const first = msg.first;
    if (!Array.isArray(records) || !isId(first)) throw new Desync('bad part');
    if (first !== ep.received + 1 && ep.partIndex === 0) throw new Desync('part out of order');
    for (let i = ep.partIndex; i < records.length; i++) {
      if ((i & 31) === 31 && performance.now() >= deadline) {
        ep.partIndex = i;
        this._setPhase('loading', ep.elements, ep.total);
        return false;
      }
      const id = first + i;
      const { node, parent } = this._create(ep, records[i], id, null);
      if (parent === ep.doc) this._setRoot(ep, /** @type {Element} */ (node));
      else parent.appendChild(node);
      this._afterAppend(ep, node);
      ep.received++;
      if (node.nodeType === 1) ep.elements++;
    }
    return true;
  }

  /**
   * @param {Epoch} ep
   * @param {Record<string, unknown>} msg
   */
  _snapend(ep, msg) {
    if (msg.count !== ep.received) throw new Desync('snapend count mismatch');
    const doc = /** @type {Document} */ (ep.doc);
    if (ep.base && !ep.base.isConnected) {
      // No <head> came: keep the base in the document anyway.
      const root = doc.documentElement;
      if (root) root.insertBefore(ep.base, root.firstChild);
    }
    // Shown now, in the same task as the previous frame goes, so there is no flash; scrolling
    // needs the layout. What the layout passes laid out is not laid out again.
    ep.box.style.contentVisibility = 'visible';
    ep.box.style.removeProperty('visibility');
    this._scheduleMedia(ep);
    this._applyFields(ep);
    for (const [el, x, y] of ep.scrolls) el.scrollTo(x, y);
    ep.scrolls = [];
    ep.frame.contentWindow?.scrollTo(ep.sx, ep.sy);
    ep.live = true;
    // Swap: the new frame shows, the previous one goes.
    const previous = this._live;
    if (previous && previous !== ep) {
      previous.dead = true;
      previous.box.remove();
    }
    ep.frame.setAttribute('data-testid', 'mirror');
    this._live = ep;
    if (this._loading === ep) this._loading = null;
    this._setPhase('live', ep.elements, ep.total);
  }

  /**
   * The media held back while the epoch was built (DEFERRED_MEDIA) are set after its first frame
   * is drawn, a few at a time when the viewer is idle, those near the viewport first. Fetched
   * during the build, every image's response (an SVG image is a whole document parsed on this
   * thread) was interleaved with the build's slices and then with the first layout: at 100k
   * elements most of the viewer's main thread until the first mirror. All at once after it, they
   * kept the thread (which every extension page shares: popup, consent window) busy for seconds.
   * So the agent sees the laid-out page first and its images as they arrive, as a browser shows
   * a page. An attribute op on an element sets its held media first; settled() waits for all.
   * @param {Epoch} ep
   */
  _scheduleMedia(ep) {
    if (ep.media.length === 0) return;
    const win = this._host.ownerDocument.defaultView;
    if (!win || win.document.visibilityState === 'hidden') {
      this._releaseMedia(ep, Infinity); // no frame is coming soon: nobody is looking
      return;
    }
    let ordered = false;
    const step = () => {
      if (!ep.dead && !ordered) {
        ordered = true;
        nearViewportFirst(ep);
      }
      this._releaseMedia(ep, MEDIA_PER_IDLE);
      if (!ep.dead && ep.media.length > 0) win.requestIdleCallback(step, { timeout: MEDIA_IDLE_TIMEOUT_MS });
      else this._notifyIdle();
    };
    // From the frame's animation-frame callbacks: once the viewer is idle after drawing it (or
    // MEDIA_IDLE_TIMEOUT_MS later at the latest, on a busy viewer).
    win.requestAnimationFrame(() => win.requestIdleCallback(step, { timeout: MEDIA_IDLE_TIMEOUT_MS }));
  }

  /**
   * Sets up to `max` held media attributes, in order.
   * @param {Epoch} ep
   * @param {number} max
   */
  _releaseMedia(ep, max) {
    if (ep.dead || ep.media.length === 0) return;
    const now = ep.media.splice(0, Math.min(max, ep.media.length));
    for (const [el, lower, ns, name, value] of now) setSafeAttribute(el, lower, ns, name, value, false);
  }

  /**
   * Sets the held media attributes of `el` (an attribute op on it follows).
   * @param {Epoch} ep
   * @param {Element} el
   */
  _releaseMediaOf(ep, el) {
    /** @type {Epoch['media']} */
    const rest = [];
    for (const m of ep.media) {
      if (m[0] === el) setSafeAttribute(el, m[1], m[2], m[3], m[4], false);
      else rest.push(m);
    }
    ep.media = rest;
  }

  // ---------------------------------------------------------------------------------------------
  // Records

  /**
   * Creates the node of one record (not yet inserted) and registers its id.
   * @param {Epoch} ep
   * @param {unknown} rec
   * @param {number} id
   * @param {{first: number, index: number} | null} within  an insert op's range (parents must be in it)
   * @returns {{node: Node, parent: Node}}
   */
  _create(ep, rec, id, within) {
    if (!Array.isArray(rec) || rec.length < 2) throw new Desync('bad record');
    const ref = rec[0];
    const tag = rec[1];
    if (typeof ref !== 'number' || !Number.isInteger(ref) || typeof tag !== 'string') throw new Desync('bad record');
    // A negative parent is relative: -k names the record k places back.
    const p = ref < 0 ? id + ref : ref;
    // A relative reference names a node, never the document (that is only ever 0 itself).
    if (!isId(p) || p >= id || (ref < 0 && p === 0)) throw new Desync('bad parent reference');
    if (within && (p < within.first || p >= within.first + within.index)) throw new Desync('record outside its subtree');
    if (id <= ep.maxId && id !== 0) throw new Desync('id reused');
    const doc = /** @type {Document} */ (ep.doc);
    const parent = p === 0 ? doc : ep.nodes.get(p);
    if (!parent) throw new Desync(`unknown parent ${p}`);
    if (parent !== doc && parent.nodeType !== 1) throw new Desync('parent is not an element');
    /** @type {Node} */
    let node;
    if (tag === '#t') {
      if (typeof rec[2] !== 'string') throw new Desync('bad text record');
      if (parent === doc) throw new Desync('text at document level');
      node = doc.createTextNode(rec[2]);
    } else {
      const attrs = rec[2];
      const props = rec[3];
      if (!(attrs === undefined || attrs === 0 || isPlainObject(attrs))) throw new Desync('bad attributes');
      if (!(props === undefined || isPlainObject(props))) throw new Desync('bad props');
      node = this._element(ep, tag, attrs === 0 ? undefined : attrs, props, parent === doc);
    }
    ep.nodes.set(id, node);
    ep.idOf.set(node, id);
    ep.maxId = id;
    return { node, parent };
  }

  /**
   * @param {Epoch} ep
   * @param {string} tag
   * @param {Record<string, unknown> | undefined} attrs
   * @param {Record<string, unknown> | undefined} props
   * @param {boolean} isRoot
   * @returns {Element}
   */
  _element(ep, tag, attrs, props, isRoot) {
    const doc = /** @type {Document} */ (ep.doc);
    if (tag.length === 0 || tag.length > MAX_TAG_CHARS) throw new Desync('bad tag');
    let ns = HTML_NS;
    let local = tag;
    if (tag.startsWith('svg:')) {
      ns = SVG_NS;
      local = tag.slice(4);
    } else if (tag.startsWith('math:')) {
      ns = MATHML_NS;
      local = tag.slice(5);
    }
    const lower = local.toLowerCase();
    if (ns === HTML_NS) local = lower;
    if (attrs) {
      for (const key in attrs) {
        const v = attrs[key];
        if (typeof v !== 'string') throw new Desync('bad attribute value');
      }
    }
    const blocked = props !== undefined && props.block === 1;
    if (isRoot && (ns !== HTML_NS || lower !== 'html')) {
      // The document's root may be anything in the DOM, but keep it an <html> we control.
      ns = HTML_NS;
      local = 'html';
    }
    if (FORBIDDEN.has(lower) || isForbiddenByAttributes(lower, ns, attrs)) return placeholder(ep, doc);
    /** @type {Element} */
    let el;
    try {
      el = doc.createElementNS(ns, local);
    } catch {
      return placeholder(ep, doc);
    }
    if (blocked) {
      ep.opaque.add(el);
      const w = props.w;
      const h = props.h;
      const d = props.d;
      el.setAttribute('data-cotab-blocked', '');
      const style = /** @type {HTMLElement} */ (el).style;
      if (style) {
        if (typeof d === 'string' && DISPLAY_VALUE.test(d)) style.setProperty('display', d === 'inline' ? 'inline-block' : d);
        if (isFinite(w) && w >= 0) style.setProperty('width', `${w}px`);
        if (isFinite(h) && h >= 0) style.setProperty('height', `${h}px`);
      }
      return el;
    }
    if (attrs) {
      const held = ep.live ? undefined : DEFERRED_MEDIA.get(ns === SVG_NS ? `svg:${lower}` : ns === HTML_NS ? lower : '');
      for (const name in attrs) {
        const value = /** @type {string} */ (attrs[name]);
        if (held !== undefined && held.has(name.toLowerCase())) ep.media.push([el, lower, ns, name, value]);
        else setSafeAttribute(el, lower, ns, name, value, isRoot);
      }
    }
    if (isRoot) /** @type {HTMLElement} */ (el).inert = true;
    if (props) {
      if (props.mask === 1) el.setAttribute('data-cotab-masked', '');
      const css = props.css;
      if (css !== undefined) {
        if (typeof css !== 'string') throw new Desync('bad css');
        if (lower === 'style') el.textContent = css;
      }
      const sx = props.sx ?? 0;
      const sy = props.sy ?? 0;
      if (!isFinite(sx) || !isFinite(sy)) throw new Desync('bad scroll');
      if (sx !== 0 || sy !== 0) ep.scrolls.push([el, sx, sy]);
      checkFieldProps(props);
    }
    if (ns === HTML_NS && (lower === 'input' || lower === 'textarea' || lower === 'select' || lower === 'option')) {
      ep.fields.push([el, props ?? null]);
    }
    return el;
  }

  /**
   * After a node was put in the tree: the mirror's own <base>/<meta> go first in the head.
   * @param {Epoch} ep
   * @param {Node} node
   */
  _afterAppend(ep, node) {
    if (node.nodeType !== 1) return;
    const el = /** @type {Element} */ (node);
    if (el.localName === 'head' && el.namespaceURI === HTML_NS && el.parentNode === ep.doc?.documentElement) {
      if (ep.base && ep.cspMeta) {
        el.insertBefore(ep.base, el.firstChild);
        el.insertBefore(ep.cspMeta, ep.base);
      }
    }
  }

  /**
   * The record of the document's root: it replaces the current root.
   * @param {Epoch} ep
   * @param {Element} root
   */
  _setRoot(ep, root) {
    const doc = /** @type {Document} */ (ep.doc);
    const old = doc.documentElement;
    if (old) doc.replaceChild(root, old);
    else doc.appendChild(root);
  }

  /**
   * Field state (value, checked, selected) once the elements stand in the tree: first values,
   * then every unselected/unchecked state, then the selected/checked ones (so that a radio group
   * or a single select ends as recorded, whatever attributes said).
   * @param {Epoch} ep
   */
  _applyFields(ep) {
    const fields = ep.fields;
    ep.fields = [];
    for (const [el, props] of fields) {
      const v = props?.v;
      if (typeof v !== 'string') continue;
      const local = el.localName;
      try {
        if (local === 'select') {
          const select = /** @type {HTMLSelectElement} */ (el);
          if (v === '') select.selectedIndex = -1;
          else select.value = v;
        } else if (local === 'input' || local === 'textarea') {
          /** @type {HTMLInputElement} */ (el).value = v;
        }
      } catch {
        // e.g. a file input
      }
    }
    for (const pass of [false, true]) {
      for (const [el, props] of fields) {
        const local = el.localName;
        if (local === 'option') {
          const s = props?.s === true;
          if (s === pass) /** @type {HTMLOptionElement} */ (el).selected = s;
        } else if (local === 'input') {
          const input = /** @type {HTMLInputElement} */ (el);
          if (input.type !== 'checkbox' && input.type !== 'radio') continue;
          const c = props?.c === true;
          if (c === pass) input.checked = c;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Batches

  /**
   * @param {Epoch} ep
   * @param {Record<string, unknown>} msg
   */
  _applyBatch(ep, msg) {
    const ops = msg.ops;
    if (!Array.isArray(ops)) throw new Desync('bad batch');
    for (const op of ops) {
      if (!Array.isArray(op) || op.length === 0) throw new Desync('bad op');
      const code = op[0];
      // Exact arity (app.md §4.3): an op with a member more or less is not one we know.
      const arity = OP_ARITY[code];
      if (arity !== undefined && op.length !== arity && !(code === 10 && op.length === 1)) throw new Desync(`bad op ${code} length`);
      switch (code) {
        case 0:
          this._opRemove(ep, op);
          break;
        case 1:
          this._opInsert(ep, op);
          break;
        case 2:
          this._opMove(ep, op);
          break;
        case 3:
          this._opAttrs(ep, op);
          break;
        case 4: {
          const node = this._node(ep, op[1]);
          if (node.nodeType !== 3 || typeof op[2] !== 'string') throw new Desync('bad text op');
          /** @type {Text} */ (node).data = op[2];
          break;
        }
        case 5:
          this._opProps(ep, op);
          break;
        case 6: {
          const node = this._node(ep, op[1]);
          if (node.nodeType !== 1 || /** @type {Element} */ (node).localName !== 'style' || typeof op[2] !== 'string') {
            throw new Desync('bad css op');
          }
          node.textContent = op[2];
          break;
        }
        case 7: {
          const id = op[1];
          const x = op[2];
          const y = op[3];
          if (!isFinite(x) || !isFinite(y)) throw new Desync('bad scroll op');
          if (id === 0) {
            ep.frame.contentWindow?.scrollTo(x, y);
          } else {
            const node = this._node(ep, id);
            if (node.nodeType !== 1) throw new Desync('scroll of a non-element');
            /** @type {Element} */ (node).scrollTo(x, y);
          }
          break;
        }
        case 8: {
          const w = op[1];
          const h = op[2];
          if (!isSize(w) || !isSize(h)) throw new Desync('bad viewport op');
          ep.vw = w;
          ep.vh = h;
          ep.frame.style.width = `${w}px`;
          ep.frame.style.height = `${h}px`;
          ep.box.style.width = `${w}px`;
          ep.box.style.height = `${h}px`;
          this._safeCall(() => this._onViewport?.(w, h));
          break;
        }
        case 9:
          if (op[1] !== 0) this._node(ep, op[1]);
          break;
        case 10:
          if (op.length === 1) {
            this._safeCall(() => this._onPointer?.(null));
          } else {
            const x = op[1];
            const y = op[2];
            if (!isFinite(x) || !isFinite(y)) throw new Desync('bad pointer op');
            this._safeCall(() => this._onPointer?.({ x, y }));
          }
          break;
        default:
          throw new Desync(`unknown op ${typeof code === 'number' ? code : typeof code}`);
      }
    }
    this._applyFields(ep);
  }

  /**
   * @param {Epoch} ep
   * @param {unknown} id
   * @returns {Node}
   */
  _node(ep, id) {
    if (!isId(id) || id === 0) throw new Desync('bad id');
    const node = ep.nodes.get(id);
    if (!node) throw new Desync(`unknown id ${id}`);
    return node;
  }

  /**
   * A parent named by an op: the document (0) or an element.
   * @param {Epoch} ep
   * @param {unknown} id
   * @returns {Node}
   */
  _parent(ep, id) {
    if (id === 0) return /** @type {Document} */ (ep.doc);
    const node = this._node(ep, id);
    if (node.nodeType !== 1) throw new Desync('parent is not an element');
    return node;
  }

  /**
   * `before` of an insert or move: null, or a child of parent.
   * @param {Epoch} ep
   * @param {unknown} id
   * @param {Node} parent
   * @returns {Node | null}
   */
  _before(ep, id, parent) {
    if (id === null) return null;
    const node = this._node(ep, id);
    if (node.parentNode !== parent) throw new Desync('before is not a child of parent');
    return node;
  }

  /**
   * @param {Epoch} ep
   * @param {unknown[]} op
   */
  _opRemove(ep, op) {
    const node = this._node(ep, op[1]);
    node.parentNode?.removeChild(node);
    this._forget(ep, node);
  }

  /**
   * @param {Epoch} ep
   * @param {unknown[]} op
   */
  _opInsert(ep, op) {
    const parent = this._parent(ep, op[1]);
    const before = this._before(ep, op[2], parent);
    const first = op[3];
    const records = op[4];
    if (!isId(first) || first === 0 || first <= ep.maxId || !Array.isArray(records) || records.length === 0) {
      throw new Desync('bad insert op');
    }
    if (first + records.length > Number.MAX_SAFE_INTEGER) throw new Desync('bad insert op');
    const rootRec = records[0];
    if (!Array.isArray(rootRec) || rootRec[0] !== op[1]) throw new Desync('insert root not under its parent');
    const { node: root } = this._create(ep, rootRec, first, null);
    for (let i = 1; i < records.length; i++) {
      const { node, parent: p } = this._create(ep, records[i], first + i, { first, index: i });
      p.appendChild(node);
    }
    if (parent === ep.doc) {
      if (root.nodeType !== 1) throw new Desync('text at document level');
      this._setRoot(ep, /** @type {Element} */ (root));
      this._keepBase(ep);
    } else {
      parent.insertBefore(root, before);
      this._afterAppendTree(ep, root);
    }
  }

  /**
   * @param {Epoch} ep
   * @param {unknown[]} op
   */
  _opMove(ep, op) {
    const node = this._node(ep, op[1]);
    const parent = this._parent(ep, op[2]);
    const before = this._before(ep, op[3], parent);
    if (before === node) throw new Desync('move before itself');
    if (node.contains(parent)) throw new Desync('move into own subtree');
    if (parent === ep.doc) {
      if (node.nodeType !== 1) throw new Desync('text at document level');
      this._setRoot(ep, /** @type {Element} */ (node));
      this._keepBase(ep);
      return;
    }
    parent.insertBefore(node, before);
  }

  /**
   * @param {Epoch} ep
   * @param {unknown[]} op
   */
  _opAttrs(ep, op) {
    const node = this._node(ep, op[1]);
    const change = op[2];
    if (node.nodeType !== 1 || !isPlainObject(change)) throw new Desync('bad attrs op');
    const el = /** @type {Element} */ (node);
    if (ep.media.length > 0) this._releaseMediaOf(ep, el);
    if (ep.opaque.has(el)) {
      for (const name in change) {
        const v = change[name];
        if (v !== null && typeof v !== 'string') throw new Desync('bad attribute value');
      }
      return; // a placeholder or a blocked box has no attributes
    }
    const lower = el.localName.toLowerCase();
    const ns = el.namespaceURI ?? HTML_NS;
    const isRoot = el === ep.doc?.documentElement;
    for (const name in change) {
      const v = change[name];
      if (v === null) {
        removeSafeAttribute(el, lower, name, isRoot);
      } else if (typeof v === 'string') {
        setSafeAttribute(el, lower, ns, name, v, isRoot);
      } else {
        throw new Desync('bad attribute value');
      }
    }
  }

  /**
   * @param {Epoch} ep
   * @param {unknown[]} op
   */
  _opProps(ep, op) {
    const node = this._node(ep, op[1]);
    const props = op[2];
    if (node.nodeType !== 1 || !isPlainObject(props)) throw new Desync('bad props op');
    checkFieldProps(props);
    const el = /** @type {Element} */ (node);
    const local = el.localName;
    if (el.namespaceURI !== HTML_NS || ep.opaque.has(el)) return;
    if (typeof props.v === 'string' && (local === 'input' || local === 'textarea' || local === 'select')) {
      ep.fields.push([el, { v: props.v }]);
    }
    if (typeof props.c === 'boolean' && local === 'input') {
      if (props.c) ep.fields.push([el, { c: true }]);
      else /** @type {HTMLInputElement} */ (el).checked = false;
    }
    if (typeof props.s === 'boolean' && local === 'option') {
      if (props.s) ep.fields.push([el, { s: true }]);
      else /** @type {HTMLOptionElement} */ (el).selected = false;
    }
  }

  /**
   * After an insert at the document level, the mirror's own <base>/<meta> stay in the document.
   * @param {Epoch} ep
   */
  _keepBase(ep) {
    const doc = /** @type {Document} */ (ep.doc);
    const root = doc.documentElement;
    if (!root || !ep.base || !ep.cspMeta) return;
    const head = root.firstElementChild?.localName === 'head' ? root.firstElementChild : null;
    const target = head ?? root;
    target.insertBefore(ep.base, target.firstChild);
    target.insertBefore(ep.cspMeta, ep.base);
  }

  /**
   * @param {Epoch} ep
   * @param {Node} root  an inserted subtree
   */
  _afterAppendTree(ep, root) {
    if (root.nodeType === 1 && /** @type {Element} */ (root).localName === 'head') this._afterAppend(ep, root);
  }

  /**
   * Forgets the ids of a removed subtree.
   * @param {Epoch} ep
   * @param {Node} node
   */
  _forget(ep, node) {
    /** @type {Node | null} */
    let cur = node;
    while (cur !== null) {
      const id = ep.idOf.get(cur);
      if (id !== undefined) {
        ep.nodes.delete(id);
        ep.idOf.delete(cur);
      }
      if (cur.firstChild !== null) {
        cur = cur.firstChild;
        continue;
      }
      while (cur !== null && cur !== node && cur.nextSibling === null) cur = cur.parentNode;
      if (cur === null || cur === node) break;
      cur = cur.nextSibling;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * @param {Epoch | null} ep
   * @param {string} why
   */
  _desync(ep, why) {
    const target = ep ?? this._loading ?? this._live;
    if (target) {
      if (target.dead) return;
      target.dead = true;
      target.queue = [];
      if (target !== this._live) {
        // A snapshot that never completed: its hidden frame goes; the previous one stays.
        target.box.remove();
        if (this._loading === target) this._loading = null;
      }
    }
    this._setPhase('desync', target?.elements ?? 0, target?.total ?? 0);
    this._safeCall(() => this._onDesync?.(why));
  }

  /**
   * @param {MirrorPhase} phase
   * @param {number} received
   * @param {number} total
   */
  _setPhase(phase, received, total) {
    this._phase = phase;
    this._safeCall(() => this._onState?.({ phase, received, total }));
  }

  /** @param {() => void} fn */
  _safeCall(fn) {
    try {
      fn();
    } catch {
      // a callback's failure is not the mirror's
    }
  }

  _isIdle() {
    for (const ep of [this._loading, this._live]) {
      if (!ep || ep.dead) continue;
      if (ep.queue.length > 0 || ep.scheduled || ep.media.length > 0) return false;
      if (!ep.doc) return false; // waiting for the frame to load
    }
    return true;
  }

  _notifyIdle() {
    if (this._idleWaiters.length === 0 || !this._isIdle()) return;
    const waiters = this._idleWaiters;
    this._idleWaiters = [];
    for (const w of waiters) w();
  }
}

// -----------------------------------------------------------------------------------------------
// Sanitising (pure)

/**
 * Orders an epoch's held media so that the elements within a screen of its viewport come first
 * (stable: document order within each group, so a <picture>'s sources stay before its <img>).
 * Reads boxes: called once the epoch has been laid out.
 * @param {Epoch} ep
 */
function nearViewportFirst(ep) {
  const h = ep.frame.contentWindow?.innerHeight ?? ep.vh;
  /** @type {Map<Element, boolean>} */
  const near = new Map();
  /** @type {Epoch['media']} */
  const first = [];
  /** @type {Epoch['media']} */
  const later = [];
  for (const m of ep.media) {
    let isNear = near.get(m[0]);
    if (isNear === undefined) {
      const r = m[0].getBoundingClientRect();
      isNear = r.bottom >= -h && r.top <= 2 * h;
      near.set(m[0], isNear);
    }
    (isNear ? first : later).push(m);
  }
  ep.media = first.concat(later);
}

/**
 * The inert stand-in of a forbidden element: keeps its id valid, shows and loads nothing.
 * @param {Epoch} ep
 * @param {Document} doc
 */
function placeholder(ep, doc) {
  const el = doc.createElement('template');
  ep.opaque.add(el);
  return el;
}

/**
 * Forbidden because of an attribute it is created with: <meta http-equiv>, a <link> that is not
 * a stylesheet or icon.
 * @param {string} lower
 * @param {string} ns
 * @param {Record<string, unknown> | undefined} attrs
 */
function isForbiddenByAttributes(lower, ns, attrs) {
  if (ns !== HTML_NS) return false;
  if (lower === 'meta') {
    if (!attrs) return false;
    for (const key in attrs) if (key.toLowerCase() === 'http-equiv') return true;
    return false;
  }
  if (lower === 'link') {
    /** @type {unknown} */
    let rel = null;
    if (attrs) for (const key in attrs) if (key.toLowerCase() === 'rel') rel = attrs[key];
    return !(typeof rel === 'string' && isAllowedLinkRel(rel));
  }
  return false;
}


/**
 * May attribute `name` = `value` be set on an element of local name `lower`?
 * @param {string} lower
 * @param {string} name
 * @param {string} value
 * @param {boolean} isRoot
 */
function isSafeAttribute(lower, name, value, isRoot) {
  const n = name.toLowerCase();
  if (n.startsWith('on')) return false;
  if (DROPPED_ATTRIBUTES.has(n)) return false;
  if (FRAME_LIKE.has(lower) && !FRAME_ATTRIBUTES.has(n)) return false;
  if (lower === 'meta' && n === 'http-equiv') return false;
  if (lower === 'link' && n === 'rel' && !isAllowedLinkRel(value)) return false;
  if (isRoot && n === 'inert') return false;
  if (SVG_ANIMATIONS.has(lower) && n === 'attributename') {
    const target = value.trim().toLowerCase();
    if (target.startsWith('on') || target === 'href' || target === 'xlink:href') return false;
  }
  if (n === 'style' && UNSAFE_STYLE.test(value)) return false;
  if (hasDangerousScheme(value)) return false;
  return true;
}

/**
 * @param {Element} el
 * @param {string} lower
 * @param {string} ns
 * @param {string} name
 * @param {string} value
 * @param {boolean} isRoot
 */
function setSafeAttribute(el, lower, ns, name, value, isRoot) {
  if (!isSafeAttribute(lower, name, value, isRoot)) return;
  try {
    if (name.startsWith('xlink:')) el.setAttributeNS(XLINK_NS, name, value);
    else if (name.startsWith('xml:')) el.setAttributeNS(XML_NS, name, value);
    else if (name === 'xmlns' || name.startsWith('xmlns:')) {
      if (ns !== HTML_NS) el.setAttributeNS(XMLNS_NS, name, value);
    } else el.setAttribute(name, value);
  } catch {
    // a name the DOM refuses (or a namespace mismatch): skip that attribute
  }
}

/**
 * @param {Element} el
 * @param {string} lower
 * @param {string} name
 * @param {boolean} isRoot
 */
function removeSafeAttribute(el, lower, name, isRoot) {
  const n = name.toLowerCase();
  if (n === 'data-cotab-masked' || n === 'data-cotab-blocked') return;
  if (isRoot && n === 'inert') return;
  if (lower === 'link' && n === 'rel') return; // a link without rel would be a different element
  try {
    if (name.startsWith('xlink:')) el.removeAttributeNS(XLINK_NS, name.slice(6));
    else if (name.startsWith('xml:')) el.removeAttributeNS(XML_NS, name.slice(4));
    else if (name === 'xmlns' || name.startsWith('xmlns:')) el.removeAttributeNS(XMLNS_NS, name === 'xmlns' ? 'xmlns' : name.slice(6));
    else el.removeAttribute(name);
  } catch {
    // nothing to remove
  }
}

/**
 * Does the value start (after the characters browsers ignore) with javascript:, vbscript: or
 * data:text/html?
 * @param {string} v
 */
function hasDangerousScheme(v) {
  if (v.indexOf(':') < 0) return false;
  let s = '';
  for (let i = 0; i < v.length && s.length < 14; i++) {
    const c = v.charCodeAt(i);
    if (c > 32) s += v[i];
  }
  s = s.toLowerCase();
  return s.startsWith('javascript:') || s.startsWith('vbscript:') || s.startsWith('data:text/html');
}

/**
 * The snapshot's base URL when it is a web (or file) URL; '' otherwise.
 * @param {string} base
 */
function safeBase(base) {
  try {
    const u = new URL(base);
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'file:' ? u.href : '';
  } catch {
    return '';
  }
}

/** @param {Record<string, unknown>} props */
function checkFieldProps(props) {
  if (props.v !== undefined && typeof props.v !== 'string') throw new Desync('bad value prop');
  if (props.c !== undefined && typeof props.c !== 'boolean') throw new Desync('bad checked prop');
  if (props.s !== undefined && typeof props.s !== 'boolean') throw new Desync('bad selected prop');
}

/**
 * @param {unknown} v
 * @returns {v is Record<string, unknown>}
 */
function isPlainObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * @param {unknown} v
 * @returns {v is number}
 */
function isId(v) {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
}

/**
 * @param {unknown} v
 * @returns {v is number}
 */
function isFinite(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/**
 * @param {unknown} v
 * @returns {v is number}
 */
function isSize(v) {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= MAX_VIEWPORT_PX;
}
