// The main job: a local Cotab session end to end. A TLS relay on 127.0.0.1 (test certificate), a
// local demo shop page, a customer browser and an agent browser — both Debian's Chromium with the
// real unpacked extension, each starting its own cotab-host. Walks share → join → allow → live
// mirror, makes a few changes on the customer's page, then the agent's assistance: a highlight,
// a capability asked and allowed, typing into the customer's form, and a click on "Place order"
// that the customer's firewall refuses. Leaves screenshots of both sides.
// Headed when a display exists ($DISPLAY), headless otherwise. Run through tools/demo.
//
// Usage: node tools/demo.mjs [--headless] [--keep-open] [--out DIR]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  ROOT, RELAY_BIN, connectPair, grantCapability, launchBrowser, mirrorPoint, normalizedDigest, showInMirror, testIdText,
  waitFor, waitForMirrorEqual, waitForPopupState, waitForViewerState,
} from '../tests/e2e/harness.mjs';
import { startPageServer } from '../tests/pages/server.mjs';

const args = process.argv.slice(2);
const headless = args.includes('--headless') || !process.env.DISPLAY;
const keepOpen = args.includes('--keep-open') || (!headless && !args.includes('--exit'));
const outIndex = args.indexOf('--out');
const outDir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(ROOT, 'build', 'demo'));
const tls = path.join(ROOT, 'tests', 'data', 'tls');

/** @param {string} what */
const step = (what) => console.log(`\n▸ ${what}`);

/** Starts cotab-relay with TLS (the TEST ONLY certificate for 127.0.0.1). */
async function startTlsRelay() {
  const child = spawn(RELAY_BIN, ['--listen', '127.0.0.1:0', '--tls-cert', `${tls}/relay.pem`, '--tls-key', `${tls}/relay.key`],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const audit = /** @type {string[]} */ ([]);
  child.stderr.setEncoding('utf8').on('data', (s) => audit.push(...String(s).split('\n').filter(Boolean)));
  const address = await new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').once('data', (d) => {
      const m = /listening (\S+)/.exec(String(d));
      m ? resolve(m[1]) : reject(new Error(`relay said: ${d}`));
    });
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}: ${audit.join('\n')}`)));
  });
  return { url: `wss://${address}/v1`, audit, close: () => { child.kill('SIGTERM'); } };
}

const cleanups = /** @type {Array<() => unknown>} */ ([]);
async function cleanup() {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => {});
}
process.on('SIGINT', () => { cleanup().finally(() => process.exit(130)); });

