import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeCells, describeOutputs, NOTEBOOK_TYPE, outputItem, runAll, scratchCopy, SPEC_LANGUAGE, text, TRACE_MIME, waitFor } from './util';

describe('Commands', () => {
  afterEach(closeAllEditors);

  it('registers fglab.newNotebook and fglab.restartKernel', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['fglab.newNotebook', 'fglab.restartKernel']) assert.ok(commands.includes(id), `command ${id} is not registered`);
  });

  it('opens an untitled fglab notebook holding the classic example with fglab.newNotebook', async () => {
    await vscode.commands.executeCommand('fglab.newNotebook');
    const notebook = await waitFor(() => vscode.window.activeNotebookEditor?.notebook, 10_000, 'a notebook editor');
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
    const notebook = await waitFor(() => vscode.window.activeNotebookEditor?.notebook, 10_000, 'a notebook editor');
    const [cell] = await runAll(notebook);
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    const trace = JSON.parse(text(outputItem(cell, TRACE_MIME).data));
    assert.deepEqual(trace.dims, { batch: 1, time: 10, units: 128, features: 64 });
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
