// A whole Cotab session end to end: two real browsers (customer + agent) with the real extension,
// real hosts, a real relay behind a recording proxy, and pages served from 127.0.0.1.
// The two browsers are shared by the tests of this file; after each test both sessions are ended
// and every page is closed (resetSession), so each test starts from idle.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import {
  channelStatus,
  workerDiagnostics,
  CODE_SHOWN,
  connectPair,
  expectConsentWindow,
  expectViewer,
  inMirror,
  inPage,
  launchBrowser,
  openAgentPopup,
  openPopup,
  recordPort,
  resetSession,
  sendCommand,
  serveHtml,
  startRecordingProxy,
  startRelay,
  tabIdOf,
  testIdText,
  typedCode,
  waitFor,
  waitForMirrorEqual,
  waitForPopupState,
  waitForViewerState,
} from './harness.mjs';

/** Mirror stream kinds (app.md §4): what must never reach an agent that was denied. */
const MIRROR_KINDS = ['snap', 'part', 'snapend', 'm'];

let loads = 0;
const sessionPage = (/** @type {URL} */ url) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Session page ${url.searchParams.get('t') ?? ''}</title>
<style>
  body { font: 16px sans-serif; margin: 8px; }
  #box { height: 120px; width: 300px; overflow: auto; border: 1px solid #888; }
  #box > .inner { height: 1200px; }
  .tall { height: 3000px; background: linear-gradient(#fff, #ccd); }
</style></head>
<body>
  <h1 id="title" class="headline">Hello from the customer</h1>
  <p id="load">load ${++loads}</p>
  <ul id="list"><li id="a">Alpha</li><li id="b">Beta</li><li id="c">Gamma</li></ul>
  <p id="para" class="plain">Some <b id="bold">bold</b> text and <a id="link" href="/elsewhere.html">a link</a>.</p>
  <form id="form" onsubmit="return false">
    <label for="name">Name</label> <input id="name" name="name" type="text">
    <textarea id="notes" name="notes"></textarea>
    <input id="agree" name="agree" type="checkbox"> <label for="agree">agree</label>
    <select id="color" name="color"><option value="r">Red</option><option value="g">Green</option><option value="b">Blue</option></select>
  </form>
  <p id="counter">0</p>
  <ul id="ticks"></ul>
  <div id="box"><div class="inner">scroll me <span id="deep">deep inside</span></div></div>
  <div class="tall">tall content</div>
</body></html>`;

const secondPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Other tab</title></head>
<body><h1 id="second">SECOND-TAB-MARKER-7f3a: this tab is not shared</h1></body></html>`;

const navigatedPage = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Navigated</title></head>
<body><h1 id="page2">NAVIGATED-PAGE-MARKER</h1><p>after a same-tab navigation</p><ol><li>one</li><li>two</li></ol></body></html>`;

/** @type {import('./harness.mjs').Relay} */
let relay;
/** @type {import('./harness.mjs').RecordingProxy} */
let proxy;
/** @type {import('./harness.mjs').CotabBrowser} */
let customer;
/** @type {import('./harness.mjs').CotabBrowser} */
let agent;
/** @type {Awaited<ReturnType<typeof serveHtml>>} */
let pages;
/** @type {import('./harness.mjs').PortRecorder} */
let contentLog;
/** @type {import('./harness.mjs').PortRecorder} */
let viewerLog;

before(async () => {
  relay = await startRelay();
  proxy = await startRecordingProxy(relay.port);
  pages = await serveHtml({ '/session.html': sessionPage, '/second.html': secondPage, '/navigated.html': navigatedPage });
  [customer, agent] = await Promise.all([
    launchBrowser({ name: 'customer', relayUrl: proxy.url, recordHostInput: true, recordHostOutput: true }),
    launchBrowser({ name: 'agent', relayUrl: proxy.url, recordHostOutput: true }),
  ]);
  contentLog = await recordPort(customer, 'cotab-content');
  viewerLog = await recordPort(agent, 'cotab-viewer');
});

/** Ends both sides' sessions and closes their pages: the next test starts from idle. */
async function resetBoth() {
  await Promise.all([customer && resetSession(customer), agent && resetSession(agent)]);
}

after(async () => {
  await Promise.all([customer?.close(), agent?.close()]);
  await pages?.close();
  await proxy?.close();
  await relay?.close();
});

/** @param {string} name */
async function openCustomerPage(name) {
  const page = await customer.context.newPage();
  await page.goto(`${pages.origin}/session.html?t=${name}`);
  return page;
}

/**
 * Field state as the user sees it (properties, not attributes), by element id.
 * @param {Document} doc
 */
function fieldsOf(doc) {
  return [...doc.querySelectorAll('input, textarea, select')].map((el) => {
    const f = /** @type {HTMLInputElement & HTMLSelectElement} */ (el);
    return {
      id: el.id,
      value: f.value,
      checked: el.tagName === 'INPUT' ? f.checked : null,
      selected: el.tagName === 'SELECT' ? [...f.options].map((o) => o.selected) : null,
    };
  });
}

/**
 * @param {import('playwright-core').Page} customerPage
 * @param {import('playwright-core').Page} viewer
 * @param {string} what
 */
async function waitForFieldsEqual(customerPage, viewer, what) {
  /** @type {unknown} */
  let last;
  await waitFor(
    async () => {
      const [p, m] = await Promise.all([inPage(customerPage, fieldsOf, null), inMirror(viewer, fieldsOf, null)]);
      last = { page: p, mirror: m };
      return JSON.stringify(p) === JSON.stringify(m);
    },
    { message: () => `fields equal after ${what}: ${JSON.stringify(last)}` },
  );
}

describe('a live session: share → code → join → the same SAS on both sides → Allow → the mirror follows every kind of change', () => {
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {import('./harness.mjs').Pair} */
  let pair;
  before(async () => {
    page = await openCustomerPage('live');
    pair = await connectPair({ customer, agent, customerPage: page });
  });
  after(resetBoth);

  test('the code has the host format and both sides show the same SAS; the customer is live', async () => {
    assert.match(pair.code, /^\d{4}-\d{3}-\d{3}$/);
    assert.match(pair.sas, /\d{3}\D*\d{3}/);
    assert.equal(pair.sas, await testIdText(pair.consent, 'sas'));
    await waitForPopupState(pair.customerPopup, 'customer:live');
  });

  test('the snapshot equals the page', async () => {
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
  });

  test('insert: new elements and text', async () => {
    await page.evaluate(() => {
      const li = document.createElement('li');
      li.id = 'd';
      li.className = 'new';
      li.append('Delta ', Object.assign(document.createElement('em'), { textContent: 'new' }));
      document.getElementById('list')?.insertBefore(li, document.getElementById('b'));
      document.body.insertAdjacentHTML('beforeend', '<section id="added"><h2>Added</h2><p>later <i>content</i></p></section>');
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'insert' });
  });

  test('remove: elements and subtrees', async () => {
    await page.evaluate(() => {
      document.getElementById('c')?.remove();
      document.getElementById('bold')?.remove();
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'remove' });
  });

  test('move: an element to another place and another parent', async () => {
    await page.evaluate(() => {
      const list = /** @type {HTMLElement} */ (document.getElementById('list'));
      list.prepend(/** @type {HTMLElement} */ (document.getElementById('b')));
      document.getElementById('added')?.append(/** @type {HTMLElement} */ (document.getElementById('link')));
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'move' });
  });

  test('attributes: set, changed, removed, style', async () => {
    await page.evaluate(() => {
      const h = /** @type {HTMLElement} */ (document.getElementById('title'));
      h.className = 'headline changed';
      h.setAttribute('data-x', '42');
      h.style.color = 'rgb(200, 0, 0)';
      document.getElementById('para')?.removeAttribute('class');
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'attributes' });
    const color = await inMirror(pair.viewer, (doc) => doc.getElementById('title')?.getAttribute('style'), null);
    assert.match(String(color), /rgb\(200, 0, 0\)/);
  });

  test('text: a text node changes', async () => {
    await page.evaluate(() => {
      const h = /** @type {HTMLElement} */ (document.getElementById('title'));
      /** @type {Text} */ (h.firstChild).data = 'Text changed by the page';
      /** @type {HTMLElement} */ (document.getElementById('a')).textContent = 'Alpha (renamed)';
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'text' });
  });

  test('typing into an input and a textarea', async () => {
    await page.locator('#name').pressSequentially('Jane Q. Customer');
    await page.locator('#notes').pressSequentially('line one\nline two');
    await waitForFieldsEqual(page, pair.viewer, 'typing');
    const typed = await inMirror(pair.viewer, (doc) => /** @type {HTMLInputElement} */ (doc.getElementById('name')).value, null);
    assert.equal(typed, 'Jane Q. Customer');
  });

  test('checkbox and select', async () => {
    await page.check('#agree');
    await page.selectOption('#color', 'b');
    await waitForFieldsEqual(page, pair.viewer, 'check/select');
    const m = await inMirror(
      pair.viewer,
      (doc) => [/** @type {HTMLInputElement} */ (doc.getElementById('agree')).checked, /** @type {HTMLSelectElement} */ (doc.getElementById('color')).value],
      null,
    );
    assert.deepEqual(m, [true, 'b']);
    await page.uncheck('#agree');
    await page.selectOption('#color', 'g');
    await waitForFieldsEqual(page, pair.viewer, 'uncheck/select again');
  });

  test("field state set by the page's script (.value, .checked, .selectedIndex: no input events)", async () => {
    await page.evaluate(() => {
      /** @type {HTMLInputElement} */ (document.getElementById('name')).value = 'set by script';
      /** @type {HTMLTextAreaElement} */ (document.getElementById('notes')).value = 'also by script';
      /** @type {HTMLInputElement} */ (document.getElementById('agree')).checked = true;
      /** @type {HTMLSelectElement} */ (document.getElementById('color')).selectedIndex = 0;
    });
    await waitForFieldsEqual(page, pair.viewer, 'programmatic field changes');
  });

  test("style sheets: a <style>'s text and rules inserted by script (CSSOM)", async () => {
    await page.evaluate(() => {
      const style = /** @type {HTMLStyleElement} */ (document.querySelector('style'));
      /** @type {CSSStyleSheet} */ (style.sheet).insertRule('#title { letter-spacing: 3px; }', 0);
      const added = document.createElement('style');
      added.id = 'added-style';
      added.textContent = '#para { color: rgb(0, 90, 0); }';
      document.head.append(added);
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'CSSOM insertRule + new <style>' });
    await page.evaluate(() => {
      /** @type {HTMLStyleElement} */ (document.getElementById('added-style')).textContent = '#para { color: rgb(90, 0, 0); }';
      /** @type {CSSStyleSheet} */ (/** @type {HTMLStyleElement} */ (document.querySelector('style')).sheet).deleteRule(0);
    });
    await waitForMirrorEqual(page, pair.viewer, { what: '<style> text changed + deleteRule' });
    const color = await inMirror(pair.viewer, (doc) => doc.defaultView?.getComputedStyle(/** @type {Element} */ (doc.getElementById('para'))).color, null);
    assert.equal(color, 'rgb(90, 0, 0)', 'the mirror applies the changed sheet');
  });

  test('SVG inserted by script (namespaced elements and attributes)', async () => {
    await page.evaluate(() => {
      const NS = 'http://www.w3.org/2000/svg';
      const svg = document.createElementNS(NS, 'svg');
      svg.setAttribute('id', 'drawn');
      svg.setAttribute('width', '40');
      svg.setAttribute('height', '40');
      svg.setAttribute('viewBox', '0 0 40 40');
      const circle = document.createElementNS(NS, 'circle');
      circle.setAttribute('cx', '20');
      circle.setAttribute('cy', '20');
      circle.setAttribute('r', '15');
      circle.setAttribute('fill', 'teal');
      svg.append(circle);
      document.getElementById('title')?.after(svg);
    });
    await waitForMirrorEqual(page, pair.viewer, { what: 'SVG insert' });
    const ns = await inMirror(pair.viewer, (doc) => doc.querySelector('#drawn circle')?.namespaceURI, null);
    assert.equal(ns, 'http://www.w3.org/2000/svg');
  });

  test('scroll of the window and of a nested element', async () => {
    await page.evaluate(() => {
      window.scrollTo(0, 640);
      /** @type {HTMLElement} */ (document.getElementById('box')).scrollTop = 333;
    });
    const scrolls = (/** @type {Document} */ doc) => {
      const win = /** @type {Window} */ (doc.defaultView);
      const box = /** @type {HTMLElement} */ (doc.getElementById('box'));
      return [Math.round(win.scrollX), Math.round(win.scrollY), Math.round(box.scrollLeft), Math.round(box.scrollTop)];
    };
    const want = await inPage(page, scrolls, null);
    assert.deepEqual(want, [0, 640, 0, 333]);
    /** @type {unknown} */
    let got;
    await waitFor(
      async () => {
        got = await inMirror(pair.viewer, scrolls, null);
        return JSON.stringify(got) === JSON.stringify(want);
      },
      { message: () => `mirror scroll ${JSON.stringify(got)} == page ${JSON.stringify(want)}` },
    );
    // a real wheel scroll, too
    await page.mouse.move(400, 300);
    await page.mouse.wheel(0, 200);
    const wheeled = await waitFor(async () => {
      const s = await inPage(page, scrolls, null);
      return s[1] !== 640 ? s : null;
    });
    await waitFor(
      async () => {
        got = await inMirror(pair.viewer, scrolls, null);
        return JSON.stringify(got) === JSON.stringify(wheeled);
      },
      { message: () => `mirror scroll ${JSON.stringify(got)} == page after wheel ${JSON.stringify(wheeled)}` },
    );
  });

  test('viewport resize gives the mirror iframe the new size', async () => {
    await page.setViewportSize({ width: 900, height: 560 });
    const size = (/** @type {Document} */ doc) => [doc.defaultView?.innerWidth, doc.defaultView?.innerHeight];
    assert.deepEqual(await inPage(page, size, null), [900, 560]);
    /** @type {unknown} */
    let got;
    await waitFor(
      async () => {
        got = await inMirror(pair.viewer, size, null);
        return JSON.stringify(got) === '[900,560]';
      },
      { message: () => `mirror iframe viewport ${JSON.stringify(got)} == [900,560]` },
    );
    await waitForMirrorEqual(page, pair.viewer, { what: 'after resize' });
  });

  test("the session's messages go over the data channel on both sides (PROTOCOL.md §3.4), and the recordings include them", async () => {
    const [customerBefore, agentBefore] = await Promise.all([channelStatus(customer), channelStatus(agent)]);
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { id: 'over-channel', textContent: 'OVER-THE-CHANNEL-3c9b' })));
    await waitForMirrorEqual(page, pair.viewer, { what: 'a change over the data channel' });
    // The other way: a reloaded viewer makes the agent ask the customer for a snapshot (resync).
    await pair.viewer.reload();
    await waitForMirrorEqual(page, pair.viewer, { what: 'the snapshot after the agent asked for one over the data channel' });
    const [c, a] = await Promise.all([channelStatus(customer), channelStatus(agent)]);
    for (const [who, status] of /** @type {const} */ ([['customer', c], ['agent', a]])) {
      assert.equal(status.state, 'up', `${who}: the data channel is up: ${JSON.stringify(status)}`);
      assert.equal(status.dropped, 0, `${who}: nothing dropped because of the channel: ${JSON.stringify(status)}`);
    }
    assert.ok(c.sent > customerBefore.sent, `the change went to the customer's host on the channel: ${JSON.stringify(c)}`);
    assert.ok(a.received > agentBefore.received, `and came from the agent's host on the channel: ${JSON.stringify(a)}`);
    assert.ok(a.sent > agentBefore.sent, `the agent's resync went to its host on the channel: ${JSON.stringify(a)}`);
    assert.ok(c.received > customerBefore.received, `and came from the customer's host on the channel: ${JSON.stringify(c)}`);
    // The agent's worker posts to the (reloaded) viewer on its lane, a MessagePort straight to the
    // page (sw.js), and the mirror above followed through it; the old viewer's lane is gone.
    const d = await workerDiagnostics(agent);
    assert.deepEqual({ lanes: d.viewerLanes, viewers: d.viewers }, { lanes: 1, viewers: 1 }, 'one viewer, on its lane');
    // What the customer's host received: its stdin up to the extension's channel-up, then the channel.
    const input = await customer.hostInputMessages();
    const barrier = input.findIndex((m) => m.type === 'channel-up');
    const change = input.findIndex((m) => m.type === 'send' && JSON.stringify(m.data).includes('OVER-THE-CHANNEL-3c9b'));
    assert.ok(barrier >= 0 && change > barrier, `the change comes after the channel-up barrier in what the host received (${barrier}, ${change})`);
    assert.ok((await customer.hostInput()).includes('OVER-THE-CHANNEL-3c9b'));
    // What the agent's host wrote: the change as a recv on the channel, after the host's barrier.
    const output = await agent.hostOutputMessages();
    const recv = output.findIndex((m) => m.type === 'recv' && JSON.stringify(m.data).includes('OVER-THE-CHANNEL-3c9b'));
    assert.ok(recv > output.findIndex((m) => m.type === 'channel-up'), `the agent host's recv of the change is recorded after its barrier (${recv})`);
  });
});

