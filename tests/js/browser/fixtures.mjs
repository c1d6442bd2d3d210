// Customer pages for the browser tests (HTML text, served by harness.mjs).

/** A shop-like page with most of what real pages have. */
export function realisticPage() {
  const rows = Array.from(
    { length: 30 },
    (_, i) => `<tr class="row ${i % 2 ? 'odd' : 'even'}"><td>${i + 1}</td><td><a href="item/${i}.html?ref=list&amp;x=1">Item&nbsp;${i} — “${'ünïcødé'.slice(0, (i % 7) + 1)}” 😀</a></td><td data-price="${(i * 3.5).toFixed(2)}">€${(i * 3.5).toFixed(2)}</td></tr>`,
  ).join('\n');
  return `<!DOCTYPE html>
<html lang="en" class="no-js" data-theme="light">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Cart — Example Shop</title>
  <link rel="stylesheet" href="/assets/site.css">
  <link rel="preload" href="/assets/font.woff2" as="font">
  <link rel="icon" href="favicon.png">
  <style>
    body { font: 14px/1.4 sans-serif; margin: 0; background: url(img/bg.png) repeat-x; }
    .hero { background-image: url("img/hero.png"); height: 120px; }
    @media (max-width: 600px) { .nav li { display: block; } }
    .scroller { height: 60px; overflow: auto; border: 1px solid #ccc; }
    @font-face { font-family: Demo; src: url(fonts/demo.woff2) format("woff2"); }
  </style>
  <script>document.documentElement.classList.remove('no-js');</script>
  <noscript><style>.js-only { display: none }</style></noscript>
</head>
<body class="page cart">
  <!-- header -->
  <header id="top" role="banner">
    <nav class="nav"><ul>
      <li><a href="/">Home</a></li>
      <li><a href="../shop/index.html#deals">Deals</a></li>
      <li><a href="#footer">Contact</a></li>
      <li><a href="https://example.com/abs">Absolute</a></li>
    </ul></nav>
    <div class="hero" style="background-position: 0 0; background-image: url('img/inline.png')"></div>
  </header>
  <main>
    <h1>Your   cart</h1>
    <p>Plain text with <b>bold</b>, <i>italic</i>, <code>&lt;code&gt;</code> &amp; entities &copy; and a line<br>break.</p>
    <img src="img/logo.png" srcset="img/logo.png 1x, img/logo@2x.png 2x" alt="Logo" width="40" height="20" loading="lazy">
    <picture><source srcset="img/a.png" media="(min-width: 800px)"><img src="img/b.png" alt=""></picture>
    <table class="items"><thead><tr><th>#</th><th>Item</th><th>Price</th></tr></thead>
    <tbody>
${rows}
    </tbody></table>
    <form action="checkout.php" method="post" id="checkout">
      <label for="name">Name</label> <input id="name" name="name" value="Ada" autocomplete="name">
      <input type="email" name="email" placeholder="you@example.com">
      <input type="hidden" name="csrf" value="tok-123">
      <input type="checkbox" name="news" id="news" checked> <label for="news">News</label>
      <input type="radio" name="ship" value="std" checked> <input type="radio" name="ship" value="fast">
      <select name="country" id="country"><option value="de">Germany</option><option value="fr" selected>France</option><optgroup label="Other"><option value="it">Italy</option></optgroup></select>
      <select name="tags" multiple><option selected>a</option><option>b</option><option selected>c</option></select>
      <textarea name="note" rows="2">Leave at the door</textarea>
      <button type="submit">Pay</button>
    </form>
    <details open><summary>More</summary><p>Hidden details</p></details>
    <div class="scroller" id="scroller"><p>line 1</p><p>line 2</p><p>line 3</p><p>line 4</p><p>line 5</p><p>line 6</p></div>
    <svg width="60" height="30" viewBox="0 0 60 30" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">
      <defs><symbol id="dot" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></symbol><linearGradient id="g"><stop offset="0" stop-color="red"/></linearGradient></defs>
      <use href="#dot" x="0" y="0" width="10" height="10"/><use xlink:href="#dot" x="20" width="10" height="10"/>
      <rect x="40" width="10" height="10" fill="url(#g)"/><foreignObject width="10" height="10"><div>fo</div></foreignObject>
      <text x="0" y="28">SVG text</text>
    </svg>
    <math><mi>x</mi><mo>=</mo><mn>2</mn></math>
    <template id="tpl"><p>template content</p></template>
    <iframe src="frame.html" title="embedded" width="100" height="50"></iframe>
    <custom-card data-id="7"><span slot="x">custom element</span></custom-card>
    <pre>  preformatted
    text  </pre>
    <div contenteditable="true" id="editor">Edit <em>me</em></div>
  </main>
  <footer id="footer"><p>© 2024 Example</p><a href="mailto:help@example.com">Mail</a></footer>
  <script>window.customerScriptRan = true;</script>
</body>
</html>`;
}

/**
 * A page of about `elements` elements (nested sections of lists and paragraphs) with text.
 * @param {number} elements
 */
export function bigPage(elements) {
  const parts = [];
  let made = 0;
  let section = 0;
  while (made < elements) {
    parts.push(`<section id="s${section}" class="sec"><h2>Section ${section}</h2><ul>`);
    made += 3;
    for (let i = 0; i < 40 && made < elements; i++) {
      parts.push(`<li class="it i${i}" data-k="${section}-${i}"><span>Row ${section}.${i}</span> <a href="r/${section}/${i}">link</a></li>`);
      made += 3;
    }
    parts.push('</ul></section>');
    section++;
  }
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>big</title><style>.sec{margin:2px}</style></head><body>${parts.join('\n')}</body></html>`;
}
