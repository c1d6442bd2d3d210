// The action firewall (app.md §7): what an agent's action may touch on the customer's page. Pure
// DOM classification: no chrome.*, no state, nothing dispatched. The ActionRunner (actions.js) asks
// before every event it sends, and again right before a click lands; the guard (guard.js) catches
// what the page's own handlers try while an action is being dispatched.
//
// The rules, in the order they are checked:
// - masked: masked, password and blocked fields and areas are the customer's alone (mask.js's
//   built-in rules, anything inside [data-cotab-block], and the Recorder's own rules through
//   ctx.isMasked, which also knows the settings' selectors and "was once a password" inputs);
// - finalizing: controls that pay, buy, order, confirm, transfer, delete, sign or submit, found by
//   what the customer reads on them (text, value, title, aria-label, aria-labelledby, alt, the
//   labels of a field) in several languages, or by a settings selector. Matching is by word for
//   Latin scripts (so "Payment options" is not "pay") and by substring for CJK, after case folding
//   and NFKD with the marks removed (so "Zapłać", "ZAPLAC" and "zaplac" are one word);
// - submit: anything whose activation reaches a form submission (a submit button with a form
//   owner, an <input type=submit|image>, a <label> of one, the `form` attribute's owners);
// - origin: links leave only for the allowed origins (same origin by default), never into another
//   window or frame, never to a non-http(s) URL;
// - invalid: disabled, inert, behind a modal dialog, or not displayed (no layout box): the
//   customer could not do it either.
//
// "Activation chain": a click on a <span> inside a <button> inside a <a> runs the handlers of all
// three and the default action of the nearest one; the chain is the target, its ancestors (across
// shadow roots), and for a <label> the control it activates. Every element of it is checked for
// selectors; those that carry a label of their own (controls, the clicked element when its text is
// short, an element that sets cursor:pointer itself) are checked for words too. A long container's
// text is not a label: it would make every click on the page "finalizing".
//
// Erring safe is the rule: when something cannot be decided (a settings predicate throws, a label
// is enormous), the answer is the refusal. Refusal details are built by describeElement, which
// never reads masked text.

import { BUILTIN_BLOCK_SELECTOR, BUILTIN_MASK_SELECTOR, isFormField, isSensitiveAutocomplete } from './mask.js';

/** @typedef {import('../common/app.js').RefusalReason} RefusalReason */
/**
 * What the firewall needs to know about the session, asked for on every action.
 * @typedef {object} FirewallContext
 * @property {string[]} allowedOrigins  origins links and proposals may lead to; empty: the page's own
 * @property {string[]} finalizeSelectors  settings selectors of controls the agent must never activate
 * @property {string} pageUrl  the shared document's URL
 * @property {(el: Element) => boolean} isMasked  the Recorder's masking verdict (mask + block rules)
 */
/** @typedef {{ok: true} | {ok: false, why: RefusalReason, detail: string}} Verdict */

/** Longest refusal detail (app.md §7.4), in code points. */
export const MAX_DETAIL_CHARS = 200;
/** Longest label quoted in a detail, in code points (the rest is cut with an ellipsis). */
export const MAX_QUOTED_LABEL_CHARS = 60;
/** A clicked element whose text is at most this long (normalized) is its own label; a longer one
 * is a container, whose text says nothing about what the click activates. */
export const MAX_LABEL_CHARS = 120;
/** Most characters of one label source read for matching: a control with a megabyte of text costs
 * no more than a long button. */
export const MAX_LABEL_SCAN_CHARS = 2000;
/** Most settings selectors tried (mask.js accepts as many for its lists). */
export const MAX_FINALIZE_SELECTORS = 200;
/** Longest settings selector tried. */
export const MAX_FINALIZE_SELECTOR_CHARS = 1000;

/**
 * Phrases that mark a finalizing control, per language. A phrase matches whole words of a label
 * (Latin scripts) or anywhere in it (CJK). Bare words are there when they are finalizing on their
 * own on a button ("Pay", "Delete"); otherwise only phrases ("sign contract", not "sign": "Sign in").
 */
