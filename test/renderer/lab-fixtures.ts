/**
 * Real traces from the lab core for the renderer tests. Apart from the synthetic fixtures, so
 * that only the suites that need TensorFlow.js load it (one copy per process: several bundled
 * copies would share TensorFlow.js's global engine and fight over its backends).
 */
import { dirname } from 'node:path';
import { initLab, runSpecCell } from '../../src/lab';
import { TRACE_MIME } from '../../src/shared/ids';

/** The classic example: Keras's `LSTMCell(units=128)` over input of shape `(10, 64)`. */
export const CLASSIC_SPEC = 'model: lstm\nunits: 128\ninput: { shape: [10, 64], random: { seed: 7 } }\nweights: { seed: 1 }\n';

/**
 * The `application/vnd.fglab.trace+json` output text the lab core makes for `source`, exactly
 * as a cell output carries it (TensorFlow.js on its WASM backend, from node_modules).
 */
export async function labPayload(source = CLASSIC_SPEC): Promise<string> {
  const tfjsWasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
  await initLab({ tfjsWasmDir });
  const items = await runSpecCell(source, { readFile: (path) => { throw new Error(`the spec reads no files, asked for ${path}`); } });
  const item = items.find((i) => i.mime === TRACE_MIME);
  if (!item) throw new Error(`the lab made no ${TRACE_MIME} output`);
  return new TextDecoder().decode(item.data);
}

/** Specs of the shipped samples (media/samples), one per trace kind the lab makes. */
export const SAMPLE_SPECS = {
  gru: 'model: gru\nunits: 64\nresetAfter: true\ninput:\n  shape: [50, 16]\n  random: { seed: 3 }\nweights:\n  seed: 1\n',
  attention: 'model: attention\nheads: 2\nkeyDim: 8\nscore: scaled-dot\ncausal: true\ninput:\n  text: "the cat sat on the mat because the mat was warm"\n  tokens: words\n  features: 16\nweights:\n  seed: 2\n',
  forgetting: 'model: forgetting-attention\nheads: 4\nkeyDim: 8\nforgetBias: 2\nprune: { below: 0.02 }\ninput:\n  text: "remember the first word of this rather long sentence until the very end"\n  tokens: words\n  features: 16\nweights:\n  seed: 5\n',
  compare: 'model: compare\nbase:\n  model: lstm\n  units: 64\n  input:\n    shape: [100, 8]\n    random: { seed: 11 }\n  weights: { seed: 4 }\nvariants:\n  - name: no forget bias\n    unitForgetBias: false\n  - name: unit forget bias\n  - name: chrono 100\n    init: { chrono: 100 }\n  - name: GRU\n    model: gru\n',
  learningToForget: 'model: lstm\nunits: 8\ntask: { name: reber, length: 40, trainSize: 32, testSize: 1, testLength: 200, seed: 1 }\ntrain: { epochs: 3, batchSize: 16, learningRate: 0.02 }\nweights: { seed: 3 }\nexperiment: learning-to-forget\n',
  continual: 'model: lstm\nunits: 6\ntask: { name: recall, length: 6, lag: 3, symbols: 1, trainSize: 32, testSize: 16, seed: 1 }\ntrain: { epochs: 2, batchSize: 16, learningRate: 0.03 }\nweights: { seed: 3 }\nexperiment: continual\ncontinual: { then: { name: copy, symbols: 1, lag: 3, trainSize: 32, testSize: 16, seed: 2 }, evaluations: 2 }\n',
  trainedForgetting: 'model: forgetting-attention\nheads: 2\nkeyDim: 8\nforgetBias: 2\nweights: { seed: 2 }\ntask: { name: recall, length: 12, lag: 4, symbols: 4, trainSize: 64, testSize: 2, seed: 5 }\ntrain: { epochs: 2, batchSize: 32, learningRate: 0.03 }\n',
  influence: 'model: lstm\nunits: 32\ninput:\n  text: "my pin is 4921 and then many ordinary words follow until the end of this note"\n  tokens: chars\n  features: 12\nweights: { seed: 7 }\nshow: [influence]\n',
} as const;
