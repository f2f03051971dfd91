/**
 * Restricted Mode as a user meets it, in the workbench (Chromium → code-server with workspace
 * trust on, a folder nobody trusted): running a notebook's JavaScript cell brings up
 * VS Code's own trust dialog; Cancel leaves every cell not run and the cell's code never ran;
 * the dialog's "Trust Folder & Continue" runs it.
 * Run by run.ts (FGLAB_SERVER_URL, FGLAB_UI_WORKSPACE), after the Restricted Mode ext-host suite.
 */
import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type Browser } from '../harness/chromium';
import { RESULTS } from '../harness/paths';

const SERVER = process.env.FGLAB_SERVER_URL ?? '';
const WORKSPACE = process.env.FGLAB_UI_WORKSPACE ?? '';
const RUN_DIR = process.env.FGLAB_RUN_DIR ?? RESULTS;
const NOTEBOOK = 'untrusted-code.fglab';
const QUICK_INPUT = '.quick-input-widget .quick-input-box input';
const QUICK_ROW = '.quick-input-widget .monaco-list-row';

describe('Restricted Mode in the workbench (workspace trust on)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let page: Page;
  const marker = join(RUN_DIR, 'untrusted-code-ran');

  before(async () => {
    assert.ok(SERVER && WORKSPACE, 'FGLAB_SERVER_URL and FGLAB_UI_WORKSPACE are not set: run this suite through test/vscode/run.sh');
    mkdirSync(RESULTS, { recursive: true });
    // A notebook someone sent: a JavaScript cell that writes a file, then a spec cell.
    writeFileSync(join(WORKSPACE, NOTEBOOK), JSON.stringify({
      fglab: 1,
      cells: [
        { kind: 'code', language: 'javascript', source: [`require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`] },
        { kind: 'code', language: 'fglab', source: ['model: lstm', 'units: 4', 'input: { shape: [5, 2], random: { seed: 1 } }'] },
      ],
    }, null, 1));
    browser = await launchBrowser(RUN_DIR, { width: 1400, height: 1000 });
    page = browser.page;
    const consoleLog = join(RESULTS, 'vscode-restricted-ui-console.log');
    page.on('console', (m) => appendFileSync(consoleLog, `[${m.type()}] ${m.text()}\n`));
    await page.goto(`${SERVER}/?folder=${encodeURIComponent(WORKSPACE)}`, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: NOTEBOOK }).first().waitFor({ timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await page?.screenshot({ path: join(RESULTS, 'vscode-failure-restricted-mode.png') }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
  });

  it('asks for trust before any cell runs: Cancel runs nothing, Trust Folder & Continue runs the cell', async () => {
    await page.keyboard.press('Control+P');
    await page.locator(QUICK_INPUT).fill(NOTEBOOK);
    await page.locator(QUICK_ROW, { hasText: NOTEBOOK }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: NOTEBOOK }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.notebook-editor .cell-list-container').waitFor({ state: 'visible', timeout: 30_000 });
    // Restricted Mode hides "Notebook: Run All" from the palette; the cell's own run button stays.
    const runButton = page.locator('.notebook-editor .cell-list-container .run-button-container').first();
    const runCell = async (): Promise<void> => {
      await runButton.hover();
      await runButton.locator('.action-label').first().click();
    };
    await runCell();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const message = (await dialog.innerText()).replace(/\s+/g, ' ');
    await page.screenshot({ path: join(RESULTS, 'vscode-restricted-mode.png') });
    assert.match(message, /Do you trust the authors of the files in this folder\?/, `the dialog: ${message}`);
    assert.match(message, /Executing a notebook cell will run code from this workspace/, `the dialog says why: ${message}`);
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
    // Cancel runs nothing: no execution order, the lab's kernel never started, the code never ran.
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(existsSync(marker), false, 'the JavaScript cell ran in Restricted Mode');
    const cellsText = await page.locator('.notebook-editor .cell-list-container').innerText();
    assert.doesNotMatch(cellsText, /\[\d+\]/, 'a cell has an execution order');
    await page.locator('.statusbar-item', { hasText: 'Lab: no kernel' }).waitFor({ state: 'visible', timeout: 5_000 });

    // The dialog's own way to trust the folder: the cell then runs.
    await runCell();
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    await dialog.locator('.monaco-button', { hasText: 'Trust' }).first().click();
    const t0 = Date.now();
    while (!existsSync(marker) && Date.now() - t0 < 90_000) await new Promise((r) => setTimeout(r, 250));
    assert.ok(existsSync(marker), 'after "Trust Folder & Continue" the JavaScript cell ran');
    await page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).waitFor({ state: 'hidden', timeout: 15_000 });
  });
});
