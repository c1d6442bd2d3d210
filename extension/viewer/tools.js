// The agent's tools in the viewer (app.md §7): the toolbar (Pointer, Highlight, Draw, Clear; Type,
// Click, Open page; one chip per capability with its Ask button), the input layer over the
// mirror that turns the agent's pointer, wheel and keys into `laser` / `mark` / `draw` / `clear` /
// `act` messages, and the agent's own view of what it drew (the "ink").
//
// The mirror itself never receives an event: the input layer covers it (and the Mirror cancels
// clicks, submits and keys inside it anyway), so nothing in the customer's document — a link, a
// form, a field — can act in the viewer; what the agent does goes to the customer as a message,
// and the mirror changes only when the customer's page did (its echo). Pure parts (states,
// texts, batching, budgets, coordinates) live in tools-model.js.
//
// Coordinates: the mirror is drawn at the customer's viewport size inside #screen, scaled by the
// viewer; a client point of the viewer maps into the mirror's viewport through that scale, and
// the mirror document's own client rects are then in the customer's CSS px.

import {
  ACTS_PER_SECOND,
  ActQueue,
  BoundedSet,
  CAP_STATE_WORDS,
  CAPABILITY_LABELS,
  CAPABILITY_OF,
  CAPABILITY_ORDER,
  CapsTracker,
  DRAW_FADE_MS,
  MAX_MARKS,
  MAX_STROKES,
  PendingActs,
  RefusalGate,
  SCROLL_INTERVAL_MS,
  ScrollPlanner,
  StrokeBuilder,
  TokenBucket,
  canScrollBy,
  elementAtCaret,
  fieldLabel,
  fieldOf,
  insertedText,
  keyAction,
  parseAssist,
  proposalUrl,
  refusalText,
  relativeTo,
  toMirrorPoint,
  typeableText,
  wheelPixels,
} from './tools-model.js';

/**
 * @typedef {import('./mirror.js').Mirror} Mirror
 * @typedef {import('./tools-model.js').Capability} Capability
 * @typedef {import('./tools-model.js').Point} Point
 * @typedef {import('./tools-model.js').QueuedAct} QueuedAct
 * @typedef {import('./tools-model.js').FieldKind} FieldKind
 * @typedef {import('./tools-model.js').HitNode} HitNode
 * @typedef {'laser' | 'mark' | 'draw' | 'type' | 'click'} Tool
 * @typedef {{a: string, e?: number, id?: number}} PendingInfo  what an act in flight was about
 * @typedef {{el: Element, id: number}} Hit  an element of the mirror and its id
 * @typedef {{e: number, id: number, fade: number, pts: [number, number][], group: SVGGElement, line: SVGPolylineElement, dirty: boolean}} LocalStroke
 *   the agent's own copy of a stroke (`fade` as sent)
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
/** How long a toast stays up (its text stays in the element for whoever reads it later). */
export const TOAST_MS = 6000;
/** A local stroke whose fade time is up fades out over this long, then goes. */
const FADE_OUT_MS = 400;
/** The click feedback circle lasts this long. */
const RIPPLE_MS = 500;
/** How long "Accepted" shows after the customer opened a proposed page. */
const NAV_ACCEPTED_MS = 3000;
/** Tools and the capability each needs. */
const TOOL_CAPABILITY = /** @type {Record<Tool, Capability>} */ ({ laser: 'annotate', mark: 'annotate', draw: 'annotate', type: 'type', click: 'click' });
/** Refusals after which a field is no target for typing any more. */
const TARGET_LOST = new Set(['masked', 'not-editable', 'no-node', 'stale', 'revoked', 'not-granted']);

/** @template {Element} T @param {ParentNode} root @param {string} selector @param {new () => T} type @returns {T} */
function pick(root, selector, type) {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`viewer.html has no ${type.name} ${selector}`);
  return found;
}

/** An element of the mirror (another realm: instanceof does not work across frames). @param {Node | null} n @returns {n is Element} */
function isElement(n) {
  return !!n && n.nodeType === 1;
}

