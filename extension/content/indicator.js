// The on-page sharing indicator: a full-viewport border and a bar "Sharing this tab · Stop sharing"
// at the bottom centre of the shared tab. It lives in a CLOSED shadow root under a
// <cotab-indicator> host in the top layer (popover="manual" + showPopover), so page CSS cannot
// restyle it, page scripts cannot reach into it, and page content cannot be stacked above it.
// When the page removes, restyles or hides the host, the indicator puts itself back.
// No chrome.* here: the content entry (main.js) wires it to the service worker.

/** Tag of the host element (part of the UI contract: tests find the indicator by it). */
export const INDICATOR_TAG = 'cotab-indicator';
/** Width of the Stop button in CSS px: it is the rightmost part of the host's box. */
export const STOP_BUTTON_WIDTH_PX = 96;
/** At most this many repairs (re-attach / re-show) per second; a page fighting the indicator in a
 * tight loop must not freeze its own tab. Further repairs wait for the next second. */
export const MAX_REPAIRS_PER_SECOND = 20;
/** How often the indicator checks that it is still in the top layer and visible. */
export const WATCHDOG_INTERVAL_MS = 1000;

const BAR_HEIGHT_PX = 40;
const BOTTOM_GAP_PX = 16;
const ACCENT = '#e8590c';

// The host's style, every declaration !important, twice: as the closed shadow root's `:host` rule
// (important declarations of a shadow tree win over every important declaration outside it, the
// page's inline styles included) and as the host's inline style (the observer puts it back if
// the page edits it).
const HOST_DECLARATIONS = [
  'all: initial',
  'display: block',
  'position: fixed',
  'inset: auto 0 ' + BOTTOM_GAP_PX + 'px 0',
  'margin: 0 auto',
  'padding: 0',
  'border: 0',
  'width: max-content',
  'height: ' + BAR_HEIGHT_PX + 'px',
  'max-width: none',
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
].map((d) => d + ' !important').join('; ');
const HOST_STYLE = HOST_DECLARATIONS;

const SHADOW_CSS = `
:host { ${HOST_DECLARATIONS}; }
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
  height: ${BAR_HEIGHT_PX}px;
  font: 500 13px/1 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #fff;
  background: #1f2328;
  border-radius: 10px;
  box-shadow: 0 6px 24px rgba(0,0,0,.28), 0 0 0 1px rgba(255,255,255,.08) inset;
  overflow: hidden;
  user-select: none;
  white-space: nowrap;
}
.label {
  all: initial;
  display: flex; align-items: center; gap: 8px;
  padding: 0 14px 0 14px;
  font: inherit; color: inherit;
}
.dot {
  all: initial;
  width: 8px; height: 8px; border-radius: 50%;
  background: ${ACCENT};
  box-shadow: 0 0 0 3px rgba(232,89,12,.3);
}
.stop {
  all: initial;
  box-sizing: border-box;
  width: ${STOP_BUTTON_WIDTH_PX}px;
  display: flex; align-items: center; justify-content: center;
  font: 600 12.5px/1 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  letter-spacing: 0;
  color: #fff;
  background: ${ACCENT};
  cursor: pointer;
}
.stop:hover { background: #d9480f; }
.stop:focus-visible { outline: 2px solid #fff; outline-offset: -4px; }
`;

export class Indicator {
  /**
   * @param {{doc: Document, onStop: () => void}} opts  `onStop` runs only for a trusted click
   *   (a real user's) on the Stop button.
   */
  constructor(opts) {
    this.doc = opts.doc;
    this.onStop = opts.onStop;
    /** @type {HTMLElement} */
    this.host = this.doc.createElement(INDICATOR_TAG);
    const shadow = this.host.attachShadow({ mode: 'closed' });
    const style = this.doc.createElement('style');
    style.textContent = SHADOW_CSS;
    const frame = this.doc.createElement('div');
    frame.className = 'frame';
    const bar = this.doc.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('role', 'status');
    const label = this.doc.createElement('span');
    label.className = 'label';
    const dot = this.doc.createElement('span');
    dot.className = 'dot';
    label.append(dot, this.doc.createTextNode('Sharing this tab'));
    const stop = this.doc.createElement('button');
    stop.className = 'stop';
    stop.type = 'button';
    stop.textContent = 'Stop sharing';
    stop.addEventListener('click', (event) => {
      // A script's synthetic click (element.click(), dispatchEvent) is not trusted: ignore it.
      if (!event.isTrusted) return;
      event.stopPropagation();
      this.onStop();
    });
    bar.append(label, stop);
    shadow.append(style, frame, bar);

    this.active = false;
    this.repairsThisSecond = 0;
    this.repairWindowStart = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.deferredRepair = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.watchdog = null;
    this.observer = new MutationObserver(() => this.repair());
    this.onToggle = (/** @type {Event} */ event) => this.handleToggle(event);
    this.onFullscreen = () => {
      if (this.active && this.doc.fullscreenElement) this.raise();
    };
  }

  /** True for the indicator's own node: the Recorder skips it (and with it the whole subtree). */
  isOwnNode(/** @type {Node} */ node) {
    return node === this.host;
  }

  show() {
    if (this.active) return;
    this.active = true;
    this.attach();
    // childList of <html>: the host removed; attributes of the host: restyled or un-popovered.
    this.observer.observe(this.doc.documentElement, { childList: true });
    this.observer.observe(this.host, { attributes: true });
    // Another popover or dialog entering the top layer would sit above ours: raise ours again.
    this.doc.addEventListener('toggle', this.onToggle, true);
    this.doc.addEventListener('fullscreenchange', this.onFullscreen, true);
    this.watchdog = setInterval(() => this.repair(), WATCHDOG_INTERVAL_MS);
  }

  remove() {
    if (!this.active) return;
    this.active = false;
    this.observer.disconnect();
    this.doc.removeEventListener('toggle', this.onToggle, true);
    this.doc.removeEventListener('fullscreenchange', this.onFullscreen, true);
    if (this.watchdog !== null) clearInterval(this.watchdog);
    if (this.deferredRepair !== null) clearTimeout(this.deferredRepair);
    this.watchdog = null;
    this.deferredRepair = null;
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
    if (this.host.getAttribute('style') !== HOST_STYLE) this.host.setAttribute('style', HOST_STYLE);
    if (this.host.getAttribute('popover') !== 'manual') this.host.setAttribute('popover', 'manual');
    if (this.host.parentNode !== root || root.lastElementChild !== this.host) root.append(this.host);
    this.raise();
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
      this.host.getAttribute('style') !== HOST_STYLE ||
      this.host.getAttribute('popover') !== 'manual' ||
      this.host.getAttributeNames().length !== 2 ||
      !this.host.matches(':popover-open')
    );
  }

  repair() {
    if (!this.active || !this.broken()) return;
    const now = Date.now();
    if (now - this.repairWindowStart >= 1000) {
      this.repairWindowStart = now;
      this.repairsThisSecond = 0;
    }
    if (this.repairsThisSecond >= MAX_REPAIRS_PER_SECOND) {
      if (this.deferredRepair === null) {
        this.deferredRepair = setTimeout(() => {
          this.deferredRepair = null;
          this.repair();
        }, 1000 - (now - this.repairWindowStart));
      }
      return;
    }
    this.repairsThisSecond++;
    this.attach();
  }

  /** @param {Event} event */
  handleToggle(event) {
    if (!this.active) return;
    const newState = /** @type {{newState?: unknown}} */ (event).newState;
    if (event.target === this.host) {
      if (newState === 'closed') queueMicrotask(() => this.repair());
      return;
    }
    if (newState === 'open') this.raise();
  }
}
