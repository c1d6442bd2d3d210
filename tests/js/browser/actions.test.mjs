// The ActionRunner (extension/content/actions.js) and the guard (extension/content/guard.js) in
// real headless Chromium, wired as in the extension (isolated-world.mjs): the runner and the
// guard's isolated half in a real isolated world (created over CDP, like the content script's),
// the page, React and the guard's main-world half (installed from installGuard's source, as
// executeScript sends it) in the page's world. Typing must look like a user's to the page (its
// events, React's controlled fields), the guard must stop what the page's own handlers try while
// an action runs, and revocation must stop an action between two characters.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { GUARD_SETTLE_MS, MAX_QUEUED_ACTS, MAX_TYPE_CHARS } from '../../../extension/content/actions.js';
import { installGuard } from '../../../extension/content/guard.js';
import { isolatedWorld } from './isolated-world.mjs';

const world = isolatedWorld();
before(world.open);
after(world.close);
const { load, iso, score, assertNothingReached, orders } = world;

/**
 * Runs `fn(T, arg)` in the PAGE's world, where a test loads the bundle too (addScriptTag).
 * @param {(T: any, arg: any) => any} fn
 * @param {unknown} [arg]
 */
function mainWorld(fn, arg = null) {
  return world.page.evaluate(`(${fn.toString()})(globalThis.__cotab, ${JSON.stringify(arg)})`);
}

/** The page's event log (window.__log), then cleared. @returns {Promise<string[]>} */
function takeLog() {
  return world.page.evaluate(() => {
    const w = /** @type {any} */ (window);
    const log = w.__log.slice();
    w.__log.length = 0;
    return log;
  });
}

/** The React page's state. @returns {Promise<{name: string, message: string, country: string, newsletter: boolean, keys: number}>} */
async function reactState() {
  return JSON.parse(await world.page.evaluate(() => document.getElementById('state')?.textContent ?? 'null'));
}

// ---------------------------------------------------------------------------------------------

