// How the benchmark's page scripts expose commands to the Node side: one object on globalThis
// under COMMANDS_KEY, filled by every bundle loaded into the page (browsers.mjs `call` uses it).

export const COMMANDS_KEY = '__cotabBench';

/** @typedef {(arg: any) => unknown} Command */

/**
 * Adds `commands` to the page's command table.
 * @param {Record<string, Command>} commands
 */
export function register(commands) {
  const existing = Reflect.get(globalThis, COMMANDS_KEY);
  const table = typeof existing === 'object' && existing !== null ? existing : {};
  Object.assign(table, commands);
  Reflect.set(globalThis, COMMANDS_KEY, table);
}

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes. */
export function wallNow() {
  return performance.timeOrigin + performance.now();
}

/** @returns {Promise<void>} after the next task (yields to the event loop once) */
export function nextTask() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

/** @returns {Promise<void>} after the next frame was rendered (the task after its rAF callback) */
export function afterNextFrame() {
  return new Promise((resolve) => requestAnimationFrame(() => resolve(nextTask())));
}

/** Runs V8's garbage collector when the browser was started with --js-flags=--expose-gc. */
export function collectGarbage() {
  const gc = Reflect.get(globalThis, 'gc');
  if (typeof gc === 'function') gc();
}

/**
 * Opens a WebSocket to the benchmark's relay (server.mjs) and resolves once it is open.
 * @param {string} url
 * @returns {Promise<WebSocket>}
 */
export function openSocket(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
}