describe('consent and stopping', () => {
  afterEach(resetBoth);

  test('Deny: the viewer shows denied and no mirror data ever reaches the agent', async () => {
    // threat: the tab's content leaking to an agent the customer refused
    const page = await openCustomerPage('deny');
    const outMark = (await agent.hostOutputMessages()).length;
    const inMark = (await customer.hostInputMessages()).length;
    const viewerMark = (await viewerLog.sent()).length;
    const pair = await connectPair({ customer, agent, customerPage: page, decision: 'deny' });
    await waitForViewerState(pair.viewer, 'denied');
    await waitForPopupState(pair.customerPopup, ['customer:ended', 'idle:idle']);
    // What the customer's host received (native messaging and the data channel): nothing of the
    // tab (no mirror message, not its URL or title).
    const sentByCustomer = (await customer.hostInputMessages()).slice(inMark).filter((m) => m.type === 'send');
    assert.ok(sentByCustomer.length > 0, 'the customer sent its hello/deny (the recording works)');
    assert.deepEqual(
      sentByCustomer.filter((m) => MIRROR_KINDS.includes(m.data?.k) || m.data?.k === 'page'),
      [],
      'no mirror data sent by the customer',
    );
    const sentText = JSON.stringify(sentByCustomer);
    assert.ok(!sentText.includes('session.html'), 'the URL was not sent');
    assert.ok(!sentText.includes('Session page deny'), 'the title was not sent');
    assert.ok(sentByCustomer.some((m) => m.data?.k === 'deny'), 'the customer said deny');
    // The agent side: its host delivered no mirror data, and its SW posted none to the viewer.
    const recvByAgent = (await agent.hostOutputMessages()).slice(outMark).filter((m) => m.type === 'recv');
    assert.ok(recvByAgent.some((m) => m.data?.k === 'deny'), 'the agent host delivered the deny');
    assert.deepEqual(recvByAgent.filter((m) => MIRROR_KINDS.includes(m.data?.k)), []);
    const toViewer = (await viewerLog.sent()).slice(viewerMark);
    assert.ok(toViewer.some((m) => m.k === 'state' && m.state?.phase === 'denied'), 'the viewer-port recorder saw the denied state (it works)');
    assert.deepEqual(toViewer.filter((m) => m.k === 'peer' && MIRROR_KINDS.includes(m.data?.k)), []);
    assert.equal(await inMirror(pair.viewer, (doc) => doc.body?.textContent ?? '', null).catch(() => ''), '', 'the viewer shows no mirror');
    assert.equal(await page.locator('cotab-indicator').count(), 0, 'no indicator: nothing is shared');
  });

  test('Stop in the popup ends the session on both sides', async () => {
    const page = await openCustomerPage('stop-popup');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    await page.locator('cotab-indicator').waitFor({ state: 'attached' });
    await pair.customerPopup.getByTestId('stop').click();
    await waitForPopupState(pair.customerPopup, 'customer:ended');
    await waitForViewerState(pair.viewer, 'ended');
    assert.ok((await testIdText(pair.viewer, 'ended-reason')).length > 0, 'the viewer says why it ended');
    await page.locator('cotab-indicator').waitFor({ state: 'detached' });
  });

  test("Stop in the page's indicator (a real click at its right end) ends the session on both sides", async () => {
    const page = await openCustomerPage('stop-indicator');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    const indicator = page.locator('cotab-indicator');
    await indicator.waitFor({ state: 'attached' });
    const box = await waitFor(() => indicator.boundingBox(), { message: 'the indicator has a box' });
    const viewport = /** @type {{width: number, height: number}} */ (page.viewportSize());
    assert.ok(box.y + box.height <= viewport.height + 1 && box.y > viewport.height / 2, `indicator at the bottom: ${JSON.stringify(box)}`);
    assert.ok(Math.abs(box.x + box.width / 2 - viewport.width / 2) <= 2, `indicator centred: ${JSON.stringify(box)}`);
    await page.mouse.click(box.x + box.width - 48, box.y + box.height / 2);
    await waitForPopupState(pair.customerPopup, 'customer:ended');
    await waitForViewerState(pair.viewer, 'ended');
    await indicator.waitFor({ state: 'detached' });
  });

  test('a click on the indicator outside its Stop button does not stop the session', async () => {
    const page = await openCustomerPage('indicator-miss');
    const pair = await connectPair({ customer, agent, customerPage: page });
    const indicator = page.locator('cotab-indicator');
    await indicator.waitFor({ state: 'attached' });
    const box = await waitFor(() => indicator.boundingBox(), { message: 'the indicator has a box' });
    await page.mouse.click(box.x + 8, box.y + box.height / 2);
    await page.evaluate(() => document.getElementById('title')?.setAttribute('data-after-click', '1'));
    await waitForMirrorEqual(page, pair.viewer, { what: 'after a click beside Stop' });
    await waitForPopupState(pair.customerPopup, 'customer:live', { timeout: 1000 });
  });
  test("the page's own script cannot stop the session through the indicator (synthetic clicks are ignored)", async () => {
    // threat: the shared page ending the customer's session behind their back (Stop counts only trusted clicks)
    const page = await openCustomerPage('indicator-synthetic');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await page.locator('cotab-indicator').waitFor({ state: 'attached' });
    await page.evaluate(() => {
      const host = /** @type {HTMLElement} */ (document.querySelector('cotab-indicator'));
      const r = host.getBoundingClientRect();
      const at = { bubbles: true, composed: true, cancelable: true, clientX: r.right - 48, clientY: r.top + r.height / 2 };
      for (const type of ['pointerdown', 'mousedown', 'pointerup', 'mouseup', 'click']) host.dispatchEvent(new MouseEvent(type, at));
      host.click();
      /** @type {HTMLElement | null} */ (document.elementFromPoint(at.clientX, at.clientY))?.click();
    });
    await page.evaluate(() => document.getElementById('title')?.setAttribute('data-after-synthetic-click', '1'));
    await waitForMirrorEqual(page, pair.viewer, { what: 'after synthetic clicks on Stop' });
    await waitForPopupState(pair.customerPopup, 'customer:live', { timeout: 1000 });
    await waitForViewerState(pair.viewer, 'live', { timeout: 1000 });
  });
});

