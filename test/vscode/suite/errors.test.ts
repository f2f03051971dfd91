import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, describeOutputs, errorOf, outputItem, runAll, TRACE_MIME, untitledSpecNotebook } from './util';

const BAD_SPEC = ['model: lstm', 'units: 0', 'input:', '  shape: [10, 64]', '  random: { seed: 7 }', 'weights:', '  seed: 1'].join('\n');

describe('Errors in a spec cell', () => {
  afterEach(closeAllEditors);

  it('fails a cell with units: 0 with one error line that names units', async () => {
    const notebook = await untitledSpecNotebook(BAD_SPEC);
    const [cell] = await runAll(notebook);
    assert.equal(cell.executionSummary?.success, false, `expected a failed run, got: ${describeOutputs(cell)}`);
    const error = errorOf(cell);
    assert.match(error.message, /\bunits\b/, `the error does not name the key: ${JSON.stringify(error)}`);
    assert.equal(error.message.trim().split('\n').length, 1, `expected one line, got: ${JSON.stringify(error.message)}`);
  });

  it('runs the cell once the spec is fixed', async () => {
    const notebook = await untitledSpecNotebook(BAD_SPEC);
    const [failed] = await runAll(notebook);
    assert.equal(failed.executionSummary?.success, false);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(failed.document.uri, new vscode.Range(0, 0, failed.document.lineCount, 0), BAD_SPEC.replace('units: 0', 'units: 8'));
    assert.ok(await vscode.workspace.applyEdit(edit), 'the edit was not applied');
    const [cell] = await runAll(notebook);
    assert.equal(cell.executionSummary?.success, true, `the fixed spec failed: ${describeOutputs(cell)}`);
    const trace = JSON.parse(new TextDecoder().decode(outputItem(cell, TRACE_MIME).data));
    assert.deepEqual(trace.dims, { batch: 1, time: 10, units: 8, features: 64 });
  });
});
