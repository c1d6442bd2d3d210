// A normalized, JSON-able view of a document: what the agent's mirror is expected to show of a
// customer's page. Comparing normalizeDom() of the customer's document with normalizeDom() of the
// mirror's document is the fidelity check of the browser and e2e tests.
//
// SELF-CONTAINED on purpose: it uses nothing from module scope, so Playwright can send it with
// page.evaluate(normalizeDom, opts) / frame.evaluate(normalizeDom, opts). In-page callers may pass
// a Document as opts.doc.
//
// What it keeps and how (both sides alike):
// - elements: tag (svg:/math: prefix for those namespaces), attributes sorted by name, minus
//   on*, nonce, integrity, srcdoc, formaction, autoplay, ping, the mirror's own data-cotab-masked /
//   data-cotab-blocked, `inert` on the root; frame-like elements keep presentational attributes
//   only; URL attributes, srcset and style url()s absolute; values with javascript:, vbscript:,
//   data:text/html dropped;
// - dropped: script (any namespace), noscript, base, meta[http-equiv], links other than
//   stylesheets/icons, comments, processing instructions, template content;
// - text: adjacent text merged, empty text dropped;
// - <style>: its sheet's rules text (not its children);
// - field state: value of inputs and textareas, checked of checkboxes/radios, selected of options,
//   `none` for a select without selection; element scroll offsets; the window's scroll;
// - masked (customer: built-in rules + opts.maskSelectors; mirror: data-cotab-masked): text and
//   values as placeholders (same length, whitespace kept, the rest '•'), no checked/selected,
//   only presentational attributes;
// - blocked (customer: [data-cotab-block] + opts.blockSelectors; mirror: data-cotab-blocked):
//   the tag only.

/**
 * @typedef {object} NormalizeOptions
 * @property {Document} [doc]  the document (in-page use)
 * @property {string} [frame]  a selector of a same-origin iframe whose document to use
 * @property {boolean} [mirror]  the document is a mirror (masked/blocked marked by the Mirror)
 * @property {string[]} [maskSelectors]  customer side: the settings' mask selectors
 * @property {string[]} [blockSelectors]  customer side: the settings' block selectors
 * @property {string} [skip]  customer side: a selector of the extension's own nodes
 */

/**
 * @param {NormalizeOptions} [opts]
 * @returns {{doctype: string | null, scroll: number[], root: unknown}}
 */