export const FINALIZING_WORDS = Object.freeze({
  en: Object.freeze([
    'pay', 'pay now', 'buy', 'buy now', 'purchase', 'place order', 'place your order', 'order now', 'submit order',
    'complete order', 'complete your order', 'confirm your order',
    'complete purchase', 'confirm order', 'confirm purchase', 'confirm payment', 'checkout', 'check out', 'confirm',
    'transfer', 'send money', 'wire money', 'delete', 'remove', 'erase', 'trash', 'sign contract', 'sign the contract',
    'sign document', 'sign agreement', 'sign now', 'sign here', 'e-sign', 'esign', 'submit', 'subscribe',
    'unsubscribe', 'donate', 'authorize', 'authorise', 'approve', 'cancel order', 'cancel subscription',
    'close account', 'deactivate',
  ]),
  de: Object.freeze([
    'bezahlen', 'zahlen', 'jetzt bezahlen', 'jetzt zahlen', 'kaufen', 'jetzt kaufen', 'bestellen', 'jetzt bestellen',
    'kostenpflichtig bestellen', 'zahlungspflichtig bestellen', 'bestellung abschicken', 'bestellung abschließen',
    'bestellung aufgeben', 'kauf abschließen', 'zur kasse', 'bestätigen', 'überweisen', 'überweisung', 'geld senden',
    'löschen', 'entfernen', 'unterschreiben', 'unterzeichnen', 'signieren', 'absenden', 'abschicken', 'einreichen',
    'abonnieren', 'spenden', 'kündigen', 'freigeben',
  ]),
  fr: Object.freeze([
    'payer', 'payer maintenant', 'acheter', 'acheter maintenant', 'commander', 'passer la commande', 'passer commande',
    'valider la commande', 'valider ma commande', 'finaliser la commande', 'confirmer', 'confirmer la commande',
    'confirmer le paiement', 'régler', 'virement', 'effectuer le virement', 'transférer', "envoyer de l'argent",
    'supprimer', 'effacer', 'retirer', 'signer', 'signer le contrat', 'soumettre', "s'abonner", 'faire un don',
    'autoriser', 'résilier',
  ]),
  es: Object.freeze([
    'pagar', 'pagar ahora', 'comprar', 'comprar ahora', 'realizar pedido', 'hacer pedido', 'tramitar pedido',
    'finalizar compra', 'finalizar pedido', 'confirmar', 'confirmar pedido', 'confirmar compra', 'transferir',
    'transferencia', 'enviar dinero', 'eliminar', 'borrar', 'quitar', 'firmar', 'firmar contrato', 'suscribirse',
    'donar', 'autorizar',
  ]),
  it: Object.freeze([
    'paga', 'paga ora', 'pagare', 'acquista', 'acquista ora', 'acquistare', 'compra', 'compra ora', 'ordina',
    'ordina ora', 'effettua ordine', 'conferma ordine', 'conferma', 'confermare', "procedi all'acquisto", 'bonifico',
    'trasferisci', 'invia denaro', 'elimina', 'eliminare', 'cancella', 'rimuovi', 'firma', 'firmare', 'abbonati',
    'dona', 'autorizza',
  ]),
  pt: Object.freeze([
    'pagar', 'pagar agora', 'comprar', 'comprar agora', 'finalizar compra', 'finalizar pedido', 'fazer pedido',
    'fechar pedido', 'confirmar', 'confirmar pedido', 'confirmar compra', 'transferir', 'transferência',
    'enviar dinheiro', 'excluir', 'apagar', 'remover', 'eliminar', 'assinar', 'assinar contrato', 'assinar documento',
    'subscrever', 'doar', 'autorizar',
  ]),
  nl: Object.freeze([
    'betalen', 'nu betalen', 'afrekenen', 'kopen', 'nu kopen', 'bestellen', 'nu bestellen', 'bestelling plaatsen',
    'bestelling afronden', 'bevestigen', 'overmaken', 'overboeken', 'geld overmaken', 'verwijderen', 'wissen',
    'ondertekenen', 'indienen', 'abonneren', 'doneren', 'autoriseren', 'opzeggen',
  ]),
  pl: Object.freeze([
    'zapłać', 'zapłać teraz', 'zapłacić', 'płać', 'kup', 'kup teraz', 'kupuję', 'kupić', 'zamów', 'zamawiam',
    'zamów teraz', 'złóż zamówienie', 'zamówienie z obowiązkiem zapłaty', 'potwierdź', 'potwierdzam', 'zatwierdź',
    'przelew', 'przelej', 'wykonaj przelew', 'wyślij pieniądze', 'usuń', 'skasuj', 'podpisz', 'podpisz umowę',
    'subskrybuj', 'wpłać', 'autoryzuj',
  ]),
  ja: Object.freeze([
    '購入', '支払', '支払い', '決済', '注文する', '注文を確定', '注文確定', '注文を完了', '確定', '確認', '送金', '振込',
    '振り込', '削除', '署名', '送信', '申し込', '申込', '契約する', 'レジに進む', '退会',
  ]),
  zh: Object.freeze([
    '支付', '付款', '购买', '購買', '买单', '下单', '下單', '提交订单', '提交訂單', '确认', '確認', '转账', '轉帳', '转帐',
    '汇款', '匯款', '删除', '刪除', '移除', '签署', '簽署', '签名', '簽名', '提交', '结算', '結算', '结账', '結帳', '订阅',
    '訂閱', '捐款', '注销', '註銷',
  ]),
});

/**
 * Labels that are finalizing only as the whole label: a button that says just "Send" sends (a
 * message, on the customer's behalf), while "Send us feedback" links to a form; "Order" orders,
 * "Order history" does not.
 */
export const FINALIZING_LABELS = Object.freeze({
  en: Object.freeze(['order', 'send', 'send now']),
  de: Object.freeze(['senden', 'jetzt senden']),
  fr: Object.freeze(['envoyer', 'valider']),
  es: Object.freeze(['enviar', 'pedir']),
  it: Object.freeze(['invia']),
  pt: Object.freeze(['enviar']),
  nl: Object.freeze(['verzenden', 'versturen']),
  pl: Object.freeze(['wyślij']),
  ja: Object.freeze([]),
  zh: Object.freeze(['发送', '發送']),
});

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * The form labels are compared in: lower case, NFKD with the combining marks removed, the few
 * letters NFKD does not decompose folded by hand (ß, ł, ø, æ, œ, đ, ı), every run of anything but
 * letters and digits one space. "Zapłać teraz!" → "zaplac teraz"; "s'abonner" → "s abonner".
 * @param {string} text
 */
export function normalizeLabel(text) {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[ßłøæœđı]/g, (c) => FOLD[c] ?? c)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
/** @type {Record<string, string>} */
const FOLD = { 'ß': 'ss', 'ł': 'l', 'ø': 'o', 'æ': 'ae', 'œ': 'oe', 'đ': 'd', 'ı': 'i' };

/** The phrase lists, normalized once: Latin phrases padded for whole-word search, CJK compacted. */
const COMPILED = (() => {
  /** @type {{padded: string, word: string}[]} */
  const words = [];
  /** @type {string[]} */
  const cjk = [];
  /** @type {Set<string>} */
  const labels = new Set();
  for (const list of Object.values(FINALIZING_WORDS)) {
    for (const phrase of list) {
      const norm = normalizeLabel(phrase);
      if (norm === '') continue;
      if (CJK.test(norm)) cjk.push(norm.replace(/ /g, ''));
      else words.push({ padded: ` ${norm} `, word: norm });
    }
  }
  for (const list of Object.values(FINALIZING_LABELS)) for (const label of list) labels.add(normalizeLabel(label));
  return { words, cjk, labels };
})();

/**
 * The finalizing word or phrase a label contains, normalized, or null.
 * @param {string} label  raw text (normalized here)
 * @returns {string | null}
 */
