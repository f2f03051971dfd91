/**
 * Every trace kind in real headless Chromium: GRU, attention (with thresholded forgetting),
 * forgetting attention, influence over lag and comparisons each get their views, painted,
 * labelled, with exact values under the pointer, and a screenshot under test-results/.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { payloadOf, syntheticAttention, syntheticComparison, syntheticGru, syntheticTrace, words } from './fixtures';
import {
  DARK_VARIABLES,
  LIGHT_VARIABLES,
  TestServer,
  canvasFacts,
  hoverAt,
  launchChromium,
  openTestPage,
  renderOutput,
  screenshot,
  setThemeVariables,
  waitReady,
  type PageProblems,
} from './harness';

/** Tick labels of axis `axis` of view `kind`. */
async function tickLabels(page: Page, id: string, kind: string, axis: 'x' | 'y'): Promise<string[]> {
  return page.evaluate(({ id, kind, axis }) => {
    type Chart = { scales: Record<string, { ticks: { label: string | string[] }[] }> };
    const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
    const chart = api.chartOf(document.querySelector<HTMLCanvasElement>(`#output-${id} canvas[data-fglab-chart="${kind}"]`)!)!;
    return chart.scales[axis].ticks.map((t) => String(t.label));
  }, { id, kind, axis });
}

