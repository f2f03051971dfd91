/**
 * Helpers of the extension-host suite. The ids below are the extension's public contract
 * (what users, keybindings and other extensions name), written out here on purpose rather
 * than imported from src/, so a rename there fails these tests.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'forget-gate-lab.forget-gate-lab';
export const NOTEBOOK_TYPE = 'fglab';
export const SPEC_LANGUAGE = 'fglab';
export const CONTROLLER = { id: 'fglab.kernel', extension: EXTENSION_ID };
/** The same controller, registered for Jupyter notebooks. */
export const JUPYTER_CONTROLLER = { id: 'fglab.kernel.jupyter', extension: EXTENSION_ID };
export const TRACE_MIME = 'application/vnd.fglab.trace+json';
export const MARKDOWN_MIME = 'text/markdown';
export const ERROR_MIME = 'application/vnd.code.notebook.error';
export const SAMPLE = 'classic-lstm.fglab';

/** The opened workspace folder: a throwaway copy of media/samples made by the harness. */
export function workspaceFolder(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test window has no workspace folder (open a copy of media/samples)');
  return folder.uri;
}

export function sampleUri(name = SAMPLE): vscode.Uri {
  return vscode.Uri.joinPath(workspaceFolder(), name);
}

const scratchDir = vscode.Uri.file(`${os.tmpdir()}/fglab-ext-tests-${process.pid}`);
let scratchCount = 0;

/**
 * A copy of a sample in a scratch folder outside the workspace, for tests that save: the
 * workspace (and, when run from launch.json, the repository's own samples) stays untouched.
 */
export async function scratchCopy(name = SAMPLE, bytes?: Uint8Array): Promise<vscode.Uri> {
  const target = vscode.Uri.joinPath(scratchDir, `${++scratchCount}-${name}`);
  await vscode.workspace.fs.createDirectory(scratchDir);
  await vscode.workspace.fs.writeFile(target, bytes ?? (await vscode.workspace.fs.readFile(sampleUri(name))));
  return target;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves with `p`, or rejects after `ms` saying what did not happen. */
export async function within<T>(p: Thenable<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms / 1000} s`)), ms)));
  try {
    return await Promise.race([Promise.resolve(p), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `probe` until it returns a truthy value. */
export async function waitFor<T>(probe: () => T | undefined | null | false, ms: number, what: string): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

export function codeCells(notebook: vscode.NotebookDocument): vscode.NotebookCell[] {
  return notebook.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

/**
 * Shows the notebook, selects the lab's controller and runs every cell; resolves when every
 * code cell has finished an execution that started after this call.
 */
export async function runAll(notebook: vscode.NotebookDocument, timeoutMs = 90_000, controller = CONTROLLER): Promise<vscode.NotebookCell[]> {
  await vscode.window.showNotebookDocument(notebook);
  await within(vscode.commands.executeCommand('notebook.selectKernel', controller), 20_000, `notebook.selectKernel ${JSON.stringify(controller)}`);
  assert.equal(await selectKernel(controller), true, `${controller.id} is not the notebook's controller after notebook.selectKernel`);
  const started = Date.now();
  await within(vscode.commands.executeCommand('notebook.execute'), timeoutMs, 'notebook.execute');
  const cells = codeCells(notebook);
  await waitFor(() => cells.every((c) => (c.executionSummary?.timing?.endTime ?? 0) >= started), timeoutMs, 'every code cell to finish running');
  return cells;
}

/**
 * Selects a controller for the active notebook editor and says whether it is now selected.
 * The public `notebook.selectKernel` resolves to nothing even when the wanted controller does
 * not exist (VS Code only logs it); the workbench command it forwards to returns the answer.
 */
export async function selectKernel(kernel: { id: string; extension: string }): Promise<boolean> {
  return within(vscode.commands.executeCommand<boolean>('_notebook.selectKernel', kernel), 20_000, `_notebook.selectKernel ${JSON.stringify(kernel)} (the kernel picker opened?)`);
}

