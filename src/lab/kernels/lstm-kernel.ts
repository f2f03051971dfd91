/**
 * The recurrent part of an LSTM over a whole sequence, with every gate captured: the one
 * implementation that traces use. The input projection `x_t·K + b` for all steps is computed
 * beforehand in one TensorFlow.js matMul; this kernel runs the steps
 *
 *   z_t = p_t + h_{t−1}·R                      (p_t: the projected input of step t)
 *   i = σ(z_i), f = σ(z_f), g = tanh(z_c), o = σ(z_o)     (Keras gate order i, f, c, o)
 *   c_t = f⊙c_{t−1} + i⊙g,  h_t = o⊙tanh(c_t)
 *
 * from a zero state (Keras and `tf.layers.lstm` semantics), and back through time for the
 * gradients (`backward`). Two implementations share this interface: a plain TypeScript
 * reference (below) and a WebAssembly SIMD kernel.
 */
import { activationDerivative, activationFunction, type RecurrentActivation } from './activations';
import { checkInto, checkRawInputs, projectRawInputs, type RawInputs } from './raw-inputs';
import { keepRowTotals, survival } from '../metrics';

export type { RecurrentActivation } from './activations';

export interface LstmKernelInput {
  batch: number;
  time: number;
  units: number;
  /** `x_t·K + b` for every step, laid out `[time][batch][4·units]`, gate order i, f, c, o. */
  projected: Float32Array;
  /** Recurrent kernel `[units][4·units]`, row-major, gate order i, f, c, o. */
  recurrentKernel: Float32Array;
  /** Activation of i, f, o: `sigmoid` (Keras), `hardSigmoid` (tfjs's default) or `kerasHardSigmoid`. */
  recurrentActivation: RecurrentActivation;
  /**
   * Whether the cell has a forget gate; default true. False is the original LSTM of
   * Hochreiter & Schmidhuber (1997) before Gers et al. (2000): f ≡ 1, so c_t = c_{t−1} + i⊙g.
   * The f columns of `projected` and R are then ignored (their gradients are 0: every gate
   * activation's derivative, taken from its output, is 0 at 1).
   */
  forgetGate?: boolean;
  /** Called between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
}

/** The input of `trace`: raw inputs and input weights instead of `projected` (see raw-inputs.ts). */
export type LstmTraceInput = Omit<LstmKernelInput, 'projected'> & {
  /** `x` `[batch][time][features]`, K `[features][4·units]`, b `[4·units]`. */
  inputs: RawInputs;
};

/** Every series `[batch][time][units]`, row-major. `candidate` is `g = tanh(c̃)`. */
export interface LstmKernelOutput {
  inputGate: Float32Array;
  forgetGate: Float32Array;
  candidate: Float32Array;
  outputGate: Float32Array;
  cell: Float32Array;
  hidden: Float32Array;
}

/** What `trace` gives: the outputs and the memory survival Π_{τ≤t} f_τ, `[batch][time][units]` (see `survival` in metrics.ts). */
export interface LstmTraceOutput extends LstmKernelOutput {
  survival: Float32Array;
  /** The forget gate's totals per batch row, `[batch][KEEP_TOTALS][units]` (`keepRowTotals` in metrics.ts). */
  keepTotals: Float64Array;
}

/** Upstream gradients of a loss L, `[batch][time][units]` like the outputs. */
export interface LstmUpstream {
  /** `∂L/∂h_t` for every step (only its direct part: what flows back through h_{t+1} is added by the kernel). */
  hidden: Float32Array;
  /** `∂L/∂c_t` the same way; absent means zero. */
  cell?: Float32Array;
}

/** Gradients of L with respect to the kernel's inputs. */
export interface LstmGradients {
  /** `∂L/∂p`, laid out like `projected`: `[time][batch][4·units]` (it is also ∂L/∂z, the pre-activations). */
  projected: Float32Array;
  /** `∂L/∂R` `[units][4·units]` = Σ_t h_{t−1}ᵀ·∂L/∂z_t. */
  recurrentKernel: Float32Array;
}

/** Options of the backward passes. */
export interface BackwardOptions {
  /**
   * Whether the weight gradients (∂L/∂R, and ∂L/∂b_h for the GRU) are computed; default true.
   * When false they are returned as zeros and the pass costs about half as much: for callers
   * that differentiate only with respect to the inputs (influence).
   */
  weights?: boolean;
}

export interface LstmKernel {
  /** Short name for reports, for example `js` or `wasm-simd`. */
  readonly name: string;
  run(input: LstmKernelInput): LstmKernelOutput;
  /**
   * The forward pass from raw inputs, projecting them itself, with the survival of the forget
   * gate; each batch row's results are the same whatever the other rows. Writes into `into`
   * (each array holding at least batch·time·units values, written from its start) when given,
   * else into new arrays.
   */
  trace(input: LstmTraceInput, into?: LstmTraceOutput): LstmTraceOutput;
  /**
   * Back-propagation through time: the gradients of L given `forward = run(input)` and the
   * upstream gradients. `input.shouldStop` is asked between chunks as in `run`.
   */
  backward(input: LstmKernelInput, forward: LstmKernelOutput, upstream: LstmUpstream, options?: BackwardOptions): LstmGradients;
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
  checkLstmSizes(input);
  const { batch, time, units } = input;
  const p = time * batch * 4 * units;
  if (input.projected.length !== p) throw new Error(`lstm kernel: projected must have ${p} values ([${time}, ${batch}, ${4 * units}]), got ${input.projected.length}`);
}

/** Checks batch, time, units and the recurrent kernel. */
function checkLstmSizes(input: Omit<LstmKernelInput, 'projected'>): void {
  const { batch, time, units } = input;
  for (const [k, v] of [['batch', batch], ['time', time], ['units', units]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`lstm kernel: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const r = units * 4 * units;
  if (input.recurrentKernel.length !== r) throw new Error(`lstm kernel: recurrentKernel must have ${r} values ([${units}, ${4 * units}]), got ${input.recurrentKernel.length}`);
}

/** The names of the output series, in the order the WebAssembly kernel stores them. */
export const LSTM_OUTPUT_SERIES = ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden'] as const;

/** The names of `trace`'s series: the outputs, then the survival (also the WebAssembly kernel's order). */
export const LSTM_TRACE_SERIES = [...LSTM_OUTPUT_SERIES, 'survival'] as const;

/** Checks a `trace` input and its `into` arrays; throws naming what was expected and what was got. */
export function checkLstmTrace(input: LstmTraceInput, into?: LstmTraceOutput): void {
  checkLstmSizes(input);
  checkRawInputs('lstm kernel', input.inputs, input.batch, input.time, 4 * input.units);
  if (into) checkInto('lstm kernel', into, LSTM_TRACE_SERIES, input.batch, input.time, input.units);
}

/** Copies `out` into the start of `into`'s arrays (when given) and returns what the caller gets. */
export function deliver<T extends object>(out: T, into: T | undefined): T {
  if (!into) return out;
  for (const key of Object.keys(out) as (keyof T)[]) (into[key] as Float32Array | Float64Array).set(out[key] as Float32Array | Float64Array);
  return into;
}

/** Checks the forward outputs and upstream gradients given to `backward` against the input's sizes. */
export function checkLstmBackward(input: LstmKernelInput, forward: LstmKernelOutput, upstream: LstmUpstream): void {
  checkKernelInput(input);
  const n = input.batch * input.time * input.units;
  const shape = `[${input.batch}, ${input.time}, ${input.units}]`;
  for (const key of ['inputGate', 'forgetGate', 'candidate', 'outputGate', 'cell', 'hidden'] as const) {
    if (forward[key].length !== n) throw new Error(`lstm backward: forward.${key} must have ${n} values (${shape}), got ${forward[key].length}`);
  }
  if (upstream.hidden.length !== n) throw new Error(`lstm backward: upstream.hidden must have ${n} values (${shape}), got ${upstream.hidden.length}`);
  if (upstream.cell && upstream.cell.length !== n) throw new Error(`lstm backward: upstream.cell must have ${n} values (${shape}), got ${upstream.cell.length}`);
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

/** Reference kernel in plain TypeScript: clear rather than fast. */
export const jsLstmKernel: LstmKernel = {
  name: 'js',
  run(input) {
    checkKernelInput(input);
    const { batch: B, time: T, units: U, projected, recurrentKernel: R } = input;
    const act = activationFunction(input.recurrentActivation);
    const withForget = input.forgetGate ?? true;
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
          const fg = withForget ? act(z[U + u]) : 1;
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

  trace(input, into) {
    checkLstmTrace(input, into);
    const { batch, time, units } = input;
    const projected = projectRawInputs(input.inputs, batch, time, 4 * units);
    const out = this.run({ ...input, projected });
    return deliver({ ...out, survival: survival(out.forgetGate, batch, time, units), keepTotals: keepRowTotals(out.forgetGate, batch, time, units) }, into);
  },

  backward(input, forward, upstream, options) {
    checkLstmBackward(input, forward, upstream);
    return jsLstmBackward(input, forward, upstream, options?.weights ?? true);
  },
};

/**
 * Back-propagation through time in float64 (the reference for the WebAssembly kernel's):
 * going back from the last step, with the carried gradients `dh` (through h_t·R) and `dc`
 * (through f_{t+1}⊙c_t),
 *
 *   dh_t = ∂L/∂h_t + dh,   dc_t = ∂L/∂c_t + dc + dh_t⊙o⊙(1 − tanh²c_t)
 *   dz_i = dc_t⊙g⊙σ'(i),  dz_f = dc_t⊙c_{t−1}⊙σ'(f),  dz_c = dc_t⊙i⊙(1 − g²),  dz_o = dh_t⊙tanh c_t⊙σ'(o)
 *   dh ← dz·Rᵀ,  dc ← dc_t⊙f,  ∂L/∂R += h_{t−1}ᵀ·dz
 *
 * where σ' is the gate activation's derivative taken from its output.
 */
function jsLstmBackward(input: LstmKernelInput, forward: LstmKernelOutput, upstream: LstmUpstream, weights: boolean): LstmGradients {
  const { batch: B, time: T, units: U, recurrentKernel: R } = input;
  const d = activationDerivative(input.recurrentActivation);
  const G = 4 * U;
  const { inputGate: ig, forgetGate: fg, candidate: gg, outputGate: og, cell, hidden } = forward;
  const upH = upstream.hidden;
  const upC = upstream.cell;
  const dProjected = new Float32Array(T * B * G);
  const dR = new Float64Array(U * G);
  const dh = new Float64Array(B * U);
  const dc = new Float64Array(B * U);
  const dz = new Float64Array(G);
  for (let t = T - 1; t >= 0; t--) {
    if ((T - 1 - t) % STEPS_PER_CHECK === 0 && input.shouldStop?.()) throw new CancelledError();
    for (let b = 0; b < B; b++) {
      const o0 = (b * T + t) * U;
      for (let u = 0; u < U; u++) {
        const k = o0 + u;
        const dhu = upH[k] + dh[b * U + u];
        const tc = Math.tanh(cell[k]);
        const dcu = (upC ? upC[k] : 0) + dc[b * U + u] + dhu * og[k] * (1 - tc * tc);
        const cPrev = t > 0 ? cell[k - U] : 0;
        dz[u] = dcu * gg[k] * d(ig[k]);
        dz[U + u] = dcu * cPrev * d(fg[k]);
        dz[2 * U + u] = dcu * ig[k] * (1 - gg[k] * gg[k]);
        dz[3 * U + u] = dhu * tc * d(og[k]);
        dc[b * U + u] = dcu * fg[k];
      }
      dProjected.set(dz, (t * B + b) * G);
      for (let k = 0; k < U; k++) {
        let s = 0;
        for (let j = 0; j < G; j++) s += dz[j] * R[k * G + j];
        dh[b * U + k] = s;
      }
      if (weights && t > 0) {
        for (let k = 0; k < U; k++) {
          const hk = hidden[o0 - U + k];
          if (hk === 0) continue;
          for (let j = 0; j < G; j++) dR[k * G + j] += hk * dz[j];
        }
      }
    }
  }
  return { projected: dProjected, recurrentKernel: Float32Array.from(dR) };
}