describe('an agent-started session', () => {
  afterEach(resetBoth);

  test('agent-start → code in the viewer → customer "I have a code" → consent → live mirror', async () => {
    const page = await openCustomerPage('agent-started');
    const agentPopup = await openAgentPopup(agent);
    const viewerOpened = expectViewer(agent);
    await agentPopup.getByTestId('agent-start').click();
    const viewer = await viewerOpened;
    await waitForViewerState(viewer, 'code');
    const code = typedCode(await testIdText(viewer, 'viewer-code', { re: CODE_SHOWN }));

    const tabId = await tabIdOf(customer, page);
    const popup = await openPopup(customer, tabId);
    const consentWindow = expectConsentWindow(customer);
    await popup.getByTestId('have-code').click();
    await popup.getByTestId('code-input').fill(code.replace(/-/g, ' ')); // typed with spaces, as read aloud
    await popup.getByTestId('code-submit').click();
    // The consent may be shown in the new consent window or in the popup that is already open.
    const consent = await waitFor(async () => {
      for (const p of [await consentWindow.catch(() => null), popup]) {
        if (p && !p.isClosed() && (await p.locator('[data-testid=state][data-state="customer:consent"]').count())) return p;
      }
      return null;
    }, { message: 'a consent prompt (window or popup)' });
    const sas = await testIdText(consent, 'sas', { re: /\d/ });
    assert.equal(sas, await testIdText(viewer, 'viewer-sas', { re: /\d/ }));
    await consent.getByTestId('allow').click();
    await page.bringToFront();
    await waitForViewerState(viewer, 'live');
    await waitForMirrorEqual(page, viewer, { what: 'agent-started snapshot' });
    await page.evaluate(() => document.getElementById('list')?.append(Object.assign(document.createElement('li'), { textContent: 'later' })));
    await waitForMirrorEqual(page, viewer, { what: 'agent-started insert' });
  });
});

