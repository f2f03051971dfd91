/**
 * Interaction in real headless Chromium: the linked cursor, click (or Enter) to pin a unit in
 * every view, unit sort, shared zoom and pan, the keyboard, and picks that survive VS Code
 * rendering the same output again.
 */
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { payloadOf, syntheticTrace, words } from './fixtures';
import {
  TestServer,
  canvasFacts,
  hoverAt,
  launchChromium,
  openTestPage,
  overlayPainted,
  pointOf,
  renderOutput,
  waitReady,
  type PageProblems,
} from './harness';

type ChartInfo = { labels: string[]; x: { min: number; max: number } };

/** Dataset labels and x range of the chart of view `kind`. */
async function chartInfo(page: Page, id: string, kind: string): Promise<ChartInfo> {
  return page.evaluate(({ id, kind }) => {
    type Chart = { data: { datasets: { label: string }[] }; scales: { x: { min: number; max: number } } };
    const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
    const chart = api.chartOf(document.querySelector<HTMLCanvasElement>(`#output-${id} canvas[data-fglab-chart="${kind}"]`)!)!;
    return { labels: chart.data.datasets.map((d) => d.label), x: { min: chart.scales.x.min, max: chart.scales.x.max } };
  }, { id, kind });
}

/** The image the heatmap plugin drew last: its window of steps and columns per pixel. */
async function heatmapImage(page: Page, id: string): Promise<{ x0: number; x1: number; xBlock: number; width: number }> {
  return page.evaluate((id) => {
    type Chart = { config: { plugins: { id: string; image?: { window: { x0: number; x1: number }; xBlock: number; width: number } }[] } };
    const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
    const chart = api.chartOf(document.querySelector<HTMLCanvasElement>(`#output-${id} canvas[data-fglab-chart="heatmap"]`)!)!;
    const image = chart.config.plugins.find((p) => p.id === 'fglabHeatmap')!.image!;
    return { x0: image.window.x0, x1: image.window.x1, xBlock: image.xBlock, width: image.width };
  }, id);
}

