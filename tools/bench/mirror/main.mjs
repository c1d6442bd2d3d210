// bench-mirror: Cotab's mirror against rrweb on the same pages in the same run. Prints a table of
// figures with ratios beside their targets. Not a test: it asserts nothing timed.
//   1. glass-to-glass latency on the 10k-element page: Cotab through the real extension, hosts and
//      relay (cotab-live.mjs) against rrweb's live mode over a WebSocket relay (latency.mjs);
//   2. snapshot cost on the generated 10k / 50k / 100k pages, the long table and the heavy-CSS
//      page: wall time, longest main-thread task, bytes (snapshot.mjs, compress.mjs);
//   3. time to first mirror on the same pages (snapshot.mjs).
// With the latency section: Chrome's native messaging alone (native-messaging.mjs), a floor
// under Cotab's glass-to-glass, paced like the Cotab changes and sized like their messages.
// Usage: node tools/bench/mirror/main.mjs [--quick] [--json] [--only latency,snapshot,first]
// (tools/bench-mirror sets up and builds first.)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchPlainBrowser } from './browsers.mjs';
import { cotabSourcesPresent, repoRoot } from './bundles.mjs';
import { HOST_ZSTD_LEVEL, HOST_ZSTD_WINDOW_LOG } from './compress.mjs';
import { CHANGES_PER_TURN, measureLatency, rrwebRig } from './latency.mjs';
import { LATENCY_PAGE_ELEMENTS, benchPages, pageAssets } from './pages.mjs';
import { formatBytes, formatMs, formatRatio, renderTable } from './report.mjs';
import { startServer } from './server.mjs';
import { firstMirrorTime, snapshotCost } from './snapshot.mjs';
import { median, summarize } from './stats.mjs';

const USAGE = 'usage: tools/bench-mirror [--quick] [--json] [--only latency,snapshot,first]';

/** @typedef {'latency' | 'snapshot' | 'first'} Section */
const SECTIONS = /** @type {const} */ (['latency', 'snapshot', 'first']);

/**
 * @typedef {import('./latency.mjs').LatencyResult & {summary: ReturnType<typeof summarize>, segments?: Record<string, number[]>}} LatencyFigures
 * @typedef {import('./snapshot.mjs').Impl} Impl
 * @typedef {import('./native-messaging.mjs').NativeMessagingFigures & {cotabChars: {toHost: number, toWorker: number} | null}} NativeMessagingFigures
 *   cotabChars: median JSON sizes of the native messages that carried a Cotab change (null: not measured)
 * @typedef {object} Results
 * @property {Record<string, LatencyFigures>} latency by rig: rrweb-arrival, rrweb-default, cotab
 * @property {number} [cotabConnectMs] pairing through the extension's UI until the viewer was live
 * @property {NativeMessagingFigures} [nativeMessaging] Chrome's native messaging alone
 * @property {Record<string, Partial<Record<Impl, import('./snapshot.mjs').SnapshotFigures>>>} snapshot by page
 * @property {Record<string, Partial<Record<Impl, import('./snapshot.mjs').FirstMirrorFigures>>>} firstMirror by page
 */

/** How many runs each figure gets. */
const PLANS = Object.freeze({
  full: { changes: 1000, warmupChanges: 50, snapshotRuns: 7, firstMirrorRuns: 5 },
  quick: { changes: 200, warmupChanges: 20, snapshotRuns: 3, firstMirrorRuns: 2 },
});

/** Ratio targets (Cotab / rrweb) and absolute ones. */
const TARGETS = Object.freeze({ snapshotRatio: 0.5, firstMirrorRatio: 0.5, bytesRatio: 0.5, longestTaskMs: 50 });

/**
 * @param {string[]} argv
 * @returns {{quick: boolean, json: boolean, only: Set<Section>}}
 */
