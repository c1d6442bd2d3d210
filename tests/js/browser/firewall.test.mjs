// The action firewall (extension/content/firewall.js) on a realistic checkout, in real headless
// Chromium, with the ActionRunner and the guard around it as the extension wires them
// (isolated-world.mjs): the firewall, the runner and the guard's isolated half run in a real
// isolated world (created over CDP, as the extension's content script gets one), the page and the
// guard's main-world half in the page's world. Every refusal comes with its reason; every security
// test names its threat and also proves that nothing reached the page (its own counters, and the
// server that would have received the order).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import {
  MAX_DETAIL_CHARS, MAX_FINALIZE_SELECTOR_CHARS, MAX_FINALIZE_SELECTORS, MAX_LABEL_CHARS, MAX_LABEL_NODES,
  MAX_LABEL_SCAN_CHARS, MAX_QUOTED_LABEL_CHARS,
} from '../../../extension/content/firewall.js';
import {
  CHECKOUT_FINALIZE_SELECTOR, CHECKOUT_FINALIZING, CHECKOUT_MASK_SELECTOR, CHECKOUT_MASKED, CHECKOUT_SUBMITTING,
} from '../../pages/assist.mjs';
import { isolatedWorld } from './isolated-world.mjs';

const world = isolatedWorld();
before(world.open);
after(world.close);
const { load, iso, score, assertNothingReached } = world;

// ---------------------------------------------------------------------------------------------