describe('the shared tab changes document', () => {
  afterEach(resetBoth);

  test('reload and same-tab navigation: the mirror resumes with the new page', async () => {
    const page = await openCustomerPage('reload');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { id: 'gone-after-reload', textContent: 'x' })));
    await waitForMirrorEqual(page, pair.viewer, { what: 'before reload' });
    const loadBefore = await page.locator('#load').textContent();
    await page.reload();
    assert.notEqual(await page.locator('#load').textContent(), loadBefore, 'a new document was served');
    await waitForMirrorEqual(page, pair.viewer, { what: 'after reload' });
    assert.equal(await inMirror(pair.viewer, (doc) => !!doc.getElementById('gone-after-reload'), null), false);
    await page.locator('cotab-indicator').waitFor({ state: 'attached' });
    await page.evaluate(() => document.getElementById('list')?.append(Object.assign(document.createElement('li'), { textContent: 'after reload' })));
    await waitForMirrorEqual(page, pair.viewer, { what: 'change after reload' });

    await page.goto(`${pages.origin}/navigated.html`);
    await waitForMirrorEqual(page, pair.viewer, { what: 'after navigation' });
    assert.equal(await inMirror(pair.viewer, (doc) => doc.getElementById('page2')?.textContent, null), 'NAVIGATED-PAGE-MARKER');
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { textContent: 'changed after navigation' })));
    await waitForMirrorEqual(page, pair.viewer, { what: 'change after navigation' });
    await waitForViewerState(pair.viewer, 'live');
  });
});

