// Inline SVG icons (one sprite of <symbol>s plus <use> references) and the generated images the
// page server returns for /img/<name>.svg.

import { esc } from './util.mjs';

/** name → path data on a 24×24 grid (stroke icons). */
const ICON_PATHS = {
  cart: 'M3 4h2l2.4 11.2a2 2 0 0 0 2 1.6h7.7a2 2 0 0 0 2-1.5L21 8H6.2M10 21h.01M17 21h.01',
  heart: 'M12 20s-7-4.4-9.2-8.6A5 5 0 0 1 12 6a5 5 0 0 1 9.2 5.4C19 15.6 12 20 12 20z',
  star: 'M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1L3.2 9.5l6.1-.9z',
  search: 'M11 18a7 7 0 1 1 0-14 7 7 0 0 1 0 14zm5-2l5 5',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 9a7 7 0 0 1 14 0',
  menu: 'M4 6h16M4 12h16M4 18h16',
  chevron: 'M6 9l6 6 6-6',
  check: 'M5 12l5 5L20 7',
  truck: 'M3 6h11v9H3zm11 3h4l3 3v3h-7M7 19a2 2 0 1 0 0-4 2 2 0 0 0 0 4zm10 0a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  shield: 'M12 3l8 3v6c0 4.4-3.4 8.3-8 9-4.6-.7-8-4.6-8-9V6z',
  chat: 'M4 5h16v11H8l-4 4z',
  up: 'M12 19V5m-6 6l6-6 6 6',
  down: 'M12 5v14m6-6l-6 6-6-6',
  sort: 'M8 4v16m-4-4l4 4 4-4M16 20V4m-4 4l4-4 4 4',
  filter: 'M3 5h18l-7 8v6l-4 2v-8z',
  close: 'M6 6l12 12M18 6L6 18',
  mail: 'M3 5h18v14H3zm0 0l9 8 9-8',
  phone: 'M5 3h4l2 5-3 2a11 11 0 0 0 6 6l2-3 5 2v4a2 2 0 0 1-2 2A17 17 0 0 1 3 5a2 2 0 0 1 2-2z',
  globe: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM3 12h18M12 3c3 3.5 3 14.5 0 18M12 3c-3 3.5-3 14.5 0 18',
  reply: 'M10 9V5l-7 7 7 7v-4c5 0 8 1.5 11 5-1-6-4-11-11-11z',
  thumb: 'M7 11v10H4V11zm0 0l4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2.3l-1.4 7A2 2 0 0 1 17.6 21H7',
  flag: 'M5 21V4m0 0h11l-2 4 2 4H5',
  bell: 'M6 16V11a6 6 0 1 1 12 0v5l2 2H4zm4 4h4',
  grid: 'M4 4h7v7H4zm9 0h7v7h-7zM4 13h7v7H4zm9 0h7v7h-7z',
  list: 'M8 6h13M8 12h13M8 18h13M3 6h.01M3 12h.01M3 18h.01',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  pin: 'M12 21s-6-5.3-6-11a6 6 0 1 1 12 0c0 5.7-6 11-6 11zm0-9a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  lock: 'M6 11h12v10H6zm2 0V7a4 4 0 1 1 8 0v4',
  card: 'M3 6h18v12H3zm0 4h18',
  gift: 'M4 11h16v10H4zm-1-4h18v4H3zm9 0v14M12 7c-2-4-6-3-5 0m5 0c2-4 6-3 5 0',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zm0-14v5l3 3',
  send: 'M3 11l18-8-8 18-2-8z',
};

/** @typedef {keyof typeof ICON_PATHS} IconName */

/** @returns {string} a hidden sprite with one <symbol> per icon (2 elements per icon + the <svg>) */
export function iconSprite() {
  let out = '<svg xmlns="http://www.w3.org/2000/svg" width="0" height="0" style="position:absolute;overflow:hidden" aria-hidden="true" focusable="false">';
  for (const [name, d] of Object.entries(ICON_PATHS)) {
    out += `<symbol id="i-${name}" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="${d}"/></symbol>`;
  }
  return out + '</svg>';
}

/**
 * @param {IconName} name
 * @param {number} [size]
 * @param {string} [extraClass]
 * @returns {string} `<svg><use/></svg>` (2 elements)
 */
export function icon(name, size = 20, extraClass = '') {
  return `<svg class="icon icon-${name}${extraClass ? ' ' + extraClass : ''}" width="${size}" height="${size}" aria-hidden="true" focusable="false"><use href="#i-${name}"/></svg>`;
}

/** @returns {string} the shop's logo as inline SVG (several elements, drawn, not referenced) */
export function logoSvg() {
  return '<svg class="logo__mark" viewBox="0 0 48 48" width="36" height="36" role="img" aria-label="Northwind Outfitters">'
    + '<defs><linearGradient id="logo-grad" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#2563eb"/><stop offset="1" stop-color="#0d9488"/></linearGradient></defs>'
    + '<circle cx="24" cy="24" r="22" fill="url(#logo-grad)"/>'
    + '<path d="M10 32l9-14 6 9 4-6 9 11z" fill="#fff" opacity=".92"/>'
    + '<circle cx="33" cy="14" r="3.5" fill="#fde68a"/></svg>';
}

/** @param {string} text @returns {number} FNV-1a 32-bit */
function fnv1a(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The picture for /img/<name>.svg, deterministic from the name. A trailing `-<w>x<h>` gives
 * the size (default 400×300); the same subject at another size looks the same (srcset).
 * @param {string} name file name without ".svg", e.g. "p-123-320x320"
 * @returns {string} an SVG document
 */
export function svgImage(name) {
  const size = /-(\d{1,4})x(\d{1,4})$/.exec(name);
  const w = size ? Math.max(1, Math.min(4000, Number(size[1]))) : 400;
  const h = size ? Math.max(1, Math.min(4000, Number(size[2]))) : 300;
  const subject = size ? name.slice(0, size.index) : name;
  const hash = fnv1a(subject);
  const hue = hash % 360;
  const hue2 = (hue + 40 + (hash >>> 9) % 80) % 360;
  const shape = (hash >>> 17) % 4;
  const cx = w / 2;
  const cy = h / 2;
  const r = Math.min(w, h) * 0.28;
  /** @type {string} */
  let figure;
  if (shape === 0) figure = `<circle cx="${cx}" cy="${cy}" r="${r}" fill="hsl(${hue2} 70% 92%)" opacity=".9"/>`;
  else if (shape === 1) figure = `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" rx="${r / 4}" fill="hsl(${hue2} 70% 92%)" opacity=".9"/>`;
  else if (shape === 2) figure = `<path d="M${cx - r} ${cy + r}L${cx} ${cy - r}L${cx + r} ${cy + r}Z" fill="hsl(${hue2} 70% 92%)" opacity=".9"/>`;
  else figure = `<ellipse cx="${cx}" cy="${cy}" rx="${r * 1.3}" ry="${r * 0.8}" fill="hsl(${hue2} 70% 92%)" opacity=".9"/>`;
  const label = esc(subject.replace(/[-_]+/g, ' ').slice(0, 40));
  const fontSize = Math.max(8, Math.round(Math.min(w, h) / 12));
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(${hue} 55% 55%)"/><stop offset="1" stop-color="hsl(${hue2} 60% 40%)"/></linearGradient></defs>
<rect width="${w}" height="${h}" fill="url(#g)"/>
${figure}
<text x="${cx}" y="${h - fontSize}" font-family="system-ui, sans-serif" font-size="${fontSize}" fill="#fff" text-anchor="middle" opacity=".85">${label}</text>
</svg>
`;
}
