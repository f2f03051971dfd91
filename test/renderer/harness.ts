/**
 * Drives the renderer bundle (`dist/renderer.js`) in Debian's headless Chromium: a local HTTP
 * server on 127.0.0.1 serves a test page that activates the renderer with a fake renderer
 * context and renders output items whose payload it fetches from the same server. Nothing is
 * loaded from the network; requests elsewhere are refused and recorded.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Repository root (this file runs from out/test/renderer). */
export const ROOT = resolve(__dirname, '../../..');
export const CHROMIUM = '/usr/bin/chromium';
export const TRACE_MIME = 'application/vnd.fglab.trace+json';

/** Launches Chromium, or fails saying how to install it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}. Install Debian's package: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium`);
  }
  // Chromium's profile, crash and dconf folders go under .cache/, not the user's home folder.
  const home = join(ROOT, '.cache', 'chromium');
  mkdirSync(home, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: { ...process.env, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: join(home, 'cache') } as Record<string, string>,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/**
 * Content Security Policy of the test page: nothing remote, no eval (VS Code's notebook webview
 * is no looser for the renderer). 'unsafe-inline' is for the page's own harness script.
 */
export const TEST_PAGE_CSP = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:";

/** The test page: the renderer as an ES module, a fake context without messaging, a strict CSP. */
const PAGE = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${TEST_PAGE_CSP}">
<title>fglab.charts test page</title>
<style>
  body { margin: 0; padding: 12px; background: var(--vscode-editor-background, #ffffff); }
  #outputs { width: 980px; }
  #outputs > div { margin-bottom: 16px; }
</style>
</head>
<body>
<div id="outputs"></div>
<script type="module">
import * as renderer from '/dist/renderer.js';
let state;
const context = {
  getState: () => state,
  setState: (value) => { state = value; },
  getRenderer: async () => undefined,
  workspace: { isTrusted: true },
};
// With ?messaging the fake context has renderer messaging: posts are recorded and answered
// like the extension host would (saved, or as set by setReply).
const posted = [];
let listeners = [];
let replyKind = 'saved';
if (new URLSearchParams(location.search).has('messaging')) {
  context.postMessage = (message) => {
    posted.push(message);
    if (message.type === 'ready' || message.type === 'outputImage') return;
    const reply = replyKind === 'saved' ? { type: 'saved', requestId: message.requestId, path: '/work/' + message.suggestedName }
      : replyKind === 'cancelled' ? { type: 'cancelled', requestId: message.requestId }
      : { type: 'failed', requestId: message.requestId, message: 'disk full' };
    setTimeout(() => listeners.forEach((l) => l(reply)), 0);
  };
  context.onDidReceiveMessage = (listener) => {
    listeners.push(listener);
    return { dispose() { listeners = listeners.filter((l) => l !== listener); } };
  };
}
const api = renderer.activate(context);
const mime = '${TRACE_MIME}';
function outputElement(id) {
  let el = document.getElementById('output-' + id);
  if (!el) {
    el = document.createElement('div');
    el.id = 'output-' + id;
    document.getElementById('outputs').append(el);
  }
  return el;
}
async function renderText(id, text, metadata = {}, itemMime) {
  const bytes = new TextEncoder().encode(text);
  const item = {
    id, mime: itemMime ?? mime, metadata,
    text: () => text,
    json: () => JSON.parse(text),
    data: () => bytes,
    blob: () => new Blob([bytes], { type: mime }),
  };
  const started = performance.now();
  await api.renderOutputItem(item, outputElement(id), new AbortController().signal);
  return performance.now() - started;
}
window.fglabTest = {
  renderText,
  async render(id, url, metadata) { return renderText(id, await (await fetch(url)).text(), metadata); },
  dispose(id) { api.disposeOutputItem(id); },
  chartOf: renderer.chartOf,
  state: () => state,
  posted: () => posted,
  setReply(kind) { replyKind = kind; },
  sendSettings(colorMap) { listeners.forEach((l) => l({ type: 'settings', protocol: 1, colorMap })); },
  wantImage(token) { listeners.forEach((l) => l({ type: 'wantImage', protocol: 1, token })); },
  sendProgress(token, progress) { listeners.forEach((l) => l({ type: 'trainingProgress', protocol: 1, token, progress })); },
};
window.fglabTestLoaded = true;
</script>
</body>
</html>`;

/** Serves the test page, the renderer bundle and registered payloads on 127.0.0.1. */
export class TestServer {
  private server: Server | undefined;
  private readonly payloads = new Map<string, string>();
  url = '';

  async start(): Promise<void> {
    const bundle = join(ROOT, 'dist', 'renderer.js');
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: build it first with \`node esbuild.config.mjs --tests\``);
    this.server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      const send = (status: number, type: string, body: string | Buffer) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (path === '/') return send(200, 'text/html; charset=utf-8', PAGE);
      if (path === '/dist/renderer.js') return send(200, 'text/javascript; charset=utf-8', readFileSync(bundle));
      if (path === '/dist/renderer.js.map' && existsSync(`${bundle}.map`)) return send(200, 'application/json', readFileSync(`${bundle}.map`));
      const payload = path.startsWith('/payload/') ? this.payloads.get(decodeURIComponent(path.slice('/payload/'.length))) : undefined;
      if (payload !== undefined) return send(200, 'application/json', payload);
      send(404, 'text/plain', 'not found');
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Makes `text` available at `/payload/<name>`; returns that path. */
  addPayload(name: string, text: string): string {
    this.payloads.set(name, text);
    return `/payload/${encodeURIComponent(name)}`;
  }

  async close(): Promise<void> {
    if (this.server) await new Promise<void>((done) => this.server!.close(() => done()));
  }
}

