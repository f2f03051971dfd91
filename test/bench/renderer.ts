// `npm run bench:renderer`: the renderer's speed in headless Chromium, printed as a table.
//  - first paint of all default views: from `renderOutputItem` (payload parse and decode
//    included) to the frame after every chart has drawn, for synthetic LSTM traces of
//    2048 steps × 128 units and 8192 steps × 512 units (all seven series, float32), and a
//    forgetting-attention trace of 1024 steps × 4 heads;
//  - hover response on the large ones: a pointer move over a chart to the next frame, with
//    the tooltip, readout and linked cursor of every view updated.
// Medians of RUNS runs. Targets from issue 4: 300 ms, 1.5 s, hover 50 ms.
import type { Page } from 'playwright-core';
import type { Comparison, Trace } from '../../src/shared/trace';
import { DEFAULT_OUTPUT_PRECISION } from '../../src/lab/output';
import { encodeOutputBytes } from '../../src/shared/trace';
import { syntheticAttention, syntheticTrace } from '../renderer/fixtures';
import { TestServer, launchChromium, openTestPage } from '../renderer/harness';

const RUNS = 5;

interface Case {
  name: string;
  make: () => Trace | Comparison;
  /** First-paint target, ms. */
  target?: number;
  /** Views to hover, with a data point in each. */
  hover: { kind: string; x: number; y: number }[];
}

const CASES: Case[] = [
  { name: 'LSTM 2048 steps × 128 units', make: () => syntheticTrace({ time: 2048, units: 128, seed: 1 }), target: 300, hover: [{ kind: 'heatmap', x: 1000, y: 60 }] },
  {
    name: 'LSTM 8192 steps × 512 units',
    make: () => syntheticTrace({ time: 8192, units: 512, seed: 2 }),
    target: 1500,
    hover: [{ kind: 'heatmap', x: 4000, y: 200 }, { kind: 'gates', x: 4000, y: 0.5 }, { kind: 'survival', x: 4000, y: 0.5 }],
  },
  { name: 'Forgetting attention 1024 steps × 4 heads', make: () => syntheticAttention({ time: 1024, heads: 4, keyDim: 8, forgetting: true }), hover: [{ kind: 'matrix', x: 300, y: 700 }] },
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Renders payload `url` as output `id`: ms from `renderOutputItem` to the frame after the
 * output is ready (the test page's own text encoding left out), and the part of it spent
 * decoding the payload (the renderer's User Timing measure).
 */
async function firstPaint(page: Page, id: string, url: string): Promise<{ total: number; decode: number }> {
  return page.evaluate(async ({ id, url }) => {
    type Api = { renderText(id: string, text: string): Promise<number>; dispose(id?: string): void };
    const api = (window as unknown as { fglabTest: Api }).fglabTest;
    const text = await (await fetch(url)).text();
    api.dispose();
    await new Promise((r) => requestAnimationFrame(() => r(undefined)));
    const called = performance.now();
    const sync = await api.renderText(id, text);
    const returned = performance.now();
    await new Promise<void>((resolve) => {
      const check = () => {
        if (document.querySelector(`#output-${id} .fglab-trace[data-fglab-ready="true"]`)) requestAnimationFrame(() => resolve());
        else requestAnimationFrame(check);
      };
      check();
    });
    const decode = performance.getEntriesByName('fglab: decode output').at(-1)?.duration ?? NaN;
    // renderText encodes the text to bytes before it calls the renderer: not the renderer's time.
    const encoding = returned - called - sync;
    return { total: performance.now() - called - encoding, decode };
  }, { id, url });
}

/** ms from a pointer move over data point (x, y) of view `kind` to the next frame, median of 30 moves nearby. */
async function hoverTime(page: Page, id: string, kind: string, x: number, y: number): Promise<number> {
  return page.evaluate(async ({ id, kind, x, y }) => {
    type Scale = { getPixelForValue(v: number): number };
    type Chart = { scales: { x: Scale; y: Scale } };
    const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
    const canvas = document.querySelector<HTMLCanvasElement>(`#output-${id} canvas[data-fglab-chart="${kind}"]`)!;
    const chart = api.chartOf(canvas)!;
    const box = canvas.getBoundingClientRect();
    const times: number[] = [];
    for (let k = 0; k < 30; k++) {
      const px = chart.scales.x.getPixelForValue(x) + (k % 10) * 3;
      const py = chart.scales.y.getPixelForValue(y) + Math.floor(k / 10) * 3;
      const started = performance.now();
      canvas.dispatchEvent(new MouseEvent('mousemove', { clientX: box.left + px, clientY: box.top + py, bubbles: true }));
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      times.push(performance.now() - started);
      if (!document.querySelector(`#output-${id} .fglab-tooltip:not([hidden])`)) throw new Error(`no tooltip over ${kind}`);
    }
    times.sort((a, b) => a - b);
    return times[times.length >> 1];
  }, { id, kind, x, y });
}

async function main(): Promise<void> {
  const server = new TestServer();
  await server.start();
  const browser = await launchChromium();
  const rows: string[][] = [];
  try {
    for (const c of CASES) {
      const made = performance.now();
      // As notebook outputs store it: 16-bit codes, survival and hidden rebuilt on decode.
      const text = Buffer.from(encodeOutputBytes(c.make(), { precision: DEFAULT_OUTPUT_PRECISION })).toString('utf8');
      const url = server.addPayload(c.name, text);
      process.stderr.write(`${c.name}: payload ${(text.length / 1e6).toFixed(1)} MB made in ${Math.round(performance.now() - made)} ms\n`);
      const { page } = await openTestPage(browser, server, { width: 1024, height: 1400 });
      const runs: { total: number; decode: number }[] = [];
      await firstPaint(page, 'w', url); // warm-up
      for (let r = 0; r < RUNS; r++) runs.push(await firstPaint(page, 'b', url));
      const total = median(runs.map((r) => r.total));
      const decode = median(runs.map((r) => r.decode));
      const hovers: string[] = [];
      for (const h of c.hover) hovers.push(`${h.kind} ${(await hoverTime(page, 'b', h.kind, h.x, h.y)).toFixed(1)}`);
      const views = await page.$$eval('#output-b canvas[data-fglab-chart]', (cs) => cs.length);
      rows.push([
        c.name,
        (text.length / 1e6).toFixed(1),
        String(views),
        decode.toFixed(0),
        (total - decode).toFixed(0),
        total.toFixed(0),
        c.target ? `${c.target} ${total <= c.target ? 'ok' : 'MISSED'}` : '—',
        hovers.join(', '),
      ]);
      await page.context().close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const header = ['case', 'payload MB', 'views', 'decode ms', 'views ms', 'first paint ms', 'target ms', 'hover → next frame ms (target 50)'];
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => `| ${cells.map((c, k) => c.padEnd(widths[k])).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
  console.log(`\nmedians of ${RUNS} runs after a warm-up; first paint = decode (JSON.parse, base64 and 16-bit codes of every stored series, rebuilding survival and hidden; src/shared/trace.ts) + views (build and draw every default view, to the next frame).`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
