import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, CONTROLLER, describeOutputs, errorOf, NOTEBOOK_TYPE, outputItem, selectKernel, SPEC_LANGUAGE, text, TRACE_MIME, waitFor, within } from './util';

const PROGRESS_MIME = 'application/vnd.fglab.training-progress+json';

/** An adding-problem training: 16 steps per epoch (the worker reports at least every epoch end). */
const TRAIN = (epochs: number) => `model: lstm\nunits: 8\ntask: { name: adding, length: 20, trainSize: 512, testSize: 16, seed: 1 }\ntrain: { epochs: ${epochs}, batchSize: 32, learningRate: 0.02 }\n`;

/** Opens a notebook of spec cells with the lab's controller selected. */
async function openSpecs(...sources: string[]): Promise<vscode.NotebookDocument> {
  const data = new vscode.NotebookData(sources.map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, SPEC_LANGUAGE)));
  const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(notebook);
  await within(vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER), 20_000, 'notebook.selectKernel');
  assert.equal(await selectKernel(CONTROLLER), true);
  return notebook;
}

/** Runs cell `index` and resolves when it has finished. */
async function runCell(notebook: vscode.NotebookDocument, index: number, timeoutMs = 120_000): Promise<vscode.NotebookCell> {
  const started = Date.now();
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: notebook.uri });
  const cell = notebook.cellAt(index);
  await waitFor(() => (cell.executionSummary?.timing?.endTime ?? 0) >= started, timeoutMs, `cell ${index + 1} to finish`);
  return cell;
}

describe('Training in VS Code', () => {
  afterEach(closeAllEditors);

  it('streams progress into the cell output while training, then replaces it once with the trained trace', async () => {
    const notebook = await openSpecs(TRAIN(6));
    const seen = new Set<string>();
    const progressLines: string[] = [];
    let progressWrites = 0;
    const listener = vscode.workspace.onDidChangeNotebookDocument((e) => {
      for (const change of e.cellChanges) {
        const items = change.outputs?.flatMap((o) => o.items) ?? [];
        if (items.some((i) => i.mime === PROGRESS_MIME)) progressWrites++;
        for (const item of items) {
          seen.add(item.mime);
          if (item.mime === 'text/plain') progressLines.push(text(item.data));
        }
      }
    });
    try {
      const started = Date.now();
      const cell = await runCell(notebook, 0);
      // The reports between go to the renderer as messages: the cell itself is written every 5 s at most.
      const seconds = (Date.now() - started) / 1000;
      assert.ok(progressWrites <= Math.ceil(seconds / 5) + 1, `${progressWrites} progress writes in ${seconds.toFixed(1)} s`);
      assert.equal(cell.executionSummary?.success, true, describeOutputs(cell));
      assert.ok(seen.has(PROGRESS_MIME), `progress outputs were shown (saw ${[...seen].join(', ')})`);
      assert.ok(progressLines.some((l) => /^Training epoch \d\/6, step \d+\/16 · loss [\d.e+-]+ · accuracy [\d.]+ · about .+ left$/.test(l)), progressLines.join('\n'));
      const mimes = cell.outputs.flatMap((o) => o.items.map((i) => i.mime));
      assert.ok(!mimes.includes(PROGRESS_MIME), `the progress was replaced: ${mimes.join(', ')}`);
      const payload = JSON.parse(text(outputItem(cell, TRACE_MIME).data));
      assert.equal(payload.training.loss.length, 6 * 16);
      assert.equal(payload.training.task.name, 'adding');
    } finally {
      listener.dispose();
    }
  });

  it('keeps the model trained so far when interrupted, for a later cell to use', async () => {
    const notebook = await openSpecs(TRAIN(10_000), 'model: lstm\nunits: 8\nweights: { from: cell 1 }\ntask: { name: adding, length: 20, testSize: 4, seed: 2 }\n');
    const running = runCell(notebook, 0, 180_000);
    await waitFor(() => notebook.cellAt(0).outputs.some((o) => o.items.some((i) => i.mime === PROGRESS_MIME)), 120_000, 'the first progress output');
    await vscode.commands.executeCommand('fglab.interruptKernel');
    const first = await running;
    assert.equal(first.executionSummary?.success, false);
    const error = errorOf(first);
    assert.equal(error.name, 'Interrupted');
    assert.match(error.message, /^Training interrupted at epoch \d+ of 10000, after \d+ steps: the model trained so far is kept as "cell 1"/);
    const second = await runCell(notebook, 1);
    assert.equal(second.executionSummary?.success, true, describeOutputs(second));
    assert.equal(JSON.parse(text(outputItem(second, TRACE_MIME).data)).dims.batch, 4);
  });
});