/** What went wrong on a page: uncaught exceptions, console errors, requests that left the machine. */
export interface PageProblems {
  errors: string[];
  console: string[];
  external: string[];
}

/** Opens the test page in a fresh context and records its problems. */
export async function openTestPage(browser: Browser, server: TestServer, viewport = { width: 1024, height: 900 }, options: { messaging?: boolean } = {}): Promise<{ page: Page; problems: PageProblems }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [], console: [], external: [] };
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(server.url)) return route.continue();
    problems.external.push(url);
    return route.abort();
  });
  await page.goto(server.url + (options.messaging ? '/?messaging' : '/'));
  await page.waitForFunction(() => (window as unknown as { fglabTestLoaded?: boolean }).fglabTestLoaded === true);
  return { page, problems };
}

/** Sets `--vscode-*` variables on `<html>`, as VS Code's webview does. */
export async function setThemeVariables(page: Page, variables: Record<string, string>, bodyClass: string): Promise<void> {
  await page.evaluate(({ variables, bodyClass }) => {
    for (const [k, v] of Object.entries(variables)) document.documentElement.style.setProperty(k, v);
    document.body.className = bodyClass;
  }, { variables, bodyClass });
}

/** VS Code's Dark Modern variables (the subset the renderer reads and styles with). */
export const DARK_VARIABLES: Record<string, string> = {
  '--vscode-editor-background': '#1f1f1f',
  '--vscode-editor-foreground': '#cccccc',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-editorWidget-border': '#454545',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-dropdown-background': '#313131',
  '--vscode-dropdown-foreground': '#cccccc',
  '--vscode-dropdown-border': '#3c3c3c',
  '--vscode-font-family': '"DejaVu Sans", "Liberation Sans", sans-serif',
  '--vscode-font-size': '13px',
};

/** VS Code's Light Modern variables. */
export const LIGHT_VARIABLES: Record<string, string> = {
  '--vscode-editor-background': '#ffffff',
  '--vscode-editor-foreground': '#3b3b3b',
  '--vscode-descriptionForeground': '#717171',
  '--vscode-editorWidget-border': '#c8c8c8',
  '--vscode-charts-blue': '#1a85ff',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-green': '#388a34',
  '--vscode-charts-purple': '#652d90',
  '--vscode-charts-red': '#e51400',
  '--vscode-dropdown-background': '#ffffff',
  '--vscode-dropdown-foreground': '#3b3b3b',
  '--vscode-dropdown-border': '#cecece',
  '--vscode-font-family': '"DejaVu Sans", "Liberation Sans", sans-serif',
  '--vscode-font-size': '13px',
};

/** Pixel facts of one canvas of an output. */
export interface CanvasFacts {
  kind: string;
  label: string;
  width: number;
  height: number;
  /** Pixels with alpha > 0 over the whole canvas. */
  painted: number;
  /** Distinct colours (quantised to 5 bits a channel) inside the chart area. */
  areaColors: number;
  /** FNV-1a hash of the chart area's pixels. */
  areaHash: number;
  /** Whether chart.js still has a chart on the canvas. */
  hasChart: boolean;
}

