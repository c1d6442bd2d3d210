// End-to-end harness: two real Chromium browsers with the real unpacked extension, real
// cotab-host processes started by Chromium through a per-profile native-messaging manifest, a
// real cotab-relay on 127.0.0.1 and a recording TCP proxy in front of it, so tests can read every
// byte the relay's network carries (the JS counterpart of tests/integration/harness.hpp).
//
// Everything a test starts has a close(); tests call it in t.after()/finally so that browsers,
// hosts, the relay, the proxy and temporary profiles are gone also when an assertion fails.
//
// Needs build/bin/cotab-{host,relay} (tools/build default). extension/dist/ (node
// tools/build-extension.mjs) is rebuilt by launchBrowser when it is missing or stale.
//
// API (details at each function):
//   processes   startRelay() · startRecordingProxy(target) {bytes, payloads, carried} · serveHtml(routes)
//   browsers    launchBrowser({name, relayUrl, recordHostInput?, recordHostOutput?, env?, settings?,
//               userAgent?}) → {context, worker, extensionId, hostInput(), hostOutput(),
//               hostInputMessages(), hostOutputMessages() (async: stdio + data channel),
//               setSettings(), close()} · channelStatus(browser)
//   extension   tabIdOf · openPopup(browser, tabId?) · openAgentPopup · expectConsentWindow ·
//   UI          expectViewer · waitForPopupState · waitForViewerState · testIdText · typedCode ·
//               connectPair({customer, agent, customerPage, decision?}) · sendCommand · resetSession
//   recording   recordPort(browser, 'cotab-content'|'cotab-viewer') · recordTabMessages
//   mirror      inMirror · inPage · normalizedPage · normalizedMirror · normalizedDigest ·
//               waitForMirrorEqual(customerPage, viewer, {digest?})
//   waiting     waitFor(probe, {timeout, message}) · nextPage(context, match)
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../js/browser/harness.mjs';
import { startPageServer } from '../pages/server.mjs';

/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').Worker} Worker */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const EXTENSION_DIR = path.join(ROOT, 'extension');
export const HOST_BIN = path.join(ROOT, 'build/bin/cotab-host');
export const RELAY_BIN = path.join(ROOT, 'build/bin/cotab-relay');
export const CHROMIUM_BIN = '/usr/lib/chromium/chromium';
export const NATIVE_HOST_NAME = 'io.cotab.host';
/** Default deadline of every wait in this harness (the machine is shared and slow). */
export const STEP_TIMEOUT_MS = 30_000;
/** How often the polling waits look again. */
export const POLL_INTERVAL_MS = 50;

// ---------------------------------------------------------------------------------------------
// Small utilities

/**
 * Polls `probe` until it returns a truthy value or the deadline passes.
 * @template T
 * @param {() => T | Promise<T>} probe
 * @param {{timeout?: number, interval?: number, message?: string | (() => string | Promise<string>)}} [opts]
 * @returns {Promise<NonNullable<T>>}
 */
export async function waitFor(probe, opts = {}) {
  const timeout = opts.timeout ?? STEP_TIMEOUT_MS;
  const deadline = Date.now() + timeout;
  /** @type {unknown} */
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) return /** @type {NonNullable<T>} */ (value);
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const what = typeof opts.message === 'function' ? await opts.message() : (opts.message ?? 'condition');
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${why}`);
    }
    await delay(opts.interval ?? POLL_INTERVAL_MS);
  }
}

/**
 * The ID Chromium gives an unpacked extension whose manifest has a "key": the first 32 hex digits
 * of sha256(DER public key), each digit 0-f mapped to a-p.
 * @param {string} extensionDir
 */
export function extensionIdOf(extensionDir) {
  const manifest = JSON.parse(readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8'));
  if (typeof manifest.key !== 'string') throw new Error(`${extensionDir}/manifest.json has no "key"`);
  const hex = createHash('sha256').update(Buffer.from(manifest.key, 'base64')).digest('hex').slice(0, 32);
  return [...hex].map((d) => String.fromCharCode(97 + parseInt(d, 16))).join('');
}

/**
 * Decodes Chrome native-messaging frames (4-byte little-endian length + UTF-8 JSON) and joins
 * `chunk` messages (PROTOCOL.md §4) into the messages they carry.
 * @param {Buffer} bytes
 * @returns {{messages: any[], trailing: number}} `trailing` = bytes of an incomplete last frame
 */
export function decodeNativeFrames(bytes) {
  /** @type {any[]} */
  const messages = [];
  /** @type {Map<number, string>} */
  const partial = new Map();
  let at = 0;
  while (at + 4 <= bytes.length) {
    const len = bytes.readUInt32LE(at);
    if (at + 4 + len > bytes.length) break;
    const text = bytes.subarray(at + 4, at + 4 + len).toString('utf8');
    at += 4 + len;
    /** @type {any} */
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      messages.push({ type: '<bad-json>', text });
      continue;
    }
    if (msg && msg.type === 'chunk' && typeof msg.id === 'number' && typeof msg.part === 'string') {
      const sofar = (partial.get(msg.id) ?? '') + msg.part;
      if (msg.index + 1 === msg.count) {
        partial.delete(msg.id);
        try {
          messages.push(JSON.parse(sofar));
        } catch {
          messages.push({ type: '<bad-chunked-json>', text: sofar });
        }
      } else {
        partial.set(msg.id, sofar);
      }
      continue;
    }
    messages.push(msg);
  }
  return { messages, trailing: bytes.length - at };
}

/**
 * A promise for the next page of `context` whose URL satisfies `match`, counting only pages that
 * open after this call. Start it BEFORE the action that opens the page. The returned promise is
 * marked handled, so a timeout before the test awaits it does not crash the process.
 * @param {BrowserContext} context
 * @param {(url: string) => boolean} match
 * @param {{timeout?: number, what?: string}} [opts]
 * @returns {Promise<Page>}
 */
export function nextPage(context, match, opts = {}) {
  const timeout = opts.timeout ?? STEP_TIMEOUT_MS;
  /** @type {Promise<Page>} */
  const found = new Promise((resolve, reject) => {
    /** @type {Array<() => void>} */
    const cleanups = [];
    const done = () => cleanups.forEach((c) => c());
    const timer = setTimeout(() => {
      done();
      reject(new Error(`timed out after ${timeout} ms waiting for a new page: ${opts.what ?? 'matching page'}`));
    }, timeout);
    cleanups.push(() => clearTimeout(timer));
    /** @param {Page} page */
    const check = (page) => {
      if (match(page.url())) {
        done();
        resolve(page);
      }
    };
    /** @param {Page} page */
    const onPage = (page) => {
      check(page);
      /** @param {import('playwright-core').Frame} frame */
      const onNav = (frame) => {
        if (frame === page.mainFrame()) check(page);
      };
      page.on('framenavigated', onNav);
      cleanups.push(() => page.off('framenavigated', onNav));
    };
    context.on('page', onPage);
    cleanups.push(() => context.off('page', onPage));
  });
  found.catch(() => {});
  return found;
}

// ---------------------------------------------------------------------------------------------
// Relay and recording proxy

/**
 * @typedef {object} Relay
 * @property {number} port
 * @property {string} url      ws://127.0.0.1:PORT/v1
 * @property {() => string} stderr  what the relay logged so far
 * @property {() => Promise<void>} close
 */

/**
 * Starts build/bin/cotab-relay on 127.0.0.1:<free port> without TLS.
 * The claim rate limit is raised (all test hosts share 127.0.0.1) unless `args` sets it.
 * @param {{args?: string[]}} [opts]
 * @returns {Promise<Relay>}
 */
export async function startRelay(opts = {}) {
  const extra = opts.args ?? [];
  const args = ['--listen', '127.0.0.1:0', '--insecure-plaintext', '--drain-timeout-ms', '200'];
  if (!extra.includes('--claims-per-minute')) args.push('--claims-per-minute', '600');
  const child = spawn(RELAY_BIN, [...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s) => (stderr += s));
  // If the test process dies without close(), do not leave the relay running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise((resolve) => child.once('exit', resolve)).finally(() => process.off('exit', killOnExit));
  /** @type {string} */
  const address = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`relay did not start: ${stderr}`)), 10_000);
    child.stdout.setEncoding('utf8').on('data', (s) => {
      out += s;
      const m = /^listening (\S+)\n/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`relay exited (${code}) before listening: ${stderr}`));
    });
  });
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return {
    port,
    url: `ws://${address}/v1`,
    stderr: () => stderr,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * @typedef {object} RecordingProxy
 * @property {number} port
 * @property {string} url        ws://127.0.0.1:PORT/v1 (use it as the extension's relay URL)
 * @property {() => Buffer} bytes  every byte carried so far, both directions, all connections
 * @property {() => Buffer} payloads  the WebSocket message payloads carried, unmasked (a client's
 *   frames are XOR-masked on the wire, so searching bytes() alone for plaintext proves nothing)
 * @property {(needle: string | Buffer) => boolean} carried  needle in bytes() or in payloads()
 * @property {() => number} connections  how many connections were accepted
 * @property {() => Promise<void>} close
 */

