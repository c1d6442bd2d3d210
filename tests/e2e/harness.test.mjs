// The e2e harness itself, against the real parts: the unpacked extension loads with its fixed
// ID, its service worker reaches the real cotab-host through the per-profile manifest (and the
// recording wrapper sees exactly what the host read and wrote), and the relay answers through the
// recording proxy.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { EXTENSION_DIR, extensionIdOf, launchBrowser, startRecordingProxy, startRelay } from './harness.mjs';

/** @type {import('./harness.mjs').Relay} */
let relay;
/** @type {import('./harness.mjs').RecordingProxy} */
let proxy;

before(async () => {
  relay = await startRelay();
  proxy = await startRecordingProxy(relay.port);
});
after(async () => {
  await proxy?.close();
  await relay?.close();
});

test('the relay answers an allocate through the recording proxy, which records both directions (client frames unmasked)', async () => {
  const ws = new WebSocket(proxy.url);
  try {
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'allocate', version: 1 }));
    /** @type {any} */
    const reply = await new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
    assert.equal(reply.type, 'allocated');
    assert.match(reply.nameplate, /^\d{4}$/);
    assert.ok(!proxy.bytes().includes('"allocate"'), 'a client frame is masked on the wire');
    assert.ok(proxy.payloads().includes('"allocate"'), 'client → relay payload recorded, unmasked');
    assert.ok(proxy.carried(`"nameplate":"${reply.nameplate}"`), 'relay → client recorded');
    assert.ok(proxy.bytes().includes('Upgrade: websocket') || proxy.bytes().includes('upgrade: websocket'), 'raw bytes recorded');
  } finally {
    ws.close();
  }
});

test('the extension loads with its fixed ID and its worker gets hello from the real host; the wrapper records host input and output', async (t) => {
  const browser = await launchBrowser({ name: 'harness', relayUrl: proxy.url, recordHostInput: true, recordHostOutput: true });
  t.after(() => browser.close());
  assert.equal(browser.extensionId, extensionIdOf(EXTENSION_DIR));
  assert.equal(browser.extensionId, 'mnknokapbblehlbilofanegdjpgoobcc');
  const settings = /** @type {{relay?: string}} */ (await browser.worker.evaluate(async () => (await chrome.storage.local.get('settings')).settings));
  assert.equal(settings.relay, proxy.url);

  const reply = await browser.worker.evaluate(
    () =>
      new Promise((resolve) => {
        const port = chrome.runtime.connectNative('io.cotab.host');
        port.onMessage.addListener((m) => {
          resolve(m);
          port.disconnect();
        });
        port.onDisconnect.addListener(() => resolve({ disconnected: chrome.runtime.lastError?.message ?? '' }));
        port.postMessage({ type: 'hello', id: 424242 });
      }),
  );
  assert.equal(/** @type {any} */ (reply).type, 'hello', JSON.stringify(reply));
  assert.equal(/** @type {any} */ (reply).id, 424242);
  assert.ok((await browser.hostInputMessages()).some((m) => m.type === 'hello' && m.id === 424242), 'host input recorded');
  assert.ok((await browser.hostOutputMessages()).some((m) => m.type === 'hello' && m.id === 424242), 'host output recorded');
});
