// The action guard: the firewall's second line. The firewall (firewall.js) decides what an agent's
// action may touch; but the page's own handlers run when our events land, and a harmless-looking
// "Apply coupon" may call form.submit(), requestSubmit(), click a hidden "Pay" button, open a window
// or leave for another origin. While the ActionRunner dispatches an action's events (and for a
// short settle time after, see actions.js), the guard is ARMED and stops those:
//
// - main world (installGuard, run by chrome.scripting.executeScript with world 'MAIN'):
//   HTMLFormElement.prototype.submit and requestSubmit do nothing, window.open returns null, and
//   HTMLElement.prototype.click on a connected element first asks the isolated world whether the
//   firewall would let the agent click that element itself (a proxy click must not do what a
//   direct one may not);
// - isolated world (guardClient): `submit` events are cancelled (capture, on the window, before the
//   page's own listeners on the document and the form), and so are Navigation API `navigate`
//   events that submit a form (formData, or a form as sourceElement: form.submit() taken from a
//   fresh iframe's prototype bypasses the main-world patch but not this) or that leave the allowed
//   origins.
//
// The two halves talk with CustomEvents on the document whose names derive from the session's
// random event name, details being strings only (strings cross worlds; objects do not). The
// isolated world sends "arm" / "disarm" / "ping"; the main world answers "armed" / "pong" and
// reports "submit" and "open". A vetting question is an event dispatched ON the element clicked,
// cancelable; the isolated world cancels it when the firewall says no. Everything is synchronous:
// dispatchEvent runs the other world's listeners before it returns.
//
// What the page can do against it: listen to the events (it learns when the agent acts), fake a
// report (an agent action is refused for nothing), or stop the events from reaching us (then only
// the isolated world's own listeners protect). None of that lets the AGENT do more: the page can
// submit its own forms at any time anyway. A page listener registered on the window's capture phase
// before ours runs before ours; handlers that post data with fetch() are invisible to any guard —
// the firewall refusing the click is the line there.
//
// When disarmed every patched function calls the original at once, with the same `this`,
// arguments and result; the replacements keep the originals' names and lengths.

/** Suffixes of the guard's event names (after the session's random name). */
export const GUARD_CONTROL_SUFFIX = ':guard-ctl';
export const GUARD_REPORT_SUFFIX = ':guard-rep';
export const GUARD_VET_SUFFIX = ':guard-vet';

/**
 * The main-world half. Self-contained: executeScript serializes its source, so nothing from this
 * module's scope may be used. Installing twice in one document only changes the event name.
 * @param {string} eventName  the session's random event name
 * @returns {boolean} true when the guard is (now) installed with this name
 */