try {
  mkdirSync(outDir, { recursive: true });
  step('starting a relay (TLS, TEST ONLY certificate) and the demo page server');
  const relay = await startTlsRelay();
  cleanups.push(relay.close);
  const pages = await startPageServer();
  cleanups.push(() => pages.close());
  console.log(`  relay ${relay.url}\n  demo page ${pages.url}/demo`);

  step(`launching the customer's and the agent's Chromium (${headless ? 'headless' : 'headed'})`);
  const env = { COTAB_RELAY_CA_FILE: `${tls}/ca.pem` };
  const viewport = { width: 1280, height: 800 };
  const customer = await launchBrowser({ name: 'customer', relayUrl: relay.url, env, headless, viewport });
  cleanups.push(customer.close);
  const agent = await launchBrowser({ name: 'agent', relayUrl: relay.url, env, headless, viewport: { width: 1440, height: 900 } });
  cleanups.push(agent.close);
  const shop = await customer.context.newPage();
  await shop.goto(`${pages.url}/demo`);

  step('customer: "Share this tab" → a code to read to the agent; agent: "Join a session" → code');
  const pair = await connectPair({ customer, agent, customerPage: shop, decision: 'none' });
  console.log(`  code ${pair.code}   both sides show the SAS ${pair.sas}`);
  await pair.consent.screenshot({ path: path.join(outDir, 'customer-consent.png') });
  step('customer: "Allow"');
  await pair.consent.getByTestId('allow').click();
  await waitForViewerState(pair.viewer, 'live');
  await waitForMirrorEqual(shop, pair.viewer, { digest: true, what: 'the mirror after the snapshot' });
  console.log('  the agent sees the tab; its mirror equals the customer\'s DOM');

  step('customer fills in the form (the card number is masked before it leaves the tab) and scrolls');
  await shop.bringToFront();
  const fill = async (/** @type {string} */ sel, /** @type {string} */ text) => {
    const field = shop.locator(sel).first();
    if (await field.count()) await field.pressSequentially(text, { delay: 15 });
  };
  await fill('input[autocomplete~="name"], input[name*="name" i]', 'Ada Lovelace');
  await fill('input[autocomplete~="street-address"], input[autocomplete~="address-line1"], input[name*="address" i]', '12 St James\'s Square');
  await fill('input[autocomplete~="cc-number"]', '4111 1111 1111 1111');
  await shop.mouse.move(640, 420, { steps: 8 });
  await shop.mouse.wheel(0, 500);
  await waitForMirrorEqual(shop, pair.viewer, { digest: true, what: 'the mirror after typing and scrolling' });
  const latency = await testIdText(pair.viewer, 'latency', { re: /\d/ }).catch(() => 'n/a');
  console.log(`  mirror in step; round trip shown in the viewer: ${latency}`);
  const digest = await normalizedDigest(shop, 'document');
  console.log(`  normalized DOM digest (customer = agent): ${digest.slice(0, 16)}…`);

  const viewer = pair.viewer;
  step('agent: highlights "Place order" on the customer\'s page (pointing comes with the join)');
  await showInMirror(shop, viewer, 'button.place');
  await viewer.getByTestId('tool-mark').click();
  const place = await mirrorPoint(viewer, 'button.place');
  await viewer.mouse.click(place.x, place.y);

  step('agent: asks to type; the customer sees the request in the consent window and allows it');
  await viewer.getByTestId('ask-type').click();
  await pair.consent.getByTestId('ask').waitFor({ state: 'visible' });
  await pair.consent.screenshot({ path: path.join(outDir, 'customer-ask.png') });
  await new Promise((r) => setTimeout(r, 800)); // Allow is armed 600 ms after a request appears
  await pair.consent.getByTestId('ask-allow').click();
  await viewer.locator('[data-testid=cap-type][data-state=granted]').waitFor();
  await shop.bringToFront();

  step('agent: types the delivery note into the customer\'s form');
  const note = 'Please leave the parcel with the neighbours at number 14.';
  await showInMirror(shop, viewer, '#notes');
  await viewer.getByTestId('tool-type').click();
  const notes = await mirrorPoint(viewer, '#notes');
  await viewer.mouse.click(notes.x, notes.y);
  await viewer.getByTestId('type-target').waitFor({ state: 'visible' });
  await viewer.keyboard.type(note, { delay: 10 });
  await waitFor(async () => (await shop.locator('#notes').inputValue()) === note, { message: 'the note on the customer\'s page' });
  console.log(`  the customer's field now reads: "${await shop.locator('#notes').inputValue()}"`);

  step('agent: tries to click "Place order" — refused in the customer\'s tab, whatever was granted');
  await grantCapability({ viewer, consent: pair.consent, page: shop, cap: 'click' });
  await showInMirror(shop, viewer, 'button.place');
  await viewer.getByTestId('tool-click').click();
  const again = await mirrorPoint(viewer, 'button.place');
  await viewer.mouse.click(again.x, again.y);
  const toast = viewer.locator('[data-testid=toast][data-why=finalizing]');
  await toast.waitFor({ state: 'visible' });
  console.log(`  the agent sees: "${(await toast.textContent())?.trim()}"`);

  await shop.screenshot({ path: path.join(outDir, 'customer.png') });
  await viewer.bringToFront();
  await viewer.screenshot({ path: path.join(outDir, 'agent.png') });
  console.log(`  screenshots: ${path.relative(process.cwd(), outDir)}/{customer,agent,customer-consent,customer-ask}.png`);

  if (keepOpen) {
    step('the session is live: try it in the two windows. Ctrl-C ends the demo.');
    await new Promise(() => {});
  }

  step('customer: "Stop sharing" → both sides end');
  await pair.customerPopup.bringToFront();
  await pair.customerPopup.reload();
  await pair.customerPopup.getByTestId('stop').click();
  await waitForPopupState(pair.customerPopup, ['customer:ended', 'customer:idle']);
  await waitForViewerState(pair.viewer, 'ended');
  const reason = await testIdText(pair.viewer, 'ended-reason').catch(() => '');
  console.log(`  agent's viewer: ended${reason ? ` (${reason})` : ''}`);
  await pair.viewer.screenshot({ path: path.join(outDir, 'agent-ended.png') });
  await waitFor(() => relay.audit.some((l) => l.includes('"end"') || l.includes('session')), { timeout: 5000 }).catch(() => {});
  console.log(`\nrelay audit log (metadata only):\n${relay.audit.map((l) => `  ${l}`).join('\n')}`);
  console.log('\ndemo finished.');
} catch (e) {
  console.error('\ndemo failed:', e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
