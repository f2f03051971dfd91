import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  closeAllEditors, codeCells, describeOutputs, errorOf, labApi, NOTEBOOK_TYPE, outputItem, runAll, sampleUri, scratchCopy, setSetting, SPEC_LANGUAGE, text, TRACE_MIME, untitledSpecNotebook, waitFor, workspaceFolder,
} from './util';

const COMMANDS = [
  'fglab.newNotebook', 'fglab.openSample', 'fglab.insertCellTemplate', 'fglab.traceModel', 'fglab.exportOutput',
  'fglab.interruptKernel', 'fglab.restartKernel', 'fglab.showTraceTable',
];
const SMALL = 'model: lstm\nunits: 5\ninput:\n  shape: [4, 3]\n  random: { seed: 2 }\n';
const LONG = 'model: lstm\nunits: 32\ninput:\n  shape: [60000, 8]\n  random: { seed: 2 }\n';

async function activeNotebook(): Promise<vscode.NotebookDocument> {
  return waitFor(() => vscode.window.activeNotebookEditor?.notebook, 10_000, 'a notebook editor');
}

/** A notebook whose one cell has run SMALL: a trace output to export or tabulate. */
async function tracedCell(): Promise<vscode.NotebookCell> {
  const [cell] = await runAll(await untitledSpecNotebook(SMALL));
  assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
  return cell;
}