describe('firewall: finalizing controls', () => {
  test('threat: the agent clicks pay / buy / place order / confirm / transfer / delete / sign in ten languages — refused finalizing, nothing reaches the page', async () => {
    await load('/assist/checkout');
    const before = await score();
    const ids = Object.keys(CHECKOUT_FINALIZING);
    const results = await iso(async (T, ids) => {
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const id of ids) out[id] = await T.act({ a: 'click', id: '#' + id });
      return out;
    }, ids);
    for (const id of ids) {
      assert.equal(results[id].why, 'finalizing', `#${id}: ${JSON.stringify(results[id])}`);
      assert.ok(results[id].detail.length > 0, `#${id} has a detail`);
    }
    assert.deepEqual(new Set(Object.values(CHECKOUT_FINALIZING)), new Set(['en', 'de', 'fr', 'es', 'it', 'pt', 'nl', 'pl', 'ja', 'zh']));
    assert.equal(results.pay.detail, 'button “Pay now”');
    assert.equal(results.delete.detail, 'button “Delete”', 'an icon-only button is named by its aria-label');
    assert.equal(results['remove-card'].detail, 'button “Remove saved card”', 'aria-labelledby');
    assert.equal(results.transfer.detail, 'button “Transfer money”', 'a div with role=button');
    assert.equal(results.buy.detail, 'button “Buy”', 'an <input type=submit> by its value');
    await assertNothingReached(before);
  });

  test('threat: a checkbox that signs a contract is refused like the button it amounts to; so is a click on its label', async () => {
    await load('/assist/checkout');
    const before = await score();
    const r = await iso(async (T) => ({
      check: await T.act({ a: 'check', id: '#sign-terms', c: true }),
      click: await T.act({ a: 'click', id: '#sign-terms' }),
      label: await T.act({ a: 'click', id: T.el('#sign-terms').closest('label') }),
      checked: T.el('#sign-terms').checked,
    }));
    assert.equal(r.check.why, 'finalizing');
    assert.equal(r.click.why, 'finalizing');
    assert.equal(r.label.why, 'finalizing');
    assert.equal(r.checked, false);
    await assertNothingReached(before);
  });

  test(`a clicked element's short text is its label, a long container's is not (MAX_LABEL_CHARS = ${MAX_LABEL_CHARS}); a tile that sets cursor:pointer is`, async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => ({
      short: await T.act({ a: 'click', id: '#short-text' }),
      long: await T.act({ a: 'click', id: '#long-text' }),
      longChars: T.firewall.normalizeLabel(T.el('#long-text').textContent).length,
      tile: await T.act({ a: 'click', id: '#buy-tile-img' }),
    }));
    assert.equal(r.short.why, 'finalizing', '“Delete this address”');
    assert.ok(r.longChars > MAX_LABEL_CHARS, 'the long paragraph is longer than a label');
    assert.equal(r.long.done, true, 'a click on a long paragraph that mentions “delete” is not a delete');
    assert.equal(r.tile.why, 'finalizing', 'an image inside a clickable “Buy again” tile');
  });

  test('settings selectors make a control finalizing, on the control or an ancestor; invalid ones are skipped without breaking anything', async () => {
    await load('/assist/checkout', { finalizeSelectors: ['[[not a selector', '', 'div:has(', CHECKOUT_FINALIZE_SELECTOR, '.row'] });
    const before = await score();
    const r = await iso(async (T) => ({
      custom: await T.act({ a: 'click', id: '#custom-final' }),
      coupon: await T.act({ a: 'click', id: '#coupon' }),
      name: T.firewall.finalizingMatch(T.el('#custom-final'), T.ctx()),
    }));
    assert.equal(r.custom.why, 'finalizing', '“Continue” with the settings selector');
    assert.equal(r.coupon.why, 'finalizing', 'inside a container a selector names');
    assert.equal(r.name, `selector “${CHECKOUT_FINALIZE_SELECTOR}”`);
    await assertNothingReached(before);
    // Without the selectors "Continue" is a plain same-origin link.
    await load('/assist/checkout', { finalizeSelectors: [] });
    assert.deepEqual(await iso((T) => T.firewall.checkClick(T.el('#custom-final'), T.ctx())), { ok: true });
  });

  test(`limits: at most MAX_FINALIZE_SELECTORS (${MAX_FINALIZE_SELECTORS}) selectors of at most MAX_FINALIZE_SELECTOR_CHARS (${MAX_FINALIZE_SELECTOR_CHARS}) are tried`, async () => {
    await load('/assist/checkout');
    const r = await iso((T, { max, chars }) => {
      const el = T.el('#custom-final');
      const base = T.ctx();
      const filler = Array.from({ length: max }, (_, i) => `.nothing-${i}`);
      const long = `.checkout-next${':not(#x)'.repeat(Math.ceil(chars / 8))}`;
      return {
        atLimit: T.firewall.finalizingMatch(el, { ...base, finalizeSelectors: [...filler.slice(1), '.checkout-next'] }),
        overLimit: T.firewall.finalizingMatch(el, { ...base, finalizeSelectors: [...filler, '.checkout-next'] }),
        longMatches: el.matches(long),
        longSelector: T.firewall.finalizingMatch(el, { ...base, finalizeSelectors: [long] }),
      };
    }, { max: MAX_FINALIZE_SELECTORS, chars: MAX_FINALIZE_SELECTOR_CHARS });
    assert.equal(r.atLimit, 'selector “.checkout-next”', 'the last of MAX_FINALIZE_SELECTORS is tried');
    assert.equal(r.overLimit, null, 'one more is not');
    assert.equal(r.longMatches, true);
    assert.equal(r.longSelector, null, 'a selector longer than the limit is skipped');
  });

  test(`threat: "Pay" hidden past what is read of a label — a control whose label is longer than MAX_LABEL_SCAN_CHARS (${MAX_LABEL_SCAN_CHARS}) or has more than MAX_LABEL_NODES (${MAX_LABEL_NODES}) nodes is refused`, async () => {
    await load('/assist/checkout');
    const r = await iso(async (T, { chars, nodes }) => {
      const actions = T.el('.actions');
      const long = document.createElement('button');
      long.type = 'button';
      long.textContent = `${'x '.repeat(chars / 2 + 10)} Pay`;
      const many = document.createElement('button');
      many.type = 'button';
      for (let i = 0; i < nodes + 5; i++) many.append(document.createElement('b'));
      many.append('Pay');
      const fine = document.createElement('button');
      fine.type = 'button';
      fine.textContent = 'x '.repeat(chars / 2 - 10);
      actions.append(long, many, fine);
      return {
        long: await T.act({ a: 'click', id: long }),
        many: await T.act({ a: 'click', id: many }),
        fine: await T.act({ a: 'click', id: fine }),
      };
    }, { chars: MAX_LABEL_SCAN_CHARS, nodes: MAX_LABEL_NODES });
    assert.equal(r.long.why, 'finalizing');
    assert.equal(r.many.why, 'finalizing');
    assert.equal(r.fine.done, true, 'a long label that is read in full and says nothing finalizing is fine');
  });
});

