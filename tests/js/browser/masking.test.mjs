/// <reference path="./globals.d.ts" />
// Masking and blocking (app.md §4.2) in a real Chromium: masked text and values never leave the
// content script — asserted on the serialized bytes of every message — and the mirror shows
// same-length placeholders.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { bigPage } from './fixtures.mjs';
import { assertMirror, openHarness } from './harness.mjs';

/** @type {import('./harness.mjs').Harness} */
let h;

before(async () => {
  h = await openHarness();
});
after(async () => {
  await h?.close();
});

/**
 * @param {string} name
 * @param {string} html
 * @param {object} [opts]
 */
async function record(name, html, opts = {}) {
  const path = h.addPage(name, html);
  const opened = await h.page.evaluate((o) => cotabTest.open(o), { path, ...opts });
  await h.page.evaluate(() => cotabTest.start());
  return opened;
}

/** @returns {Promise<string>} every message sent so far, as JSON text */
function wire(from = 0) {
  return h.page.evaluate((f) => cotabTest.wireText(f), from);
}

/**
 * @param {string} text
 * @param {string[]} canaries
 */
function assertNoCanary(text, canaries) {
  for (const c of canaries) assert.ok(!text.includes(c), `"${c}" appears in the wire`);
}

const maskedPage = `<!DOCTYPE html><html><body>
<form id="f">
  <input id="pw" type="password" value="CANARY-PW-ATTR" aria-label="CANARY-ARIA">
  <input id="ccn" autocomplete="cc-number" value="CANARY-CC-NUMBER">
  <input id="csc" autocomplete="section-pay billing cc-csc" value="CANARY-CC-CSC">
  <input id="exp" autocomplete="CC-EXP" value="CANARY-CC-EXP">
  <input id="otp" autocomplete="one-time-code" value="CANARY-OTP">
  <input id="csrf" type="hidden" name="csrf" value="CANARY-HIDDEN-CSRF-TOKEN">
  <select id="month" autocomplete="cc-exp-month"><option value="CANARY-OPT-VALUE-1">CANARY-OPT-TEXT-1</option><option value="CANARY-OPT-VALUE-2">CANARY-OPT-TEXT-2</option></select>
  <input id="plain" value="visible value">
</form>
<div id="md" data-cotab-mask title="CANARY-TITLE" class="box">CANARY-DIV-TEXT <b>CANARY-BOLD</b>
  <input id="in-md" value="CANARY-IN-DIV"><textarea id="ta">CANARY-TEXTAREA</textarea>
  <a href="https://example.com/CANARY-HREF">link</a>
  <input type="checkbox" id="cb" checked>
  <div id="ed" contenteditable="true">edit</div>
</div>
<p class="cotab-mask" id="pc">CANARY-CLASS-TEXT</p>
<section class="secret-area"><span>CANARY-SETTINGS-TEXT</span></section>
<div id="card-form"><label>Card</label><input id="card" value="CANARY-COMPLEX-SELECTOR"></div>
<div id="blk" data-cotab-block style="width:120px;height:40px">CANARY-BLOCKED-TEXT <img src="blocked.png" alt="CANARY-BLOCKED-ALT"></div>
<aside class="ad" style="display:inline-block;width:33px;height:17px">CANARY-AD</aside>
<p id="public">public text</p>
</body></html>`;
const settings = { maskSelectors: ['.secret-area', '#card-form input'], blockSelectors: ['.ad'] };