describe('actions: typing', () => {
  test('type focuses the field and sends, per character, keydown, keypress, beforeinput, input, keyup; it adds at the end', async () => {
    await load('/assist/checkout');
    await takeLog();
    const r = await iso(async (T) => {
      const answer = await T.act({ a: 'type', id: '#address', text: ', Zoë 😀' });
      return { answer, value: T.el('#address').value, focused: document.activeElement?.id };
    });
    assert.deepEqual(r.answer, { n: 1, done: true });
    assert.equal(r.value, '12 Elm Street, Zoë 😀');
    assert.equal(r.focused, 'address');
    const log = (await takeLog()).filter((l) => !l.startsWith('change'));
    assert.deepEqual(log.slice(0, 5), ['keydown:,:address', 'keypress:,:address', 'beforeinput:insertText:address', 'input:insertText:address', 'keyup:,:address']);
    assert.equal(log.length, 5 * [...', Zoë 😀'].length, 'five events per character, an emoji is one character');
    assert.ok(log.includes('keydown:😀:address'));
  });

  test('email and number fields (no selection API) take text at the end; a number field drops letters, maxlength holds, as with a user', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => ({
      email: await T.act({ a: 'type', id: '#email', text: 'ann@example.org' }),
      qty: await T.act({ a: 'type', id: '#qty', text: '2x' }),
      phone: await T.act({ a: 'type', id: '#phone', text: '+49 30 1234 5678' }),
      values: ['#email', '#qty', '#phone'].map((s) => T.el(s).value),
    }));
    assert.equal(r.email.done, true);
    assert.equal(r.qty.done, true);
    assert.equal(r.phone.done, true);
    assert.deepEqual(r.values, ['ann@example.org', '12', '+49 30 1234 ']);
  });

  test('a textarea and a contenteditable take line breaks; the contenteditable types where its caret is', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => ({
      notes: await T.act({ a: 'type', id: '#notes', text: 'Leave at\nthe door' }),
      note: await T.act({ a: 'type', id: '#note-p', text: ' see you\nsoon' }),
      notesValue: T.el('#notes').value,
      noteHtml: T.el('#note').innerHTML,
      noteText: T.el('#note').innerText,
    }));
    assert.equal(r.notes.done, true);
    assert.equal(r.notesValue, 'Leave at\nthe door');
    assert.equal(r.note.done, true);
    assert.match(r.noteHtml, /Dear Sam, see you<br>soon/);
  });

  test('keys: Backspace and Delete edit, arrows, Home and End move the caret, Tab moves the focus, Escape is only a key', async () => {
    await load('/assist/checkout');
    await takeLog();
    const r = await iso(async (T) => {
      const out = [];
      out.push(await T.act({ a: 'type', id: '#zip', text: '1234' }));
      out.push(await T.act({ a: 'key', id: '#zip', key: 'Backspace' }));
      out.push(await T.act({ a: 'key', id: '#zip', key: 'ArrowLeft' }));
      out.push(await T.act({ a: 'type', id: '#zip', text: 'a' }));
      out.push(await T.act({ a: 'key', id: '#zip', key: 'Home' }));
      out.push(await T.act({ a: 'key', id: '#zip', key: 'Delete' }));
      out.push(await T.act({ a: 'type', id: '#zip', text: 'b' }));
      out.push(await T.act({ a: 'key', id: '#zip', key: 'End' }));
      out.push(await T.act({ a: 'type', id: '#zip', text: 'c' }));
      const zip = T.el('#zip').value;
      out.push(await T.act({ a: 'key', id: '#note-p', key: 'Backspace' }));
      const note = T.el('#note').textContent;
      out.push(await T.act({ a: 'key', id: '#name', key: 'Tab' }));
      const afterTab = document.activeElement?.id;
      out.push(await T.act({ a: 'key', id: '#email', key: 'Escape' }));
      return { out, zip, note, afterTab };
    });
    for (const a of r.out) assert.equal(a.done, true, JSON.stringify(a));
    assert.equal(r.zip, 'b2a3c');
    assert.equal(r.note, 'Dear Sam');
    assert.equal(r.afterTab, 'email');
    const log = await takeLog();
    assert.ok(log.includes('beforeinput:deleteContentBackward:zip') && log.includes('input:deleteContentBackward:zip'));
    assert.ok(log.includes('input:deleteContentForward:zip'));
    assert.ok(log.includes('keydown:Tab:name') && log.includes('keyup:Tab:email'), 'keyup goes where the focus went');
    assert.ok(log.includes('keydown:Escape:email'));
  });

  test('a page that cancels keydown or beforeinput keeps the character out, as with a user (editors that insert themselves)', async () => {
    await load('/assist/checkout');
    await world.page.evaluate(() => {
      document.getElementById('zip')?.addEventListener('keydown', (e) => { if (e.key === 'x') e.preventDefault(); });
      document.getElementById('zip')?.addEventListener('beforeinput', (e) => { if (e.data === 'y') e.preventDefault(); });
    });
    const r = await iso(async (T) => ({ a: await T.act({ a: 'type', id: '#zip', text: '1x2y3' }), v: T.el('#zip').value }));
    assert.equal(r.a.done, true);
    assert.equal(r.v, '123');
  });

  test(`limit: a text of MAX_TYPE_CHARS (${MAX_TYPE_CHARS}) is typed in full, one more is refused; control characters are refused`, async () => {
    await load('/assist/checkout');
    const r = await iso(async (T, max) => ({
      over: await T.act({ a: 'type', id: '#notes', text: 'x'.repeat(max + 1) }),
      control: await T.act({ a: 'type', id: '#notes', text: 'a\u0007b' }),
      at: await T.act({ a: 'type', id: '#notes', text: 'y'.repeat(max) }),
      length: T.el('#notes').value.length,
    }), MAX_TYPE_CHARS);
    assert.equal(r.over.why, 'invalid');
    assert.equal(r.control.why, 'invalid');
    assert.equal(r.at.done, true);
    assert.equal(r.length, MAX_TYPE_CHARS);
  });

  test('threat: the customer moves the focus mid-typing — typing stops instead of following into the other field', async () => {
    await load('/assist/checkout');
    const n = await iso((T) => T.fire({ a: 'type', id: '#notes', text: 'q'.repeat(200) }));
    await iso(() => new Promise((resolve) => {
      const poll = () => (document.querySelector('textarea')?.value.length ?? 0) >= 3 ? resolve(null) : setTimeout(poll, 1);
      poll();
    }));
    await world.page.evaluate(() => document.getElementById('zip')?.focus());
    const r = await iso(async (T, n) => ({ answer: await T.wait(n), zip: T.el('#zip').value, notes: T.el('#notes').value.length }), n);
    assert.equal(r.answer.why, 'invalid');
    assert.match(r.answer.detail, /focus moved away/);
    assert.equal(r.zip, '', 'nothing typed into the field the customer went to');
    assert.ok(r.notes >= 3 && r.notes < 200);
  });

  test('a field that moves the focus itself while typing (auto-advance) is followed when the next field is allowed', async () => {
    await load('/assist/checkout');
    await world.page.evaluate(() => {
      const zip = /** @type {HTMLInputElement} */ (document.getElementById('zip'));
      zip.addEventListener('input', () => { if (zip.value.length >= 3) document.getElementById('phone')?.focus(); });
    });
    const r = await iso(async (T) => ({ a: await T.act({ a: 'type', id: '#zip', text: '12345' }), zip: T.el('#zip').value, phone: T.el('#phone').value }));
    assert.equal(r.a.done, true);
    assert.equal(r.zip, '123');
    assert.equal(r.phone, '45');
  });
});

