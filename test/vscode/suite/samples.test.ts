import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, describeOutputs, MARKDOWN_MIME, outputItem, runAll, scratchCopy, SPEC_LANGUAGE, text, TRACE_MIME, workspaceFolder } from './util';

/** Every shipped sample, run end to end in the real extension host: one per model and experiment. */
describe('Shipped samples in VS Code', () => {
  afterEach(closeAllEditors);

  it('ships a sample for each model and experiment', async () => {
    const names = (await vscode.workspace.fs.readDirectory(workspaceFolder())).map(([n]) => n).filter((n) => n.endsWith('.fglab')).sort();
    for (const want of ['attention-text', 'classic-lstm', 'compare-initialisations', 'continual', 'forgetting-attention', 'gru-update-gate', 'learning-to-forget', 'privacy-influence', 'attention-forgets']) {
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
    'learning-to-forget.fglab': (p) => {
      type Variant = { name: string; labels: string[]; training: { loss: number[]; cellMagnitude: number[]; metrics: Record<string, number> } };
      if (p.kind !== 'comparison') {
        // The second cell: the kept model with a forget gate, traced on a fresh stream without training.
        const t = p as unknown as Variant;
        assert.equal(t.training.loss.length, 0);
        assert.ok(t.training.metrics.outerAccuracy >= 0.9, `outer T/P accuracy ${t.training.metrics.outerAccuracy}`);
        assert.ok(t.labels.every((l) => 'BTPSXVE'.includes(l)));
        return;
      }
      const [without, withGate] = p.variants as Variant[];
      assert.deepEqual([without.name, withGate.name], ['no forget gate (1997)', 'forget gate (2000)']);
      // Gers et al. 2000: without forget gates the cell state grows over the stream; with them outer T/P is predicted.
      assert.ok(without.training.cellMagnitude.at(-1)! > 50 * withGate.training.cellMagnitude.at(-1)!, 'the 1997 cell state grows');
      assert.ok(withGate.training.metrics.outerAccuracy >= 0.9 && withGate.training.metrics.outerAccuracy > without.training.metrics.outerAccuracy);
    },
    'continual.fglab': (p) => {
      type Variant = { name: string; training: { continual?: { mitigation: string; step: number[]; accuracyA: number[] }; metrics: Record<string, number> } };
      const variants = p.variants as Variant[];
      assert.deepEqual(variants.map((v) => v.name), ['after A', 'none', 'rehearsal', 'ewc']);
      const [afterA, none, rehearsal, ewc] = variants.map((v) => v.training.metrics);
      // Forgetting without a mitigation; rehearsal and EWC keep most of task A (measured: 0.31, 1.0, 0.89).
      assert.ok(afterA.testAccuracy >= 0.95 && none.retainedAccuracy < 0.5, `A: ${afterA.testAccuracy} after A, ${none.retainedAccuracy} after B`);
      for (const m of [rehearsal, ewc]) assert.ok(m.retainedAccuracy >= 0.8 && m.retainedAccuracy > none.retainedAccuracy + 0.3, `retained ${m.retainedAccuracy}`);
      assert.equal(variants[1].training.continual!.step.length, 1 + 15 * 2);
    },
    'attention-forgets.fglab': (p) => {
      // Forgetting attention trained on recall: the gates close for lag 2 and open for lag 12 (figures in the unit samples test).
      const t = p as { model: string; series: Record<string, unknown>; metrics: { halfLife: (number | null)[] }; training: { task: { lag: number }; metrics: Record<string, number> } };
      assert.equal(t.model, 'forgetting-attention');
      assert.ok(['forgetGate', 'decay', 'weights', 'output'].every((k) => k in t.series));
      assert.ok(t.training.metrics.testAccuracy >= 0.9, `test accuracy ${t.training.metrics.testAccuracy}`);
      const lives = t.metrics.halfLife.map((h) => h ?? Infinity);
      assert.ok([2, 12].includes(t.training.task.lag));
      if (t.training.task.lag === 2) assert.ok(lives.every((h) => h < 4), `short lag: half-lives ${lives.join(', ')}`);
      else assert.ok(lives.every((h) => h > 12), `long lag: half-lives ${lives.join(', ')}, the lag is 12`);
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