export function matchFinalizingWords(label) {
  const norm = normalizeLabel(label.slice(0, MAX_LABEL_SCAN_CHARS));
  if (norm === '') return null;
  if (COMPILED.labels.has(norm)) return norm;
  const padded = ` ${norm} `;
  for (const w of COMPILED.words) if (padded.includes(w.padded)) return w.word;
  if (CJK.test(norm)) {
    const compact = norm.replace(/ /g, '');
    for (const w of COMPILED.cjk) if (compact.includes(w)) return w;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Element classification.

const HTML_NS = 'http://www.w3.org/1999/xhtml';
const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
/** ARIA roles of things that do something when clicked. */
const CONTROL_ROLES = new Set([
  'button', 'link', 'menuitem', 'menuitemcheckbox', 'menuitemradio', 'option', 'tab', 'switch', 'checkbox', 'radio',
]);
/** <input> types that are buttons (their label is their value or alt). */
const BUTTON_INPUT_TYPES = new Set(['submit', 'image', 'button', 'reset']);
/** <input> types a user types text into. */
const TEXT_INPUT_TYPES = new Set(['text', 'search', 'url', 'tel', 'email', 'number', 'password']);
/** Elements whose text is never part of a label. */
const NOT_LABEL_TEXT = new Set(['script', 'style', 'template', 'noscript']);

/** @param {Element} el @param {string} name */
function isHtml(el, name) {
  return el.namespaceURI === HTML_NS && el.localName === name;
}

/** @param {Element} el @returns {el is HTMLInputElement} */
function isInput(el) {
  return isHtml(el, 'input');
}

/** The parent element, or the host of the shadow root el is the top of. @param {Element} el */
function parentOrHost(el) {
  if (el.parentElement) return el.parentElement;
  const root = el.parentNode;
  return root && root.nodeType === 11 && 'host' in root ? /** @type {ShadowRoot} */ (root).host : null;
}

/** el and its ancestors, across shadow roots. @param {Element} el */
function* ancestry(el) {
  for (let e = /** @type {Element | null} */ (el); e; e = parentOrHost(e)) yield e;
}

/**
 * A link el activates: <a>/<area> with an href, or an SVG <a>.
 * @param {Element} el
 * @returns {{href: string, target: string, download: boolean} | null}
 */
function linkOf(el) {
  if (el.namespaceURI === HTML_NS && (el.localName === 'a' || el.localName === 'area') && el.hasAttribute('href')) {
    const a = /** @type {HTMLAnchorElement | HTMLAreaElement} */ (el);
    return { href: a.href, target: targetOf(el), download: el.hasAttribute('download') };
  }
  if (el.namespaceURI === SVG_NS && el.localName === 'a') {
    const raw = el.getAttribute('href') ?? el.getAttributeNS(XLINK_NS, 'href');
    if (raw === null) return null;
    let href = raw;
    try {
      href = new URL(raw, el.baseURI).href;
    } catch {
      // kept raw: checkNavigation refuses what does not parse
    }
    return { href, target: targetOf(el), download: false };
  }
  return null;
}

/** The browsing context a link or form opens into: its own target, else <base target>. @param {Element} el */
function targetOf(el) {
  const own = el.getAttribute('target');
  if (own !== null) return own.trim();
  const base = el.ownerDocument.querySelector('base[target]');
  return base?.getAttribute('target')?.trim() ?? '';
}

/** Does a target name keep the navigation in this document's own window? @param {string} target @param {Element} el */
function staysInThisWindow(target, el) {
  const t = target.toLowerCase();
  if (t === '' || t === '_self') return true;
  if (t === '_top' || t === '_parent') {
    const win = el.ownerDocument.defaultView;
    return !!win && win === win.top;
  }
  return false;
}

/**
 * Does activating el submit a form? Submit buttons submit their form owner (its `form` attribute
 * or its ancestor form); without an owner they do nothing.
 * @param {Element} el
 */
export function isSubmitControl(el) {
  if (isHtml(el, 'button')) {
    const b = /** @type {HTMLButtonElement} */ (el);
    return b.type === 'submit' && b.form !== null;
  }
  if (isInput(el)) return (el.type === 'submit' || el.type === 'image') && el.form !== null;
  return false;
}

/**
 * Is el a control by its own nature: a button, a link, a button-like or checkable input, or an
 * element with a control's ARIA role?
 * @param {Element} el
 */
export function isControl(el) {
  if (el.namespaceURI === HTML_NS) {
    switch (el.localName) {
      case 'button':
      case 'summary':
        return true;
      case 'a':
      case 'area':
        if (el.hasAttribute('href')) return true;
        break;
      case 'input':
        if (BUTTON_INPUT_TYPES.has(/** @type {HTMLInputElement} */ (el).type) || isCheckable(el)) return true;
        break;
    }
  } else if (el.namespaceURI === SVG_NS && el.localName === 'a') {
    return true;
  }
  const role = el.getAttribute('role');
  return role !== null && role.split(/\s+/).some((r) => CONTROL_ROLES.has(r.toLowerCase()));
}

/**
 * Does el do something when clicked, so that its label says what? Controls, <label>s, and
 * elements made clickable or focusable by the page (onclick, tabindex ≥ 0).
 * @param {Element} el
 */
export function isControlLike(el) {
  if (isControl(el) || isHtml(el, 'label')) return true;
  return el.hasAttribute('onclick') || (el.hasAttribute('tabindex') && el.getAttribute('tabindex')?.trim() !== '-1');
}

/** @param {Element} el @returns {boolean} a native checkbox or radio */
function isCheckable(el) {
  return isInput(el) && (el.type === 'checkbox' || el.type === 'radio');
}

/** An ARIA checkbox/switch/radio whose state is aria-checked. @param {Element} el */
function isAriaCheckable(el) {
  const role = el.getAttribute('role')?.trim().toLowerCase();
  return role === 'checkbox' || role === 'switch' || role === 'radio' || role === 'menuitemcheckbox' || role === 'menuitemradio';
}


/**
 * Where the agent can type, and how: 'input' (single line), 'textarea', 'contenteditable', or null.
 * @param {Element} el
 * @returns {'input' | 'textarea' | 'contenteditable' | null}
 */
export function editableKind(el) {
  if (isInput(el)) return TEXT_INPUT_TYPES.has(el.type) ? 'input' : null;
  if (isHtml(el, 'textarea')) return 'textarea';
  if ('isContentEditable' in el && /** @type {HTMLElement} */ (el).isContentEditable) return 'contenteditable';
  return null;
}

/** The editing host of an element inside a contenteditable region: the element that takes focus.
 * @param {Element} el  an element whose editableKind is 'contenteditable' */
export function editingHost(el) {
  let host = /** @type {HTMLElement} */ (el);
  for (let p = parentOrHost(el); p && 'isContentEditable' in p && /** @type {HTMLElement} */ (p).isContentEditable; p = parentOrHost(p)) {
    host = /** @type {HTMLElement} */ (p);
  }
  return host;
}

/**
 * Does el itself match a built-in mask or block rule (ancestors not considered)?
 * @param {Element} el
 */
function selfMaskedBuiltin(el) {
  if (el.matches(BUILTIN_BLOCK_SELECTOR) || el.matches(BUILTIN_MASK_SELECTOR)) return true;
  if (isInput(el) && el.type === 'password') return true;
  return isFormField(el) && isSensitiveAutocomplete(el.getAttribute('autocomplete'));
}

/**
 * Asks a masking predicate; anything but a plain `false`, a throw included, is "masked".
 * @param {((el: Element) => boolean) | undefined} isMasked
 * @param {Element} el
 */
function askMasked(isMasked, el) {
  if (typeof isMasked !== 'function') return false;
  try {
    return isMasked(el) !== false;
  } catch {
    return true;
  }
}

/**
 * Is el masked or blocked, by itself or through an ancestor — a place the agent's actions never
 * go? The built-in rules are applied here too, so a context that forgot them still fails safe.
 * @param {Element} el
 * @param {(el: Element) => boolean} [isMasked]  the Recorder's verdict
 */
export function isMaskedElement(el, isMasked) {
  for (const e of ancestry(el)) if (selfMaskedBuiltin(e)) return true;
  return askMasked(isMasked, el);
}

/** Is el inside a blocked area ([data-cotab-block])? @param {Element} el */
function isBlockedArea(el) {
  for (const e of ancestry(el)) if (e.matches(BUILTIN_BLOCK_SELECTOR)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Labels: what the customer reads on a control.

/** Elements after which rendered text continues on a new line (a space when flattened). */
const BLOCKISH = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'td', 'th', 'tr', 'ul',
]);
/** Most nodes visited when reading one element's text. */
export const MAX_LABEL_NODES = 1000;

/**
 * The text el shows, as one line: text nodes and image alts in document order, a space where a
 * block ends. Skips scripts, styles, [hidden] subtrees and nested controls (a card link's label is
 * not the "Buy now" button inside it: that button is its own control). With `isMasked`, masked
 * subtrees are skipped too (for details shown to the agent).
 * @param {Element} root
 * @param {((el: Element) => boolean) | null} isMasked
 * @param {number} [budget]  characters wanted at most
 */
function ownText(root, isMasked, budget = MAX_LABEL_SCAN_CHARS) {
  return readText(root, isMasked, budget).text;
}

/**
 * ownText, and whether it was cut (more text, or more nodes than MAX_LABEL_NODES, than read).
 * @param {Element} root
 * @param {((el: Element) => boolean) | null} isMasked
 * @param {number} budget
 * @returns {{text: string, truncated: boolean}}
 */
function readText(root, isMasked, budget) {
  let out = '';
  let visited = 0;
  /** @type {Node[]} */
  const stack = [];
  for (let c = root.lastChild; c; c = c.previousSibling) stack.push(c);
  while (stack.length && out.length < budget && visited < MAX_LABEL_NODES) {
    visited++;
    const node = /** @type {Node} */ (stack.pop());
    if (node.nodeType === 3) {
      out += /** @type {Text} */ (node).data;
      continue;
    }
    if (node.nodeType !== 1) continue;
    const el = /** @type {Element} */ (node);
    if (NOT_LABEL_TEXT.has(el.localName) || el.hasAttribute('hidden') || isControlLike(el)) continue;
    if (isMasked && (selfMaskedBuiltin(el) || askMasked(isMasked, el))) continue;
    if (el.localName === 'img') {
      out += ` ${el.getAttribute('alt') ?? ''} `;
      continue;
    }
    if (BLOCKISH.has(el.localName)) out += ' ';
    for (let c = el.lastChild; c; c = c.previousSibling) stack.push(c);
  }
  return { text: out.slice(0, budget), truncated: out.length >= budget || stack.length > 0 };
}

/** Elements whose `labels` are their <label>s. @param {Element} el */
function isLabelable(el) {
  if (el.namespaceURI !== HTML_NS) return false;
  const n = el.localName;
  return n === 'input' || n === 'button' || n === 'select' || n === 'textarea' || n === 'meter' || n === 'output' || n === 'progress';
}

/**
 * Everything a customer reads as el's label, one string per source, most specific first:
 * aria-labelledby, aria-label, a button input's value (or its default caption) and alt, el's own
 * text (not for fields: a select's text is its options), its <label>s, title, alt.
 * @param {Element} el
 * @param {((el: Element) => boolean) | null} isMasked  skip masked text (for details)
 * @returns {string[]}
 */
function labelSources(el, isMasked) {
  return readLabel(el, isMasked).sources;
}

/**
 * labelSources, and whether any source was longer than could be read.
 * @param {Element} el
 * @param {((el: Element) => boolean) | null} isMasked
 * @returns {{sources: string[], truncated: boolean}}
 */
function readLabel(el, isMasked) {
  /** @type {string[]} */
  const out = [];
  let truncated = false;
  /** @param {string | null | undefined} s */
  const push = (s) => {
    if (!s || s.trim() === '') return;
    if (s.length > MAX_LABEL_SCAN_CHARS) truncated = true;
    out.push(s.slice(0, MAX_LABEL_SCAN_CHARS));
  };
  /** @param {Element} e */
  const pushText = (e) => {
    const r = readText(e, isMasked, MAX_LABEL_SCAN_CHARS);
    if (r.truncated) truncated = true;
    push(r.text);
  };
  const labelledBy = el.getAttribute('aria-labelledby');
  if (labelledBy) {
    const root = el.getRootNode();
    for (const id of labelledBy.trim().split(/\s+/).slice(0, 8)) {
      const ref = 'getElementById' in root ? /** @type {Document | ShadowRoot} */ (root).getElementById(id) : null;
      if (!ref || ref === el) continue;
      if (isMasked && isMaskedElement(ref, isMasked)) continue;
      pushText(ref);
    }
  }
  push(el.getAttribute('aria-label'));
  if (isInput(el) && BUTTON_INPUT_TYPES.has(el.type)) {
    if (el.hasAttribute('value')) push(el.value);
    else if (el.type === 'submit') push('Submit');
    else if (el.type === 'reset') push('Reset');
    if (el.type === 'image') push(el.getAttribute('alt'));
  }
  // A button's own caption before its <label>s (what the customer reads on it); a field has none.
  if (!isFormField(el)) pushText(el);
  if (isLabelable(el)) {
    const labels = /** @type {HTMLInputElement} */ (el).labels;
    if (labels) {
      for (const label of Array.from(labels).slice(0, 8)) {
        if (isMasked && isMaskedElement(label, isMasked)) continue;
        pushText(label);
      }
    }
  }
  push(el.getAttribute('title'));
  if (el.localName === 'img') push(el.getAttribute('alt'));
  return { sources: out, truncated };
}

/**
 * For a control with no label at all (an icon-only button): the words its markup carries — its
 * id, name and classes, its icons' classes and <use href="#icon-trash"> names, camelCase split.
 * Never shown to the agent; only matched.
 * @param {Element} el
 */
function iconHints(el) {
  /** @type {string[]} */
  const parts = [];
  /** @param {Element} e */
  const take = (e) => {
    for (const name of ['id', 'name', 'class', 'data-icon']) {
      const v = e.getAttribute(name);
      if (v) parts.push(v);
    }
    if (e.localName === 'use') {
      const href = e.getAttribute('href') ?? e.getAttributeNS(XLINK_NS, 'href') ?? '';
      parts.push(href.slice(href.indexOf('#') + 1));
    }
  };
  take(el);
  const inner = el.querySelectorAll('*');
  for (let i = 0; i < inner.length && i < 20; i++) take(inner[i]);
  return parts.join(' ').slice(0, MAX_LABEL_SCAN_CHARS).replace(/([a-z])([A-Z])/g, '$1 $2');
}

/**
 * Which finalizing word or settings selector el itself matches, or null. Words are matched on
 * every label source of el (and, for a control with no label at all, on its markup's names).
 * @param {Element} el
 * @param {FirewallContext} ctx
 * @returns {string | null}  e.g. `word “pay”`, `selector “.checkout-next”`
 */
export function finalizingMatch(el, ctx) {
  return finalizingOf(el, ctx, true);
}

/**
 * @param {Element} el
 * @param {FirewallContext} ctx
 * @param {boolean} words  match words too (el carries a label of its own)
 * @returns {string | null}
 */
function finalizingOf(el, ctx, words) {
  const selector = matchSelectors(el, ctx?.finalizeSelectors);
  if (selector !== null) return `selector “${selector}”`;
  if (!words) return null;
  const { sources, truncated } = readLabel(el, null);
  for (const s of sources) {
    const w = matchFinalizingWords(s);
    if (w !== null) return `word “${w}”`;
  }
  // A control whose label is too long to read in full could say "Pay" in the part not read.
  if (truncated && isControl(el)) return 'a label too long to check';
  if (sources.length === 0 && isControlLike(el)) {
    const w = matchFinalizingWords(iconHints(el));
    if (w !== null) return `word “${w}”`;
  }
  return null;
}

/**
 * The first settings selector el matches. Selectors that are not strings, too long, or that the
 * browser cannot parse are skipped (a typo in the options page must not break assistance).
 * @param {Element} el
 * @param {unknown} selectors
 * @returns {string | null}
 */
function matchSelectors(el, selectors) {
  if (!Array.isArray(selectors)) return null;
  const n = Math.min(selectors.length, MAX_FINALIZE_SELECTORS);
  for (let i = 0; i < n; i++) {
    const s = selectors[i];
    if (typeof s !== 'string' || s.trim() === '' || s.length > MAX_FINALIZE_SELECTOR_CHARS) continue;
    try {
      if (el.matches(s)) return s;
    } catch {
      // not a selector this browser parses: skipped
    }
  }
  return null;
}

/**
 * Does el carry a label of its own, worth matching words against? Controls do; so does the
 * element clicked and an element that sets cursor:pointer itself (a <div> made clickable by
 * script), when their text is short enough to be a label rather than a container's content.
 * @param {Element} el
 * @param {boolean} isTarget
 */
function carriesLabel(el, isTarget) {
  if (isControlLike(el)) return true;
  if (!isTarget && !setsPointerCursor(el)) return false;
  return normalizeLabel(ownText(el, null, MAX_LABEL_CHARS * 4)).length <= MAX_LABEL_CHARS;
}

/** @param {Element} el */
function setsPointerCursor(el) {
  const win = el.ownerDocument.defaultView;
  if (!win) return false;
  if (win.getComputedStyle(el).cursor !== 'pointer') return false;
  const parent = parentOrHost(el);
  return !parent || win.getComputedStyle(parent).cursor !== 'pointer';
}

// ---------------------------------------------------------------------------------------------
// Descriptions (refusal details).

/** @param {Element} el */
function kindName(el) {
  if (isInput(el)) {
    const t = el.type;
    if (t === 'checkbox') return 'checkbox';
    if (t === 'radio') return 'radio button';
    if (BUTTON_INPUT_TYPES.has(t)) return 'button';
    if (TEXT_INPUT_TYPES.has(t)) return `${t} field`;
    return `${t} input`;
  }
  if (el.namespaceURI === HTML_NS) {
    switch (el.localName) {
      case 'button':
        return 'button';
      case 'select':
        return 'list';
      case 'textarea':
        return 'text area';
      case 'a':
      case 'area':
        if (el.hasAttribute('href')) return 'link';
        break;
      case 'label':
        return 'label';
    }
  }
  const role = el.getAttribute('role')?.trim().split(/\s+/)[0]?.toLowerCase();
  if (role && /^[a-z]{1,20}$/.test(role)) return role;
  if ('isContentEditable' in el && /** @type {HTMLElement} */ (el).isContentEditable) return 'editable area';
  return `<${el.localName.slice(0, 20)}>`;
}

/**
 * Cuts to `max` code points (never inside a surrogate pair), with an ellipsis when cut.
 * @param {string} s
 * @param {number} max
 */
function cut(s, max) {
  const points = Array.from(s);
  return points.length <= max ? s : `${points.slice(0, max - 1).join('')}…`;
}

/**
 * A short human-readable name of a node for refusal details: its kind and the label a customer
 * reads on it (`button “Pay now”`, `email field “Email”`). Never masked text: a masked element is
 * named by its kind only, masked parts of a label are left out, field values are never read.
 * @param {Node | null | undefined} node
 * @param {(el: Element) => boolean} [isMasked]
 */
export function describeElement(node, isMasked) {
  if (!node || typeof node !== 'object' || typeof node.nodeType !== 'number') return 'nothing';
  if (node.nodeType === 3) return 'a text node';
  if (node.nodeType === 9) return 'the page';
  if (node.nodeType !== 1) return 'a node that is not an element';
  const el = /** @type {Element} */ (node);
  const kind = kindName(el);
  if (isMaskedElement(el, isMasked)) return `${kind} (masked)`;
  const masked = isMasked ?? (() => false);
  let label = labelSources(el, masked).map((s) => s.replace(/\s+/g, ' ').trim()).find((s) => s !== '') ?? '';
  if (label === '' && isFormField(el)) label = (el.getAttribute('placeholder') ?? '').replace(/\s+/g, ' ').trim();
  return label === '' ? kind : `${kind} “${cut(label, MAX_QUOTED_LABEL_CHARS)}”`;
}

// ---------------------------------------------------------------------------------------------
// Verdicts.

/** @type {Verdict} */
const OK = Object.freeze({ ok: true });

/**
 * @param {RefusalReason} why
 * @param {string} detail
 * @returns {Verdict}
 */
function refuse(why, detail) {
  return { ok: false, why, detail: cut(detail, MAX_DETAIL_CHARS) };
}

/**
 * The element an action names, or the refusal for what it names instead.
 * @param {unknown} target
 * @returns {{el: Element, verdict: null} | {el: null, verdict: Verdict}}
 */
function asElement(target) {
  if (target === null || target === undefined) return { el: null, verdict: refuse('no-node', 'no such node on the page') };
  const node = /** @type {Node} */ (target);
  if (typeof target !== 'object' || typeof node.nodeType !== 'number') return { el: null, verdict: refuse('invalid', 'not a node') };
  if (!node.isConnected) return { el: null, verdict: refuse('no-node', 'the node is no longer on the page') };
  if (node.nodeType === 9) return { el: null, verdict: refuse('invalid', 'the page itself, not an element on it') };
  if (node.nodeType === 3) return { el: null, verdict: refuse('invalid', 'a text node, not an element') };
  if (node.nodeType !== 1) return { el: null, verdict: refuse('invalid', 'not an element') };
  return { el: /** @type {Element} */ (node), verdict: null };
}

/** @param {FirewallContext} ctx */
function maskedOf(ctx) {
  return ctx && typeof ctx.isMasked === 'function' ? ctx.isMasked : undefined;
}

/**
 * The element an action names, unless it is masked (itself or an ancestor), with the context's
 * masking verdict; or the refusal.
 * @param {unknown} target
 * @param {FirewallContext} ctx
 * @returns {{el: Element, masked: ReturnType<typeof maskedOf>, verdict: null} | {el: null, masked?: undefined, verdict: Verdict}}
 */
function unmaskedElement(target, ctx) {
  const named = asElement(target);
  if (!named.el) return named;
  const masked = maskedOf(ctx);
  if (isMaskedElement(named.el, masked)) return { el: null, verdict: refuse('masked', describeElement(named.el, masked)) };
  return { el: named.el, masked, verdict: null };
}

/**
 * OK, or the refusal saying why the customer could not interact with el now (interactionProblem).
 * @param {Element} el
 * @param {ReturnType<typeof maskedOf>} masked
 * @returns {Verdict}
 */
function usable(el, masked) {
  const problem = interactionProblem(el);
  return problem ? refuse('invalid', `${describeElement(el, masked)} is ${problem}`) : OK;
}

/**
 * Why the customer could not interact with el right now, or null: disabled (itself or the control
 * it is inside), inert, behind a modal dialog, or not displayed.
 * @param {Element} el
 * @returns {string | null}
 */
export function interactionProblem(el) {
  for (const e of ancestry(el)) {
    if (e.namespaceURI === HTML_NS && /^(button|input|select|textarea|option|optgroup)$/.test(e.localName) && e.matches(':disabled')) {
      return 'disabled';
    }
    if (e.getAttribute('aria-disabled')?.trim().toLowerCase() === 'true' && isControlLike(e)) return 'disabled';
    if (e.hasAttribute('inert')) return 'inert';
  }
  let modal = null;
  try {
    modal = el.ownerDocument.querySelector(':modal');
  } catch {
    // a browser without :modal
  }
  if (modal && ![...ancestry(el)].includes(modal)) return 'behind a modal dialog';
  return isDisplayed(el) ? null : 'not displayed';
}

/** Has el a layout box the customer can see (display, visibility, content-visibility)? @param {Element} el */
function isDisplayed(el) {
  if (typeof el.checkVisibility === 'function') {
    if (!el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: false })) return false;
  } else if (el.getClientRects().length === 0) {
    return false;
  }
  const r = el.getBoundingClientRect();
  return r.width > 0 || r.height > 0;
}