describe('actions: React 18 controlled fields', () => {
  test('type, select and check update React state (runner in the isolated world, React in the page)', async () => {
    await load('/assist/react');
    const r = await iso(async (T) => ({
      name: await T.act({ a: 'type', id: '#r-name', text: 'Ann Lee' }),
      message: await T.act({ a: 'type', id: '#r-message', text: 'Hello\nthere' }),
      back: await T.act({ a: 'key', id: '#r-name', key: 'Backspace' }),
      country: await T.act({ a: 'select', id: '#r-country', v: 'jp' }),
      news: await T.act({ a: 'check', id: '#r-newsletter', c: true }),
    }));
    for (const a of Object.values(r)) assert.equal(a.done, true, JSON.stringify(a));
    const state = await reactState();
    assert.deepEqual(state, { name: 'Ann Le', message: 'Hello\nthere', country: 'jp', newsletter: true, keys: 8 });
    const dom = await world.page.evaluate(() => ({
      name: /** @type {HTMLInputElement} */ (document.getElementById('r-name')).value,
      country: /** @type {HTMLSelectElement} */ (document.getElementById('r-country')).value,
      news: /** @type {HTMLInputElement} */ (document.getElementById('r-newsletter')).checked,
    }));
    assert.deepEqual(dom, { name: 'Ann Le', country: 'jp', news: true }, 'React kept what was typed (it puts back a value it did not see)');
    const off = await iso((T) => T.act({ a: 'check', id: '#r-newsletter', c: false }));
    assert.equal(off.done, true);
    assert.equal((await reactState()).newsletter, false);
  });

  test('typing updates React state with the runner in the page\'s own world too (React\'s value tracker wraps the element there)', async () => {
    await load('/assist/react', { guard: false });
    await world.page.addScriptTag({ content: world.bundle });
    await mainWorld((T) => {
      T.configure({});
      T.start('');
    });
    const a = await mainWorld((T) => T.act({ a: 'type', id: '#r-name', text: 'Zoë' }));
    assert.equal(a.done, true);
    assert.equal((await reactState()).name, 'Zoë');
  });
});

