// Masking and blocking rules of the mirror stream (shared/protocol/app.md §4.2). Pure functions over
// the DOM: no state, no chrome.*. The Recorder (serializer.js) keeps the per-epoch state.
//
// An element is MASKED when it or an ancestor matches a mask rule: its text and field values leave
// the page only as same-length placeholders, and only presentational attributes are kept. An
// element is BLOCKED when it matches a block rule: it is sent as an empty box of the same size.
//
// Matching is done in bulk (one querySelectorAll per snapshot or inserted subtree, see
// collectMatches), never with a matches() call per node. The autocomplete rule ("any form field
// whose autocomplete tokens include cc-* or one-time-code") is not expressible as a selector
// (tokens), so form fields carrying an autocomplete attribute are fetched by the same query and
// their tokens checked here.

import { HTML_NS } from '../common/namespaces.js';

/** Built-in mask rules that are plain selectors. Hidden inputs are never shown to the customer
 * and often carry tokens (CSRF, session, order ids): the agent has no use for their values. */
export const BUILTIN_MASK_SELECTOR = 'input[type=password],input[type=hidden],[data-cotab-mask],.cotab-mask';
/** Built-in block rule. */
export const BUILTIN_BLOCK_SELECTOR = '[data-cotab-block]';
/** Form fields whose autocomplete tokens are checked in JS. */
const AUTOCOMPLETE_FIELDS_SELECTOR = 'input[autocomplete],select[autocomplete],textarea[autocomplete]';
/** Longest settings selector accepted (longer ones are reported invalid). */
export const MAX_SETTINGS_SELECTOR_CHARS = 1000;
/** Most settings selectors accepted per list (the rest are reported invalid). */
export const MAX_SETTINGS_SELECTORS = 200;


/** Attributes kept on masked elements (app.md §4.2): presentational only. */
const MASKED_ATTRIBUTE_ALLOWLIST = new Set([
  'class', 'id', 'style', 'type', 'role', 'name', 'placeholder', 'size', 'maxlength', 'width',
  'height', 'colspan', 'rowspan', 'dir', 'lang', 'hidden', 'disabled', 'readonly', 'tabindex',
  'for', 'autocomplete', 'aria-hidden',
]);

/**
 * @typedef {object} MaskRules
 * @property {string} mask   selector list of every mask rule that is a selector
 * @property {string} block  selector list of every block rule
 * @property {string} query  one selector list fetching every candidate (mask, block, autocomplete fields)
 * @property {boolean} complex  a settings selector's match can depend on other elements
 *   (combinators, pseudo-classes): status changes need a document-wide re-check
 * @property {string[]} invalid  settings selectors that were skipped (not strings, too long, or not parseable)
 */

/**
 * Compiles the built-in rules plus the settings' selectors. Invalid settings selectors are skipped
 * (recording must not break because of a typo in the options page) and returned in `invalid`.
 * @param {{maskSelectors?: unknown, blockSelectors?: unknown, isValid: (selector: string) => boolean}} opts
 *   `isValid` tells whether the browser parses a selector (see selectorValidator).
 * @returns {MaskRules}
 */
export function compileRules(opts) {
  /** @type {string[]} */
  const invalid = [];
  let complex = false;
  /** @param {unknown} list @returns {string[]} */
  const accept = (list) => {
    /** @type {string[]} */
    const ok = [];
    if (!Array.isArray(list)) return ok;
    for (const item of list) {
      if (typeof item !== 'string') {
        invalid.push(String(item));
        continue;
      }
      const sel = item.trim();
      if (sel === '') continue;
      if (sel.length > MAX_SETTINGS_SELECTOR_CHARS || ok.length >= MAX_SETTINGS_SELECTORS || !opts.isValid(sel)) {
        invalid.push(item);
        continue;
      }
      if (isComplexSelector(sel)) complex = true;
      ok.push(sel);
    }
    return ok;
  };
  const mask = [BUILTIN_MASK_SELECTOR, ...accept(opts.maskSelectors)].join(',');
  const block = [BUILTIN_BLOCK_SELECTOR, ...accept(opts.blockSelectors)].join(',');
  return { mask, block, query: `${mask},${AUTOCOMPLETE_FIELDS_SELECTOR},${block}`, complex, invalid };
}

