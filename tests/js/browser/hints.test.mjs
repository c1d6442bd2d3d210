/// <reference path="./globals.d.ts" />
// The MAIN-world hint patcher (extension/content/hints.js) in a real Chromium: it dispatches its
// event for value/checked/selection setters and CSSOM edits, and changes nothing the page can
// observe otherwise; bundled as dist/hints.js it does nothing on its own.

import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { after, before, test } from 'node:test';
import { openHarness } from './harness.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** @type {import('./harness.mjs').Harness} */
let h;

before(async () => {
  h = await openHarness();
});
after(async () => {
  await h?.close();
});

const page = `<!DOCTYPE html><html><head><style id="st">.a{color:red}@media print{.b{color:blue}}</style></head><body>
<input id="t"><input id="f" type="file"><input id="c" type="checkbox"><textarea id="ta"></textarea>
<select id="s"><option>a</option><option>b</option></select></body></html>`;

test('hints: bundled as dist/hints.js the file does nothing on its own', async () => {
  // Same options as tools/build-extension.mjs.
  const out = await build({ entryPoints: [path.join(root, 'extension/content/hints.js')], bundle: true, write: false, format: 'iife', target: 'chrome120' });
  const code = out.outputFiles[0].text;
  const path1 = h.addPage('hints-bundle.html', page);
  const r = await h.page.evaluate(
    async ([p, src]) => {
      const f = document.createElement('iframe');
      const loaded = new Promise((resolve) => f.addEventListener('load', resolve, { once: true }));
      f.src = p;
      document.body.append(f);
      await loaded;
      const w = /** @type {any} */ (f.contentWindow);
      w.eval(src);
      const native = (/** @type {Function | undefined} */ fn) => !!fn && /\[native code\]/.test(Function.prototype.toString.call(fn));
      const result = {
        value: native(Object.getOwnPropertyDescriptor(w.HTMLInputElement.prototype, 'value')?.set),
        insertRule: native(w.CSSStyleSheet.prototype.insertRule),
        registry: Object.getOwnPropertySymbols(w).length,
      };
      f.remove();
      return result;
    },
    [path1, code],
  );
  assert.deepEqual(r, { value: true, insertRule: true, registry: 0 });
});

test('hints: setters and CSSOM edits dispatch the hint on the element (the <style> for sheets), once', async () => {
  const p = h.addPage('hints.html', page);
  await h.page.evaluate((path) => cotabTest.open({ path, hints: true }), p);
  const r = await h.page.evaluate(() => {
    const doc = cotabTest.customerDoc();
    const win = /** @type {any} */ (cotabTest.customerWin());
    const name = cotabTest.info().hintEvent;
    /** @type {string[]} */
    const seen = [];
    doc.addEventListener(name, (e) => seen.push(/** @type {Element} */ (e.target).id || /** @type {Element} */ (e.target).localName), true);
    // installing again (a new session in the same document) only renames the event
    win.eval(`(${cotabTest.installHints.toString()})(${JSON.stringify(name)})`);
    const $ = (/** @type {string} */ id) => /** @type {any} */ (doc.getElementById(id));
    $('t').value = 'x';
    $('c').checked = true;
    $('ta').value = 'y';
    $('s').selectedIndex = 1;
    $('s').value = 'a';
    $('s').options[1].selected = true;
    const sheet = $('st').sheet;
    sheet.insertRule('.c{}', 0);
    sheet.deleteRule(0);
    sheet.cssRules[1].insertRule('.d{}', 0);
    const constructed = new win.CSSStyleSheet();
    constructed.replaceSync('.e{}'); // no owner node: no hint
    return seen;
  });
  assert.deepEqual(r, ['t', 'c', 'ta', 's', 's', 'option', 'st', 'st', 'st']);
});

test('hints: the patched page behaves exactly as before (values, exceptions, names, lengths)', async () => {
  const p = h.addPage('hints-behaviour.html', page);
  await h.page.evaluate((path) => cotabTest.open({ path, hints: true }), p);
  const r = await h.page.evaluate(async () => {
    const doc = cotabTest.customerDoc();
    const win = /** @type {any} */ (cotabTest.customerWin());
    const $ = (/** @type {string} */ id) => /** @type {any} */ (doc.getElementById(id));
    /** @param {() => unknown} fn */
    const error = (fn) => {
      try {
        fn();
        return 'none';
      } catch (e) {
        return /** @type {Error} */ (e).name;
      }
    };
    const setter = Object.getOwnPropertyDescriptor(win.HTMLInputElement.prototype, 'value');
    const sheet = $('st').sheet;
    const constructed = new win.CSSStyleSheet();
    $('t').value = 'kept';
    return {
      value: $('t').value,
      fileValue: error(() => {
        $('f').value = 'C:\\x';
      }),
      badRule: error(() => sheet.insertRule('!!! {}', 0)),
      badIndex: error(() => sheet.deleteRule(99)),
      insertReturns: sheet.insertRule('.z{}', 1),
      setterName: setter?.set?.name,
      setterLength: setter?.set?.length,
      getterNative: /\[native code\]/.test(Function.prototype.toString.call(setter?.get)),
      enumerable: setter?.enumerable,
      insertRuleName: win.CSSStyleSheet.prototype.insertRule.name,
      insertRuleLength: win.CSSStyleSheet.prototype.insertRule.length,
      replaceResolves: (await constructed.replace('.q{}')) === constructed,
      replaceOnOwned: await sheet.replace('.q{}').then(
        () => 'resolved',
        (/** @type {Error} */ e) => e.name,
      ),
      checked: (($('c').checked = true), $('c').checked),
    };
  });
  assert.deepEqual(r, {
    value: 'kept',
    fileValue: 'InvalidStateError',
    badRule: 'SyntaxError',
    badIndex: 'IndexSizeError',
    insertReturns: 1,
    setterName: 'set value',
    setterLength: 1,
    getterNative: true,
    enumerable: true,
    insertRuleName: 'insertRule',
    insertRuleLength: 1,
    replaceResolves: true,
    replaceOnOwned: 'NotAllowedError',
    checked: true,
  });
});
