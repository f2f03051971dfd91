import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  closeAllEditors, untitledNotebook, codeCells, CONTROLLER, describeOutputs, errorOf, labApi, outputItem, runAll, scratchCopy, selectKernel, SPEC_LANGUAGE, text, TRACE_MIME, waitFor,
} from './util';

const STDOUT_MIME = 'application/vnd.code.notebook.stdout';
const TEXT_MIME = 'text/plain';

/** Starts running one cell by index (the command itself settles only when the cell ends). */
function executeCell(notebook: vscode.NotebookDocument, index: number): void {
  void vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: index, end: index + 1 }], document: notebook.uri });
}

/** Everything a cell printed on stdout so far. */
function stdout(cell: vscode.NotebookCell): string {
  return cell.outputs.flatMap((o) => o.items).filter((i) => i.mime === STDOUT_MIME).map((i) => text(i.data)).join('');
}

describe('JavaScript and TypeScript cells', () => {
  afterEach(closeAllEditors);

  it('runs the JavaScript sample end to end: code shares an input with a spec cell, loops, streams and shows traces', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(await scratchCopy('javascript-cells.fglab'));
    const cells = await runAll(notebook);
    for (const cell of cells) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1} failed: ${describeOutputs(cell)}`);
    const [build, spec, loop] = cells;
    assert.equal(text(outputItem(build, TEXT_MIME).data), '[ 1, 60, 4 ]');
    assert.equal(spec.document.languageId, SPEC_LANGUAGE);
    assert.deepEqual(JSON.parse(text(outputItem(spec, TRACE_MIME).data)).dims, { batch: 1, time: 60, units: 16, features: 4 });
    assert.match(stdout(loop), /^forgetBias 0: median half-life [\d.]+ steps\nforgetBias 1: .*\nforgetBias 2: .*\n$/);
    assert.deepEqual(loop.outputs.map((o) => o.items.map((i) => i.mime)), [[STDOUT_MIME], [TRACE_MIME, 'text/markdown'], [TEXT_MIME]], describeOutputs(loop));
    assert.match(text(outputItem(loop, TEXT_MIME).data), /medianHalfLife/);
  });

  it('keeps TypeScript declarations for later cells and shows an error at the cell\'s own line', async () => {
    const notebook = await untitledNotebook([
      ['typescript', 'interface Step { at: number }\nconst first: Step = { at: 3 }\nfunction twice(s: Step): number {\n  return s.at * 2\n}'],
      ['javascript', 'console.log("twice", twice(first))\nconst broken = null\n\nbroken.at'],
    ]);
    const [ts, js] = await runAll(notebook);
    assert.equal(ts.executionSummary?.success, true, describeOutputs(ts));
    assert.equal(js.executionSummary?.success, false);
    assert.equal(stdout(js), 'twice 6\n', 'what the cell printed before it failed stays');
    const error = errorOf(js);
    assert.equal(error.name, 'TypeError');
    assert.match(error.stack ?? '', /^TypeError: Cannot read properties of null \(reading 'at'\)\n {4}at cell 2:4:8$/);
  });

  it('interrupts an endless loop, says the kernel state was lost, and runs the next cell', async () => {
    const notebook = await untitledNotebook([
      ['javascript', 'let kept = 1'],
      ['javascript', 'console.log("looping")\nwhile (true) {}'],
      ['javascript', 'typeof kept'],
    ]);
    const [first, loop, next] = codeCells(notebook);
    await vscode.window.showNotebookDocument(notebook);
    await vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER);
    assert.equal(await selectKernel(CONTROLLER), true);
    executeCell(notebook, 0);
    await waitFor(() => first.executionSummary?.success, 60_000, 'the first cell to run');
    executeCell(notebook, 1);
    // The line printed before the loop reaches the cell while the worker is stuck in it.
    await waitFor(() => stdout(loop) === 'looping\n', 30_000, 'the loop cell to print');
    assert.equal((await labApi()).controller.existingKernel(notebook)?.state, 'busy');
    // The notebook toolbar's Interrupt.
    await vscode.commands.executeCommand('notebook.cancelExecution');
    await waitFor(() => loop.executionSummary?.success === false, 10_000, 'the loop cell to stop');
    const error = errorOf(loop);
    assert.equal(error.name, 'Interrupted');
    assert.match(error.message, /kernel was restarted and its state was lost/);
    executeCell(notebook, 2);
    await waitFor(() => next.executionSummary?.success !== undefined, 60_000, 'the next cell to run');
    assert.equal(next.executionSummary?.success, true, describeOutputs(next));
    assert.equal(text(outputItem(next, TEXT_MIME).data), "'undefined'", 'a fresh kernel: the first cell\'s variable is gone');
  });
});