export function installGuard(eventName) {
  if (typeof eventName !== 'string' || eventName.length === 0) return false;
  const registry = Symbol.for('cotab.guard');
  const win = window;
  const existing = Reflect.get(win, registry);
  if (typeof existing === 'function') {
    existing(eventName);
    return true;
  }
  const doc = document;
  const apply = Reflect.apply;
  const getDescriptor = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty;
  const dispatch = EventTarget.prototype.dispatchEvent;
  const listen = EventTarget.prototype.addEventListener;
  const unlisten = EventTarget.prototype.removeEventListener;
  const GuardEvent = CustomEvent;
  const isConnected = getDescriptor(Node.prototype, 'isConnected')?.get;
  const detailOf = getDescriptor(CustomEvent.prototype, 'detail')?.get;

  let armed = false;
  let controlName = '';
  let reportName = '';
  let vetName = '';

  /** @param {string} what */
  const report = (what) => {
    try {
      apply(dispatch, doc, [new GuardEvent(reportName, { detail: what })]);
    } catch {
      // reporting is best effort; the block itself already happened
    }
  };
  /** @param {Event} event */
  const onControl = (event) => {
    let d;
    try {
      d = detailOf ? apply(detailOf, event, []) : null;
    } catch {
      return;
    }
    if (d === 'arm') {
      armed = true;
      report('armed');
    } else if (d === 'disarm') {
      armed = false;
    } else if (d === 'ping') {
      report('pong');
    }
  };
  /** @param {string} name */
  const rename = (name) => {
    if (controlName) apply(unlisten, doc, [controlName, onControl, true]);
    controlName = name + ':guard-ctl';
    reportName = name + ':guard-rep';
    vetName = name + ':guard-vet';
    apply(listen, doc, [controlName, onControl, true]);
  };

  /**
   * Replaces proto[method] with `wrap(original)`, keeping name, length and property flags.
   * @param {object | undefined} proto
   * @param {string} method
   * @param {(original: Function) => (this: unknown, ...args: unknown[]) => unknown} wrap
   */
  const patch = (proto, method, wrap) => {
    if (!proto) return;
    const d = getDescriptor(proto, method);
    if (!d || typeof d.value !== 'function' || !d.configurable) return;
    const original = d.value;
    const inner = wrap(original);
    // A method defined in an object literal has the original's name and is not a constructor.
    const holder = {
      /** @param {unknown[]} args */
      [method](...args) {
        return apply(inner, this, args);
      },
    };
    const fn = holder[method];
    define(fn, 'length', { value: original.length });
    define(proto, method, { configurable: true, enumerable: d.enumerable, writable: d.writable, value: fn });
  };

  /**
   * A wrap for patch: while armed, reports `what` and returns `result` instead of calling the
   * original.
   * @param {string} what
   * @param {null | undefined} result
   * @returns {(original: Function) => (this: unknown, ...args: unknown[]) => unknown}
   */
  const blockedWhileArmed = (what, result) => (original) => function (...args) {
    if (armed) {
      report(what);
      return result;
    }
    return apply(original, this, args);
  };

  try {
    patch(HTMLFormElement.prototype, 'submit', blockedWhileArmed('submit', undefined));
    patch(HTMLFormElement.prototype, 'requestSubmit', blockedWhileArmed('submit', undefined));
    patch(win, 'open', blockedWhileArmed('open', null));
    patch(HTMLElement.prototype, 'click', (original) => function (...args) {
      if (armed) {
        let vetted = true;
        try {
          // Only a connected element can be asked about (a detached one's event reaches no
          // listener of ours); a detached link still navigates, and the navigate check catches it.
          if (isConnected && apply(isConnected, this, [])) {
            vetted = apply(dispatch, this, [new GuardEvent(vetName, { cancelable: true, composed: true })]);
          }
        } catch {
          vetted = true;
        }
        if (!vetted) return undefined;
      }
      return apply(original, this, args);
    });
    rename(eventName);
    define(win, registry, {
      configurable: false,
      enumerable: false,
      writable: false,
      value: (/** @type {unknown} */ next) => {
        if (typeof next === 'string' && next.length > 0) rename(next);
      },
    });
  } catch {
    return false;
  }
  return true;
}

/**
 * @typedef {object} GuardOptions
 * @property {() => import('./firewall.js').FirewallContext} [context]  for the origin check of
 *   navigations (default: the document's own origin) and the vetting of proxy clicks
 * @property {(el: Element) => import('./firewall.js').Verdict} [vetClick]  may the page click `el`
 *   for the agent? (default: allowed)
 * @property {(url: string) => boolean} [isAllowedUrl]  may a navigation go there? (default: from
 *   context, else same origin)
 */

/**
 * @typedef {object} Guard
 * @property {() => void} arm  from now on, block; forgets what was blocked before
 * @property {() => void} disarm
 * @property {() => ('submit' | 'origin' | 'finalizing' | 'masked' | null)} blocked  the first thing blocked since arm()
 * @property {() => boolean} mainWorld  did the main-world half answer the last arm()?
 * @property {() => void} destroy  removes the isolated world's listeners (the main world's patch stays, disarmed)
 */

/**
 * The isolated-world half: arms and disarms the main world's patch, listens for its reports, and
 * cancels submissions and foreign navigations itself while armed.
 * @param {Document} doc
 * @param {string} eventName  the same name installGuard got
 * @param {GuardOptions} [opts]
 * @returns {Guard}
 */