export class ViewerTools {
  /**
   * @param {object} opts
   * @param {Document} opts.doc  the viewer page
   * @param {Mirror} opts.mirror
   * @param {(data: object) => void} opts.send  posts one agent message to the customer
   * @param {() => number} opts.scale  the mirror's current scale
   * @param {() => string} opts.pageUrl  the customer's current page URL ('' when unknown)
   */
  constructor(opts) {
    const doc = opts.doc;
    this._doc = doc;
    this._mirror = opts.mirror;
    this._sendData = opts.send;
    this._scale = opts.scale;
    this._pageUrl = opts.pageUrl;
    const now = performance.now();

    this._ui = {
      toolbar: pick(doc, '#toolbar', HTMLElement),
      tools: /** @type {HTMLButtonElement[]} */ ([...doc.querySelectorAll('#toolbar button[data-tool]')]),
      fade: pick(doc, '[data-testid=draw-fade]', HTMLInputElement),
      clear: pick(doc, '[data-testid=tool-clear]', HTMLButtonElement),
      navForm: pick(doc, '#nav-form', HTMLFormElement),
      navUrl: pick(doc, '[data-testid=nav-url]', HTMLInputElement),
      navPropose: pick(doc, '[data-testid=nav-propose]', HTMLButtonElement),
      navStatus: pick(doc, '[data-testid=nav-status]', HTMLElement),
      caps: pick(doc, '#caps', HTMLElement),
      target: pick(doc, '[data-testid=type-target]', HTMLElement),
      targetText: pick(doc, '.type-target-text', HTMLElement),
      targetStop: pick(doc, '.type-stop', HTMLButtonElement),
      screen: pick(doc, '#screen', HTMLElement),
      ink: pick(doc, '#ink', SVGSVGElement),
      layer: pick(doc, '#input-layer', HTMLElement),
      picker: pick(doc, '[data-testid=select-picker]', HTMLSelectElement),
      toast: pick(doc, '[data-testid=toast]', HTMLElement),
      sink: pick(doc, '#type-sink', HTMLTextAreaElement),
    };
    /** @type {Map<Capability, {chip: HTMLElement, state: HTMLElement, ask: HTMLButtonElement}>} */
    this._chips = new Map();
    this._buildChips();

    this._running = false;
    /** @type {Tool} */
    this._tool = 'laser';
    /** @type {number | null} the epoch the tools' ids belong to */
    this._epoch = null;
    this._caps = new CapsTracker();
    this._gate = new RefusalGate();
    /** @type {PendingActs<PendingInfo>} */
    this._pending = new PendingActs();
    this._queue = new ActQueue();
    this._bucket = new TokenBucket(ACTS_PER_SECOND, ACTS_PER_SECOND, now);
    this._planner = new ScrollPlanner();
    /** @type {Map<string, {e: number, id: number, x: number, y: number}>} scroll targets not yet sent, per scroller */
    this._scrolls = new Map();
    this._lastScrollAt = -Infinity;
    this._strokes = new StrokeBuilder();
    /** @type {Map<number, LocalStroke>} */
    this._local = new Map();
    /** @type {BoundedSet<number>} */
    this._strokeOrder = new BoundedSet(MAX_STROKES);
    /** @type {BoundedSet<number>} marked ids, oldest first */
    this._marks = new BoundedSet(MAX_MARKS);
    /** @type {Map<number, SVGRectElement>} */
    this._markRects = new Map();
    /** @type {{anchor: Hit, s: number, pointerId: number} | null} */
    this._drawing = null;
    /** The pointer over the mirror, in viewer client px. */
    this._pointer = { x: 0, y: 0, inside: false, moved: false };
    /** @type {Hit | null} what is under the pointer (updated once per frame) */
    this._hover = null;
    /** @type {string | null} the last laser position sent (to skip repeats) */
    this._laserSent = null;
    /** @type {{e: number, id: number, el: Element} | null} */
    this._typeTarget = null;
    /** @type {{e: number, id: number} | null} the select the picker is for */
    this._pickerFor = null;
    this._frame = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._toastTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._capsTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._navTimer = undefined;

    this._svg = {
      marks: this._svgChild(this._ui.ink, 'g', 'marks'),
      strokes: this._svgChild(this._ui.ink, 'g', 'strokes'),
      hover: /** @type {SVGRectElement} */ (this._svgChild(this._ui.ink, 'rect', 'hover')),
      target: /** @type {SVGRectElement} */ (this._svgChild(this._ui.ink, 'rect', 'target')),
    };
    this._svg.hover.style.display = 'none';
    this._svg.target.style.display = 'none';

    this._listen();
    this._renderTools();
    this._renderCaps();
  }

  // -------------------------------------------------------------------------------------------
  // What viewer.js calls

  /**
   * The viewer shows the mirror (loading or live) or not. Leaving resets everything: nothing of
   * a session carries into the next.
   * @param {boolean} running
   */
  setRunning(running) {
    if (running === this._running) return;
    this._running = running;
    this._ui.toolbar.hidden = !running;
    if (!running) {
      this._caps.reset();
      this._pending.clear();
      this._queue.clear();
      this._scrolls.clear();
      this._planner.clear();
      this._strokes.abandon();
      this._drawing = null;
      this._clearInk();
      this._setTypeTarget(null);
      this._hidePicker();
      this._laserSent = null;
      this._epoch = null;
      this._ui.toast.hidden = true;
      this._setNavStatus('');
      this._renderCaps();
    }
  }

  /** The mirror changed phase (a new epoch may be on screen). */
  mirrorChanged() {
    this._checkEpoch();
  }