/**
 * The activation chain of a click on el: el, its ancestors across shadow roots, and after each
 * <label> the control it activates (plus, for a field, its own labels).
 * @param {Element} el
 * @returns {Element[]}
 */
function activationChain(el) {
  /** @type {Element[]} */
  const chain = [];
  const seen = new Set();
  /** @param {Element | null | undefined} e */
  const add = (e) => {
    if (e && !seen.has(e)) {
      seen.add(e);
      chain.push(e);
    }
  };
  for (const e of ancestry(el)) {
    add(e);
    if (isHtml(e, 'label')) add(/** @type {HTMLLabelElement} */ (e).control);
  }
  return chain;
}

/**
 * The finalizing / submit / navigation verdict of a chain.
 * @param {Element} el  the element the action names
 * @param {Element[]} chain
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
function chainVerdict(el, chain, ctx) {
  const masked = maskedOf(ctx);
  for (const e of chain) {
    if (finalizingOf(e, ctx, carriesLabel(e, e === el)) !== null) return refuse('finalizing', describeElement(e, masked));
  }
  for (const e of chain) {
    if (isSubmitControl(e)) return refuse('submit', `${describeElement(e, masked)} would submit the form`);
  }
  for (const e of chain) {
    if (isInput(e) && e.type === 'file') return refuse('invalid', `${describeElement(e, masked)}: choosing files is the customer’s`);
    const link = linkOf(e);
    if (!link) continue;
    const what = describeElement(e, masked);
    if (link.download) return refuse('invalid', `${what} downloads a file`);
    if (!staysInThisWindow(link.target, e)) return refuse('origin', `${what} opens another window or frame`);
    const nav = checkNavigation(link.href, ctx);
    if (!nav.ok) return refuse(nav.why, `${what}: ${nav.detail}`);
  }
  return OK;
}

/**
 * May the agent click `target`? Checks the whole activation chain (see the top of this file).
 * @param {unknown} target  what the action's id resolved to
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
export function checkClick(target, ctx) {
  const { el, masked, verdict } = unmaskedElement(target, ctx);
  if (!el) return verdict;
  const chained = chainVerdict(el, activationChain(el), ctx);
  if (!chained.ok) return chained;
  return usable(el, masked);
}

/**
 * May the agent type into `target` (the `type` and `key` actions)?
 * @param {unknown} target
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
export function checkEditable(target, ctx) {
  const { el, masked, verdict } = unmaskedElement(target, ctx);
  if (!el) return verdict;
  const kind = editableKind(el);
  if (kind === null) return refuse('not-editable', `${describeElement(el, masked)} is not a text field`);
  if (kind !== 'contenteditable') {
    const field = /** @type {HTMLInputElement | HTMLTextAreaElement} */ (el);
    if (field.disabled || el.matches(':disabled')) return refuse('invalid', `${describeElement(el, masked)} is disabled`);
    if (field.readOnly) return refuse('not-editable', `${describeElement(el, masked)} is read-only`);
  }
  return usable(el, masked);
}

