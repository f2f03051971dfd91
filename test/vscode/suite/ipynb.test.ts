import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeCells, describeOutputs, JUPYTER_CONTROLLER, outputItem, runAll, scratchCopy, SPEC_LANGUAGE, text, TRACE_MIME } from './util';

/** A Jupyter notebook with a Markdown cell and one spec cell (language fglab in the cell's metadata). */
const NOTEBOOK = {
  cells: [
    { cell_type: 'markdown', metadata: {}, source: ['# An LSTM in a Jupyter notebook'] },
    {
      cell_type: 'code',
      execution_count: null,
      metadata: { vscode: { languageId: 'fglab' } },
      outputs: [],
      source: ['model: lstm\n', 'units: 6\n', 'input:\n', '  shape: [5, 3]\n', '  random: { seed: 4 }\n'],
    },
  ],
  metadata: { language_info: { name: 'fglab' } },
  nbformat: 4,
  nbformat_minor: 5,
};

describe('Jupyter notebooks (.ipynb)', () => {
  afterEach(closeAllEditors);

  it('has the built-in ipynb serializer', () => {
    assert.ok(vscode.extensions.getExtension('vscode.ipynb'), 'vscode.ipynb is not installed in this VS Code');
  });

  it('runs a spec cell with the lab\'s Jupyter controller and keeps its output through save and reopen', async () => {
    const uri = await scratchCopy('lab.ipynb', new TextEncoder().encode(JSON.stringify(NOTEBOOK, null, 1)));
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    assert.equal(notebook.notebookType, 'jupyter-notebook');
    assert.equal(codeCells(notebook)[0].document.languageId, SPEC_LANGUAGE);
    const [cell] = await runAll(notebook, 90_000, JUPYTER_CONTROLLER);
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    const before = JSON.parse(text(outputItem(cell, TRACE_MIME).data));
    assert.deepEqual(before.dims, { batch: 1, time: 5, units: 6, features: 3 });

    assert.equal(await notebook.save(), true, 'save() returned false');
    const saved = JSON.parse(text(await vscode.workspace.fs.readFile(uri)));
    const savedCell = saved.cells.find((c: { cell_type: string }) => c.cell_type === 'code');
    assert.ok(savedCell.outputs.some((o: { data?: Record<string, unknown> }) => o.data && TRACE_MIME in o.data), `saved outputs: ${JSON.stringify(savedCell.outputs).slice(0, 300)}`);
    assert.ok(savedCell.outputs.some((o: { data?: Record<string, unknown> }) => o.data && 'text/markdown' in o.data), 'the Markdown summary is saved for Jupyter and GitHub');
    const picture = savedCell.outputs.map((o: { data?: Record<string, unknown> }) => o.data?.['image/png']).find((p: unknown) => p !== undefined);
    assert.equal(typeof picture, 'string', 'the picture of the main view, drawn by the renderer, is saved for Jupyter and GitHub');
    const png = Buffer.from(Array.isArray(picture) ? picture.join('') : (picture as string), 'base64');
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
    assert.equal(png.readUInt32BE(16), 960, 'the width fglab trace --format png draws');

    // A copy under a new name has never been open: opening it must deserialize the saved file.
    await closeAllEditors();
    const copy = await scratchCopy('lab-reopened.ipynb', await vscode.workspace.fs.readFile(uri));
    const reopened = await vscode.workspace.openNotebookDocument(copy);
    const [again] = codeCells(reopened);
    assert.equal(again.document.languageId, SPEC_LANGUAGE);
    assert.deepEqual(JSON.parse(text(outputItem(again, TRACE_MIME).data)), before, 'the trace after reopening');
  });
});
