// The on-page sharing indicator: a full-viewport border and a bar at the bottom centre of the
// shared tab — "Sharing this tab", what the agent may do now (one chip per capability, each with
// its own revoke button), "Take back control", a navigation the agent proposes (Open / Dismiss),
// and "Stop sharing" at its right end. It lives in a CLOSED shadow root under a <cotab-indicator>
// host in the top layer (popover="manual" + showPopover), so page CSS cannot restyle it, page
// scripts cannot reach into it, and page content cannot be stacked above it. When the page
// removes, restyles or hides the host, the indicator puts itself back.
// No chrome.* here: the content entry (main.js) wires it to the service worker.
//
// TopLayerHost (below) is that host machinery on its own; the annotation overlay (overlay.js)
// uses it too, one rank lower, so the indicator always ends up above the agent's drawings.

import { CAPABILITIES } from '../common/app.js';
import { LIMITS } from '../dist/protocol.js';

/** @typedef {typeof CAPABILITIES[number]} Capability */

/** Tag of the host element (part of the UI contract: tests find the indicator by it). */
export const INDICATOR_TAG = 'cotab-indicator';
/** Width of the Stop button in CSS px: it is the rightmost part of the host's box, over the host's
 * full height, whatever else the bar shows (tests and the e2e suite click it there). */
export const STOP_BUTTON_WIDTH_PX = 96;
/** At most this many repairs or raises (re-attach / re-show) per second and host; a page fighting
 * the indicator in a tight loop must not freeze its own tab. Further ones wait for the next second. */
export const MAX_REPAIRS_PER_SECOND = 20;
/** How often the indicator checks that it is still in the top layer and visible. */
export const WATCHDOG_INTERVAL_MS = 1000;
/** Buttons that accept something for the customer (Open of a proposed page) ignore clicks for this
 * long after they appear or move: a page cannot make the customer click one by showing it under a
 * pointer that was already on its way to click something else (clickjacking). Buttons that take
 * rights away (revoke, Take back control, Stop) act at once. */
export const ARM_DELAY_MS = 600;
/** Longest proposed URL (app_max_url_chars); the service worker refuses longer ones before. */
export const MAX_URL_CHARS = LIMITS.app_max_url_chars;
/** What each capability is called on the chips (`view`, the join's consent, is "Can see"). */
export const CAP_LABELS = Object.freeze(
  /** @type {Record<Capability, string>} */ ({ annotate: 'Point & draw', scroll: 'Scroll', type: 'Type', navigate: 'Open pages', click: 'Click' }),
);
export const VIEW_LABEL = 'Can see';

/** Stacking rank of each of our top-layer hosts: a higher rank stays above a lower one. */
export const RANK_OVERLAY = 1;
export const RANK_INDICATOR = 2;

/** Our hosts and their ranks: a toggle of one of them is not "the page covering us". Module-level,
 * so the overlay and the indicator of one content script see each other (same bundle). */
const ownHosts = /** @type {WeakMap<Element, number>} */ (new WeakMap());

/**
 * One element of ours in the top layer, in a closed shadow root, repaired when the page removes,
 * moves, restyles or hides it, and raised again when something else enters the top layer above it.
 */
export class TopLayerHost {
  /**
   * @param {{doc: Document, tag: string, rank: number, declarations: string[], css: string,
   *   onAttach?: () => void}} opts  `declarations`: the host's own style (each made !important);
   *   `css`: the shadow tree's style sheet; `onAttach`: after every (re-)attach.
   */
  constructor(opts) {
    this.doc = opts.doc;
    this.rank = opts.rank;
    this.onAttach = opts.onAttach ?? (() => {});
    this.hostStyle = opts.declarations.map((d) => d + ' !important').join('; ');
    // Created in a document without a browsing context, so no custom element definition applies:
    // a page that defined <cotab-indicator> itself (its constructor attaching an open shadow root,
    // or disabling shadows) would otherwise make our attachShadow throw — no indicator at all.
    // Inserted into the page, the element is upgraded at most; that fails on our existing shadow.
    const inert = this.doc.implementation.createHTMLDocument('');
    /** @type {HTMLElement} */
    this.host = inert.createElement(opts.tag);
    /** The closed root: only the owner of this object can reach it. */
    this.shadow = this.host.attachShadow({ mode: 'closed' });
    // The host's style, every declaration !important, twice: as the closed shadow root's `:host`
    // rule (important declarations of a shadow tree win over every important declaration outside
    // it, the page's inline styles included) and as the host's inline style (the observer puts it
    // back if the page edits it).
    const style = this.doc.createElement('style');
    style.textContent = `:host { ${this.hostStyle}; }\n${opts.css}`;
    this.shadow.append(style);
    ownHosts.set(this.host, this.rank);

    this.active = false;
    this.repairsThisSecond = 0;
    this.repairWindowStart = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.deferred = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.watchdog = null;
    /** @type {Element | null} */
    this.observedRoot = null;
    this.observer = new MutationObserver(() => this.repair());
    this.onToggle = (/** @type {Event} */ event) => this.handleToggle(event);
    this.onFullscreen = () => {
      if (this.active && this.doc.fullscreenElement) this.requestRaise();
    };
  }

