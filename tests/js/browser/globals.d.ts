// The in-page test API (page-harness.js) as the browser tests' page.evaluate() callbacks see it.
declare global {
  const cotabTest: typeof import('./page-harness.js').api;
}
export {};
