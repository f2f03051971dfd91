/**
 * Fault injection against the real kernel worker: the worker is killed at random points of
 * its runs (starting, tracing, encoding, answering), and two notebooks' kernels run at once.
 * A killed run ends with an error, the runs queued behind it fail too, the next run works,
 * and no output is ever half-written.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { KernelError, LabKernel } from '../../../src/extension/kernel';
import type { OutputItemBytes } from '../../../src/shared/protocol';
import { createRandom } from '../../../src/lab/rng';
import { decodeOutput, isComparison } from '../../../src/shared/trace';
import { cases, report, testSeed } from '../soak';

const DIST = join(__dirname, '..', '..', '..', '..', 'dist');
const TRACE_MIME = 'application/vnd.fglab.trace+json';
/** A run of a few hundred milliseconds: long enough to be killed in the middle. */
const MEDIUM = 'model: lstm\nunits: 64\ninput: { shape: [1500, 16], random: { seed: 3 } }\nshow: [influence]\n';
const SMALL = 'model: gru\nunits: 8\ninput: { shape: [12, 4], random: { seed: 1 } }\n';
const LONG = 'model: lstm\nunits: 32\ninput: { shape: [60000, 8], random: {} }\n';
/** Training in the kernel (a few hundred milliseconds), then a trace of the test split. */
const TRAIN = 'model: lstm\nunits: 6\ntask: { name: reber, length: 30, trainSize: 32, testSize: 1, testLength: 40, seed: 1 }\ntrain: { epochs: 1, batchSize: 16, learningRate: 0.02 }\n';

function kernel(name = 'test'): LabKernel {
  return new LabKernel(name, { workerPath: join(DIST, 'worker.js'), wasmDir: DIST, log: () => undefined });
}

/** The worker thread of a kernel (private: a test reaches in to kill it as the OS would). */
function workerOf(k: LabKernel): Worker | undefined {
  return (k as unknown as { worker: Worker | undefined }).worker;
}

/** Checks that outputs are whole: a trace that decodes and a Markdown summary. */
function assertWhole(outputs: OutputItemBytes[]): void {
  assert.deepEqual(outputs.map((o) => o.mime), [TRACE_MIME, 'text/markdown']);
  const output = decodeOutput(JSON.parse(Buffer.from(outputs[0].data).toString('utf8')));
  assert.ok(!isComparison(output) && output.dims.time > 0);
  assert.ok(Buffer.from(outputs[1].data).toString('utf8').length > 20, 'a summary');
}

type Outcome = { ok: true; outputs: OutputItemBytes[] } | { ok: false; error: KernelError };

async function outcome(p: Promise<OutputItemBytes[]>): Promise<Outcome> {
  try {
    return { ok: true, outputs: await p };
  } catch (e) {
    assert.ok(e instanceof KernelError, `a KernelError, got ${(e as Error).stack}`);
    return { ok: false, error: e };
  }
}