function parseArgs(argv) {
  let quick = false;
  let json = false;
  /** @type {Set<Section>} */
  let only = new Set(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--json') json = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = a === '--only' ? argv[++i] : a.slice('--only='.length);
      only = new Set();
      for (const s of (list ?? '').split(',')) {
        const section = SECTIONS.find((x) => x === s);
        if (!section) throw new Error(`unknown section "${s}"\n${USAGE}`);
        only.add(section);
      }
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument "${a}"\n${USAGE}`);
  }
  return { quick, json, only };
}

/** @param {string} line */
function log(line) {
  process.stderr.write(`bench-mirror: ${line}\n`);
}

/** @param {unknown} e */
function errorText(e) {
  return e instanceof Error ? e.message.split('\n')[0] : String(e);
}

/** @param {string} file @returns {string} */
function versionOf(file) {
  try {
    const v = JSON.parse(readFileSync(path.join(repoRoot, file), 'utf8')).version;
    return typeof v === 'string' ? v : '?';
  } catch {
    return '?';
  }
}

/** @param {string} chromiumVersion */
function describeMachine(chromiumVersion) {
  const cpus = os.cpus();
  /** @param {string} cmd @param {string[]} args */
  const run = (cmd, args) => {
    try {
      return execFileSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '?';
    }
  };
  const debian = existsSync('/etc/debian_version') ? readFileSync('/etc/debian_version', 'utf8').trim() : '?';
  return {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model ?? '?',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    os: `Debian ${debian}, Linux ${os.release()}`,
    chromium: chromiumVersion,
    node: process.version,
    rrweb: versionOf('node_modules/rrweb/package.json'),
    rrwebSnapshot: versionOf('node_modules/rrweb-snapshot/package.json'),
    commit: `${run('git', ['rev-parse', '--short', 'HEAD'])}${run('git', ['status', '--porcelain']) ? ' (uncommitted changes)' : ''}`,
  };
}

/** Whether the real extension path can run: sources, built content script, hosts, harness. */
function cotabPipelineMissing() {
  const need = [
    'extension/content/main.js',
    'extension/content/serializer.js',
    'extension/viewer/mirror.js',
    'extension/viewer/viewer.html',
    'extension/background/sw.js',
    'extension/dist/content.js',
    'build/bin/cotab-host',
    'build/bin/cotab-relay',
    'tests/e2e/harness.mjs',
  ];
  return need.filter((p) => !existsSync(path.join(repoRoot, p)));
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const plan = opts.quick ? PLANS.quick : PLANS.full;
  const probeBrowser = await launchPlainBrowser();
  const chromiumVersion = probeBrowser.version();
  await probeBrowser.close();
  const machine = describeMachine(chromiumVersion);
  log(`${machine.nproc} cores, Chromium ${chromiumVersion}, load ${machine.loadAverageAtStart.join(' ')}; ${opts.quick ? 'quick' : 'full'} run`);

  const pages = benchPages();
  const server = await startServer({ assets: pageAssets });
  /** @type {Map<string, string>} */
  const urls = new Map();
  for (const p of pages) urls.set(p.name, server.addPage(p.name, p.html()));
  const latencyPage = pages.find((p) => p.name === `big-${LATENCY_PAGE_ELEMENTS / 1000}k`);
  if (!latencyPage) throw new Error('no latency page');

  /** @type {string[]} */
  const notes = [];
  const cotabInPage = cotabSourcesPresent();
  if (!cotabInPage.ready) notes.push(`Cotab in-page figures not measured: ${cotabInPage.missing.join(', ')} missing`);
  /** @type {readonly import('./snapshot.mjs').Impl[]} */
  const impls = cotabInPage.ready ? ['cotab', 'rrweb'] : ['rrweb'];

  /** @type {Results} */
  const results = { latency: {}, snapshot: {}, firstMirror: {} };
  try {
    if (opts.only.has('latency')) {
      const url = urls.get(latencyPage.name) ?? '';
      /** @type {import('./latency.mjs').LatencyRig[]} */
      const rigs = [];
      /** @type {Awaited<ReturnType<typeof import('./cotab-live.mjs').cotabRig>> | undefined} */
      let cotabLive;
      /** @type {import('./native-messaging.mjs').NativeEcho | undefined} */
      let echo;
      let echoError = '';
      /** @type {NativeMessagingFigures['cotabChars']} */
      let cotabChars = null;
      try {
        for (const config of /** @type {const} */ (['arrival', 'default'])) {
          log(`latency: opening rrweb live (${config}) on the ${latencyPage.label}`);
          rigs.push(await rrwebRig({ server, pageUrl: url, config }));
        }
        const missing = cotabPipelineMissing();
        if (missing.length) notes.push(`Cotab glass-to-glass not measured: ${missing.join(', ')} missing`);
        else {
          log(`latency: opening Cotab (two browsers with the extension, hosts, relay) on the ${latencyPage.label}`);
          try {
            // The content script bundle must match the sources (the harness refuses a stale one).
            execFileSync(process.execPath, [path.join(repoRoot, 'tools/build-extension.mjs')], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
            const { cotabRig } = await import('./cotab-live.mjs');
            const rig = await cotabRig({ pageUrl: url, log });
            rigs.push(rig);
            cotabLive = rig;
            results.cotabConnectMs = rig.connectMs;
          } catch (e) {
            notes.push(`Cotab glass-to-glass failed: ${errorText(e)}`);
            log(`Cotab latency failed: ${e instanceof Error ? e.stack : e}`);
          }
        }
        // Native messaging alone takes a turn after each of Cotab's, paced by that turn's changes.
        if (cotabLive) {
          try {
            const { openNativeEcho } = await import('./native-messaging.mjs');
            log('latency: opening native messaging alone (a browser of its own with the extension, cotab-bench-echo)');
            echo = await openNativeEcho({ warmup: plan.warmupChanges });
          } catch (e) {
            notes.push(`native messaging alone not measured: ${errorText(e)}`);
          }
        }
        /** @param {import('./latency.mjs').LatencyRig} rig @param {number[]} changedAt */
        const afterTurn = async (rig, changedAt) => {
          if (!echo || !cotabLive || rig !== cotabLive || echoError) return;
          try {
            if (!cotabChars) {
              const c = await cotabLive.nativeChars();
              if (c.toHost.length && c.toWorker.length) cotabChars = { toHost: median(c.toHost), toWorker: median(c.toWorker) };
            }
            const { FALLBACK_MESSAGE_CHARS } = await import('./native-messaging.mjs');
            const chars = cotabChars?.toHost ?? FALLBACK_MESSAGE_CHARS;
            const gaps = changedAt.slice(1).map((t, i) => t - changedAt[i]);
            await echo.turn('paced', changedAt.length, gaps, chars);
            await echo.turn('backToBack', changedAt.length, [], chars);
          } catch (e) {
            echoError = errorText(e);
          }
        };
        const names = [...rigs.map((r) => r.name), ...(echo ? ['native messaging alone (after cotab)'] : [])];
        log(`latency: ${plan.changes} changes each (+${plan.warmupChanges} warm-up), taking turns: ${names.join(', ')}`);
        const measured = await measureLatency(rigs, { changes: plan.changes, warmup: plan.warmupChanges }, afterTurn);
        for (const [name, r] of measured) {
          /** @type {LatencyFigures} */
          const figures = { ...r, summary: summarize(r.samplesMs) };
          if (r.error) notes.push(`${name} glass-to-glass stopped after ${r.samplesMs.length} changes: ${r.error}`);
          const rig = rigs.find((x) => x.name === name);
          if (rig?.segments) {
            try {
              figures.segments = await rig.segments(r.timeline);
            } catch (e) {
              notes.push(`${name}: no path segments: ${errorText(e)}`);
            }
          }
          results.latency[name] = figures;
        }
        if (echoError) notes.push(`native messaging alone stopped: ${echoError}`);
        else if (echo) results.nativeMessaging = { ...(await echo.figures()), cotabChars };
      } finally {
        await Promise.allSettled([...rigs.map((r) => r.close()), ...(echo ? [echo.close()] : [])]);
      }
    }

    if (opts.only.has('snapshot')) {
      const browser = await launchPlainBrowser();
      try {
        for (const p of pages) {
          log(`snapshot: ${p.label}, ${plan.snapshotRuns} runs each`);
          const url = urls.get(p.name) ?? '';
          try {
            results.snapshot[p.name] = await snapshotCost({ browser, url, runs: plan.snapshotRuns, heartbeat: true, impls });
          } catch (e) {
            if (!impls.includes('cotab')) throw e;
            notes.push(`Cotab snapshot on the ${p.label} failed: ${errorText(e)}`);
            log(`Cotab snapshot failed: ${e instanceof Error ? e.stack : e}`);
            results.snapshot[p.name] = await snapshotCost({ browser, url, runs: plan.snapshotRuns, heartbeat: true, impls: ['rrweb'] });
          }
        }
      } finally {
        await browser.close();
      }
    }

    if (opts.only.has('first')) {
      const customerBrowser = await launchPlainBrowser();
      const viewerBrowser = await launchPlainBrowser();
      try {
        for (const p of pages) {
          log(`first mirror: ${p.label}, ${plan.firstMirrorRuns} runs each`);
          const common = { customerBrowser, viewerBrowser, server, url: urls.get(p.name) ?? '', name: p.name, runs: plan.firstMirrorRuns };
          try {
            results.firstMirror[p.name] = await firstMirrorTime({ ...common, impls });
          } catch (e) {
            if (!impls.includes('cotab')) throw e;
            notes.push(`Cotab first mirror on the ${p.label} failed: ${errorText(e)}`);
            log(`Cotab first mirror failed: ${e instanceof Error ? e.stack : e}`);
            results.firstMirror[p.name] = await firstMirrorTime({ ...common, impls: ['rrweb'] });
          }
        }
      } finally {
        await Promise.allSettled([customerBrowser.close(), viewerBrowser.close()]);
      }
    }
  } finally {
    await server.close();
  }

  const { rows, details } = buildRows(results, pages, notes);
  const loadAtEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
  if (opts.json) {
    console.log(JSON.stringify({ machine: { ...machine, loadAverageAtEnd: loadAtEnd }, plan, targets: TARGETS, results, rows, notes }, null, 1));
    return;
  }
  const lines = [
    `bench-mirror: Cotab's mirror against rrweb ${machine.rrweb} (rrweb-snapshot ${machine.rrwebSnapshot}), same pages, same run`,
    `machine: ${machine.nproc} cores (${machine.cpu}), ${machine.memoryGiB} GiB, ${machine.os}; load average ${machine.loadAverageAtStart.join(' ')} at start, ${loadAtEnd.join(' ')} at end`,
    `software: Chromium ${machine.chromium} headless, Node ${machine.node}, commit ${machine.commit}`,
    `runs (${opts.quick ? '--quick' : 'full'}): glass-to-glass ${plan.changes.toLocaleString('en-US')} changes after ${plan.warmupChanges} warm-up changes (discarded), one at a time,`,
    `  the pairs taking turns of ${CHANGES_PER_TURN} changes;`,
    `  snapshot: per page and implementation 1 cold run (freshly loaded page, shown separately) + 1 warm-up run (discarded) + median of ${plan.snapshotRuns} runs;`,
    `  first mirror: each run on freshly loaded pages, 1 cold run (the browsers' first, shown separately) + median of ${plan.firstMirrorRuns} runs;`,
    '  ratio = Cotab / rrweb; p50/p99 by nearest rank; the implementations alternate run by run.',
    '',
    renderTable(rows),
    '',
    ...details,
    ...(notes.length ? ['', 'notes:', ...notes.map((n) => `  - ${n}`)] : []),
  ];
  console.log(lines.join('\n'));
}

