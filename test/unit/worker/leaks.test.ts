/**
 * Leak soak against the real kernel worker: the spec cells of the classic sample notebook,
 * run again and again on one worker. After every run TensorFlow.js holds as many tensors as
 * before the first, and the worker's heap and its memory outside the heap stay flat.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { LabKernel, type KernelStats } from '../../../src/extension/kernel';
import { parseNotebook } from '../../../src/shared/notebook-file';
import { cases, report } from '../soak';

const ROOT = join(__dirname, '..', '..', '..', '..');
const DIST = join(ROOT, 'dist');
const SAMPLE = join(ROOT, 'media', 'samples', 'classic-lstm.fglab');
const MB = 1024 ** 2;
/** Runs before the baseline is read. */
const WARM_UP = 10;

/** Least-squares slope of `ys` over their index: bytes per run. */
function slope(ys: number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

describe('kernel memory over many runs (real worker thread)', function () {
  this.timeout(0);

  const runs = cases(25, 200);
  it(`returns to the baseline tensor count after each of ${runs} runs of the sample notebook, heap flat`, async () => {
    // Lets the worker collect garbage before each reading, so heap figures are steady.
    setFlagsFromString('--expose-gc');
    const cells = parseNotebook(readFileSync(SAMPLE)).cells.filter((c) => c.language === 'fglab').map((c) => c.source);
    assert.ok(cells.length > 0, 'the sample has spec cells');
    const k = new LabKernel('classic-lstm.fglab', { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => undefined });
    const reading = async (): Promise<KernelStats> => {
      const s = await k.stats({ collect: true });
      assert.ok(s, 'an idle worker answers');
      return s;
    };
    try {
      // Warm-up: TensorFlow.js allocates its backend's buffers, and V8 compiles and optimises
      // (code and feedback live in the heap), over the first runs.
      for (let i = 0; i < WARM_UP; i++) for (const source of cells) await k.runSpec(source, join(ROOT, 'media', 'samples'), 'warm-up');
      const baseline = await reading();
      const heap: number[] = [];
      const external: number[] = [];
      for (let i = 0; i < runs; i++) {
        for (const [c, source] of cells.entries()) await k.runSpec(source, join(ROOT, 'media', 'samples'), `cell ${c + 1}`);
        const s = await reading();
        assert.equal(s.tensorCount, baseline.tensorCount, `tensors alive after run ${i + 1}: ${s.tensorCount}, baseline ${baseline.tensorCount}`);
        assert.equal(s.tensorBytes, baseline.tensorBytes, `tensor bytes after run ${i + 1}`);
        heap.push(s.heapUsedBytes);
        external.push(s.externalBytes);
      }
      // The trend over the second half: the last of V8's warm-up settles in the first.
      const heapSlope = slope(heap.slice(heap.length >> 1));
      const externalSlope = slope(external.slice(external.length >> 1));
      const growth = heap[heap.length - 1] - baseline.heapUsedBytes;
      report(`${runs} runs × ${cells.length} cell: tensors ${baseline.tensorCount} (${baseline.tensorBytes} bytes) after every run; heap ${(baseline.heapUsedBytes / MB).toFixed(1)} MB → ${(heap[heap.length - 1] / MB).toFixed(1)} MB (trend over the second half ${(heapSlope / 1024).toFixed(2)} KB per run), outside the heap ${(baseline.externalBytes / MB).toFixed(1)} MB → ${(external[external.length - 1] / MB).toFixed(1)} MB (trend ${(externalSlope / 1024).toFixed(2)} KB per run)`);
      // A run's trace is about 50 KB: keeping even a fifth of each would show as 10 KB per run.
      assert.ok(heapSlope < 10 * 1024, `heap grows ${(heapSlope / 1024).toFixed(1)} KB per run`);
      assert.ok(externalSlope < 10 * 1024, `memory outside the heap grows ${(externalSlope / 1024).toFixed(1)} KB per run`);
      assert.ok(growth < 2 * MB, `heap grew ${(growth / MB).toFixed(1)} MB over ${runs} runs`);
    } finally {
      k.dispose();
    }
  });
});