test('masking: canaries in masked fields, masked elements and blocked elements never reach any message', async () => {
  // threat: the customer's secrets (passwords, card data, one-time codes, marked areas) leak to the agent
  await record('masked.html', maskedPage, { ...settings, hints: true });
  const frame = h.page.frameLocator('#customer');
  await frame.locator('#pw').pressSequentially('CANARY-PW-TYPED');
  await frame.locator('#ccn').fill('CANARY-CC-FILLED');
  await frame.locator('#month').selectOption('CANARY-OPT-VALUE-2');
  await frame.locator('#in-md').pressSequentially('CANARY-TYPED-IN-DIV');
  await frame.locator('#ta').pressSequentially('CANARY-TYPED-TA');
  await frame.locator('#cb').uncheck();
  await frame.locator('#ed').click();
  await h.page.keyboard.type('CANARY-EDITED');
  await h.page.evaluate(() => {
    const doc = cotabTest.customerDoc();
    /** @type {HTMLInputElement} */ (doc.getElementById('otp')).value = 'CANARY-SCRIPT-VALUE';
    doc.getElementById('md')?.append(' CANARY-LATER-TEXT ', Object.assign(doc.createElement('i'), { title: 'CANARY-LATER-TITLE' }));
    doc.getElementById('md')?.setAttribute('data-secret', 'CANARY-LATER-ATTR');
    doc.getElementById('blk')?.append('CANARY-BLOCK-LATER');
    doc.getElementById('blk')?.setAttribute('title', 'CANARY-BLOCK-ATTR');
    const t = /** @type {Text} */ (doc.getElementById('pc')?.firstChild);
    t.data = 'CANARY-CLASS-EDIT';
    const card = /** @type {HTMLInputElement} */ (doc.getElementById('card'));
    card.value = 'CANARY-CARD-SCRIPT';
    card.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await h.page.evaluate(() => cotabTest.sync());
  const text = await wire();
  assert.ok(text.includes('visible value') && text.includes('public text'), 'unmasked content is sent');
  assertNoCanary(text, ['CANARY']);
  await assertMirror(h, 'masked page');
  const shown = await h.page.evaluate(() => {
    const d = /** @type {Document} */ (cotabTest.mirrorDoc());
    const c = cotabTest.customerDoc();
    const v = (/** @type {string} */ id, /** @type {Document} */ doc) => /** @type {HTMLInputElement} */ (doc.getElementById(id)).value;
    return {
      pw: { shown: v('pw', d), length: v('pw', c).length },
      ccn: { shown: v('ccn', d), length: v('ccn', c).length },
      text: d.getElementById('pc')?.textContent,
      // blocked boxes carry no attributes (no id): find them by the mirror's mark
      blockedKids: d.querySelectorAll('[data-cotab-blocked]')[0]?.childNodes.length,
      blockedBox: [d.querySelectorAll('[data-cotab-blocked]')[0]?.getBoundingClientRect().width, d.querySelectorAll('[data-cotab-blocked]')[0]?.getBoundingClientRect().height],
      adBox: [d.querySelector('aside')?.getBoundingClientRect().width, d.querySelector('aside')?.getBoundingClientRect().height],
      monthOptions: Array.from(/** @type {HTMLSelectElement} */ (d.getElementById('month')).options, (o) => o.textContent),
      maskedMarked: d.getElementById('md')?.hasAttribute('data-cotab-masked'),
    };
  });
  assert.equal(shown.pw.shown, '•'.repeat(shown.pw.length));
  assert.equal(shown.ccn.shown, '•'.repeat(shown.ccn.length));
  assert.equal(shown.text, '•'.repeat('CANARY-CLASS-EDIT'.length));
  assert.equal(shown.blockedKids, 0);
  assert.deepEqual(shown.blockedBox, [120, 40]);
  assert.deepEqual(shown.adBox, [33, 17]);
  assert.deepEqual(shown.monthOptions, ['•'.repeat(17), '•'.repeat(17)]);
  assert.equal(shown.maskedMarked, true);
});

test('masking: placeholders have the same length in UTF-16 units and keep whitespace', async () => {
  // threat: placeholders that reveal or distort more than the length
  await record('lengths.html', '<!DOCTYPE html><html><body><p class="cotab-mask" id="p">Ab c\td😀 \n x</p><input id="i" class="cotab-mask" value="pa ss😀"></body></html>');
  const shown = await h.page.evaluate(() => {
    const d = /** @type {Document} */ (cotabTest.mirrorDoc());
    return [d.getElementById('p')?.textContent, /** @type {HTMLInputElement} */ (d.getElementById('i')).value];
  });
  assert.deepEqual(shown, ['•• •\t••• \n •', '•• ••••']);
  assert.equal(shown[0]?.length, 'Ab c\td😀 \n x'.length);
});

test('masking: an element that becomes masked later is re-sent masked; its plain content never leaks after that point', async () => {
  // threat: content that becomes sensitive (a class added, moved into a masked area) keeps leaking
  await record(
    'later.html',
    `<!DOCTYPE html><html><body>
    <div id="later"><span id="sp">PLAIN-BEFORE</span><input id="li" value="PLAIN-VALUE"></div>
    <div id="vault" class="cotab-mask"></div>
    <p id="mover">PLAIN-MOVER</p>
    <div class="secure-parent"><div id="zone"><input id="deep" value="PLAIN-DEEP"></div></div>
    </body></html>`,
    { maskSelectors: ['.secure input'] },
  );
  const mark = await h.page.evaluate(() => cotabTest.wireCount());
  await h.page.evaluate(() => {
    const doc = cotabTest.customerDoc();
    doc.getElementById('later')?.classList.add('cotab-mask');
    doc.getElementById('vault')?.append(/** @type {HTMLElement} */ (doc.getElementById('mover')));
    doc.getElementById('zone')?.classList.add('secure'); // makes #deep match ".secure input"
  });
  await h.page.evaluate(() => cotabTest.sync());
  const frame = h.page.frameLocator('#customer');
  await frame.locator('#li').pressSequentially('SECRET-TYPED');
  await frame.locator('#deep').pressSequentially('SECRET-DEEP');
  await h.page.evaluate(() => {
    const doc = cotabTest.customerDoc();
    /** @type {Text} */ (doc.getElementById('sp')?.firstChild).data = 'SECRET-AFTER';
    /** @type {Text} */ (doc.getElementById('mover')?.firstChild).appendData('SECRET-MOVED');
  });
  await h.page.evaluate(() => cotabTest.sync());
  const after = await wire(mark);
  assert.ok(after.length > 0);
  assertNoCanary(after, ['PLAIN-BEFORE', 'PLAIN-VALUE', 'PLAIN-MOVER', 'PLAIN-DEEP', 'SECRET']);
  await assertMirror(h, 'after masking');
  // and unmasking sends it in clear again (status change both ways)
  await h.page.evaluate(() => cotabTest.customerDoc().getElementById('later')?.classList.remove('cotab-mask'));
  await h.page.evaluate(() => cotabTest.sync());
  assert.ok((await wire(mark)).includes('SECRET-AFTER'));
  await assertMirror(h, 'after unmasking');
});

test('masking: an input that was a password stays masked when a "show password" toggle makes it text', async () => {
  // threat: the reveal toggle of a password field sends the password in clear
  await record('toggle.html', '<!DOCTYPE html><html><body><input id="pw" type="password" value="CANARY-SHOWN"></body></html>');
  await h.page.evaluate(() => {
    const pw = /** @type {HTMLInputElement} */ (cotabTest.customerDoc().getElementById('pw'));
    pw.type = 'text';
    pw.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await h.page.evaluate(() => cotabTest.sync());
  assertNoCanary(await wire(), ['CANARY']);
  const v = await h.page.evaluate(() => /** @type {HTMLInputElement} */ (cotabTest.mirrorDoc()?.getElementById('pw')).value);
  assert.equal(v, '•'.repeat('CANARY-SHOWN'.length));
});

test('masking: elements masked during a time-sliced snapshot never leak what is added after', async () => {
  // threat: the window between a snapshot's slices lets content that became masked slip through
  const html = bigPage(20000).replace(
    '</body>',
    `<script>
    window.secretsAdded = 0;
    window.maskLoop = () => {
      const secs = document.getElementsByTagName('section');
      let i = secs.length - 1;
      const step = () => {
        if (i < 0 || window.stopMasking) return;
        const s = secs[i];
        i -= 7;
        s.classList.add('cotab-mask');
        const li = document.createElement('li');
        li.textContent = 'SECRET-' + (window.secretsAdded++);
        s.querySelector('ul').prepend(li);
        s.querySelector('span').firstChild.data = 'SECRET-EDIT-' + i;
        requestAnimationFrame(step);
        setTimeout(step, 0);
      };
      step();
    };
    </script></body>`,
  );
  const path = h.addPage('masked-churn.html', html);
  await h.page.evaluate((p) => cotabTest.open({ path: p }), path);
  const added = await h.page.evaluate(async () => {
    const win = /** @type {any} */ (cotabTest.customerWin());
    win.maskLoop();
    await cotabTest.recorder().start(1);
    win.stopMasking = true;
    await cotabTest.sync();
    return win.secretsAdded;
  });
  assert.ok(added > 1, `sections masked during the snapshot: ${added}`);
  assertNoCanary(await wire(), ['SECRET']);
  await assertMirror(h, 'after masking churn');
});

test('masking: invalid settings selectors are skipped and reported; the valid ones still apply', async () => {
  // threat: a typo in the settings silently disables masking (or recording)
  const opened = await record('invalid.html', '<!DOCTYPE html><html><body><p class="ok">CANARY-OK</p><p>public</p></body></html>', {
    maskSelectors: ['[[bad', '.ok', 'p:unknown-pseudo', 42],
    blockSelectors: ['###'],
  });
  assert.deepEqual(opened.invalidSelectors, ['[[bad', 'p:unknown-pseudo', '42', '###']);
  const text = await wire();
  assert.ok(text.includes('public'));
  assertNoCanary(text, ['CANARY']);
});

test('blocking: a blocked element is an empty box; what happens inside it is neither recorded nor sent', async () => {
  // threat: content inside a blocked area (or its later changes) reaches the agent
  await record(
    'blocked.html',
    '<!DOCTYPE html><html><body><div id="b" data-cotab-block style="display:flex;width:50px;height:60px"><span id="in">CANARY-IN</span><input id="bi"></div><p id="p">x</p></body></html>',
  );
  const mark = await h.page.evaluate(() => cotabTest.wireCount());
  const frame = h.page.frameLocator('#customer');
  await frame.locator('#bi').pressSequentially('CANARY-TYPED');
  await h.page.evaluate(() => {
    const doc = cotabTest.customerDoc();
    /** @type {Text} */ (doc.getElementById('in')?.firstChild).data = 'CANARY-EDIT';
    doc.getElementById('in')?.setAttribute('title', 'CANARY-ATTR');
    doc.getElementById('b')?.append(doc.createElement('hr'));
  });
  await h.page.evaluate(() => cotabTest.sync());
  assert.equal(await wire(mark), '', 'nothing is sent for changes inside a blocked element');
  const box = await h.page.evaluate(() => {
    const el = /** @type {HTMLElement} */ (cotabTest.mirrorDoc()?.querySelector('[data-cotab-blocked]'));
    return [el.localName, el.childNodes.length, el.getBoundingClientRect().width, el.getBoundingClientRect().height, getComputedStyle(el).display];
  });
  assert.deepEqual(box, ['div', 0, 50, 60, 'flex']);
  assertNoCanary(await wire(), ['CANARY']);
  // an element blocked later is re-sent as a box
  await h.page.evaluate(() => cotabTest.customerDoc().getElementById('p')?.setAttribute('data-cotab-block', ''));
  await h.page.evaluate(() => cotabTest.sync());
  await assertMirror(h, 'after blocking');
});
