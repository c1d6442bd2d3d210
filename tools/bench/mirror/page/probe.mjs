// The latency probe: one text node in the customer's page set to a sequence number, and a
// MutationObserver on the mirror's document in the viewer that notes when each number shows.
import { wallNow } from './registry.mjs';

export const PROBE_ID = 'cotab-bench-probe';

/**
 * Customer side: puts the probe (a `<p>` with one text node) at the top of the page's body.
 * @param {Document} doc
 */
export function installProbe(doc) {
  let el = doc.getElementById(PROBE_ID);
  if (!el) {
    el = doc.createElement('p');
    el.id = PROBE_ID;
    el.textContent = '0';
    doc.body.insertBefore(el, doc.body.firstChild);
  }
}

/**
 * Customer side: sets the probe's text to `seq`.
 * @param {Document} doc
 * @param {number} seq
 * @returns {number} wall-clock ms at the moment of the change
 */
export function setProbe(doc, seq) {
  const text = doc.getElementById(PROBE_ID)?.firstChild;
  if (!(text instanceof Text)) throw new Error('no probe in the page');
  text.data = String(seq);
  return wallNow();
}

/** Viewer side: watches the probe inside a mirror's document. */
export class ProbeWatcher {
  /** @param {() => Document | null} currentDoc the mirror's document now (null while none) */
  constructor(currentDoc) {
    this.currentDoc = currentDoc;
    /** @type {Map<number, number>} sequence number → wall-clock ms when it showed */
    this.seen = new Map();
    /** @type {Map<number, (t: number) => void>} */
    this.waiting = new Map();
    /** @type {MutationObserver | null} */
    this.observer = null;
    /** @type {Document | null} */
    this.observedDoc = null;
  }

  /** @param {Document} doc */
  check(doc) {
    const t = wallNow();
    const value = Number(doc.getElementById(PROBE_ID)?.textContent);
    if (!Number.isInteger(value) || this.seen.has(value)) return;
    this.seen.set(value, t);
    const resolve = this.waiting.get(value);
    if (resolve) {
      this.waiting.delete(value);
      resolve(t);
    }
  }

  /**
   * Resolves once the probe is in the mirror and observed (polls once a frame until then).
   * @param {number} timeoutMs
   * @returns {Promise<boolean>}
   */
  ready(timeoutMs) {
    const deadline = performance.now() + timeoutMs;
    return new Promise((resolve) => {
      const poll = () => {
        const doc = this.currentDoc();
        if (doc && doc.getElementById(PROBE_ID)) {
          this.attach(doc);
          resolve(true);
        } else if (performance.now() > deadline) resolve(false);
        else requestAnimationFrame(poll);
      };
      poll();
    });
  }

  /** Observes the mirror's current document if it is a new one that holds the probe. */
  follow() {
    const doc = this.currentDoc();
    if (doc && doc !== this.observedDoc && doc.getElementById(PROBE_ID)) this.attach(doc);
  }

  /** @param {Document} doc */
  attach(doc) {
    if (this.observedDoc === doc) return;
    this.observer?.disconnect();
    this.observedDoc = doc;
    this.observer = new MutationObserver(() => this.check(doc));
    this.observer.observe(doc, { subtree: true, childList: true, characterData: true });
    this.check(doc);
  }

  /**
   * Resolves with the wall-clock ms at which `seq` showed in the mirror, or null after `timeoutMs`.
   * @param {number} seq
   * @param {number} timeoutMs
   * @returns {Promise<number | null>}
   */
  when(seq, timeoutMs) {
    const known = this.seen.get(seq);
    if (known !== undefined) return Promise.resolve(known);
    this.follow();
    return new Promise((resolve) => {
      let waiting = true;
      // The mirror may rebuild its document (a new epoch) meanwhile: look once a frame.
      const look = () => {
        if (!waiting) return;
        this.follow();
        requestAnimationFrame(look);
      };
      requestAnimationFrame(look);
      const timer = setTimeout(() => {
        waiting = false;
        this.waiting.delete(seq);
        resolve(null);
      }, timeoutMs);
      this.waiting.set(seq, (t) => {
        waiting = false;
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}
