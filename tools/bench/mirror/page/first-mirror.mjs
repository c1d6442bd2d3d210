// Viewer side: when the first mirror of a page was built (its DOM in the iframe) and shown (the
// task after the next rendered frame), in wall-clock ms.
import { afterNextFrame, wallNow } from './registry.mjs';

/** @typedef {{firstMessageAt: number, lastMessageAt: number, builtAt: number, shownAt: number, messages: number, chars: number}} FirstMirrorTimes */

export class FirstMirror {
  constructor() {
    /** @type {number | null} */
    this.firstMessageAt = null;
    this.lastMessageAt = 0;
    this.messages = 0;
    this.chars = 0;
    /** @type {number | null} */
    this.builtAt = null;
    /** @type {number | null} */
    this.shownAt = null;
    /** @type {((v: FirstMirrorTimes) => void)[]} */
    this.waiting = [];
  }

  /**
   * Call when a message arrives (before applying it); counts until the mirror is built.
   * @param {number} chars its JSON length
   */
  received(chars) {
    if (this.builtAt !== null) return;
    const t = wallNow();
    this.firstMessageAt ??= t;
    this.lastMessageAt = t;
    this.messages += 1;
    this.chars += chars;
  }

  /** @returns {FirstMirrorTimes | null} */
  times() {
    if (this.builtAt === null || this.shownAt === null) return null;
    const { builtAt, shownAt, lastMessageAt, messages, chars } = this;
    return { firstMessageAt: this.firstMessageAt ?? builtAt, lastMessageAt, builtAt, shownAt, messages, chars };
  }

  /** Call when the mirror's DOM is complete; only the first call counts. */
  built() {
    if (this.builtAt !== null) return;
    this.builtAt = wallNow();
    void afterNextFrame().then(() => {
      this.shownAt = wallNow();
      const times = this.times();
      if (times) for (const w of this.waiting.splice(0)) w(times);
    });
  }

  /**
   * @param {number} timeoutMs
   * @returns {Promise<FirstMirrorTimes | null>} null when not shown in time
   */
  wait(timeoutMs) {
    const done = this.times();
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs);
      this.waiting.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
    });
  }
}
