import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, describeOutputs, MARKDOWN_MIME, outputItem, runAll, scratchCopy, SPEC_LANGUAGE, text, TRACE_MIME, workspaceFolder } from './util';

/** Every shipped sample, run end to end in the real extension host: one per model and experiment. */
describe('Shipped samples in VS Code', () => {
  afterEach(closeAllEditors);

  it('ships a sample for each model and experiment', async () => {
    const names = (await vscode.workspace.fs.readDirectory(workspaceFolder())).map(([n]) => n).filter((n) => n.endsWith('.fglab')).sort();
    for (const want of ['attention-text', 'classic-lstm', 'compare-initialisations', 'forgetting-attention', 'gru-update-gate', 'privacy-influence']) {
      assert.ok(names.includes(`${want}.fglab`), `${want}.fglab missing from [${names.join(', ')}]`);
    }
  });

  const expected: Record<string, (payload: Record<string, unknown>) => void> = {
    'gru-update-gate.fglab': (p) => {
      assert.equal(p.model, 'gru');
      assert.ok('updateGate' in (p.series as object) && 'resetGate' in (p.series as object));
    },
    'attention-text.fglab': (p) => {
      assert.equal(p.model, 'attention');
      assert.deepEqual((p.series as Record<string, { shape: number[] }>).weights.shape, [1, 2, 11, 11]);
      assert.equal((p.labels as string[])[1], 'cat');
      assert.ok(Array.isArray((p.metrics as Record<string, unknown>).entropy));
    },
    'forgetting-attention.fglab': (p) => {
      assert.equal(p.model, 'forgetting-attention');
      assert.ok(['forgetGate', 'decay', 'weights', 'kept', 'output'].every((k) => k in (p.series as object)));
    },
    'compare-initialisations.fglab': (p) => {
      assert.equal(p.kind, 'comparison');
      assert.deepEqual((p.variants as { name: string }[]).map((v) => v.name), ['no forget bias', 'unit forget bias', 'chrono 100', 'GRU']);
    },
    'privacy-influence.fglab': (p) => {
      const influence = (p.metrics as { influence: number[][] }).influence;
      assert.equal(influence[0].length, (p.dims as { time: number }).time);
      assert.ok(influence[0].every((v) => Number.isFinite(v) && v >= 0));
    },
  };

  for (const [name, check] of Object.entries(expected)) {
    it(`runs ${name} into a trace output the renderer reads`, async () => {
      const notebook = await vscode.workspace.openNotebookDocument(await scratchCopy(name));
      const cells = await runAll(notebook);
      const specCells = cells.filter((c) => c.document.languageId === SPEC_LANGUAGE);
      assert.ok(specCells.length > 0);
      for (const cell of specCells) {
        assert.equal(cell.executionSummary?.success, true, `the cell failed: ${describeOutputs(cell)}`);
        const payload = JSON.parse(text(outputItem(cell, TRACE_MIME).data));
        assert.equal(payload.format, 'fglab.trace');
        check(payload);
        assert.ok(text(outputItem(cell, MARKDOWN_MIME).data).length > 50);
      }
    });
  }
});