/** Facts about every `<canvas>` under `#output-<id>`. */
export async function canvasFacts(page: Page, id: string): Promise<CanvasFacts[]> {
  return page.evaluate((id) => {
    type TestApi = { chartOf(c: HTMLCanvasElement): { chartArea: { left: number; top: number; right: number; bottom: number } } | undefined };
    const api = (window as unknown as { fglabTest: TestApi }).fglabTest;
    const canvases = Array.from(document.querySelectorAll<HTMLCanvasElement>(`#output-${id} canvas[data-fglab-chart]`));
    return canvases.map((canvas) => {
      const ctx = canvas.getContext('2d')!;
      const all = canvas.width > 0 && canvas.height > 0 ? ctx.getImageData(0, 0, canvas.width, canvas.height).data : new Uint8ClampedArray();
      let painted = 0;
      for (let k = 3; k < all.length; k += 4) if (all[k] > 0) painted++;
      const chart = api.chartOf(canvas);
      let areaColors = 0;
      let areaHash = 0;
      if (chart) {
        const ratio = canvas.width / canvas.clientWidth;
        const a = chart.chartArea;
        const x = Math.ceil(a.left * ratio) + 1;
        const y = Math.ceil(a.top * ratio) + 1;
        const w = Math.max(1, Math.floor((a.right - a.left) * ratio) - 2);
        const h = Math.max(1, Math.floor((a.bottom - a.top) * ratio) - 2);
        const px = ctx.getImageData(x, y, w, h).data;
        const colors = new Set<number>();
        let hash = 0x811c9dc5;
        for (let k = 0; k < px.length; k += 4) {
          if (px[k + 3] > 0) colors.add(((px[k] >> 3) << 10) | ((px[k + 1] >> 3) << 5) | (px[k + 2] >> 3));
          hash = Math.imul(hash ^ px[k] ^ (px[k + 1] << 8) ^ (px[k + 2] << 16), 0x01000193) >>> 0;
        }
        areaColors = colors.size;
        areaHash = hash;
      }
      return {
        kind: canvas.dataset.fglabChart ?? '',
        label: canvas.getAttribute('aria-label') ?? '',
        width: canvas.width,
        height: canvas.height,
        painted,
        areaColors,
        areaHash,
        hasChart: chart !== undefined,
      };
    });
  }, id);
}

/** Renders the payload at server path `url` as output `id`; resolves with the render time in ms. */
export async function renderOutput(page: Page, id: string, url: string, metadata: Record<string, unknown> = {}): Promise<number> {
  return page.evaluate(
    ([id, url, metadata]) => (window as unknown as { fglabTest: { render(id: string, url: string, metadata: unknown): Promise<number> } }).fglabTest.render(id, url, metadata),
    [id, url, metadata] as const,
  );
}

/** Renders payload text directly as output `id`. */
export async function renderText(page: Page, id: string, text: string, mime = TRACE_MIME): Promise<number> {
  return page.evaluate(([id, text, mime]) => (window as unknown as { fglabTest: { renderText(id: string, text: string, metadata: object, mime: string): Promise<number> } }).fglabTest.renderText(id, text, {}, mime), [id, text, mime] as const);
}

/** Waits for output `id`'s root to be marked ready. */
export async function waitReady(page: Page, id: string, timeout = 30_000): Promise<void> {
  await page.waitForSelector(`#output-${id} .fglab-trace[data-fglab-ready="true"]`, { timeout, state: 'attached' });
}

/** Page coordinates of data point (x, y) of the chart of view `kind` in output `id` (`y` null: the middle of the chart area). */
export async function pointOf(page: Page, id: string, kind: string, x: number, y: number | null): Promise<{ x: number; y: number }> {
  const offset = await page.evaluate(({ id, kind, x, y }) => {
    type Scale = { getPixelForValue(v: number): number };
    type Chart = { scales: { x: Scale; y: Scale }; chartArea: { top: number; bottom: number } };
    const api = (window as unknown as { fglabTest: { chartOf(c: HTMLCanvasElement): Chart | undefined } }).fglabTest;
    const chart = api.chartOf(document.querySelector<HTMLCanvasElement>(`#output-${id} canvas[data-fglab-chart="${kind}"]`)!)!;
    return { x: chart.scales.x.getPixelForValue(x), y: y === null ? (chart.chartArea.top + chart.chartArea.bottom) / 2 : chart.scales.y.getPixelForValue(y) };
  }, { id, kind, x, y });
  const box = (await page.locator(`#output-${id} canvas[data-fglab-chart="${kind}"]`).boundingBox())!;
  return { x: box.x + offset.x, y: box.y + offset.y };
}

/** Moves the mouse over data point (x, y) of view `kind` and returns the tooltip's text. */
export async function hoverAt(page: Page, id: string, kind: string, x: number, y: number | null): Promise<string> {
  const p = await pointOf(page, id, kind, x, y);
  await page.mouse.move(p.x, p.y);
  await page.waitForSelector(`#output-${id} .fglab-tooltip:not([hidden])`, { state: 'attached' });
  return (await page.locator(`#output-${id} .fglab-tooltip`).innerText()).replace(/\n/g, ' | ');
}

/** Pixels of the overlay canvas of view `kind` with alpha > 0 (the linked cursor and pinned marks). */
export async function overlayPainted(page: Page, id: string, kind: string): Promise<number> {
  return page.evaluate(({ id, kind }) => {
    const overlay = document.querySelector<HTMLCanvasElement>(`#output-${id} .fglab-chart[data-fglab-view="${kind}"] canvas.fglab-overlay`)!;
    const px = overlay.getContext('2d')!.getImageData(0, 0, overlay.width, overlay.height).data;
    let n = 0;
    for (let k = 3; k < px.length; k += 4) if (px[k] > 0) n++;
    return n;
  }, { id, kind });
}

/** Saves a screenshot of output `id` to test-results/`file`; returns its size in bytes. */
export async function screenshot(page: Page, id: string, file: string): Promise<number> {
  const dir = join(ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  return (await page.locator(`#output-${id}`).screenshot({ path: join(dir, file) })).length;
}
