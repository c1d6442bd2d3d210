// Benchmark only: echoes what an extension page sends, on a runtime port and on a MessagePort
// the page hands over with navigator.serviceWorker (tools/bench/mirror/worker-page.mjs).
chrome.runtime.onConnect.addListener((port) => port.onMessage.addListener((m) => port.postMessage(m)));
self.addEventListener('message', (event) => {
  const lane = event.ports[0];
  if (lane) lane.onmessage = (e) => lane.postMessage(e.data);
});
