// The ActionRunner: the agent's actions (app.md §7.3) carried out on the customer's page, each
// one only after the firewall (firewall.js) said yes, and as a real user's input would arrive:
//
// - scroll: the window (id 0) or a scroll container, to a position clamped to what it can reach;
// - type: focus the field, then one character per task: keydown, keypress, beforeinput, the
//   insertion, input, keyup. The insertion is the browser's own editing command
//   (document.execCommand 'insertText'), so the `input` event is the browser's, the caret, undo,
//   maxlength and number filtering are the browser's, and frameworks that track values (React's
//   controlled inputs) see a real edit — nothing sets `.value` from script. A page that cancels
//   keydown, keypress or beforeinput (editors that do their own insertion) gets its way, as with a
//   user. "\n" is a line break in a textarea or contenteditable, without an Enter keydown (pages
//   send on it), and refused (`submit`) in a single-line field;
// - key: Backspace/Delete (deleteContentBackward/Forward), arrows, Home, End (caret moves), Tab
//   (focus moves to the next field), Escape, and Enter as above;
// - select: the option set, then input and change, as Chrome fires them when the user picks one;
// - check: a click on the checkbox, radio or ARIA switch (React listens to click for checkboxes);
// - click: pointerdown, mousedown, pointerup, mouseup, click at the element's centre, the firewall
//   asked again right before the click (the page's handlers may have moved things meanwhile).
//
// Acts run one at a time, in order. Each ends in exactly one onDone or onRefused. While an act's
// events are dispatched — and for GUARD_SETTLE_MS after the last, when the page's handlers may
// still call form.submit() from a timer or a resolved promise — the guard is armed; whatever it
// caught turns the act into a refusal (`submit`, `origin`, `finalizing`, `masked`). cancel()
// drops queued and running acts of the revoked capabilities at once: typing stops between two
// characters. While the guard is armed the customer's own submits are held too (a few ms per
// act, the length of a text while typing): the guard cannot tell whose a submission is.
//
// Between two characters the page runs: if the focus moved away (the customer clicked elsewhere),
// typing stops rather than follow it; if the page moved the focus itself while our events were
// being dispatched (fields that auto-advance), typing follows when the firewall allows the new
// field. The firewall is asked again before every character.

import { LIMITS } from '../dist/protocol.js';
import {
  checkCheck, checkClick, checkEditable, checkScroll, checkSelect, describeElement, editableKind, editingHost,
  findOption, interactionProblem, scrollRange,
} from './firewall.js';

/** @typedef {import('../common/app.js').ActMsg} ActMsg */
/** @typedef {import('../common/app.js').RefusalReason} RefusalReason */
/** @typedef {import('./firewall.js').FirewallContext} FirewallContext */
/** @typedef {import('./firewall.js').Verdict} Verdict */
/** @typedef {{arm(): void, disarm(): void, blocked(): string | null}} GuardLike */
/** @typedef {'input' | 'textarea' | 'contenteditable'} EditKind */

/**
 * @typedef {object} Job
 * @property {ActMsg} act
 * @property {string} cap  the capability it needs
 * @property {boolean} ended
 * @property {boolean} armed  it armed the guard (its events may still have effects)
 * @property {boolean} settled  it ended after its settle time
 * @property {ReturnType<typeof setTimeout> | null} timer
 */

/** Acts waiting behind the running one; more are refused `rate`. Above the burst the content
 * script's token bucket lets through (app_max_actions_per_second), so only a runner stuck behind
 * slow acts (long texts) refuses. */
export const MAX_QUEUED_ACTS = 64;
/** How long the guard stays armed after an act's last event, before it is `done`: the page's
 * handlers may submit from a timer or a promise. */
export const GUARD_SETTLE_MS = 30;
/** Longest text of one `type` act (app.md §7.3; the validators refuse longer already). */
export const MAX_TYPE_CHARS = LIMITS.app_max_type_chars;

/** The capability each action needs (app.md §7.3). */
const CAPABILITY_OF = Object.freeze({ scroll: 'scroll', type: 'type', key: 'type', select: 'type', check: 'type', click: 'click' });
/** Control characters a `type` text may not carry ("\n", "\r" and "\t" may). */
const TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/** keyCode of the named keys (what pages that still read keyCode expect). */
const KEY_CODES = Object.freeze({
  Backspace: 8, Tab: 9, Enter: 13, Escape: 27, End: 35, Home: 36, ArrowLeft: 37, ArrowUp: 38, ArrowRight: 39,
  ArrowDown: 40, Delete: 46,
});
/** Caret moves as Selection.modify arguments. */
const CARET_MOVES = Object.freeze({
  ArrowLeft: ['backward', 'character'], ArrowRight: ['forward', 'character'], ArrowUp: ['backward', 'line'],
  ArrowDown: ['forward', 'line'], Home: ['backward', 'lineboundary'], End: ['forward', 'lineboundary'],
});
/** Elements Tab can move the focus to (filtered further in nextFocusable). */
const FOCUSABLE = 'a[href],area[href],button,input,select,textarea,iframe,summary,[tabindex],[contenteditable]';

