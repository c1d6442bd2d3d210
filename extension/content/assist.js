// The agent's assistance in the shared tab (app.md §7): the last line of the customer's defence.
// The service worker already refused what is not granted; this checks again, in the tab, against
// its own copy of the grants, the current epoch and the action rate, then hands tools to the
// Overlay and actions to the ActionRunner (whose firewall decides what may touch the page).
// Every act ends in exactly one `done` or `refused`; refusals are rate-limited so a flooding agent
// gets no amplification. Revocation is synchronous: what the customer takes back stops here, now.

import { capabilityOf } from '../common/app.js';
import { LIMITS } from '../dist/protocol.js';
import { ActionRunner } from './actions.js';
import { checkClick, checkNavigation } from './firewall.js';
import { guardClient } from './guard.js';
import { Overlay } from './overlay.js';

/** @typedef {import('../background/settings.js').Capability} Capability */
/** @typedef {import('../common/app.js').AgentMsg} AgentMsg */
/** @typedef {{n: number, a: string, why: string, detail: string}} Refusal */

/** Longest refusal detail sent (app.md §7). */
const MAX_DETAIL_CHARS = 200;

/**
 * A token bucket: `perSecond` tokens a second, at most `perSecond` saved up.
 * @param {number} perSecond
 * @param {() => number} now  ms
 */