describe('firewall: submitting', () => {
  test('threat: the agent submits the form by a submit button, a span inside it, its <label>, a form= owner outside the form, an image input — refused submit', async () => {
    await load('/assist/checkout');
    const before = await score();
    const r = await iso(async (T, ids) => {
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const id of ids) out[id] = await T.act({ a: 'click', id: '#' + id });
      return out;
    }, CHECKOUT_SUBMITTING);
    for (const id of CHECKOUT_SUBMITTING) assert.equal(r[id].why, 'submit', `#${id}: ${JSON.stringify(r[id])}`);
    assert.match(r['continue-span'].detail, /^button “Continue to review” would submit the form$/);
    await assertNothingReached(before);
  });

  test('threat: Enter or a line break in a single-line field submits it — refused submit; in a textarea Enter is a line break without an Enter keydown', async () => {
    await load('/assist/checkout');
    const before = await score();
    const r = await iso(async (T) => {
      const enter = await T.act({ a: 'key', id: '#name', key: 'Enter' });
      const lineBreak = await T.act({ a: 'type', id: '#name', text: 'Ann\nBob' });
      const crOnly = await T.act({ a: 'type', id: '#zip', text: '12\r' });
      const textarea = await T.act({ a: 'key', id: '#notes', key: 'Enter' });
      return { enter, lineBreak, crOnly, textarea, name: T.el('#name').value, zip: T.el('#zip').value, notes: T.el('#notes').value };
    });
    assert.equal(r.enter.why, 'submit');
    assert.equal(r.lineBreak.why, 'submit');
    assert.equal(r.crOnly.why, 'submit', 'a lone "\\r" is a line break too');
    assert.equal(r.name, '', 'nothing of a refused text is typed');
    assert.equal(r.zip, '');
    assert.equal(r.textarea.done, true);
    assert.equal(r.notes, '\n');
    const log = await world.page.evaluate(() => /** @type {any} */ (window).__log);
    assert.ok(!log.some((/** @type {string} */ l) => l.startsWith('keydown:Enter') || l.startsWith('keypress:Enter')), `no Enter key event: ${log}`);
    assert.ok(log.includes('beforeinput:insertLineBreak:notes') && log.includes('input:insertLineBreak:notes'));
    await assertNothingReached(before);
  });
});

describe('firewall: masked fields', () => {
  test('threat: the agent types into, clears, clicks or selects in masked, password, card, blocked or settings-masked fields — refused masked; details never carry masked text', async () => {
    await load('/assist/checkout', { maskSelectors: [CHECKOUT_MASK_SELECTOR] });
    const before = await score();
    const ids = Object.keys(CHECKOUT_MASKED);
    const r = await iso(async (T, ids) => {
      /** @type {Record<string, unknown[]>} */
      const out = {};
      for (const id of ids) {
        out[id] = [
          await T.act({ a: 'type', id: '#' + id, text: 'x' }),
          await T.act({ a: 'key', id: '#' + id, key: 'Backspace' }),
          await T.act({ a: 'click', id: '#' + id }),
        ];
      }
      out.buttons = [
        await T.act({ a: 'click', id: '#masked-button' }),
        await T.act({ a: 'click', id: '#blocked-button' }),
      ];
      return out;
    }, ids);
    for (const [id, answers] of Object.entries(r)) {
      for (const a of /** @type {{why: string, detail: string}[]} */ (answers)) {
        assert.equal(a.why, 'masked', `#${id}: ${JSON.stringify(a)}`);
        assert.doesNotMatch(a.detail, /CANARY/, `#${id}: the detail shows no masked text`);
      }
    }
    assert.equal(/** @type {any} */ (r.password[0]).detail, 'password field (masked)');
    const values = await world.page.evaluate((ids) => ids.map((id) => /** @type {HTMLInputElement} */ (document.getElementById(id)).value), ids);
    assert.deepEqual(values, Object.values(CHECKOUT_MASKED), 'every masked value is untouched');
    await assertNothingReached(before);
  });

  test('threat: a refusal detail leaks masked text through a label — masked parts of labels and aria-labelledby are left out', async () => {
    await load('/assist/checkout');
    const r = await iso((T) => {
      const m = (/** @type {Element} */ el) => T.isMasked(el);
      const labelled = document.createElement('button');
      labelled.type = 'button';
      labelled.setAttribute('aria-labelledby', 'label-secret-part remove-card-label');
      T.el('.actions').append(labelled);
      return {
        mixed: T.firewall.describeElement(T.el('#label-secret'), m),
        labelled: T.firewall.describeElement(labelled, m),
        card: T.firewall.describeElement(T.el('#card'), m),
        region: T.firewall.describeElement(T.el('#masked-button'), m),
        text: T.firewall.describeElement(T.el('#label-secret').firstChild, m),
        doc: T.firewall.describeElement(document, m),
      };
    });
    assert.equal(r.mixed, 'button “Card details”');
    assert.equal(r.labelled, 'button “Remove saved card”');
    assert.equal(r.card, 'text field (masked)');
    assert.equal(r.region, 'button (masked)');
    assert.equal(r.text, 'a text node');
    assert.equal(r.doc, 'the page');
  });
});

