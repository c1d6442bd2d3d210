// Where the viewer's time goes when it builds a big snapshot: the Recorder snapshots a generated
// page (default 100k elements) in one Chromium page, then a second page feeds every message to
// the extension's Mirror at once, under the DevTools CPU profiler, and prints the build time and
// the functions with the most self time. Not a benchmark (no peer, one run): a profiling aid for
// the time-to-first-mirror work (README, "First mirror").
//
// Usage: node tools/bench/mirror/profile-mirror.mjs [--page big-10k|big-50k|big-100k] [--top N]
import { build } from 'esbuild';

import { call, launchPlainBrowser, loadScripts, newPage } from './browsers.mjs';
import { benchPages, pageAssets } from './pages.mjs';
import { startServer } from './server.mjs';

const args = process.argv.slice(2);
const pageName = args.includes('--page') ? args[args.indexOf('--page') + 1] : 'big-100k';
const top = args.includes('--top') ? Number(args[args.indexOf('--top') + 1]) : 25;
/** Profiler sampling interval, µs. */
const SAMPLING_US = 200;

const server = await startServer({ assets: pageAssets });
const browser = await launchPlainBrowser();
try {
  const spec = benchPages().find((p) => p.name === pageName);
  if (!spec) throw new Error(`no bench page ${pageName} (${benchPages().map((p) => p.name).join(', ')})`);
  const url = server.addPage(spec.name, spec.html());

  const customer = await newPage(browser);
  await customer.goto(url, { waitUntil: 'load' });
  await loadScripts(customer, ['cotabCustomer']);
  const snap = /** @type {{json: string[]}} */ (await call(customer, 'cotabSnapshot', { keep: true, heartbeat: false }));
  await customer.close();

  const bundled = await build({
    stdin: { contents: `import { Mirror } from './extension/viewer/mirror.js'; globalThis.__cotabMirror = Mirror;`, resolveDir: process.cwd() },
    bundle: true,
    write: false,
    format: 'iife',
    logLevel: 'warning',
  });
  const viewer = await newPage(browser);
  await viewer.goto(new URL('/blank', url).href);
  await viewer.addScriptTag({ content: bundled.outputFiles[0].text });
  await viewer.evaluate((texts) => Reflect.set(globalThis, '__cotabTexts', texts), snap.json);

  const cdp = await viewer.context().newCDPSession(viewer);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  await cdp.send('Profiler.start');
  const built = await viewer.evaluate(
    () =>
      new Promise((resolve) => {
        const Mirror = /** @type {typeof import('../../../extension/viewer/mirror.js').Mirror} */ (Reflect.get(globalThis, '__cotabMirror'));
        const texts = /** @type {string[]} */ (Reflect.get(globalThis, '__cotabTexts'));
        const t0 = performance.now();
        const m = new Mirror({
          host: document.body,
          onState: (s) => {
            if (s.phase === 'live') resolve(`${(performance.now() - t0).toFixed(0)} ms`);
          },
          onDesync: (why) => resolve(`desync: ${why}`),
        });
        for (const t of texts) m.handle(JSON.parse(t));
      }),
  );
  const { profile } = await cdp.send('Profiler.stop');

  /** @type {Map<string, number>} */
  const self = new Map();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas ?? [];
  (profile.samples ?? []).forEach((id, i) => {
    const f = nodes.get(id)?.callFrame;
    if (!f) return;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}${f.lineNumber >= 0 ? `:${f.lineNumber + 1}` : ''}`;
    self.set(key, (self.get(key) ?? 0) + (deltas[i] ?? 0));
  });
  console.log(`${pageName}: ${snap.json.length} messages; the Mirror built the snapshot in ${built}`);
  console.log(`self time (sampled every ${SAMPLING_US} µs; "(program)" is the engine outside JavaScript: style, layout, loading):`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${key}`);
} finally {
  await browser.close();
  await server.close();
}