describe('the viewer reconnects', () => {
  afterEach(resetBoth);

  /**
   * Keeps the customer page changing (a counter and a growing list every 100 ms).
   * @param {import('playwright-core').Page} page
   */
  const startTicker = (page) =>
    page.evaluate(() => {
      const w = /** @type {Window & {cotabTicks?: number, cotabTicker?: number}} */ (window);
      w.cotabTicks = 0;
      w.cotabTicker = window.setInterval(() => {
        const n = (w.cotabTicks = (w.cotabTicks ?? 0) + 1);
        /** @type {HTMLElement} */ (document.getElementById('counter')).textContent = String(n);
        const li = document.createElement('li');
        li.textContent = `tick ${n}`;
        document.getElementById('ticks')?.append(li);
        if (n > 30) document.getElementById('ticks')?.firstElementChild?.remove();
      }, 100);
    });
  /** @param {import('playwright-core').Page} page */
  const stopTicker = (page) => page.evaluate(() => clearInterval(/** @type {Window & {cotabTicker?: number}} */ (window).cotabTicker));
  /** @param {import('playwright-core').Page} page */
  const pageCount = async (page) => Number(await page.locator('#counter').textContent());
  /** @param {import('playwright-core').Page} viewer */
  const mirrorCount = (viewer) => inMirror(viewer, (doc) => Number(doc.getElementById('counter')?.textContent ?? -1), null).catch(() => -1);

  /**
   * After the viewer came back: it shows the current page and keeps following it.
   * @param {import('playwright-core').Page} page
   * @param {import('playwright-core').Page} viewer
   * @param {number} countAtReconnect
   */
  async function expectCurrentAndFollowing(page, viewer, countAtReconnect) {
    const first = await waitFor(async () => {
      const n = await mirrorCount(viewer);
      return n >= countAtReconnect ? n : null;
    }, { message: `the reconnected mirror shows the counter at ≥ ${countAtReconnect}` });
    await waitFor(async () => (await mirrorCount(viewer)) > first + 3, { message: `the mirror keeps updating past ${first}` });
    await stopTicker(page);
    await waitForMirrorEqual(page, viewer, { what: 'after the ticker stopped' });
  }

  test('reloading the viewer while the page keeps changing: it gets the current page and keeps updating', async () => {
    const page = await openCustomerPage('viewer-reload');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    await startTicker(page);
    await waitFor(async () => (await mirrorCount(pair.viewer)) > 3, { message: 'the mirror follows the ticker' });
    await pair.viewer.reload();
    await expectCurrentAndFollowing(page, pair.viewer, await pageCount(page));
  });

  test('closing the viewer and opening viewer.html again: it gets the current page and keeps updating', async () => {
    const page = await openCustomerPage('viewer-reopen');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    await startTicker(page);
    await waitFor(async () => (await mirrorCount(pair.viewer)) > 3, { message: 'the mirror follows the ticker' });
    await pair.viewer.close();
    const count = await pageCount(page);
    const viewer = await agent.context.newPage();
    await viewer.goto(`${agent.origin}/viewer/viewer.html`);
    await expectCurrentAndFollowing(page, viewer, count);
    await waitForViewerState(viewer, 'live');
  });
});