describe('actions: select, check, scroll, click', () => {
  test('select sets the option and fires input then change; picking the current option fires nothing', async () => {
    await load('/assist/checkout');
    await takeLog();
    const first = await iso((T) => T.act({ a: 'select', id: '#country', v: 'de' }));
    const log1 = await takeLog();
    const again = await iso((T) => T.act({ a: 'select', id: '#country', v: 'de' }));
    const log2 = await takeLog();
    assert.equal(first.done, true);
    assert.equal(again.done, true);
    assert.equal(await world.page.evaluate(() => /** @type {HTMLSelectElement} */ (document.getElementById('country')).value), 'de');
    assert.deepEqual(log1, ['input::country', 'change::country']);
    assert.deepEqual(log2, []);
  });

  test('check ticks checkboxes and radios, an ARIA switch too; a state already right is done without events', async () => {
    await load('/assist/checkout');
    await world.page.evaluate(() => {
      const sw = document.createElement('div');
      sw.id = 'dark-switch';
      sw.setAttribute('role', 'switch');
      sw.setAttribute('aria-checked', 'false');
      sw.tabIndex = 0;
      sw.textContent = 'Dark mode';
      sw.addEventListener('click', () => sw.setAttribute('aria-checked', String(sw.getAttribute('aria-checked') !== 'true')));
      document.querySelector('.row')?.append(sw);
    });
    await takeLog();
    const r = await iso(async (T) => ({
      gift: await T.act({ a: 'check', id: '#gift', c: true }),
      express: await T.act({ a: 'check', id: '#ship-express', c: true }),
      billing: await T.act({ a: 'check', id: '#same-billing', c: true }),
      sw: await T.act({ a: 'check', id: '#dark-switch', c: true }),
      states: [T.el('#gift').checked, T.el('#ship-express').checked, T.el('#ship-standard').checked, T.el('#same-billing').checked, T.el('#dark-switch').getAttribute('aria-checked')],
    }));
    for (const k of ['gift', 'express', 'billing', 'sw']) assert.equal(r[k].done, true, `${k}: ${JSON.stringify(r[k])}`);
    assert.deepEqual(r.states, [true, true, false, true, 'true']);
    const log = await takeLog();
    assert.ok(log.includes('change::gift') && log.includes('change::ship-express'));
    assert.ok(!log.some((l) => l.endsWith(':same-billing')), 'nothing fired for a checkbox already ticked');
  });

  test('scroll moves the window and nested containers, clamped to what they can reach', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const out = {};
      out.window = await T.act({ a: 'scroll', id: 0, x: 0, y: 500 });
      out.windowY = window.scrollY;
      out.far = await T.act({ a: 'scroll', id: 0, x: -50, y: 1e6 });
      out.farY = window.scrollY;
      out.maxY = document.documentElement.scrollHeight - document.documentElement.clientHeight;
      out.panel = await T.act({ a: 'scroll', id: '#terms-panel', x: 0, y: 100 });
      out.panelY = T.el('#terms-panel').scrollTop;
      out.side = await T.act({ a: 'scroll', id: '#hscroll', x: 1e6, y: 40 });
      out.sideX = T.el('#hscroll').scrollLeft;
      out.maxX = T.el('#hscroll').scrollWidth - T.el('#hscroll').clientWidth;
      return out;
    });
    assert.equal(r.window.done, true);
    assert.equal(r.windowY, 500);
    assert.equal(r.far.done, true);
    assert.equal(r.farY, r.maxY);
    assert.equal(r.panel.done, true);
    assert.equal(r.panelY, 100);
    assert.equal(r.side.done, true);
    assert.equal(r.sideX, r.maxX);
  });

  test('harmless controls work: Apply coupon and Show details run the page\'s handlers; a same-origin link is followed', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => ({
      coupon: await T.act({ a: 'click', id: '#coupon' }),
      details: await T.act({ a: 'click', id: '#details-toggle' }),
      shown: !T.el('#details').hidden,
      focused: document.activeElement?.id,
    }));
    assert.equal(r.coupon.done, true);
    assert.equal(r.details.done, true);
    assert.equal(r.shown, true);
    assert.equal(r.focused, 'details-toggle', 'the mousedown moved the focus, as a user\'s would');
    assert.equal((await score()).coupons, 1);
    const navigated = world.page.waitForURL(`${world.siteOrigin}/assist/help`);
    await iso((T) => T.fire({ a: 'click', id: '#help-link' }));
    await navigated;
  });

  test('an action the page does not run (nav goes to the indicator) is refused invalid', async () => {
    await load('/assist/checkout');
    const r = await iso((T) => T.act({ a: 'nav', url: 'https://example.org/' }));
    assert.equal(r.why, 'invalid');
  });
});

