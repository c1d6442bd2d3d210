// Markup rules applied on both ends of the mirror stream (shared/protocol/app.md §4.1): the
// customer's Recorder does not record what they refuse, and the agent's Mirror refuses it again
// (a modified customer extension is assumed). One definition, so the two cannot drift.

/** `<link rel>` tokens allowed at all; a link needs `stylesheet` or `icon` among them. */
const LINK_RELS = new Set(['stylesheet', 'icon', 'shortcut', 'alternate']);

/** Style text that could run script in some engine (never sent, never applied). */
export const UNSAFE_STYLE = /javascript:|vbscript:|expression\s*\(/i;

/**
 * Is a `<link>` with this `rel` mirrored? Only stylesheets and icons (no preload, prefetch,
 * manifest, …: nothing that makes the agent's browser fetch or run anything else).
 * @param {string | null} rel
 */
export function isAllowedLinkRel(rel) {
  if (!rel) return false;
  let main = false;
  for (const raw of rel.split(/[\t\n\f\r ]+/)) {
    if (raw === '') continue;
    const token = raw.toLowerCase();
    if (!LINK_RELS.has(token)) return false;
    if (token === 'stylesheet' || token === 'icon') main = true;
  }
  return main;
}
