// The extension's own viewer page (viewer/viewer.html, agent side): only the latency probe
// watcher, on the mirror iframe the viewer shows (sandbox="allow-same-origin", so the viewer
// page's own JS can read its document). Put into the page through the DevTools protocol, since
// the extension page's CSP refuses inline scripts.
import { ProbeWatcher } from './probe.mjs';
import { register } from './registry.mjs';

/** @returns {Document | null} */
function mirrorDocument() {
  const frame = document.querySelector('iframe[data-testid=mirror]');
  return frame instanceof HTMLIFrameElement ? frame.contentDocument : null;
}

const watcher = new ProbeWatcher(mirrorDocument);

register({
  /** @param {number} timeoutMs */
  probeReady: (timeoutMs) => watcher.ready(timeoutMs),
  /** @param {{seq: number, timeoutMs: number}} arg */
  probeSeen: ({ seq, timeoutMs }) => watcher.when(seq, timeoutMs),
});