/** What a guard report means for the agent. */
const BLOCKED_DETAIL = Object.freeze({
  submit: 'the page tried to submit a form',
  origin: 'the page tried to leave the allowed origins or open a window',
  finalizing: 'the page tried to click a control the agent may not',
  masked: 'the page tried to click a masked control',
});

export class ActionRunner {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {(id: number) => Node | null} opts.resolve  a mirror id to its node (current epoch)
   * @param {() => FirewallContext} opts.context  asked before every event
   * @param {GuardLike | null} opts.guard
   * @param {(n: number) => void} opts.onDone
   * @param {(n: number, a: string, why: RefusalReason, detail: string) => void} opts.onRefused
   */
  constructor(opts) {
    this._doc = opts.doc;
    this._resolve = opts.resolve;
    this._context = opts.context;
    this._guard = opts.guard;
    this._onDone = opts.onDone;
    this._onRefused = opts.onRefused;
    /** @type {Job[]} */
    this._queue = [];
    /** @type {Job | null} */
    this._current = null;
    this._pumping = false;
    this._destroyed = false;
    this._armed = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this._disarmTimer = null;
    // The next character is a task of its own (the page runs in between, and cancel() can land
    // there), posted on a private channel: timers are clamped to 4 ms when nested and throttled to
    // one a second in a background tab.
    this._channel = new MessageChannel();
    /** @type {Map<number, () => void>} */
    this._tasks = new Map();
    this._taskSeq = 0;
    this._channel.port1.onmessage = (event) => {
      const task = this._tasks.get(event.data);
      this._tasks.delete(event.data);
      task?.();
    };
  }

  /** Acts queued or running (diagnostics). */
  get pending() {
    return this._queue.length + (this._current ? 1 : 0);
  }

  /**
   * Runs an act (shape-validated; capability, epoch and rate checked by the caller), after the
   * ones already queued. May answer before it returns.
   * @param {ActMsg} act
   */
  run(act) {
    const n = act.n;
    const a = act.a;
    if (this._destroyed) {
      this._report(n, a, { ok: false, why: 'revoked', detail: 'assistance has ended' });
      return;
    }
    const cap = Object.hasOwn(CAPABILITY_OF, a) ? CAPABILITY_OF[/** @type {keyof typeof CAPABILITY_OF} */ (a)] : null;
    if (cap === null) {
      this._report(n, a, { ok: false, why: 'invalid', detail: `“${String(a).slice(0, 20)}” is not an action on the page` });
      return;
    }
    if (this._queue.length >= MAX_QUEUED_ACTS) {
      this._report(n, a, { ok: false, why: 'rate', detail: `more than ${MAX_QUEUED_ACTS} actions waiting` });
      return;
    }
    this._queue.push({ act, cap, ended: false, armed: false, settled: false, timer: null });
    this._pump();
  }

  /**
   * Drops every queued and running act that needs one of these capabilities, each refused
   * `revoked`, before this returns.
   * @param {readonly string[]} caps
   */
  cancel(caps) {
    const revoked = new Set(caps);
    /** @type {Job[]} */
    const dropped = [];
    const current = this._current;
    if (current && revoked.has(current.cap)) {
      dropped.push(current);
      this._current = null;
    }
    this._queue = this._queue.filter((job) => {
      if (!revoked.has(job.cap)) return true;
      dropped.push(job);
      return false;
    });
    this._pumping = true;
    try {
      for (const job of dropped) this._end(job, { ok: false, why: 'revoked', detail: 'the customer took back control' });
    } finally {
      this._pumping = false;
    }
    this._pump();
  }

  /** Drops everything (refused `revoked`); later acts are refused too. */
  destroy() {
    if (this._destroyed) return;
    this._destroyed = true;
    const jobs = this._current ? [this._current, ...this._queue] : [...this._queue];
    this._current = null;
    this._queue = [];
    for (const job of jobs) this._end(job, { ok: false, why: 'revoked', detail: 'assistance has ended' });
    if (this._disarmTimer !== null) clearTimeout(this._disarmTimer);
    this._disarmTimer = null;
    if (this._armed) this._guard?.disarm();
    this._armed = false;
    this._tasks.clear();
    this._channel.port1.close();
  }

  /** Runs `fn` in a task of its own, soon. @param {() => void} fn */
  _nextTask(fn) {
    const seq = ++this._taskSeq;
    this._tasks.set(seq, fn);
    this._channel.port2.postMessage(seq);
  }