/**
 * The first option of a <select> with this value, or null.
 * @param {HTMLSelectElement} select
 * @param {string} value
 */
export function findOption(select, value) {
  const options = select.options;
  for (let i = 0; i < options.length; i++) if (options[i].value === value) return options[i];
  return null;
}

/**
 * May the agent choose option `value` of `target` (a <select>)?
 * @param {unknown} target
 * @param {unknown} value
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
export function checkSelect(target, value, ctx) {
  const { el, masked, verdict } = unmaskedElement(target, ctx);
  if (!el) return verdict;
  if (!isHtml(el, 'select')) return refuse('not-editable', `${describeElement(el, masked)} is not a list of options`);
  const what = describeElement(el, masked);
  for (const e of ancestry(el)) {
    const s = matchSelectors(e, ctx?.finalizeSelectors);
    if (s !== null) return refuse('finalizing', what);
  }
  const ready = usable(el, masked);
  if (!ready.ok) return ready;
  if (typeof value !== 'string') return refuse('invalid', 'no option value given');
  const option = findOption(/** @type {HTMLSelectElement} */ (el), value);
  if (!option) return refuse('invalid', `${what} has no option with that value`);
  if (option.disabled || option.matches(':disabled')) return refuse('invalid', `that option of ${what} is disabled`);
  return OK;
}