export function tokenBucket(perSecond, now) {
  let tokens = perSecond;
  let at = now();
  return {
    take() {
      const t = now();
      tokens = Math.min(perSecond, tokens + ((t - at) / 1000) * perSecond);
      at = t;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
  };
}

export class Assist {
  /**
   * @param {object} opts
   * @param {Document} opts.doc
   * @param {import('./serializer.js').Recorder} opts.recorder
   * @param {import('./indicator.js').Indicator} opts.indicator
   * @param {string} opts.guardEvent  the session's random main-world event name (the guard's half is installed with it)
   * @param {(data: object) => void} opts.toPeer   a `done` / `refused` for the agent
   * @param {(caps: Capability[]) => void} opts.onRevoked  the customer took capabilities back on the page
   * @param {() => number} [opts.now]
   */
  constructor(opts) {
    this._doc = opts.doc;
    this._recorder = opts.recorder;
    this._indicator = opts.indicator;
    this._toPeer = opts.toPeer;
    this._onRevoked = opts.onRevoked;
    const now = opts.now ?? (() => performance.now());
    /** @type {Set<Capability>} */
    this._grants = new Set();
    /** @type {string[]} */
    this._allowedOrigins = [];
    /** @type {string[]} */
    this._finalizeSelectors = [];
    this._actions = tokenBucket(LIMITS.app_max_actions_per_second, now);
    this._refusals = tokenBucket(LIMITS.app_max_refusals_per_second, now);
    /** Refusals not sent because of the rate (diagnostics). */
    this.unsentRefusals = 0;
    /** The navigation proposal on the page, if any. @type {number | null} */
    this._navN = null;
    this._overlay = new Overlay({ doc: this._doc, resolve: (id) => this._element(id) });
    // The guard's isolated half: while an act is dispatched it also vets the page's own
    // el.click() and navigations against the same firewall.
    this._guard = opts.guardEvent
      ? guardClient(this._doc, opts.guardEvent, { context: () => this._context(), vetClick: (el) => checkClick(el, this._context()) })
      : null;
    this._runner = new ActionRunner({
      doc: this._doc,
      resolve: (id) => this._recorder.nodeOf(id),
      context: () => this._context(),
      guard: this._guard,
      onDone: (n) => this._toPeer({ k: 'done', n }),
      onRefused: (n, a, why, detail) => this._refuse({ n, a, why, detail }),
    });
  }

  /** The overlay's nodes are the extension's own (never recorded). @param {Node} node */
  isOwnNode(node) {
    return this._overlay.isOwnNode(node);
  }

  /** The grants the customer's service worker holds now (sent on start and every change).
   * @param {{granted: Capability[], allowedOrigins: string[], finalizeSelectors: string[]}} caps */
  setCaps(caps) {
    const granted = new Set(caps.granted);
    const revoked = [...this._grants].filter((c) => !granted.has(c));
    this._grants = granted;
    this._allowedOrigins = caps.allowedOrigins;
    this._finalizeSelectors = caps.finalizeSelectors;
    this._stopWork(revoked);
    this._indicator.setCaps([...granted]);
  }

  /** The customer revoked on the page's indicator: effective before anything else runs.
   * @param {string[]} caps */
  revokeHere(caps) {
    const revoked = /** @type {Capability[]} */ (caps.filter((c) => this._grants.has(/** @type {Capability} */ (c))));
    for (const c of revoked) this._grants.delete(c);
    this._stopWork(revoked);
    this._indicator.setCaps([...this._grants]);
    if (revoked.length) this._onRevoked(revoked);
  }

  /** A tool or an action the service worker let through. @param {AgentMsg} msg */
  handle(msg) {
    const cap = /** @type {Capability | null} */ (capabilityOf(msg));
    if (cap === null) return;
    const act = msg.k === 'act' ? msg : null;
    const label = { n: act ? act.n : 0, a: act ? act.a : msg.k };
    if (!this._grants.has(cap)) {
      this._refuse({ ...label, why: 'not-granted', detail: cap });
      return;
    }
    if (act) {
      if (!this._actions.take()) {
        this._refuse({ ...label, why: 'rate', detail: `more than ${LIMITS.app_max_actions_per_second} actions a second` });
        return;
      }
      if ('e' in act && act.e !== this._recorder.epoch) {
        this._refuse({ ...label, why: 'stale', detail: 'the page changed; the agent’s view is being refreshed' });
        return;
      }
      if (act.a === 'nav') this._propose(act.n, act.url);
      else this._runner.run(act);
      return;
    }
    // Tools of an older epoch name ids that mean nothing now: dropped silently (they are visual).
    if ('e' in msg && msg.e !== this._recorder.epoch) return;
    /** @type {{ok: boolean, why?: string, detail?: string} | undefined} */
    let shown;
    switch (msg.k) {
      case 'laser':
        shown = this._overlay.laser(msg);
        break;
      case 'mark':
        shown = this._overlay.mark(msg);
        break;
      case 'draw':
        shown = this._overlay.draw(msg);
        break;
      case 'clear':
        this._overlay.clear();
        break;
    }
    if (shown && !shown.ok) this._refuse({ ...label, why: shown.why ?? 'invalid', detail: shown.detail ?? '' });
  }

  destroy() {
    this._runner.destroy();
    this._guard?.destroy();
    this._overlay.destroy();
    if (this._navN !== null) this._indicator.cancelProposal();
    this._navN = null;
  }

  // ---------------------------------------------------------------------------------------------

  /** @param {number} id */
  _element(id) {
    const node = this._recorder.nodeOf(id);
    return node && node.nodeType === 1 ? /** @type {Element} */ (node) : null;
  }

  /** @returns {import('./firewall.js').FirewallContext} */
  _context() {
    // The shared page's own origin is always allowed; the settings add to it.
    let own = '';
    try {
      own = new URL(this._doc.location?.href ?? '').origin;
    } catch {
      own = '';
    }
    return {
      allowedOrigins: own && own !== 'null' ? [own, ...this._allowedOrigins.filter((o) => o !== own)] : this._allowedOrigins,
      finalizeSelectors: this._finalizeSelectors,
      pageUrl: this._doc.location?.href ?? '',
      isMasked: (el) => this._recorder.isProtected(el),
    };
  }

  /** @param {Capability[]} revoked */
  _stopWork(revoked) {
    if (!revoked.length) return;
    this._runner.cancel(revoked);
    if (revoked.includes('annotate')) this._overlay.clear();
    if (revoked.includes('navigate') && this._navN !== null) {
      const n = this._navN;
      this._navN = null;
      this._indicator.cancelProposal();
      this._refuse({ n, a: 'nav', why: 'revoked', detail: 'the customer took back control' });
    }
  }

  /**
   * The agent proposes a page: checked against the allowed origins, then shown to the customer,
   * who opens it or not (in the page's indicator: the page itself cannot grant anything there
   * that it could not do itself, since only allowed origins get this far).
   * @param {number} n
   * @param {string} url
   */
  _propose(n, url) {
    const verdict = checkNavigation(url, this._context());
    if (!verdict.ok) {
      this._refuse({ n, a: 'nav', why: verdict.why, detail: verdict.detail });
      return;
    }
    if (this._navN !== null) {
      this._refuse({ n, a: 'nav', why: 'busy', detail: 'the customer has not answered the last suggestion yet' });
      return;
    }
    const shown = this._indicator.proposeNavigation(url, (accepted) => {
      if (this._navN !== n) return;
      this._navN = null;
      if (!accepted) {
        this._refuse({ n, a: 'nav', why: 'declined', detail: 'the customer did not open it' });
        return;
      }
      // Checked again: the settings or the page's own origin may have changed meanwhile.
      const again = checkNavigation(url, this._context());
      if (!again.ok || !this._grants.has('navigate')) {
        this._refuse({ n, a: 'nav', why: again.ok ? 'revoked' : again.why, detail: again.ok ? 'navigate was taken back' : again.detail });
        return;
      }
      this._toPeer({ k: 'done', n });
      this._doc.location.assign(url);
    });
    if (!shown) {
      this._refuse({ n, a: 'nav', why: 'busy', detail: 'another suggestion is open' });
      return;
    }
    this._navN = n;
  }

  /** @param {Refusal} r */
  _refuse(r) {
    if (!this._refusals.take()) {
      this.unsentRefusals++;
      return;
    }
    this._toPeer({ k: 'refused', n: r.n, a: r.a, why: r.why, detail: [...r.detail].slice(0, MAX_DETAIL_CHARS).join('') });
  }
}