describe('firewall: navigation', () => {
  test('threat: a link leaves the allowed origins, opens a new window, runs javascript: or downloads — refused; a same-origin link is allowed', async () => {
    await load('/assist/checkout');
    const before = await score();
    const r = await iso(async (T) => ({
      partner: await T.act({ a: 'click', id: '#partner-link' }),
      blank: await T.act({ a: 'click', id: '#size-guide' }),
      js: await T.act({ a: 'click', id: '#js-link' }),
      download: await T.act({ a: 'click', id: '#download-link' }),
      help: T.firewall.checkClick(T.el('#help-link'), T.ctx()),
    }));
    assert.equal(r.partner.why, 'origin');
    assert.match(r.partner.detail, /^link “Partner terms”: http:\/\/127\.0\.0\.1:\d+ is outside the allowed origins$/);
    assert.equal(r.blank.why, 'origin');
    assert.match(r.blank.detail, /opens another window/);
    assert.equal(r.js.why, 'origin');
    assert.equal(r.download.why, 'invalid');
    assert.deepEqual(r.help, { ok: true });
    await assertNothingReached(before);
  });

  test('threat: a <base target=_blank> sends every link to a new window — refused', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const base = document.createElement('base');
      base.target = '_blank';
      document.head.append(base);
      return T.act({ a: 'click', id: '#help-link' });
    });
    assert.equal(r.why, 'origin');
  });

  test('allowed origins from the settings open the partner link; checkNavigation refuses what is not http(s) or tricks the origin', async () => {
    await load('/assist/checkout', { allowedOrigins: [world.siteOrigin, world.otherOrigin, 'not an origin'] });
    const r = await iso((T, o) => {
      const ctx = T.ctx();
      const nav = (/** @type {string} */ u) => T.firewall.checkNavigation(u, ctx);
      return {
        partner: T.firewall.checkClick(T.el('#partner-link'), ctx),
        relative: nav('/assist/help'),
        other: nav(`${o.other}/terms`),
        evil: nav('https://evil.example/pay'),
        userinfo: nav(`http://${o.site.slice(7)}@evil.example/`),
        js: nav('javascript:alert(1)'),
        data: nav('data:text/html,hi'),
        blob: nav(`blob:${o.site}/1234`),
        bad: nav('http://['),
        empty: nav(''),
      };
    }, { site: world.siteOrigin, other: world.otherOrigin });
    assert.deepEqual(r.partner, { ok: true });
    assert.deepEqual(r.relative, { ok: true });
    assert.deepEqual(r.other, { ok: true });
    for (const k of ['evil', 'userinfo', 'js', 'data', 'blob']) assert.equal(r[k].why, 'origin', `${k}: ${JSON.stringify(r[k])}`);
    assert.equal(r.bad.why, 'invalid');
    assert.equal(r.empty.why, 'invalid');
  });
});