  // ---------------------------------------------------------------------------------------------
  // Queue and answers.

  _pump() {
    if (this._pumping) return;
    this._pumping = true;
    try {
      while (!this._current && this._queue.length > 0 && !this._destroyed) {
        const job = /** @type {Job} */ (this._queue.shift());
        this._current = job;
        this._start(job);
      }
    } finally {
      this._pumping = false;
    }
  }

  /** @param {Job} job */
  _start(job) {
    try {
      const act = job.act;
      switch (act.a) {
        case 'scroll': return this._scroll(job, act);
        case 'click': return this._click(job, act);
        case 'type': return this._type(job, act);
        case 'key': return this._key(job, act);
        case 'select': return this._select(job, act);
        case 'check': return this._check(job, act);
        default: return this._end(job, { ok: false, why: 'invalid', detail: 'not an action on the page' });
      }
    } catch (err) {
      // Our own code met a DOM it did not expect; the act still gets its one answer.
      console.error('cotab: action failed', err);
      this._end(job, { ok: false, why: 'invalid', detail: 'the action failed on this page' });
    }
  }

  /**
   * The act's one answer. Later calls for the same act do nothing.
   * @param {Job} job
   * @param {Verdict} verdict
   */
  _end(job, verdict) {
    if (job.ended) return;
    job.ended = true;
    if (job.timer !== null) clearTimeout(job.timer);
    job.timer = null;
    if (this._current === job) this._current = null;
    // An act that ended before its settle time (refused mid-dispatch, revoked) may still have
    // handlers about to submit from a timer: the guard stays armed a little longer.
    if (!this._current && this._queue.length === 0) this._idle(job.armed && !job.settled);
    this._report(job.act.n, job.act.a, verdict);
    this._pump();
  }

  /**
   * @param {number} n
   * @param {string} a
   * @param {Verdict} verdict
   */
  _report(n, a, verdict) {
    try {
      if (verdict.ok) this._onDone(n);
      else this._onRefused(n, a, verdict.why, verdict.detail);
    } catch (err) {
      console.error('cotab: action answer failed', err);
    }
  }

  /** @returns {FirewallContext} */
  _ctx() {
    try {
      return this._context();
    } catch {
      // Without a context nothing is known to be safe: everything counts as masked.
      return { allowedOrigins: [], finalizeSelectors: [], pageUrl: '', isMasked: () => true };
    }
  }

  /** @param {number} id @returns {Node | null} */
  _node(id) {
    let node = null;
    try {
      node = this._resolve(id);
    } catch {
      return null;
    }
    if (!node || typeof node !== 'object') return null;
    // A node of another document (a frame's) is nothing the Recorder named.
    if (node !== this._doc && node.ownerDocument !== this._doc) return null;
    return node;
  }

  /**
   * The element the act names, once the firewall's `check` lets the agent act on it; otherwise
   * the act ends with the firewall's refusal.
   * @param {Job} job
   * @param {number} id
   * @param {(target: unknown, ctx: FirewallContext) => Verdict} check
   * @returns {Element | null}
   */
  _vetted(job, id, check) {
    const node = this._node(id);
    const verdict = check(node, this._ctx());
    if (!verdict.ok) {
      this._end(job, verdict);
      return null;
    }
    return /** @type {Element} */ (node);
  }

  // ---------------------------------------------------------------------------------------------
  // The guard.

  /** @param {Job} job */
  _arm(job) {
    job.armed = true;
    if (!this._guard) return;
    if (this._disarmTimer !== null) clearTimeout(this._disarmTimer);
    this._disarmTimer = null;
    this._guard.arm();
    this._armed = true;
  }

  /**
   * Nothing runs any more: disarm now, or after GUARD_SETTLE_MS (a hold already running is kept).
   * @param {boolean} hold
   */
  _idle(hold) {
    if (!this._armed || !this._guard) return;
    if (this._disarmTimer !== null) {
      if (!hold) return;
      clearTimeout(this._disarmTimer);
    }
    this._disarmTimer = null;
    if (hold) {
      this._disarmTimer = setTimeout(() => {
        this._disarmTimer = null;
        if (this._current || this._queue.length) return;
        this._armed = false;
        this._guard?.disarm();
      }, GUARD_SETTLE_MS);
      return;
    }
    this._armed = false;
    this._guard.disarm();
  }

  /** What the guard caught since the act began, as a refusal. @returns {Verdict | null} */
  _caught() {
    const b = this._guard ? this._guard.blocked() : null;
    if (b === null) return null;
    const why = b === 'origin' || b === 'finalizing' || b === 'masked' ? b : 'submit';
    return { ok: false, why, detail: BLOCKED_DETAIL[why] };
  }