describe('actions: the guard', () => {
  /**
   * Loads the checkout, puts a hook into "Apply coupon"'s handler, clicks it as the agent.
   * @param {string} hook  the body of window.onCoupon(form), in the page's world
   * @param {{mainGuard?: boolean}} [opts]
   */
  async function couponDoes(hook, opts = {}) {
    await load('/assist/checkout', opts);
    await world.page.evaluate(`window.onCoupon = (form) => { ${hook} }`);
    const before = await score();
    const answer = await iso((T) => T.act({ a: 'click', id: '#coupon' }));
    return { answer, before };
  }

  /**
   * couponDoes(hook, opts): the click is refused `why`, and nothing reached the page.
   * @param {string} hook
   * @param {string} why
   * @param {{mainGuard?: boolean}} [opts]
   */
  async function assertCouponRefused(hook, why, opts) {
    const { answer, before } = await couponDoes(hook, opts);
    assert.equal(answer.why, why);
    await assertNothingReached(before);
  }

  test('threat: an allowed button\'s handler calls form.submit() — the submit is blocked and the click refused submit', async () => {
    const { answer, before } = await couponDoes('form.submit()');
    assert.equal(answer.why, 'submit');
    assert.equal((await score()).coupons, 1, 'the handler ran');
    await assertNothingReached(before);
    assert.equal(await iso((T) => T.guard.mainWorld()), true, 'the main-world half answered');
  });

  test('threat: the handler calls requestSubmit() — blocked, refused submit', () =>
    assertCouponRefused('form.requestSubmit()', 'submit'));

  test('threat: the handler clicks the form\'s submit button — the submit event is cancelled, refused submit', () =>
    assertCouponRefused('document.getElementById("continue").click()', 'submit'));

  test(`threat: the handler submits from a timer, within GUARD_SETTLE_MS (${GUARD_SETTLE_MS} ms) — blocked, refused submit`, () =>
    assertCouponRefused('setTimeout(() => form.submit(), 0); Promise.resolve().then(() => form.requestSubmit())', 'submit'));

  test('threat: a handler whose first submit was blocked tries again from a timer — the guard is still armed, nothing is submitted', async () => {
    const { answer, before } = await couponDoes('form.requestSubmit(); setTimeout(() => form.submit(), 0); setTimeout(() => form.requestSubmit(), 5)');
    assert.equal(answer.why, 'submit');
    await world.page.evaluate((ms) => new Promise((r) => setTimeout(r, ms)), GUARD_SETTLE_MS);
    await assertNothingReached(before);
  });

  test('threat: the handler submits with an unpatched submit() from a fresh iframe — the navigation is cancelled, refused submit', () =>
    assertCouponRefused(`
      const frame = document.createElement('iframe');
      document.body.append(frame);
      frame.contentWindow.HTMLFormElement.prototype.submit.call(form);`, 'submit'));

  test('threat: without the main-world half (executeScript failed), form.submit() from a handler still does not leave: the navigation is cancelled', async () => {
    const { answer, before } = await couponDoes('form.submit()', { mainGuard: false });
    assert.equal(answer.why, 'submit');
    assert.equal(await iso((T) => T.guard.mainWorld()), false);
    await world.page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
    const s = await score();
    assert.equal(s.pageId, before.pageId, 'the page did not navigate');
    assert.deepEqual(orders, [], 'the server received no order');
  });

  test('threat: without the main-world half, requestSubmit() from a handler fires a submit event — cancelled before the page\'s listeners', () =>
    assertCouponRefused('form.requestSubmit()', 'submit', { mainGuard: false }));

  test('a handler that proxy-clicks a hidden or disabled-looking element of its own is not vetoed (only what the agent may never do is)', async () => {
    await load('/assist/checkout');
    await world.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      document.getElementById('hidden-btn')?.addEventListener('click', () => { w.__hiddenClicked = true; });
      w.onCoupon = () => document.getElementById('hidden-btn')?.click();
    });
    const answer = await iso((T) => T.act({ a: 'click', id: '#coupon' }));
    assert.equal(answer.done, true);
    assert.equal(await world.page.evaluate(() => /** @type {any} */ (window).__hiddenClicked), true);
  });

  test('threat: the handler sends the page to another origin — cancelled, refused origin', () =>
    assertCouponRefused(`location.href = ${JSON.stringify(`${world.otherOrigin}/steal`)}`, 'origin'));

  test('threat: the handler opens a window — blocked, refused origin', async () => {
    const { answer, before } = await couponDoes(`window.__opened = window.open(${JSON.stringify(`${world.otherOrigin}/popup`)})`);
    assert.equal(answer.why, 'origin');
    assert.equal(await world.page.evaluate(() => /** @type {any} */ (window).__opened), null);
    await assertNothingReached(before);
  });

  test('threat: the handler clicks "Pay now" for the agent (a proxy click) — blocked, refused finalizing', () =>
    assertCouponRefused('document.getElementById("pay").click()', 'finalizing'));

  test('threat: a field\'s keydown handler submits while the agent types — refused submit, typing stops', async () => {
    await load('/assist/checkout');
    await world.page.evaluate(() => {
      const zip = /** @type {HTMLInputElement} */ (document.getElementById('zip'));
      zip.addEventListener('keydown', () => { if (zip.value.length === 2) zip.form?.submit(); });
    });
    const before = await score();
    const r = await iso(async (T) => ({ a: await T.act({ a: 'type', id: '#zip', text: '123456' }), v: T.el('#zip').value }));
    assert.equal(r.a.why, 'submit');
    assert.equal(r.v, '12', 'nothing typed after the blocked submit');
    await assertNothingReached(before);
  });

  test('installing the main-world half again (a new session in the same document) moves it to the new name', async () => {
    await load('/assist/checkout');
    const fresh = 'cotab-test-moved'; // load named this document's guard cotab-test-<n>
    assert.equal(await world.page.evaluate(`(${installGuard.toString()})(${JSON.stringify(fresh)})`), true);
    await world.page.evaluate('window.onCoupon = (form) => form.submit()');
    const before = await score();
    const r = await iso(async (T, name) => {
      const old = T.guard;
      old.arm();
      const oldAnswered = old.mainWorld();
      old.disarm();
      old.destroy();
      T.start(name);
      const answer = await T.act({ a: 'click', id: '#coupon' });
      return { oldAnswered, answer, answered: T.guard.mainWorld() };
    }, fresh);
    assert.equal(r.oldAnswered, false, 'the old name is not heard any more');
    assert.equal(r.answer.why, 'submit');
    assert.equal(r.answered, true);
    await assertNothingReached(before);
  });

  test('after the act the guard is disarmed: the page\'s own submits work again', async () => {
    await load('/assist/checkout');
    await iso((T) => T.act({ a: 'click', id: '#coupon' }));
    await world.page.evaluate((ms) => new Promise((r) => setTimeout(r, ms * 2)), GUARD_SETTLE_MS);
    await world.page.evaluate(() => /** @type {HTMLFormElement} */ (document.getElementById('checkout')).requestSubmit());
    assert.equal((await score()).submits, 1, 'the page submitted (its own submit listener saw it)');
    await world.page.waitForFunction(() => true);
    const until = Date.now() + 5000;
    while (!orders.length && Date.now() < until) await world.page.evaluate(() => new Promise((r) => setTimeout(r, 10)));
    assert.deepEqual(orders, ['POST /assist/order']);
  });
});

