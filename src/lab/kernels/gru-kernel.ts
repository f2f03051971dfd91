/**
 * The recurrent part of a GRU over a whole sequence, with every gate captured: the one
 * implementation that traces, influence and training use. As for the LSTM, the input
 * projection `p_t = x_t·K + b_x` for all steps is computed beforehand in one TensorFlow.js
 * matMul; this kernel runs the steps from a zero state, Keras gate order z, r, h:
 *
 *   resetAfter = true (Keras 3, PyTorch; Cho et al. 2014 as cuDNN runs it):
 *     rec = h_{t−1}·R + b_h
 *     z = σ(p_z + rec_z),  r = σ(p_r + rec_r),  h̃ = tanh(p_h + r⊙rec_h)
 *   resetAfter = false (TensorFlow.js, Keras 2; Cho et al. 2014 as written):
 *     z = σ(p_z + h_{t−1}·R_z + b_hz),  r = σ(p_r + h_{t−1}·R_r + b_hr)
 *     h̃ = tanh(p_h + (r⊙h_{t−1})·R_h + b_hh)
 *   h_t = z⊙h_{t−1} + (1 − z)⊙h̃
 *
 * Porting Note: Keras has no recurrent bias when `reset_after` is false; here `b_h` is then
 * simply added like the input bias (zeros give Keras's and tfjs's GRU), so both variants
 * take the same inputs.
 *
 * Two implementations share this interface: a plain TypeScript reference (below) and a
 * WebAssembly SIMD kernel (wasm-gru.ts).
 */
import { activationDerivative, activationFunction, type RecurrentActivation } from './activations';
import { keepRowTotals, survival } from '../metrics';
import { CancelledError, deliver, STEPS_PER_CHECK, type BackwardOptions } from './lstm-kernel';
import { checkInto, checkRawInputs, projectRawInputs, type RawInputs } from './raw-inputs';

