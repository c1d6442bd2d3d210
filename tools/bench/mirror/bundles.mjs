// The scripts the benchmark puts into its pages, bundled by esbuild in memory (nothing is written):
// each entry in page/ becomes one classic script that registers its commands (page/registry.mjs).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '../../..');

/** The page scripts: name → entry file under page/. */
export const PAGE_ENTRIES = Object.freeze({
  /** rrweb record() and rrweb-snapshot snapshot(), as an integrator puts them into a page. */
  rrwebCustomer: 'customer-rrweb.mjs',
  /** rrweb Replayer in live mode. */
  rrwebViewer: 'viewer-rrweb.mjs',
  /** Cotab's Recorder (extension/content/serializer.js) in a normal page. */
  cotabCustomer: 'customer-cotab.mjs',
  /** Cotab's Mirror (extension/viewer/mirror.js) in a normal page. */
  cotabViewer: 'viewer-cotab.mjs',
  /** The probe alone, for the customer's page shared by the real extension. */
  probeCustomer: 'customer-probe.mjs',
  /** The probe watcher for the extension's own viewer page. */
  extensionViewer: 'viewer-extension.mjs',
});

/** @typedef {keyof typeof PAGE_ENTRIES} BundleName */

/** What the Cotab bundles import from the extension; missing until their authors land them. */
export const COTAB_SOURCES = Object.freeze({
  cotabCustomer: 'extension/content/serializer.js',
  cotabViewer: 'extension/viewer/mirror.js',
});

/** @type {Map<BundleName, Promise<string>>} */
const cache = new Map();

/**
 * @param {BundleName} name
 * @returns {Promise<string>} the bundled script's text
 */
export function bundle(name) {
  let text = cache.get(name);
  if (!text) {
    text = build({
      entryPoints: [path.join(here, 'page', PAGE_ENTRIES[name])],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'chrome120',
      legalComments: 'none',
      logLevel: 'silent',
      // rrweb's replayer imports its stylesheet; the benchmark does not need it.
      loader: { '.css': 'empty' },
    }).then((r) => r.outputFiles[0].text);
    cache.set(name, text);
  }
  return text;
}

/**
 * Whether the Cotab sources a bundle needs are there yet.
 * @returns {{ready: boolean, missing: string[]}}
 */
export function cotabSourcesPresent() {
  const missing = Object.values(COTAB_SOURCES).filter((p) => !existsSync(path.join(repoRoot, p)));
  return { ready: missing.length === 0, missing };
}