describe('kernel faults (real worker thread)', function () {
  this.timeout(0);

  const kills = cases(4, 100);
  it(`ends the running and queued cells with an error when the worker is killed, then runs again: ${kills} kills at random points of traces and training`, async () => {
    const seed = testSeed(7919);
    // The lab's seeded generator, so a failing kill can be replayed from its seed.
    const random = createRandom(seed);
    const next = () => random.uniform();
    const k = kernel();
    const where: Record<string, number> = { starting: 0, tracing: 0, training: 0, 'after the first result': 0, 'after every result': 0 };
    let failedRuns = 0;
    let wholeOutputs = 0;
    try {
      // Calibrates the kill windows: the time of the three runs of a round, traces or training first.
      const rounds = [[MEDIUM, SMALL, SMALL], [TRAIN, SMALL, SMALL]];
      const windows = [];
      for (const round of rounds) {
        const t0 = performance.now();
        for (const r of round) assertWhole(await k.runSpec(r, DIST, 'calibration'));
        windows.push(performance.now() - t0);
      }
      for (let i = 0; i < kills; i++) {
        // A fresh worker every third round: kills also land while TensorFlow.js is loading.
        if (i % 3 === 2) k.restart();
        const training = i % 2 === 1;
        const runs = rounds[training ? 1 : 0].map((source, c) => k.runSpec(source, DIST, `cell ${c + 1}`));
        const results: Outcome[] = [];
        const settled = runs.map((p, c) => outcome(p).then((o) => (results[c] = o)));
        const delay = next() * windows[training ? 1 : 0];
        await new Promise((r) => setTimeout(r, delay));
        const done = results.filter(Boolean).length;
        const stage = k.state === 'starting' ? 'starting' : done === 0 ? (training ? 'training' : 'tracing') : done < 3 ? 'after the first result' : 'after every result';
        where[stage]++;
        await workerOf(k)?.terminate();
        await Promise.all(settled);
        // Runs end in order: whole outputs up to the kill, then errors for the killed run and everything queued behind it.
        const firstFailure = results.findIndex((r) => !r.ok);
        results.forEach((r, c) => {
          if (r.ok) {
            assert.ok(firstFailure === -1 || c < firstFailure, `cell ${c + 1} succeeded after cell ${firstFailure + 1} failed (seed ${seed}, kill ${i})`);
            assertWhole(r.outputs);
            wholeOutputs++;
          } else {
            assert.equal(r.error.kind, 'crashed', `cell ${c + 1}: ${r.error.message} (seed ${seed}, kill ${i})`);
            // A terminated thread exits with code 1 or 0, depending on what it was doing.
            assert.match(r.error.message, /^The kernel (exited unexpectedly \(code \d+\)|crashed)/);
            failedRuns++;
          }
        });
        assert.equal(k.state, 'stopped', 'no worker is left after a kill');
        // The next run starts a fresh worker and works.
        assertWhole(await k.runSpec(SMALL, DIST, 'after the kill'));
      }
    } finally {
      k.dispose();
    }
    report(`${kills} kills (seed ${seed}): ${Object.entries(where).map(([w, n]) => `${n} ${w}`).join(', ')}; ${failedRuns} runs ended with a crash error, ${wholeOutputs} finished whole, none half-written; every next run worked`);
  });

  it('keeps two notebooks\' kernels apart: separate threads, and an interrupt or restart of one leaves the other running', async () => {
    const a = kernel('a.fglab');
    const b = kernel('b.fglab');
    try {
      await Promise.all([a.runSpec(SMALL, DIST, 'warm-up'), b.runSpec(SMALL, DIST, 'warm-up')]);
      assert.notEqual(workerOf(a)?.threadId, workerOf(b)?.threadId, 'one worker thread per notebook');
      const runA = outcome(a.runSpec(LONG, DIST, 'cell 1'));
      const runB = outcome(b.runSpec(MEDIUM, DIST, 'cell 1'));
      await new Promise((r) => setImmediate(r));
      a.interrupt();
      const endedA = await runA;
      assert.ok(!endedA.ok && endedA.error.kind === 'cancelled', 'A was interrupted');
      const stateOfB = b.state;
      const endedB = await runB;
      assert.ok(endedB.ok, `B ran to the end: ${!endedB.ok && endedB.error.message}`);
      assertWhole(endedB.outputs);
      // B's run was still going when A's interrupt took effect, or had just ended: never cancelled by it.
      assert.ok(stateOfB === 'busy' || stateOfB === 'idle', stateOfB);

      // A restart of A leaves B's worker running.
      const threadB = workerOf(b)?.threadId;
      const runB2 = outcome(b.runSpec(MEDIUM, DIST, 'cell 2'));
      a.restart();
      const endedB2 = await runB2;
      assert.ok(endedB2.ok, 'B kept running while A restarted');
      assert.equal(workerOf(b)?.threadId, threadB, 'B kept its worker');
      assertWhole(await a.runSpec(SMALL, DIST, 'cell 2'));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});