/**
 * May the agent tick or untick `target` (a checkbox, radio button, or ARIA checkbox/switch/radio)?
 * A checkbox whose label, or an ancestor that carries a label, is finalizing ("I accept and sign
 * the contract") is refused like the button it amounts to.
 * @param {unknown} target
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
export function checkCheck(target, ctx) {
  const { el, masked, verdict } = unmaskedElement(target, ctx);
  if (!el) return verdict;
  const native = isCheckable(el);
  if (!native && !isAriaCheckable(el)) return refuse('not-editable', `${describeElement(el, masked)} is not a checkbox or radio button`);
  const chain = activationChain(el);
  if (native) {
    const labels = /** @type {HTMLInputElement} */ (el).labels;
    if (labels) for (const l of Array.from(labels)) if (!chain.includes(l)) chain.push(l);
  }
  const chained = chainVerdict(el, chain, ctx);
  if (!chained.ok) return chained;
  let problem = interactionProblem(el);
  // Styled checkboxes hide the input and show its label: the customer sees (and clicks) the label.
  if (problem === 'not displayed' && native) {
    const labels = /** @type {HTMLInputElement} */ (el).labels;
    if (labels && Array.from(labels).some((l) => interactionProblem(l) === null)) problem = null;
  }
  if (problem) return refuse('invalid', `${describeElement(el, masked)} is ${problem}`);
  return OK;
}

