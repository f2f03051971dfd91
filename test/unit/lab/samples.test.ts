import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSpecCell } from '../../../src/lab';
import { decodeOutput, isComparison } from '../../../src/shared/trace';
import { parseNotebook, serializeNotebook } from '../../../src/shared/notebook-file';
import type { ModelStore } from '../../../src/lab/train-run';
import { setupLab } from './setup';

const SAMPLES = join(__dirname, '..', '..', '..', '..', 'media', 'samples');
const files = readdirSync(SAMPLES).filter((f) => f.endsWith('.fglab')).sort();

describe('shipped samples', () => {
  before(setupLab);

  it('include one notebook per model and experiment', () => {
    for (const name of ['classic-lstm', 'gru-update-gate', 'attention-text', 'forgetting-attention', 'compare-initialisations', 'privacy-influence', 'learning-to-forget']) {
      assert.ok(files.includes(`${name}.fglab`), name);
    }
  });

  for (const file of files) {
    it(`${file} round-trips byte for byte, has a description and runs every spec cell`, async () => {
      const bytes = readFileSync(join(SAMPLES, file));
      assert.equal(Buffer.from(serializeNotebook(parseNotebook(bytes))).toString('utf8'), bytes.toString('utf8'));
      const notebook = parseNotebook(bytes);
      assert.equal(typeof notebook.metadata?.description, 'string');
      const specs = notebook.cells.filter((c) => c.kind === 'code' && c.language === 'fglab');
      assert.ok(specs.length > 0);
      // Cells are named and trained models kept as the controller does: `cell N` by position.
      const models: ModelStore = new Map();
      for (const cell of specs) {
        const cellName = `cell ${notebook.cells.indexOf(cell) + 1}`;
        const [json, md] = await runSpecCell(cell.source, { readFile: (p) => readFileSync(join(SAMPLES, p)), models, cellName });
        const output = decodeOutput(JSON.parse(Buffer.from(json.data).toString('utf8')));
        const traces = isComparison(output) ? output.variants.map((v) => v.trace) : [output];
        for (const trace of traces) {
          for (const [name, s] of Object.entries(trace.series)) {
            assert.ok(s.data.some((v) => Number.isFinite(v)), `${name} has values`);
          }
        }
        assert.ok(Buffer.from(md.data).toString('utf8').length > 50);
        if (file === 'learning-to-forget.fglab' && isComparison(output)) {
          // What Gers et al. (2000) showed, at this sample's small budget (measured: outer T/P 1.0 and 0.68,
          // legal next symbol 1.0 and 0.97, final mean |c| 1.1 and 690).
          const [without, withGate] = output.variants.map((v) => v.trace.training!);
          assert.ok(withGate.metrics!.outerAccuracy >= 0.9 && withGate.metrics!.outerAccuracy > without.metrics!.outerAccuracy);
          assert.ok(withGate.metrics!.legalAccuracy >= 0.95);
          assert.ok(without.cellMagnitude!.at(-1)! > 50 * withGate.cellMagnitude!.at(-1)!);
        }
      }
    });
  }
});
