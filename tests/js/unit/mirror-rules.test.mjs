// The pure parts of the mirror core (mask.js rules, serializer.js value filters) in Node. The DOM
// behaviour is covered by tests/js/browser/ in real Chromium.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileRules, isComplexSelector, isSensitiveAutocomplete, placeholderOf } from '../../../extension/content/mask.js';
import {
  APP_LIMITS,
  absolutizeCss,
  absolutizeSrcset,
  absolutizeUrl,
  attributeValue,
  hasDangerousScheme,
  isAllowedLinkRel,
} from '../../../extension/content/serializer.js';

const base = 'https://shop.example/cart/page.html';

test('APP_LIMITS: the app limits of app.md §5 come from limits.json, frozen, names as in app.md', () => {
  const expected = {
    app_max_message_bytes: 8388608,
    mirror_part_records: 2000,
    mirror_slice_ms: 8,
    mirror_max_string_chars: 1048576,
    app_resync_min_interval_ms: 1000,
    app_max_inbound_agent_bytes: 65536,
  };
  for (const [name, value] of Object.entries(expected)) assert.equal(APP_LIMITS[/** @type {keyof typeof APP_LIMITS} */ (name)], value, name);
  assert.ok(Object.isFrozen(APP_LIMITS));
});

test('placeholderOf: same UTF-16 length, whitespace kept, everything else a bullet', () => {
  assert.equal(placeholderOf('pa ss\tw\n😀'), '•• ••\t•\n••');
  assert.equal(placeholderOf(''), '');
  assert.equal(placeholderOf('\u00a0x'), '\u00a0•');
});

test('isSensitiveAutocomplete: cc-* and one-time-code tokens, any case, among others', () => {
  for (const v of ['cc-number', 'section-a billing cc-csc', 'CC-EXP', 'one-time-code', ' shipping  cc-name ']) assert.ok(isSensitiveAutocomplete(v), v);
  for (const v of [null, '', 'email', 'name', 'new-password', 'xcc-number', 'one-time']) assert.ok(!isSensitiveAutocomplete(v), String(v));
});

test('isComplexSelector: combinators and pseudo-classes are complex; attribute values and lists are not', () => {
  for (const s of ['.a', 'input[type=password]', '[title="a b > c"]', '.a, .b', '#x.y[z]', '[data-x~="1"]']) assert.ok(!isComplexSelector(s), s);
  for (const s of ['.a .b', 'div > p', 'a + b', 'a ~ b', 'li:nth-child(2)', ':has(input)', '.a:not(.b)']) assert.ok(isComplexSelector(s), s);
});

test('compileRules: built-in rules first, invalid settings selectors reported and skipped', () => {
  const rules = compileRules({ maskSelectors: ['.secret', 'bad[', 7, ' '], blockSelectors: ['#ad .x'], isValid: (s) => !s.includes('[') || s.includes(']') });
  assert.equal(rules.mask, 'input[type=password],input[type=hidden],[data-cotab-mask],.cotab-mask,.secret');
  assert.equal(rules.block, '[data-cotab-block],#ad .x');
  assert.deepEqual(rules.invalid, ['bad[', '7']);
  assert.equal(rules.complex, true);
  assert.match(rules.query, /input\[autocomplete\]/);
});

test('hasDangerousScheme: javascript:, vbscript:, data:text/html, whatever the case and ignored characters', () => {
  for (const v of ['javascript:alert(1)', ' JaVaScRiPt:x', 'java\tscript:x', '\u0000javascript:x', 'vbscript:x', 'data:text/html,<b>', 'DATA: text/html;base64,xx']) {
    assert.ok(hasDangerousScheme(v), JSON.stringify(v));
  }
  for (const v of ['https://x/javascript:', 'data:image/png;base64,xx', 'mailto:a@b', '/rel/javascript', 'color: red']) assert.ok(!hasDangerousScheme(v), v);
});

test('absolutizeUrl/absolutizeSrcset/absolutizeCss: relative URLs absolute; fragments, empties and absolute URLs kept', () => {
  assert.equal(absolutizeUrl('../a.png?x=1', base), 'https://shop.example/a.png?x=1');
  assert.equal(absolutizeUrl('  /b  ', base), 'https://shop.example/b');
  assert.equal(absolutizeUrl('#icon', base), '#icon');
  assert.equal(absolutizeUrl('', base), '');
  assert.equal(absolutizeUrl('data:image/png;base64,AAAA', base), 'data:image/png;base64,AAAA');
  assert.equal(absolutizeSrcset('a.png 1x, b.png 2x', base), 'https://shop.example/cart/a.png 1x, https://shop.example/cart/b.png 2x');
  assert.equal(
    absolutizeCss('a{background:url(i.png)} b{background:url("/j.png")} c{mask:url(#m)} d{src:url(https://f/x.woff)}', base),
    'a{background:url("https://shop.example/cart/i.png")} b{background:url("https://shop.example/j.png")} c{mask:url(#m)} d{src:url(https://f/x.woff)}',
  );
});

test('attributeValue: drops handlers, loaders, dangerous values; masked elements keep presentational attributes only', () => {
  assert.equal(attributeValue('a', false, 'onclick', 'x()', false, base), null);
  assert.equal(attributeValue('svg', false, 'ONLOAD', 'x()', false, base), null);
  for (const name of ['nonce', 'integrity', 'srcdoc', 'formaction', 'data-cotab-masked']) assert.equal(attributeValue('div', false, name, 'v', false, base), null, name);
  assert.equal(attributeValue('iframe', true, 'src', 'https://x/', false, base), null);
  assert.equal(attributeValue('iframe', true, 'width', '100', false, base), '100');
  assert.equal(attributeValue('meta', false, 'http-equiv', 'refresh', false, base), null);
  assert.equal(attributeValue('a', false, 'href', 'javascript:x', false, base), null);
  assert.equal(attributeValue('div', false, 'style', 'background:url(javascript:x)', false, base), null);
  assert.equal(attributeValue('div', false, 'style', 'width: expression(1)', false, base), null);
  assert.equal(attributeValue('a', false, 'href', 'x.html', false, base), 'https://shop.example/cart/x.html');
  assert.equal(attributeValue('div', false, 'style', 'background:url(i.png)', false, base), 'background:url("https://shop.example/cart/i.png")');
  assert.equal(attributeValue('input', false, 'value', 'kept', false, base), 'kept');
  assert.equal(attributeValue('input', false, 'value', 'secret', true, base), null);
  assert.equal(attributeValue('input', false, 'title', 'secret', true, base), null);
  assert.equal(attributeValue('input', false, 'placeholder', 'Card number', true, base), 'Card number');
  assert.equal(attributeValue('p', false, 'title', 'x'.repeat(APP_LIMITS.mirror_max_string_chars + 5), false, base)?.length, APP_LIMITS.mirror_max_string_chars);
});

test('isAllowedLinkRel: stylesheets and icons only', () => {
  for (const rel of ['stylesheet', 'Icon', 'shortcut icon', 'alternate stylesheet']) assert.ok(isAllowedLinkRel(rel), rel);
  for (const rel of [null, '', 'preload', 'prefetch', 'modulepreload', 'stylesheet preload', 'alternate', 'manifest']) assert.ok(!isAllowedLinkRel(rel), String(rel));
});