/**
 * Incremental decoder of one direction of a WebSocket connection: skips the HTTP upgrade, then
 * emits each frame's payload, unmasked.
 * @param {(payload: Buffer) => void} onPayload
 */
function webSocketDirection(onPayload) {
  let buf = Buffer.alloc(0);
  let inHeaders = true;
  return (/** @type {Buffer} */ chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (inHeaders) {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      buf = buf.subarray(end + 4);
      inHeaders = false;
    }
    for (;;) {
      if (buf.length < 2) return;
      const masked = (buf[1] & 0x80) !== 0;
      let len = buf[1] & 0x7f;
      let at = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        at = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        at = 10;
      }
      const maskAt = at;
      if (masked) at += 4;
      if (buf.length < at + len) return;
      const payload = Buffer.from(buf.subarray(at, at + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= buf[maskAt + (i & 3)];
      onPayload(payload);
      buf = buf.subarray(at + len);
    }
  };
}

/**
 * A TCP proxy on 127.0.0.1:<free port> forwarding to `target`, recording every byte, and the
 * WebSocket payloads unmasked.
 * @param {number | {port: number, host?: string}} target
 * @returns {Promise<RecordingProxy>}
 */
export async function startRecordingProxy(target) {
  const upstream = typeof target === 'number' ? { port: target, host: '127.0.0.1' } : { host: '127.0.0.1', ...target };
  /** @type {Buffer[]} */
  const recorded = [];
  /** @type {Buffer[]} */
  const payloads = [];
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const server_ = net.connect(upstream.port, upstream.host);
    for (const s of [client, server_]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        server_.destroy();
      });
    }
    /** @param {net.Socket} from @param {net.Socket} to */
    const pump = (from, to) => {
      const decode = webSocketDirection((p) => payloads.push(p));
      from.on('data', (chunk) => {
        recorded.push(Buffer.from(chunk));
        decode(chunk);
        to.write(chunk);
      });
      from.on('end', () => to.end());
    };
    pump(client, server_);
    pump(server_, client);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('proxy has no port');
  return {
    port: addr.port,
    url: `ws://127.0.0.1:${addr.port}/v1`,
    bytes: () => Buffer.concat(recorded),
    payloads: () => Buffer.concat(payloads),
    carried: (needle) => Buffer.concat(recorded).includes(needle) || Buffer.concat(payloads).includes(needle),
    connections: () => accepted,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Browsers

/** @typedef {Partial<import('../../extension/background/settings.js').Settings>} Settings */

/**
 * @typedef {object} CotabBrowser
 * @property {string} name
 * @property {BrowserContext} context
 * @property {Worker} worker          the extension's service worker (re-read after a restart)
 * @property {string} extensionId
 * @property {string} userDataDir
 * @property {string} origin          chrome-extension://<id>
 * @property {() => Promise<Buffer>} hostInput   what its hosts received (recordHostInput): every byte
 *   the browser wrote to their stdin, then every text the worker sent them on a data channel
 *   (PROTOCOL.md §3.4; each text followed by "\n", the token included)
 * @property {() => Promise<Buffer>} hostOutput  what its hosts wrote (recordHostOutput): their stdout
 *   bytes, then every text the worker's data channels received (each followed by "\n")
 * @property {() => Promise<any[]>} hostInputMessages   the messages the hosts received, per host
 *   process in start order: native ones decoded, and after each of the extension's native
 *   `channel-up` (its barrier) that channel's messages (the token left out)
 * @property {() => Promise<any[]>} hostOutputMessages  the same for what the hosts wrote (chunks
 *   joined; a channel's messages after the host's native `channel-up`)
 * @property {() => string} hostStderr   what the hosts logged (when a wrapper is used)
 * @property {() => Promise<Worker>} currentWorker  the live service worker (waits for one)
 * @property {(settings: Settings) => Promise<void>} setSettings  merges into chrome.storage.local settings
 * @property {() => Promise<void>} close
 */

/**
 * Why extension/dist/ cannot be used as it is (missing, or older than the sources it is built
 * from), or null when it is current.
 * @returns {string | null}
 */
function extensionBuildProblem() {
  const dist = path.join(EXTENSION_DIR, 'dist');
  /** @param {string} f */
  const mtime = (f) => statSync(f).mtimeMs;
  const outputs = ['protocol.js', 'content.js', 'hints.js'].map((f) => path.join(dist, f));
  const missing = outputs.filter((f) => !existsSync(f));
  if (missing.length) return `missing ${missing.map((f) => path.relative(ROOT, f)).join(', ')}`;
  const built = Math.min(...outputs.map(mtime));
  const sources = [
    ...['content', 'common'].flatMap((dir) => {
      const d = path.join(EXTENSION_DIR, dir);
      return existsSync(d) ? readdirSync(d).map((f) => path.join(d, f)) : [];
    }),
    path.join(ROOT, 'shared/protocol/limits.json'),
    path.join(ROOT, 'shared/protocol/errors.json'),
  ].filter((f) => f.endsWith('.js') || f.endsWith('.json'));
  const newer = sources.filter((f) => mtime(f) > built);
  return newer.length ? `extension/dist is older than ${newer.map((f) => path.relative(ROOT, f)).join(', ')}` : null;
}

/**
 * Makes sure extension/dist/ is built from the current sources (the content scripts the browser
 * loads are the bundles, so a stale bundle would test yesterday's code): builds it when needed.
 */
function ensureExtensionBuilt() {
  const problem = extensionBuildProblem();
  if (!problem) return;
  process.stderr.write(`e2e harness: ${problem}; running node tools/build-extension.mjs\n`);
  execFileSync(process.execPath, [path.join(ROOT, 'tools/build-extension.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const still = extensionBuildProblem();
  if (still) throw new Error(`${still} even after node tools/build-extension.mjs`);
}

// ---------------------------------------------------------------------------------------------
// Recording the data channel (PROTOCOL.md §3.4)
//
// Once a session is up, its messages go between the worker and its host over a loopback
// WebSocket, not stdin/stdout, so the wrapper's recordings alone would miss them. When a recording
// is asked for, launchBrowser installs in the worker a WebSocket subclass that keeps the strings
// the worker passes to send() (exactly the text the host receives: on the wire a client's frames
// are XOR-masked, RFC 6455 §5.3) and the text of every message event, plus a wrap of
// chrome.runtime.connectNative that notes, per socket, the native `channel-up` barriers (the
// host's, read by the worker, and the extension's, posted by it). The records stay in the worker
// (arrays of strings) and are read back with worker.evaluate. A restarted worker is tapped again
// (context 'serviceworker'); what an earlier worker recorded but nobody read before it stopped
// is lost, so reading throws rather than return a recording that may miss channel traffic.

/**
 * @typedef {object} ChannelRecord  one WebSocket the worker opened (its data channel to the host)
 * @property {string} url
 * @property {string[]} sent       what the worker sent, in order (the first is the token)
 * @property {string[]} received   the text of every message event, in order
 * @property {boolean} hostUp      the worker read the host's native channel-up after this socket opened
 * @property {boolean} extUp       the worker posted its own native channel-up for it
 * @property {boolean} closed      the socket's close event fired
 */
/** @typedef {{late: boolean, sockets: ChannelRecord[]}} ChannelLog */
/**
 * @typedef {object} TappedWorker
 * @property {Worker} worker
 * @property {Promise<void>} installed
 * @property {ChannelLog | null} log   as last read
 * @property {boolean} dead            the worker stopped (its log is the last one read)
 */

/** @param {Worker} w @param {string} origin */
function isOursWorker(w, origin) {
  return w.url().startsWith(`${origin}/`);
}

/**
 * Installs the data channel tap in `worker` (idempotent). Throws when it cannot wrap the APIs.
 * @param {Worker} worker
 * @returns {Promise<void>}
 */
async function installChannelTap(worker) {
  await worker.evaluate(() => {
    const g = /** @type {{__cotabE2EChannel?: ChannelLog, cotabDiagnostics?: () => any}} */ (/** @type {unknown} */ (globalThis));
    if (g.__cotabE2EChannel) return;
    // Late: this worker asked for a channel before the tap existed (its texts are not recorded).
    const requests = g.cotabDiagnostics?.()?.channel?.requests ?? 0;
    /** @type {ChannelLog} */
    const log = { late: requests > 0, sockets: [] };
    g.__cotabE2EChannel = log;
    /** @param {unknown} data */
    const textOf = (data) => (typeof data === 'string' ? data : `<binary ${String(/** @type {any} */ (data)?.byteLength ?? /** @type {any} */ (data)?.size ?? '?')} bytes>`);
    const Base = globalThis.WebSocket;
    // The worker looks `WebSocket` up when it opens a channel (sw.js: `new WebSocket(url)`).
    globalThis.WebSocket = class extends Base {
      /** @type {ChannelRecord} */
      #rec;
      /** @param {string | URL} url @param {string | string[]} [protocols] */
      constructor(url, protocols) {
        super(url, protocols);
        /** @type {ChannelRecord} */
        const rec = { url: String(url), sent: [], received: [], hostUp: false, extUp: false, closed: false };
        this.#rec = rec;
        log.sockets.push(rec);
        // Registered before the extension's listeners: every message is seen, whatever it does.
        this.addEventListener('message', (ev) => rec.received.push(textOf(ev.data)));
        this.addEventListener('close', () => (rec.closed = true));
      }
      /** @override @param {string | ArrayBufferLike | Blob | ArrayBufferView} data */
      send(data) {
        super.send(data); // a send that throws did not reach the host
        this.#rec.sent.push(textOf(data));
      }
    };
    const connectNative = chrome.runtime.connectNative.bind(chrome.runtime);
    /** @param {string} name */
    const wrapped = (name) => {
      const port = connectNative(name);
      // The barriers concern the newest socket (one channel at a time, opened on the offer).
      port.onMessage.addListener((/** @type {any} */ m) => {
        const s = log.sockets.at(-1);
        if (m && m.type === 'channel-up' && s) s.hostUp = true;
      });
      const post = port.postMessage.bind(port);
      port.postMessage = (/** @type {any} */ m) => {
        post(m);
        const s = log.sockets.at(-1);
        if (m && m.type === 'channel-up' && s) s.extUp = true;
      };
      return port;
    };
    chrome.runtime.connectNative = wrapped;
    if (globalThis.WebSocket === Base || chrome.runtime.connectNative !== wrapped) throw new Error('could not install the data channel tap');
  });
}

/**
 * Reads the tap of every live worker; returns all channels in order. Throws when the recording
 * may miss channel traffic: a tap that failed or came late, or a worker that stopped while one
 * of its channels was open (or before its tap was read).
 * @param {TappedWorker[]} tapped
 * @returns {Promise<ChannelRecord[]>}
 */
async function readChannelTaps(tapped) {
  for (const t of tapped) {
    await t.installed.catch((e) => {
      throw new Error(`the data channel tap of ${t.worker.url()} failed: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (t.dead) continue;
    try {
      t.log = await t.worker.evaluate(() => /** @type {{__cotabE2EChannel?: ChannelLog}} */ (/** @type {unknown} */ (globalThis)).__cotabE2EChannel ?? null);
    } catch {
      t.dead = true; // stopped before Playwright said so: its last read log is all there is
    }
  }
  /** @type {ChannelRecord[]} */
  const sockets = [];
  for (const t of tapped) {
    if (t.log?.late) throw new Error('the data channel tap was installed after the worker asked for a channel: the recording misses it');
    if (t.dead && t.log?.sockets.some((s) => !s.closed)) {
      throw new Error('the service worker stopped while a data channel was open: what went over it after the recording was last read is lost (read it before stopping the worker)');
    }
    sockets.push(...(t.log?.sockets ?? []));
  }
  return sockets;
}

/**
 * The token the worker sends first on a channel (PROTOCOL.md §3.4): not a message. Read from
 * limits.json (as extension/common/native.js does through dist/, which may not be built yet here).
 */
const CHANNEL_TOKEN = (() => {
  /** @type {{limits: {name: string, value: number}[]}} */
  const limits = JSON.parse(readFileSync(path.join(ROOT, 'shared/protocol/limits.json'), 'utf8'));
  const bytes = limits.limits.find((l) => l.name === 'channel_token_bytes')?.value;
  if (!bytes) throw new Error('limits.json has no channel_token_bytes');
  return new RegExp(`^[0-9a-f]{${2 * bytes}}$`);
})();

/**
 * Merges the native messages of each host process (`files`, in start order) with the channels'
 * messages: after the k-th native `channel-up` of that direction, the texts of the k-th channel
 * that passed that barrier ('in': the extension's barrier, what the worker sent; 'out': the
 * host's, what the worker received). Each side switches its direction at its barrier, so this
 * is the order the host read ('in') or wrote ('out') them in. Channels whose barrier the native
 * recording does not show yet (it is being written) come last. Throws when the native recording
 * shows a barrier of a channel the tap does not have.
 * @param {any[][]} files
 * @param {ChannelRecord[]} sockets
 * @param {'in'|'out'} dir
 */
function spliceChannels(files, sockets, dir) {
  const passed = sockets.filter((s) => (dir === 'in' ? s.extUp : s.hostUp));
  /** @param {ChannelRecord} s */
  const messagesOf = (s) =>
    (dir === 'in' ? s.sent.filter((t, i) => !(i === 0 && CHANNEL_TOKEN.test(t))) : s.received).map((text) => {
      try {
        return JSON.parse(text);
      } catch {
        return { type: '<bad-json>', text };
      }
    });
  /** @type {any[]} */
  const out = [];
  let k = 0;
  for (const messages of files) {
    for (const m of messages) {
      out.push(m);
      if (m?.type !== 'channel-up') continue;
      const s = passed[k++];
      if (!s) throw new Error(`the native recording shows ${dir === 'in' ? "the extension's" : "the host's"} channel-up #${k} but the data channel tap has no such channel: the recording misses its messages`);
      out.push(...messagesOf(s));
    }
  }
  for (const s of passed.slice(k)) out.push(...messagesOf(s));
  return out;
}

const DEFAULT_SETTINGS = { relay: 'wss://relay.cotab.io/v1', maskSelectors: [], blockSelectors: [], mode: 'both' };

/**
 * Launches Debian's Chromium headless with the unpacked extension and a fresh profile whose
 * NativeMessagingHosts/io.cotab.host.json points at build/bin/cotab-host — or, when a recording
 * is asked for, at a generated wrapper that tees the host's stdin/stdout to files in the profile,
 * and with the worker's data channel tapped (see "Recording the data channel" above).
 * `env` reaches the hosts too (Chromium starts them with its environment), e.g.
 * `{COTAB_DATA_CHANNEL: 'off'}`.
 * Sets settings.relay (and any other `settings`) through the service worker.
 * @param {{name: string, relayUrl: string, recordHostInput?: boolean, recordHostOutput?: boolean,
 *   env?: Record<string, string>, settings?: Settings, extensionDir?: string,
 *   viewport?: {width: number, height: number}, userAgent?: string, headless?: boolean}} opts
 *   headless: default true; false opens real windows (needs a display, e.g. tools/demo)
 *   userAgent: set browser-wide (--user-agent), e.g. to tell the agent's requests from the customer's
 * @returns {Promise<CotabBrowser>}
 */
export async function launchBrowser(opts) {
  const extensionDir = opts.extensionDir ?? EXTENSION_DIR;
  if (extensionDir === EXTENSION_DIR) ensureExtensionBuilt();
  const extensionId = extensionIdOf(extensionDir);
  const origin = `chrome-extension://${extensionId}`;
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), `cotab-e2e-${opts.name}-`));
  const recordDir = path.join(userDataDir, 'host-records');
  const useWrapper = Boolean(opts.recordHostInput || opts.recordHostOutput);
  let hostPath = HOST_BIN;
  if (useWrapper) {
    mkdirSync(recordDir);
    hostPath = path.join(userDataDir, 'cotab-host-recorder.sh');
    // bash, so that the host stays the process Chromium started (exec) while tee runs in
    // process substitutions; one file pair per host process (Chromium starts one per port).
    const q = (/** @type {string} */ s) => `'${s.replace(/'/g, `'\\''`)}'`;
    const tag = '"$(date +%s%N)-$$"';
    const inRedir = opts.recordHostInput ? ` < <(exec tee ${q(recordDir)}/in-${tag})` : '';
    const outRedir = opts.recordHostOutput ? ` > >(exec tee ${q(recordDir)}/out-${tag})` : '';
    writeFileSync(
      hostPath,
      `#!/bin/bash\n# Generated by tests/e2e/harness.mjs: records what cotab-host reads/writes.\n` +
        `exec ${q(HOST_BIN)} "$@"${inRedir}${outRedir} 2>>${q(recordDir)}/stderr.log\n`,
    );
    chmodSync(hostPath, 0o755);
  }
  const nmDir = path.join(userDataDir, 'NativeMessagingHosts');
  mkdirSync(nmDir);
  writeFileSync(
    path.join(nmDir, `${NATIVE_HOST_NAME}.json`),
    JSON.stringify({
      name: NATIVE_HOST_NAME,
      description: 'Cotab native host (e2e test profile)',
      path: hostPath,
      type: 'stdio',
      allowed_origins: [`${origin}/`],
    }),
  );

  /** @type {BrowserContext | undefined} */
  let context;
  const cleanup = async () => {
    if (context) await context.close().catch(() => {});
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_BIN,
      headless: opts.headless ?? true,
      viewport: opts.viewport ?? { width: 1280, height: 720 },
      env: { ...process.env, ...(opts.env ?? {}) },
      ignoreDefaultArgs: ['--disable-extensions'],
      args: [
        ...CHROMIUM_ARGS,
        `--disable-extensions-except=${extensionDir}`,
        `--load-extension=${extensionDir}`,
        ...(opts.userAgent ? [`--user-agent=${opts.userAgent}`] : []),
      ],
    });
    const ctx = context;
    const currentWorker = async () => {
      const isOurs = (/** @type {Worker} */ w) => isOursWorker(w, origin);
      const existing = ctx.serviceWorkers().find(isOurs);
      if (existing) return existing;
      return ctx.waitForEvent('serviceworker', { predicate: isOurs, timeout: STEP_TIMEOUT_MS });
    };
    const worker = await currentWorker();
    /** The data channel tap of each of our workers (a restarted worker gets its own), in start order. @type {TappedWorker[]} */
    const tapped = [];
    /** @param {Worker} w */
    const tap = (w) => {
      if (tapped.some((t) => t.worker === w)) return;
      /** @type {TappedWorker} */
      const t = { worker: w, installed: installChannelTap(w), log: null, dead: false };
      t.installed.catch(() => {}); // reported when the recording is read
      w.once('close', () => (t.dead = true));
      tapped.push(t);
    };
    if (useWrapper) {
      // Before the first session (and before setSettings below); a restarted worker is tapped
      // as soon as Playwright sees it, long before it can have a session (a relay handshake).
      tap(worker);
      await tapped[0].installed;
      ctx.on('serviceworker', (w) => {
        if (isOursWorker(w, origin)) tap(w);
      });
    }
    /** Every data channel the tapped workers opened, in order (throws when the recording may miss some). */
    const channelSockets = () => readChannelTaps(tapped);

    /** @param {'in'|'out'} dir */
    const recordFiles = (dir) => {
      if (!existsSync(recordDir)) return [];
      return readdirSync(recordDir)
        .filter((f) => f.startsWith(`${dir}-`))
        .sort() // names are <dir>-<start time in ns>-<pid>: start order
        .map((f) => path.join(recordDir, f));
    };
    /** Each host process's recorded bytes, in start order. @param {'in'|'out'} dir */
    const recordedBytes = (dir) => recordFiles(dir).map((f) => readFileSync(f));
    /** @param {'in'|'out'} dir */
    const recorded = (dir) => (dir === 'in' ? opts.recordHostInput : opts.recordHostOutput) === true;
    /**
     * What the hosts received ('in') or wrote ('out'): native bytes, then the channels' texts.
     * The native files are read before the worker's tap, so the tap has every channel the
     * files show a barrier of (the tap notes a barrier before it reaches the host).
     * @param {'in'|'out'} dir
     */
    const bytesWithChannel = async (dir) => {
      if (!recorded(dir)) return Buffer.alloc(0);
      const raw = recordedBytes(dir);
      const files = raw.map((b) => decodeNativeFrames(b).messages);
      const sockets = await channelSockets();
      spliceChannels(files, sockets, dir); // only for its check that no channel is missing
      const texts = sockets.flatMap((s) => (dir === 'in' ? s.sent : s.received));
      return Buffer.concat([...raw, ...texts.map((t) => Buffer.from(`${t}\n`, 'utf8'))]);
    };
    /** @param {'in'|'out'} dir */
    const messagesWithChannel = async (dir) => {
      if (!recorded(dir)) return [];
      const files = recordedBytes(dir).map((b) => decodeNativeFrames(b).messages);
      return spliceChannels(files, await channelSockets(), dir);
    };

    /** @type {CotabBrowser} */
    const browser = {
      name: opts.name,
      context: ctx,
      worker,
      extensionId,
      userDataDir,
      origin,
      hostInput: () => bytesWithChannel('in'),
      hostOutput: () => bytesWithChannel('out'),
      hostInputMessages: () => messagesWithChannel('in'),
      hostOutputMessages: () => messagesWithChannel('out'),
      hostStderr: () => {
        const f = path.join(recordDir, 'stderr.log');
        return existsSync(f) ? readFileSync(f, 'utf8') : '';
      },
      currentWorker: async () => {
        browser.worker = await currentWorker();
        return browser.worker;
      },
      setSettings: async (settings) => {
        const w = await browser.currentWorker();
        await w.evaluate(
          async ({ patch, defaults }) => {
            const got = await chrome.storage.local.get('settings');
            const current = got.settings && typeof got.settings === 'object' ? got.settings : defaults;
            await chrome.storage.local.set({ settings: { ...defaults, ...current, ...patch } });
          },
          { patch: settings, defaults: DEFAULT_SETTINGS },
        );
      },
      close: cleanup,
    };
    await browser.setSettings({ ...(opts.settings ?? {}), relay: opts.relayUrl });
    return browser;
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * The worker's data channel state and counters (sw.js cotabDiagnostics().channel; native-port.js
 * ChannelStatus): state none|offered|connecting|up|refused|failed|lost|closed, requests, ups,
 * refused, failed, lost, sent, received, dropped (counters since the worker started).
 * @param {CotabBrowser} browser
 * @returns {Promise<import('../../extension/background/native-port.js').ChannelStatus>}
 */
export async function channelStatus(browser) {
  return (await workerDiagnostics(browser)).channel;
}

/**
 * The live worker's cotabDiagnostics() (sw.js): state, dropped counts, channel, viewers,
 * viewerLanes, popups…
 * @param {CotabBrowser} browser
 * @returns {Promise<any>}
 */
export async function workerDiagnostics(browser) {
  const w = await browser.currentWorker();
  return w.evaluate(() => {
    const g = /** @type {{cotabDiagnostics?: () => object}} */ (/** @type {unknown} */ (globalThis));
    if (!g.cotabDiagnostics) throw new Error('the worker has no cotabDiagnostics()');
    return g.cotabDiagnostics();
  });
}

/**
 * @typedef {object} Rig
 * @property {Relay} relay
 * @property {RecordingProxy} proxy   in front of the relay; both browsers use it
 * @property {import('../pages/server.mjs').PageServer} server  tests/pages served on 127.0.0.1
 * @property {CotabBrowser} customer
 * @property {CotabBrowser} agent
 * @property {() => Promise<void>} close  everything, browsers first
 */

/**
 * What most e2e files need: a relay behind a recording proxy, the page server, and a customer
 * and an agent browser that use the proxy. `customer`/`agent` are extra launchBrowser options.
 * @param {{customer?: Partial<Parameters<typeof launchBrowser>[0]>, agent?: Partial<Parameters<typeof launchBrowser>[0]>}} [opts]
 * @returns {Promise<Rig>}
 */
export async function startRig(opts = {}) {
  /** @type {Partial<Rig>} */
  const rig = {};
  const close = async () => {
    await Promise.all([rig.customer?.close(), rig.agent?.close()]);
    await rig.server?.close();
    await rig.proxy?.close();
    await rig.relay?.close();
  };
  try {
    rig.relay = await startRelay();
    const proxy = (rig.proxy = await startRecordingProxy(rig.relay.port));
    rig.server = await startPageServer();
    [rig.customer, rig.agent] = await Promise.all([
      launchBrowser({ ...opts.customer, name: 'customer', relayUrl: proxy.url }),
      launchBrowser({ ...opts.agent, name: 'agent', relayUrl: proxy.url }),
    ]);
    return /** @type {Rig} */ ({ ...rig, close });
  } catch (e) {
    await close();
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Extension UI (data-testid contract in the shared brief)

/**
 * The extension's tab id of `page` (found through the worker by URL; give pages distinct URLs).
 * @param {CotabBrowser} browser
 * @param {Page} page
 * @returns {Promise<number>}
 */
export async function tabIdOf(browser, page) {
  const url = page.url();
  const worker = await browser.currentWorker();
  const ids = await waitFor(
    async () => {
      const found = await worker.evaluate(async (u) => (await chrome.tabs.query({})).filter((t) => t.url === u).map((t) => t.id ?? -1), url);
      return found.length ? found : null;
    },
    { message: `a tab with url ${url}` },
  );
  if (ids.length !== 1) throw new Error(`${ids.length} tabs have url ${url}; give the test pages distinct URLs`);
  return ids[0];
}

/**
 * Opens the popup for tab `tabId` as a page (popup.html?tab=<id>), as the toolbar would.
 * @param {CotabBrowser} browser
 * @param {number} [tabId]  omitted: the plain popup (agent side)
 */
export async function openPopup(browser, tabId) {
  const page = await browser.context.newPage();
  const query = tabId === undefined ? '' : `?tab=${tabId}`;
  await page.goto(`${browser.origin}/popup/popup.html${query}`);
  return page;
}

/** @param {CotabBrowser} browser */
export function openAgentPopup(browser) {
  return openPopup(browser);
}

/**
 * Starts waiting for the consent window the customer's SW opens (popup.html?tab=…) when the agent
 * connects. Call before the agent joins; await the result afterwards.
 * @param {CotabBrowser} browser
 * @param {{timeout?: number}} [opts]
 */
export function expectConsentWindow(browser, opts = {}) {
  return nextPage(browser.context, (u) => u.startsWith(`${browser.origin}/popup/popup.html?tab=`), {
    ...opts,
    what: 'the consent window (popup.html?tab=…)',
  });
}

/**
 * Starts waiting for the viewer tab the agent's extension opens. Call before the action.
 * @param {CotabBrowser} browser
 * @param {{timeout?: number}} [opts]
 */
export function expectViewer(browser, opts = {}) {
  return nextPage(browser.context, (u) => u.startsWith(`${browser.origin}/viewer/viewer.html`), {
    ...opts,
    what: 'the viewer tab (viewer/viewer.html)',
  });
}

/**
 * Waits until the popup's [data-testid=state] says `mode:phase` (one of `states`).
 * @param {Page} popup
 * @param {string | string[]} states
 * @param {{timeout?: number}} [opts]
 */
export async function waitForPopupState(popup, states, opts = {}) {
  const list = Array.isArray(states) ? states : [states];
  const selector = list.map((s) => `[data-testid=state][data-state="${s}"]`).join(', ');
  try {
    await popup.locator(selector).first().waitFor({ state: 'attached', timeout: opts.timeout ?? STEP_TIMEOUT_MS });
  } catch (e) {
    const now = await popup.locator('[data-testid=state]').first().getAttribute('data-state', { timeout: 1000 }).catch(() => '<none>');
    throw new Error(`popup state: expected ${list.join(' | ')}, is ${now}`, { cause: e });
  }
}

/**
 * Waits until the viewer's [data-testid=viewer-state] data-state is one of `states`.
 * @param {Page} viewer
 * @param {string | string[]} states
 * @param {{timeout?: number}} [opts]
 */
export async function waitForViewerState(viewer, states, opts = {}) {
  const list = Array.isArray(states) ? states : [states];
  const selector = list.map((s) => `[data-testid=viewer-state][data-state="${s}"]`).join(', ');
  try {
    await viewer.locator(selector).first().waitFor({ state: 'attached', timeout: opts.timeout ?? STEP_TIMEOUT_MS });
  } catch (e) {
    throw new Error(`viewer state: expected ${list.join(' | ')}, is ${await viewerState(viewer)}`, { cause: e });
  }
}

/** @param {Page} viewer */
export async function viewerState(viewer) {
  return viewer.locator('[data-testid=viewer-state]').first().getAttribute('data-state', { timeout: 1000 }).catch(() => '<none>');
}

/**
 * Text of a data-testid element once it is non-empty (and matches `re` when given).
 * @param {Page} page
 * @param {string} testId
 * @param {{re?: RegExp, timeout?: number}} [opts]
 */
export async function testIdText(page, testId, opts = {}) {
  const loc = page.locator(`[data-testid=${testId}]`).first();
  return waitFor(
    async () => {
      const text = ((await loc.textContent({ timeout: 1000 })) ?? '').trim();
      return text && (!opts.re || opts.re.test(text)) ? text : null;
    },
    { timeout: opts.timeout, message: `[data-testid=${testId}] text${opts.re ? ` matching ${opts.re}` : ''}` },
  );
}

/** A session code as shown (e.g. "1164 · 345 · 722") → what the host accepts ("1164-345-722"). */
export const CODE_SHOWN = /\d{4}\D{0,4}\d{3}\D{0,4}\d{3}/;

/**
 * The code in the form the host parses, from however the UI shows it.
 * @param {string} shown
 */
export function typedCode(shown) {
  const d = shown.replace(/\D/g, '');
  if (d.length !== 10) throw new Error(`not a session code: ${JSON.stringify(shown)}`);
  return `${d.slice(0, 4)}-${d.slice(4, 7)}-${d.slice(7)}`;
}

/**
 * @typedef {object} Pair
 * @property {number} tabId          the customer's shared tab
 * @property {string} code           as the host formats it (dddd-ddd-ddd)
 * @property {string} codeShown      as the popup shows it
 * @property {Page} customerPopup    popup.html?tab=<tabId> (opened by the test, used to share)
 * @property {Page} consent          the consent window the customer's SW opened
 * @property {Page} agentPopup
 * @property {Page} viewer           the agent's viewer tab
 * @property {string} sas            as shown in the viewer
 */

/**
 * Walks share → join → (allow | deny | nothing): the customer shares `customerPage` from the
 * popup, the agent joins with the code shown, and the customer decides in the consent window
 * (after Allow, `customerPage` is brought to the front, as the customer returns to it).
 * Checks on the way that the consent window shows the same SAS as the viewer.
 * @param {{customer: CotabBrowser, agent: CotabBrowser, customerPage: Page,
 *   decision?: 'allow'|'deny'|'none', code?: (code: string) => string, timeout?: number}} opts
 * @returns {Promise<Pair>}
 */
export async function connectPair(opts) {
  const { customer, agent, customerPage } = opts;
  const timeout = opts.timeout ?? STEP_TIMEOUT_MS;
  const tabId = await tabIdOf(customer, customerPage);
  const customerPopup = await openPopup(customer, tabId);
  await customerPopup.getByTestId('share').click({ timeout });
  await waitForPopupState(customerPopup, 'customer:code', { timeout });
  const codeShown = await testIdText(customerPopup, 'code', { re: CODE_SHOWN, timeout });
  const code = typedCode(codeShown);

  const consentOpened = expectConsentWindow(customer, { timeout });
  const agentPopup = await openAgentPopup(agent);
  const viewerOpened = expectViewer(agent, { timeout });
  await agentPopup.getByTestId('join-code').fill(opts.code ? opts.code(code) : code, { timeout });
  await agentPopup.getByTestId('join-submit').click({ timeout });
  const viewer = await viewerOpened;
  const consent = await consentOpened;
  await waitForPopupState(consent, 'customer:consent', { timeout });
  const consentSas = await testIdText(consent, 'sas', { re: /\d/, timeout });
  const sas = await testIdText(viewer, 'viewer-sas', { re: /\d/, timeout });
  if (consentSas !== sas) throw new Error(`SAS differs: consent window "${consentSas}", viewer "${sas}"`);
  const decision = opts.decision ?? 'allow';
  if (decision !== 'none') await consent.getByTestId(decision).click({ timeout });
  if (decision === 'allow') {
    // The customer goes back to the shared tab (a background tab gets no animation frames, so
    // Playwright's clicks and wheel events on it would wait for them).
    await customerPage.bringToFront();
    await waitForViewerState(viewer, 'live', { timeout });
  }
  return { tabId, code, codeShown, customerPopup, consent, agentPopup, viewer, sas };
}

// ---------------------------------------------------------------------------------------------
// Recording what flows on the extension's internal ports

/**
 * @typedef {object} PortRecorder
 * @property {() => Promise<any[]>} received   messages the SW received on ports of that name
 * @property {() => Promise<any[]>} sent       messages the SW posted on them (after its own onConnect ran)
 * @property {() => Promise<Array<{tabId: number|null, url: string|null}>>} connections  who opened such ports
 * @property {(needle: string) => Promise<boolean>} includes  true when any recorded message's JSON contains `needle`
 * @property {() => Promise<number>} size      total recorded JSON characters
 */

/** @typedef {{received: string[], sent: string[], connections: Array<{tabId: number|null, url: string|null}>}} PortLog */

/**
 * Registers, in the service worker, an extra chrome.runtime.onConnect listener that records every
 * message on ports named `portName` (the same Port object reaches every listener): what the other
 * end posted (`received`) and what the SW posts (`sent`, by wrapping that port's postMessage — so
 * a message the SW posts synchronously inside its own onConnect listener is missed; for
 * 'cotab-viewer' also what it posts on the viewers' lanes, MessagePorts). Lost when
 * the worker restarts. Call before the port opens.
 * @param {CotabBrowser} browser
 * @param {string} portName  e.g. 'cotab-content', 'cotab-viewer'
 * @returns {Promise<PortRecorder>}
 */
export async function recordPort(browser, portName) {
  const worker = await browser.currentWorker();
  await worker.evaluate((name) => {
    const g = /** @type {{__cotabE2E?: Record<string, PortLog>}} */ (/** @type {unknown} */ (globalThis));
    const all = (g.__cotabE2E ??= {});
    if (all[name]) return;
    /** @type {PortLog} */
    const log = (all[name] = { received: [], sent: [], connections: [] });
    chrome.runtime.onConnect.addListener((port) => {
      if (port.name !== name) return;
      log.connections.push({ tabId: port.sender?.tab?.id ?? null, url: port.sender?.url ?? null });
      port.onMessage.addListener((m) => {
        log.received.push(JSON.stringify(m));
      });
      const post = port.postMessage.bind(port);
      port.postMessage = (m) => {
        log.sent.push(JSON.stringify(m));
        post(m);
      };
    });
    // What goes to a viewer once its lane is up (a MessagePort, sw.js) counts as sent on its port:
    // the worker posts on MessagePorts for viewer lanes only.
    if (name === 'cotab-viewer') {
      const lanePost = MessagePort.prototype.postMessage;
      MessagePort.prototype.postMessage = function (/** @type {unknown} */ m, /** @type {any} */ transfer) {
        log.sent.push(JSON.stringify(m));
        return lanePost.call(this, m, transfer);
      };
    }
  }, portName);
  /**
   * @template R
   * @param {(log: PortLog | undefined, arg: string) => R} fn  runs in the worker (self-contained)
   * @param {string} [arg]
   * @returns {Promise<R>}
   */
  const inWorker = async (fn, arg = '') => {
    const w = await browser.currentWorker();
    return w.evaluate(
      ({ name, src, arg }) => {
        const g = /** @type {{__cotabE2E?: Record<string, PortLog>}} */ (/** @type {unknown} */ (globalThis));
        // eslint-disable-next-line no-new-func
        return /** @type {(l: PortLog | undefined, a: string) => R} */ (new Function(`return (${src})`)())(g.__cotabE2E?.[name], arg);
      },
      { name: portName, src: fn.toString(), arg },
    );
  };
  return {
    received: async () => (await inWorker((log) => log?.received ?? [])).map((t) => JSON.parse(t)),
    sent: async () => (await inWorker((log) => log?.sent ?? [])).map((t) => JSON.parse(t)),
    connections: () => inWorker((log) => log?.connections ?? []),
    includes: (needle) => inWorker((log, n) => !!log && [...log.received, ...log.sent].some((t) => t.includes(n)), needle),
    size: () => inWorker((log) => (log ? [...log.received, ...log.sent].reduce((n, t) => n + t.length, 0) : 0)),
  };
}

/**
 * Records, in the service worker, every chrome.runtime.sendMessage that comes from a tab (a
 * content script) — the other way a content script could hand data to the SW. Call before the
 * session starts.
 * @param {CotabBrowser} browser
 * @returns {Promise<{texts: () => Promise<string[]>}>}
 */
export async function recordTabMessages(browser) {
  const worker = await browser.currentWorker();
  await worker.evaluate(() => {
    const g = /** @type {{__cotabE2ETabMessages?: string[]}} */ (/** @type {unknown} */ (globalThis));
    if (g.__cotabE2ETabMessages) return;
    const log = (g.__cotabE2ETabMessages = /** @type {string[]} */ ([]));
    chrome.runtime.onMessage.addListener((m, sender) => {
      if (sender.tab) log.push(JSON.stringify(m) ?? 'undefined');
      return false;
    });
  });
  return {
    texts: async () =>
      (await browser.currentWorker()).evaluate(() => {
        const g = /** @type {{__cotabE2ETabMessages?: string[]}} */ (/** @type {unknown} */ (globalThis));
        return g.__cotabE2ETabMessages ?? [];
      }),
  };
}

/**
 * Sends a popup command (`chrome.runtime.sendMessage({cmd, ...})`) from a short-lived extension
 * page, as the popup would; returns the SW's reply.
 * @param {CotabBrowser} browser
 * @param {{cmd: string} & Record<string, unknown>} message
 * @returns {Promise<any>}
 */
export async function sendCommand(browser, message) {
  const page = await browser.context.newPage();
  try {
    await page.goto(`${browser.origin}/popup/popup.html`);
    return await page.evaluate((m) => chrome.runtime.sendMessage(m), message);
  } finally {
    await page.close();
  }
}

/**
 * Ends whatever session `browser` has (stop, then leave), waits until its state is not active,
 * and closes every page but one blank tab — so tests sharing a browser start from idle.
 * @param {CotabBrowser} browser
 */
export async function resetSession(browser) {
  await sendCommand(browser, { cmd: 'stop' }).catch(() => {});
  await sendCommand(browser, { cmd: 'leave' }).catch(() => {});
  await waitFor(
    async () => {
      const reply = await sendCommand(browser, { cmd: 'state' });
      const phase = reply?.state?.phase;
      return phase === 'idle' || phase === 'ended' || phase === 'denied';
    },
    { message: `${browser.name}: session state idle/ended` },
  );
  const pages = browser.context.pages();
  const keep = await browser.context.newPage();
  for (const p of pages) if (p !== keep) await p.close().catch(() => {});
}

// ---------------------------------------------------------------------------------------------
// The mirror

/**
 * Runs `fn(mirrorDocument, arg)` inside the viewer page (the mirror is a sandbox="allow-same-origin"
 * iframe, so the viewer's own JS can read its document). `fn` must be self-contained.
 * @template A, R
 * @param {Page} viewer
 * @param {(doc: Document, arg: A) => R} fn
 * @param {A} arg
 * @returns {Promise<R>}
 */
export async function inMirror(viewer, fn, arg) {
  return viewer.evaluate(
    ({ src, arg }) => {
      const frame = /** @type {HTMLIFrameElement | null} */ (document.querySelector('iframe[data-testid=mirror]'));
      const doc = frame?.contentDocument;
      if (!doc) throw new Error('no mirror iframe with a document');
      // eslint-disable-next-line no-new-func
      return /** @type {(d: Document, a: unknown) => R} */ (new Function(`return (${src})`)())(doc, arg);
    },
    { src: fn.toString(), arg },
  );
}

const NORMALIZE_FILE = path.join(ROOT, 'tests/js/browser/normalize.js');

/** Source of the shared normalizer (tests/js/browser/normalize.js), as an expression. */
function normalizerSource() {
  if (!existsSync(NORMALIZE_FILE)) throw new Error(`${NORMALIZE_FILE} does not exist yet`);
  return readFileSync(NORMALIZE_FILE, 'utf8');
}

/**
 * The normalized DOM of `page`'s document (the customer's page), as the shared normalizer sees it.
 * @param {Page} page
 * @param {object} [options]  passed to the normalizer
 * @returns {Promise<string>}
 */
export async function normalizedPage(page, options = {}) {
  return page.evaluate(
    async ({ src, options, run }) => /** @type {string} */ (await new Function(`return (${run})`)()(src, document, options, false, false)),
    { src: normalizerSource(), options, run: runNormalizer.toString() },
  );
}

/**
 * The normalized DOM of the viewer's mirror document.
 * @param {Page} viewer
 * @param {object} [options]
 * @returns {Promise<string>}
 */
export async function normalizedMirror(viewer, options = {}) {
  return viewer.evaluate(
    async ({ src, options, run }) => {
      const frame = /** @type {HTMLIFrameElement | null} */ (document.querySelector('iframe[data-testid=mirror]'));
      const doc = frame?.contentDocument;
      if (!doc) throw new Error('no mirror iframe with a document');
      return /** @type {string} */ (await new Function(`return (${run})`)()(src, doc, options, true, false));
    },
    { src: normalizerSource(), options, run: runNormalizer.toString() },
  );
}

/**
 * SHA-256 (hex) and length of the normalized DOM, computed inside the page: for big pages, so that
 * megabytes of text need not cross the DevTools protocol on every poll.
 * @param {Page} page
 * @param {'document'|'mirror'} which  `mirror`: `page` is the viewer, digest its mirror iframe
 * @param {object} [options]
 * @returns {Promise<string>}
 */
export async function normalizedDigest(page, which, options = {}) {
  return page.evaluate(
    async ({ src, options, run, which }) => {
      let doc = document;
      if (which === 'mirror') {
        const frame = /** @type {HTMLIFrameElement | null} */ (document.querySelector('iframe[data-testid=mirror]'));
        const inner = frame?.contentDocument;
        if (!inner) throw new Error('no mirror iframe with a document');
        doc = inner;
      }
      return /** @type {string} */ (await new Function(`return (${run})`)()(src, doc, options, which === 'mirror', true));
    },
    { src: normalizerSource(), options, run: runNormalizer.toString(), which },
  );
}

/**
 * Evaluates the normalizer's source and applies it. Serialized into the page by Playwright, so it
 * must be self-contained. The source defines `normalizeDom(opts)` (tests/js/browser/normalize.js).
 * @param {string} src
 * @param {Document} doc
 * @param {object} options
 * @param {boolean} mirror  `doc` is the mirror (masked/blocked as marked by the Mirror), else the
 *   customer's page (the extension's own <cotab-indicator> and <cotab-overlay> skipped)
 * @param {boolean} digest  return "<sha-256 hex>:<length>" instead of the text
 * @returns {Promise<string>}
 */
async function runNormalizer(src, doc, options, mirror, digest) {
  // eslint-disable-next-line no-new-func
  const fn = new Function(`${src.replace(/^export\s+/gm, '')}\nreturn normalizeDom;`)();
  const out = fn({ ...options, doc, ...(mirror ? { mirror: true } : { skip: 'cotab-indicator, cotab-overlay' }) });
  const text = typeof out === 'string' ? out : JSON.stringify(out, null, 1);
  if (!digest) return text;
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return `${[...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, '0')).join('')}:${text.length}`;
}

/**
 * The first line where two normalized DOMs differ, with a little context.
 * @param {string} a
 * @param {string} b
 */
export function firstDifference(a, b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      const ctx = (/** @type {string[]} */ l) => l.slice(Math.max(0, i - 2), i + 3).join('\n');
      return `line ${i + 1}:\n--- page\n${ctx(la)}\n--- mirror\n${ctx(lb)}`;
    }
  }
  return 'no difference';
}

/**
 * Polls until the viewer's mirror, normalized, equals the customer's page, normalized.
 * `digest`: compare SHA-256 digests computed in the pages (big pages); the texts are fetched only
 * for the failure message.
 * @param {Page} customerPage
 * @param {Page} viewer
 * @param {{timeout?: number, options?: object, what?: string, digest?: boolean}} [opts]
 * @returns {Promise<void>}
 */
export async function waitForMirrorEqual(customerPage, viewer, opts = {}) {
  let last = { page: '', mirror: '' };
  await waitFor(
    async () => {
      const [p, m] = await Promise.all(
        opts.digest
          ? [normalizedDigest(customerPage, 'document', opts.options), normalizedDigest(viewer, 'mirror', opts.options)]
          : [normalizedPage(customerPage, opts.options), normalizedMirror(viewer, opts.options)],
      );
      last = { page: p, mirror: m };
      return p === m;
    },
    {
      timeout: opts.timeout,
      interval: opts.digest ? 500 : 100,
      message: async () => {
        if (opts.digest) {
          last = await Promise.all([normalizedPage(customerPage, opts.options), normalizedMirror(viewer, opts.options)])
            .then(([page, mirror]) => ({ page, mirror }))
            .catch(() => last);
        }
        return `mirror == page${opts.what ? ` (${opts.what})` : ''}; viewer state ${await viewerState(viewer)}; ${firstDifference(last.page, last.mirror)}`;
      },
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Tiny page server for pages the tests write inline (the generated fixtures live in tests/pages)

/**
 * Serves `routes` (path → HTML text, a function returning it, or `{type, body}` for anything
 * else, e.g. a script) on 127.0.0.1:<free port>. Also records every request (path + query).
 * @param {Record<string, string | ((url: URL) => string) | {type: string, body: string | Buffer}>} routes
 */
export async function serveHtml(routes) {
  const http = await import('node:http');
  /** @type {URL[]} */
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    const route = routes[url.pathname];
    if (route === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof route === 'object') {
      res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' }).end(route.body);
      return;
    }
    const body = typeof route === 'function' ? route(url) : route;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('page server has no port');
  return {
    origin: `http://127.0.0.1:${addr.port}`,
    requests: () => [...requests],
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/**
 * Runs `fn(document, arg)` in `page` (any page: the customer's, a popup). `fn` must be self-contained.
 * @template A, R
 * @param {Page} page
 * @param {(doc: Document, arg: A) => R} fn
 * @param {A} arg
 * @returns {Promise<R>}
 */
export async function inPage(page, fn, arg) {
  return page.evaluate(
    ({ src, arg }) =>
      // eslint-disable-next-line no-new-func
      /** @type {(d: Document, a: unknown) => R} */ (new Function(`return (${src})`)())(document, arg),
    { src: fn.toString(), arg },
  );
}

/**
 * The elements inside the closed shadow root of `hostTag` in `page` (the extension's in-page UI:
 * the page's own scripts cannot see them; the DevTools protocol can), each with its attributes and
 * its border box in CSS px of the viewport (null when it has no box).
 * @param {Page} page
 * @param {string} hostTag  e.g. 'cotab-overlay'
 * @returns {Promise<Array<{name: string, attrs: Record<string, string>, box: {x: number, y: number, w: number, h: number} | null}>>}
 */
export async function closedShadowElements(page, hostTag) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { root } = await cdp.send('DOM.getDocument', { depth: -1, pierce: true });
    /** @type {any[]} */
    const found = [];
    /** @param {any} node @param {boolean} inside */
    const walk = (node, inside) => {
      if (inside && node.nodeType === 1) found.push(node);
      for (const c of node.children ?? []) walk(c, inside);
      for (const s of node.shadowRoots ?? []) walk(s, inside || node.localName === hostTag);
    };
    walk(root, false);
    const out = [];
    for (const n of found) {
      /** @type {Record<string, string>} */
      const attrs = {};
      for (let i = 0; i + 1 < (n.attributes ?? []).length; i += 2) attrs[n.attributes[i]] = n.attributes[i + 1];
      let box = null;
      try {
        const { model } = await cdp.send('DOM.getBoxModel', { nodeId: n.nodeId });
        const q = model.border;
        const xs = [q[0], q[2], q[4], q[6]];
        const ys = [q[1], q[3], q[5], q[7]];
        box = { x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
      } catch {
        box = null; // not rendered
      }
      out.push({ name: n.localName, attrs, box });
    }
    return out;
  } finally {
    await cdp.detach();
  }
}

/**
 * Where the mirror's first `selector` match is on the viewer's screen (viewer CSS px), at fractions
 * fx,fy of its box: through the shown mirror iframe's position and the scale it is drawn at.
 * @param {Page} viewer
 * @param {string} selector
 * @param {number} [fx]
 * @param {number} [fy]
 * @returns {Promise<{x: number, y: number}>}
 */
export async function mirrorPoint(viewer, selector, fx = 0.5, fy = 0.5) {
  return viewer.evaluate(
    ({ selector, fx, fy }) => {
      const frames = [...document.querySelectorAll('#mirror-host iframe')].filter((f) => f instanceof HTMLIFrameElement && getComputedStyle(f).display !== 'none');
      const frame = /** @type {HTMLIFrameElement} */ (frames.at(-1));
      const el = frame?.contentDocument?.querySelector(selector);
      if (!el) throw new Error(`no ${selector} in the mirror`);
      const fr = frame.getBoundingClientRect();
      const s = fr.width / frame.offsetWidth;
      const r = el.getBoundingClientRect();
      return { x: fr.left + (r.left + fx * r.width) * s, y: fr.top + (r.top + fy * r.height) * s };
    },
    { selector, fx, fy },
  );
}

/**
 * The customer scrolls the first `selector` match into the middle of the tab; resolves when the
 * mirror has scrolled the same way (the agent can only point at what the customer's viewport
 * shows). The window's scroll is compared, not element positions: the agent's tools anchor to
 * elements, so a small layout difference between page and mirror does not move them.
 * @param {Page} page  the customer's shared tab
 * @param {Page} viewer
 * @param {string} selector
 */
export async function showInMirror(page, viewer, selector) {
  const y = await page.evaluate((sel) => {
    document.querySelector(sel)?.scrollIntoView({ block: 'center', inline: 'nearest' });
    return scrollY;
  }, selector);
  await waitFor(
    () =>
      viewer.evaluate((y) => {
        const frames = [...document.querySelectorAll('#mirror-host iframe')].filter((f) => f instanceof HTMLIFrameElement && getComputedStyle(f).display !== 'none');
        const win = /** @type {HTMLIFrameElement | undefined} */ (frames.at(-1))?.contentWindow;
        return win ? Math.abs(win.scrollY - y) < 1 : false;
      }, y),
    { message: `the mirror scrolled to ${y} like the page (to show ${selector})` },
  );
}

/** How long the consent window's Allow ignores clicks after a request appears (popup.js ASK_ARMING_MS), plus slack. */
const ASK_ARMED_AFTER_MS = 800;

/**
 * The agent asks for `cap` in the viewer; the customer allows it in the consent window; resolves
 * when the viewer shows it granted (and the customer is back on the shared tab).
 * @param {{viewer: Page, consent: Page, page: Page, cap: string}} opts
 */
export async function grantCapability({ viewer, consent, page, cap }) {
  await viewer.getByTestId(`ask-${cap}`).click();
  await consent.getByTestId('ask').waitFor({ state: 'visible' });
  await delay(ASK_ARMED_AFTER_MS);
  await consent.getByTestId('ask-allow').click();
  await viewer.locator(`[data-testid=cap-${cap}][data-state=granted]`).waitFor();
  await page.bringToFront();
}
