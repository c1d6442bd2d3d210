// The DOM-free parts of the action firewall (extension/content/firewall.js): finalizing word
// matching (case, diacritics, word boundaries, CJK substrings, whole-label words) and the origin
// check of navigation. The DOM rules are tested in real Chromium (tests/js/browser/firewall.test.mjs).

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  FINALIZING_LABELS, FINALIZING_WORDS, allowedOriginsOf, checkNavigation, matchFinalizingWords, normalizeLabel,
} from '../../../extension/content/firewall.js';

/** Strips what normalizeLabel folds, the way a page written without diacritics would. @param {string} s */
function ascii(s) {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').replace(/ł/g, 'l').replace(/Ł/g, 'L').replace(/ß/g, 'ss');
}

describe('firewall words', () => {
  test('threat: a finalizing control labelled in any of ten languages — every phrase matches itself, in any case, with or without diacritics, amid punctuation', () => {
    assert.deepEqual(Object.keys(FINALIZING_WORDS).sort(), ['de', 'en', 'es', 'fr', 'it', 'ja', 'nl', 'pl', 'pt', 'zh']);
    for (const [lang, phrases] of Object.entries(FINALIZING_WORDS)) {
      for (const phrase of phrases) {
        for (const label of [phrase, phrase.toUpperCase(), ascii(phrase), `— ${phrase}! (€12.00)`]) {
          assert.notEqual(matchFinalizingWords(label), null, `${lang}: “${label}”`);
        }
      }
    }
  });

  test('real button labels match', () => {
    const labels = [
      'Pay now', 'PAY €49.90', 'Buy it now', 'Place your order', 'Complete purchase', 'Proceed to checkout', 'Confirm & pay',
      'Transfer', 'Send money', 'Delete account', 'Remove item', 'Sign the contract', 'Submit', 'Jetzt kaufen',
      'Zahlungspflichtig bestellen', 'Bestätigen', 'BESTATIGEN', 'Überweisen', 'Löschen', 'Confirmer la commande',
      'Passer la commande', "Envoyer de l'argent", 'Supprimer', 'Eliminar cuenta', 'Finalizar compra', 'Acquista ora',
      'Procedi all’acquisto', 'Finalizar pedido', 'Excluir conta', 'Nu betalen', 'Afrekenen', 'Zapłać teraz', 'ZAPLAC TERAZ',
      'Złóż zamówienie', 'Usuń', '注文を確定する', 'ご購入手続きへ', 'お支払い', '削除する', '立即购买', '提交订单', '確認付款', '删除',
    ];
    for (const label of labels) assert.notEqual(matchFinalizingWords(label), null, label);
  });

  test('harmless labels do not match (whole words only, no bare "sign", "order" or "send" inside longer labels)', () => {
    const labels = [
      'Payment options', 'Sign in', 'Sign up', 'Apply coupon', 'Show details', 'Order history', 'Add to cart', 'Continue',
      'Back', 'Help with your order', 'Transfers', 'Purchases', 'Kaufberatung', 'Weiter', 'Zurück', 'Paiement sécurisé',
      'Mis pedidos', 'Send us feedback', 'Review your order', 'Newsletter', 'Confirmation email sent', '注文履歴', '',
    ];
    for (const label of labels) assert.equal(matchFinalizingWords(label), null, label);
  });

  test('whole-label words match only as the whole label', () => {
    for (const [lang, words] of Object.entries(FINALIZING_LABELS)) {
      for (const w of words) {
        assert.notEqual(matchFinalizingWords(w), null, `${lang}: ${w}`);
        assert.notEqual(matchFinalizingWords(` ${w.toUpperCase()} `), null, `${lang}: ${w} in capitals`);
      }
    }
    assert.equal(matchFinalizingWords('Send'), 'send');
    assert.equal(matchFinalizingWords('Send a copy to my email'), null);
    assert.equal(matchFinalizingWords('Order'), 'order');
  });

  test('normalizeLabel folds case, marks and the letters NFKD keeps, and collapses everything else to single spaces', () => {
    assert.equal(normalizeLabel('  Zapłać   teraz!  '), 'zaplac teraz');
    assert.equal(normalizeLabel('Bestellung abschließen'), 'bestellung abschliessen');
    assert.equal(normalizeLabel("S'abonner"), 's abonner');
    assert.equal(normalizeLabel('Ｐａｙ　ｎｏｗ'), 'pay now', 'full-width forms (NFKD)');
    assert.equal(normalizeLabel('ＰＡＹ'), 'pay');
  });
});

describe('firewall navigation', () => {
  const ctx = { allowedOrigins: [], finalizeSelectors: [], pageUrl: 'https://shop.example/cart', isMasked: () => false };

  test('same origin by default; relative URLs resolve against the page', () => {
    assert.deepEqual(checkNavigation('https://shop.example/help', ctx), { ok: true });
    assert.deepEqual(checkNavigation('/help?x=1#top', ctx), { ok: true });
    assert.equal(checkNavigation('https://evil.example/', ctx).ok, false);
    assert.equal(checkNavigation('http://shop.example/help', ctx).ok, false, 'another scheme is another origin');
    assert.equal(checkNavigation('https://shop.example:8443/', ctx).ok, false, 'another port is another origin');
  });

  test('threat: the agent proposes or clicks a URL outside the allowed origins, or one that is not http(s) — refused origin', () => {
    const refusals = [
      'https://evil.example/pay', 'https://shop.example.evil.example/', 'https://shop.example@evil.example/',
      'javascript:alert(1)', 'data:text/html,<h1>hi', 'file:///etc/passwd', 'blob:https://shop.example/uuid',
      'chrome://settings', 'ftp://shop.example/',
    ];
    for (const url of refusals) {
      const v = checkNavigation(url, ctx);
      assert.equal(v.ok, false, url);
      if (!v.ok) assert.equal(v.why, 'origin', url);
    }
    for (const url of ['', '   ', 'http://[', 42, null]) {
      const v = checkNavigation(url, ctx);
      assert.equal(v.ok ? 'ok' : v.why, 'invalid', String(url));
    }
  });

  test('allowed origins from the settings replace the default; entries that are not http(s) origins are skipped', () => {
    const c = { ...ctx, allowedOrigins: ['https://help.shop.example/', 'not a url', 'javascript:x', 'https://shop.example'] };
    assert.deepEqual([...allowedOriginsOf(c)].sort(), ['https://help.shop.example', 'https://shop.example']);
    assert.deepEqual(checkNavigation('https://help.shop.example/faq', c), { ok: true });
    assert.equal(checkNavigation('https://evil.example/', c).ok, false);
    const only = { ...ctx, allowedOrigins: ['https://help.shop.example'] };
    assert.equal(checkNavigation('https://shop.example/', only).ok, false, 'the list is the whole list');
    // Nothing known: nothing allowed (fail closed).
    assert.equal(checkNavigation('https://shop.example/', { ...ctx, pageUrl: '', allowedOrigins: ['junk'] }).ok, false);
  });
});