describe('session codes', () => {
  afterEach(resetBoth);

  test("a wrong code: the agent sees a clear error and the customer's code is burned", async () => {
    // threat: an online guesser trying codes against a customer's nameplate
    const page = await openCustomerPage('wrong-code');
    const tabId = await tabIdOf(customer, page);
    const popup = await openPopup(customer, tabId);
    await popup.getByTestId('share').click();
    await waitForPopupState(popup, 'customer:code');
    const code = typedCode(await testIdText(popup, 'code', { re: CODE_SHOWN }));
    const wrong = code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));
    const outMark = (await customer.hostOutputMessages()).length;

    /**
     * The agent joins with `typed`; waits until its session ended with `error` (the SW's public
     * state) and the viewer shows it; returns the reason the viewer shows.
     * (A viewer that has not got its first state yet also says "ended", hence the error first.)
     * @param {string} typed
     * @param {string} error
     */
    const agentJoins = async (typed, error) => {
      const agentPopup = await openAgentPopup(agent);
      const viewerOpened = expectViewer(agent, { timeout: 20_000 });
      await agentPopup.getByTestId('join-code').fill(typed);
      await agentPopup.getByTestId('join-submit').click();
      const viewer = await viewerOpened;
      /** @type {any} */
      let state;
      await waitFor(
        async () => {
          state = (await sendCommand(agent, { cmd: 'state' }))?.state;
          return state?.mode === 'agent' && state.phase === 'ended' && state.error === error;
        },
        { message: () => `agent state ended with ${error}: ${JSON.stringify(state)}` },
      );
      await waitForViewerState(viewer, 'ended');
      return testIdText(viewer, 'ended-reason', { re: /code/i });
    };
    const first = await agentJoins(wrong, 'bad-code');
    assert.match(first, /code/i, `a clear error: "${first}"`);
    await waitFor(
      async () => (await customer.hostOutputMessages()).slice(outMark).some((m) => (m.type === 'error' && m.code === 'bad-code') || (m.type === 'ended' && m.reason === 'bad-code')),
      { message: async () => `the customer's host reports bad-code: ${JSON.stringify((await customer.hostOutputMessages()).slice(outMark))}` },
    );
    await waitForPopupState(popup, 'customer:ended');
    assert.equal(customer.context.pages().some((p) => p.url().includes('popup.html?tab=') && p !== popup), false, 'no consent window opened');

    await resetSession(agent);
    // The right code no longer works: the failed exchange burned the nameplate at the relay.
    const second = await agentJoins(code, 'nameplate-unknown');
    assert.match(second, /code/i, `a clear error: "${second}"`);
    assert.ok((await agent.hostOutputMessages()).some((m) => m.type === 'error' && m.code === 'nameplate-unknown'));
  });
});