  /** @param {Node} node */
  isOwnNode(node) {
    return node === this.host;
  }

  show() {
    if (this.active) return;
    this.active = true;
    this.attach();
    // Another popover or dialog entering the top layer would sit above ours: raise ours again.
    this.doc.addEventListener('toggle', this.onToggle, true);
    this.doc.addEventListener('fullscreenchange', this.onFullscreen, true);
    this.watchdog = setInterval(() => this.repair(), WATCHDOG_INTERVAL_MS);
  }

  remove() {
    if (!this.active) return;
    this.active = false;
    this.observer.disconnect();
    this.observedRoot = null;
    this.doc.removeEventListener('toggle', this.onToggle, true);
    this.doc.removeEventListener('fullscreenchange', this.onFullscreen, true);
    if (this.watchdog !== null) clearInterval(this.watchdog);
    if (this.deferred !== null) clearTimeout(this.deferred);
    this.watchdog = null;
    this.deferred = null;
    try {
      if (this.host.matches(':popover-open')) this.host.hidePopover();
    } catch {
      // not in the top layer any more
    }
    this.host.remove();
  }

  /** Puts the host where it belongs, with its own attributes, shown in the top layer. */
  attach() {
    const root = this.doc.documentElement;
    if (!root) return;
    for (const name of this.host.getAttributeNames()) {
      if (name !== 'style' && name !== 'popover') this.host.removeAttribute(name);
    }
    if (this.host.getAttribute('style') !== this.hostStyle) this.host.setAttribute('style', this.hostStyle);
    if (this.host.getAttribute('popover') !== 'manual') this.host.setAttribute('popover', 'manual');
    if (this.host.parentNode !== root || root.lastElementChild !== this.host) root.append(this.host);
    if (this.observedRoot !== root) {
      // A replaced documentElement: watch the new one (the watchdog found it).
      this.observer.disconnect();
      // childList of <html>: the host removed; attributes of the host: restyled or un-popovered.
      this.observer.observe(root, { childList: true });
      this.observer.observe(this.host, { attributes: true });
      this.observedRoot = root;
    }
    this.raise();
    this.onAttach();
  }

  /** (Re-)enters the top layer; showing again puts it above anything shown since. */
  raise() {
    try {
      if (this.host.matches(':popover-open')) this.host.hidePopover();
      this.host.showPopover();
    } catch {
      // Not connected (the next repair attaches it) or the page's document is going away.
    }
  }

  /** @returns {boolean} true when the host is not as it should be */
  broken() {
    const root = this.doc.documentElement;
    return (
      !root ||
      this.host.parentNode !== root ||
      this.host.getAttribute('style') !== this.hostStyle ||
      this.host.getAttribute('popover') !== 'manual' ||
      this.host.getAttributeNames().length !== 2 ||
      !this.host.matches(':popover-open')
    );
  }

  repair() {
    if (!this.active || !this.broken()) return;
    if (this.spend()) this.attach();
  }

  /** Raises the host unless this second's budget is spent (then the deferred pass does it). */
  requestRaise() {
    if (!this.active) return;
    if (this.spend()) this.raise();
  }

