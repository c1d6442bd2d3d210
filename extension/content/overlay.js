// The agent's annotations on the customer's page (app.md §7.2): a laser dot with a short fading
// trail, marks (an outline and a soft fill around an element), freehand strokes, clear.
//
// Every item is anchored to an element and stored relative to its border box's top-left, because
// that is what the agent pointed at: positions are recomputed from getBoundingClientRect on every
// animation frame while anything is live, so items stay on their element through window scroll,
// nested scroll, resize and layout changes; nothing runs while nothing is shown (no frame loop, no
// host in the page). An item whose element is scrolled out of a scrolling ancestor is clipped to
// that ancestor, as the element is; an element without a box (display: none) hides its items; an
// element that leaves the document drops them.
//
// Like the indicator (indicator.js), it renders in a closed shadow root on its own host element in
// the top layer, repaired when the page removes, restyles or hides it — one rank below the
// indicator, so the agent can never draw over "Stop sharing". Everything has pointer-events: none:
// the page stays fully usable under the drawings.
// No chrome.* here: assist.js feeds it the validated messages.

import { MAX_COORD_PX, MAX_FADE_MS, MAX_STROKE_ID } from '../common/app.js';
import { LIMITS } from '../dist/protocol.js';
import { RANK_OVERLAY, TopLayerHost } from './indicator.js';

/** Tag of the host element (tests find it by it; the Recorder skips it through isOwnNode). */
export const OVERLAY_TAG = 'cotab-overlay';
/** Live marks at most (app_max_marks); one more drops the oldest. */
export const MAX_MARKS = LIMITS.app_max_marks;
/** Live strokes at most (app_max_strokes); one more drops the oldest. */
export const MAX_STROKES = LIMITS.app_max_strokes;
/** Points of one stroke at most (app_max_stroke_points); later points are ignored. */
export const MAX_STROKE_POINTS = LIMITS.app_max_stroke_points;
/** Points of one draw message at most (app_max_draw_points); the rest of a longer one is ignored. */
export const MAX_DRAW_POINTS = LIMITS.app_max_draw_points;
/** Largest |x| or |y| of a point, CSS px (app.js); larger ones are clamped to it. */
export { MAX_COORD_PX, MAX_FADE_MS };
/** How long a stroke takes to fade out once its `fade` time is up. */
export const FADE_OUT_MS = 400;
/** How far back the laser's trail reaches, and how many of its points it keeps at most. */
export const LASER_TRAIL_MS = 280;
export const LASER_TRAIL_POINTS = 24;
/** Which ancestors of an element clip it (scroll containers) is looked up again this often: a
 * computed-style walk per element per frame would cost more than the drawing itself. */
export const CLIP_REFRESH_MS = 500;
/** Ancestors looked at for clipping at most (a deeper chain is treated as unclipped above that). */
export const MAX_CLIP_DEPTH = 512;
/** The agent's colour unless the owner gives another one. */
export const DEFAULT_COLOR = '#7048e8';

/** How far the mark's outline stands off the element's border box, CSS px. */
const MARK_PAD_PX = 4;
const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * @typedef {{k: 'laser', e?: number, id?: number, x?: number, y?: number}} LaserMsg
 * @typedef {{k: 'mark', e?: number, id: number, on: boolean}} MarkMsg
 * @typedef {{k: 'draw', e?: number, s: number, id: number, pts: [number, number][], end: boolean, fade: number}} DrawMsg
 * @typedef {{ok: true} | {ok: false, why: 'no-node' | 'invalid', detail: string}} ToolResult
 *   what the owner may answer with `refused` (n 0, a = the tool)
 */

/**
 * An element that items are anchored to, with its wrappers in each layer (created on demand).
 * @typedef {object} Anchor
 * @property {Element} el
 * @property {HTMLElement | null} markBox
 * @property {HTMLElement | null} markWrap
 * @property {HTMLElement | null} strokeWrap
 * @property {SVGSVGElement | null} svg
 * @property {Set<Stroke>} strokes
 * @property {Element[]} clipChain  the ancestors that clip it (scroll containers), innermost first
 * @property {number} clipAt  when clipChain was looked up (performance.now(); 0 = never)
 * @property {string} clip  this frame's clip-path ('none' or a polygon in viewport px)
 * @property {DOMRect | null} rect  this frame's border box, null without a box
 */