describe('only the shared tab', () => {
  afterEach(resetBoth);

  test('a second tab of the customer never gets the content script and its text never reaches the host', async () => {
    // threat: another tab's content leaking through a session that shares one tab
    const other = await customer.context.newPage();
    await other.goto(`${pages.origin}/second.html`);
    const otherTabId = await tabIdOf(customer, other);
    const page = await openCustomerPage('only-this-tab');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    await other.bringToFront();
    await other.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { textContent: 'SECOND-TAB-LATER-91c2' })));
    await other.reload();
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { textContent: 'barrier' })));
    await waitForMirrorEqual(page, pair.viewer, { what: 'barrier' });

    assert.equal(await other.locator('cotab-indicator').count(), 0, 'no indicator in the other tab');
    const connections = await contentLog.connections();
    assert.ok(connections.some((c) => c.tabId === pair.tabId), 'the shared tab connected (the recorder works)');
    assert.deepEqual(connections.filter((c) => c.tabId === otherTabId), [], 'the other tab never opened a content port');
    const injected = await customer.worker.evaluate(
      async (tabId) => (await chrome.scripting.executeScript({ target: { tabId }, func: () => document.querySelector('cotab-indicator') !== null }))[0]?.result,
      otherTabId,
    );
    assert.equal(injected, false);
    const input = (await customer.hostInput()).toString('utf8');
    assert.ok(input.includes('barrier'), 'the shared tab reaches what the host received (the check can fail)');
    assert.ok(!input.includes('SECOND-TAB-MARKER-7f3a'), "the other tab's text is not in what the host received");
    assert.ok(!input.includes('SECOND-TAB-LATER-91c2'));
    assert.equal(await contentLog.includes('SECOND-TAB'), false);
    assert.equal(proxy.bytes().includes('SECOND-TAB'), false);
  });
});

