// Customer page for the extension's own path: only the latency probe (the page's main world; the
// extension's content script sees the changes through the DOM like any other).
import { installProbe, setProbe } from './probe.mjs';
import { register } from './registry.mjs';

register({
  installProbe: () => installProbe(document),
  setProbe: (/** @type {number} */ seq) => setProbe(document, seq),
});
