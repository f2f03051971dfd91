/**
 * The workbench end to end, as a user sees it: code-server's VS Code in Chromium, the
 * extension installed from its .vsix, a throwaway copy of media/samples opened. Quick Open the
 * sample, "Notebook: Run All" from the command palette, then find the renderer's DOM in the
 * output webview (nested iframes) and check its canvases are painted.
 * Run by run.ts, which starts the server and sets FGLAB_SERVER_URL and FGLAB_UI_WORKSPACE.
 */
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../harness/chromium';
import { RESULTS } from '../harness/paths';

const SERVER = process.env.FGLAB_SERVER_URL ?? '';
const WORKSPACE = process.env.FGLAB_UI_WORKSPACE ?? '';
const RUN_DIR = process.env.FGLAB_RUN_DIR ?? RESULTS;
const NOTEBOOK = 'classic-lstm.fglab';
const QUICK_INPUT = '.quick-input-widget .quick-input-box input';
const QUICK_ROW = '.quick-input-widget .monaco-list-row';

/** The renderer's document: notebook webview iframe → `#active-frame`. */
function outputFrame(page: Page): FrameLocator {
  return page.frameLocator('.notebookOverlay iframe.webview.ready').frameLocator('#active-frame');
}

async function commandPalette(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator(QUICK_INPUT);
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(`>${label}`);
  await page.locator(QUICK_ROW, { hasText: label }).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Replaces the user settings through their JSON editor, saves, and goes back to the notebook. */
async function editUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await commandPalette(page, 'Preferences: Open User Settings (JSON)');
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: 'settings.json' }).waitFor({ state: 'visible', timeout: 15_000 });
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await lines.waitFor({ state: 'visible', timeout: 15_000 });
  await lines.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify(settings, null, 2));
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active:not(.dirty)', { hasText: 'settings.json' }).waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Control+W');
  await page.locator('.tab.active', { hasText: NOTEBOOK }).waitFor({ state: 'visible', timeout: 15_000 });
}

