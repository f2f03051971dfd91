/**
 * The recurrent part of an LSTM over a whole sequence, with every gate captured: the one
 * implementation that traces use. The input projection `x_t·K + b` for all steps is computed
 * beforehand in one TensorFlow.js matMul; this kernel runs the steps
 *
 *   z_t = p_t + h_{t−1}·R                      (p_t: the projected input of step t)
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)     (Keras gate order i, f, c, o)
 *   c_t = f⊙c_{t−1} + i⊙g,  h_t = o⊙tanh(c_t)
 *
 * from a zero state (Keras and `tf.layers.lstm` semantics). Two implementations share this
 * interface: a plain TypeScript reference (below) and a WebAssembly SIMD kernel.
 */

/** Recurrent activation of the gates i, f, o. */
export type RecurrentActivation = 'sigmoid' | 'hardSigmoid';

export interface LstmKernelInput {
  batch: number;
  time: number;
  units: number;
  /** `x_t·K + b` for every step, laid out `[time][batch][4·units]`, gate order i, f, c, o. */
  projected: Float32Array;
  /** Recurrent kernel `[units][4·units]`, row-major, gate order i, f, c, o. */
  recurrentKernel: Float32Array;
  /** `sigmoid` (Keras) or `hardSigmoid` = clip(0.2x + 0.5, 0, 1) (tfjs's default). */
  recurrentActivation: RecurrentActivation;
  /** Called between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
}

/** Every series `[batch][time][units]`, row-major. `candidate` is `g = tanh(c̃)`. */
export interface LstmKernelOutput {
  inputGate: Float32Array;
  forgetGate: Float32Array;
  candidate: Float32Array;
  outputGate: Float32Array;
  cell: Float32Array;
  hidden: Float32Array;
}

export interface LstmKernel {
  /** Short name for reports, for example `js` or `wasm-simd`. */
  readonly name: string;
  run(input: LstmKernelInput): LstmKernelOutput;
}

/** Thrown when `shouldStop` asked a run to stop. */
export class CancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('The run was interrupted');
  }
}

/** Steps between two `shouldStop` checks. */
export const STEPS_PER_CHECK = 32;

/** Checks the sizes of a kernel input; throws naming what was expected and what was got. */
export function checkKernelInput(input: LstmKernelInput): void {
  const { batch, time, units } = input;
  for (const [k, v] of [['batch', batch], ['time', time], ['units', units]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`lstm kernel: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const p = time * batch * 4 * units;
  if (input.projected.length !== p) throw new Error(`lstm kernel: projected must have ${p} values ([${time}, ${batch}, ${4 * units}]), got ${input.projected.length}`);
  const r = units * 4 * units;
  if (input.recurrentKernel.length !== r) throw new Error(`lstm kernel: recurrentKernel must have ${r} values ([${units}, ${4 * units}]), got ${input.recurrentKernel.length}`);
}

/** Allocates the six output series. */
export function allocateOutput(batch: number, time: number, units: number): LstmKernelOutput {
  const n = batch * time * units;
  return {
    inputGate: new Float32Array(n),
    forgetGate: new Float32Array(n),
    candidate: new Float32Array(n),
    outputGate: new Float32Array(n),
    cell: new Float32Array(n),
    hidden: new Float32Array(n),
  };
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function hardSigmoid(x: number): number {
  return Math.min(1, Math.max(0, 0.2 * x + 0.5));
}

/** Reference kernel in plain TypeScript: clear rather than fast. */
export const jsLstmKernel: LstmKernel = {
  name: 'js',
  run(input) {
    checkKernelInput(input);
    const { batch: B, time: T, units: U, projected, recurrentKernel: R } = input;
    const act = input.recurrentActivation === 'hardSigmoid' ? hardSigmoid : sigmoid;
    const G = 4 * U;
    const out = allocateOutput(B, T, U);
    const h = new Float32Array(B * U);
    const c = new Float32Array(B * U);
    const z = new Float32Array(G);
    for (let t = 0; t < T; t++) {
      if (t % STEPS_PER_CHECK === 0 && input.shouldStop?.()) throw new CancelledError();
      for (let b = 0; b < B; b++) {
        z.set(projected.subarray((t * B + b) * G, (t * B + b + 1) * G));
        for (let k = 0; k < U; k++) {
          const hk = h[b * U + k];
          if (hk === 0) continue;
          const row = k * G;
          for (let j = 0; j < G; j++) z[j] += hk * R[row + j];
        }
        const o0 = (b * T + t) * U;
        for (let u = 0; u < U; u++) {
          const ig = act(z[u]);
          const fg = act(z[U + u]);
          const g = Math.tanh(z[2 * U + u]);
          const og = act(z[3 * U + u]);
          const cu = fg * c[b * U + u] + ig * g;
          c[b * U + u] = cu;
          const hu = og * Math.tanh(cu);
          h[b * U + u] = hu;
          out.inputGate[o0 + u] = ig;
          out.forgetGate[o0 + u] = fg;
          out.candidate[o0 + u] = g;
          out.outputGate[o0 + u] = og;
          out.cell[o0 + u] = c[b * U + u];
          out.hidden[o0 + u] = h[b * U + u];
        }
      }
    }
    return out;
  },
};
