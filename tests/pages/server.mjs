// A tiny HTTP server for the generated test pages, on 127.0.0.1 and an ephemeral port. Both the
// customer's and the agent's browser load pages and resources from it. Generated bodies are
// cached, resources carry caching headers and CORS (the agent's viewer loads fonts and images
// cross-origin), /beacon records every hit (the hostile page's payloads report there).
//
//   /                     index of the pages
//   /big/<n>[?seed=]      bigPage({elements: n})            (10000, 50000, 100000, …)
//   /table/<rows>[?cols=] longTable({rows, cols})
//   /css/<rules>          heavyCss({rules})
//   /css/site.css         the served style sheet the big page links
//   /demo /hostile /mask  demoPage(), hostilePage({beaconUrl: <url>/beacon}), maskPage()
//   /hostile/payload.js   /hostile/embed.svg?id=   resources of the hostile page
//   /img/<name>.svg       generated pictures (svgImage)
//   /beacon               any method; recorded in `hits`; 204
//   /slow-font.woff2      404 (every page's @font-face asks for it)
//   anything else         a file under `root` (default tests/pages/static/), or 404

import { createServer } from 'node:http';
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bigPage, longTable, heavyCss, demoPage, hostilePage, hostileScript, hostileSvg, maskPage, siteCss, svgImage,
  BIG_PAGE_MIN_ELEMENTS, BIG_PAGE_MAX_ELEMENTS,
} from './generate.mjs';

/** Largest beacon body kept (sendBeacon / POST); the rest is dropped. */
export const BEACON_MAX_BODY_BYTES = 64 * 1024;
/** Generated bodies kept in memory, most recently used first out of the way. */
export const PAGE_CACHE_MAX_ENTRIES = 256;
/** Entries kept in `requests` (the older half is dropped when it is full); `hits` are all kept. */
export const REQUEST_LOG_MAX_ENTRIES = 100_000;
/** Default wait of `waitForHit`. */
export const WAIT_FOR_HIT_DEFAULT_MS = 10_000;

const DEFAULT_ROOT = fileURLToPath(new URL('./static/', import.meta.url));

/** @type {Record<string, string>} */
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif',
  '.webp': 'image/webp', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff', '.txt': 'text/plain; charset=utf-8',
  '.mp4': 'video/mp4', '.webm': 'video/webm', '.wasm': 'application/wasm',
};

/** Pages revalidate (ETag), resources may be cached by both browsers. */
const CACHE_PAGE = 'no-cache';
const CACHE_RESOURCE = 'public, max-age=86400';

/**
 * @typedef {object} Hit
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {import('node:http').IncomingHttpHeaders} headers
 * @property {string} body the request body (beacons sent with POST), at most BEACON_MAX_BODY_BYTES
 * @property {number} at Date.now() when it arrived
 */

/**
 * @typedef {object} RequestLog
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} query
 * @property {import('node:http').IncomingHttpHeaders} headers
 * @property {number} status
 */

/**
 * @typedef {object} PageServer
 * @property {string} url "http://127.0.0.1:<port>" (no trailing slash)
 * @property {number} port
 * @property {Hit[]} hits every /beacon request, in arrival order
 * @property {RequestLog[]} requests the latest requests (up to REQUEST_LOG_MAX_ENTRIES), in arrival order
 * @property {(predicate: (hit: Hit) => boolean, options?: {timeoutMs?: number}) => Promise<Hit>} waitForHit resolves with the first hit (past or future) that matches
 * @property {() => Promise<void>} close stops listening and drops open connections
 */

/** @typedef {{type: string, body: Buffer, cache: string, etag: string}} Entry */

/**
 * @param {string} type
 * @param {string | Buffer} body
 * @param {string} cache
 * @returns {Entry}
 */
function entry(type, body, cache) {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { type, body: buf, cache, etag: `"${createHash('sha1').update(buf).digest('base64url')}"` };
}

/**
 * @param {string | null} text
 * @param {number} min
 * @param {number} max
 * @returns {number | null} the integer, or null when absent or out of range
 */
