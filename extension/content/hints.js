// The MAIN-world hint patcher. Some state changes make no DOM mutation and fire no event: a
// script setting input.value / .checked / select.selectedIndex / option.selected, or editing a
// <style>'s sheet through the CSSOM (insertRule, deleteRule, ...). The isolated world cannot see
// them, so this tiny patch, run in the page's own world, dispatches a CustomEvent named by the
// service worker (a random name) on the element concerned — the <style>/<link> owner node for a
// sheet. The content script treats that event ONLY as a hint and re-reads the real state itself:
// the page can fake or suppress hints, which costs fidelity, never masking.
//
// Usage (service worker):
//   chrome.scripting.executeScript({target, world: 'MAIN', func: installHints, args: [hintEvent]})
// executeScript sends the function's SOURCE, so installHints is self-contained: it uses nothing
// from this module's scope. Bundled as dist/hints.js this file does nothing on its own.
//
// The patch never changes what the page sees: the original setter or method runs first, with the
// same `this` and arguments, its exceptions propagate untouched, its result is returned; the
// replacement has the original's name and length; the hint is dispatched afterwards inside a
// try/catch. Installing twice in one document only updates the event name.

/**
 * Patches the main world's setters and CSSOM methods so they dispatch `new CustomEvent(eventName)`.
 * @param {string} eventName
 * @returns {boolean} true when the hints are (now) installed with this name
 */
export function installHints(eventName) {
  if (typeof eventName !== 'string' || eventName.length === 0) return false;
  const registry = Symbol.for('cotab.hints');
  const win = window;
  const existing = Reflect.get(win, registry);
  if (typeof existing === 'function') {
    existing(eventName);
    return true;
  }

  let name = eventName;
  // Captured now, so later page patches of these do not affect the hints.
  const dispatch = EventTarget.prototype.dispatchEvent;
  const HintEvent = CustomEvent;
  const apply = Reflect.apply;
  const getDescriptor = Object.getOwnPropertyDescriptor;
  const define = Object.defineProperty;
  const ownerNodeGetter = getDescriptor(StyleSheet.prototype, 'ownerNode')?.get;
  const parentSheetGetter = getDescriptor(CSSRule.prototype, 'parentStyleSheet')?.get;

  /** @param {unknown} target */
  const notify = (target) => {
    try {
      if (target) apply(dispatch, target, [new HintEvent(name)]);
    } catch {
      // a hint is best effort
    }
  };
  /** @param {unknown} sheet */
  const ownerOfSheet = (sheet) => {
    try {
      return ownerNodeGetter ? apply(ownerNodeGetter, sheet, []) : null;
    } catch {
      return null;
    }
  };
  /** @param {unknown} rule */
  const ownerOfRule = (rule) => {
    try {
      return parentSheetGetter ? ownerOfSheet(apply(parentSheetGetter, rule, [])) : null;
    } catch {
      return null;
    }
  };

  /**
   * @param {object | undefined} proto
   * @param {string} prop
   */
  const patchSetter = (proto, prop) => {
    if (!proto) return;
    const d = getDescriptor(proto, prop);
    if (!d || typeof d.set !== 'function' || !d.configurable) return;
    const originalSet = d.set;
    // A method defined as `set [prop]` is named "set <prop>" like the original.
    const holder = {
      /** @param {unknown} value */
      set [prop](value) {
        apply(originalSet, this, [value]);
        notify(this);
      },
    };
    const set = getDescriptor(holder, prop)?.set;
    if (!set) return;
    define(proto, prop, { configurable: true, enumerable: d.enumerable, get: d.get, set });
  };

  /**
   * @param {object | undefined} proto
   * @param {string} method
   * @param {(self: unknown) => unknown} ownerOf
   */
  const patchMethod = (proto, method, ownerOf) => {
    if (!proto) return;
    const d = getDescriptor(proto, method);
    if (!d || typeof d.value !== 'function' || !d.configurable) return;
    const original = d.value;
    const holder = {
      /** @param {unknown[]} args */
      [method](...args) {
        const result = apply(original, this, args);
        notify(ownerOf(this));
        return result;
      },
    };
    const fn = holder[method];
    define(fn, 'length', { value: original.length });
    define(proto, method, { configurable: true, enumerable: d.enumerable, writable: d.writable, value: fn });
  };

  try {
    for (const prop of ['value', 'checked', 'valueAsNumber', 'valueAsDate']) patchSetter(HTMLInputElement.prototype, prop);
    patchSetter(HTMLTextAreaElement.prototype, 'value');
    for (const prop of ['value', 'selectedIndex']) patchSetter(HTMLSelectElement.prototype, prop);
    patchSetter(HTMLOptionElement.prototype, 'selected');
    for (const method of ['insertRule', 'deleteRule', 'addRule', 'removeRule', 'replaceSync', 'replace']) {
      patchMethod(CSSStyleSheet.prototype, method, ownerOfSheet);
    }
    if (typeof CSSGroupingRule === 'function') {
      for (const method of ['insertRule', 'deleteRule']) patchMethod(CSSGroupingRule.prototype, method, ownerOfRule);
    }
    define(win, registry, {
      configurable: false,
      enumerable: false,
      writable: false,
      value: (/** @type {unknown} */ next) => {
        if (typeof next === 'string' && next.length > 0) name = next;
      },
    });
  } catch {
    return false;
  }
  return true;
}