  /** Takes one repair from this second's budget; when it is spent, schedules one pass for the
   * next second and says no. @returns {boolean} */
  spend() {
    const now = Date.now();
    if (now - this.repairWindowStart >= 1000) {
      this.repairWindowStart = now;
      this.repairsThisSecond = 0;
    }
    if (this.repairsThisSecond < MAX_REPAIRS_PER_SECOND) {
      this.repairsThisSecond++;
      return true;
    }
    if (this.deferred === null) {
      this.deferred = setTimeout(() => {
        this.deferred = null;
        if (this.broken()) this.repair();
        else this.requestRaise();
      }, 1000 - (now - this.repairWindowStart));
    }
    return false;
  }

  /** @param {Event} event */
  handleToggle(event) {
    // Only the browser's own toggles say the top layer changed; a page can dispatch fake ones.
    if (!this.active || !event.isTrusted) return;
    const newState = /** @type {{newState?: unknown}} */ (event).newState;
    const target = /** @type {Element} */ (event.target);
    if (target === this.host) {
      if (newState === 'closed') queueMicrotask(() => this.repair());
      return;
    }
    if (newState !== 'open') return;
    // Our own higher-ranked host rising above us is how it should be; raising over it in turn
    // would have the two take turns for ever.
    const rank = ownHosts.get(target);
    if (rank !== undefined && rank > this.rank) return;
    this.requestRaise();
  }
}

const BAR_MIN_HEIGHT_PX = 40;
const BOTTOM_GAP_PX = 16;
const SIDE_GAP_PX = 8;
const ACCENT = '#e8590c';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

const HOST_DECLARATIONS = [
  'all: initial',
  'display: block',
  'position: fixed',
  'inset: auto 0 ' + BOTTOM_GAP_PX + 'px 0',
  'margin: 0 auto',
  'padding: 0',
  'border: 0',
  'width: max-content',
  'height: auto',
  'min-height: ' + BAR_MIN_HEIGHT_PX + 'px',
  // Never wider than the viewport: the chips wrap instead (an 800 px window still shows it all).
  'max-width: calc(100vw - ' + 2 * SIDE_GAP_PX + 'px)',
  'max-height: none',
  'overflow: visible',
  'background: transparent',
  'color: inherit',
  'opacity: 1',
  'visibility: visible',
  'transform: none',
  'filter: none',
  'clip-path: none',
  'pointer-events: auto',
  'z-index: 2147483647',
  'contain: none',
];

