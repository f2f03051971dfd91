/**
 * Hostile outputs in real headless Chromium, and what the renderer bundle may do: token labels,
 * variant names and specs full of HTML and script render as text; enormous or inconsistent
 * dims render a readable error; nothing executes, nothing loads from outside 127.0.0.1, and
 * the bundle holds no eval, no Function constructor and no network call, so it runs under a
 * Content Security Policy without 'unsafe-eval'.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeTrace } from '../../src/shared/trace';
import { payloadOf, syntheticAttention, syntheticComparison, syntheticTrace } from './fixtures';
import { ROOT, TEST_PAGE_CSP, TestServer, launchChromium, openTestPage, renderText, waitReady, type PageProblems } from './harness';

/** Strings that would run or load something if they were ever inserted as HTML. */
const HOSTILE = [
  '<img src=x onerror="window.pwned=1">',
  '<script>window.pwned=2</script>',
  '"><svg onload="window.pwned=3">',
  '<iframe src="javascript:window.pwned=4"></iframe>',
  '<a href="https://example.invalid/">link</a>',
  '{{constructor.constructor("window.pwned=5")()}}',
  '\u202e\u0000\u2028',
];

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { pwned?: unknown }).pwned);
}

/** Elements in an output that only inserted HTML could have made. */
async function foreignElements(page: Page, id: string): Promise<number> {
  return page.locator(`#output-${id} :is(img, script, svg, iframe, a, object, embed, [onerror], [onload])`).count();
}

describe('fglab.charts renderer: hostile outputs in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  const server = new TestServer();
  let page: Page;
  let problems: PageProblems;

  before(async () => {
    await server.start();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openTestPage(browser, server));
  });

  afterEach(async () => {
    await page.context().close();
    assert.deepEqual(problems.errors, [], 'no uncaught exception on the page');
    assert.deepEqual(problems.console, [], 'no console error on the page (a CSP violation is one)');
    assert.deepEqual(problems.external, [], 'no request left 127.0.0.1');
  });

  it('shows token labels full of HTML as text in charts and tables, and runs none of it', async () => {
    const labels = Array.from({ length: 12 }, (_, t) => HOSTILE[t % HOSTILE.length]);
    const trace = syntheticAttention({ time: 12, heads: 2, keyDim: 4, labels, influence: true });
    trace.spec = { model: 'attention', note: HOSTILE[0] };
    await renderText(page, 'labels', payloadOf(trace));
    await waitReady(page, 'labels');
    for (const toggle of await page.locator('#output-labels .fglab-table-toggle').all()) await toggle.click();
    const text = (await page.textContent('#output-labels')) ?? '';
    for (const h of HOSTILE.slice(0, 4)) assert.ok(text.includes(h), `the label ${JSON.stringify(h)} is shown as text`);
    assert.equal(await foreignElements(page, 'labels'), 0);
    assert.equal(await pwned(page), undefined);
  });

  it('shows variant names full of HTML as text', async () => {
    const comparison = syntheticComparison(12);
    comparison.variants.forEach((v, i) => (v.name = HOSTILE[i]));
    await renderText(page, 'names', payloadOf(comparison));
    await waitReady(page, 'names');
    const text = (await page.textContent('#output-names')) ?? '';
    assert.ok(text.includes(HOSTILE[0]) || text.includes(HOSTILE[1]), 'a variant name is shown as text');
    assert.equal(await foreignElements(page, 'names'), 0);
    assert.equal(await pwned(page), undefined);
  });

  it('shows a readable error for enormous or inconsistent dims, and allocates nothing for them', async () => {
    const payload = encodeTrace(syntheticTrace({ time: 4, units: 3 }));
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['huge', { ...payload, dims: { ...payload.dims, time: 2 ** 31, units: 2 ** 31 } }, /trace metrics\.halfLife: expected 2147483648 entries, got 3/],
      ['beyond', { ...payload, dims: { ...payload.dims, batch: 1e300 } }, /trace (metrics\.\w+|series\.forgetGate\.shape): expected /],
      ['negative', { ...payload, dims: { ...payload.dims, units: -1 } }, /trace dims\.units: expected a non-negative integer, got number -1/],
      ['shape', { ...payload, series: { ...payload.series, forgetGate: { ...payload.series.forgetGate, shape: [1e9, 1e9, 1e9] } } }, /series\.forgetGate\.data: expected [\d.e+]+ bytes for shape \[1000000000, 1000000000, 1000000000\]/],
      ['model', { ...payload, model: HOSTILE[0] }, /trace model: expected "lstm"/],
    ];
    for (const [id, body, expected] of cases) {
      await renderText(page, id, JSON.stringify(body));
      const error = (await page.textContent(`#output-${id} .fglab-error`)) ?? '';
      assert.match(error, expected, `${id}: ${error}`);
      assert.equal(await page.locator(`#output-${id} canvas`).count(), 0, `${id}: no chart`);
    }
    assert.equal(await foreignElements(page, 'model'), 0);
    assert.equal(await pwned(page), undefined);
  });
});

describe('renderer bundle and its Content Security Policy', () => {
  const bundle = readFileSync(join(ROOT, 'dist', 'renderer.js'), 'utf8');
  /** Code without its comments (a URL in a comment loads nothing). */
  const code = bundle.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');

  it('holds no eval, no Function constructor and no string timers', () => {
    for (const [what, pattern] of [
      ['eval', /(?<![\w.$])eval\s*\(/],
      ['new Function', /\bnew\s+Function\s*\(/],
      ['Function()', /(?<![\w.$])Function\s*\(/],
      ['a timer given a string', /\bset(Timeout|Interval)\(\s*['"`]/],
    ] as const) {
      assert.doesNotMatch(code, pattern, `dist/renderer.js uses ${what}`);
    }
  });

  it('makes no network call and loads no script, frame or remote URL', () => {
    for (const [what, pattern] of [
      ['fetch', /(?<![\w.$])fetch\s*\(/],
      ['XMLHttpRequest', /XMLHttpRequest/],
      ['WebSocket', /WebSocket/],
      ['EventSource', /EventSource/],
      ['sendBeacon', /sendBeacon/],
      ['a dynamic import', /(?<![\w.$])import\s*\(/],
      ['importScripts', /importScripts/],
      ['a script, frame, image or link element', /createElement\(\s*['"](script|iframe|img|link|object|embed)['"]/],
      ['a remote URL', /['"`(]\s*https?:\/\/(?!www\.w3\.org\/)/],
    ] as const) {
      assert.doesNotMatch(code, pattern, `dist/renderer.js uses ${what}`);
    }
  });

  it('never writes HTML: no innerHTML, outerHTML, insertAdjacentHTML or document.write', () => {
    assert.doesNotMatch(code, /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/);
  });

  it('is tested under a policy without unsafe-eval and without remote sources', () => {
    assert.doesNotMatch(TEST_PAGE_CSP, /unsafe-eval/);
    assert.doesNotMatch(TEST_PAGE_CSP, /https?:|\*/);
    assert.match(TEST_PAGE_CSP, /default-src 'none'/);
  });
});
