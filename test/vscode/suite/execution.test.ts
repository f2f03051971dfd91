import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  closeAllEditors, describeOutputs, MARKDOWN_MIME, outputItem, runAll, scratchCopy, seriesValues, SPEC_LANGUAGE, text, TRACE_MIME, type EncodedSeries,
} from './util';

const LSTM_SERIES = ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden'];
const GATES = ['inputGate', 'forgetGate', 'outputGate'];


describe('Running a lab notebook', () => {
  afterEach(closeAllEditors);

  it('runs the classic example into a compact trace output and a markdown summary', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(await scratchCopy());
    const [cell] = await runAll(notebook);
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    assert.deepEqual(cell.outputs.flatMap((o) => o.items.map((i) => i.mime)).filter((m) => m === TRACE_MIME || m === MARKDOWN_MIME).sort(), [TRACE_MIME, MARKDOWN_MIME].sort());

    const trace = JSON.parse(text(outputItem(cell, TRACE_MIME).data));
    assert.equal(trace.format, 'fglab.trace');
    assert.equal(trace.model, 'lstm');
    assert.deepEqual(trace.dims, { batch: 1, time: 10, units: 128, features: 64 });
    for (const name of LSTM_SERIES) {
      const series = trace.series[name] as EncodedSeries | undefined;
      if (!series) {
        // Compact outputs leave out what the decoder rebuilds exactly from the other series.
        assert.ok((trace.derived as string[] | undefined)?.includes(name), `trace has neither series ${name} nor lists it as derived; it has [${Object.keys(trace.series).join(', ')}]`);
        continue;
      }
      assert.deepEqual(series.shape, [1, 10, 128], `shape of ${name}`);
      assert.equal(series.dtype, 'uint16', `${name}: notebook outputs hold 16-bit codes by default (fglab.outputPrecision)`);
      const values = seriesValues(series);
      assert.equal(values.length, 1 * 10 * 128, `values of ${name}`);
      assert.ok(values.every(Number.isFinite), `${name} has a value that is not finite`);
      // 16-bit codes keep gates within about 1e-5 of [0, 1].
      if (GATES.includes(name)) assert.ok(values.every((v) => v >= -1e-4 && v <= 1 + 1e-4), `${name} has a value outside [0, 1]`);
    }
    const markdown = text(outputItem(cell, MARKDOWN_MIME).data);
    assert.match(markdown, /forget/i, 'the markdown summary does not mention the forget gate');
  });

  it('keeps the outputs byte for byte through save, close and reopen', async () => {
    const uri = await scratchCopy();
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    const [cell] = await runAll(notebook);
    assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
    const before = cell.outputs.map((o) => o.items.map((i) => ({ mime: i.mime, bytes: Buffer.from(i.data) })));

    assert.equal(await notebook.save(), true, 'save() returned false');
    assert.equal(notebook.isDirty, false, 'still dirty after save');
    const onDisk = JSON.parse(text(await vscode.workspace.fs.readFile(uri)));
    const savedCell = onDisk.cells.find((c: { language: string }) => c.language === SPEC_LANGUAGE);
    assert.deepEqual(savedCell.outputs?.flatMap((o: { items: { mime: string }[] }) => o.items.map((i) => i.mime)), before.flat().map((i) => i.mime), 'output MIME types in the saved file');

    // VS Code keeps a notebook that an extension opened alive for minutes after its editor
    // closes, so opening the same URI again would hand back the document in memory. A copy of
    // the saved bytes under a new name has never been open: opening it must deserialize it.
    await closeAllEditors();
    const copy = await scratchCopy('saved-copy.fglab', await vscode.workspace.fs.readFile(uri));
    assert.ok(!vscode.workspace.notebookDocuments.some((nb) => nb.uri.toString() === copy.toString()), 'the copy is already open');
    const reopened = await vscode.workspace.openNotebookDocument(copy);
    const [again] = reopened.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
    const after = again.outputs.map((o) => o.items.map((i) => ({ mime: i.mime, bytes: Buffer.from(i.data) })));
    assert.deepEqual(after.map((o) => o.map((i) => i.mime)), before.map((o) => o.map((i) => i.mime)), 'output MIME types after reopening');
    after.flat().forEach((item, k) => {
      const was = before.flat()[k].bytes;
      assert.ok(item.bytes.equals(was), `${item.mime}: ${item.bytes.length} bytes after reopening differ from the ${was.length} bytes before saving`);
    });
    assert.equal(again.executionSummary?.success, true, 'execution summary after reopening');
  });
});