describe('fglab.charts views of every trace kind', function () {
  this.timeout(120_000);
  let browser: Browser;
  const server = new TestServer();
  let page: Page;
  let problems: PageProblems;

  const tokens = words(16);
  const paths: Record<string, string> = {};

  before(async () => {
    await server.start();
    browser = await launchChromium();
    paths.gru = server.addPayload('gru', payloadOf(syntheticGru({ time: 60, units: 48, influence: true, labels: words(60) })));
    paths.attention = server.addPayload('attention', payloadOf(syntheticAttention({ time: 16, heads: 2, keyDim: 4, causal: true, labels: tokens, prune: 0.05 })));
    paths.forgetting = server.addPayload('forgetting', payloadOf(syntheticAttention({ time: 24, heads: 4, keyDim: 4, forgetting: true, labels: words(24) })));
    paths.lstm = server.addPayload('lstm-influence', payloadOf(syntheticTrace({ time: 60, units: 48, influence: true, labels: words(60) })));
    paths.comparison = server.addPayload('comparison', payloadOf(syntheticComparison()));
  });

  after(async () => {
    await browser?.close();
    await server.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openTestPage(browser, server, { width: 1024, height: 1100 }));
    await setThemeVariables(page, DARK_VARIABLES, 'vscode-dark');
  });

  afterEach(async () => {
    await page.context().close();
    assert.deepEqual(problems.errors, [], 'no uncaught exception on the page');
    assert.deepEqual(problems.console, [], 'no console error on the page');
    assert.deepEqual(problems.external, [], 'no request left 127.0.0.1');
  });

  it('draws a GRU trace with the recurrent views, keyed on the update gate z', async () => {
    await renderOutput(page, 'g', paths.gru);
    await waitReady(page, 'g');
    const facts = await canvasFacts(page, 'g');
    assert.deepEqual(facts.map((f) => f.kind), ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation', 'influence']);
    for (const f of facts) assert.ok(f.painted > 1000, `${f.kind} is painted (${f.painted} pixels)`);
    assert.match(facts[0].label, /^Heatmap of the update gate \(z\) over 60 steps and 48 units/);
    assert.match((await page.textContent('#output-g .fglab-header')) ?? '', /^GRU · 1 × 60 steps × 48 units, 8 features · mean update gate 0\.\d+ · median half-life [\d.]+ steps$/);
    const options = await page.$$eval('#output-g select.fglab-series option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(options, ['updateGate', 'resetGate', 'candidate', 'hidden', 'survival']);
    assert.match(await hoverAt(page, 'g', 'heatmap', 3, 7), /^step 3 \("on"\) \| unit 7 \| z = 0\.\d+$/);
    assert.match(await hoverAt(page, 'g', 'gates', 10, 0.5), /^step 10 \("saw"\) \| z mean 0\.\d+ · Q1–Q3 0\.\d+–0\.\d+ \| r mean 0\.\d+/);
    assert.ok(await screenshot(page, 'g', 'renderer-gru.png') > 10_000);
  });

  it('draws attention weights query × key with the tokens on both axes, a head picker and the row entropy', async () => {
    await renderOutput(page, 't', paths.attention);
    await waitReady(page, 't');
    const facts = await canvasFacts(page, 't');
    assert.deepEqual(facts.map((f) => f.kind), ['matrix', 'entropy']);
    for (const f of facts) assert.ok(f.painted > 1000, `${f.kind} is painted`);
    assert.ok(facts[0].areaColors > 10, `the matrix shows many colours (${facts[0].areaColors})`);
    assert.match(facts[0].label, /^Matrix of the attention weights \(α\) of head 0: 16 queries × 16 keys.*axes labelled with the tokens\.$/);
    const x = await tickLabels(page, 't', 'matrix', 'x');
    const y = await tickLabels(page, 't', 'matrix', 'y');
    assert.ok(x.length >= 8 && x.every((l) => tokens.includes(l)), `key ticks are tokens: ${x.join(' ')}`);
    assert.ok(y.length >= 4 && y.every((l) => tokens.includes(l)), `query ticks are tokens: ${y.join(' ')}`);
    assert.equal(await hoverAt(page, 't', 'matrix', 5, 2), 'query 2 ("sat") → key 5 ("mat") | head 0 | α = 0');
    assert.match(await hoverAt(page, 't', 'matrix', 1, 3), /^query 3 \("on"\) → key 1 \("cat"\) \| head 0 \| α = 0\.\d+/);
    assert.match(await hoverAt(page, 't', 'entropy', 4, 1), /^query 4 \("the"\) \| head 0: H = [\d.]+ nats \| head 1: H = [\d.]+ nats \| uniform: 1\.609 nats$/);
    const options = await page.$$eval('#output-t select.fglab-matrix-series option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(options, ['weights', 'scores', 'kept']);
    const before = facts[0].areaHash;
    await page.selectOption('#output-t select.fglab-head', '1');
    await page.waitForFunction(() => document.querySelector('#output-t canvas[data-fglab-chart="matrix"]')?.getAttribute('aria-label')?.includes('head 1'));
    assert.notEqual((await canvasFacts(page, 't'))[0].areaHash, before, 'head 1 has other weights');
    assert.ok(await screenshot(page, 't', 'renderer-attention.png') > 10_000);
  });

  it('draws the kept/pruned mask of thresholded forgetting in two colours', async () => {
    await renderOutput(page, 't', paths.attention);
    await waitReady(page, 't');
    await page.selectOption('#output-t select.fglab-matrix-series', 'kept');
    await page.waitForFunction(() => document.querySelector('#output-t canvas[data-fglab-chart="matrix"]')?.getAttribute('aria-label')?.includes('kept'));
    const colors = await page.evaluate(() => {
      type Chart = { chartArea: { left: number; top: number; right: number; bottom: number } };
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
      const canvas = document.querySelector<HTMLCanvasElement>('#output-t canvas[data-fglab-chart="matrix"]')!;
      const a = api.chartOf(canvas)!.chartArea;
      const px = canvas.getContext('2d')!.getImageData(a.left + 2, a.top + 2, a.right - a.left - 4, a.bottom - a.top - 4).data;
      const seen = new Set<string>();
      for (let k = 0; k < px.length; k += 4) if (px[k + 3] === 255) seen.add(`${px[k]},${px[k + 1]},${px[k + 2]}`);
      return [...seen];
    });
    assert.ok(colors.includes('68,1,84') && colors.includes('253,231,37'), `pruned and kept cells in viridis' two ends: ${colors.slice(0, 6).join(' ')}`);
    assert.match(await hoverAt(page, 't', 'matrix', 0, 0), /\| m = 1$/);
  });

  it('draws forgetting attention: the forget gate per head, the decay matrix without its upper triangle, half-life per head', async () => {
    await renderOutput(page, 'f', paths.forgetting);
    await waitReady(page, 'f');
    const facts = await canvasFacts(page, 'f');
    assert.deepEqual(facts.map((f) => f.kind), ['matrix', 'headGates', 'survival', 'halflife', 'saturation', 'entropy']);
    for (const f of facts) assert.ok(f.painted > 1000, `${f.kind} is painted`);
    assert.match(await hoverAt(page, 'f', 'headGates', 2, 0.9), /^step 2 \("sat"\) \| head 0: f = 0\.\d+ \| head 1: f = 0\.\d+ \| head 2: f = 0\.\d+ \| head 3: f = 0\.\d+$/);
    assert.match(await hoverAt(page, 'f', 'halflife', 3, null), /^head 3 \| t½ = [\d.]+ steps$/);
    await page.selectOption('#output-f select.fglab-matrix-series', 'decay');
    await page.waitForFunction(() => document.querySelector('#output-f canvas[data-fglab-chart="matrix"]')?.getAttribute('aria-label')?.includes('decay bias'));
    assert.equal(await hoverAt(page, 'f', 'matrix', 20, 3), 'query 3 ("on") → key 20 ("the") | head 0 | D: none (j > i)');
    assert.match(await hoverAt(page, 'f', 'matrix', 3, 20), /^query 20 \("the"\) → key 3 \("on"\) \| head 0 \| D = −\d+\.\d+$/);
    const upper = await page.evaluate(() => {
      type Chart = { scales: Record<string, { getPixelForValue(v: number): number }> };
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
      const canvas = document.querySelector<HTMLCanvasElement>('#output-f canvas[data-fglab-chart="matrix"]')!;
      const chart = api.chartOf(canvas)!;
      const at = (k: number, q: number) => Array.from(canvas.getContext('2d')!.getImageData(Math.round(chart.scales.x.getPixelForValue(k)), Math.round(chart.scales.y.getPixelForValue(q)), 1, 1).data);
      return { above: at(20, 3), below: at(3, 20) };
    });
    assert.equal(upper.above[3], 0, 'nothing drawn above the diagonal');
    assert.equal(upper.below[3], 255, 'the decay is drawn below it');
    assert.ok(await screenshot(page, 'f', 'renderer-forgetting-attention.png') > 10_000);
  });

  it('plots influence against the lag, the last input at lag 0', async () => {
    await renderOutput(page, 'l', paths.lstm);
    await waitReady(page, 'l');
    const facts = await canvasFacts(page, 'l');
    const influence = facts.find((f) => f.kind === 'influence')!;
    assert.ok(influence.painted > 1000);
    assert.match(influence.label, /influence of each of 60 input steps on the last state against its lag/);
    assert.match(await hoverAt(page, 'l', 'influence', 0, 0.5), /^lag 0: step 59 \("[a-z]+"\) \| influence = 0\.\d+$/);
    assert.match(await hoverAt(page, 'l', 'influence', 10, 0.01), /^lag 10: step 49 \("[a-z]+"\) \| influence = 0\.\d+$/);
  });

  it('draws a comparison with one colour per variant on shared axes', async () => {
    await renderOutput(page, 'c', paths.comparison);
    await waitReady(page, 'c');
    const facts = await canvasFacts(page, 'c');
    assert.deepEqual(facts.map((f) => f.kind), ['compareSurvival', 'compareGates', 'compareHalfLife']);
    for (const f of facts) assert.ok(f.painted > 1000, `${f.kind} is painted`);
    assert.match((await page.textContent('#output-c .fglab-header')) ?? '', /^Comparison of 4 variants: no forget bias \(LSTM, t½ [\d.]+\) · unit forget bias \(LSTM, t½ [\d.]+\) · GRU \(GRU, t½ [\d.]+\) · forgetting attention \(Forgetting attention, t½ [\d.]+\)$/);
    const colors = await page.evaluate(() => {
      type Chart = { data: { datasets: { label: string; borderColor: string }[] } };
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
      const of = (kind: string) => api.chartOf(document.querySelector<HTMLCanvasElement>(`#output-c canvas[data-fglab-chart="${kind}"]`)!)!.data.datasets.filter((d) => d.label !== 'R = ½').map((d) => d.borderColor);
      return { survival: of('compareSurvival'), gates: of('compareGates'), halfLife: of('compareHalfLife') };
    });
    assert.equal(new Set(colors.survival).size, 4, 'four colours');
    assert.deepEqual(colors.gates, colors.survival, 'the same colour for a variant in every chart');
    assert.deepEqual(colors.halfLife, colors.survival);
    assert.match(await hoverAt(page, 'c', 'compareSurvival', 5, 0.5), /^step 5 \| no forget bias: R = 0\.\d+ \| unit forget bias: R = 0\.\d+ \| GRU: R = 0\.\d+ \| forgetting attention: R = 0\.\d+$/);
    assert.ok(await screenshot(page, 'c', 'renderer-comparison.png') > 10_000);
  });

  it('shows the views of one variant of a comparison on request, and keeps the pick when rendered again', async () => {
    await renderOutput(page, 'c', paths.comparison);
    await waitReady(page, 'c');
    assert.equal(await page.locator('#output-c .fglab-variant-views .fglab-trace').count(), 0, 'no variant shown at first');
    await page.selectOption('#output-c select.fglab-variant-picker', '3');
    await page.waitForSelector('#output-c .fglab-variant-views .fglab-trace[data-fglab-ready="true"]', { state: 'attached' });
    const kinds = await page.$$eval('#output-c .fglab-variant-views canvas[data-fglab-chart]', (cs) => cs.map((c) => (c as HTMLCanvasElement).dataset.fglabChart));
    assert.deepEqual(kinds, ['matrix', 'headGates', 'survival', 'halflife', 'saturation', 'entropy'], 'the forgetting-attention variant has its own views');
    assert.match((await page.textContent('#output-c .fglab-variant-views .fglab-header')) ?? '', /^Forgetting attention · 1 × 40 steps × 4 heads/);
    assert.equal(await page.locator('#output-c .fglab-variant-views .fglab-save-json').count(), 0, 'the whole output is saved from the comparison');
    await renderOutput(page, 'c', paths.comparison);
    await page.waitForSelector('#output-c .fglab-variant-views .fglab-trace[data-fglab-ready="true"]', { state: 'attached' });
    assert.equal(await page.inputValue('#output-c select.fglab-variant-picker'), '3');
    await page.selectOption('#output-c select.fglab-variant-picker', '');
    assert.equal(await page.locator('#output-c .fglab-variant-views canvas').count(), 0);
  });

  it('shows an error naming the series for an attention trace without weights', async () => {
    const trace = syntheticAttention({ time: 6, heads: 2, keyDim: 2 });
    delete trace.series.weights;
    await renderOutput(page, 'bad', server.addPayload('no-weights', payloadOf(trace)));
    assert.equal(await page.textContent('#output-bad .fglab-error-message'), 'trace series.weights: expected a series of shape [1, 2, 6, 6] ([batch, head, query, key]), got none');
    assert.equal(await page.locator('#output-bad canvas').count(), 0);
  });

  it('redraws attention views in the new colours when the VS Code theme changes', async () => {
    await renderOutput(page, 'f', paths.forgetting);
    await waitReady(page, 'f');
    const before = await canvasFacts(page, 'f');
    await setThemeVariables(page, LIGHT_VARIABLES, 'vscode-light');
    await page.waitForFunction(() => {
      type Chart = { options: { plugins: { title: { color: string } } } };
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
      return api.chartOf(document.querySelector<HTMLCanvasElement>('#output-f canvas[data-fglab-chart="entropy"]')!)?.options.plugins.title.color === '#3b3b3b';
    });
    const after = await canvasFacts(page, 'f');
    for (const k of [1, 2, 3, 5]) assert.notEqual(after[k].areaHash, before[k].areaHash, `${after[k].kind} changed colours`);
    for (const f of after) assert.ok(f.painted > 1000, `${f.kind} is painted after the change`);
  });

  it('saves light-theme screenshots of the attention and comparison views', async () => {
    await setThemeVariables(page, LIGHT_VARIABLES, 'vscode-light');
    await renderOutput(page, 'f', paths.forgetting);
    await renderOutput(page, 'c', paths.comparison);
    await waitReady(page, 'f');
    await waitReady(page, 'c');
    assert.ok(await screenshot(page, 'f', 'renderer-forgetting-attention-light.png') > 10_000);
    assert.ok(await screenshot(page, 'c', 'renderer-comparison-light.png') > 10_000);
  });
});