describe('fglab.charts interaction', function () {
  this.timeout(120_000);
  let browser: Browser;
  const server = new TestServer();
  let page: Page;
  let problems: PageProblems;
  let path: string;
  let longPath: string;

  before(async () => {
    await server.start();
    browser = await launchChromium();
    path = server.addPayload('lstm', payloadOf(syntheticTrace({ time: 40, units: 24, labels: words(40), seed: 4 })));
    longPath = server.addPayload('long', payloadOf(syntheticTrace({ time: 3000, units: 32, seed: 8 })));
  });

  after(async () => {
    await browser?.close();
    await server.close();
  });

  beforeEach(async () => {
    ({ page, problems } = await openTestPage(browser, server, { width: 1024, height: 1100 }));
  });

  afterEach(async () => {
    await page.context().close();
    assert.deepEqual(problems.errors, [], 'no uncaught exception on the page');
    assert.deepEqual(problems.console, [], 'no console error on the page');
    assert.deepEqual(problems.external, [], 'no request left 127.0.0.1');
  });

  it('marks the hovered step in every step view, and clears the marks when the pointer leaves', async () => {
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    for (const kind of ['gates', 'survival', 'heatmap']) assert.equal(await overlayPainted(page, 'a', kind), 0, `${kind} starts without a cursor`);
    assert.match(await hoverAt(page, 'a', 'heatmap', 12, 5), /^step 12 \("the"\) \| unit 5 \| f = 0\.\d+$/);
    for (const kind of ['gates', 'survival']) assert.ok(await overlayPainted(page, 'a', kind) > 20, `${kind} shows the cursor`);
    assert.ok(await overlayPainted(page, 'a', 'heatmap') > 200, 'the heatmap marks the step and the unit row');
    assert.equal(await overlayPainted(page, 'a', 'halflife'), 0, 'views without steps have no cursor');
    // The cursor of the gates chart sits at step 12 there too.
    const x = await page.evaluate(() => {
      const overlay = document.querySelector<HTMLCanvasElement>('#output-a [data-fglab-view="gates"] canvas.fglab-overlay')!;
      const px = overlay.getContext('2d')!.getImageData(0, 0, overlay.width, overlay.height).data;
      const columns = new Set<number>();
      for (let k = 3; k < px.length; k += 4) if (px[k] > 0) columns.add(((k - 3) / 4) % overlay.width);
      return [...columns];
    });
    const expected = (await pointOf(page, 'a', 'gates', 12, 0)).x - (await page.locator('#output-a canvas[data-fglab-chart="gates"]').boundingBox())!.x;
    assert.ok(x.every((c) => Math.abs(c - expected) <= 1.5), `cursor columns ${x.join(', ')} at step 12 (${expected.toFixed(1)} px)`);
    await page.mouse.move(1, 1);
    assert.equal(await overlayPainted(page, 'a', 'gates'), 0);
    assert.ok(await page.locator('#output-a .fglab-tooltip').isHidden());
  });

  it('pins the clicked unit in every view and unpins it on a second click', async () => {
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    const p = await pointOf(page, 'a', 'heatmap', 20, 7);
    await page.mouse.click(p.x, p.y);
    assert.equal(await page.textContent('#output-a .fglab-status'), 'Pinned unit 7: its curves are drawn in every chart.');
    assert.ok((await chartInfo(page, 'a', 'survival')).labels.some((l) => /^pinned: unit 7 /.test(l)), 'survival draws unit 7');
    assert.ok((await chartInfo(page, 'a', 'gates')).labels.includes('unit 7: f'), 'the gates chart draws unit 7');
    assert.match(await hoverAt(page, 'a', 'survival', 3, 0.5), /\| pinned unit 7: R = 0\.\d+/);
    assert.ok(await overlayPainted(page, 'a', 'heatmap') > 100, 'the heatmap marks the pinned row');
    const state = await page.evaluate(() => (window as unknown as { fglabTest: { state(): Record<string, { pinned: number[] }> } }).fglabTest.state());
    assert.deepEqual(state.a.pinned, [7], 'the pin is kept in the renderer state');
    await page.mouse.click(p.x, p.y);
    assert.ok(!(await chartInfo(page, 'a', 'survival')).labels.some((l) => l.startsWith('pinned')));
    assert.equal(await page.textContent('#output-a .fglab-status'), 'Unpinned unit 7.');
  });

  it('sorts the heatmap units by half-life and by saturation, and back to index order', async () => {
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    const before = (await canvasFacts(page, 'a'))[0].areaHash;
    await page.selectOption('#output-a select.fglab-sort', 'halfLife');
    // The synthetic forget bias grows with the unit index: the last unit (f = 1) remembers longest.
    assert.match(await hoverAt(page, 'a', 'heatmap', 0, 0), /\| unit 23 \| f = 1$/);
    assert.notEqual((await canvasFacts(page, 'a'))[0].areaHash, before, 'rows moved');
    await page.selectOption('#output-a select.fglab-sort', 'saturation');
    // Units 22 and 23 are both above 0.9 at every step: the tie keeps index order.
    assert.match(await hoverAt(page, 'a', 'heatmap', 0, 0), /\| unit 22 \|/);
    assert.match(await hoverAt(page, 'a', 'heatmap', 0, 1), /\| unit 23 \|/);
    await page.selectOption('#output-a select.fglab-sort', 'index');
    assert.match(await hoverAt(page, 'a', 'heatmap', 0, 0), /\| unit 0 \|/);
    assert.equal((await canvasFacts(page, 'a'))[0].areaHash, before);
  });

  it('zooms every step view together from the buttons, redraws the heatmap at full detail, and shows all steps again', async () => {
    await renderOutput(page, 'z', longPath);
    await waitReady(page, 'z');
    const whole = await heatmapImage(page, 'z');
    assert.ok(whole.xBlock > 1, `3000 steps are pooled (${whole.xBlock} a pixel)`);
    for (let k = 0; k < 5; k++) await page.click('#output-z .fglab-zoom-in');
    const heatmap = await chartInfo(page, 'z', 'heatmap');
    const gates = await chartInfo(page, 'z', 'gates');
    const survival = await chartInfo(page, 'z', 'survival');
    assert.ok(heatmap.x.max - heatmap.x.min < 120, `heatmap shows ${heatmap.x.min}..${heatmap.x.max}`);
    assert.deepEqual([Math.round(gates.x.min), Math.round(gates.x.max)], [Math.round(heatmap.x.min), Math.round(heatmap.x.max)], 'gates follow');
    assert.deepEqual(survival.x, gates.x, 'survival follows');
    const zoomed = await heatmapImage(page, 'z');
    assert.equal(zoomed.xBlock, 1, 'one column per step once zoomed in');
    assert.ok(zoomed.x1 - zoomed.x0 < 130);
    await page.click('#output-z .fglab-zoom-reset');
    assert.deepEqual((await chartInfo(page, 'z', 'gates')).x, { min: 0, max: 2999 });
    assert.deepEqual((await chartInfo(page, 'z', 'heatmap')).x, { min: -0.5, max: 2999.5 });
  });

  it('zooms with Ctrl + wheel over a chart and pans by dragging, and the other views follow', async () => {
    await renderOutput(page, 'z', longPath);
    await waitReady(page, 'z');
    const p = await pointOf(page, 'z', 'gates', 1500, 0.5);
    await page.mouse.move(p.x, p.y);
    await page.keyboard.down('Control');
    for (let k = 0; k < 8; k++) await page.mouse.wheel(0, -200);
    await page.keyboard.up('Control');
    // The views follow once the wheel has rested (the zoom plugin reports it after 250 ms).
    await page.waitForFunction(() => {
      type Chart = { scales: { x: { min: number; max: number } } };
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
      const x = (kind: string) => api.chartOf(document.querySelector<HTMLCanvasElement>(`#output-z canvas[data-fglab-chart="${kind}"]`)!)!.scales.x;
      const [g, s, h] = [x('gates'), x('survival'), x('heatmap')];
      return g.max - g.min < 2000 && Math.abs(s.min - g.min) < 1 && Math.abs(s.max - g.max) < 1 && Math.abs(h.min - g.min) < 1 && Math.abs(h.max - g.max) < 1;
    });
    const gates = await chartInfo(page, 'z', 'gates');
    assert.ok(gates.x.min > 0 && gates.x.max < 2999 && gates.x.min < 1500 && gates.x.max > 1500, `zoomed around step 1500: ${gates.x.min}..${gates.x.max}`);
    const heatmap = await chartInfo(page, 'z', 'heatmap');
    assert.ok(Math.abs(heatmap.x.min - gates.x.min) < 1 && Math.abs(heatmap.x.max - gates.x.max) < 1, 'the heatmap follows');
    const start = await pointOf(page, 'z', 'gates', 1500, 0.5);
    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    for (let k = 1; k <= 10; k++) await page.mouse.move(start.x + 12 * k, start.y);
    await page.mouse.up();
    await page.waitForFunction((min) => {
      type Chart = { scales: { x: { min: number } } };
      const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
      return api.chartOf(document.querySelector<HTMLCanvasElement>('#output-z canvas[data-fglab-chart="heatmap"]')!)!.scales.x.min < min - 1;
    }, heatmap.x.min);
    const panned = await chartInfo(page, 'z', 'gates');
    assert.ok(panned.x.min < gates.x.min, `dragging right shows earlier steps: ${panned.x.min} < ${gates.x.min}`);
    assert.ok(Math.abs((panned.x.max - panned.x.min) - (gates.x.max - gates.x.min)) < 1, 'panning keeps the span');
  });

  it('moves a cursor with the arrow keys over a focused chart and pins with Enter', async () => {
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    await page.focus('#output-a canvas[data-fglab-chart="heatmap"]');
    await page.keyboard.press('ArrowRight');
    const first = await page.textContent('#output-a .fglab-readout');
    const [, t0, u0] = /^step (\d+) \(.*\) · unit (\d+)/.exec(first ?? '') ?? [];
    assert.ok(t0 !== undefined, `readout: ${first}`);
    await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('ArrowDown');
    const second = await page.textContent('#output-a .fglab-readout');
    assert.match(second ?? '', new RegExp(`^step ${Number(t0) + 10} \\(.*\\) · unit ${Number(u0) + 1} · f = `));
    assert.ok(await page.locator('#output-a .fglab-tooltip').isVisible());
    await page.keyboard.press('Enter');
    assert.equal(await page.textContent('#output-a .fglab-status'), `Pinned unit ${Number(u0) + 1}: its curves are drawn in every chart.`);
    await page.keyboard.press('Escape');
    assert.ok(await page.locator('#output-a .fglab-tooltip').isHidden());
  });

  it('reaches every control with the keyboard, each with an accessible name', async () => {
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    const controls = await page.$$eval('#output-a select, #output-a button, #output-a canvas[tabindex="0"]', (els) => els.map((e) => ({
      tag: e.tagName.toLowerCase(),
      name: e.getAttribute('aria-label') ?? e.textContent ?? '',
      focusable: (e as HTMLElement).tabIndex >= 0,
    })));
    assert.ok(controls.length > 20, `${controls.length} controls`);
    for (const c of controls) {
      assert.ok(c.focusable, `${c.tag} "${c.name}" is in the tab order`);
      assert.ok(c.name.trim().length > 0, `${c.tag} has a name`);
    }
    await page.focus('#output-a select.fglab-series');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.className), 'fglab-sort');
  });

  it('keeps the picks, pins, zoom and tables when the same output is rendered again', async () => {
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    await page.selectOption('#output-a select.fglab-series', 'inputGate');
    await page.selectOption('#output-a select.fglab-sort', 'halfLife');
    const p = await pointOf(page, 'a', 'heatmap', 5, 2);
    await page.mouse.click(p.x, p.y);
    await page.click('#output-a .fglab-zoom-in');
    await page.click('#output-a [data-fglab-view="halflife"] .fglab-table-toggle');
    const zoomed = await chartInfo(page, 'a', 'gates');
    const pinned = (await chartInfo(page, 'a', 'survival')).labels.filter((l) => l.startsWith('pinned'));
    assert.equal(pinned.length, 1);
    // VS Code renders an output again when it scrolls back into view.
    await renderOutput(page, 'a', path);
    await waitReady(page, 'a');
    assert.equal(await page.inputValue('#output-a select.fglab-series'), 'inputGate');
    assert.equal(await page.inputValue('#output-a select.fglab-sort'), 'halfLife');
    assert.equal(await page.getAttribute('#output-a canvas[data-fglab-chart="heatmap"]', 'data-fglab-series'), 'inputGate');
    assert.deepEqual((await chartInfo(page, 'a', 'survival')).labels.filter((l) => l.startsWith('pinned')), pinned);
    assert.deepEqual((await chartInfo(page, 'a', 'gates')).x, zoomed.x);
    assert.equal(await page.getAttribute('#output-a [data-fglab-view="halflife"] .fglab-table-toggle', 'aria-pressed'), 'true');
    assert.equal(await page.locator('#output-a [data-fglab-view="halflife"] table').count(), 1);
  });
});