/**
 * The offsets a scroll container can take, per axis, or null on an axis the user cannot scroll
 * (no overflow, or overflow hidden/clip). Right-to-left containers scroll to negative x.
 * @param {Element | Document} target  the document (or its scrolling element): the window
 * @returns {{x: [number, number] | null, y: [number, number] | null, window: boolean}}
 */
export function scrollRange(target) {
  const doc = target.nodeType === 9 ? /** @type {Document} */ (target) : /** @type {Element} */ (target).ownerDocument;
  const win = doc.defaultView;
  const root = doc.documentElement;
  const isWindow = target.nodeType === 9 || target === doc.scrollingElement || target === root ||
    (target === doc.body && doc.scrollingElement === doc.body);
  if (!win || !root) return { x: null, y: null, window: isWindow };
  if (isWindow) {
    const scroller = doc.scrollingElement ?? root;
    const rootStyle = win.getComputedStyle(root);
    // The viewport takes the root's overflow, or the body's when the root's is visible.
    const bodyStyle = doc.body ? win.getComputedStyle(doc.body) : null;
    const pick = (/** @type {'overflowX' | 'overflowY'} */ axis) =>
      rootStyle[axis] === 'visible' && bodyStyle ? bodyStyle[axis] : rootStyle[axis];
    const maxX = scroller.scrollWidth - root.clientWidth;
    const maxY = scroller.scrollHeight - root.clientHeight;
    const rtl = rootStyle.direction === 'rtl';
    return {
      x: maxX > 0 && userScrolls(pick('overflowX'), true) ? (rtl ? [-maxX, 0] : [0, maxX]) : null,
      y: maxY > 0 && userScrolls(pick('overflowY'), true) ? [0, maxY] : null,
      window: true,
    };
  }
  const el = /** @type {Element} */ (target);
  const cs = win.getComputedStyle(el);
  const maxX = el.scrollWidth - el.clientWidth;
  const maxY = el.scrollHeight - el.clientHeight;
  const rtl = cs.direction === 'rtl';
  return {
    x: maxX > 0 && userScrolls(cs.overflowX, false) ? (rtl ? [-maxX, 0] : [0, maxX]) : null,
    y: maxY > 0 && userScrolls(cs.overflowY, false) ? [0, maxY] : null,
    window: false,
  };
}

