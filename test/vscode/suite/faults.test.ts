import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeCells, describeOutputs, errorOf, labApi, NOTEBOOK_TYPE, runAll, scratchCopy, selectKernel, SPEC_LANGUAGE, CONTROLLER, waitFor, within } from './util';

/** Long enough to be killed while it runs. */
const LONG = 'model: lstm\nunits: 32\ninput: { shape: [60000, 8], random: {} }\n';
const SMALL = 'model: gru\nunits: 4\ninput: { shape: [5, 3], random: { seed: 1 } }\n';

describe('Faults', () => {
  afterEach(closeAllEditors);

  it('ends the running cell with an error and leaves the queued cells not run when the kernel dies, then runs again', async () => {
    const cells = [LONG, SMALL, SMALL].map((s) => new vscode.NotebookCellData(vscode.NotebookCellKind.Code, s, SPEC_LANGUAGE));
    const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData(cells));
    await vscode.window.showNotebookDocument(notebook);
    await within(vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER), 20_000, 'notebook.selectKernel');
    assert.equal(await selectKernel(CONTROLLER), true);
    const started = Date.now();
    const execution = vscode.commands.executeCommand('notebook.execute');
    const api = await labApi();
    const kernel = await waitFor(() => {
      const k = api.controller.existingKernel(notebook);
      return k?.state === 'busy' && k;
    }, 60_000, 'the first cell to run');
    // Killed as the OS would kill it: the worker thread is terminated from outside.
    await (kernel as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await within(execution, 60_000, 'notebook.execute');
    const [first, ...queued] = codeCells(notebook);
    await waitFor(() => (first.executionSummary?.timing?.endTime ?? 0) >= started, 30_000, 'the first cell to end');
    assert.equal(first.executionSummary?.success, false, describeOutputs(first));
    assert.equal(errorOf(first).name, 'Kernel crashed');
    assert.match(errorOf(first).message, /^The kernel exited unexpectedly \(code \d+\)$/);
    for (const cell of queued) {
      assert.equal(cell.executionSummary?.success, undefined, `cell ${cell.index + 1} is marked not run`);
      assert.equal(cell.outputs.length, 0, `cell ${cell.index + 1} has no output`);
    }

    // The next run starts a fresh kernel. The long cell is made short for it.
    const edit = new vscode.WorkspaceEdit();
    edit.set(notebook.uri, [vscode.NotebookEdit.replaceCells(new vscode.NotebookRange(0, 1), [new vscode.NotebookCellData(vscode.NotebookCellKind.Code, SMALL, SPEC_LANGUAGE)])]);
    assert.ok(await vscode.workspace.applyEdit(edit));
    for (const cell of await runAll(notebook)) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1}: ${describeOutputs(cell)}`);
  });

  for (const [what, name, corrupt] of [
    ['a truncated .fglab file', 'truncated.fglab', (bytes: Uint8Array) => bytes.subarray(0, Math.floor(bytes.length * 0.6))],
    ['a .fglab file of the wrong structure', 'wrong.fglab', () => new TextEncoder().encode('{"fglab": 1, "cells": {"kind": "code"}}\n')],
  ] as const) {
    it(`refuses to open ${what} and leaves it on disk untouched`, async () => {
      const original = await vscode.workspace.fs.readFile(await scratchCopy());
      const uri = await scratchCopy(name, corrupt(original));
      const before = Buffer.from(await vscode.workspace.fs.readFile(uri));
      await assert.rejects(Promise.resolve(vscode.workspace.openNotebookDocument(uri)), (e: Error) => /not valid JSON|cells: expected an array/.test(e.message));
      // Opening it in an editor fails the same way, and nothing is written back.
      await Promise.resolve(vscode.commands.executeCommand('vscode.openWith', uri, NOTEBOOK_TYPE)).catch(() => undefined);
      await closeAllEditors();
      assert.deepEqual(Buffer.from(await vscode.workspace.fs.readFile(uri)), before, 'the file on disk is unchanged');
    });
  }
});
