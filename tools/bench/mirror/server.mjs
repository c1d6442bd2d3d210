// The benchmark's local server on 127.0.0.1: serves the test pages over HTTP and relays WebSocket
// messages between a customer page and a viewer page (the transport an rrweb integrator would
// write: every message from one side goes to the other, in order; messages sent before the other
// side is connected wait for it).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

// `ws` ships no type declarations (and @types/ws is not among the project's packages), so it is
// loaded through require and described here by the little this file uses of it.
/**
 * @typedef {object} RelaySocket
 * @property {(data: string) => void} send
 * @property {(code?: number, reason?: string) => void} close
 * @property {() => void} terminate
 * @property {number} readyState
 * @property {number} OPEN
 * @property {(event: 'message' | 'close', listener: (data: {toString(): string}) => void) => void} on
 */
/**
 * @typedef {object} RelayServer
 * @property {Set<RelaySocket>} clients
 * @property {(event: 'connection', listener: (ws: RelaySocket, req: import('node:http').IncomingMessage) => void) => void} on
 * @property {(done: () => void) => void} close
 */
/** @type {{WebSocketServer: new (opts: {server: import('node:http').Server, maxPayload: number}) => RelayServer}} */
const wsPackage = createRequire(import.meta.url)('ws');

/** An empty page for viewers. */
const BLANK_PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>viewer</title></head><body></body></html>';

/**
 * @typedef {object} BenchServer
 * @property {string} origin e.g. http://127.0.0.1:40123
 * @property {(name: string, html: string) => string} addPage serves `html`, returns its URL
 * @property {(room: string, role: 'customer' | 'viewer') => string} relayUrl
 * @property {() => Promise<void>} close
 */

/**
 * What the pages load besides themselves (style sheets, images): path → response, or null (404).
 * @typedef {(pathname: string) => {type: string, body: string} | null} AssetResolver
 */

/**
 * @param {{assets?: AssetResolver}} [opts]
 * @returns {Promise<BenchServer>}
 */
export async function startServer(opts = {}) {
  /** @type {Map<string, string>} */
  const pages = new Map([['/blank', BLANK_PAGE]]);
  const http = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const html = pages.get(pathname);
    const asset = html === undefined ? (opts.assets?.(pathname) ?? null) : { type: 'text/html; charset=utf-8', body: html };
    if (asset === null) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // Pages are fetched anew each time; their assets are cacheable, as a site's images and style
    // sheets are (the viewer browser fetches each once, like a returning agent).
    const cache = html === undefined ? 'public, max-age=3600' : 'no-store';
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': cache }).end(asset.body);
  });

  /** @typedef {{sockets: Partial<Record<'customer' | 'viewer', RelaySocket>>, pending: Record<'customer' | 'viewer', string[]>}} Room */
  /** @type {Map<string, Room>} */
  const rooms = new Map();
  const wss = new wsPackage.WebSocketServer({ server: http, maxPayload: 256 * 1024 * 1024 });
  wss.on('connection', (socket, req) => {
    const match = /^\/relay\/([\w-]+)\/(customer|viewer)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) {
      socket.close(1008, 'bad path');
      return;
    }
    const [, name, roleText] = match;
    const role = roleText === 'customer' ? 'customer' : 'viewer';
    const other = role === 'customer' ? 'viewer' : 'customer';
    let room = rooms.get(name);
    if (!room) {
      room = { sockets: {}, pending: { customer: [], viewer: [] } };
      rooms.set(name, room);
    }
    const r = room;
    r.sockets[role]?.close(1000, 'replaced');
    r.sockets[role] = socket;
    for (const m of r.pending[role]) socket.send(m);
    r.pending[role] = [];
    // The pages send text only; it is passed on as text.
    socket.on('message', (data) => {
      const m = data.toString();
      const peer = r.sockets[other];
      if (peer && peer.readyState === peer.OPEN) peer.send(m);
      else r.pending[other].push(m);
    });
    socket.on('close', () => {
      if (r.sockets[role] === socket) delete r.sockets[role];
      if (!r.sockets.customer && !r.sockets.viewer) rooms.delete(name);
    });
  });

  await new Promise((resolve) => http.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    addPage(name, html) {
      pages.set(`/page/${name}`, html);
      return `${origin}/page/${name}`;
    },
    relayUrl: (room, role) => `ws://127.0.0.1:${address.port}/relay/${room}/${role}`,
    async close() {
      for (const c of wss.clients) c.terminate();
      await new Promise((resolve) => wss.close(() => resolve(undefined)));
      await new Promise((resolve) => http.close(() => resolve(undefined)));
    },
  };
}