export function guardClient(doc, eventName, opts = {}) {
  const win = doc.defaultView;
  const controlName = eventName + GUARD_CONTROL_SUFFIX;
  const reportName = eventName + GUARD_REPORT_SUFFIX;
  const vetName = eventName + GUARD_VET_SUFFIX;
  let armed = false;
  let answered = false;
  /** @type {'submit' | 'origin' | 'finalizing' | 'masked' | null} */
  let blocked = null;

  /** @param {'submit' | 'origin' | 'finalizing' | 'masked'} what */
  const note = (what) => {
    if (blocked === null) blocked = what;
  };
  /** @param {string} what */
  const send = (what) => {
    try {
      doc.dispatchEvent(new CustomEvent(controlName, { detail: what }));
    } catch {
      // the document is going away
    }
  };
  /** @param {string} url */
  const allowedUrl = (url) => {
    if (opts.isAllowedUrl) return opts.isAllowedUrl(url);
    try {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
      const ctx = opts.context?.();
      const list = ctx && Array.isArray(ctx.allowedOrigins) && ctx.allowedOrigins.length > 0 ? ctx.allowedOrigins : [doc.location.href];
      return list.some((o) => {
        try {
          return new URL(o).origin === u.origin;
        } catch {
          return false;
        }
      });
    } catch {
      return false;
    }
  };

  /** @param {Event} event */
  const onReport = (event) => {
    const d = /** @type {CustomEvent} */ (event).detail;
    if (d === 'armed' || d === 'pong') {
      answered = true;
      return;
    }
    if (!armed) return;
    if (d === 'submit') note('submit');
    else if (d === 'open') note('origin');
  };
  /** @param {Event} event */
  const onSubmit = (event) => {
    if (!armed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    note('submit');
  };
  /** @param {Event} event */
  const onVet = (event) => {
    if (!armed || !opts.vetClick) return;
    const el = event.composedPath()[0];
    if (!el || /** @type {Node} */ (el).nodeType !== 1) return;
    let verdict;
    try {
      verdict = opts.vetClick(/** @type {Element} */ (el));
    } catch {
      verdict = { ok: false, why: 'finalizing', detail: '' };
    }
    // Only what the agent must never do through the page: a proxy click on a hidden or disabled
    // element (styled file inputs, custom radios) is the page's own business.
    if (verdict.ok || !VETOED.has(verdict.why)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    note(/** @type {'submit' | 'origin' | 'finalizing' | 'masked'} */ (verdict.why));
  };
  /** @param {Event} e */
  const onNavigate = (e) => {
    if (!armed) return;
    /** @typedef {{formData?: FormData | null, sourceElement?: Element | null, destination?: {url: string}, userInitiated?: boolean}} NavigateFields */
    const event = /** @type {Event & NavigateFields} */ (e);
    // The customer's own click or Enter (the agent's events are never trusted, so never this).
    if (event.userInitiated === true) return;
    const source = event.sourceElement ?? null;
    const fromForm = (event.formData ?? null) !== null || (source !== null && (source.localName === 'form' || isSubmitterLike(source)));
    const url = event.destination?.url ?? '';
    if (!fromForm && allowedUrl(url)) return;
    if (event.cancelable) event.preventDefault();
    note(fromForm ? 'submit' : 'origin');
  };

  doc.addEventListener(reportName, onReport, true);
  doc.addEventListener(vetName, onVet, true);
  win?.addEventListener('submit', onSubmit, true);
  const navigation = /** @type {EventTarget | undefined} */ (win ? Reflect.get(win, 'navigation') : undefined);
  navigation?.addEventListener('navigate', onNavigate);

  return {
    arm() {
      armed = true;
      blocked = null;
      answered = false;
      send('arm');
    },
    disarm() {
      armed = false;
      send('disarm');
    },
    blocked: () => blocked,
    mainWorld: () => answered,
    destroy() {
      if (armed) send('disarm');
      armed = false;
      doc.removeEventListener(reportName, onReport, true);
      doc.removeEventListener(vetName, onVet, true);
      win?.removeEventListener('submit', onSubmit, true);
      navigation?.removeEventListener('navigate', onNavigate);
    },
  };
}

/** The firewall's refusals that stop a click the page makes while the agent acts. */
const VETOED = new Set(['finalizing', 'submit', 'origin', 'masked']);

/** A submit button or image input (the navigate event's sourceElement of a button submission). @param {Element} el */
function isSubmitterLike(el) {
  const type = (el.getAttribute('type') ?? '').toLowerCase();
  if (el.localName === 'button') return type === '' || type === 'submit';
  return el.localName === 'input' && (type === 'submit' || type === 'image');
}