describe('actions: revocation, floods, exactly one answer', () => {
  test('threat: the customer takes back "type" mid-text — typing stops at once, queued typing is dropped, other work goes on', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const typing = T.fire({ a: 'type', id: '#notes', text: 'w'.repeat(200) });
      const queuedType = T.fire({ a: 'type', id: '#name', text: 'queued' });
      const queuedScroll = T.fire({ a: 'scroll', id: 0, x: 0, y: 300 });
      // The customer's click on "Take back control" is a task of its own, between two characters.
      await new Promise((resolve) => {
        const notes = T.el('#notes');
        const onInput = () => {
          if (notes.value.length < 5) return;
          notes.removeEventListener('input', onInput);
          setTimeout(resolve, 0);
        };
        notes.addEventListener('input', onInput);
      });
      T.runner.cancel(['type']);
      const atCancel = T.el('#notes').value.length;
      const answeredAtOnce = [T.answersFor(typing), T.answersFor(queuedType)];
      const scroll = await T.wait(queuedScroll);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return {
        typing: await T.wait(typing), queuedType: await T.wait(queuedType), scroll, answeredAtOnce,
        atCancel, later: T.el('#notes').value.length, name: T.el('#name').value,
        counts: [T.answersFor(typing), T.answersFor(queuedType), T.answersFor(queuedScroll)],
      };
    });
    assert.equal(r.typing.why, 'revoked');
    assert.equal(r.queuedType.why, 'revoked');
    assert.deepEqual(r.answeredAtOnce, [1, 1], 'refused before cancel() returned');
    assert.equal(r.scroll.done, true, 'scrolling was not revoked');
    assert.ok(r.atCancel >= 5 && r.atCancel < 200, `stopped mid-text at ${r.atCancel}`);
    assert.equal(r.later, r.atCancel, 'not one character after cancel()');
    assert.equal(r.name, '');
    assert.deepEqual(r.counts, [1, 1, 1]);
  });

  test('cancel() arriving while the act\'s own events are dispatched ends it before the next event', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const notes = T.el('#notes');
      /** @type {string[]} */
      const seen = [];
      for (const type of ['keydown', 'keypress', 'beforeinput', 'input', 'keyup']) notes.addEventListener(type, () => seen.push(type));
      notes.addEventListener('input', () => T.runner.cancel(['type']), { once: true });
      const answer = await T.act({ a: 'type', id: '#notes', text: 'abc' });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { answer, value: notes.value, seen, count: T.answersFor(answer.n) };
    });
    assert.equal(r.answer.why, 'revoked');
    assert.equal(r.value, 'a');
    assert.deepEqual(r.seen, ['keydown', 'keypress', 'beforeinput', 'input'], 'no keyup, no second character');
    assert.equal(r.count, 1);
  });

  test(`threat: a flood of 1000 acts — the page stays responsive, at most MAX_QUEUED_ACTS (${MAX_QUEUED_ACTS}) wait, every act gets exactly one answer`, async () => {
    await load('/assist/checkout');
    // The page's own timer keeps ticking while the runner works: the longest gap between ticks.
    await world.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__maxGap = 0;
      let last = performance.now();
      w.__ticker = setInterval(() => {
        const now = performance.now();
        w.__maxGap = Math.max(w.__maxGap, now - last);
        last = now;
      }, 5);
    });
    const r = await iso(async (T) => {
      const ns = [];
      for (let i = 0; i < 1000; i++) {
        ns.push(i % 2 === 0 ? T.fire({ a: 'scroll', id: '#terms-panel', x: 0, y: i }) : T.fire({ a: 'click', id: '#details-toggle' }));
      }
      const answers = await Promise.all(ns.map((n) => T.wait(n)));
      return {
        counts: ns.map((n) => T.answersFor(n)),
        done: answers.filter((a) => a.done).length,
        rate: answers.filter((a) => a.why === 'rate').length,
        other: answers.filter((a) => !a.done && a.why !== 'rate'),
        pending: T.runner.pending,
      };
    });
    const maxGap = await world.page.evaluate(() => {
      const w = /** @type {any} */ (window);
      clearInterval(w.__ticker);
      return w.__maxGap;
    });
    assert.ok(r.counts.every((/** @type {number} */ c) => c === 1), 'exactly one answer each');
    assert.deepEqual(r.other, []);
    assert.equal(r.pending, 0);
    // Acts run in order: the first scroll at once, the first click runs (it settles for the
    // guard), the next MAX_QUEUED_ACTS wait behind it, the rest are refused `rate` at once.
    assert.equal(r.done, 2 + MAX_QUEUED_ACTS);
    assert.equal(r.rate, 1000 - 2 - MAX_QUEUED_ACTS);
    // A hang would be the flood run in one go; half a second leaves room for a loaded machine.
    assert.ok(maxGap < 500, `the page's timer never waited long: ${maxGap} ms`);
  });

  test('destroy() refuses what runs and waits (revoked), and every later act', async () => {
    await load('/assist/checkout');
    const r = await iso(async (T) => {
      const typing = T.fire({ a: 'type', id: '#notes', text: 'z'.repeat(100) });
      const queued = T.fire({ a: 'click', id: '#coupon' });
      T.runner.destroy();
      const later = await T.act({ a: 'scroll', id: 0, x: 0, y: 10 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { typing: await T.wait(typing), queued: await T.wait(queued), later, counts: [T.answersFor(typing), T.answersFor(queued)], notes: T.el('#notes').value.length };
    });
    assert.equal(r.typing.why, 'revoked');
    assert.equal(r.queued.why, 'revoked');
    assert.equal(r.later.why, 'revoked');
    assert.deepEqual(r.counts, [1, 1]);
    assert.ok(r.notes <= 1, 'at most the first character, typed before destroy()');
    assert.equal((await score()).coupons, 0);
  });
});