/** The output item of `mime` of a cell, failing with the MIME types it does have. */
export function outputItem(cell: vscode.NotebookCell, mime: string): vscode.NotebookCellOutputItem {
  const items = cell.outputs.flatMap((o) => o.items);
  const item = items.find((i) => i.mime === mime);
  assert.ok(item, `cell ${cell.index + 1} has no ${mime} output; it has [${items.map((i) => i.mime).join(', ')}]`);
  return item;
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** Error outputs as `{ name, message, stack }` (what NotebookCellOutputItem.error writes). */
export function errorOf(cell: vscode.NotebookCell): { name: string; message: string; stack?: string } {
  return JSON.parse(text(outputItem(cell, ERROR_MIME).data));
}

/** Closes every editor without saving (untitled notebooks of earlier tests would otherwise ask). */
export async function closeAllEditors(): Promise<void> {
  for (let i = 0; i < 50 && vscode.window.tabGroups.all.some((g) => g.tabs.length > 0); i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/** A new untitled lab notebook with these code cells, `[language, source]`. */
export function untitledNotebook(cells: [string, string][]): Thenable<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(cells.map(([language, source]) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, source, language)));
  return vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
}

/** A new untitled lab notebook with one spec cell. */
export async function untitledSpecNotebook(source: string): Promise<vscode.NotebookDocument> {
  return untitledNotebook([[SPEC_LANGUAGE, source]]);
}

/** Sets a user setting of the test profile (undefined removes it) and waits until the extension host sees it. */
export async function setSetting(name: string, value: unknown): Promise<void> {
  const [section, key] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
  await vscode.workspace.getConfiguration(section).update(key, value, vscode.ConfigurationTarget.Global);
  await waitFor(() => vscode.workspace.getConfiguration(section).inspect(key)?.globalValue === value || undefined, 10_000, `setting ${name} = ${JSON.stringify(value)}`);
}

/** The extension's exports (what `activate` returned). */
export async function labApi(): Promise<{ controller: { existingKernel(nb: vscode.NotebookDocument): { backend?: string; state: string } | undefined } }> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** A position in `text` marked by `|`, and the text without the mark. */
export function marked(source: string): { text: string; position: vscode.Position } {
  const offset = source.indexOf('|');
  assert.ok(offset >= 0, 'no | in the source');
  const before = source.slice(0, offset).split('\n');
  return { text: source.slice(0, offset) + source.slice(offset + 1), position: new vscode.Position(before.length - 1, before[before.length - 1].length) };
}

/** A series as stored in a trace output: float32 values, or 16/8-bit codes with an offset and a scale. */
export interface EncodedSeries { shape: number[]; dtype: 'float32' | 'uint16' | 'uint8'; data: string; offset?: number; scale?: number }

/** The values of a stored series: float32 as is; codes q as offset + q·scale, the largest code standing for NaN. */
export function seriesValues(series: EncodedSeries): Float32Array {
  if (series.dtype === 'float32') return float32(series.data);
  const bytes = Buffer.from(series.data, 'base64');
  const wide = series.dtype === 'uint16';
  const out = new Float32Array(bytes.length / (wide ? 2 : 1));
  const nan = wide ? 0xffff : 0xff;
  for (let i = 0; i < out.length; i++) {
    const q = wide ? bytes.readUInt16LE(i * 2) : bytes[i];
    out[i] = q === nan ? NaN : (series.offset ?? 0) + q * (series.scale ?? 1);
  }
  return out;
}

/** Decodes a base64 float32 little-endian series. */
export function float32(base64: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** A cell's outputs in words, for assertion messages. */
export function describeOutputs(cell: vscode.NotebookCell): string {
  const items = cell.outputs.flatMap((o) => o.items);
  if (items.length === 0) return 'no outputs';
  return items.map((i) => (i.mime === ERROR_MIME || i.mime.startsWith('text/') || i.mime.includes('stdout') || i.mime.includes('stderr') ? `${i.mime}: ${text(i.data).slice(0, 500)}` : `${i.mime} (${i.data.length} bytes)`)).join('; ');
}