/**
 * @typedef {object} Stroke
 * @property {number} s
 * @property {Anchor} anchor
 * @property {number[]} pts  x0, y0, x1, y1, … relative to the anchor's top-left
 * @property {SVGPathElement} path
 * @property {boolean} ended
 * @property {ReturnType<typeof setTimeout> | null} timer  fade, then removal
 */

/** @param {string} hex @param {number} alpha */
function rgba(hex, alpha) {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Two decimals are far below a device pixel and keep the strings short. @param {number} v */
function px(v) {
  return Math.round(v * 100) / 100;
}

/** @param {number} v */
function clampCoord(v) {
  return Math.max(-MAX_COORD_PX, Math.min(MAX_COORD_PX, v));
}

/** @param {unknown} v @returns {v is number} */
function isFiniteNumber(v) {
  return typeof v === 'number' && Number.isFinite(v);
}

/** @param {unknown} v @param {number} min @param {number} max @returns {v is number} */
function isIntegerIn(v, min, max) {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/**
 * The smoothed outline of a stroke: quadratic curves through the midpoints, with each sampled
 * point as a control point (the usual way to turn pointer samples into a calm line).
 * @param {number[]} p  x0, y0, x1, y1, …
 */
export function strokePath(p) {
  const n = p.length / 2;
  if (n === 0) return '';
  // A lone point: a tiny segment, drawn as a dot by the round line cap.
  if (n === 1) return `M${px(p[0])} ${px(p[1])}l0.01 0`;
  let d = `M${px(p[0])} ${px(p[1])}`;
  if (n === 2) return `${d}L${px(p[2])} ${px(p[3])}`;
  for (let i = 1; i < n - 1; i++) {
    const x = p[2 * i];
    const y = p[2 * i + 1];
    d += `Q${px(x)} ${px(y)} ${px((x + p[2 * i + 2]) / 2)} ${px((y + p[2 * i + 3]) / 2)}`;
  }
  return `${d}L${px(p[2 * n - 2])} ${px(p[2 * n - 1])}`;
}

const HOST_DECLARATIONS = [
  'all: initial',
  'display: block',
  'position: fixed',
  'inset: 0',
  'margin: 0',
  'padding: 0',
  'border: 0',
  'width: auto',
  'height: auto',
  'min-width: 0',
  'min-height: 0',
  'max-width: none',
  'max-height: none',
  'overflow: hidden',
  'background: transparent',
  'opacity: 1',
  'visibility: visible',
  'transform: none',
  'filter: none',
  'clip-path: none',
  'mask: none',
  'mix-blend-mode: normal',
  'pointer-events: none',
  'user-select: none',
  'z-index: 2147483647',
  'contain: strict',
];

/** @param {string} color */
function shadowCss(color) {
  return `
* { pointer-events: none !important; }
[hidden] { display: none !important; }
.root, .layer, .wrap {
  all: initial;
  position: absolute; inset: 0;
  overflow: visible;
}
.root { overflow: hidden; contain: strict; }
.mark {
  all: initial;
  position: absolute; left: 0; top: 0;
  box-sizing: border-box;
  border: 2px solid ${color};
  border-radius: 5px;
  background: ${rgba(color, 0.13)};
  box-shadow: 0 0 0 3px ${rgba(color, 0.2)}, 0 0 14px ${rgba(color, 0.35)};
}
svg {
  position: absolute; left: 0; top: 0;
  width: 1px; height: 1px;
  overflow: visible;
}
.strokes { filter: drop-shadow(0 0 1px rgba(255,255,255,.95)); }
.stroke {
  fill: none;
  stroke: ${color}; stroke-width: 3.5px;
  stroke-linecap: round; stroke-linejoin: round;
  transition: opacity ${FADE_OUT_MS}ms linear;
}
.stroke.fading { opacity: 0; }
.trail line { stroke: ${color}; stroke-linecap: round; }
.laser {
  all: initial;
  position: absolute; left: 0; top: 0;
  width: 14px; height: 14px; margin: -7px 0 0 -7px;
  border-radius: 50%;
  background: ${color};
  box-shadow: 0 0 0 2px rgba(255,255,255,.9), 0 0 10px 4px ${rgba(color, 0.6)}, 0 0 26px 10px ${rgba(color, 0.28)};
}
`;
}

export class Overlay {
  /**
   * @param {{doc: Document, resolve: (id: number) => Element | null, color?: string}} opts
   *   `resolve`: the mirror's node id → the page's element (null when unknown); `color`: the
   *   agent's colour, `#rrggbb` (DEFAULT_COLOR otherwise).
   */
  constructor(opts) {
    this.doc = opts.doc;
    this.resolve = opts.resolve;
    const color = typeof opts.color === 'string' && /^#[0-9a-f]{6}$/i.test(opts.color) ? opts.color : DEFAULT_COLOR;
    this.layer = new TopLayerHost({ doc: this.doc, tag: OVERLAY_TAG, rank: RANK_OVERLAY, declarations: HOST_DECLARATIONS, css: shadowCss(color) });
    this.destroyed = false;

    const div = (/** @type {string} */ className) => {
      const e = this.doc.createElement('div');
      e.className = className;
      return e;
    };
    this.root = div('root');
    this.root.setAttribute('aria-hidden', 'true');
    this.markLayer = div('layer');
    this.strokeLayer = div('layer');
    this.laserLayer = div('layer');
    this.trailSvg = /** @type {SVGSVGElement} */ (this.doc.createElementNS(SVG_NS, 'svg'));
    this.trailSvg.setAttribute('class', 'trail');
    this.laserDot = div('laser');
    this.laserLayer.append(this.trailSvg, this.laserDot);
    this.laserLayer.hidden = true;
    // Bottom to top: marks, strokes, the laser.
    this.root.append(this.markLayer, this.strokeLayer, this.laserLayer);
    this.layer.shadow.append(this.root);

    /** @type {Map<Element, Anchor>} */
    this.anchors = new Map();
    /** Marked elements, oldest first. @type {Map<Element, Anchor>} */
    this.marks = new Map();
    /** Live strokes by number, oldest first. @type {Map<number, Stroke>} */
    this.strokes = new Map();
    /** @type {{anchor: Anchor, x: number, y: number} | null} */
    this.laserAt = null;
    /** Where the dot has been lately (relative to its element then). @type {{el: Element, x: number, y: number, t: number}[]} */
    this.trail = [];
    /** @type {number | null} */
    this.frameRequest = null;
    /** Last style values written, so an unchanged frame writes nothing. @type {WeakMap<Element, Record<string, string>>} */
    this.written = new WeakMap();
  }

  /** True for the overlay's own node: the Recorder skips it (and with it the whole subtree). */
  isOwnNode(/** @type {Node} */ node) {
    return this.layer.isOwnNode(node);
  }

  /**
   * The laser dot at (x, y) from the top-left of element `id`'s border box, or hidden (no id/x/y).
   * @param {LaserMsg} msg
   * @returns {ToolResult}
   */
  laser(msg) {
    if (this.destroyed) return { ok: false, why: 'invalid', detail: 'the overlay is gone' };
    if (msg.id === undefined && msg.x === undefined && msg.y === undefined) {
      this.hideLaser();
      this.sync();
      return { ok: true };
    }
    if (!isFiniteNumber(msg.x) || !isFiniteNumber(msg.y)) return { ok: false, why: 'invalid', detail: 'laser: x and y must be finite numbers' };
    const found = this.element(msg.id);
    if (!found.ok) return found;
    const el = found.el;
    const x = clampCoord(msg.x);
    const y = clampCoord(msg.y);
    const anchor = this.anchor(el);
    const previous = this.laserAt?.anchor;
    this.laserAt = { anchor, x, y };
    if (previous && previous !== anchor) this.release(previous);
    this.trail.push({ el, x, y, t: performance.now() });
    if (this.trail.length > LASER_TRAIL_POINTS) this.trail.splice(0, this.trail.length - LASER_TRAIL_POINTS);
    this.laserLayer.hidden = false;
    this.sync();
    return { ok: true };
  }

  /**
   * Highlights element `id` (on) or takes its highlight away (off). A mark set again becomes the
   * newest; beyond MAX_MARKS the oldest goes.
   * @param {MarkMsg} msg
   * @returns {ToolResult}
   */
  mark(msg) {
    if (this.destroyed) return { ok: false, why: 'invalid', detail: 'the overlay is gone' };
    if (typeof msg.on !== 'boolean') return { ok: false, why: 'invalid', detail: 'mark: on must be true or false' };
    if (!msg.on) {
      // An element already gone took its mark with it: nothing left to take away.
      const node = isIntegerIn(msg.id, 1, Number.MAX_SAFE_INTEGER) ? this.resolve(msg.id) : null;
      const anchor = node ? this.marks.get(/** @type {Element} */ (node)) : undefined;
      if (anchor) this.unmark(anchor);
      this.sync();
      return { ok: true };
    }
    const found = this.element(msg.id);
    if (!found.ok) return found;
    const el = found.el;
    const anchor = this.anchor(el);
    if (this.marks.has(el)) {
      this.marks.delete(el);
    } else {
      anchor.markWrap = this.doc.createElement('div');
      anchor.markWrap.className = 'wrap';
      anchor.markBox = this.doc.createElement('div');
      anchor.markBox.className = 'mark';
      anchor.markWrap.append(anchor.markBox);
      this.markLayer.append(anchor.markWrap);
    }
    this.marks.set(el, anchor);
    while (this.marks.size > MAX_MARKS) {
      const oldest = /** @type {Anchor} */ (this.marks.values().next().value);
      this.unmark(oldest);
    }
    this.sync();
    return { ok: true };
  }

  /**
   * Starts or extends stroke `s` (points relative to the anchor of its first message), ends it,
   * and fades it `fade` ms after its end (0: it stays until clear). Beyond MAX_STROKES the oldest
   * stroke goes; beyond MAX_STROKE_POINTS further points are ignored.
   * @param {DrawMsg} msg
   * @returns {ToolResult}
   */
  draw(msg) {
    if (this.destroyed) return { ok: false, why: 'invalid', detail: 'the overlay is gone' };
    if (!isIntegerIn(msg.s, 1, MAX_STROKE_ID)) return { ok: false, why: 'invalid', detail: `draw: s must be an integer 1..${MAX_STROKE_ID}` };
    if (typeof msg.end !== 'boolean') return { ok: false, why: 'invalid', detail: 'draw: end must be true or false' };
    if (!isFiniteNumber(msg.fade) || msg.fade < 0) return { ok: false, why: 'invalid', detail: 'draw: fade must be a number of ms ≥ 0' };
    if (!Array.isArray(msg.pts)) return { ok: false, why: 'invalid', detail: 'draw: pts must be a list of [x, y]' };
    const count = Math.min(msg.pts.length, MAX_DRAW_POINTS);
    for (let i = 0; i < count; i++) {
      const p = msg.pts[i];
      if (!Array.isArray(p) || p.length !== 2 || !isFiniteNumber(p[0]) || !isFiniteNumber(p[1])) {
        return { ok: false, why: 'invalid', detail: `draw: point ${i} is not a pair of finite numbers` };
      }
    }
    let stroke = this.strokes.get(msg.s);
    if (stroke?.ended) return { ok: false, why: 'invalid', detail: `draw: stroke ${msg.s} has ended` };
    if (!stroke) {
      const found = this.element(msg.id);
      if (!found.ok) return found;
      const anchor = this.anchor(found.el);
      if (!anchor.svg) {
        anchor.strokeWrap = this.doc.createElement('div');
        anchor.strokeWrap.className = 'wrap';
        anchor.svg = /** @type {SVGSVGElement} */ (this.doc.createElementNS(SVG_NS, 'svg'));
        anchor.svg.setAttribute('class', 'strokes');
        anchor.strokeWrap.append(anchor.svg);
        this.strokeLayer.append(anchor.strokeWrap);
      }
      const path = /** @type {SVGPathElement} */ (this.doc.createElementNS(SVG_NS, 'path'));
      path.setAttribute('class', 'stroke');
      anchor.svg.append(path);
      stroke = { s: msg.s, anchor, pts: [], path, ended: false, timer: null };
      anchor.strokes.add(stroke);
      this.strokes.set(msg.s, stroke);
      while (this.strokes.size > MAX_STROKES) {
        this.dropStroke(/** @type {Stroke} */ (this.strokes.values().next().value));
      }
    }
    const room = Math.min(count, MAX_STROKE_POINTS - stroke.pts.length / 2);
    for (let i = 0; i < room; i++) stroke.pts.push(clampCoord(msg.pts[i][0]), clampCoord(msg.pts[i][1]));
    if (room > 0) stroke.path.setAttribute('d', strokePath(stroke.pts));
    if (msg.end) {
      stroke.ended = true;
      const fade = Math.min(msg.fade, MAX_FADE_MS);
      if (fade > 0) {
        const s = stroke;
        s.timer = setTimeout(() => {
          s.path.classList.add('fading');
          s.timer = setTimeout(() => {
            s.timer = null;
            this.dropStroke(s);
            this.sync();
          }, FADE_OUT_MS);
        }, fade);
      }
    }
    this.sync();
    return { ok: true };
  }

  /** Removes every mark, every stroke and the laser. */
  clear() {
    for (const stroke of [...this.strokes.values()]) this.dropStroke(stroke);
    for (const anchor of [...this.marks.values()]) this.unmark(anchor);
    this.hideLaser();
    this.sync();
  }

  /** Removes everything for good; later calls change nothing. */
  destroy() {
    if (this.destroyed) return;
    this.clear();
    this.destroyed = true;
    this.layer.remove();
  }

  // — internals —

  /**
   * The element for id, or why there is none.
   * @param {unknown} id
   * @returns {{ok: true, el: Element} | {ok: false, why: 'no-node' | 'invalid', detail: string}}
   */
  element(id) {
    if (!isIntegerIn(id, 1, Number.MAX_SAFE_INTEGER)) return { ok: false, why: 'invalid', detail: 'id must be a node id' };
    const node = this.resolve(id);
    if (!node || node.nodeType !== 1) return { ok: false, why: 'no-node', detail: `no element ${id}` };
    if (!node.isConnected || node.ownerDocument !== this.doc) return { ok: false, why: 'no-node', detail: `element ${id} is not in the page` };
    return { ok: true, el: node };
  }

  /** @param {Element} el @returns {Anchor} */
  anchor(el) {
    let anchor = this.anchors.get(el);
    if (!anchor) {
      anchor = { el, markBox: null, markWrap: null, strokeWrap: null, svg: null, strokes: new Set(), clipChain: [], clipAt: 0, clip: 'none', rect: null };
      this.anchors.set(el, anchor);
    }
    return anchor;
  }

  /** Forgets an anchor that holds nothing any more. @param {Anchor} anchor */
  release(anchor) {
    if (anchor.markBox || anchor.strokes.size > 0 || this.laserAt?.anchor === anchor) return;
    anchor.strokeWrap?.remove();
    anchor.strokeWrap = null;
    anchor.svg = null;
    this.anchors.delete(anchor.el);
  }

  /** @param {Anchor} anchor */
  unmark(anchor) {
    this.marks.delete(anchor.el);
    anchor.markWrap?.remove();
    anchor.markWrap = null;
    anchor.markBox = null;
    this.release(anchor);
  }

  /** @param {Stroke} stroke */
  dropStroke(stroke) {
    if (stroke.timer !== null) clearTimeout(stroke.timer);
    stroke.timer = null;
    stroke.path.remove();
    stroke.anchor.strokes.delete(stroke);
    if (this.strokes.get(stroke.s) === stroke) this.strokes.delete(stroke.s);
    if (stroke.anchor.strokes.size === 0) {
      stroke.anchor.strokeWrap?.remove();
      stroke.anchor.strokeWrap = null;
      stroke.anchor.svg = null;
    }
    this.release(stroke.anchor);
  }

  hideLaser() {
    const anchor = this.laserAt?.anchor;
    this.laserAt = null;
    this.trail = [];
    this.trailSvg.replaceChildren();
    this.laserLayer.hidden = true;
    if (anchor) this.release(anchor);
  }

  /** Something is live: the host is in the page and the frame loop runs; nothing: neither. */
  sync() {
    if (this.destroyed) return;
    if (this.anchors.size === 0) {
      if (this.frameRequest !== null) cancelAnimationFrame(this.frameRequest);
      this.frameRequest = null;
      this.layer.remove();
      return;
    }
    this.layer.show();
    if (this.frameRequest === null) this.frameRequest = requestAnimationFrame(() => this.frame());
  }

  /** One frame: every item where its element is now. */
  frame() {
    this.frameRequest = null;
    if (this.destroyed) return;
    const now = performance.now();
    /** @type {Map<Element, DOMRect | null>} */
    const rects = new Map();
    const rectOf = (/** @type {Element} */ el) => {
      let r = rects.get(el);
      if (r === undefined) {
        r = el.getBoundingClientRect();
        // No box at all (display: none, or inside one): nothing to draw on.
        if (r.width === 0 && r.height === 0 && el.getClientRects().length === 0) r = null;
        rects.set(el, r);
      }
      return r;
    };
    for (const anchor of [...this.anchors.values()]) {
      if (!anchor.el.isConnected || anchor.el.ownerDocument !== this.doc) {
        this.dropAnchor(anchor);
        continue;
      }
      anchor.rect = rectOf(anchor.el);
      anchor.clip = anchor.rect ? this.clipOf(anchor, now) : 'none';
      const hidden = anchor.rect === null;
      const r = anchor.rect;
      if (anchor.markWrap && anchor.markBox) {
        this.put(anchor.markWrap, 'display', hidden ? 'none' : '');
        this.put(anchor.markWrap, 'clip-path', anchor.clip);
        if (r) {
          this.put(anchor.markBox, 'transform', `translate(${px(r.left - MARK_PAD_PX)}px, ${px(r.top - MARK_PAD_PX)}px)`);
          this.put(anchor.markBox, 'width', `${px(r.width + 2 * MARK_PAD_PX)}px`);
          this.put(anchor.markBox, 'height', `${px(r.height + 2 * MARK_PAD_PX)}px`);
        }
      }
      if (anchor.strokeWrap && anchor.svg) {
        this.put(anchor.strokeWrap, 'display', hidden ? 'none' : '');
        this.put(anchor.strokeWrap, 'clip-path', anchor.clip);
        if (r) this.put(anchor.svg, 'transform', `translate(${px(r.left)}px, ${px(r.top)}px)`);
      }
    }
    this.frameLaser(now, rectOf);
    if (this.anchors.size > 0) this.frameRequest = requestAnimationFrame(() => this.frame());
    else this.sync();
  }

  /**
   * @param {number} now
   * @param {(el: Element) => DOMRect | null} rectOf
   */
  frameLaser(now, rectOf) {
    const at = this.laserAt;
    if (!at) return;
    const r = at.anchor.rect;
    this.put(this.laserLayer, 'display', r ? '' : 'none');
    this.put(this.laserLayer, 'clip-path', at.anchor.clip);
    if (r) this.put(this.laserDot, 'transform', `translate(${px(r.left + at.x)}px, ${px(r.top + at.y)}px)`);
    // The trail: the dot's recent places, each followed on its own element, thinner and fainter
    // with age; the newest point is the dot itself.
    this.trail = this.trail.filter((p) => now - p.t < LASER_TRAIL_MS && p.el.isConnected);
    /** @type {{x: number, y: number, age: number}[]} */
    const pts = [];
    for (const p of this.trail) {
      const pr = rectOf(p.el);
      if (pr) pts.push({ x: pr.left + p.x, y: pr.top + p.y, age: (now - p.t) / LASER_TRAIL_MS });
    }
    if (r) pts.push({ x: r.left + at.x, y: r.top + at.y, age: 0 });
    const segments = Math.max(0, pts.length - 1);
    while (this.trailSvg.childNodes.length > segments) this.trailSvg.lastChild?.remove();
    while (this.trailSvg.childNodes.length < segments) this.trailSvg.append(this.doc.createElementNS(SVG_NS, 'line'));
    for (let i = 0; i < segments; i++) {
      const line = /** @type {SVGLineElement} */ (this.trailSvg.childNodes[i]);
      const a = pts[i];
      const b = pts[i + 1];
      const fresh = 1 - a.age;
      line.setAttribute('x1', String(px(a.x)));
      line.setAttribute('y1', String(px(a.y)));
      line.setAttribute('x2', String(px(b.x)));
      line.setAttribute('y2', String(px(b.y)));
      line.setAttribute('stroke-width', String(px(2 + 6 * fresh)));
      line.setAttribute('stroke-opacity', String(px(0.55 * fresh)));
    }
  }

  /** The element left the page: everything anchored to it goes. @param {Anchor} anchor */
  dropAnchor(anchor) {
    for (const stroke of [...anchor.strokes]) this.dropStroke(stroke);
    if (anchor.markBox) this.unmark(anchor);
    if (this.laserAt?.anchor === anchor) this.hideLaser();
    this.release(anchor);
  }

  /**
   * The part of the viewport where the anchor's element can be seen: the intersection of the
   * padding boxes of its scrolling (clipping) ancestors, as a clip-path.
   * @param {Anchor} anchor
   * @param {number} now
   */
  clipOf(anchor, now) {
    if (anchor.clipAt === 0 || now - anchor.clipAt >= CLIP_REFRESH_MS) {
      anchor.clipChain = this.clippingAncestors(anchor.el);
      anchor.clipAt = now;
    }
    if (anchor.clipChain.length === 0) return 'none';
    let left = -Infinity;
    let top = -Infinity;
    let right = Infinity;
    let bottom = Infinity;
    for (const a of anchor.clipChain) {
      if (!a.isConnected) continue;
      const r = a.getBoundingClientRect();
      const l = r.left + a.clientLeft;
      const t = r.top + a.clientTop;
      left = Math.max(left, l);
      top = Math.max(top, t);
      right = Math.min(right, l + a.clientWidth);
      bottom = Math.min(bottom, t + a.clientHeight);
    }
    if (left === -Infinity) return 'none';
    if (right < left) right = left;
    if (bottom < top) bottom = top;
    const [l, t, r, b] = [px(left), px(top), px(right), px(bottom)];
    return `polygon(${l}px ${t}px, ${r}px ${t}px, ${r}px ${b}px, ${l}px ${b}px)`;
  }

  /**
   * The ancestors whose overflow clips `el`, innermost first, in the flat tree (slots and shadow
   * hosts followed). Stops at a fixed-position box (it escapes the scrolling ancestors above it)
   * and at the root (the viewport clips there anyway), except a body that scrolls on its own.
   * @param {Element} el
   * @returns {Element[]}
   */
  clippingAncestors(el) {
    /** @type {Element[]} */
    const chain = [];
    const view = this.doc.defaultView;
    if (!view) return chain;
    const root = this.doc.documentElement;
    if (view.getComputedStyle(el).position === 'fixed') return chain;
    let node = parentInFlatTree(el);
    for (let depth = 0; node && node !== root && depth < MAX_CLIP_DEPTH; depth++) {
      const cs = view.getComputedStyle(node);
      const clips = (cs.overflowX !== 'visible' || cs.overflowY !== 'visible') && cs.display !== 'inline' && cs.display !== 'contents';
      // The body's overflow belongs to the viewport unless the root has its own.
      const bodyToViewport = node === this.doc.body && root && view.getComputedStyle(root).overflowX === 'visible' && view.getComputedStyle(root).overflowY === 'visible';
      if (clips && !bodyToViewport) chain.push(node);
      if (cs.position === 'fixed') break;
      node = parentInFlatTree(node);
    }
    return chain;
  }

  /** Writes a style property only when it changed. @param {HTMLElement | SVGElement} el @param {string} prop @param {string} value */
  put(el, prop, value) {
    let seen = this.written.get(el);
    if (!seen) this.written.set(el, (seen = {}));
    if (seen[prop] === value) return;
    seen[prop] = value;
    el.style.setProperty(prop, value);
  }
}

/** @param {Element} el @returns {Element | null} */
function parentInFlatTree(el) {
  if (el.assignedSlot) return el.assignedSlot;
  if (el.parentElement) return el.parentElement;
  const parent = el.parentNode;
  return parent && parent.nodeType === 11 && 'host' in parent ? /** @type {ShadowRoot} */ (parent).host : null;
}
