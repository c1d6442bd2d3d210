// A cotab-host process driven from Node over native-messaging framing, as the extension drives it
// — but by a test, so it can say anything: the hostile-agent tests use it as an agent that sends
// crafted app messages straight into its host, with no viewer and no service worker in the way.
// The customer's side stays the real extension in a real browser.

import { spawn } from 'node:child_process';

import { HOST_BIN } from './harness.mjs';

/** The extension origin the host is started for (Chromium passes it as the first argument). */
const ORIGIN = 'chrome-extension://mnknokapbblehlbilofanegdjpgoobcc/';
/** How long next() waits by default. */
export const DRIVER_WAIT_MS = 20_000;

export class HostDriver {
  /** @param {{env?: Record<string, string>, stderr?: 'pipe' | 'inherit'}} [opts]  env: added to the host's environment */
  constructor(opts = {}) {
    this.proc = spawn(HOST_BIN, [ORIGIN], { stdio: ['pipe', 'pipe', opts.stderr ?? 'pipe'], env: { ...process.env, ...opts.env } });
    /** Where take() goes on from. */
    this.cursor = 0;
    this.buffer = Buffer.alloc(0);
    /** @type {Map<number, string>} */
    this.chunks = new Map();
    /** Every host message, in order (chunks reassembled). @type {any[]} */
    this.log = [];
    /** @type {Array<() => void>} */
    this.wake = [];
    this.stderr = '';
    this.proc.stderr?.setEncoding('utf8').on('data', (s) => (this.stderr += s));
    const { stdin, stdout } = this.proc;
    if (!stdin || !stdout) throw new Error('host driver: no pipes to the host');
    this.stdin = stdin;
    stdout.on('data', (d) => this.onData(d));
    this.exited = new Promise((resolve) => this.proc.once('exit', resolve));
  }

  /** @param {object} message */
  send(message) {
    this.sendRaw(Buffer.from(JSON.stringify(message)));
  }

  /** One frame with exactly these bytes as its body (the length prefix is added). @param {Buffer} body */
  sendRaw(body) {
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length);
    this.stdin.write(Buffer.concat([head, body]));
  }

  /** An app message to the peer (app.md), inside the host's `send`. @param {unknown} data */
  app(data) {
    this.send({ type: 'send', data });
  }

  /** @param {Buffer} d */
  onData(d) {
    this.buffer = Buffer.concat([this.buffer, d]);
    while (this.buffer.length >= 4) {
      const n = this.buffer.readUInt32LE(0);
      if (this.buffer.length < 4 + n) break;
      let m = JSON.parse(this.buffer.subarray(4, 4 + n).toString('utf8'));
      this.buffer = this.buffer.subarray(4 + n);
      if (m.type === 'chunk') {
        const text = (this.chunks.get(m.id) ?? '') + m.part;
        if (m.index + 1 < m.count) {
          this.chunks.set(m.id, text);
          continue;
        }
        this.chunks.delete(m.id);
        m = JSON.parse(text);
      }
      this.log.push(m);
      for (const w of this.wake.splice(0)) w();
    }
  }

  /** The app messages received from the peer so far. @returns {any[]} */
  received() {
    return this.log.filter((m) => m.type === 'recv').map((m) => m.data);
  }

  /**
   * The first host message from index `from` on that matches.
   * @param {(m: any) => boolean} match
   * @param {{from?: number, timeout?: number, what?: string}} [opts]
   * @returns {Promise<any>}
   */
  async next(match, opts = {}) {
    const deadline = Date.now() + (opts.timeout ?? DRIVER_WAIT_MS);
    for (let i = opts.from ?? 0; ; ) {
      for (; i < this.log.length; i++) if (match(this.log[i])) return this.log[i];
      const left = deadline - Date.now();
      if (left <= 0 || this.proc.exitCode !== null) {
        throw new Error(`host driver: no ${opts.what ?? 'matching message'} (last: ${JSON.stringify(this.log.slice(-3)).slice(0, 400)}; stderr: ${this.stderr.slice(-400)})`);
      }
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.wake.push(() => {
          clearTimeout(t);
          resolve(undefined);
        });
      });
    }
  }

  /**
   * The next host message after the previous take() (status reports passed to `onSkip`), which
   * must be of `type`.
   * @param {string} type
   * @param {(m: any) => void} [onSkip]  sees each skipped `status`
   */
  async take(type, onSkip) {
    for (;;) {
      const m = await this.next(() => true, { from: this.cursor, what: `a ${type}` });
      this.cursor = this.log.indexOf(m, this.cursor) + 1;
      if (m.type === 'status') {
        onSkip?.(m);
        continue;
      }
      if (m.type !== type) throw new Error(`host driver: expected ${type}, got ${JSON.stringify(m).slice(0, 300)}`);
      return m;
    }
  }

  /**
   * The first app message from the peer (from log index `from` on) that matches.
   * @param {(d: any) => boolean} match
   * @param {{from?: number, timeout?: number, what?: string}} [opts]
   */
  async nextApp(match, opts = {}) {
    const m = await this.next((x) => x.type === 'recv' && match(x.data), opts);
    return m.data;
  }

  async close() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) {
      this.stdin.end();
      const timer = setTimeout(() => this.proc.kill('SIGKILL'), 3000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

/**
 * A snapshot's records, replayed: id → the record's tag and attributes, so a test agent can name
 * the customer's elements the way the viewer would (by the ids the customer gave them).
 * @param {any[]} messages  app messages of one epoch (snap, part…, snapend, m…)
 * @returns {Map<number, {tag: string, attrs: Record<string, string>, props: Record<string, unknown>}>}
 */
export function recordIndex(messages) {
  /** @type {Map<number, {tag: string, attrs: Record<string, string>, props: Record<string, unknown>}>} */
  const index = new Map();
  /** @param {any[]} recs @param {number} first */
  const add = (recs, first) =>
    recs.forEach((r, i) => {
      const attrs = r[1] !== '#t' && r[2] && typeof r[2] === 'object' ? r[2] : {};
      const props = r[1] !== '#t' && r[3] && typeof r[3] === 'object' ? r[3] : {};
      index.set(first + i, { tag: r[1], attrs, props });
    });
  for (const m of messages) {
    if (m.k === 'part') add(m.n, m.first);
    if (m.k === 'm') for (const op of m.ops) if (op[0] === 1) add(op[4], op[3]);
  }
  return index;
}

/**
 * The id of the element whose `attr` is `value` in the index.
 * @param {Map<number, {tag: string, attrs: Record<string, string>, props: Record<string, unknown>}>} index
 * @param {string} attr
 * @param {string} value
 */
export function idWhere(index, attr, value) {
  for (const [id, r] of index) if (r.attrs[attr] === value) return id;
  throw new Error(`no recorded element with ${attr}="${value}"`);
}

/**
 * The ids of the blocked boxes (records with the `block` prop: no attributes, no children).
 * @param {Map<number, {tag: string, attrs: Record<string, string>, props: Record<string, unknown>}>} index
 */
export function blockedIds(index) {
  return [...index].filter(([, r]) => r.props.block === 1).map(([id]) => id);
}