describe('firewall: state and targets', () => {
  test('disabled, display:none, visibility:hidden, inert and modal-covered controls are invalid; read-only or wrong-kind fields are not-editable', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      /** @type {Record<string, unknown>} */
      const out = {
        disabled: await T.act({ a: 'click', id: '#gift-card-apply' }),
        hidden: await T.act({ a: 'click', id: '#hidden-btn' }),
        invisible: await T.act({ a: 'click', id: '#invisible-btn' }),
        inert: await T.act({ a: 'click', id: '#inert-btn' }),
        readonly: await T.act({ a: 'type', id: '#order-ref', text: 'x' }),
        typeSelect: await T.act({ a: 'type', id: '#country', text: 'x' }),
        checkText: await T.act({ a: 'check', id: '#name', c: true }),
        selectText: await T.act({ a: 'select', id: '#name', v: 'de' }),
        noOption: await T.act({ a: 'select', id: '#country', v: 'atlantis' }),
        disabledOption: await T.act({ a: 'select', id: '#country', v: 'zz' }),
        untickRadio: await T.act({ a: 'check', id: '#ship-standard', c: false }),
      };
      T.el('#modal').showModal();
      out.modal = await T.act({ a: 'click', id: '#coupon' });
      out.inModal = await T.act({ a: 'click', id: '#modal-ok' });
      return out;
    });
    for (const k of ['disabled', 'hidden', 'invisible', 'inert', 'noOption', 'disabledOption', 'untickRadio', 'modal']) {
      assert.equal(r[k].why, 'invalid', `${k}: ${JSON.stringify(r[k])}`);
    }
    for (const k of ['readonly', 'typeSelect', 'checkText', 'selectText']) assert.equal(r[k].why, 'not-editable', `${k}: ${JSON.stringify(r[k])}`);
    assert.equal(r.disabled.detail, 'button “Apply gift card” is disabled');
    assert.equal(r.modal.detail, 'button “Apply coupon” is behind a modal dialog');
    assert.equal(r.inModal.done, true, 'the modal dialog itself is usable');
  });

  test('threat: malformed targets — unknown id, detached node, text node, comment, the document, another document — get clear refusals and nothing breaks', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const detached = document.createElement('button');
      detached.textContent = 'Apply';
      const removed = T.el('#details-toggle');
      const removedId = T.id(removed);
      removed.remove();
      const foreign = document.implementation.createHTMLDocument('x').body.appendChild(document.createElement('button'));
      return {
        unknown: await T.act({ a: 'click', id: 99999 }),
        detached: await T.act({ a: 'click', id: detached }),
        removed: await T.act({ a: 'click', id: removedId }),
        text: await T.act({ a: 'click', id: T.el('#coupon').firstChild }),
        typeText: await T.act({ a: 'type', id: T.el('#note-p').firstChild, text: 'x' }),
        comment: await T.act({ a: 'click', id: document.body.appendChild(document.createComment('c')) }),
        documentClick: await T.act({ a: 'click', id: document }),
        documentScroll: await T.act({ a: 'scroll', id: document, x: 0, y: 10 }),
        foreign: await T.act({ a: 'click', id: foreign }),
        scrollText: await T.act({ a: 'scroll', id: T.el('#coupon').firstChild, x: 0, y: 0 }),
        notScrollable: await T.act({ a: 'scroll', id: '#coupon', x: 0, y: 10 }),
        clipped: await T.act({ a: 'scroll', id: '#clipped', x: 0, y: 10 }),
      };
    });
    assert.equal(r.unknown.why, 'no-node');
    assert.equal(r.detached.why, 'no-node');
    assert.equal(r.removed.why, 'no-node');
    assert.equal(r.text.why, 'invalid');
    assert.equal(r.text.detail, 'a text node, not an element');
    assert.equal(r.typeText.why, 'invalid');
    assert.equal(r.comment.why, 'invalid');
    assert.equal(r.documentClick.why, 'invalid');
    assert.equal(r.documentScroll.done, true, 'the document scrolls the window');
    assert.equal(r.foreign.why, 'no-node', 'a node of another document');
    assert.equal(r.scrollText.why, 'invalid');
    assert.equal(r.notScrollable.why, 'invalid');
    assert.equal(r.clipped.why, 'invalid', 'overflow:hidden is not scrollable by the customer');
  });

  test(`limits: a refusal detail is at most MAX_DETAIL_CHARS (${MAX_DETAIL_CHARS}) code points, a quoted label at most MAX_QUOTED_LABEL_CHARS (${MAX_QUOTED_LABEL_CHARS})`, async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = `Pay ${'😀'.repeat(300)}`;
      T.el('.actions').append(b);
      const link = document.createElement('a');
      link.href = `https://${'a'.repeat(150)}.example/`;
      link.textContent = 'Far away '.repeat(10);
      T.el('.actions').append(link);
      return { pay: await T.act({ a: 'click', id: b }), link: await T.act({ a: 'click', id: link }) };
    });
    assert.equal(r.pay.why, 'finalizing');
    const quoted = /“(.*)”/u.exec(r.pay.detail)?.[1] ?? '';
    assert.equal([...quoted].length, MAX_QUOTED_LABEL_CHARS);
    assert.ok(quoted.endsWith('…'));
    assert.equal(r.link.why, 'origin');
    assert.equal([...r.link.detail].length, MAX_DETAIL_CHARS, r.link.detail);
    assert.ok(r.link.detail.endsWith('…'));
  });
});