export function normalizeDom(opts = {}) {
  const HTML = 'http://www.w3.org/1999/xhtml';
  const SVG = 'http://www.w3.org/2000/svg';
  const MATHML = 'http://www.w3.org/1998/Math/MathML';
  const MASK_ALLOW = new Set([
    'class', 'id', 'style', 'type', 'role', 'name', 'placeholder', 'size', 'maxlength', 'width',
    'height', 'colspan', 'rowspan', 'dir', 'lang', 'hidden', 'disabled', 'readonly', 'tabindex',
    'for', 'autocomplete', 'aria-hidden',
  ]);
  const FRAME_LIKE = new Set(['iframe', 'frame', 'object', 'embed', 'portal', 'fencedframe', 'applet']);
  const FRAME_ATTRS = new Set([
    'id', 'class', 'style', 'width', 'height', 'title', 'name', 'hidden', 'dir', 'lang', 'role',
    'tabindex', 'frameborder', 'scrolling', 'marginwidth', 'marginheight', 'align', 'loading',
  ]);
  const DROPPED = new Set(['nonce', 'integrity', 'srcdoc', 'formaction', 'autoplay', 'ping', 'data-cotab-masked', 'data-cotab-blocked']);
  const URL_ATTRS = new Set(['href', 'src', 'action', 'poster', 'background', 'cite', 'xlink:href']);
  const LINK_RELS = new Set(['stylesheet', 'icon', 'shortcut', 'alternate']);
  const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

  /** @type {Document} */
  let doc;
  if (opts.doc) doc = opts.doc;
  else if (opts.frame) {
    const f = /** @type {HTMLIFrameElement | null} */ (document.querySelector(opts.frame));
    if (!f || !f.contentDocument) throw new Error(`normalizeDom: no document in ${opts.frame}`);
    doc = f.contentDocument;
  } else doc = document;
  const win = doc.defaultView;
  const base = doc.baseURI;
  const mirror = opts.mirror === true;

  /** @param {string} s */
  const valid = (s) => {
    try {
      doc.createDocumentFragment().querySelector(s);
      return true;
    } catch {
      return false;
    }
  };
  const maskSel = ['input[type=password]', 'input[type=hidden]', '[data-cotab-mask]', '.cotab-mask', ...(opts.maskSelectors ?? []).filter((s) => typeof s === 'string' && s.trim() && valid(s))].join(',');
  const blockSel = ['[data-cotab-block]', ...(opts.blockSelectors ?? []).filter((s) => typeof s === 'string' && s.trim() && valid(s))].join(',');

  /** @param {string} s */
  const placeholder = (s) => s.replace(/\S/g, '\u2022');
  /** @param {string} v */
  const dangerous = (v) => {
    if (v.indexOf(':') < 0) return false;
    let s = '';
    for (let i = 0; i < v.length && s.length < 14; i++) if (v.charCodeAt(i) > 32) s += v[i];
    s = s.toLowerCase();
    return s.startsWith('javascript:') || s.startsWith('vbscript:') || s.startsWith('data:text/html');
  };
  /** @param {string} v */
  const absUrl = (v) => {
    const t = v.trim();
    if (t === '' || t[0] === '#' || ABSOLUTE.test(t)) return t === '' ? v : t;
    try {
      return new URL(t, base).href;
    } catch {
      return v;
    }
  };
  /** @param {string} v */
  const absSrcset = (v) =>
    v
      .split(',')
      .map((part) => {
        const m = /^(\s*)(\S+)([\s\S]*)$/.exec(part);
        return m ? m[1] + absUrl(m[2]) + m[3] : part;
      })
      .join(',');
  /** @param {string} css */
  const absCss = (css) =>
    css.replace(/url\(\s*(["']?)([^"')]*)\1\s*\)/gi, (whole, _q, url) => {
      const t = String(url).trim();
      if (t === '' || t[0] === '#' || ABSOLUTE.test(t)) return whole;
      try {
        return `url("${new URL(t, base).href}")`;
      } catch {
        return whole;
      }
    });
  /** @param {string | null} rel */
  const allowedRel = (rel) => {
    if (!rel) return false;
    let main = false;
    for (const raw of rel.split(/[\t\n\f\r ]+/)) {
      if (!raw) continue;
      const t = raw.toLowerCase();
      if (!LINK_RELS.has(t)) return false;
      if (t === 'stylesheet' || t === 'icon') main = true;
    }
    return main;
  };
  /** @param {Element} el */
  const tagOf = (el) => {
    const ns = el.namespaceURI;
    if (ns === SVG) return 'svg:' + el.localName;
    if (ns === MATHML) return 'math:' + el.localName;
    return el.localName;
  };
  /** @param {Element} el */
  const dropped = (el) => {
    const local = el.localName;
    if (local === 'script') return true;
    if (el.namespaceURI !== HTML) return false;
    if (local === 'noscript' || local === 'base') return true;
    if (local === 'meta' && el.hasAttribute('http-equiv')) return true;
    if (local === 'link' && !allowedRel(el.getAttribute('rel'))) return true;
    if (!mirror && opts.skip && el.matches(opts.skip)) return true;
    return false;
  };
  /** @param {Element} el */
  const selfMasked = (el) => {
    if (mirror) return el.hasAttribute('data-cotab-masked');
    const local = el.localName;
    if (el.namespaceURI === HTML && (local === 'input' || local === 'select' || local === 'textarea')) {
      const ac = el.getAttribute('autocomplete');
      if (ac && ac.split(/\s+/).some((t) => t.toLowerCase().startsWith('cc-') || t.toLowerCase() === 'one-time-code')) return true;
    }
    return el.matches(maskSel);
  };
  /** @param {Element} el */
  const blocked = (el) => (mirror ? el.hasAttribute('data-cotab-blocked') : el.matches(blockSel));
  /** @param {HTMLStyleElement | SVGStyleElement} el */
  const sheetText = (el) => {
    let text = '';
    const sheet = el.sheet;
    if (sheet) {
      try {
        text = Array.from(sheet.cssRules, (r) => r.cssText).join('\n');
      } catch {
        text = el.textContent ?? '';
      }
    } else text = el.textContent ?? '';
    return absCss(text);
  };

  /**
   * @param {Element} el
   * @param {boolean} parentMasked
   * @returns {Record<string, unknown>}
   */
  const element = (el, parentMasked) => {
    const tag = tagOf(el);
    if (blocked(el)) return { tag, blocked: true };
    const masked = parentMasked || selfMasked(el);
    const local = el.localName;
    const html = el.namespaceURI === HTML;
    const isRoot = el === doc.documentElement;
    /** @type {string[][]} */
    const attrs = [];
    for (const a of Array.from(el.attributes)) {
      const name = a.name;
      const lower = name.toLowerCase();
      if (lower.startsWith('on') || DROPPED.has(lower)) continue;
      if (isRoot && lower === 'inert') continue;
      if (masked && !MASK_ALLOW.has(name)) continue;
      if (html && FRAME_LIKE.has(local) && !FRAME_ATTRS.has(name)) continue;
      let v = a.value;
      if (name === 'style') {
        if (/javascript:|vbscript:|expression\s*\(/i.test(v)) continue;
        v = absCss(v);
      } else {
        if (dangerous(v)) continue;
        if (URL_ATTRS.has(name)) v = absUrl(v);
        else if (name === 'srcset' || name === 'imagesrcset') v = absSrcset(v);
      }
      if (['animate', 'set', 'animatemotion', 'animatetransform', 'discard'].includes(local.toLowerCase()) && lower === 'attributename') {
        const t = v.trim().toLowerCase();
        if (t.startsWith('on') || t === 'href' || t === 'xlink:href') continue;
      }
      attrs.push([name, v]);
    }
    attrs.sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
    /** @type {Record<string, unknown>} */
    const out = { tag, attrs };
    if (masked) out.masked = true;
    if (html) {
      if (local === 'input') {
        const input = /** @type {HTMLInputElement} */ (el);
        if (input.type === 'checkbox' || input.type === 'radio') {
          if (!masked) out.checked = input.checked;
        } else if (input.type !== 'file') {
          out.value = masked ? placeholder(input.value) : input.value;
        }
      } else if (local === 'textarea') {
        const v = /** @type {HTMLTextAreaElement} */ (el).value;
        out.value = masked ? placeholder(v) : v;
      } else if (local === 'option') {
        if (!masked) out.selected = /** @type {HTMLOptionElement} */ (el).selected;
      } else if (local === 'select') {
        const s = /** @type {HTMLSelectElement} */ (el);
        if (!masked && s.length > 0 && s.selectedIndex === -1) out.none = true;
      }
      if (el !== doc.scrollingElement && (el.scrollLeft !== 0 || el.scrollTop !== 0)) out.scroll = [el.scrollLeft, el.scrollTop];
    }
    if (local === 'style' && (html || el.namespaceURI === SVG)) {
      out.css = sheetText(/** @type {HTMLStyleElement} */ (el));
      return out;
    }
    if (html && local === 'template') {
      out.kids = [];
      return out;
    }
    out.kids = children(el, masked);
    return out;
  };

  /**
   * @param {Node} parent
   * @param {boolean} masked
   * @returns {unknown[]}
   */
  const children = (parent, masked) => {
    /** @type {unknown[]} */
    const kids = [];
    let text = '';
    let inText = false;
    const endText = () => {
      if (inText && text !== '') kids.push(masked ? placeholder(text) : text);
      text = '';
      inText = false;
    };
    for (let c = parent.firstChild; c !== null; c = c.nextSibling) {
      if (c.nodeType === 3) {
        text += /** @type {Text} */ (c).data;
        inText = true;
      } else if (c.nodeType === 1) {
        const el = /** @type {Element} */ (c);
        if (dropped(el)) continue;
        endText();
        kids.push(element(el, masked));
      }
      // comments, processing instructions, CDATA: ignored (and do not split text)
    }
    endText();
    return kids;
  };

  const root = doc.documentElement;
  return {
    doctype: doc.doctype ? doc.doctype.name : null,
    scroll: win ? [win.scrollX, win.scrollY] : [0, 0],
    root: root ? element(root, false) : null,
  };
}