function intParam(text, min, max) {
  if (text === null || !/^\d{1,7}$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

/**
 * @param {{root?: string}} [options] root: folder of extra static files
 * @returns {Promise<PageServer>}
 */
export async function startPageServer({ root = DEFAULT_ROOT } = {}) {
  const staticRoot = path.resolve(root);
  /** @type {Map<string, Entry>} */
  const cache = new Map();
  /** @type {Hit[]} */
  const hits = [];
  /** @type {RequestLog[]} */
  const requests = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let origin = '';

  /**
   * @param {string} key
   * @param {() => Entry} make
   * @returns {Entry}
   */
  function cached(key, make) {
    let hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    hit = make();
    cache.set(key, hit);
    if (cache.size > PAGE_CACHE_MAX_ENTRIES) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    return hit;
  }

  /**
   * The generated resource for a path, or null.
   * @param {URL} url
   * @returns {Entry | null}
   */
  function generated(url) {
    const p = url.pathname;
    const html = 'text/html; charset=utf-8';
    let m;
    if (p === '/') return cached('/', () => entry(html, indexPage(), CACHE_PAGE));
    if ((m = /^\/big\/(\d+)$/.exec(p))) {
      const n = intParam(m[1], BIG_PAGE_MIN_ELEMENTS, BIG_PAGE_MAX_ELEMENTS);
      const seed = intParam(url.searchParams.get('seed') ?? '1', 0, 1_000_000);
      if (n === null || seed === null) return null;
      return cached(`big:${n}:${seed}`, () => entry(html, bigPage({ elements: n, seed }), CACHE_PAGE));
    }
    if ((m = /^\/table\/(\d+)$/.exec(p))) {
      const rows = intParam(m[1], 1, 200_000);
      const cols = intParam(url.searchParams.get('cols') ?? '8', 1, 64);
      if (rows === null || cols === null) return null;
      return cached(`table:${rows}:${cols}`, () => entry(html, longTable({ rows, cols }), CACHE_PAGE));
    }
    if (p === '/css/site.css') return cached(p, () => entry(TYPES['.css'], siteCss(), CACHE_RESOURCE));
    if ((m = /^\/css\/(\d+)$/.exec(p))) {
      const rules = intParam(m[1], 1, 200_000);
      if (rules === null) return null;
      return cached(`css:${rules}`, () => entry(html, heavyCss({ rules }), CACHE_PAGE));
    }
    if (p === '/demo') return cached(p, () => entry(html, demoPage(), CACHE_PAGE));
    if (p === '/mask') return cached(p, () => entry(html, maskPage(), CACHE_PAGE));
    if (p === '/hostile') return cached(p, () => entry(html, hostilePage({ beaconUrl: `${origin}/beacon` }), CACHE_PAGE));
    if (p === '/hostile/payload.js') return cached(p, () => entry(TYPES['.js'], hostileScript({ beaconUrl: `${origin}/beacon` }), CACHE_PAGE));
    if (p === '/hostile/embed.svg') {
      const id = url.searchParams.get('id') ?? 'embed-svg';
      if (!/^[a-z0-9-]{1,40}$/.test(id)) return null;
      return cached(`embed:${id}`, () => entry(TYPES['.svg'], hostileSvg({ beaconUrl: `${origin}/beacon`, id }), CACHE_PAGE));
    }
    if ((m = /^\/img\/([A-Za-z0-9_-]{1,120})\.svg$/.exec(p))) {
      const name = m[1];
      return cached(`img:${name}`, () => entry(TYPES['.svg'], svgImage(name), CACHE_RESOURCE));
    }
    return null;
  }

  /**
   * @param {string} pathname
   * @returns {Promise<Entry | null>}
   */
  async function staticFile(pathname) {
    let rel;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    if (rel.includes('\0')) return null;
    const file = path.resolve(staticRoot, `.${rel}`);
    if (file !== staticRoot && !file.startsWith(staticRoot + path.sep)) return null;
    try {
      const info = await stat(file);
      if (!info.isFile()) return null;
      const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      return entry(type, await readFile(file), type.startsWith('text/html') ? CACHE_PAGE : CACHE_RESOURCE);
    } catch {
      return null;
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const method = req.method ?? 'GET';
    /** @param {number} status */
    const log = (status) => {
      if (requests.length >= REQUEST_LOG_MAX_ENTRIES) requests.splice(0, REQUEST_LOG_MAX_ENTRIES / 2);
      requests.push({ method, path: url.pathname, query, headers: req.headers, status });
    };
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Timing-Allow-Origin', '*');

    if (url.pathname === '/beacon') {
      /** @type {Buffer[]} */
      const chunks = [];
      let size = 0;
      req.on('data', (/** @type {Buffer} */ chunk) => {
        if (size < BEACON_MAX_BODY_BYTES) chunks.push(chunk.subarray(0, BEACON_MAX_BODY_BYTES - size));
        size += chunk.length;
      });
      req.on('end', () => {
        /** @type {Hit} */
        const hit = { method, path: url.pathname, query, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
        hits.push(hit);
        log(204);
        res.writeHead(204, { 'Cache-Control': 'no-store' });
        res.end();
        events.emit('hit', hit);
      });
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      log(405);
      res.writeHead(405, { Allow: 'GET, HEAD' });
      res.end();
      return;
    }
    if (url.pathname === '/slow-font.woff2') {
      log(404);
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': CACHE_RESOURCE });
      res.end(method === 'HEAD' ? undefined : 'no such font\n');
      return;
    }
    /** @param {Entry | null} found */
    const send = (found) => {
      if (!found) {
        log(404);
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache' });
        res.end(method === 'HEAD' ? undefined : 'not found\n');
        return;
      }
      const headers = { 'Content-Type': found.type, 'Cache-Control': found.cache, ETag: found.etag, 'X-Content-Type-Options': 'nosniff' };
      if (req.headers['if-none-match'] === found.etag) {
        log(304);
        res.writeHead(304, headers);
        res.end();
        return;
      }
      log(200);
      res.writeHead(200, { ...headers, 'Content-Length': found.body.length });
      res.end(method === 'HEAD' ? undefined : found.body);
    };
    let found;
    try {
      found = generated(url);
    } catch (err) {
      log(500);
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`generator failed: ${err instanceof Error ? err.message : String(err)}\n`);
      return;
    }
    if (found) send(found);
    else staticFile(url.pathname).then(send, () => send(null));
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('page server: no TCP address');
  const port = address.port;
  origin = `http://127.0.0.1:${port}`;

  return {
    url: origin,
    port,
    hits,
    requests,
    waitForHit(predicate, { timeoutMs = WAIT_FOR_HIT_DEFAULT_MS } = {}) {
      const past = hits.find(predicate);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        /** @param {Hit} hit */
        const onHit = (hit) => {
          if (!predicate(hit)) return;
          clearTimeout(timer);
          events.off('hit', onHit);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          events.off('hit', onHit);
          reject(new Error(`page server: no matching beacon hit within ${timeoutMs} ms (${hits.length} hits so far)`));
        }, timeoutMs);
        events.on('hit', onHit);
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** @returns {string} */
function indexPage() {
  const links = [
    ['/big/10000', 'big page, 10,000 elements'], ['/big/50000', 'big page, 50,000 elements'], ['/big/100000', 'big page, 100,000 elements'],
    ['/table/5000', 'long table, 5,000 rows'], ['/css/3000', 'heavy CSS, 3,000 rules'], ['/demo', 'demo checkout'],
    ['/hostile', 'hostile page (attacks the viewer)'], ['/mask', 'mask page (canaries)'], ['/mask?manual=1', 'mask page, changes only on window.maskChanges.run()'],
  ];
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Cotab test pages</title><link rel="icon" href="/img/favicon-64x64.svg" type="image/svg+xml"></head>
<body><h1>Cotab test pages</h1><ul>${links.map(([href, label]) => `<li><a href="${href}">${label}</a></li>`).join('')}</ul></body></html>
`;
}

// `node tests/pages/server.mjs` serves the pages for a person with a browser.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const s = await startPageServer();
  process.stdout.write(`Cotab test pages on ${s.url}/ (Ctrl-C to stop)\n`);
}
