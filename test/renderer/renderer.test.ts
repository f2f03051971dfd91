/**
 * The notebook renderer in real headless Chromium: it draws every chart of a trace, follows
 * the pickers and the theme, shows readable errors for bad payloads and disposes its charts.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { encodeTrace } from '../../src/shared/trace';
import { syntheticPayload, syntheticTrace, truncatedPayload } from './fixtures';
import { SAMPLE_SPECS, labPayload } from './lab-fixtures';
import {
  DARK_VARIABLES,
  LIGHT_VARIABLES,
  ROOT,
  TestServer,
  canvasFacts,
  hoverAt,
  screenshot,
  launchChromium,
  openTestPage,
  renderOutput,
  renderText,
  setThemeVariables,
  waitReady,
  type PageProblems,
} from './harness';

const RESULTS = join(ROOT, 'test-results');

describe('fglab.charts renderer in Chromium', function () {
  this.timeout(120_000);
  let browser: Browser;
  const server = new TestServer();
  let page: Page;
  let problems: PageProblems;
  let lstmPath: string;

  before(async () => {
    await server.start();
    browser = await launchChromium();
    lstmPath = server.addPayload('lstm', await labPayload());
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
    assert.deepEqual(problems.console, [], 'no console error on the page');
    assert.deepEqual(problems.external, [], 'no request left 127.0.0.1');
  });

  it('draws every chart of the classic LSTM trace and marks the output ready', async () => {
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    const facts = await canvasFacts(page, 'a');
    assert.deepEqual(facts.map((f) => f.kind), ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation']);
    for (const f of facts) {
      assert.ok(f.label.length > 20, `${f.kind} has an aria-label`);
      assert.ok(f.painted > 1000, `${f.kind} is painted (${f.painted} pixels)`);
    }
    assert.ok(facts[0].areaColors > 20, `heatmap shows many colours (${facts[0].areaColors})`);
    const header = await page.textContent('#output-a .fglab-header');
    assert.match(header ?? '', /^LSTM · 1 × 10 steps × 128 units, 64 features · mean forget gate 0\.\d+ · median half-life [\d.]+ steps$/);
    assert.equal(await page.getAttribute('#output-a .fglab-trace', 'data-fglab-model'), 'lstm');
  });

  it('repaints the heatmap when another series is picked', async () => {
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    const before = (await canvasFacts(page, 'a'))[0];
    const options = await page.$$eval('#output-a select.fglab-series option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(options, ['forgetGate', 'inputGate', 'candidate', 'outputGate', 'cell', 'hidden', 'survival']);
    await page.selectOption('#output-a select.fglab-series', 'cell');
    await page.waitForSelector('#output-a canvas[data-fglab-chart="heatmap"][data-fglab-series="cell"]');
    const after = (await canvasFacts(page, 'a'))[0];
    assert.notEqual(after.areaHash, before.areaHash, 'the heatmap pixels changed');
    assert.ok(after.areaColors > 20, `the cell heatmap shows many colours (${after.areaColors})`);
    assert.match(after.label, /cell state/);
  });

  it('shows the exact value under the pointer in the heatmap', async () => {
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    const box = (await page.locator('#output-a canvas[data-fglab-chart="heatmap"]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const text = await page.textContent('#output-a .fglab-readout');
    assert.match(text ?? '', /^step \d+ · unit \d+ · f = 0\.\d+$/);
    const tooltip = await page.locator('#output-a .fglab-tooltip').innerText();
    assert.equal(tooltip.replace(/\n/g, ' · '), text, 'the tooltip says the same');
  });

  it('shows the numbers behind a view as a table in place of its chart, and back', async () => {
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    assert.equal(await page.locator('#output-a table').count(), 0, 'tables are built when asked for');
    const toggle = page.locator('#output-a [data-fglab-view="gates"] .fglab-table-toggle');
    await toggle.click();
    assert.equal(await toggle.getAttribute('aria-pressed'), 'true');
    const table = page.locator('#output-a [data-fglab-view="gates"] table.fglab-table');
    assert.equal(await table.locator('tbody tr').count(), 10, 'one row per step');
    assert.deepEqual(await table.locator('thead th').allTextContents(), ['step', 'mean f', 'f Q1', 'f median', 'f Q3', 'mean i', 'i Q1', 'i median', 'i Q3', 'mean o', 'o Q1', 'o median', 'o Q3']);
    assert.match((await table.locator('tbody tr').first().innerText()).replace(/\s+/g, ' '), /^0( 0\.\d+){12}$/);
    assert.ok(await page.locator('#output-a [data-fglab-view="gates"] .fglab-canvas-box').isHidden(), 'the chart gives way to the table');
    await toggle.click();
    assert.equal(await table.count(), 0);
    assert.ok(await page.locator('#output-a [data-fglab-view="gates"] .fglab-canvas-box').isVisible());
  });

  it('bounds a large table and says how much it leaves out', async () => {
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    await page.click('#output-a [data-fglab-view="heatmap"] .fglab-table-toggle');
    const box = page.locator('#output-a [data-fglab-view="heatmap"] .fglab-table-box');
    assert.equal(await box.locator('thead th').count(), 40);
    assert.equal(await box.locator('tbody tr').count(), 10);
    assert.equal(await box.locator('.fglab-table-note').textContent(), 'Showing the first 40 of 129 columns; Save CSV writes them all.');
  });

  it('shows an error naming the key for a payload of another format', async () => {
    await renderText(page, 'bad', '{"format":"nope"}');
    const text = await page.textContent('#output-bad .fglab-error');
    assert.match(text ?? '', /trace format: expected "fglab\.trace", got "nope"/);
    assert.equal(await page.locator('#output-bad canvas').count(), 0);
  });

  it('shows an error naming the series for truncated base64 data', async () => {
    const payload = encodeTrace(syntheticTrace({ time: 6, units: 8 }));
    await renderText(page, 'cut', truncatedPayload(payload, 'forgetGate'));
    const text = await page.textContent('#output-cut .fglab-error');
    assert.match(text ?? '', /series\.forgetGate\.data/);
  });

  it('shows an error for output text that is not JSON', async () => {
    await renderText(page, 'text', '{"format": "fglab.trace", ');
    const text = await page.textContent('#output-text .fglab-error');
    assert.match(text ?? '', /not valid JSON/);
  });

  it('shows an error for a trace with no steps', async () => {
    const payload = encodeTrace(syntheticTrace({ time: 0, units: 4 }));
    await renderText(page, 'empty', JSON.stringify(payload));
    const text = await page.textContent('#output-empty .fglab-error');
    assert.match(text ?? '', /trace dims\.time: expected at least 1 to chart, got 0/);
  });

  it('inserts payload strings as text, never as HTML', async () => {
    await renderText(page, 'html', JSON.stringify({ format: '<img src=x onerror="window.pwned=1">' }));
    const error = page.locator('#output-html .fglab-error');
    assert.match((await error.textContent()) ?? '', /<img src=x/);
    assert.equal(await page.locator('#output-html img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
  });

  it('destroys the charts of an output on disposeOutputItem, and of all outputs without an id', async () => {
    await renderOutput(page, 'a', lstmPath);
    await renderOutput(page, 'b', lstmPath);
    await waitReady(page, 'a');
    await waitReady(page, 'b');
    const charts = (id: string) => page.evaluate((id) => {
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): unknown } }).fglabTest;
      return window.__canvases?.[id]?.map((c) => api.chartOf(c) !== undefined);
    }, id);
    await page.evaluate(() => {
      window.__canvases = {
        a: Array.from(document.querySelectorAll<HTMLCanvasElement>('#output-a canvas[data-fglab-chart]')),
        b: Array.from(document.querySelectorAll<HTMLCanvasElement>('#output-b canvas[data-fglab-chart]')),
      };
    });
    const all = (v: boolean) => Array.from({ length: 6 }, () => v);
    assert.deepEqual(await charts('a'), all(true));
    await page.evaluate(() => (window as unknown as { fglabTest: { dispose(id?: string): void } }).fglabTest.dispose('a'));
    assert.deepEqual(await charts('a'), all(false));
    assert.equal(await page.locator('#output-a *').count(), 0, 'output a is emptied');
    assert.deepEqual(await charts('b'), all(true), 'output b keeps its charts');
    await page.evaluate(() => (window as unknown as { fglabTest: { dispose(id?: string): void } }).fglabTest.dispose());
    assert.deepEqual(await charts('b'), all(false));
    assert.equal(await page.locator('#output-b *').count(), 0, 'output b is emptied');
  });

  it('replaces the view when the same output is rendered again', async () => {
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    await page.evaluate(() => {
      window.__canvases = { old: Array.from(document.querySelectorAll<HTMLCanvasElement>('#output-a canvas[data-fglab-chart]')) };
    });
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    assert.equal(await page.locator('#output-a .fglab-trace').count(), 1);
    const oldCharts = await page.evaluate(() => {
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): unknown } }).fglabTest;
      return window.__canvases!.old.map((c) => api.chartOf(c) !== undefined);
    });
    assert.deepEqual(oldCharts, [false, false, false, false, false, false]);
  });

  it('shows batch row 0 and redraws another row when picked', async () => {
    const path = server.addPayload('batch', syntheticPayload({ batch: 3, time: 40, units: 32, seed: 3 }));
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    const options = await page.$$eval('#output-a select.fglab-batch option', (os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.deepEqual(options, ['0', '1', '2']);
    const before = await canvasFacts(page, 'a');
    await page.selectOption('#output-a select.fglab-batch', '2');
    await page.waitForFunction(() => document.querySelector('#output-a canvas[data-fglab-chart="heatmap"]')?.getAttribute('aria-label')?.includes('batch row 2'));
    const after = await canvasFacts(page, 'a');
    assert.deepEqual(after.map((f) => f.kind), ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation']);
    for (const k of [0, 1, 2]) assert.notEqual(after[k].areaHash, before[k].areaHash, `${after[k].kind} was redrawn for row 2`);
    for (const k of [3, 4, 5]) assert.equal(after[k].areaHash, before[k].areaHash, `${after[k].kind} covers every row and stays`);
    for (const f of after) assert.ok(f.painted > 1000, `${f.kind} is painted`);
  });

  it('draws a trace of 2000 steps × 256 units', async () => {
    const path = server.addPayload('large', syntheticPayload({ time: 2000, units: 256, seed: 11 }));
    const ms = await renderOutput(page, 'large', path);
    await waitReady(page, 'large');
    const facts = await canvasFacts(page, 'large');
    for (const f of facts) assert.ok(f.painted > 1000, `${f.kind} is painted`);
    assert.ok(facts[0].areaColors > 20, 'the heatmap shows many colours');
    assert.ok(ms < 10_000, `rendered in ${Math.round(ms)} ms`);
    const switchMs = await page.evaluate(() => {
      const select = document.querySelector<HTMLSelectElement>('#output-large select.fglab-series')!;
      const started = performance.now();
      select.value = 'inputGate';
      select.dispatchEvent(new Event('change'));
      return performance.now() - started;
    });
    assert.ok(switchMs < 2_000, `switched series in ${Math.round(switchMs)} ms`);
  });

  it('redraws with the new colours when the VS Code theme changes', async () => {
    await setThemeVariables(page, LIGHT_VARIABLES, 'vscode-light');
    await renderOutput(page, 'a', lstmPath);
    await waitReady(page, 'a');
    const titleColor = () => page.evaluate(() => {
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): { options: { plugins: { title: { color: string } } } } | undefined } }).fglabTest;
      return api.chartOf(document.querySelector<HTMLCanvasElement>('#output-a canvas[data-fglab-chart="gates"]')!)?.options.plugins.title.color;
    });
    assert.equal(await titleColor(), LIGHT_VARIABLES['--vscode-editor-foreground']);
    await setThemeVariables(page, DARK_VARIABLES, 'vscode-dark');
    await page.waitForFunction((fg) => {
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): { options: { plugins: { title: { color: string } } } } | undefined } }).fglabTest;
      return api.chartOf(document.querySelector<HTMLCanvasElement>('#output-a canvas[data-fglab-chart="gates"]')!)?.options.plugins.title.color === fg;
    }, DARK_VARIABLES['--vscode-editor-foreground']);
    const facts = await canvasFacts(page, 'a');
    for (const f of facts) assert.ok(f.painted > 1000, `${f.kind} is painted after the theme change`);
  });

  const REAL: [keyof typeof SAMPLE_SPECS, string[], RegExp][] = [
    ['gru', ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation'], /^step \d+ \| unit \d+ \| z = 0\.\d+$/],
    ['attention', ['matrix', 'entropy'], /^query \d+ \("[a-z]+"\) → key \d+ \("[a-z]+"\) \| head 0 \| α = [\d.e−]+$/],
    ['forgetting', ['matrix', 'headGates', 'survival', 'halflife', 'saturation', 'entropy'], /^query \d+ \("[a-z]+"\) → key \d+ \("[a-z]+"\) \| head 0 \| α = [\d.e−]+$/],
    ['compare', ['compareSurvival', 'compareGates', 'compareHalfLife'], /^step \d+ \| no forget bias: R = [\d.e−]+ \| unit forget bias: R = [\d.e−]+ \| chrono 100: R = [\d.e−]+ \| GRU: R = [\d.e−]+$/],
    ['learningToForget', ['training', 'cellMagnitude', 'compareSurvival', 'compareGates', 'compareHalfLife'], /^step \d+ \| no forget gate \(1997\): loss [\d.]+ · accuracy [\d.]+ \| forget gate \(2000\): loss [\d.]+ · accuracy [\d.]+$/],
    ['continual', ['forgetting', 'training', 'cellMagnitude', 'compareSurvival', 'compareGates', 'compareHalfLife'], /^step 2 on B \| none \(step 2\): A [\d.]+ · B [\d.]+ \| rehearsal \(step 2\): A [\d.]+ · B [\d.]+ \| ewc \(step 2\): A [\d.]+ · B [\d.]+$/],
    ['trainedForgetting', ['training', 'matrix', 'headGates', 'survival', 'halflife', 'saturation', 'entropy'], /^step \d+ \| loss [\d.]+ · accuracy [\d.]+$/],
    ['influence', ['heatmap', 'gates', 'survival', 'halflife', 'spectrum', 'saturation', 'influence'], /^step \d+ \("."\) \| unit \d+ \| f = 0\.\d+$/],
  ];
  for (const [name, views, hover] of REAL) {
    it(`draws the lab's own ${name} trace (media/samples) with its views and exact values under the pointer`, async () => {
      const path = server.addPayload(`real-${name}`, await labPayload(SAMPLE_SPECS[name]));
      await renderOutput(page, 'r', path);
      await waitReady(page, 'r');
      const facts = await canvasFacts(page, 'r');
      assert.deepEqual(facts.map((f) => f.kind), views);
      for (const f of facts) {
        assert.ok(f.painted > 1000, `${f.kind} is painted (${f.painted} pixels)`);
        assert.ok(f.label.length > 20, `${f.kind} has an aria-label`);
      }
      const [kind, x, y] = views[0] === 'matrix' ? ['matrix', 1, 5] : views[0] === 'compareSurvival' ? ['compareSurvival', 20, 0.5] : views[0] === 'training' ? ['training', 3, 1] : views[0] === 'forgetting' ? ['forgetting', 2, 0.5] : ['heatmap', 3, 3];
      assert.match(await hoverAt(page, 'r', kind as string, x as number, y as number), hover);
      assert.ok(await screenshot(page, 'r', `renderer-real-${name}.png`) > 10_000);
    });
  }

  it('draws a training in progress from its progress payload: the progress line and the curves so far', async () => {
    const record = { task: { name: 'adding', lag: 7.5 }, epochs: 4, stepsPerEpoch: 3, loss: [0.4, 0.3, 0.25, 0.2], accuracy: [0.1, 0.2, 0.3, 0.5], testLoss: [0.22], testAccuracy: [0.4], stopped: false };
    const progress = { epoch: 2, epochs: 4, step: 1, stepsPerEpoch: 3, etaMs: 65_000, record, variant: 'forget gate (2000)' };
    await renderText(page, 'p', JSON.stringify(progress), 'application/vnd.fglab.training-progress+json');
    const line = await page.$eval('#output-p .fglab-header', (el) => el.textContent);
    assert.equal(line, 'forget gate (2000): Training epoch 2/4, step 1/3 · loss 0.200 · accuracy 0.50 · about 1 m 05 s left');
    const facts = await canvasFacts(page, 'p');
    assert.deepEqual(facts.map((f) => f.kind), ['training']);
    assert.ok(facts[0].painted > 1000);
    await renderText(page, 'q', '{"epoch": "x"}', 'application/vnd.fglab.training-progress+json');
    assert.match(await page.$eval('#output-q', (el) => el.textContent ?? ''), /training progress: expected epoch, step and a record of losses/);
  });

  for (const [theme, variables, bodyClass, file] of [
    ['dark', DARK_VARIABLES, 'vscode-dark', 'renderer-lstm.png'],
    ['light', LIGHT_VARIABLES, 'vscode-light', 'renderer-lstm-light.png'],
  ] as const) {
    it(`saves a screenshot in a ${theme} theme to test-results/${file}`, async () => {
      await setThemeVariables(page, variables, bodyClass);
      await renderOutput(page, 'a', lstmPath);
      await waitReady(page, 'a');
      const color = await page.$eval('#output-a .fglab-header', (el) => getComputedStyle(el).color);
      const hex = variables['--vscode-editor-foreground'];
      const rgb = `rgb(${parseInt(hex.slice(1, 3), 16)}, ${parseInt(hex.slice(3, 5), 16)}, ${parseInt(hex.slice(5, 7), 16)})`;
      assert.equal(color, rgb, 'the header uses the theme foreground');
      mkdirSync(RESULTS, { recursive: true });
      const png = await page.locator('#output-a').screenshot({ path: join(RESULTS, file) });
      assert.ok(png.length > 10_000, `screenshot has ${png.length} bytes`);
    });
  }
});

declare global {
  interface Window {
    __canvases?: Record<string, HTMLCanvasElement[]>;
  }
}