// Inside the shadow tree nothing of the page applies but inheritance from the host (reset by its
// `all: initial`); `all: initial` on our own elements drops the UA's button styles too.
const SHADOW_CSS = `
[hidden] { display: none !important; }
.frame {
  all: initial;
  position: fixed; inset: 0;
  border: 3px solid ${ACCENT};
  box-sizing: border-box;
  pointer-events: none;
}
.bar {
  all: initial;
  box-sizing: border-box;
  display: flex; align-items: stretch;
  min-height: ${BAR_MIN_HEIGHT_PX}px;
  font: 500 13px/1.2 ${FONT};
  color: #fff;
  background: #1f2328;
  border-radius: 10px;
  box-shadow: 0 6px 24px rgba(0,0,0,.28), 0 0 0 1px rgba(255,255,255,.08) inset;
  overflow: hidden;
  user-select: none;
}
.main {
  all: initial;
  box-sizing: border-box;
  display: flex; flex-direction: column; justify-content: center; gap: 6px;
  min-width: 0; flex: 1 1 auto;
  padding: 6px 10px 6px 14px;
  font: inherit; color: inherit;
}
.row {
  all: initial;
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px;
  font: inherit; color: inherit;
}
.label {
  all: initial;
  display: flex; align-items: center; gap: 8px;
  margin-right: 4px;
  font: inherit; color: inherit; white-space: nowrap;
}
.dot {
  all: initial;
  width: 8px; height: 8px; border-radius: 50%;
  background: ${ACCENT};
  box-shadow: 0 0 0 3px rgba(232,89,12,.3);
}
.chips {
  all: initial;
  display: flex; flex-wrap: wrap; align-items: center; gap: 4px;
  font: inherit; color: inherit;
}
.chip {
  all: initial;
  box-sizing: border-box;
  display: inline-flex; align-items: center; gap: 2px;
  height: 22px; padding: 0 8px; border-radius: 11px;
  font: 500 12px/1 ${FONT}; color: #fff; white-space: nowrap;
  background: rgba(255,255,255,.12);
}
.chip.granted { padding-right: 3px; background: rgba(232,89,12,.35); }
button {
  all: initial;
  box-sizing: border-box;
  display: inline-flex; align-items: center; justify-content: center;
  font: 600 12px/1 ${FONT}; color: #fff; white-space: nowrap;
  cursor: pointer;
}
button:focus-visible { outline: 2px solid #fff; outline-offset: -2px; }
.revoke {
  width: 18px; height: 18px; border-radius: 9px;
  font-size: 14px;
  background: transparent;
}
.revoke:hover { background: rgba(255,255,255,.25); }
.takeback {
  height: 24px; padding: 0 10px; border-radius: 6px;
  box-shadow: 0 0 0 1px #fff inset;
}
.takeback:hover { background: rgba(255,255,255,.15); }
.proposal {
  all: initial;
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 8px;
  font: inherit; color: inherit;
}
.ptext { all: initial; font: inherit; color: inherit; white-space: nowrap; }
.url {
  all: initial;
  display: inline-block; flex: 0 1 auto; min-width: 6ch; max-width: 36ch;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; direction: ltr; unicode-bidi: isolate;
  font: 500 12.5px/1.2 ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; color: #fff;
}
.origin { all: initial; font: inherit; font-weight: 700; color: inherit; white-space: inherit; }
.path { all: initial; font: inherit; color: #c9d1d9; white-space: inherit; }
.answers { all: initial; display: inline-flex; gap: 8px; }
.open, .dismiss { height: 24px; padding: 0 12px; border-radius: 6px; }
.open { background: #2f9e44; }
.open:hover { background: #2b8a3e; }
.open[aria-disabled="true"] { opacity: .45; cursor: default; }
.dismiss { box-shadow: 0 0 0 1px rgba(255,255,255,.6) inset; }
.dismiss:hover { background: rgba(255,255,255,.15); }
.stop {
  flex: none;
  width: ${STOP_BUTTON_WIDTH_PX}px;
  font-size: 12.5px;
  background: ${ACCENT};
}
.stop:hover { background: #d9480f; }
.stop:focus-visible { outline-offset: -4px; }
/* Narrow windows: the label shrinks to its dot (the frame and Stop sharing still say it), the
   chips close up, so the whole bar still fits one row at 800 px with every capability granted. */
@media (max-width: 960px) {
  .label .text { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  .label { margin-right: 0; }
  .chip { padding: 0 6px; }
  .chip.granted { padding-right: 2px; }
  .main { padding-left: 12px; padding-right: 8px; }
}
`;