describe('Commands', () => {
  afterEach(closeAllEditors);

  it('registers every command of the palette', async () => {
    await labApi(); // a command from the palette activates the extension first; here, when run alone
    const commands = await vscode.commands.getCommands(true);
    for (const id of COMMANDS) assert.ok(commands.includes(id), `command ${id} is not registered`);
  });

  it('opens an untitled fglab notebook holding the classic example with fglab.newNotebook', async () => {
    await vscode.commands.executeCommand('fglab.newNotebook');
    const notebook = await activeNotebook();
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.equal(notebook.isUntitled, true, `expected an untitled notebook, got ${notebook.uri.toString()}`);
    const cells = codeCells(notebook);
    assert.equal(cells.length, 1, 'code cells');
    assert.equal(cells[0].document.languageId, SPEC_LANGUAGE);
    const spec = cells[0].document.getText();
    assert.match(spec, /units: 128/);
    assert.match(spec, /shape: \[10, 64\]/);
    assert.ok(cells.every((c) => c.outputs.length === 0), 'a new notebook starts without outputs');
  });

  it('runs the notebook that fglab.newNotebook opened', async () => {
    await vscode.commands.executeCommand('fglab.newNotebook');
    const [cell] = await runAll(await activeNotebook());
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    const trace = JSON.parse(text(outputItem(cell, TRACE_MIME).data));
    assert.deepEqual(trace.dims, { batch: 1, time: 10, units: 128, features: 64 });
  });

  it('opens a sample as an untitled copy with fglab.openSample', async () => {
    const notebook = await vscode.commands.executeCommand<vscode.NotebookDocument>('fglab.openSample', 'classic-lstm.fglab');
    assert.equal(notebook.isUntitled, true);
    assert.equal(vscode.window.activeNotebookEditor?.notebook, notebook);
    assert.match(codeCells(notebook)[0].document.getText(), /units: 128/);
  });

  it('inserts an experiment template after the active cell with fglab.insertCellTemplate', async () => {
    const notebook = await untitledSpecNotebook(SMALL);
    const editor = await vscode.window.showNotebookDocument(notebook);
    editor.selection = new vscode.NotebookRange(0, 1);
    const range = await vscode.commands.executeCommand<vscode.NotebookRange>('fglab.insertCellTemplate', 'experiment.forgetBias');
    assert.deepEqual([range.start, range.end], [1, 4]);
    assert.equal(notebook.cellCount, 4);
    assert.deepEqual(notebook.getCells().map((c) => c.document.languageId), [SPEC_LANGUAGE, 'markdown', SPEC_LANGUAGE, SPEC_LANGUAGE]);
    assert.match(notebook.cellAt(3).document.getText(), /unitForgetBias: false/);
  });

  it('opens a new notebook for fglab.insertCellTemplate when none is active', async () => {
    assert.equal(vscode.window.activeNotebookEditor, undefined);
    await vscode.commands.executeCommand('fglab.insertCellTemplate', 'model.lstm');
    const notebook = await activeNotebook();
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.equal(notebook.cellCount, 1);
    assert.match(notebook.cellAt(0).document.getText(), /^model: lstm$/m);
  });

  it('traces a model from its answers with fglab.traceModel: a new cell that runs', async () => {
    const cell = await vscode.commands.executeCommand<vscode.NotebookCell>('fglab.traceModel', { model: 'lstm', units: 6, shape: [7, 3] });
    await waitFor(() => cell.executionSummary?.success !== undefined, 90_000, 'the traced cell to finish');
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    assert.deepEqual(JSON.parse(text(outputItem(cell, TRACE_MIME).data)).dims, { batch: 1, time: 7, units: 6, features: 3 });
  });

  it('traces a trained model file with fglab.traceModel: the worker writes the spec cell, which runs', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(sampleUri('trained-lstm.fglab'));
    await vscode.window.showNotebookDocument(notebook);
    const cells = notebook.cellCount;
    const model = vscode.Uri.joinPath(workspaceFolder(), 'trained-lstm', 'model.json');
    const cell = await vscode.commands.executeCommand<vscode.NotebookCell>('fglab.traceModel', { file: model.fsPath });
    assert.equal(notebook.cellCount, cells + 1, 'one cell inserted into the active notebook');
    assert.match(cell.document.getText(), /^weights: \{ file: trained-lstm\/model\.json \}/m, 'the file named relative to the notebook');
    await waitFor(() => cell.executionSummary?.success !== undefined, 90_000, 'the traced cell to finish');
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    assert.deepEqual(JSON.parse(text(outputItem(cell, TRACE_MIME).data)).dims, { batch: 1, time: 30, units: 8, features: 2 });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');

    // A file that is no model: an error message, nothing inserted, the kernel still works.
    await closeAllEditors();
    const notModel = vscode.Uri.joinPath(workspaceFolder(), 'trained-lstm', 'sequences.json');
    assert.equal(await vscode.commands.executeCommand('fglab.traceModel', { file: notModel.fsPath }), undefined);
    const fresh = await activeNotebook();
    assert.equal(fresh.cellCount, 0, 'a new notebook, left empty');
  });

  it('exports a cell\'s trace as CSV, JSON and .npy, and its picture as PNG, with fglab.exportOutput', async () => {
    const cell = await tracedCell();
    const dir = vscode.Uri.file(`${os.tmpdir()}/fglab-export-${process.pid}`);
    await vscode.workspace.fs.createDirectory(dir);
    const csv = await vscode.commands.executeCommand<vscode.Uri>('fglab.exportOutput', { cell, format: 'csv', uri: vscode.Uri.joinPath(dir, 't.csv') });
    const lines = text(await vscode.workspace.fs.readFile(csv)).trim().split('\n');
    assert.match(lines[0], /^batch,step,unit,.*forgetGate/);
    assert.equal(lines.length, 1 + 4 * 5, 'one row per (batch, step, unit)');
    const json = await vscode.commands.executeCommand<vscode.Uri>('fglab.exportOutput', { cell, format: 'json', uri: vscode.Uri.joinPath(dir, 't.json') });
    const body = JSON.parse(text(await vscode.workspace.fs.readFile(json)));
    assert.deepEqual([body.series.forgetGate.length, body.series.forgetGate[0].length, body.series.forgetGate[0][0].length], [1, 4, 5]);
    const npy = await vscode.commands.executeCommand<vscode.Uri>('fglab.exportOutput', { cell, format: 'npy', uri: vscode.Uri.joinPath(dir, 't.npy') });
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(npy)).subarray(1, 6).toString('latin1'), 'NUMPY');
    // The picture the renderer drew when the cell ran (its notebook was open).
    const png = await vscode.commands.executeCommand<vscode.Uri>('fglab.exportOutput', { cell, format: 'png', uri: vscode.Uri.joinPath(dir, 't.png') });
    const picture = Buffer.from(await vscode.workspace.fs.readFile(png));
    assert.equal(picture.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(picture.readUInt32BE(16), 960, 'the main view, as fglab trace --format png draws it');
  });

  it('shows a cell\'s trace as a read-only Markdown table with fglab.showTraceTable', async () => {
    const cell = await tracedCell();
    const document = await vscode.commands.executeCommand<vscode.TextDocument>('fglab.showTraceTable', cell);
    assert.equal(document.uri.scheme, 'fglab-table');
    assert.equal(document.languageId, 'markdown');
    assert.match(document.getText(), /^# Untitled-\d+ cell 1/);
    assert.match(document.getText(), /## Memory per unit/);
    assert.match(document.getText(), /### `forgetGate` \[1, 4, 5\]/);
  });

  it('says what to do when there is no trace, for fglab.exportOutput and fglab.showTraceTable', async () => {
    assert.equal(await vscode.commands.executeCommand('fglab.exportOutput'), undefined);
    assert.equal(await vscode.commands.executeCommand('fglab.showTraceTable'), undefined);
  });

  it('interrupts a running cell with fglab.interruptKernel', async () => {
    const notebook = await untitledSpecNotebook(LONG);
    const done = runAll(notebook, 120_000);
    const api = await labApi();
    await waitFor(() => api.controller.existingKernel(notebook)?.state === 'busy', 60_000, 'the cell to run');
    await vscode.commands.executeCommand('fglab.interruptKernel');
    const [cell] = await done;
    assert.equal(cell.executionSummary?.success, false);
    assert.equal(errorOf(cell).name, 'Interrupted');
  });

  it('restarts the kernel with fglab.restartKernel and runs the next cell on a fresh kernel', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(await scratchCopy());
    const [first] = await runAll(notebook);
    assert.equal(first.executionSummary?.success, true, `the first run failed: ${describeOutputs(first)}`);
    const [second] = await runAll(notebook);
    assert.equal(second.executionSummary?.executionOrder, 2, 'execution order of a second run on the same kernel');

    await vscode.commands.executeCommand('fglab.restartKernel');
    const [third] = await runAll(notebook);
    assert.equal(third.executionSummary?.success, true, `the run after the restart failed: ${describeOutputs(third)}`);
    assert.ok(outputItem(third, TRACE_MIME).data.length > 0);
    assert.equal(third.executionSummary?.executionOrder, 1, 'execution order after a restart (a fresh kernel counts from 1)');
  });
});

