// Shared helpers of the page generators: a seeded PRNG, word lists, HTML escaping and an
// element counter for markup the generators themselves wrote. Pure (no DOM, no I/O).

/** A small, fast, seeded PRNG (mulberry32). Same seed, same sequence, on every run and platform. */
export class Rng {
  /** @param {number} seed any integer; 0 is allowed */
  constructor(seed) {
    /** @private */
    this.state = (seed ^ 0x9e3779b9) >>> 0;
  }

  /** @returns {number} uniform in [0, 1) */
  next() {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** @param {number} min @param {number} max inclusive @returns {number} */
  int(min, max) {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** @param {number} p @returns {boolean} true with probability p */
  chance(p) {
    return this.next() < p;
  }

  /**
   * @template T
   * @param {readonly T[]} list non-empty
   * @returns {T}
   */
  pick(list) {
    return list[Math.floor(this.next() * list.length)];
  }

  /** @param {number} length @returns {string} lower-case base-36 characters (like a build hash) */
  hash(length) {
    let out = '';
    for (let i = 0; i < length; i++) out += HASH_CHARS[Math.floor(this.next() * HASH_CHARS.length)];
    return out;
  }

  /** @param {number} min @param {number} max word count range @returns {string} a sentence with a capital and a full stop */
  sentence(min, max) {
    const n = this.int(min, max);
    const words = [];
    for (let i = 0; i < n; i++) words.push(this.pick(WORDS));
    const text = words.join(' ');
    return text.charAt(0).toUpperCase() + text.slice(1) + '.';
  }

  /** @param {number} sentences @returns {string} */
  paragraph(sentences) {
    const out = [];
    for (let i = 0; i < sentences; i++) out.push(this.sentence(6, 16));
    return out.join(' ');
  }

  /** @returns {string} "First Last" */
  person() {
    return `${this.pick(FIRST_NAMES)} ${this.pick(LAST_NAMES)}`;
  }

  /** @param {number} fromYear @returns {Date} a deterministic date in [fromYear, fromYear + 2) */
  date(fromYear) {
    return new Date(Date.UTC(fromYear, 0, 1) + this.int(0, 729) * 86_400_000 + this.int(0, 86_399) * 1000);
  }
}

const HASH_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** @param {string} text @returns {string} text safe inside HTML text and double-quoted attributes */
export function esc(text) {
  return /[&<>"']/.test(text) ? text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch) : text;
}

/** @type {Record<string, string>} */
const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Elements in markup the generators wrote: every `<` followed by a letter opens one element
 * (text is escaped, comments and the doctype start with `<!`), except inside `<script>` and
 * `<style>` bodies, which are skipped. This steers generation to an element budget; the browser
 * tests check the result with `document.getElementsByTagName('*')`.
 * @param {string} html
 * @returns {number}
 */
export function countElements(html) {
  const stripped = html.includes('<script') || html.includes('<style')
    ? html.replace(/<(script|style)\b([^>]*)>[\s\S]*?<\/\1>/gi, '<$1$2></$1>')
    : html;
  let count = 0;
  for (let i = stripped.indexOf('<'); i !== -1; i = stripped.indexOf('<', i + 1)) {
    const c = stripped.charCodeAt(i + 1) | 0x20;
    if (c >= 0x61 && c <= 0x7a) count++;
  }
  return count;
}

/** @param {number} cents @returns {string} "$1,234.56" */
export function money(cents) {
  const whole = Math.floor(cents / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `$${whole}.${String(cents % 100).padStart(2, '0')}`;
}

/** @param {string} text @returns {string} "trail-jacket" */
export function slug(text) {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

/** @param {Date} d @returns {string} "Mar 2, 2024" */
export function shortDate(d) {
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}`;
}

/** @param {Date} d @returns {string} "2024-03-02" */
export function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/**
 * A `<script>` body that cannot end the element early (`</script` inside a JSON string).
 * @param {unknown} value
 * @returns {string}
 */
export function jsonForScript(value) {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export const WORDS = [
  'the', 'a', 'we', 'our', 'this', 'every', 'new', 'season', 'collection', 'made', 'from', 'recycled',
  'fabric', 'that', 'keeps', 'you', 'warm', 'and', 'dry', 'on', 'long', 'hikes', 'city', 'commutes',
  'weekend', 'trips', 'fit', 'runs', 'true', 'to', 'size', 'sleeves', 'are', 'slightly', 'longer',
  'than', 'expected', 'colour', 'matches', 'photos', 'delivery', 'was', 'fast', 'packaging', 'plastic',
  'free', 'would', 'buy', 'again', 'zip', 'feels', 'sturdy', 'pockets', 'deep', 'enough', 'for',
  'phone', 'wallet', 'keys', 'after', 'three', 'washes', 'still', 'looks', 'great', 'customer',
  'service', 'helped', 'me', 'exchange', 'within', 'days', 'returns', 'were', 'easy', 'quality',
  'stitching', 'seams', 'lining', 'hood', 'adjustable', 'cuffs', 'breathable', 'light', 'rain',
  'wind', 'snow', 'trail', 'mountain', 'coastal', 'morning', 'evening', 'layer', 'under', 'over',
  'shell', 'jacket', 'pack', 'straps', 'padded', 'laptop', 'sleeve', 'bottle', 'holder', 'weight',
  'grams', 'price', 'worth', 'it', 'compared', 'with', 'other', 'brands', 'store', 'staff', 'friendly',
  'knowledgeable', 'recommend', 'ordering', 'one', 'up', 'down', 'if', 'between', 'sizes', 'stock',
  'arrived', 'earlier', 'tracking', 'updates', 'helpful', 'review', 'report', 'market', 'shares',
  'growth', 'quarter', 'results', 'analysts', 'forecast', 'supply', 'chain', 'costs', 'energy',
  'prices', 'local', 'council', 'plans', 'new', 'cycle', 'lanes', 'near', 'river', 'park', 'museum',
];

export const FIRST_NAMES = [
  'Ava', 'Ben', 'Chloé', 'Daniel', 'Elif', 'Farah', 'Gustav', 'Hana', 'Ivan', 'Jamal', 'Keiko', 'Liam',
  'Maya', 'Nikolai', 'Olivia', 'Priya', 'Quinn', 'Rafael', 'Sofia', 'Tomás', 'Uma', 'Viktor', 'Wen',
  'Ximena', 'Yusuf', 'Zoë', 'Amara', 'Björn', 'Carmen', 'Dmitri', 'Emeka', 'Fatima', 'Giulia', 'Hiro',
];

export const LAST_NAMES = [
  'Andersen', 'Bauer', 'Chen', 'Dubois', 'Eriksson', 'Fernández', 'García', 'Haddad', 'Ivanova',
  'Jansen', 'Kowalski', 'López', 'Müller', 'Nakamura', 'Okafor', 'Patel', 'Quispe', 'Rossi', 'Schmidt',
  'Tanaka', 'Ueda', 'Varga', 'Walsh', 'Xu', 'Yilmaz', 'Zhang', "O'Brien", 'Nguyen', 'Kim', 'Silva',
];

export const CITIES = [
  'Portland', 'Seattle', 'Denver', 'Austin', 'Chicago', 'Boston', 'Toronto', 'Vancouver', 'Dublin',
  'Lisbon', 'Berlin', 'Oslo', 'Helsinki', 'Kraków', 'Zürich', 'Lyon', 'Bologna', 'Utrecht', 'Ghent',
  'Melbourne', 'Auckland', 'Osaka', 'Busan', 'Taipei', 'Cape Town', 'Nairobi', 'Bogotá', 'Santiago',
];

/** [ISO code, name] */
export const COUNTRIES = /** @type {const} */ ([
  ['US', 'United States'], ['CA', 'Canada'], ['MX', 'Mexico'], ['BR', 'Brazil'], ['AR', 'Argentina'],
  ['CL', 'Chile'], ['CO', 'Colombia'], ['PE', 'Peru'], ['GB', 'United Kingdom'], ['IE', 'Ireland'],
  ['FR', 'France'], ['DE', 'Germany'], ['NL', 'Netherlands'], ['BE', 'Belgium'], ['LU', 'Luxembourg'],
  ['CH', 'Switzerland'], ['AT', 'Austria'], ['IT', 'Italy'], ['ES', 'Spain'], ['PT', 'Portugal'],
  ['DK', 'Denmark'], ['NO', 'Norway'], ['SE', 'Sweden'], ['FI', 'Finland'], ['IS', 'Iceland'],
  ['PL', 'Poland'], ['CZ', 'Czechia'], ['SK', 'Slovakia'], ['HU', 'Hungary'], ['RO', 'Romania'],
  ['GR', 'Greece'], ['TR', 'Türkiye'], ['IL', 'Israel'], ['AE', 'United Arab Emirates'],
  ['IN', 'India'], ['SG', 'Singapore'], ['JP', 'Japan'], ['KR', 'South Korea'], ['TW', 'Taiwan'],
  ['AU', 'Australia'], ['NZ', 'New Zealand'], ['ZA', 'South Africa'], ['KE', 'Kenya'], ['NG', 'Nigeria'],
]);

export const PRODUCT_ADJECTIVES = [
  'Classic', 'Trail', 'Urban', 'Alpine', 'Coastal', 'Everyday', 'Heritage', 'Summit', 'Lightweight',
  'Waterproof', 'Merino', 'Organic', 'Packable', 'Insulated', 'Ripstop', 'Canvas', 'Quilted',
  'Thermal', 'Breathable', 'Recycled', 'Storm', 'Ridge', 'Harbor', 'Fjord',
];

export const PRODUCT_NOUNS = [
  'Jacket', 'Hoodie', 'Backpack', 'Beanie', 'Parka', 'Fleece', 'Tee', 'Chinos', 'Boots', 'Sneakers',
  'Duffel', 'Vest', 'Scarf', 'Gloves', 'Shorts', 'Overshirt', 'Tote', 'Cap', 'Socks', 'Anorak',
];

/** [name, hex] */
export const SWATCHES = /** @type {const} */ ([
  ['Slate', '#475569'], ['Forest', '#166534'], ['Rust', '#9a3412'], ['Navy', '#1e3a8a'],
  ['Sand', '#d6c7a1'], ['Charcoal', '#27272a'], ['Moss', '#4d7c0f'], ['Berry', '#9d174d'],
  ['Glacier', '#7dd3fc'], ['Ochre', '#ca8a04'],
]);

export const CATEGORIES = [
  'Jackets', 'Fleece', 'Shirts', 'Trousers', 'Footwear', 'Bags', 'Accessories', 'Base layers',
  'Kids', 'Camping', 'Climbing', 'Running',
];

export const BRANDS = [
  'Northwind', 'Fjellvik', 'Cascade Co.', 'Ridgeline', 'Tidewater', 'Basalt', 'Pinecrest',
  'Silverfir', 'Ironwood', 'Bluebird', 'Kestrel', 'Larkspur', 'Moraine', 'Ember & Oak',
  'Driftline', 'Highpoint', 'Outpost', 'Wayfarer', 'Granite Supply', 'Cirrus',
];