export class Indicator {
  /**
   * @param {{doc: Document, onStop: () => void, onRevoke?: (caps: Capability[]) => void}} opts
   *   `onStop` runs only for a trusted click (a real user's) on the Stop button; `onRevoke` only
   *   for a trusted click on a chip's revoke button (that capability) or on Take back control
   *   (every capability granted then).
   */
  constructor(opts) {
    this.doc = opts.doc;
    this.onStop = opts.onStop;
    this.onRevoke = opts.onRevoke ?? (() => {});
    this.layer = new TopLayerHost({
      doc: this.doc,
      tag: INDICATOR_TAG,
      rank: RANK_INDICATOR,
      declarations: HOST_DECLARATIONS,
      css: SHADOW_CSS,
      // Back after the page removed or hid it: an Open button that reappears under the pointer is
      // exactly what the arming delay is for.
      onAttach: () => {
        if (this.proposal) this.armOpen();
      },
    });
    /** The host element (in the page's DOM; its content is in the closed shadow root). */
    this.host = this.layer.host;
    /** @type {Capability[]} what the agent may do now, in CAPABILITIES order */
    this.granted = [];
    /** @type {{url: string, onAnswer: (accepted: boolean) => void} | null} */
    this.proposal = null;
    this.openArmedAt = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.armTimer = null;

    const el = (/** @type {string} */ tag, /** @type {string} */ className, /** @type {string} */ text = '') => {
      const e = this.doc.createElement(tag);
      e.className = className;
      if (text) e.textContent = text;
      return e;
    };
    const frame = el('div', 'frame');
    const bar = el('div', 'bar');
    bar.setAttribute('role', 'region');
    bar.setAttribute('aria-label', 'Cotab: this tab is shared');
    const main = el('div', 'main');

    // The proposal row (above the status row, hidden until the agent proposes a page).
    this.proposalRow = el('div', 'proposal');
    this.proposalRow.setAttribute('role', 'group');
    this.proposalRow.setAttribute('aria-label', 'Page suggested by your agent');
    this.proposalRow.hidden = true;
    this.urlText = el('span', 'url');
    this.urlText.id = 'cotab-proposed-url';
    this.urlOrigin = el('span', 'origin');
    this.urlPath = el('span', 'path');
    this.urlText.append(this.urlOrigin, this.urlPath);
    this.openButton = /** @type {HTMLButtonElement} */ (el('button', 'open', 'Open'));
    this.openButton.type = 'button';
    this.openButton.setAttribute('aria-describedby', this.urlText.id);
    this.openButton.addEventListener('click', (event) => {
      if (!event.isTrusted) return;
      event.stopPropagation();
      if (performance.now() < this.openArmedAt) return;
      this.answer(true);
    });
    const dismiss = /** @type {HTMLButtonElement} */ (el('button', 'dismiss', 'Dismiss'));
    dismiss.type = 'button';
    dismiss.setAttribute('aria-describedby', this.urlText.id);
    dismiss.addEventListener('click', (event) => {
      if (!event.isTrusted) return;
      event.stopPropagation();
      this.answer(false);
    });
    const ptext = el('span', 'ptext', 'Your agent suggests opening');
    const answers = el('span', 'answers');
    answers.append(this.openButton, dismiss);
    this.proposalRow.append(ptext, this.urlText, answers);
    this.proposalRow.setAttribute('aria-live', 'polite');

    // The status row: label, chips, Take back control.
    const row = el('div', 'row');
    const label = el('span', 'label');
    label.append(el('span', 'dot'), el('span', 'text', 'Sharing this tab'));
    this.chips = el('span', 'chips');
    this.chips.setAttribute('role', 'list');
    this.chips.setAttribute('aria-label', 'What your agent can do');
    this.takeBack = /** @type {HTMLButtonElement} */ (el('button', 'takeback', 'Take back control'));
    this.takeBack.type = 'button';
    this.takeBack.addEventListener('click', (event) => {
      if (!event.isTrusted) return;
      event.stopPropagation();
      this.revoke(this.granted);
    });
    row.append(label, this.chips, this.takeBack);
    main.append(this.proposalRow, row);

    const stop = el('button', 'stop', 'Stop sharing');
    /** @type {HTMLButtonElement} */ (stop).type = 'button';
    stop.addEventListener('click', (event) => {
      // A script's synthetic click (element.click(), dispatchEvent) is not trusted: ignore it.
      if (!event.isTrusted) return;
      event.stopPropagation();
      this.onStop();
    });
    bar.append(main, stop);
    this.layer.shadow.append(frame, bar);
    this.renderCaps();
  }

  /** True for the indicator's own node: the Recorder skips it (and with it the whole subtree). */
  isOwnNode(/** @type {Node} */ node) {
    return this.layer.isOwnNode(node);
  }

  show() {
    this.layer.show();
  }

  /** Takes the indicator away; an open proposal goes with it (unanswered: the session is over). */
  remove() {
    this.layer.remove();
    this.closeProposal();
  }

  /**
   * Shows what the agent may do now. Unknown names are ignored (the set is closed in app version 1).
   * A proposal open while `navigate` is no longer granted is taken away (unanswered: whoever
   * revoked it answers the pending `nav` with `revoked`).
   * @param {readonly string[]} granted
   */
  setCaps(granted) {
    if (!Array.isArray(granted)) throw new TypeError('setCaps: granted must be an array of capabilities');
    const next = CAPABILITIES.filter((c) => granted.includes(c));
    if (next.length === this.granted.length && next.every((c, i) => c === this.granted[i])) return;
    this.granted = next;
    this.renderCaps();
    if (this.proposal && !next.includes('navigate')) this.closeProposal();
  }

