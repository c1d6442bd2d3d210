// Bytes on the wire: what the snapshots weigh raw, after gzip (node:zlib, level 6 = gzip's
// default) and after zstd at the host's level with its window in one stream, as cotab-host compresses
// (it flushes after each message, which adds a few bytes per message that this does not count).
// Node 20 has no zstd, so the Debian `zstd` command line tool does it.
import { spawn } from 'node:child_process';
import { gzipSync } from 'node:zlib';

import { LIMITS } from '../../../extension/dist/protocol.js';

/** zstd level the host uses (shared/protocol/limits.json zstd_level). */
export const HOST_ZSTD_LEVEL = LIMITS.zstd_level;
/** log2 of the zstd window the host uses (shared/protocol/limits.json zstd_window_log). */
export const HOST_ZSTD_WINDOW_LOG = LIMITS.zstd_window_log;

/**
 * @param {Buffer} data
 * @returns {Promise<number>} compressed length in bytes
 */
export function zstdBytes(data) {
  return new Promise((resolve, reject) => {
    const child = spawn('zstd', [`-${HOST_ZSTD_LEVEL}`, `--zstd=wlog=${HOST_ZSTD_WINDOW_LOG}`, '-c', '-q'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let length = 0;
    child.stdout.on('data', (/** @type {Buffer} */ chunk) => {
      length += chunk.length;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(length) : reject(new Error(`zstd exited with ${code}`))));
    child.stdin.end(data);
  });
}

/**
 * @param {Buffer} data
 * @returns {number}
 */
export function gzipBytes(data) {
  return gzipSync(data).length;
}

/**
 * The three sizes of a sequence of JSON texts sent one after another.
 * @param {readonly string[]} jsonTexts
 * @returns {Promise<{json: number, gzip: number, zstd: number}>}
 */
export async function wireSizes(jsonTexts) {
  const data = Buffer.from(jsonTexts.join(''), 'utf8');
  return { json: data.length, gzip: gzipBytes(data), zstd: await zstdBytes(data) };
}