  /**
   * An app message from the customer: handles `caps`, `done` and `refused`.
   * @param {{k: string}} data
   * @returns {boolean} it was one of those (handled or dropped as malformed)
   */
  handlePeer(data) {
    if (data.k !== 'caps' && data.k !== 'done' && data.k !== 'refused') return false;
    const m = parseAssist(data);
    if (!m) {
      console.warn(`cotab viewer: malformed ${data.k} from the customer dropped`);
      return true;
    }
    const now = performance.now();
    if (m.k === 'caps') {
      const { revoked } = this._caps.update(m);
      if (revoked.length > 0) this._onRevoked(revoked);
      this._renderCaps();
    } else if (m.k === 'done') {
      const info = this._pending.settle(m.n);
      if (info?.a === 'nav') this._setNavStatus('Accepted', NAV_ACCEPTED_MS);
    } else {
      this._onRefused(m, now);
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // Toolbar

  _buildChips() {
    const doc = this._doc;
    for (const c of CAPABILITY_ORDER) {
      const chip = doc.createElement('span');
      chip.className = 'cap';
      chip.setAttribute('data-testid', `cap-${c}`);
      chip.dataset.state = 'unknown';
      const name = doc.createElement('span');
      name.className = 'cap-name';
      name.textContent = CAPABILITY_LABELS[c];
      const state = doc.createElement('span');
      state.className = 'cap-state';
      const ask = doc.createElement('button');
      ask.type = 'button';
      ask.className = 'ask';
      ask.textContent = 'Ask';
      ask.setAttribute('data-testid', `ask-${c}`);
      ask.dataset.cap = c;
      ask.title = `Ask the customer to allow “${CAPABILITY_LABELS[c]}”`;
      ask.hidden = true;
      chip.append(name, state, ask);
      this._ui.caps.append(chip);
      this._chips.set(c, { chip, state, ask });
    }
  }

  _renderCaps() {
    const now = performance.now();
    let soonest = Infinity;
    for (const [c, { chip, state, ask }] of this._chips) {
      const s = this._caps.state(c, now);
      chip.dataset.state = s;
      state.textContent = CAP_STATE_WORDS[s];
      ask.hidden = !this._caps.canAsk(c, now);
      if (s === 'waiting') soonest = Math.min(soonest, 1000);
    }
    // An unacknowledged ask stops showing as waiting after a while: look again then.
    clearTimeout(this._capsTimer);
    if (soonest < Infinity && this._running) this._capsTimer = setTimeout(() => this._renderCaps(), soonest);
    this._renderTools();
  }

  _renderTools() {
    for (const b of this._ui.tools) {
      const tool = /** @type {Tool} */ (b.dataset.tool);
      b.setAttribute('aria-pressed', String(tool === this._tool));
      b.disabled = !this._caps.isGranted(TOOL_CAPABILITY[tool]);
    }
    const annotate = this._caps.isGranted('annotate');
    this._ui.clear.disabled = !annotate;
    this._ui.fade.disabled = !annotate;
    const nav = this._caps.isGranted('navigate');
    this._ui.navUrl.disabled = !nav;
    this._ui.navPropose.disabled = !nav;
    this._ui.layer.dataset.tool = this._tool;
    this._ui.layer.dataset.live = String(this._caps.isGranted(TOOL_CAPABILITY[this._tool]));
  }

  /** @param {Tool} tool */
  _setTool(tool) {
    if (tool === this._tool) return;
    if (this._tool === 'laser') this._hideLaser();
    if (this._drawing) this._endStroke();
    this._hidePicker();
    this._tool = tool;
    this._renderTools();
    this._schedule();
  }

  /** @param {string} text @param {string} why  a refusal reason, or `local` for the viewer's own notes */
  _toast(text, why) {
    const t = this._ui.toast;
    t.textContent = text;
    t.dataset.why = why;
    t.hidden = false;
    clearTimeout(this._toastTimer);
    this._toastTimer = setTimeout(() => {
      t.hidden = true;
    }, TOAST_MS);
  }

  /** @param {string} text @param {number} [clearAfterMs] */
  _setNavStatus(text, clearAfterMs) {
    this._ui.navStatus.textContent = text;
    clearTimeout(this._navTimer);
    if (clearAfterMs) this._navTimer = setTimeout(() => this._setNavStatus(''), clearAfterMs);
  }

  /** @param {Capability} c */
  _granted(c) {
    return this._caps.isGranted(c);
  }

  /** A note that the agent needs a capability first. @param {Capability} c */
  _needs(c) {
    this._toast(`Ask the customer to allow “${CAPABILITY_LABELS[c]}” first`, 'local');
  }

  // -------------------------------------------------------------------------------------------
  // Events

  _listen() {
    const ui = this._ui;
    for (const b of ui.tools) b.addEventListener('click', () => this._setTool(/** @type {Tool} */ (b.dataset.tool)));
    // Toolbar buttons do not take the focus from a click: keystrokes keep going to the field
    // being typed into (the keyboard can still reach them with Tab).
    ui.toolbar.addEventListener('mousedown', (ev) => {
      if (ev.target instanceof Element && ev.target.closest('button')) ev.preventDefault();
    });
    ui.clear.addEventListener('click', () => this._clear());
    ui.caps.addEventListener('click', (ev) => {
      const b = ev.target instanceof Element ? ev.target.closest('button[data-cap]') : null;
      if (b instanceof HTMLButtonElement) this._ask(/** @type {Capability} */ (b.dataset.cap));
    });
    ui.navForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this._propose();
    });
    ui.targetStop.addEventListener('click', () => this._setTypeTarget(null));

    const layer = ui.layer;
    layer.addEventListener('pointermove', (ev) => this._onPointerMove(ev));
    layer.addEventListener('pointerleave', () => {
      this._pointer.inside = false;
      this._schedule();
    });
    layer.addEventListener('pointerdown', (ev) => this._onPointerDown(ev));
    layer.addEventListener('pointerup', (ev) => this._onPointerUp(ev));
    layer.addEventListener('pointercancel', (ev) => this._onPointerUp(ev));
    // Keeps the focus where it is (the typing sink) and starts no text selection or drag.
    layer.addEventListener('mousedown', (ev) => ev.preventDefault());
    layer.addEventListener('click', (ev) => this._onClick(ev));
    layer.addEventListener('auxclick', (ev) => ev.preventDefault());
    // Never scrolls anything here: the wheel is a request to the customer's page.
    layer.addEventListener('wheel', (ev) => this._onWheel(ev), { passive: false });

    const sink = ui.sink;
    sink.addEventListener('keydown', (ev) => this._onKey(ev));
    sink.addEventListener('input', (ev) => {
      const ie = /** @type {InputEvent} */ (ev);
      if (ie.isComposing) return;
      const text = insertedText(ie.inputType ?? '', sink.value, false);
      sink.value = '';
      if (text) this._typeText(text);
    });
    sink.addEventListener('compositionend', () => {
      const text = typeableText(sink.value);
      sink.value = '';
      if (text) this._typeText(text);
    });
    sink.addEventListener('focus', () => ui.target.setAttribute('data-focused', ''));
    sink.addEventListener('blur', () => ui.target.removeAttribute('data-focused'));
    // A key pressed while the page (not a field of the viewer) has the focus goes to the field
    // being typed into: the sink takes the focus, and the browser delivers the key's text to it.
    this._doc.addEventListener(
      'keydown',
      (ev) => {
        if (!this._typeTarget || ev.target === sink) return;
        const t = ev.target;
        if (t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return;
        if (t instanceof HTMLElement && t.isContentEditable) return;
        if (t instanceof HTMLButtonElement && (ev.key === ' ' || ev.key === 'Enter')) return;
        sink.focus({ preventScroll: true });
        this._onKey(ev);
      },
      true,
    );

    const picker = ui.picker;
    picker.addEventListener('change', () => this._pickOption());
    picker.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this._hidePicker();
      else if (ev.key === 'Enter') {
        ev.preventDefault();
        this._pickOption();
      }
    });
    picker.addEventListener('blur', () => this._hidePicker());
  }

  /** @param {PointerEvent} ev */
  _onPointerMove(ev) {
    this._pointer = { x: ev.clientX, y: ev.clientY, inside: true, moved: true };
    const d = this._drawing;
    if (d && ev.pointerId === d.pointerId) {
      const events = typeof ev.getCoalescedEvents === 'function' ? ev.getCoalescedEvents() : [];
      for (const e of events.length > 0 ? events : [ev]) this._addStrokePoint(e.clientX, e.clientY);
    }
    this._schedule();
  }

  /** @param {PointerEvent} ev */
  _onPointerDown(ev) {
    // The layer keeps the focus where it is, so the picker's blur does not come: close it here.
    this._hidePicker();
    if (ev.button !== 0 || this._tool !== 'draw') return;
    if (!this._granted('annotate')) return this._needs('annotate');
    const e = this._epoch;
    const p = this._toMirror(ev.clientX, ev.clientY);
    const anchor = e !== null ? this._hitAt(p) : null;
    if (e === null || !anchor) return;
    const rel = relativeTo(p, anchor.el.getBoundingClientRect());
    const fade = this._ui.fade.checked ? DRAW_FADE_MS : 0;
    const s = this._strokes.begin(e, anchor.id, rel, fade);
    this._drawing = { anchor, s, pointerId: ev.pointerId };
    this._addLocalStroke(s, anchor.id, fade, [[rel.x, rel.y]]);
    try {
      this._ui.layer.setPointerCapture(ev.pointerId);
    } catch {
      // the pointer is already gone: pointerup follows
    }
    this._schedule();
  }

  /** @param {PointerEvent} ev */
  _onPointerUp(ev) {
    if (this._drawing && ev.pointerId === this._drawing.pointerId) this._endStroke();
  }

  /** @param {MouseEvent} ev */
  _onClick(ev) {
    ev.preventDefault();
    if (ev.button !== 0 || this._epoch === null) return;
    const p = this._toMirror(ev.clientX, ev.clientY);
    const raw = this._rawAt(p);
    const hit = raw ? this._withId(raw) : null;
    if (!hit) return;
    const field = this._fieldHit(raw);
    switch (this._tool) {
      case 'mark':
        if (!this._granted('annotate')) return this._needs('annotate');
        this._toggleMark(hit);
        return;
      case 'draw':
        return; // a drag (pointerdown/up) draws; its click means nothing more
      case 'type':
        if (!this._granted('type')) return this._needs('type');
        if (!field) return this._toast('Click a text field, a list or a tick box to fill it in', 'local');
        this._useField(field);
        return;
      case 'click':
        if (!this._granted('click')) return this._needs('click');
        if (field && field.kind === 'select' && this._granted('type')) {
          this._useField(field);
          return;
        }
        this._ripple(p);
        this._enqueue({ a: 'click', e: this._epoch, id: hit.id });
        if (field && field.kind === 'text' && this._granted('type')) this._setTypeTarget(field);
        return;
      case 'laser':
        // With Type granted a click on a field starts filling it in, whatever the tool.
        if (field && this._granted('type')) this._useField(field);
    }
  }

  /** @param {WheelEvent} ev */
  _onWheel(ev) {
    ev.preventDefault();
    const e = this._epoch;
    const doc = this._mirror.document;
    const win = doc?.defaultView;
    if (e === null || !doc || !win) return;
    if (!this._granted('scroll')) {
      if (this._gate.admit('local:scroll', performance.now())) this._needs('scroll');
      return;
    }
    const p = this._toMirror(ev.clientX, ev.clientY);
    const now = performance.now();
    const { dx, dy } = wheelPixels(ev.deltaX, ev.deltaY, ev.deltaMode, { w: win.innerWidth, h: win.innerHeight });
    if (dx === 0 && dy === 0) return;
    // The nearest scroller under the pointer that can still move that way, else the window —
    // as a browser chains a wheel through nested scrollers.
    for (let n = this._rawAt(p); n && n !== doc.documentElement && n !== doc.body; n = n.parentElement) {
      const id = this._mirror.idOf(n);
      if (id === null || !isScroller(n, win)) continue;
      const key = `${e}:${id}`;
      const pos = { x: n.scrollLeft, y: n.scrollTop };
      const max = { x: n.scrollWidth - n.clientWidth, y: n.scrollHeight - n.clientHeight };
      if (!canScrollBy(this._planner.base(key, pos, now), max, dx, dy)) continue;
      this._scrolls.set(key, { e, id, ...this._planner.plan(key, pos, max, dx, dy, now) });
      this._schedule();
      return;
    }
    const root = doc.scrollingElement ?? doc.documentElement;
    if (!root) return;
    const key = `${e}:0`;
    const pos = { x: win.scrollX, y: win.scrollY };
    const max = { x: root.scrollWidth - root.clientWidth, y: root.scrollHeight - root.clientHeight };
    if (!canScrollBy(this._planner.base(key, pos, now), max, dx, dy)) return;
    this._scrolls.set(key, { e, id: 0, ...this._planner.plan(key, pos, max, dx, dy, now) });
    this._schedule();
  }

  /** A keydown meant for the field being typed into. @param {KeyboardEvent} ev */
  _onKey(ev) {
    const target = this._typeTarget;
    if (!target) return;
    const what = keyAction(ev);
    if (what.t === 'pass') return;
    ev.preventDefault();
    if (what.t === 'block') return;
    if (!this._granted('type')) return this._needs('type');
    this._enqueue({ a: 'key', e: target.e, id: target.id, key: what.key });
  }

  // -------------------------------------------------------------------------------------------
  // Fields

  /**
   * The field under the pointer, with its mirror id.
   * @param {Element | null} raw
   * @returns {{el: Element, id: number, kind: FieldKind} | null}
   */
  _fieldHit(raw) {
    const f = raw ? fieldOf(/** @type {import('./tools-model.js').FieldElement} */ (/** @type {unknown} */ (raw))) : null;
    if (!f) return null;
    const el = /** @type {Element} */ (/** @type {unknown} */ (f.el));
    const id = this._mirror.idOf(el);
    return id === null ? null : { el, id, kind: f.kind };
  }

  /** @param {{el: Element, id: number, kind: FieldKind}} field */
  _useField(field) {
    const e = this._epoch;
    if (e === null) return;
    if (field.kind === 'text') this._setTypeTarget(field);
    else if (field.kind === 'select') this._openPicker(field);
    else {
      const input = /** @type {HTMLInputElement} */ (field.el);
      const radio = (input.getAttribute('type') ?? '').toLowerCase() === 'radio';
      // What the agent sees is what it changes: the mirror's state, not a guess.
      this._enqueue({ a: 'check', e, id: field.id, c: radio ? true : !input.checked });
    }
  }

  /** @param {{el: Element, id: number} | null} field */
  _setTypeTarget(field) {
    const ui = this._ui;
    if (!field || this._epoch === null) {
      this._typeTarget = null;
      ui.target.hidden = true;
      ui.target.removeAttribute('data-id');
      this._svg.target.style.display = 'none';
      if (this._doc.activeElement === ui.sink) ui.sink.blur();
      return;
    }
    this._typeTarget = { e: this._epoch, id: field.id, el: field.el };
    ui.targetText.textContent = `Typing into ${fieldLabel(/** @type {import('./tools-model.js').FieldElement} */ (/** @type {unknown} */ (field.el)))}`;
    ui.target.setAttribute('data-id', String(field.id));
    ui.target.hidden = false;
    ui.sink.value = '';
    ui.sink.focus({ preventScroll: true });
    this._schedule();
  }

  /** @param {string} text */
  _typeText(text) {
    const target = this._typeTarget;
    if (!target) return;
    if (!this._granted('type')) return this._needs('type');
    const took = this._queue.pushText(target.e, target.id, text);
    if (took < text.length) this._toast(`Too much text at once: ${text.length - took} characters were not typed`, 'local');
    this._schedule();
  }

  /** @param {{el: Element, id: number}} field */
  _openPicker(field) {
    const e = this._epoch;
    if (e === null) return;
    const picker = this._ui.picker;
    const select = /** @type {HTMLSelectElement} */ (field.el);
    picker.replaceChildren();
    for (const o of select.querySelectorAll('option')) {
      const opt = this._doc.createElement('option');
      opt.value = o.value;
      opt.textContent = o.label || o.text || o.value;
      opt.disabled = o.disabled;
      picker.append(opt);
    }
    if (picker.options.length === 0) return this._toast('That list has no options', 'local');
    picker.size = Math.max(2, Math.min(8, picker.options.length));
    picker.value = select.value;
    const r = select.getBoundingClientRect();
    const s = this._scale();
    picker.style.left = `${Math.max(0, r.left * s)}px`;
    picker.style.top = `${Math.max(0, r.bottom * s)}px`;
    picker.style.minWidth = `${Math.max(120, r.width * s)}px`;
    this._pickerFor = { e, id: field.id };
    picker.hidden = false;
    picker.focus({ preventScroll: true });
  }

  _pickOption() {
    const f = this._pickerFor;
    const picker = this._ui.picker;
    if (!f || picker.hidden || picker.selectedIndex < 0) return;
    this._enqueue({ a: 'select', e: f.e, id: f.id, v: picker.value });
    this._hidePicker();
  }

  _hidePicker() {
    this._pickerFor = null;
    if (!this._ui.picker.hidden) this._ui.picker.hidden = true;
  }

  // -------------------------------------------------------------------------------------------
  // Tools

  /** @param {Capability} c */
  _ask(c) {
    const now = performance.now();
    if (!this._caps.canAsk(c, now)) return;
    this._send({ k: 'ask', caps: [c] });
    this._caps.asking([c], now);
    this._renderCaps();
  }

  _clear() {
    if (!this._granted('annotate')) return this._needs('annotate');
    this._send({ k: 'clear' });
    if (this._drawing) this._endStroke();
    this._strokes.abandon();
    this._clearInk();
    // The customer's laser went with it: the next move shows it again.
    this._laserSent = null;
  }

  _hideLaser() {
    if (this._laserSent !== null && this._epoch !== null && this._granted('annotate')) this._send({ k: 'laser', e: this._epoch });
    this._laserSent = null;
  }

  /** @param {Hit} hit */
  _toggleMark(hit) {
    const e = this._epoch;
    if (e === null) return;
    if (this._marks.has(hit.id)) {
      this._marks.delete(hit.id);
      this._markRects.get(hit.id)?.remove();
      this._markRects.delete(hit.id);
      this._send({ k: 'mark', e, id: hit.id, on: false });
    } else {
      // The customer's overlay drops its oldest mark the same way.
      for (const gone of this._marks.add(hit.id)) {
        this._markRects.get(gone)?.remove();
        this._markRects.delete(gone);
      }
      this._markRects.set(hit.id, /** @type {SVGRectElement} */ (this._svgChild(this._svg.marks, 'rect', 'mark')));
      this._send({ k: 'mark', e, id: hit.id, on: true });
    }
    this._schedule();
  }

  /** @param {number} clientX @param {number} clientY */
  _addStrokePoint(clientX, clientY) {
    const d = this._drawing;
    if (!d) return;
    if (!d.anchor.el.isConnected) {
      this._endStroke();
      return;
    }
    const rel = relativeTo(this._toMirror(clientX, clientY), d.anchor.el.getBoundingClientRect());
    const before = this._local.get(d.s);
    const last = before?.pts[before.pts.length - 1];
    const next = this._strokes.add(rel);
    if (next !== 0) {
      // The stroke was full: the drag goes on as a new stroke from the same point.
      if (before) this._finishLocal(before, d.s);
      d.s = next;
      this._addLocalStroke(next, d.anchor.id, before?.fade ?? 0, last ? [last, [rel.x, rel.y]] : [[rel.x, rel.y]]);
    } else if (before && (!last || last[0] !== rel.x || last[1] !== rel.y)) {
      before.pts.push([rel.x, rel.y]);
      before.dirty = true;
    }
  }

  _endStroke() {
    const d = this._drawing;
    if (!d) return;
    this._drawing = null;
    this._strokes.end();
    const local = this._local.get(d.s);
    if (local) this._finishLocal(local, d.s);
    this._schedule();
  }

  /** A local stroke is complete: it fades like the customer's. @param {LocalStroke} st @param {number} s */
  _finishLocal(st, s) {
    if (st.fade === 0) return;
    setTimeout(() => {
      if (this._local.get(s) !== st) return;
      st.group.classList.add('fading');
      setTimeout(() => this._dropStroke(s), FADE_OUT_MS);
    }, st.fade);
  }

  /**
   * The agent's own copy of stroke `s` (anchored at `id` of the epoch on screen).
   * @param {number} s @param {number} id @param {number} fade @param {[number, number][]} pts
   */
  _addLocalStroke(s, id, fade, pts) {
    const e = this._epoch;
    if (e === null) return;
    const group = /** @type {SVGGElement} */ (this._svgChild(this._svg.strokes, 'g', 'stroke'));
    const line = /** @type {SVGPolylineElement} */ (this._svgChild(group, 'polyline', ''));
    this._local.set(s, { e, id, fade, pts: [...pts], group, line, dirty: true });
    for (const gone of this._strokeOrder.add(s)) this._dropStroke(gone);
  }

  /** @param {number} s */
  _dropStroke(s) {
    const st = this._local.get(s);
    if (!st) return;
    st.group.remove();
    this._local.delete(s);
    this._strokeOrder.delete(s);
  }

  _clearInk() {
    for (const s of [...this._local.keys()]) this._dropStroke(s);
    this._marks.clear();
    for (const r of this._markRects.values()) r.remove();
    this._markRects.clear();
    this._svg.hover.style.display = 'none';
  }

  /** @param {Point} p */
  _ripple(p) {
    const c = /** @type {SVGCircleElement} */ (this._svgChild(this._ui.ink, 'circle', 'ripple'));
    c.setAttribute('cx', String(p.x));
    c.setAttribute('cy', String(p.y));
    c.setAttribute('r', '14');
    setTimeout(() => c.remove(), RIPPLE_MS);
  }

  /** @param {Capability[]} caps */
  _onRevoked(caps) {
    const lost = new Set(caps);
    this._queue.drop((a) => lost.has(CAPABILITY_OF[a.a]));
    if (lost.has('scroll')) this._scrolls.clear();
    if (lost.has('type')) {
      this._setTypeTarget(null);
      this._hidePicker();
    }
    if (lost.has('annotate')) {
      // The customer's overlay is gone with the grant; so is the agent's view of it.
      this._strokes.abandon();
      this._drawing = null;
      this._clearInk();
      this._laserSent = null;
    }
  }

  /** @param {import('./tools-model.js').RefusedMsg} r @param {number} now */
  _onRefused(r, now) {
    if (r.n === 0) {
      if (r.a === 'ask') {
        this._caps.askRefused(r.why);
        this._renderCaps();
      }
      if (this._gate.admit(`${r.a}:${r.why}`, now)) this._toast(refusalText(r), r.why);
      return;
    }
    const info = this._pending.settle(r.n);
    this._toast(refusalText(r), r.why);
    if (r.a === 'nav') this._setNavStatus('');
    const t = this._typeTarget;
    if (t && info && info.id === t.id && info.e === t.e && (r.a === 'type' || r.a === 'key') && TARGET_LOST.has(r.why)) {
      this._queue.drop((a) => a.a !== 'nav' && a.id === t.id);
      this._setTypeTarget(null);
    }
  }

  _propose() {
    if (!this._granted('navigate')) return this._needs('navigate');
    if (this._pending.some((i) => i.a === 'nav')) {
      this._toast('The customer has not answered your last page proposal yet', 'local');
      return;
    }
    const r = proposalUrl(this._ui.navUrl.value, this._pageUrl());
    if (!r.ok) {
      this._toast(r.problem, 'local');
      return;
    }
    this._ui.navUrl.value = r.url;
    this._enqueue({ a: 'nav', url: r.url });
    this._setNavStatus('Waiting for the customer…');
  }

  // -------------------------------------------------------------------------------------------
  // Sending

  /** @param {object} data */
  _send(data) {
    this._sendData(data);
  }

  /** @param {QueuedAct} act */
  _enqueue(act) {
    if (!this._queue.push(act)) {
      this._toast('Too fast: that action was dropped', 'local');
      return;
    }
    this._schedule();
  }

  /** @param {QueuedAct} act */
  _sendAct(act) {
    /** @type {PendingInfo} */
    const info = act.a === 'nav' ? { a: 'nav' } : { a: act.a, e: act.e, id: act.id };
    const n = this._pending.open(info);
    this._send({ k: 'act', n, ...act });
  }

  /** Once per frame: what waits goes out, within the budget. @param {number} now */
  _flush(now) {
    for (const m of this._strokes.take()) this._send(m);
    if (this._scrolls.size > 0 && now - this._lastScrollAt >= SCROLL_INTERVAL_MS) {
      for (const [key, t] of this._scrolls) {
        if (!this._bucket.take(now)) break;
        this._scrolls.delete(key);
        this._lastScrollAt = now;
        this._sendAct({ a: 'scroll', e: t.e, id: t.id, x: t.x, y: t.y });
      }
    }
    while (this._queue.length > 0 && this._bucket.ready(now)) {
      const act = /** @type {QueuedAct} */ (this._queue.shift());
      // Ids are only valid in their epoch: a queued action of an old one is dropped here rather
      // than refused `stale` there.
      if (act.a !== 'nav' && act.e !== this._epoch) continue;
      if (act.a === 'type' && act.text.length === 0) continue;
      this._bucket.take(now);
      this._sendAct(act);
    }
  }

  // -------------------------------------------------------------------------------------------
  // The frame loop: hit testing, laser, batches, ink. Runs while anything is shown or pending.

  _schedule() {
    if (this._frame || !this._running) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      this._tick();
    });
  }

  _checkEpoch() {
    const e = this._mirror.epoch;
    if (e === this._epoch) return;
    // Another document: ids of the old one name nothing here any more.
    this._epoch = e;
    this._queue.drop((a) => a.a !== 'nav');
    this._scrolls.clear();
    this._planner.clear();
    if (this._drawing) this._endStroke();
    this._strokes.abandon();
    this._clearInk();
    this._setTypeTarget(null);
    this._hidePicker();
    this._hover = null;
    this._laserSent = null;
    this._schedule();
  }

  _tick() {
    if (!this._running) return;
    const now = performance.now();
    this._checkEpoch();
    const ptr = this._pointer;
    if (ptr.moved) {
      ptr.moved = false;
      this._hover = ptr.inside && this._epoch !== null ? this._hitAt(this._toMirror(ptr.x, ptr.y)) : null;
    }
    if (!ptr.inside) this._hover = null;
    this._laser();
    this._flush(now);
    this._renderInk();
    const busy =
      ptr.inside || this._drawing !== null || this._strokes.busy || this._queue.length > 0 || this._scrolls.size > 0 ||
      this._marks.size > 0 || this._local.size > 0 || this._typeTarget !== null;
    if (busy) this._schedule();
  }

  _laser() {
    const e = this._epoch;
    const on = this._tool === 'laser' && this._granted('annotate') && e !== null;
    const hit = on && this._pointer.inside ? this._hover : null;
    if (!hit || e === null) {
      if (this._laserSent !== null) this._hideLaser();
      return;
    }
    const rel = relativeTo(this._toMirror(this._pointer.x, this._pointer.y), hit.el.getBoundingClientRect());
    const key = `${e}:${hit.id}:${rel.x}:${rel.y}`;
    if (key === this._laserSent) return;
    this._laserSent = key;
    this._send({ k: 'laser', e, id: hit.id, x: rel.x, y: rel.y });
  }

  _renderInk() {
    for (const id of this._marks.values()) {
      const node = this._mirror.nodeOf(id);
      const rect = this._markRects.get(id);
      if (!rect) continue;
      if (!isElement(node) || !node.isConnected) {
        // Gone from the customer's page (removed, or another epoch): gone here.
        this._marks.delete(id);
        rect.remove();
        this._markRects.delete(id);
        continue;
      }
      placeRect(rect, node.getBoundingClientRect(), 2);
    }
    for (const [s, st] of this._local) {
      const node = this._mirror.nodeOf(st.id);
      if (st.e !== this._epoch || !isElement(node) || !node.isConnected) {
        this._dropStroke(s);
        continue;
      }
      const r = node.getBoundingClientRect();
      st.group.setAttribute('transform', `translate(${r.left} ${r.top})`);
      if (st.dirty) {
        st.line.setAttribute('points', st.pts.map((p) => `${p[0]},${p[1]}`).join(' '));
        st.dirty = false;
      }
    }
    const hover = this._tool === 'mark' && this._granted('annotate') ? this._hover : null;
    if (hover) {
      this._svg.hover.style.display = '';
      placeRect(this._svg.hover, hover.el.getBoundingClientRect(), 2);
    } else this._svg.hover.style.display = 'none';
    const t = this._typeTarget;
    if (t && t.el.isConnected) {
      this._svg.target.style.display = '';
      placeRect(this._svg.target, t.el.getBoundingClientRect(), 3);
    } else if (t) {
      this._setTypeTarget(null);
    } else this._svg.target.style.display = 'none';
  }

  // -------------------------------------------------------------------------------------------
  // The mirror: coordinates and hit testing

  /** @param {number} clientX @param {number} clientY @returns {Point} */
  _toMirror(clientX, clientY) {
    return toMirrorPoint(clientX, clientY, this._ui.screen.getBoundingClientRect(), this._scale());
  }

  /**
   * The mirror's element at a point of its viewport (tools-model.js "Hit testing in the mirror":
   * the root is inert, so the caret position APIs find the place and boxes find the element).
   * @param {Point} p
   * @returns {Element | null}
   */
  _rawAt(p) {
    const doc = this._mirror.document;
    const win = doc?.defaultView;
    if (!doc || !win || !(p.x >= 0 && p.y >= 0 && p.x < win.innerWidth && p.y < win.innerHeight)) return null;
    /** @type {{node: Node, offset: number} | null} */
    let at = null;
    if (typeof doc.caretPositionFromPoint === 'function') {
      const pos = doc.caretPositionFromPoint(p.x, p.y);
      if (pos) at = { node: pos.offsetNode, offset: pos.offset };
    } else if (typeof doc.caretRangeFromPoint === 'function') {
      const range = doc.caretRangeFromPoint(p.x, p.y);
      if (range) at = { node: range.startContainer, offset: range.startOffset };
    }
    if (!at) return doc.documentElement;
    // The DOM's nodes are HitNodes; tsc cannot see it through NodeList's types.
    const asEl = (/** @type {HitNode} */ n) => /** @type {Element} */ (/** @type {unknown} */ (n));
    const hit = elementAtCaret(
      /** @type {HitNode} */ (/** @type {unknown} */ (at.node)),
      at.offset,
      p.x,
      p.y,
      (n) => asEl(n).getBoundingClientRect(),
      (n) => {
        const cs = win.getComputedStyle(asEl(n));
        return cs.visibility === 'visible' && cs.pointerEvents !== 'none';
      },
    );
    return hit && isElement(asEl(hit)) ? asEl(hit) : doc.documentElement;
  }

  /** The nearest mirrored element at or above `el`. @param {Element} el @returns {Hit | null} */
  _withId(el) {
    for (let n = /** @type {Element | null} */ (el); n; n = n.parentElement) {
      const id = this._mirror.idOf(n);
      if (id !== null && id > 0) return { el: n, id };
    }
    return null;
  }

  /** @param {Point} p @returns {Hit | null} */
  _hitAt(p) {
    const raw = this._rawAt(p);
    return raw ? this._withId(raw) : null;
  }

  /**
   * @param {Element} parent @param {string} tag @param {string} cls
   * @returns {SVGElement}
   */
  _svgChild(parent, tag, cls) {
    const el = /** @type {SVGElement} */ (this._doc.createElementNS(SVG_NS, tag));
    if (cls) el.setAttribute('class', cls);
    parent.appendChild(el);
    return el;
  }
}

/**
 * Does this element of the mirror scroll its own content (not the viewport)?
 * @param {Element} el @param {Window} win
 */
function isScroller(el, win) {
  if (el.scrollHeight <= el.clientHeight && el.scrollWidth <= el.clientWidth) return false;
  const cs = win.getComputedStyle(el);
  const scrolls = (/** @type {string} */ v) => v === 'auto' || v === 'scroll' || v === 'overlay';
  return scrolls(cs.overflowY) || scrolls(cs.overflowX);
}

/**
 * @param {SVGRectElement} rect @param {DOMRect} r @param {number} pad
 */
function placeRect(rect, r, pad) {
  rect.setAttribute('x', String(r.left - pad));
  rect.setAttribute('y', String(r.top - pad));
  rect.setAttribute('width', String(Math.max(0, r.width + 2 * pad)));
  rect.setAttribute('height', String(Math.max(0, r.height + 2 * pad)));
}
