import assert from 'node:assert/strict';
import { LiveProgress, REWRITE_EVERY_MS, type ProgressOutput } from '../../../src/extension/live-progress';
import { isTrainingProgressMessage, RENDERER_PROTOCOL_VERSION } from '../../../src/shared/renderer-protocol';
import type { TrainingProgress } from '../../../src/shared/trace';

/** The report after `steps` optimizer steps of a 4 × 10-step training. */
function report(steps: number): TrainingProgress {
  return {
    epoch: Math.floor((steps - 1) / 10) + 1,
    epochs: 4,
    step: ((steps - 1) % 10) + 1,
    stepsPerEpoch: 10,
    etaMs: 1000,
    record: { task: { name: 'adding', lag: 10 }, epochs: 4, stepsPerEpoch: 10, loss: Array(steps).fill(0.5), accuracy: Array(steps).fill(0.25), testLoss: [], testAccuracy: [], stopped: false },
  };
}

/** A fake cell and renderer: writes complete when `release` is called (or at once), a clock set by hand. */
function fakeIo(deferWrites = false) {
  const io = {
    clock: 0,
    writes: [] as ProgressOutput[],
    sent: [] as [string, number][],
    pending: [] as (() => void)[],
    write(output: ProgressOutput): Promise<void> {
      io.writes.push(output);
      return deferWrites ? new Promise<void>((r) => io.pending.push(r)) : Promise.resolve();
    },
    send(token: string, progress: TrainingProgress) {
      io.sent.push([token, progress.record.loss.length]);
    },
    now: () => io.clock,
    release() {
      for (const r of io.pending.splice(0)) r();
    },
  };
  return io;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('live training progress (host side)', () => {
  it('writes the first report into the cell, sends the next ones to the renderer, and writes again every few seconds', async () => {
    const io = fakeIo();
    const live = new LiveProgress('nb#3#live', io);
    live.show(report(1));
    await tick();
    for (let s = 2; s <= 20; s++) {
      io.clock += 250; // the worker reports at most every 250 ms
      live.show(report(s));
      await tick();
    }
    await live.settle();
    // 20 reports over 4.75 s: written once, 19 messages.
    assert.deepEqual(io.writes.map((w) => w.json.record.loss.length), [1]);
    assert.deepEqual(io.sent.map(([, steps]) => steps), Array.from({ length: 19 }, (_, i) => i + 2));
    assert.ok(io.sent.every(([token]) => token === 'nb#3#live'));
    const [first] = io.writes;
    assert.equal(first.json.liveToken, 'nb#3#live', 'the renderer learns the token from the payload');
    assert.equal(first.line, 'Training epoch 1/4, step 1/10 · loss 0.500 · accuracy 0.25 · about 1 s left');
    assert.deepEqual(live.counts, { writes: 1, messages: 19 });

    const longer = fakeIo();
    const slow = new LiveProgress('t', longer);
    for (let s = 1; s <= 41; s++) {
      slow.show(report(s));
      await tick();
      longer.clock += 250;
    }
    await slow.settle();
    // 41 reports over 10 s: written at 0, 5 and 10 s (a renderer that starts late catches up).
    assert.deepEqual(longer.writes.map((w) => w.json.record.loss.length), [1, 1 + REWRITE_EVERY_MS / 250, 1 + (2 * REWRITE_EVERY_MS) / 250]);
    assert.equal(longer.sent.length, 41 - 3);
  });

  it('merges writes that arrive while one is being applied, and settle waits for the last and drops later reports', async () => {
    const io = fakeIo(true);
    const live = new LiveProgress('t', io, 0); // every report is a write
    live.show(report(1));
    await tick();
    live.show(report(2));
    live.show(report(3));
    await tick();
    assert.equal(io.writes.length, 1, 'the second write waits for the first');
    io.release();
    await tick();
    assert.deepEqual(io.writes.map((w) => w.json.record.loss.length), [1, 3], 'report 2 was merged into 3');
    let settled = false;
    const done = live.settle().then(() => (settled = true));
    live.show(report(4));
    await tick();
    assert.equal(settled, false, 'settle waits for the write being applied');
    io.release();
    await done;
    assert.deepEqual(io.writes.map((w) => w.json.record.loss.length), [1, 3]);
    assert.deepEqual(io.sent, [], 'nothing sent after settle either');
  });

  it('recognises trainingProgress messages of its protocol only', () => {
    const message = { type: 'trainingProgress', protocol: RENDERER_PROTOCOL_VERSION, token: 't', progress: report(1) };
    assert.equal(isTrainingProgressMessage(message), true);
    assert.equal(isTrainingProgressMessage({ ...message, protocol: RENDERER_PROTOCOL_VERSION + 1 }), false);
    assert.equal(isTrainingProgressMessage({ ...message, token: 3 }), false);
    assert.equal(isTrainingProgressMessage({ ...message, progress: null }), false);
    assert.equal(isTrainingProgressMessage('trainingProgress'), false);
  });
});