  /**
   * Ends the act after the settle time (or now without a guard) with `verdict()`, unless the guard
   * caught something meanwhile.
   * @param {Job} job
   * @param {() => Verdict} verdict
   */
  _settle(job, verdict) {
    if (job.ended) return;
    const finish = () => {
      if (job.ended) return;
      job.timer = null;
      job.settled = true;
      this._end(job, this._caught() ?? verdict());
    };
    if (!this._guard) {
      finish();
      return;
    }
    job.timer = setTimeout(finish, GUARD_SETTLE_MS);
  }

  /**
   * After dispatching: stop the act when it was cancelled meanwhile or the guard caught something.
   * @param {Job} job
   * @returns {boolean} the act goes on
   */
  _goesOn(job) {
    if (job.ended) return false;
    const caught = this._caught();
    if (caught) {
      this._end(job, caught);
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // scroll

  /**
   * @param {Job} job
   * @param {Extract<ActMsg, {a: 'scroll'}>} act
   */
  _scroll(job, act) {
    const target = act.id === 0 ? this._doc : this._node(act.id);
    const verdict = checkScroll(target, this._ctx());
    if (!verdict.ok) return this._end(job, verdict);
    if (!Number.isFinite(act.x) || !Number.isFinite(act.y)) {
      return this._end(job, { ok: false, why: 'invalid', detail: 'not a position' });
    }
    const scroller = /** @type {Element | Document} */ (target);
    const range = scrollRange(scroller);
    const win = this._doc.defaultView;
    if (range.window) {
      if (!win) return this._end(job, { ok: false, why: 'invalid', detail: 'the page has no window' });
      const left = range.x ? clamp(act.x, range.x) : win.scrollX;
      win.scrollTo({ left, top: range.y ? clamp(act.y, range.y) : win.scrollY, behavior: 'instant' });
    } else {
      const el = /** @type {Element} */ (scroller);
      const left = range.x ? clamp(act.x, range.x) : el.scrollLeft;
      el.scrollTo({ left, top: range.y ? clamp(act.y, range.y) : el.scrollTop, behavior: 'instant' });
    }
    this._end(job, { ok: true });
  }

  // ---------------------------------------------------------------------------------------------
  // click and check

  /**
   * @param {Job} job
   * @param {Extract<ActMsg, {a: 'click'}>} act
   */
  _click(job, act) {
    const el = this._vetted(job, act.id, checkClick);
    if (!el) return;
    this._arm(job);
    if (!this._pointerClick(job, el, () => checkClick(el, this._ctx()))) return;
    this._settle(job, () => ({ ok: true }));
  }

  /**
   * @param {Job} job
   * @param {Extract<ActMsg, {a: 'check'}>} act
   */
  _check(job, act) {
    const el = this._vetted(job, act.id, checkCheck);
    if (!el) return;
    const native = el.localName === 'input';
    const state = () => (native ? /** @type {HTMLInputElement} */ (el).checked : el.getAttribute('aria-checked')?.trim() === 'true');
    if (state() === act.c) return this._end(job, { ok: true });
    const isRadio = native ? /** @type {HTMLInputElement} */ (el).type === 'radio' : /radio/.test(el.getAttribute('role') ?? '');
    if (isRadio && !act.c) {
      return this._end(job, { ok: false, why: 'invalid', detail: 'a radio button is unticked by ticking another one' });
    }
    this._arm(job);
    if (!this._pointerClick(job, el, () => checkCheck(el, this._ctx()))) return;
    this._settle(job, () => state() === act.c
      ? { ok: true }
      : { ok: false, why: 'invalid', detail: `the page kept ${describeElement(el, this._ctx().isMasked)} as it was` });
  }

  /**
   * A user's click on el: pointerdown, mousedown (then the focus moves, as the browser's default
   * action would), pointerup, mouseup, the firewall asked again, click.
   * @param {Job} job
   * @param {Element} el
   * @param {() => Verdict} recheck
   * @returns {boolean} the act goes on
   */
  _pointerClick(job, el, recheck) {
    const win = this._doc.defaultView;
    const r = el.getBoundingClientRect();
    const base = {
      bubbles: true, cancelable: true, composed: true, view: win, detail: 1, button: 0,
      clientX: r.left + r.width / 2, clientY: r.top + r.height / 2,
      screenX: (win?.screenX ?? 0) + r.left + r.width / 2, screenY: (win?.screenY ?? 0) + r.top + r.height / 2,
    };
    const pointer = { ...base, pointerId: 1, pointerType: 'mouse', isPrimary: true, width: 1, height: 1 };
    el.dispatchEvent(new PointerEvent('pointerdown', { ...pointer, buttons: 1, pressure: 0.5 }));
    if (!this._goesOn(job)) return false;
    const down = el.dispatchEvent(new MouseEvent('mousedown', { ...base, buttons: 1 }));
    if (!this._goesOn(job)) return false;
    if (down && el.isConnected) {
      const focusable = focusTargetOf(el);
      if (focusable && focusable !== deepActiveElement(this._doc)) focusable.focus({ preventScroll: true });
      if (!this._goesOn(job)) return false;
    }
    el.dispatchEvent(new PointerEvent('pointerup', { ...pointer, buttons: 0, pressure: 0 }));
    if (!this._goesOn(job)) return false;
    el.dispatchEvent(new MouseEvent('mouseup', { ...base, buttons: 0 }));
    if (!this._goesOn(job)) return false;
    const again = recheck();
    if (!again.ok) {
      this._end(job, again);
      return false;
    }
    el.dispatchEvent(new PointerEvent('click', { ...pointer, buttons: 0, pressure: 0 }));
    return this._goesOn(job);
  }

  // ---------------------------------------------------------------------------------------------
  // select

  /**
   * @param {Job} job
   * @param {Extract<ActMsg, {a: 'select'}>} act
   */
  _select(job, act) {
    const select = /** @type {HTMLSelectElement | null} */ (this._vetted(job, act.id, (target, ctx) => checkSelect(target, act.v, ctx)));
    if (!select) return;
    const option = /** @type {HTMLOptionElement} */ (findOption(select, act.v));
    // Picking what is already picked changes nothing and fires nothing.
    if (select.multiple ? option.selected : select.selectedIndex === option.index) return this._end(job, { ok: true });
    this._arm(job);
    if (deepActiveElement(this._doc) !== select) {
      select.focus({ preventScroll: false });
      if (!this._goesOn(job)) return;
    }
    const again = checkSelect(select, act.v, this._ctx());
    if (!again.ok) return this._end(job, again);
    if (select.multiple) option.selected = true;
    else select.selectedIndex = option.index;
    select.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
    if (!this._goesOn(job)) return;
    select.dispatchEvent(new Event('change', { bubbles: true }));
    if (!this._goesOn(job)) return;
    this._settle(job, () => ({ ok: true }));
  }

  // ---------------------------------------------------------------------------------------------
  // type and key

  /**
   * @param {Job} job
   * @param {Extract<ActMsg, {a: 'type'}>} act
   */
  _type(job, act) {
    const el = this._vetted(job, act.id, checkEditable);
    if (!el) return;
    const text = act.text;
    if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TYPE_CHARS) {
      return this._end(job, { ok: false, why: 'invalid', detail: `text must be 1 to ${MAX_TYPE_CHARS} characters` });
    }
    if (TEXT_CONTROL.test(text)) return this._end(job, { ok: false, why: 'invalid', detail: 'the text contains control characters' });
    const kind = /** @type {EditKind} */ (editableKind(el));
    const chars = Array.from(text.replace(/\r\n?/g, '\n'));
    if (kind === 'input' && chars.includes('\n')) {
      const detail = `a line break in ${describeElement(el, this._ctx().isMasked)} would submit the form`;
      return this._end(job, { ok: false, why: 'submit', detail });
    }
    this._arm(job);
    const edit = this._focusField(job, el, kind);
    if (!edit) return;
    let i = 0;
    const step = () => {
      if (job.ended) return;
      try {
        if (!this._stillEditing(job, edit)) return;
        if (chars[i] === '\n' && edit.kind === 'input') {
          // Typing followed the focus into a single-line field: a line break there submits.
          const detail = `a line break in ${describeElement(edit.el, this._ctx().isMasked)} would submit the form`;
          this._end(job, { ok: false, why: 'submit', detail });
          return;
        }
        this._typeChar(job, edit, chars[i]);
        if (!this._goesOn(job)) return;
        this._followFocus(edit);
        i++;
        if (job.ended) return;
        if (i < chars.length) this._nextTask(step);
        else this._settle(job, () => ({ ok: true }));
      } catch (err) {
        console.error('cotab: typing failed', err);
        this._end(job, { ok: false, why: 'invalid', detail: 'typing failed on this page' });
      }
    };
    step();
  }

  /**
   * @param {Job} job
   * @param {Extract<ActMsg, {a: 'key'}>} act
   */
  _key(job, act) {
    const el = this._vetted(job, act.id, checkEditable);
    if (!el) return;
    const kind = /** @type {EditKind} */ (editableKind(el));
    const key = act.key;
    if (!Object.hasOwn(KEY_CODES, key)) return this._end(job, { ok: false, why: 'invalid', detail: 'not a key the agent may press' });
    if (key === 'Enter' && kind === 'input') {
      return this._end(job, { ok: false, why: 'submit', detail: `Enter in ${describeElement(el, this._ctx().isMasked)} would submit the form` });
    }
    this._arm(job);
    const edit = this._focusField(job, el, kind);
    if (!edit) return;
    if (key === 'Enter') {
      // A line break, without the Enter keydown a chat or search box would send on.
      this._typeChar(job, edit, '\n');
    } else {
      const init = namedKeyInit(key);
      const down = this._keyEvent('keydown', init);
      if (!this._goesOn(job)) return;
      if (down) {
        if (key === 'Backspace' || key === 'Delete') {
          const forward = key === 'Delete';
          if (this._beforeInput(edit, forward ? 'deleteContentForward' : 'deleteContentBackward', null)) {
            if (!this._goesOn(job)) return;
            this._delete(edit, forward);
          }
        } else if (key === 'Tab') {
          const next = nextFocusable(this._doc, edit.host);
          if (next) next.focus();
        } else if (key !== 'Escape') {
          const [direction, granularity] = CARET_MOVES[/** @type {keyof typeof CARET_MOVES} */ (key)];
          this._doc.getSelection()?.modify('move', direction, granularity);
        }
        if (!this._goesOn(job)) return;
      }
      this._keyEvent('keyup', init);
    }
    if (!this._goesOn(job)) return;
    this._settle(job, () => ({ ok: true }));
  }

  /**
   * Focuses the field (its editing host for a contenteditable) unless it has the focus, and puts
   * the caret at its end then: the agent adds to what is there. A field that has the focus keeps
   * its caret (the customer's or the agent's last position).
   * @param {Job} job
   * @param {Element} el
   * @param {EditKind} kind
   * @returns {{el: Element, host: HTMLElement, kind: EditKind} | null}  null: the act has ended
   */
  _focusField(job, el, kind) {
    const host = kind === 'contenteditable' ? editingHost(el) : /** @type {HTMLElement} */ (el);
    const edit = { el, host, kind };
    if (deepActiveElement(this._doc) !== host) {
      host.focus();
      if (!this._goesOn(job)) return null;
      if (deepActiveElement(this._doc) !== host) {
        this._end(job, { ok: false, why: 'invalid', detail: `${describeElement(el, this._ctx().isMasked)} does not take the focus` });
        return null;
      }
      this._caretToEnd(edit);
    } else if (kind === 'contenteditable' && !selectionWithin(this._doc, el)) {
      this._caretToEnd(edit);
    }
    return edit;
  }

  /** @param {{el: Element, host: HTMLElement, kind: EditKind}} edit */
  _caretToEnd(edit) {
    const sel = this._doc.getSelection();
    if (edit.kind === 'contenteditable') {
      const range = this._doc.createRange();
      range.selectNodeContents(edit.el);
      range.collapse(false);
      sel?.removeAllRanges();
      sel?.addRange(range);
      return;
    }
    const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (edit.el);
    try {
      const end = field.value.length;
      field.setSelectionRange(end, end);
    } catch {
      // email and number fields have no selection API; the caret still moves like the End key
      sel?.modify('move', 'forward', 'documentboundary');
    }
  }

  /**
   * Before each character: still allowed, still focused where we type?
   * @param {Job} job
   * @param {{el: Element, host: HTMLElement, kind: EditKind}} edit
   */
  _stillEditing(job, edit) {
    const verdict = checkEditable(edit.el, this._ctx());
    if (!verdict.ok) {
      this._end(job, verdict);
      return false;
    }
    const focused = deepActiveElement(this._doc) === edit.host &&
      (edit.kind !== 'contenteditable' || selectionWithin(this._doc, edit.host));
    if (!focused) {
      const detail = `the focus moved away from ${describeElement(edit.el, this._ctx().isMasked)}`;
      this._end(job, { ok: false, why: 'invalid', detail });
      return false;
    }
    return true;
  }

  /**
   * The page moved the focus while our events ran (a field that auto-advances): type on there if
   * the firewall allows it; otherwise the next _stillEditing stops the act.
   * @param {{el: Element, host: HTMLElement, kind: EditKind}} edit
   */
  _followFocus(edit) {
    const active = deepActiveElement(this._doc);
    if (!active || active === edit.host) return;
    if (!checkEditable(active, this._ctx()).ok) return;
    const kind = editableKind(active);
    if (kind === null) return;
    edit.el = active;
    edit.kind = kind;
    edit.host = kind === 'contenteditable' ? editingHost(active) : /** @type {HTMLElement} */ (active);
  }

  /**
   * One character as a user types it. "\n" and "\t" come without key events (Enter and Tab are
   * not what they mean here).
   * @param {Job} job
   * @param {{el: Element, host: HTMLElement, kind: EditKind}} edit
   * @param {string} ch  one code point
   */
  _typeChar(job, edit, ch) {
    if (ch === '\n' || ch === '\t') {
      const type = ch === '\n' ? 'insertLineBreak' : 'insertText';
      if (this._beforeInput(edit, type, ch === '\n' ? null : ch) && this._goesOn(job)) this._insert(edit, type, ch);
      return;
    }
    const init = charKeyInit(ch);
    const down = this._keyEvent('keydown', init);
    if (!this._goesOn(job)) return;
    if (down) {
      const code = /** @type {number} */ (ch.codePointAt(0));
      const press = this._keyEvent('keypress', { ...init, keyCode: code, charCode: code, which: code });
      if (!this._goesOn(job)) return;
      if (press && this._beforeInput(edit, 'insertText', ch) && this._goesOn(job)) this._insert(edit, 'insertText', ch);
      if (!this._goesOn(job)) return;
    }
    this._keyEvent('keyup', init);
  }

  /**
   * A key event on the focused element (where the browser sends keys).
   * @param {string} type
   * @param {KeyboardEventInit} init
   * @returns {boolean} not cancelled
   */
  _keyEvent(type, init) {
    const target = deepActiveElement(this._doc) ?? this._doc.body;
    if (!target) return false;
    const event = new KeyboardEvent(type, { ...init, bubbles: true, cancelable: true, composed: true, view: this._doc.defaultView });
    return target.dispatchEvent(event);
  }

  /**
   * @param {{el: Element, host: HTMLElement, kind: EditKind}} edit
   * @param {string} inputType
   * @param {string | null} data
   * @returns {boolean} not cancelled
   */
  _beforeInput(edit, inputType, data) {
    /** @type {InputEventInit} */
    const init = { inputType, data, bubbles: true, cancelable: true, composed: true, view: this._doc.defaultView };
    if (edit.kind === 'contenteditable') {
      const sel = this._doc.getSelection();
      if (sel && sel.rangeCount > 0) {
        const r = sel.getRangeAt(0);
        const { startContainer, startOffset, endContainer, endOffset } = r;
        init.targetRanges = [new StaticRange({ startContainer, startOffset, endContainer, endOffset })];
      }
    }
    return edit.host.dispatchEvent(new InputEvent('beforeinput', init));
  }

  /**
   * One of the browser's editing commands on the focused field.
   * @param {string} command
   * @param {string} [value]
   * @returns {boolean} it edited (false where the browser refuses it or throws)
   */
  _exec(command, value) {
    try {
      return this._doc.execCommand(command, false, value);
    } catch {
      return false;
    }
  }

  /**
   * The insertion itself: the browser's editing command, or (where it refuses) the same edit by
   * hand with the `input` event the browser would have fired.
   * @param {{el: Element, host: HTMLElement, kind: EditKind}} edit
   * @param {'insertText' | 'insertLineBreak'} inputType
   * @param {string} text
   */
  _insert(edit, inputType, text) {
    if (inputType === 'insertLineBreak' ? this._exec('insertLineBreak') : this._exec('insertText', text)) return;
    if (edit.kind === 'contenteditable') {
      const sel = this._doc.getSelection();
      if (!sel || sel.rangeCount === 0) return;
      const range = sel.getRangeAt(0);
      range.deleteContents();
      const node = inputType === 'insertLineBreak' ? this._doc.createElement('br') : this._doc.createTextNode(text);
      range.insertNode(node);
      range.setStartAfter(node);
      range.collapse(true);
      sel.removeAllRanges();
      sel.addRange(range);
    } else {
      const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (edit.host);
      const start = selectionOf(field);
      if (start) {
        if (field.maxLength >= 0 && field.value.length - (start[1] - start[0]) + text.length > field.maxLength) return;
        field.setRangeText(text, start[0], start[1], 'end');
      } else {
        setNativeValue(field, field.value + text);
      }
    }
    const data = inputType === 'insertText' ? text : null;
    edit.host.dispatchEvent(new InputEvent('input', { inputType, data, bubbles: true, composed: true }));
  }

  /**
   * Backspace / Delete: the browser's delete commands, or the same edit by hand.
   * @param {{el: Element, host: HTMLElement, kind: EditKind}} edit
   * @param {boolean} forward
   */
  _delete(edit, forward) {
    if (this._exec(forward ? 'forwardDelete' : 'delete')) return;
    if (edit.kind === 'contenteditable') {
      const sel = this._doc.getSelection();
      if (!sel || sel.rangeCount === 0) return;
      if (sel.isCollapsed) sel.modify('extend', forward ? 'forward' : 'backward', 'character');
      sel.deleteFromDocument();
    } else {
      const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (edit.host);
      const sel = selectionOf(field);
      const v = field.value;
      if (sel) {
        let [s, e] = sel;
        if (s === e) {
          if (forward) e = Math.min(v.length, e + (isHighSurrogate(v.charCodeAt(e)) ? 2 : 1));
          else s = Math.max(0, s - (isLowSurrogate(v.charCodeAt(s - 1)) ? 2 : 1));
        }
        if (s === e) return;
        field.setRangeText('', s, e, 'end');
      } else if (!forward && v.length > 0) {
        setNativeValue(field, Array.from(v).slice(0, -1).join(''));
      } else {
        return;
      }
    }
    const inputType = forward ? 'deleteContentForward' : 'deleteContentBackward';
    edit.host.dispatchEvent(new InputEvent('input', { inputType, data: null, bubbles: true, composed: true }));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** @param {number} v @param {[number, number]} range */
function clamp(v, range) {
  return Math.min(range[1], Math.max(range[0], v));
}

/** @param {number} c */
function isHighSurrogate(c) {
  return c >= 0xd800 && c <= 0xdbff;
}

/** @param {number} c */
function isLowSurrogate(c) {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** The focused element, inside open shadow roots too. @param {Document} doc @returns {HTMLElement | null} */
function deepActiveElement(doc) {
  let a = doc.activeElement;
  while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
  return /** @type {HTMLElement | null} */ (a);
}

/** Is the selection (its anchor) inside el? @param {Document} doc @param {Element} el */
function selectionWithin(doc, el) {
  const sel = doc.getSelection();
  return !!sel && sel.rangeCount > 0 && !!sel.anchorNode && el.contains(sel.anchorNode);
}

/** A field's selection, or null where the type has none (email, number). @param {HTMLInputElement | HTMLTextAreaElement} field
 * @returns {[number, number] | null} */
function selectionOf(field) {
  try {
    const s = field.selectionStart;
    const e = field.selectionEnd;
    return s === null || e === null ? null : [s, e];
  } catch {
    return null;
  }
}

/**
 * Sets a field's value through the prototype's setter, not the element's own property: a
 * framework that wraps the element's `value` (React's value tracker) then sees the change as the
 * user's, as it sees a browser edit.
 * @param {HTMLInputElement | HTMLTextAreaElement} field
 * @param {string} value
 */
function setNativeValue(field, value) {
  const proto = field.localName === 'textarea' ? HTMLTextAreaElement.prototype : HTMLInputElement.prototype;
  Object.getOwnPropertyDescriptor(proto, 'value')?.set?.call(field, value);
}

/**
 * The element a mousedown on el focuses: el or its nearest focusable ancestor.
 * @param {Element} el
 * @returns {HTMLElement | null}
 */
function focusTargetOf(el) {
  for (let e = /** @type {Element | null} */ (el); e; e = e.parentElement) {
    if (e.matches(FOCUSABLE) && 'focus' in e && /** @type {HTMLElement} */ (e).tabIndex >= -1 && !e.matches(':disabled')) {
      return /** @type {HTMLElement} */ (e);
    }
  }
  return null;
}

/**
 * The next element in sequential focus order after `from` (document order among elements with
 * a tabindex of 0 or more that the customer can reach), or null at the end.
 * @param {Document} doc
 * @param {Element} from
 * @returns {HTMLElement | null}
 */
export function nextFocusable(doc, from) {
  const all = doc.querySelectorAll(FOCUSABLE);
  let after = false;
  for (let i = 0; i < all.length; i++) {
    const e = /** @type {HTMLElement} */ (all[i]);
    if (!after) {
      // Past `from` in document order (its own descendants come after it, as with Tab).
      if (e !== from && from.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) after = true;
      else continue;
    }
    if (e.tabIndex < 0 || e.matches(':disabled')) continue;
    if (e.localName === 'input' && /** @type {HTMLInputElement} */ (e).type === 'hidden') continue;
    if (e.hasAttribute('contenteditable') && !e.isContentEditable) continue;
    if (interactionProblem(e) !== null) continue;
    return e;
  }
  return null;
}

/**
 * The key event fields of a typed character.
 * @param {string} ch
 * @returns {KeyboardEventInit}
 */
function charKeyInit(ch) {
  let code = '';
  let keyCode = 0;
  if (/^[a-z]$/i.test(ch)) {
    code = `Key${ch.toUpperCase()}`;
    keyCode = ch.toUpperCase().charCodeAt(0);
  } else if (/^[0-9]$/.test(ch)) {
    code = `Digit${ch}`;
    keyCode = ch.charCodeAt(0);
  } else if (ch === ' ') {
    code = 'Space';
    keyCode = 32;
  }
  return { key: ch, code, keyCode, which: keyCode, shiftKey: ch !== ch.toLowerCase() };
}

/**
 * @param {keyof typeof KEY_CODES} key
 * @returns {KeyboardEventInit}
 */
function namedKeyInit(key) {
  const keyCode = KEY_CODES[key];
  return { key, code: key, keyCode, which: keyCode };
}
