// Where the viewer's time goes when it builds a big snapshot: the Recorder snapshots a generated
// page (default 100k elements) in one Chromium page, then a second page feeds every message to
// the extension's Mirror at once and prints when the mirror was built and when its first frame was
// drawn, with either
// - the DevTools CPU profiler (default): the JavaScript functions with the most self time (the
//   engine's own work outside JavaScript is one line, "(program)"), or
// - with --trace, a performance trace: the renderer main thread's self time by trace event
//   (style, layout, image decoding, parsing, …), which is what splits "(program)" up.
// Not a benchmark (no peer, one run): a profiling aid for the time-to-first-mirror work (README,
// "First mirror").
//
// Usage: node tools/bench/mirror/profile-mirror.mjs [--page big-10k|big-50k|big-100k] [--top N] [--trace]
import { build } from 'esbuild';

import { call, launchPlainBrowser, loadScripts, newPage } from './browsers.mjs';
import { benchPages, pageAssets } from './pages.mjs';
import { startServer } from './server.mjs';

const args = process.argv.slice(2);
const pageName = args.includes('--page') ? args[args.indexOf('--page') + 1] : 'big-100k';
const top = args.includes('--top') ? Number(args[args.indexOf('--top') + 1]) : 25;
const traced = args.includes('--trace');
/** The trace's categories: the renderer's tasks, style, layout, paint, loading, V8. */
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'blink', 'loading'];
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
  if (traced) {
    await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: TRACE_CATEGORIES } });
  } else {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: SAMPLING_US });
    await cdp.send('Profiler.start');
  }
  const built = await viewer.evaluate(
    () =>
      new Promise((resolve) => {
        const Mirror = /** @type {typeof import('../../../extension/viewer/mirror.js').Mirror} */ (Reflect.get(globalThis, '__cotabMirror'));
        const texts = /** @type {string[]} */ (Reflect.get(globalThis, '__cotabTexts'));
        const t0 = performance.now();
        const m = new Mirror({
          host: document.body,
          onState: (s) => {
            if (s.phase !== 'live') return;
            const built = performance.now() - t0;
            // shown: the task after the first frame that has the mirror
            requestAnimationFrame(() =>
              setTimeout(() => resolve(`${built.toFixed(0)} ms, its first frame drawn at ${(performance.now() - t0).toFixed(0)} ms`), 0),
            );
          },
          onDesync: (why) => resolve(`desync: ${why}`),
        });
        for (const t of texts) m.handle(JSON.parse(t));
      }),
  );
  console.log(`${pageName}: ${snap.json.length} messages; the Mirror built the snapshot in ${built}`);
  if (traced) printTrace(await readTrace(cdp), top);
  else printProfile((await cdp.send('Profiler.stop')).profile, top);
} finally {
  await browser.close();
  await server.close();
}

/**
 * @param {{nodes: {id: number, callFrame: {functionName: string, url: string, lineNumber: number}}[], samples?: number[], timeDeltas?: number[]}} profile  a DevTools Profiler.Profile
 * @param {number} top
 */
function printProfile(profile, top) {
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
  console.log(`self time (sampled every ${SAMPLING_US} µs; "(program)" is the engine outside JavaScript: style, layout, loading; --trace splits it):`);
  for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${key}`);
}

/**
 * @typedef {{name: string, ph: string, pid: number, tid: number, ts: number, dur?: number, args?: {name?: string}}} TraceEvent
 */

/**
 * Ends the trace and reads it back.
 * @param {import('playwright-core').CDPSession} cdp
 * @returns {Promise<TraceEvent[]>}
 */
async function readTrace(cdp) {
  /** @type {Promise<{stream?: string}>} */
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  if (!stream) throw new Error('the trace came without a stream');
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  /** @type {unknown} */
  const parsed = JSON.parse(text);
  const events = Array.isArray(parsed) ? parsed : Reflect.get(Object(parsed), 'traceEvents');
  return Array.isArray(events) ? events : [];
}

/**
 * Self time (an event's duration minus its children's) of the complete events on the renderer
 * main threads, by name.
 * @param {TraceEvent[]} events
 * @param {number} top
 */
function printTrace(events, top) {
  /** @type {Set<string>} pid:tid of the renderer main threads */
  const mains = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  /** @type {Map<string, TraceEvent[]>} */
  const byThread = new Map();
  for (const e of events) {
    const key = `${e.pid}:${e.tid}`;
    if (e.ph !== 'X' || typeof e.dur !== 'number' || !mains.has(key)) continue;
    const list = byThread.get(key) ?? [];
    list.push(e);
    byThread.set(key, list);
  }
  /** @type {Map<string, number>} */
  const self = new Map();
  for (const list of byThread.values()) {
    list.sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
    /** @type {{end: number, name: string, self: number}[]} */
    const stack = [];
    const close = () => {
      const done = stack.pop();
      if (done) self.set(done.name, (self.get(done.name) ?? 0) + done.self);
    };
    for (const e of list) {
      const dur = e.dur ?? 0;
      while (stack.length > 0 && stack[stack.length - 1].end <= e.ts) close();
      const parent = stack[stack.length - 1];
      if (parent) parent.self -= dur;
      stack.push({ end: e.ts + dur, name: e.name, self: dur });
    }
    while (stack.length > 0) close();
  }
  console.log('renderer main thread, self time by trace event:');
  for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)} ms  ${name}`);
}
