/**
 * Real traces from the lab core for the renderer tests. Apart from the synthetic fixtures, so
 * that only the suites that need TensorFlow.js load it (one copy per process: several bundled
 * copies would share TensorFlow.js's global engine and fight over its backends).
 */
import { dirname } from 'node:path';
import { initLab, traceOutputItems, traceSpec } from '../../src/lab';
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
  const trace = await traceSpec(source, { readFile: (path) => { throw new Error(`the spec reads no files, asked for ${path}`); } });
  const item = traceOutputItems(trace).find((i) => i.mime === TRACE_MIME);
  if (!item) throw new Error(`the lab made no ${TRACE_MIME} output`);
  return new TextDecoder().decode(item.data);
}