  /**
   * Shows "Your agent suggests opening <url>" with Open / Dismiss. `onAnswer(true)` runs on a
   * trusted click on Open once it is armed (ARM_DELAY_MS), `onAnswer(false)` on Dismiss; either
   * closes the proposal. cancelProposal() and revoking `navigate` close it without an answer.
   * @param {string} url  an absolute URL, already checked by the caller (firewall)
   * @param {(accepted: boolean) => void} onAnswer
   * @returns {boolean} false when nothing is shown: a proposal is already open, or the indicator
   *   itself is not shown
   */
  proposeNavigation(url, onAnswer) {
    if (typeof url !== 'string' || url.length > MAX_URL_CHARS || typeof onAnswer !== 'function') {
      throw new TypeError(`proposeNavigation: a URL of at most ${MAX_URL_CHARS} characters and a callback`);
    }
    /** @type {URL} */
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      throw new TypeError('proposeNavigation: not an absolute URL');
    }
    if (this.proposal || !this.layer.active) return false;
    this.proposal = { url, onAnswer };
    // The origin in bold and first (punycode, as the URL parser gives it): what the customer
    // needs to judge is where it goes; a long path is cut at the end, never the host.
    this.urlOrigin.textContent = parsed.origin === 'null' ? parsed.protocol : parsed.origin;
    this.urlPath.textContent = parsed.origin === 'null' ? url.slice(parsed.protocol.length) : url.slice(parsed.origin.length);
    this.urlText.title = url;
    this.openButton.setAttribute('aria-label', `Open ${url.slice(0, 200)}`);
    this.proposalRow.hidden = false;
    this.armOpen();
    return true;
  }

  /** Closes the open proposal without answering. @returns {boolean} whether one was open */
  cancelProposal() {
    return this.closeProposal();
  }

  // — internals —

  renderCaps() {
    /** @type {HTMLElement[]} */
    const chips = [this.chip(VIEW_LABEL, null)];
    for (const cap of this.granted) chips.push(this.chip(CAP_LABELS[cap], cap));
    this.chips.replaceChildren(...chips);
    this.takeBack.hidden = this.granted.length === 0;
    // The bar changed size, so Open may have moved under the pointer.
    if (this.proposal) this.armOpen();
  }

  /** @param {string} text @param {Capability | null} cap  null: "Can see", not revocable here (that is Stop) */
  chip(text, cap) {
    const chip = this.doc.createElement('span');
    chip.className = cap ? 'chip granted' : 'chip';
    chip.setAttribute('role', 'listitem');
    chip.append(this.doc.createTextNode(text));
    if (cap) {
      const x = this.doc.createElement('button');
      x.className = 'revoke';
      x.type = 'button';
      x.textContent = '×';
      x.setAttribute('aria-label', `Revoke: ${text}`);
      x.title = `Revoke: ${text}`;
      x.addEventListener('click', (event) => {
        if (!event.isTrusted) return;
        event.stopPropagation();
        this.revoke([cap]);
      });
      chip.append(x);
    }
    return chip;
  }

  /** The customer took capabilities back: the chips go at once, then the owner hears of it.
   * @param {readonly Capability[]} caps */
  revoke(caps) {
    const taken = this.granted.filter((c) => caps.includes(c));
    if (taken.length === 0) return;
    this.setCaps(this.granted.filter((c) => !taken.includes(c)));
    this.onRevoke(taken);
  }

  armOpen() {
    this.openArmedAt = performance.now() + ARM_DELAY_MS;
    this.openButton.setAttribute('aria-disabled', 'true');
    if (this.armTimer !== null) clearTimeout(this.armTimer);
    this.armTimer = setTimeout(() => {
      this.armTimer = null;
      this.openButton.removeAttribute('aria-disabled');
    }, ARM_DELAY_MS);
  }

  /** @param {boolean} accepted */
  answer(accepted) {
    const proposal = this.proposal;
    if (!proposal) return;
    this.closeProposal();
    proposal.onAnswer(accepted);
  }

  closeProposal() {
    if (!this.proposal) return false;
    this.proposal = null;
    this.proposalRow.hidden = true;
    this.urlOrigin.textContent = '';
    this.urlPath.textContent = '';
    this.urlText.title = '';
    if (this.armTimer !== null) clearTimeout(this.armTimer);
    this.armTimer = null;
    return true;
  }
}