describe('without the data channel', () => {
  /** An agent whose host has the administrator's switch off (COTAB_DATA_CHANNEL=off, through Chromium's environment). @type {import('./harness.mjs').CotabBrowser} */
  let agentOff;
  before(async () => {
    agentOff = await launchBrowser({ name: 'agent-no-channel', relayUrl: proxy.url, recordHostOutput: true, env: { COTAB_DATA_CHANNEL: 'off' } });
    // The customer's extension setting off (read with the share command).
    await customer.setSettings({ dataChannel: false });
  });
  after(async () => {
    await Promise.all([resetSession(customer), agentOff && resetSession(agentOff)]);
    await customer.setSettings({ dataChannel: true });
    await agentOff?.close();
  });

  test("the customer's setting off and the agent host's switch off: the session works over native messaging", async () => {
    const customerBefore = await channelStatus(customer);
    const inMark = (await customer.hostInputMessages()).length;
    const page = await openCustomerPage('no-channel');
    const pair = await connectPair({ customer, agent: agentOff, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot without the data channel' });
    await page.evaluate(() => document.body.append(Object.assign(document.createElement('p'), { id: 'native-only', textContent: 'NATIVE-ONLY-MARKER-8e21' })));
    await waitForMirrorEqual(page, pair.viewer, { what: 'a change without the data channel' });

    // The setting: the customer's worker never asked for a channel (its state is what it was).
    const c = await channelStatus(customer);
    assert.deepEqual(
      { state: c.state, requests: c.requests, sent: c.sent, received: c.received },
      { state: customerBefore.state, requests: customerBefore.requests, sent: customerBefore.sent, received: customerBefore.received },
      `the customer did not use a data channel: ${JSON.stringify(c)}`,
    );
    assert.notEqual(c.state, 'up');
    const input = (await customer.hostInputMessages()).slice(inMark);
    assert.ok(!input.some((m) => m.type === 'channel' || m.type === 'channel-up'), "the customer's host was not asked for a channel");
    assert.ok(
      input.some((m) => m.type === 'send' && JSON.stringify(m.data).includes('NATIVE-ONLY-MARKER-8e21')),
      "the change reached the customer's host on native messaging",
    );
    // The switch: the agent's worker asked, its host refused, and the session went on natively.
    const a = await channelStatus(agentOff);
    assert.equal(a.state, 'refused', JSON.stringify(a));
    assert.deepEqual({ requests: a.requests, refused: a.refused, ups: a.ups, received: a.received }, { requests: 1, refused: 1, ups: 0, received: 0 }, JSON.stringify(a));
    const output = await agentOff.hostOutputMessages();
    assert.ok(output.some((m) => m.type === 'error' && m.code === 'channel-refused'), "the agent's host answered channel-refused");
    assert.ok(!output.some((m) => m.type === 'channel' || m.type === 'channel-up'), "the agent's host offered no channel");
    assert.ok(output.some((m) => m.type === 'recv' && JSON.stringify(m.data).includes('NATIVE-ONLY-MARKER-8e21')), "the change came from the agent's host natively");
  });
});

describe('the service worker is terminated', () => {
  afterEach(resetBoth);

  // threat: a stuck half-session after the browser stops the customer's worker (the native port,
  // and with it the host and the session, die with the worker) — the tab must not stay marked as
  // shared, and the agent must not keep a mirror that silently stops updating.
  test("a live session ends cleanly on both sides and the restarted worker says why", async () => {
    const page = await openCustomerPage('worker-restart');
    const pair = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, pair.viewer, { what: 'snapshot' });
    await page.locator('cotab-indicator').waitFor({ state: 'attached' });

    const cdp = await customer.context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.stopAllWorkers');
    await cdp.detach();

    // The agent's host sees the customer's host go (EOF → end record, or the connection drops).
    await waitForViewerState(pair.viewer, 'ended');
    assert.ok((await testIdText(pair.viewer, 'ended-reason')).length > 0, 'the viewer says why it ended');
    // Any extension page wakes the worker; it reads the stored state and ends the session.
    const popup = await openPopup(customer, pair.tabId);
    await waitForPopupState(popup, 'customer:ended');
    const reply = await sendCommand(customer, { cmd: 'state' });
    assert.equal(reply?.state?.reason, 'extension-restarted');
    await page.locator('cotab-indicator').waitFor({ state: 'detached' });
    // And the customer can share again at once.
    const again = await connectPair({ customer, agent, customerPage: page });
    await waitForMirrorEqual(page, again.viewer, { what: 'snapshot after sharing again' });
    // The stopped worker's data channel recording went with it (the restarted one is tapped
    // anew): reading what the host received now fails rather than miss that channel's messages.
    await assert.rejects(customer.hostInput(), /the recording misses its messages|stopped while a data channel was open/);
  });
});