/**
 * A validator for compileRules backed by the browser's own selector parser.
 * @param {Document} doc
 * @returns {(selector: string) => boolean}
 */
export function selectorValidator(doc) {
  const probe = doc.createDocumentFragment();
  return (selector) => {
    try {
      probe.querySelector(selector);
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * True when whether `selector` matches an element can depend on anything but the element itself:
 * combinators (descendant, child, sibling) or pseudo-classes (:nth-child, :has, :not(a b), ...).
 * Quoted strings and attribute brackets are skipped, so `[title="a b"]` is simple.
 * @param {string} selector
 */
export function isComplexSelector(selector) {
  let depth = 0;
  /** @type {string | null} */
  let quote = null;
  for (let i = 0; i < selector.length; i++) {
    const ch = selector[i];
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '\\') {
      i++;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') depth++;
    else if (ch === ']') depth--;
    else if (depth === 0) {
      if (ch === ',') continue; // a list of simple selectors is simple
      if (ch === ':' || ch === '>' || ch === '+' || ch === '~' || ch === ' ' || ch === '\t' || ch === '\n') {
        // Whitespace around a comma is not a combinator.
        if (ch === ' ' || ch === '\t' || ch === '\n') {
          const before = selector.slice(0, i).trimEnd();
          const after = selector.slice(i).trimStart();
          if (before.endsWith(',') || after.startsWith(',') || before === '' || after === '') continue;
        }
        return true;
      }
    }
  }
  return false;
}

/**
 * True when an autocomplete attribute value names a payment-card field (`cc-*`) or a one-time code.
 * @param {string | null} value
 */
export function isSensitiveAutocomplete(value) {
  if (!value) return false;
  for (const raw of value.split(/[\t\n\f\r ]+/)) {
    const token = raw.toLowerCase();
    if (token.startsWith('cc-') || token === 'one-time-code') return true;
  }
  return false;
}

/**
 * @param {Element} el
 * @returns {boolean} el is an HTML input, select or textarea
 */
export function isFormField(el) {
  if (el.namespaceURI !== HTML_NS) return false;
  const n = el.localName;
  return n === 'input' || n === 'select' || n === 'textarea';
}

/**
 * Does `el` itself match a mask rule (ancestors not considered)?
 * @param {Element} el
 * @param {MaskRules} rules
 */
export function matchesMaskRule(el, rules) {
  if (isFormField(el) && isSensitiveAutocomplete(el.getAttribute('autocomplete'))) return true;
  return el.matches(rules.mask);
}

/**
 * Does `el` match a block rule?
 * @param {Element} el
 * @param {MaskRules} rules
 */
export function matchesBlockRule(el, rules) {
  return el.matches(rules.block);
}

/**
 * Adds to `masked` / `blocked` every element of `root`'s subtree (root included when it is an
 * element) that itself matches a mask / block rule — one querySelectorAll for the whole subtree.
 * @param {Document | Element} root
 * @param {MaskRules} rules
 * @param {Set<Element>} masked
 * @param {Set<Element>} blocked
 */
export function collectMatches(root, rules, masked, blocked) {
  if (root.nodeType === 1) {
    const el = /** @type {Element} */ (root);
    if (el.matches(rules.query)) classify(el, rules, masked, blocked);
    if (!el.firstElementChild) return;
  }
  const found = root.querySelectorAll(rules.query);
  for (let i = 0; i < found.length; i++) classify(found[i], rules, masked, blocked);
}

/**
 * @param {Element} el  an element that matched rules.query
 * @param {MaskRules} rules
 * @param {Set<Element>} masked
 * @param {Set<Element>} blocked
 */
function classify(el, rules, masked, blocked) {
  if (el.matches(rules.block)) blocked.add(el);
  if (matchesMaskRule(el, rules)) masked.add(el);
}

/**
 * The placeholder of masked text: same length in UTF-16 code units, whitespace kept, every other
 * code unit replaced by U+2022 (a surrogate pair becomes two bullets).
 * @param {string} text
 */
export function placeholderOf(text) {
  return text.replace(/\S/g, '\u2022');
}

/**
 * May attribute `name` stay on a masked element?
 * @param {string} name
 */
export function isAllowedInMasked(name) {
  return MASKED_ATTRIBUTE_ALLOWLIST.has(name);
}