export interface GruKernelInput {
  batch: number;
  time: number;
  units: number;
  /** `x_t·K + b_x` for every step, laid out `[time][batch][3·units]`, gate order z, r, h. */
  projected: Float32Array;
  /** Recurrent kernel `[units][3·units]`, row-major, gate order z, r, h. */
  recurrentKernel: Float32Array;
  /** Recurrent bias `b_h` `[3·units]`; absent means zeros (Keras's layout when resetAfter is false). */
  recurrentBias?: Float32Array;
  /** Whether the reset gate is applied after the recurrent product (see above). */
  resetAfter: boolean;
  /** Activation of z and r: `sigmoid` (Keras), `hardSigmoid` (tfjs's default) or `kerasHardSigmoid`. */
  recurrentActivation: RecurrentActivation;
  /** Called between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
}

/** The input of `trace`: raw inputs and input weights instead of `projected` (see raw-inputs.ts). */
export type GruTraceInput = Omit<GruKernelInput, 'projected'> & {
  /** `x` `[batch][time][features]`, K `[features][3·units]`, b_x `[3·units]`. */
  inputs: RawInputs;
};

/** Every series `[batch][time][units]`, row-major. */
export interface GruKernelOutput {
  updateGate: Float32Array;
  resetGate: Float32Array;
  /** `h̃_t`. */
  candidate: Float32Array;
  hidden: Float32Array;
  /**
   * The recurrent term inside the candidate's tanh: `h_{t−1}·R_h + b_hh` when resetAfter (the
   * term the reset gate scales), `(r⊙h_{t−1})·R_h + b_hh` otherwise. Kept for the backward pass.
   */
  recurrentCandidate: Float32Array;
}

/**
 * What `trace` gives: the outputs but `recurrentCandidate` (kept by `run` for the backward pass
 * only) and the memory survival Π_{τ≤t} z_τ of the update gate, `[batch][time][units]`.
 */
export interface GruTraceOutput extends Omit<GruKernelOutput, 'recurrentCandidate'> {
  survival: Float32Array;
  /** The update gate's totals per batch row, `[batch][KEEP_TOTALS][units]` (`keepRowTotals` in metrics.ts). */
  keepTotals: Float64Array;
}

/** Gradients of a loss L with respect to the kernel's inputs. */
export interface GruGradients {
  /** `∂L/∂p`, laid out like `projected`: `[time][batch][3·units]`. */
  projected: Float32Array;
  /** `∂L/∂R` `[units][3·units]`. */
  recurrentKernel: Float32Array;
  /** `∂L/∂b_h` `[3·units]`. */
  recurrentBias: Float32Array;
}

export interface GruKernel {
  /** Short name for reports, for example `js` or `wasm-simd`. */
  readonly name: string;
  run(input: GruKernelInput): GruKernelOutput;
  /**
   * The forward pass from raw inputs, projecting them itself, with the survival of the update
   * gate; each batch row's results are the same whatever the other rows. Writes into `into`
   * (each array holding at least batch·time·units values, written from its start) when given,
   * else into new arrays.
   */
  trace(input: GruTraceInput, into?: GruTraceOutput): GruTraceOutput;
  /**
   * Back-propagation through time: the gradients of L given `forward = run(input)` and
   * `dHidden` = ∂L/∂h_t `[batch][time][units]` (its direct part; what flows back through
   * h_{t+1} is added by the kernel). `input.shouldStop` is asked between chunks as in `run`.
   */
  backward(input: GruKernelInput, forward: GruKernelOutput, dHidden: Float32Array, options?: BackwardOptions): GruGradients;
}

/** The names of the output series, in the order the WebAssembly kernel stores them. */
export const GRU_OUTPUT_SERIES = ['updateGate', 'resetGate', 'candidate', 'hidden', 'recurrentCandidate'] as const;

/** The names of `trace`'s series: the outputs but `recurrentCandidate`, then the survival. */
export const GRU_TRACE_SERIES = ['updateGate', 'resetGate', 'candidate', 'hidden', 'survival'] as const;

/** Checks the sizes of a kernel input; throws naming what was expected and what was got. */
export function checkGruInput(input: GruKernelInput): void {
  checkGruSizes(input);
  const { batch, time, units } = input;
  const p = time * batch * 3 * units;
  if (input.projected.length !== p) throw new Error(`gru kernel: projected must have ${p} values ([${time}, ${batch}, ${3 * units}]), got ${input.projected.length}`);
}

/** Checks a `trace` input and its `into` arrays. */
export function checkGruTrace(input: GruTraceInput, into?: GruTraceOutput): void {
  checkGruSizes(input);
  checkRawInputs('gru kernel', input.inputs, input.batch, input.time, 3 * input.units);
  if (into) checkInto('gru kernel', into, GRU_TRACE_SERIES, input.batch, input.time, input.units);
}

/** Checks batch, time, units, the recurrent kernel and bias. */
function checkGruSizes(input: Omit<GruKernelInput, 'projected'>): void {
  const { batch, time, units } = input;
  for (const [k, v] of [['batch', batch], ['time', time], ['units', units]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`gru kernel: ${k} must be an integer ≥ 1, got ${v}`);
  }
  const r = units * 3 * units;
  if (input.recurrentKernel.length !== r) throw new Error(`gru kernel: recurrentKernel must have ${r} values ([${units}, ${3 * units}]), got ${input.recurrentKernel.length}`);
  if (input.recurrentBias && input.recurrentBias.length !== 3 * units) {
    throw new Error(`gru kernel: recurrentBias must have ${3 * units} values ([${3 * units}]), got ${input.recurrentBias.length}`);
  }
}

/** Checks the forward outputs and upstream gradient given to `backward` against the input's sizes. */
export function checkGruBackward(input: GruKernelInput, forward: GruKernelOutput, dHidden: Float32Array): void {
  checkGruInput(input);
  const n = input.batch * input.time * input.units;
  const shape = `[${input.batch}, ${input.time}, ${input.units}]`;
  for (const key of GRU_OUTPUT_SERIES) {
    if (forward[key].length !== n) throw new Error(`gru backward: forward.${key} must have ${n} values (${shape}), got ${forward[key].length}`);
  }
  if (dHidden.length !== n) throw new Error(`gru backward: dHidden must have ${n} values (${shape}), got ${dHidden.length}`);
}

/** Allocates the five output series. */
export function allocateGruOutput(batch: number, time: number, units: number): GruKernelOutput {
  const n = batch * time * units;
  return {
    updateGate: new Float32Array(n),
    resetGate: new Float32Array(n),
    candidate: new Float32Array(n),
    hidden: new Float32Array(n),
    recurrentCandidate: new Float32Array(n),
  };
}

/** Reference kernel in plain TypeScript: clear rather than fast. */
export const jsGruKernel: GruKernel = {
  name: 'js',
  run(input) {
    checkGruInput(input);
    const { batch: B, time: T, units: U, projected, recurrentKernel: R, resetAfter } = input;
    const act = activationFunction(input.recurrentActivation);
    const G = 3 * U;
    const bias = input.recurrentBias ?? new Float32Array(G);
    const out = allocateGruOutput(B, T, U);
    const h = new Float32Array(B * U);
    const rec = new Float32Array(G);
    const z = new Float32Array(U);
    const r = new Float32Array(U);
    const rh = new Float32Array(U);
    for (let t = 0; t < T; t++) {
      if (t % STEPS_PER_CHECK === 0 && input.shouldStop?.()) throw new CancelledError();
      for (let b = 0; b < B; b++) {
        const p = projected.subarray((t * B + b) * G, (t * B + b + 1) * G);
        const hPrev = h.subarray(b * U, (b + 1) * U);
        // rec = h·R + b_h over all 3U columns (resetAfter) or over z and r only.
        const cols = resetAfter ? G : 2 * U;
        for (let j = 0; j < cols; j++) rec[j] = bias[j];
        for (let k = 0; k < U; k++) {
          const hk = hPrev[k];
          if (hk === 0) continue;
          for (let j = 0; j < cols; j++) rec[j] += hk * R[k * G + j];
        }
        for (let u = 0; u < U; u++) {
          z[u] = act(p[u] + rec[u]);
          r[u] = act(p[U + u] + rec[U + u]);
        }
        if (!resetAfter) {
          // rec_h = (r⊙h)·R_h + b_hh: a second product, after r.
          for (let u = 0; u < U; u++) rec[2 * U + u] = bias[2 * U + u];
          for (let k = 0; k < U; k++) {
            const sk = r[k] * hPrev[k];
            rh[k] = sk;
            if (sk === 0) continue;
            for (let u = 0; u < U; u++) rec[2 * U + u] += sk * R[k * G + 2 * U + u];
          }
        }
        const o0 = (b * T + t) * U;
        for (let u = 0; u < U; u++) {
          const recH = rec[2 * U + u];
          const hh = Math.tanh(resetAfter ? p[2 * U + u] + r[u] * recH : p[2 * U + u] + recH);
          const hu = z[u] * hPrev[u] + (1 - z[u]) * hh;
          out.updateGate[o0 + u] = z[u];
          out.resetGate[o0 + u] = r[u];
          out.candidate[o0 + u] = hh;
          out.recurrentCandidate[o0 + u] = recH;
          out.hidden[o0 + u] = hu;
        }
        // h is updated only after every unit has read h_{t−1}.
        hPrev.set(out.hidden.subarray(o0, o0 + U));
      }
    }
    return out;
  },

  trace(input, into) {
    checkGruTrace(input, into);
    const { batch, time, units } = input;
    const projected = projectRawInputs(input.inputs, batch, time, 3 * units);
    const { recurrentCandidate: _, ...out } = this.run({ ...input, projected });
    return deliver({ ...out, survival: survival(out.updateGate, batch, time, units), keepTotals: keepRowTotals(out.updateGate, batch, time, units) }, into);
  },

  backward(input, forward, dHidden, options) {
    checkGruBackward(input, forward, dHidden);
    return jsGruBackward(input, forward, dHidden, options?.weights ?? true);
  },
};

/**
 * Back-propagation through time in float64 (the reference for the WebAssembly kernel's).
 * Going back from the last step with the carried gradient `dh` (what reaches h_t from step
 * t+1), `dh_t = ∂L/∂h_t + dh`, `a` the pre-activations and σ' from the gates' outputs:
 *
 *   da_z = dh_t⊙(h_{t−1} − h̃)⊙σ'(z),  da_h = dh_t⊙(1 − z)⊙(1 − h̃²)
 *   resetAfter:  da_r = da_h⊙rec_h⊙σ'(r),  drec = [da_z, da_r, da_h⊙r]
 *                dh ← dh_t⊙z + drec·Rᵀ,  ∂L/∂R += h_{t−1}ᵀ·drec,  ∂L/∂b_h += drec
 *   otherwise:   ds = da_h·R_hᵀ (s = r⊙h_{t−1}),  da_r = ds⊙h_{t−1}⊙σ'(r)
 *                dh ← dh_t⊙z + ds⊙r + [da_z, da_r]·R_zrᵀ
 *                ∂L/∂R_zr += h_{t−1}ᵀ·[da_z, da_r],  ∂L/∂R_h += sᵀ·da_h,  ∂L/∂b_h += [da_z, da_r, da_h]
 *   ∂L/∂p = [da_z, da_r, da_h]
 */
function jsGruBackward(input: GruKernelInput, forward: GruKernelOutput, dHidden: Float32Array, weights: boolean): GruGradients {
  const { batch: B, time: T, units: U, recurrentKernel: R, resetAfter } = input;
  const d = activationDerivative(input.recurrentActivation);
  const G = 3 * U;
  const { updateGate: zs, resetGate: rs, candidate: hhs, hidden: hs, recurrentCandidate: recHs } = forward;
  const dProjected = new Float32Array(T * B * G);
  const dR = new Float64Array(U * G);
  const dBias = new Float64Array(G);
  const dh = new Float64Array(B * U);
  const drec = new Float64Array(G); // gradient of the pre-activations' recurrent terms
  const dhPrev = new Float64Array(U);
  const ds = new Float64Array(U);
  for (let t = T - 1; t >= 0; t--) {
    if ((T - 1 - t) % STEPS_PER_CHECK === 0 && input.shouldStop?.()) throw new CancelledError();
    for (let b = 0; b < B; b++) {
      const o0 = (b * T + t) * U;
      const hPrevAt = (u: number) => (t > 0 ? hs[o0 - U + u] : 0);
      for (let u = 0; u < U; u++) {
        const k = o0 + u;
        const dhu = dHidden[k] + dh[b * U + u];
        const z = zs[k];
        const hh = hhs[k];
        drec[u] = dhu * (hPrevAt(u) - hh) * d(z);
        const dah = dhu * (1 - z) * (1 - hh * hh);
        drec[2 * U + u] = dah; // da_h for now
        dhPrev[u] = dhu * z;
        if (resetAfter) drec[U + u] = dah * recHs[k] * d(rs[k]);
      }
      if (!resetAfter) {
        for (let k = 0; k < U; k++) {
          let s = 0;
          for (let u = 0; u < U; u++) s += drec[2 * U + u] * R[k * G + 2 * U + u];
          ds[k] = s;
          drec[U + k] = s * hPrevAt(k) * d(rs[o0 + k]);
          dhPrev[k] += s * rs[o0 + k];
        }
      }
      const pRow = (t * B + b) * G;
      for (let j = 0; j < G; j++) dProjected[pRow + j] = drec[j];
      if (resetAfter) for (let u = 0; u < U; u++) drec[2 * U + u] *= rs[o0 + u];
      if (weights) for (let j = 0; j < G; j++) dBias[j] += drec[j];
      // Gradient into h_{t−1} through the products with R (z and r columns, and h columns when resetAfter).
      const cols = resetAfter ? G : 2 * U;
      for (let k = 0; k < U; k++) {
        let s = 0;
        for (let j = 0; j < cols; j++) s += drec[j] * R[k * G + j];
        dh[b * U + k] = dhPrev[k] + s;
      }
      if (weights && t > 0) {
        for (let k = 0; k < U; k++) {
          const hk = hPrevAt(k);
          if (hk === 0) continue;
          for (let j = 0; j < cols; j++) dR[k * G + j] += hk * drec[j];
          if (!resetAfter) {
            const sk = rs[o0 + k] * hk;
            for (let u = 0; u < U; u++) dR[k * G + 2 * U + u] += sk * drec[2 * U + u];
          }
        }
      }
    }
  }
  return { projected: dProjected, recurrentKernel: Float32Array.from(dR), recurrentBias: Float32Array.from(dBias) };
}