describe('Forget Gate Lab in the VS Code workbench (code-server, installed .vsix)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let page: Page;
  const consoleLog = join(RESULTS, 'vscode-ui-console.log');

  before(async () => {
    assert.ok(SERVER && WORKSPACE, 'FGLAB_SERVER_URL and FGLAB_UI_WORKSPACE are not set: run this suite through test/vscode/run.sh');
    mkdirSync(RESULTS, { recursive: true });
    browser = await launchBrowser(RUN_DIR, { width: 1400, height: 1000 });
    page = browser.page;
    page.on('console', (m) => appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(consoleLog, `[pageerror] ${e.message}\n`));
    await page.goto(`${SERVER}/?folder=${encodeURIComponent(WORKSPACE)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The explorer lists the sample once the remote file system and the extension host are up.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: NOTEBOOK }).first().waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      const name = this.currentTest.title.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
      await page?.screenshot({ path: join(RESULTS, `vscode-failure-${name}.png`) }).catch(() => undefined);
    }
    await page?.keyboard.press('Escape').catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
  });

  it('opens classic-lstm.fglab from Quick Open in the notebook editor', async () => {
    await page.keyboard.press('Control+P');
    const input = page.locator(QUICK_INPUT);
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(NOTEBOOK);
    // File search can take a while on a loaded machine.
    await page.locator(QUICK_ROW, { hasText: NOTEBOOK }).first().waitFor({ timeout: 60_000 });
    await page.keyboard.press('Enter');
    await page.locator('.notebook-editor .code-cell-row').first().waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.notebook-editor .code-cell-row').count(), 1, 'code cells in the editor');
    assert.equal(await page.locator('.notebook-editor .markdown-cell-row').count(), 1, 'markdown cells in the editor');
  });

  it('runs all cells and draws the gate charts in the output webview', async () => {
    await commandPalette(page, 'Notebook: Run All');
    await page.keyboard.press('Enter');
    // With one matching controller VS Code selects it; if the kernel picker shows anyway, pick the lab.
    const pick = page.locator(QUICK_ROW, { hasText: 'Forget Gate Lab' }).first();
    if (await pick.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) await pick.click();

    const root = outputFrame(page).locator('.fglab-trace[data-fglab-ready="true"]').first();
    await root.waitFor({ state: 'attached', timeout: 120_000 });
    assert.equal(await outputFrame(page).locator('.fglab-error').count(), 0, 'the renderer shows an error element');
    // Chart canvases; the overlays that draw the linked cursor stay transparent until the pointer moves.
    const canvases = await root.evaluate((el) => Array.from(el.querySelectorAll<HTMLCanvasElement>('canvas:not(.fglab-overlay)')).map((canvas) => {
      // Copy onto a 2D canvas so the count works whatever context the chart drew with.
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const g = copy.getContext('2d');
      if (!g || canvas.width === 0 || canvas.height === 0) return { width: canvas.width, height: canvas.height, painted: 0 };
      g.drawImage(canvas, 0, 0);
      const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
      return { width: canvas.width, height: canvas.height, painted };
    }));
    assert.ok(canvases.length > 0, 'the trace view has no <canvas>');
    canvases.forEach((c, i) => assert.ok(c.painted > 0, `canvas ${i + 1} of ${canvases.length} (${c.width}×${c.height}) has no painted pixel`));
    await page.locator('.notebook-editor .codicon-notebook-state-success').first().waitFor({ timeout: 10_000 });
    // The notebook toolbar names the selected controller.
    await page.locator('.kernel-action-view-item', { hasText: 'Forget Gate Lab' }).first().waitFor({ timeout: 10_000 });

    // The output webview is positioned by the workbench, which scrolls it along with the notebook:
    // scroll the notebook (never the webview's own document) so the charts fill the editor.
    const editor = page.locator('.notebook-editor .monaco-list').first();
    const editorBox = await editor.boundingBox();
    assert.ok(editorBox, 'the notebook editor has no box');
    await page.mouse.move(editorBox.x + editorBox.width / 2, editorBox.y + editorBox.height / 2);
    for (let i = 0; i < 20; i++) {
      const box = await root.boundingBox();
      if (!box || box.y < editorBox.y + 160) break;
      await page.mouse.wheel(0, Math.min(400, box.y - editorBox.y - 120));
      await page.waitForTimeout(150);
    }
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(RESULTS, 'vscode-notebook.png') });
    const box = await root.boundingBox();
    assert.ok(box, 'the trace view has no box');
    const top = Math.max(box.y, editorBox.y);
    const bottom = Math.min(box.y + box.height, editorBox.y + editorBox.height);
    await page.screenshot({ path: join(RESULTS, 'vscode-notebook-output.png'), clip: { x: box.x, y: top, width: box.width, height: bottom - top } });
    console.log(`      ${canvases.length} canvases painted: ${canvases.map((c) => c.painted).join(', ')} pixels`);
  });

  it('shows the kernel in the status bar: idle, its backend and its memory', async () => {
    const item = page.locator('.statusbar-item', { hasText: 'Lab: idle' }).first();
    await item.waitFor({ state: 'visible', timeout: 20_000 });
    // The memory figures arrive from the worker a moment after the run.
    let label = '';
    for (let i = 0; i < 40 && !/\d+ MB/.test(label); i++) {
      label = await item.innerText();
      if (!/\d+ MB/.test(label)) await page.waitForTimeout(250);
    }
    assert.match(label, /Lab: idle · wasm · \d+ MB/);
    await page.screenshot({ path: join(RESULTS, 'vscode-status-bar.png'), clip: { x: 0, y: (page.viewportSize()?.height ?? 1000) - 40, width: page.viewportSize()?.width ?? 1400, height: 40 } });
    await item.click();
    await page.locator(QUICK_ROW, { hasText: 'Restart Kernel' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await page.locator(QUICK_ROW, { hasText: 'Interrupt' }).count() > 0, 'the status bar menu offers Interrupt');
    await page.keyboard.press('Escape');
  });

  it('redraws the heatmaps in the colour map of fglab.colorMap as soon as it changes', async () => {
    const colored = (): Promise<{ painted: number; colored: number }> => outputFrame(page).locator('.fglab-trace canvas:not(.fglab-overlay)').first().evaluate((canvas: HTMLCanvasElement) => {
      const copy = document.createElement('canvas');
      copy.width = canvas.width;
      copy.height = canvas.height;
      const g = copy.getContext('2d')!;
      g.drawImage(canvas, 0, 0);
      const d = g.getImageData(0, 0, canvas.width, canvas.height).data;
      let painted = 0;
      let colored = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (d[i + 3] < 200) continue;
        painted++;
        if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 24) colored++;
      }
      return { painted, colored };
    });
    const before = await colored();
    assert.ok(before.colored > before.painted * 0.2, `viridis should colour the heatmap: ${JSON.stringify(before)}`);
    // As a user would: Preferences: Open User Settings (JSON), add the setting, save, back to the notebook.
    const file = join(RUN_DIR, 'user-data', 'User', 'settings.json');
    const original = readFileSync(file, 'utf8');
    await editUserSettings(page, { ...JSON.parse(original), 'fglab.colorMap': 'gray' });
    const written = readFileSync(file, 'utf8');
    try {
      let after = before;
      for (let i = 0; i < 100 && after.colored > after.painted * 0.02; i++) {
        await page.waitForTimeout(100);
        after = await colored();
      }
      assert.ok(after.colored <= after.painted * 0.02, `gray should leave the heatmap grey: ${JSON.stringify(after)}; settings.json: ${written.slice(-200)}`);
    } finally {
      await editUserSettings(page, JSON.parse(original));
    }
  });

  it('saves a chart as PNG from the renderer through the extension host', async () => {
    const before = new Set(readdirSync(WORKSPACE));
    await outputFrame(page).locator('.fglab-save-png').first().click();
    // code-server's save dialog: a quick input holding the proposed path in the notebook's folder.
    const input = page.locator(QUICK_INPUT);
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The dialog fills in the folder first, then the proposed name.
    let proposed = '';
    for (let i = 0; i < 50 && !proposed.endsWith('.png'); i++) {
      proposed = await input.inputValue();
      if (!proposed.endsWith('.png')) await page.waitForTimeout(100);
    }
    assert.match(proposed, /\/workspace-ui\/[\w.-]+\.png$/, `the save dialog proposes ${proposed}`);
    await page.keyboard.press('Enter');
    let saved: string | undefined;
    for (let i = 0; i < 100 && !saved; i++) {
      saved = readdirSync(WORKSPACE).find((f) => f.endsWith('.png') && !before.has(f));
      if (!saved) await page.waitForTimeout(100);
    }
    assert.ok(saved, `no new .png in ${WORKSPACE}`);
    // The file appears when the save creates it, before its bytes are written (seen once in CI:
    // an empty file): wait until it ends with PNG's IEND chunk, then check the whole file.
    const iend = [0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];
    let bytes = readFileSync(join(WORKSPACE, saved));
    for (let i = 0; i < 100 && !iend.every((b, j) => bytes[bytes.length - 8 + j] === b); i++) {
      await page.waitForTimeout(100);
      bytes = readFileSync(join(WORKSPACE, saved));
    }
    assert.deepEqual([...bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${saved} is not a PNG`);
    assert.deepEqual([...bytes.subarray(bytes.length - 8)], iend, `${saved} does not end with the IEND chunk`);
    assert.ok(bytes.length > 1000, `${saved} has only ${bytes.length} bytes`);
    // The dialog closes after the file is written (seen once in CI: the next test's F1 went to
    // the save dialog, still open).
    await input.waitFor({ state: 'hidden', timeout: 15_000 });
  });

  it('lists the lab\'s walkthrough and opens its steps', async () => {
    await commandPalette(page, 'Welcome: Open Walkthrough');
    await page.keyboard.press('Enter');
    const row = page.locator(QUICK_ROW, { hasText: 'Forget Gate Lab: see an LSTM forget' }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
    for (const step of ['Open the classic LSTM example', 'Run it and read the charts', 'Add a forgetting experiment']) {
      await page.locator('.gettingStartedContainer', { hasText: step }).first().waitFor({ state: 'visible', timeout: 15_000 });
    }
    await page.screenshot({ path: join(RESULTS, 'vscode-walkthrough.png') });
  });

  it('lists "Forget Gate Lab: New Notebook" in the command palette', async () => {
    await commandPalette(page, 'Forget Gate Lab: New Notebook');
    const rows = await page.locator(QUICK_ROW).allInnerTexts();
    assert.ok(rows.some((r) => r.includes('Forget Gate Lab: New Notebook')), `palette rows: ${JSON.stringify(rows)}`);
    await page.screenshot({ path: join(RESULTS, 'vscode-command-palette.png') });
  });
});
