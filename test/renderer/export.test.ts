/**
 * Saving from the renderer in real headless Chromium, with a fake renderer context: through
 * renderer messaging (requests the extension host answers) when there is messaging, and as
 * downloads when there is none. Also the host's settings reaching the charts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import type { RendererRequest } from '../../src/shared/renderer-protocol';
import { payloadOf, syntheticComparison, syntheticTrace } from './fixtures';
import { TestServer, canvasFacts, launchChromium, openTestPage, renderOutput, renderText, waitReady, type PageProblems } from './harness';

type TestApi = {
  posted(): RendererRequest[];
  setReply(kind: string): void;
  sendSettings(colorMap: string): void;
  wantImage(token: string): void;
  sendProgress(token: string, progress: unknown): void;
  chartOf(c: HTMLCanvasElement): { data: { datasets: { data: unknown[] }[] } } | undefined;
};

async function posted(page: Page): Promise<(RendererRequest | { type: 'ready'; protocol: number })[]> {
  return page.evaluate(() => (window as unknown as { fglabTest: TestApi }).fglabTest.posted());
}

async function statusAfter(page: Page, id: string, click: () => Promise<void>): Promise<string> {
  await page.evaluate((id) => { document.querySelector(`#output-${id} .fglab-status`)!.textContent = ''; }, id);
  await click();
  await page.waitForFunction((id) => (document.querySelector(`#output-${id} .fglab-status`)?.textContent ?? '') !== '', id);
  return (await page.textContent(`#output-${id} .fglab-status`)) ?? '';
}

describe('fglab.charts saving and host messages', function () {
  this.timeout(120_000);
  let browser: Browser;
  const server = new TestServer();
  let page: Page;
  let problems: PageProblems;
  let text: string;
  let path: string;
  let comparisonPath: string;

  before(async () => {
    await server.start();
    browser = await launchChromium();
    text = payloadOf(syntheticTrace({ time: 30, units: 12, seed: 6 }));
    path = server.addPayload('lstm', text);
    comparisonPath = server.addPayload('comparison', payloadOf(syntheticComparison(20)));
  });

  after(async () => {
    await browser?.close();
    await server.close();
  });

  afterEach(async () => {
    await page.context().close();
    assert.deepEqual(problems.errors, [], 'no uncaught exception on the page');
    assert.deepEqual(problems.console, [], 'no console error on the page');
    assert.deepEqual(problems.external, [], 'no request left 127.0.0.1');
  });

  describe('with renderer messaging', () => {
    beforeEach(async () => {
      ({ page, problems } = await openTestPage(browser, server, { width: 1024, height: 1000 }, { messaging: true }));
      await renderOutput(page, 'a', path);
      await waitReady(page, 'a');
    });

    it('tells the host it is ready, with the protocol version', async () => {
      assert.deepEqual((await posted(page))[0], { type: 'ready', protocol: 1 });
    });

    it('sends a view as PNG to the host and says where it was saved', async () => {
      const status = await statusAfter(page, 'a', () => page.click('#output-a [data-fglab-view="survival"] .fglab-save-png'));
      assert.equal(status, 'Saved lstm-survival.png to /work/lstm-survival.png');
      const request = (await posted(page)).at(-1) as RendererRequest & { type: 'saveView' };
      assert.deepEqual([request.type, request.protocol, request.format, request.suggestedName], ['saveView', 1, 'png', 'lstm-survival.png']);
      const png = Buffer.from(request.data, 'base64');
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
      assert.ok(png.length > 5000, `${png.length} bytes`);
      assert.equal(png.readUInt32BE(16), await page.$eval('#output-a canvas[data-fglab-chart="survival"]', (c) => (c as HTMLCanvasElement).width), 'the canvas size');
    });

    it('sends the numbers of a view as CSV', async () => {
      await statusAfter(page, 'a', () => page.click('#output-a [data-fglab-view="halflife"] .fglab-save-csv'));
      const request = (await posted(page)).at(-1) as RendererRequest & { type: 'saveView' };
      assert.deepEqual([request.format, request.suggestedName], ['csv', 'lstm-halflife.csv']);
      const lines = request.data.trim().split('\n');
      assert.equal(lines[0], 'unit,half-life (steps)');
      assert.equal(lines.length, 13, 'a header and one row per unit');
      assert.match(lines[1], /^0,\d+\.\d+$/);
      assert.equal(lines[12], '11,', 'the unit whose forget gate is 1 has no finite half-life');
    });

    it('sends the whole output for JSON and .npy export, as the renderer received it', async () => {
      await statusAfter(page, 'a', () => page.click('#output-a .fglab-save-json'));
      await statusAfter(page, 'a', () => page.click('#output-a .fglab-save-npy'));
      const [json, npy] = (await posted(page)).slice(-2) as (RendererRequest & { type: 'exportOutput' })[];
      assert.deepEqual([json.type, json.format, json.suggestedName], ['exportOutput', 'json', 'lstm-trace.json']);
      assert.deepEqual([npy.format, npy.suggestedName], ['npy', 'lstm-trace.npy']);
      assert.equal(json.payload, text);
    });

    it('reports a cancelled dialog and a failed save', async () => {
      await page.evaluate(() => (window as unknown as { fglabTest: TestApi }).fglabTest.setReply('cancelled'));
      assert.equal(await statusAfter(page, 'a', () => page.click('#output-a [data-fglab-view="gates"] .fglab-save-csv')), 'Saving lstm-gates.csv was cancelled.');
      await page.evaluate(() => (window as unknown as { fglabTest: TestApi }).fglabTest.setReply('failed'));
      assert.equal(await statusAfter(page, 'a', () => page.click('#output-a [data-fglab-view="gates"] .fglab-save-png')), 'Could not save lstm-gates.png: disk full');
    });

    it('offers JSON but no .npy for a comparison', async () => {
      await renderOutput(page, 'c', comparisonPath);
      await waitReady(page, 'c');
      assert.equal(await page.locator('#output-c .fglab-save-json').count(), 1);
      assert.equal(await page.locator('#output-c .fglab-save-npy').count(), 0);
    });

    it('recolours the heatmaps when the host sends another colour map, and keeps it for new outputs', async () => {
      const corner = () => page.evaluate(() => {
        type Chart = { scales: Record<string, { getPixelForValue(v: number): number }> };
        const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
        const canvas = document.querySelector<HTMLCanvasElement>('#output-a canvas[data-fglab-chart="heatmap"]')!;
        const chart = api.chartOf(canvas)!;
        // The last unit's forget gate is exactly 1: the top of the colour map.
        return Array.from(canvas.getContext('2d')!.getImageData(Math.round(chart.scales.x.getPixelForValue(0)), Math.round(chart.scales.y.getPixelForValue(11)), 1, 1).data.slice(0, 3));
      });
      assert.deepEqual(await corner(), [253, 231, 37], 'viridis yellow');
      const before = (await canvasFacts(page, 'a')).map((f) => f.areaHash);
      await page.evaluate(() => (window as unknown as { fglabTest: TestApi }).fglabTest.sendSettings('cividis'));
      await page.waitForFunction(() => true);
      assert.deepEqual(await corner(), [253, 234, 69], 'cividis yellow');
      const after = (await canvasFacts(page, 'a')).map((f) => f.areaHash);
      assert.notEqual(after[0], before[0], 'the heatmap is redrawn');
      assert.deepEqual(after.slice(1), before.slice(1), 'line charts keep their colours');
      await renderOutput(page, 'b', path);
      await waitReady(page, 'b');
      assert.equal((await canvasFacts(page, 'b'))[0].areaHash, after[0], 'a new output uses the colour map too');
    });
  });

  describe('pictures of outputs for the host (image/png)', () => {
    beforeEach(async () => {
      ({ page, problems } = await openTestPage(browser, server, { width: 1024, height: 1000 }, { messaging: true }));
    });

    const pictures = async () => (await posted(page)).filter((m) => (m as { type: string }).type === 'outputImage') as unknown as { token: string; protocol: number; data: string }[];
    const wantImage = (token: string) => page.evaluate((t) => (window as unknown as { fglabTest: TestApi }).fglabTest.wantImage(t), token);

    it('draws the main view of the output the host asks for, whether asked before or after it renders, once', async () => {
      await renderOutput(page, 'a', path, { fglabImageToken: 'after' });
      await waitReady(page, 'a');
      await renderOutput(page, 'b', path, { fglabImageToken: 'unwanted' });
      await waitReady(page, 'b');
      assert.deepEqual(await pictures(), [], 'nothing drawn until the host asks');
      await wantImage('after');
      await page.waitForFunction(() => (window as unknown as { fglabTest: TestApi }).fglabTest.posted().some((m) => (m as { type: string }).type === 'outputImage'));
      await wantImage('before');
      await renderOutput(page, 'c', comparisonPath, { fglabImageToken: 'before' });
      await waitReady(page, 'c');
      await wantImage('after'); // asked again before the answer arrived: one picture is enough
      const sent = await pictures();
      assert.deepEqual(sent.map((p) => [p.token, p.protocol]), [['after', 1], ['before', 1]]);
      for (const p of sent) {
        const png = Buffer.from(p.data, 'base64');
        assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
        assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [960, 396], 'the main view under its headline, as fglab trace --format png draws it');
      }
    });
  });

  describe('live training progress', () => {
    beforeEach(async () => {
      ({ page, problems } = await openTestPage(browser, server, { width: 1024, height: 1000 }, { messaging: true }));
    });

    const record = (steps: number) => ({
      task: { name: 'adding', lag: 7.5 },
      epochs: 4,
      stepsPerEpoch: 3,
      loss: Array.from({ length: steps }, (_, i) => 0.5 / (i + 1)),
      accuracy: Array.from({ length: steps }, (_, i) => i / 12),
      testLoss: [],
      testAccuracy: [],
      stopped: false,
    });
    const progress = (steps: number) => ({ epoch: Math.floor((steps - 1) / 3) + 1, epochs: 4, step: ((steps - 1) % 3) + 1, stepsPerEpoch: 3, etaMs: 9000, record: record(steps) });
    const send = (token: string, p: unknown) => page.evaluate(([t, q]) => (window as unknown as { fglabTest: TestApi }).fglabTest.sendProgress(t as string, q), [token, p] as const);
    const line = (id: string) => page.$eval(`#output-${id} .fglab-header`, (el) => el.textContent);
    /** Points of the first curve of the output's training chart. */
    const points = (id: string) => page.$eval(`#output-${id} canvas[data-fglab-chart="training"]`, (c) => (window as unknown as { fglabTest: TestApi }).fglabTest.chartOf(c as HTMLCanvasElement)!.data.datasets[0].data.length);

    it('redraws the line and the curves of the output with the token of a trainingProgress message, in place', async () => {
      await renderText(page, 'p', JSON.stringify({ ...progress(2), liveToken: 'run-1' }), 'application/vnd.fglab.training-progress+json');
      await renderText(page, 'q', JSON.stringify({ ...progress(2), liveToken: 'run-2' }), 'application/vnd.fglab.training-progress+json');
      assert.equal(await line('p'), 'Training epoch 1/4, step 2/3 · loss 0.250 · accuracy 0.08 · about 9 s left');
      assert.equal(await points('p'), 2);
      const canvas = await page.$('#output-p canvas');
      await send('run-1', progress(7));
      assert.equal(await line('p'), 'Training epoch 3/4, step 1/3 · loss 0.0714 · accuracy 0.50 · about 9 s left');
      assert.equal(await points('p'), 7);
      assert.ok(await canvas!.evaluate((c) => c.isConnected), 'the same canvas, redrawn');
      assert.equal(await line('q'), 'Training epoch 1/4, step 2/3 · loss 0.250 · accuracy 0.08 · about 9 s left', 'another training\'s output is untouched');
      // A report it cannot read, or for no output here, changes nothing.
      await send('run-1', { epoch: 'x' });
      await send('run-9', progress(9));
      assert.equal(await points('p'), 7);
      // A disposed output no longer listens.
      await page.evaluate(() => (window as unknown as { fglabTest: { dispose(id: string): void } }).fglabTest.dispose('p'));
      await send('run-1', progress(8));
      assert.deepEqual(problems.errors, []);
    });
  });

  describe('without renderer messaging', () => {
    beforeEach(async () => {
      ({ page, problems } = await openTestPage(browser, server, { width: 1024, height: 1000 }));
      await renderOutput(page, 'a', path);
      await waitReady(page, 'a');
    });

    it('hides the whole-output exports, which need the host', async () => {
      assert.equal(await page.locator('#output-a .fglab-save-json, #output-a .fglab-save-npy').count(), 0);
    });

    it('offers a view as a CSV download instead', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#output-a [data-fglab-view="survival"] .fglab-save-csv')]);
      assert.equal(download.suggestedFilename(), 'lstm-survival.csv');
      const csv = readFileSync((await download.path())!, 'utf8');
      assert.match(csv.split('\n')[0], /^step,mean R,slowest unit \d+,median unit \d+,fastest unit \d+$/);
      assert.equal(csv.trim().split('\n').length, 31, 'a header and one row per step');
      assert.equal(await page.textContent('#output-a .fglab-status'), 'Downloading lstm-survival.csv');
    });

    it('offers a view as a PNG download instead', async () => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#output-a [data-fglab-view="heatmap"] .fglab-save-png')]);
      assert.equal(download.suggestedFilename(), 'lstm-heatmap.png');
      const png = readFileSync((await download.path())!);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    });
  });
});