/**
 * @param {string} overflow  a computed overflow-x / overflow-y
 * @param {boolean} viewport  the viewport scrolls unless told not to
 */
function userScrolls(overflow, viewport) {
  if (overflow === 'hidden' || overflow === 'clip') return false;
  return viewport || overflow === 'auto' || overflow === 'scroll' || overflow === 'overlay';
}

/**
 * May the agent scroll `target` (an element, or the document for the window)? Only what the
 * customer could scroll: a scroll container with something to scroll, not inside a blocked area.
 * @param {unknown} target
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
export function checkScroll(target, ctx) {
  const node = /** @type {Node | null} */ (target);
  if (node && typeof node === 'object' && node.nodeType === 9) {
    const range = scrollRange(/** @type {Document} */ (node));
    return range.x || range.y ? OK : refuse('invalid', 'the page does not scroll');
  }
  const { el, verdict } = asElement(target);
  if (!el) return verdict;
  const masked = maskedOf(ctx);
  if (isBlockedArea(el)) return refuse('masked', describeElement(el, masked));
  const range = scrollRange(el);
  if (!range.window) {
    const problem = interactionProblem(el);
    if (problem && problem !== 'disabled') return refuse('invalid', `${describeElement(el, masked)} is ${problem}`);
  }
  if (!range.x && !range.y) {
    return refuse('invalid', range.window ? 'the page does not scroll' : `${describeElement(el, masked)} does not scroll`);
  }
  return OK;
}

/**
 * The origins navigation may reach: ctx.allowedOrigins (each normalized; what does not parse is
 * skipped), or, when there are none, the page's own origin.
 * @param {FirewallContext} ctx
 * @returns {Set<string>}
 */
export function allowedOriginsOf(ctx) {
  /** @type {Set<string>} */
  const out = new Set();
  const list = Array.isArray(ctx?.allowedOrigins) ? ctx.allowedOrigins : [];
  for (const o of list) {
    const origin = httpOrigin(o);
    if (origin) out.add(origin);
  }
  if (out.size === 0) {
    const own = httpOrigin(ctx?.pageUrl);
    if (own) out.add(own);
  }
  return out;
}

/** The origin of an http(s) URL, or null. @param {unknown} url */
function httpOrigin(url) {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * May the page go to `url` for the agent (a link it clicks, a URL it proposes)? http(s) only, and
 * only to an allowed origin (app.md §7.4 `origin`). Relative URLs resolve against the page's URL.
 * @param {unknown} url
 * @param {FirewallContext} ctx
 * @returns {Verdict}
 */
export function checkNavigation(url, ctx) {
  if (typeof url !== 'string' || url.trim() === '') return refuse('invalid', 'no URL');
  /** @type {URL} */
  let u;
  try {
    u = ctx?.pageUrl ? new URL(url, ctx.pageUrl) : new URL(url);
  } catch {
    return refuse('invalid', 'not a valid URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return refuse('origin', `not an http(s) URL (${cut(u.protocol, 20)})`);
  if (!allowedOriginsOf(ctx).has(u.origin)) return refuse('origin', `${cut(u.origin, 120)} is outside the allowed origins`);
  return OK;
}