describe('Settings', () => {
  afterEach(async () => {
    await setSetting('fglab.outputSizeLimitMB', undefined);
    await setSetting('fglab.computeBackend', undefined);
    await setSetting('fglab.outputPrecision', undefined);
    await setSetting('fglab.defaultSeed', undefined);
    await closeAllEditors();
  });

  it('seeds what a spec leaves unseeded with fglab.defaultSeed, from the next run', async () => {
    const cellState = async (source: string): Promise<string> => {
      const [cell] = await runAll(await untitledSpecNotebook(source));
      assert.equal(cell.executionSummary?.success, true, describeOutputs(cell));
      return JSON.stringify((JSON.parse(text(outputItem(cell, TRACE_MIME).data)) as { series: { cell: unknown } }).series.cell);
    };
    const unseeded = 'model: lstm\nunits: 3\ninput: { shape: [4, 2], random: {} }\n';
    const seeded = await cellState('model: lstm\nunits: 3\ninput: { shape: [4, 2], random: { seed: 12 } }\nweights: { seed: 12 }\n');
    assert.notEqual(await cellState(unseeded), seeded);
    await setSetting('fglab.defaultSeed', 12);
    assert.equal(await cellState(unseeded), seeded);
  });

  it('refuses an output over fglab.outputSizeLimitMB with an error naming the setting', async () => {
    await setSetting('fglab.outputSizeLimitMB', 1);
    const [cell] = await runAll(await untitledSpecNotebook('model: lstm\nunits: 128\ninput:\n  shape: [1000, 8]\n  random: { seed: 1 }\n'));
    assert.equal(cell.executionSummary?.success, false, `expected a refused output, got ${describeOutputs(cell)}`);
    assert.match(errorOf(cell).message, /^The output is \d+\.\d MB, over the 1 MB limit set by fglab\.outputSizeLimitMB/);
  });

  it('stores exact float32 series when fglab.outputPrecision is float32', async () => {
    await setSetting('fglab.outputPrecision', 'float32');
    const [cell] = await runAll(await untitledSpecNotebook(SMALL));
    assert.equal(cell.executionSummary?.success, true, describeOutputs(cell));
    const trace = JSON.parse(text(outputItem(cell, TRACE_MIME).data)) as { series: Record<string, { dtype: string }> };
    assert.deepEqual([...new Set(Object.values(trace.series).map((s) => s.dtype))], ['float32']);
  });

  it('switches a running kernel to the cpu backend when fglab.computeBackend changes, without a reload', async () => {
    const notebook = await untitledSpecNotebook(SMALL);
    const api = await labApi();
    await runAll(notebook);
    assert.equal(api.controller.existingKernel(notebook)?.backend, 'wasm');
    await setSetting('fglab.computeBackend', 'cpu');
    await waitFor(() => api.controller.existingKernel(notebook)?.state === 'stopped', 10_000, 'the idle kernel to restart');
    const [cell] = await runAll(notebook);
    assert.equal(cell.executionSummary?.success, true, describeOutputs(cell));
    assert.equal(api.controller.existingKernel(notebook)?.backend, 'cpu');
  });
});