/**
 * @param {Results} results
 * @param {import('./pages.mjs').BenchPage[]} pages
 * @param {string[]} notes
 * @returns {{rows: import('./report.mjs').Row[], details: string[]}}
 */
function buildRows(results, pages, notes) {
  /** @type {import('./report.mjs').Row[]} */
  const rows = [];
  /** @type {string[]} */
  const details = [];
  const cell = (/** @type {number} */ v) => formatMs(v);

  // 1. glass-to-glass
  const lat = results.latency;
  /** @type {[string, string][]} */
  const configs = [
    ['rrweb-arrival', 'live, applied on arrival'],
    ['rrweb-default', 'live, default startLive()'],
  ];
  /** @type {[string, string, LatencyFigures][]} */
  const rrwebLive = [];
  for (const [k, label] of configs) {
    const r = lat[k];
    if (r) rrwebLive.push([k, label, r]);
  }
  if (rrwebLive.length) {
    const [bestKey, bestLabel, bestRun] = rrwebLive.reduce((a, b) => (b[2].summary.p50 < a[2].summary.p50 ? b : a));
    const best = bestRun.summary;
    const c = lat.cotab?.summary;
    rows.push({
      figure: `glass-to-glass p50 / p99, ${LATENCY_PAGE_ELEMENTS / 1000}k page`,
      cotab: c ? `${cell(c.p50)} / ${cell(c.p99)}` : 'not measured',
      rrweb: `${cell(best.p50)} / ${cell(best.p99)} (${bestLabel})`,
      ratio: c ? `${formatRatio(c.p50, best.p50)} / ${formatRatio(c.p99, best.p99)}` : '',
      target: "≤ rrweb live's best",
      met: c ? c.p50 <= best.p50 && c.p99 <= best.p99 : null,
    });
    for (const [k, label, r] of rrwebLive) {
      if (k === bestKey) continue;
      rows.push({ figure: `  rrweb ${label} (reference)`, cotab: '', rrweb: `${cell(r.summary.p50)} / ${cell(r.summary.p99)}`, ratio: '', target: '', met: null });
    }
  }
  const nm = results.nativeMessaging;
  if (nm) {
    const rt = nm.paced.roundTrip;
    rows.push({ figure: '  Chrome native messaging alone, round trip (reference)', cotab: `${cell(rt.p50)} / ${cell(rt.p99)}`, rrweb: '', ratio: '', target: '', met: null });
  }
  const segments = lat.cotab?.segments;
  if (segments) {
    const parts = Object.entries(segments).map(([k, v]) => `${k} ${cell(median(v))}`);
    const n = Math.min(...Object.values(segments).map((v) => v.length));
    details.push(`Cotab glass-to-glass by segment (medians of ${n} changes seen at every tap): ${parts.join(', ')}`);
  }
  if (nm) {
    /** @param {import('./native-messaging.mjs').NativeMessagingRun} r */
    const legs = (r) =>
      `worker → host p50 ${cell(r.toHost.p50)} / p99 ${cell(r.toHost.p99)}, host → worker p50 ${cell(r.toWorker.p50)} / p99 ${cell(r.toWorker.p99)}, ` +
      `round trip p50 ${cell(r.roundTrip.p50)} / p99 ${cell(r.roundTrip.p99)}`;
    const pacing = `paced like the Cotab changes (each Cotab turn's gaps replayed right after it: median ${cell(nm.paced.gapMs)} from one post to the next)`;
    const sizes = nm.cotabChars ? ` (Cotab's: ${nm.cotabChars.toHost} to the host, ${nm.cotabChars.toWorker} from it)` : '';
    details.push(`Chrome native messaging alone, the extension's worker ⇄ cotab-bench-echo, ${nm.paced.n} messages of ${nm.messageChars} chars${sizes}, ${pacing}: ${legs(nm.paced)}`);
    details.push(
      `  back to back (median ${cell(nm.backToBack.gapMs)} from one post to the next): ${legs(nm.backToBack)}; ` +
        `worker clock − system clock ${nm.clock.offsetMs.toFixed(3)} ms (spread ${nm.clock.spreadMs.toFixed(2)}, drift ${nm.clock.driftMs.toFixed(2)}; subtracted)`,
    );
    const floor = nm.paced.toHost.p50 + nm.paced.toWorker.p50;
    const c = lat.cotab?.summary;
    const of = [c ? `Cotab's p50 ${cell(c.p50)}` : '', segments ? `its hostsAndRelay segment ${cell(median(segments.hostsAndRelay))}` : ''].filter(Boolean);
    details.push(
      `  floor from native messaging under Cotab's glass-to-glass (crossed twice: customer worker → host, agent's host → worker): ` +
        `${cell(nm.paced.toHost.p50)} + ${cell(nm.paced.toWorker.p50)} = ${cell(floor)} at p50${of.length ? ` (of ${of.join(', ')})` : ''}`,
    );
  }
  if (results.cotabConnectMs !== undefined) {
    details.push(`Cotab pairing through the UI (share → code → join → allow → viewer live, 10k page): ${cell(results.cotabConnectMs)}`);
  }
  /** @type {[string, string][]} */
  const described = [...configs.map(([k, label]) => /** @type {[string, string]} */ ([k, `rrweb ${label}`])), ['cotab', 'Cotab (extension → host → relay → host → viewer)']];
  for (const [k, label] of described) {
    const r = lat[k];
    if (!r) continue;
    const s = r.summary;
    details.push(
      `glass-to-glass ${label}: n=${s.n}, p50 ${cell(s.p50)}, p99 ${cell(s.p99)}, min ${cell(s.min)}, max ${cell(s.max)}, lost ${r.lost}; ` +
        `viewer clock − customer clock ${r.clock.skewMs.toFixed(3)} ms ± ${r.clock.uncertaintyMs.toFixed(2)} (subtracted)`,
    );
  }

  // 2. snapshot time, longest task, bytes
  /** @param {import('./snapshot.mjs').SnapshotRun[]} runs */
  const wallMedian = (runs) => median(runs.map((r) => r.wallMs));
  /** @param {import('./snapshot.mjs').SnapshotRun} r */
  const longest = (r) => r.longestGapMs ?? Math.max(0, ...r.longTasksMs);
  for (const p of pages) {
    const c = results.snapshot[p.name]?.cotab;
    const rr = results.snapshot[p.name]?.rrweb;
    if (!rr) continue;
    const cm = c ? wallMedian(c.warm) : NaN;
    const rm = wallMedian(rr.warm);
    rows.push({
      figure: `snapshot time, ${p.label}`,
      cotab: c ? `${cell(cm)} (cold ${cell(c.cold.wallMs)})` : 'not measured',
      rrweb: `${cell(rm)} (cold ${cell(rr.cold.wallMs)})`,
      ratio: formatRatio(cm, rm),
      target: p.generated ? `≤ ${TARGETS.snapshotRatio}×` : '',
      met: p.generated && c ? cm / rm <= TARGETS.snapshotRatio : null,
    });
    if (c) {
      const gaps = c.warm.map(longest);
      const worst = Math.max(...gaps, longest(c.cold));
      const browserLong = [...c.cold.longTasksMs, ...c.warm.flatMap((r) => r.longTasksMs)];
      const own = c.warm.map((r) => r.recorder?.maxSliceMs ?? NaN);
      const slices = c.warm.map((r) => r.recorder?.slices ?? NaN);
      details.push(
        `Cotab snapshot, ${p.label}: ${c.messages} messages, ${c.cold.recorder?.records ?? '?'} records, median ${median(slices)} slices; ` +
          `longest task (heartbeat) median ${cell(median(gaps))}, worst run ${cell(worst)} (cold ${cell(longest(c.cold))}); ` +
          `Recorder's own longest slice median ${cell(median(own))} (cold ${cell(c.cold.recorder?.maxSliceMs ?? NaN)}); ` +
          `browser long tasks ≥ 50 ms: ${browserLong.length ? browserLong.map((t) => cell(t)).join(', ') : 'none'}`,
      );
    }
  }
  const biggest = pages.filter((p) => p.generated).at(-1);
  const sb = biggest ? results.snapshot[biggest.name] : undefined;
  if (biggest && sb?.rrweb) {
    const c = sb.cotab;
    const gaps = c ? c.warm.map(longest) : [];
    const worst = c ? Math.max(...gaps, longest(c.cold)) : NaN;
    rows.push({
      figure: `longest main-thread task, ${biggest.label}`,
      cotab: c ? `${cell(median(gaps))} (worst run ${cell(worst)})` : 'not measured',
      rrweb: `${cell(wallMedian(sb.rrweb.warm))} (whole snapshot)`,
      ratio: '',
      target: `≤ ${TARGETS.longestTaskMs} ms (worst run)`,
      met: c ? worst <= TARGETS.longestTaskMs : null,
    });
  }

  // 3. time to first mirror
  /** @param {import('./snapshot.mjs').FirstMirrorRun[]} runs @param {keyof import('./snapshot.mjs').FirstMirrorRun} key */
  const mid = (runs, key) => median(runs.map((r) => r[key]));
  /** @param {import('./snapshot.mjs').FirstMirrorFigures} f */
  const phases = (f) =>
    `first message ${cell(mid(f.runs, 'firstMessageMs'))}, last ${cell(mid(f.runs, 'lastMessageMs'))}, ` +
    `built ${cell(mid(f.runs, 'builtMs'))}, shown ${cell(mid(f.runs, 'shownMs'))} (${f.cold.messages} messages, ${formatBytes(f.cold.chars)} of JSON)`;
  for (const p of pages) {
    const c = results.firstMirror[p.name]?.cotab;
    const rr = results.firstMirror[p.name]?.rrweb;
    if (!rr) continue;
    const cm = c ? mid(c.runs, 'shownMs') : NaN;
    const rm = mid(rr.runs, 'shownMs');
    rows.push({
      figure: `time to first mirror, ${p.label}`,
      cotab: c ? `${cell(cm)} (cold ${cell(c.cold.shownMs)})` : 'not measured',
      rrweb: `${cell(rm)} (cold ${cell(rr.cold.shownMs)})`,
      ratio: formatRatio(cm, rm),
      target: p.generated ? `≤ ${TARGETS.firstMirrorRatio}×` : '',
      met: p.generated && c ? cm / rm <= TARGETS.firstMirrorRatio : null,
    });
    details.push(`first mirror, ${p.label}, medians since start: rrweb ${phases(rr)}`);
    if (c) details.push(`first mirror, ${p.label}, medians since start: Cotab ${phases(c)}`);
  }

  // 4. bytes
  for (const p of pages) {
    const c = results.snapshot[p.name]?.cotab?.bytes;
    const rb = results.snapshot[p.name]?.rrweb?.bytes;
    if (!rb) continue;
    rows.push({
      figure: `snapshot wire bytes, ${p.label}`,
      cotab: c ? `${formatBytes(c.zstd)} zstd (${formatBytes(c.gzip)} gzip)` : 'not measured',
      rrweb: `${formatBytes(rb.gzip)} gzip`,
      ratio: c ? `${formatRatio(c.zstd, rb.gzip)} / ${formatRatio(c.gzip, rb.gzip)}` : '',
      target: p.generated ? `≤ ${TARGETS.bytesRatio}× rrweb gzip` : '',
      met: p.generated && c ? c.zstd / rb.gzip <= TARGETS.bytesRatio : null,
    });
    details.push(
      `bytes, ${p.label}: JSON Cotab ${c ? formatBytes(c.json) : 'n/a'} / rrweb ${formatBytes(rb.json)}; ` +
        `gzip ${c ? formatBytes(c.gzip) : 'n/a'} / ${formatBytes(rb.gzip)}; zstd ${c ? formatBytes(c.zstd) : 'n/a'} / ${formatBytes(rb.zstd)}`,
    );
  }

  if (Object.keys(lat).length) {
    notes.push(
      'glass-to-glass: the customer page sets a text node to a sequence number and notes performance.timeOrigin + now(); ' +
        "a MutationObserver on the viewer's mirror document notes when it shows. rrweb live: record() → WebSocket relay on 127.0.0.1 → " +
        'Replayer (liveMode, loadTimeout 0) in a second browser; "applied on arrival" = baseline past every event, so addEvent ' +
        'casts at once (needs useVirtualDom: false); "default startLive()" = baseline now, events cast on its animation-frame timer. ' +
        "rrweb's guide's 1 s BUFFER_MS adds its value to every figure and is not measured.",
    );
  }
  if (nm) {
    notes.push(
      "native messaging alone: a Chromium of its own with the real extension (its session idle); the extension's service worker posts " +
        "messages of the size the customer's worker posted per Cotab change to cotab-bench-echo (tools/bench/nm_echo.cpp: answers each " +
        "frame with the same frame plus the wall-clock time it read it, nothing else), one at a time: after each of Cotab's turns a " +
        "turn that replays that turn's gaps between changes, then a back-to-back turn. One-way legs from the echo's stamp and the worker's " +
        "clock put on the system clock through Date.now(); round trip from the worker's clock alone (it ticks in 0.1 ms steps). " +
        "Cotab's path crosses native messaging twice (customer worker → its host, agent's host → its worker), so " +
        "worker → host p50 + host → worker p50 is a floor under Cotab's p50 that no change inside Cotab can remove while it uses " +
        "native messaging; paced against back to back shows Chrome waking slowly to a host's output after the pipe has been idle.",
    );
  }
  if (Object.keys(results.snapshot).length) {
    notes.push(
      'snapshot time: Cotab = Recorder.start() until it emitted snapend (messages collected, no JSON); rrweb = snapshot(document). ' +
        'Both in a normal page (no extension), gc() before each run. Longest task = longest gap of a user-blocking ' +
        'scheduler.postTask heartbeat (1 ms apart, that 1 ms taken off): an upper bound of any task plus its microtasks; ' +
        'rrweb-snapshot is one synchronous call, so its longest task is the whole snapshot.',
      `wire bytes: the emitted messages' JSON up to snapend, zstd level ${HOST_ZSTD_LEVEL} with a 2^${HOST_ZSTD_WINDOW_LOG} window in one stream ` +
        "(as cotab-host; the host's per-message flush adds a few bytes each) and gzip (level 6); rrweb = JSON of snapshot(document), gzip.",
    );
  }
  if (Object.keys(results.firstMirror).length) {
    notes.push(
      'time to first mirror: from the call that starts recording (Recorder.start() / record()) in the customer browser until the ' +
        "viewer browser has built the mirror and rendered a frame; messages travel as JSON over the benchmark's WebSocket relay; " +
        'rrweb rebuilds in a live Replayer (applied on arrival).',
    );
  }
  return { rows, details };
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
