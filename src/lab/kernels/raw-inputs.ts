/**
 * Raw inputs for the kernels' `trace`: the forward pass that projects the inputs itself,
 * `p_t = x_t·K + b`, a chunk of steps at a time, instead of taking every step's `projected`
 * from a TensorFlow.js matMul. Traces use it (no `[time][batch][gates·units]` array is built,
 * and each batch row's numbers do not depend on the other rows, so a batch can be split over
 * threads with the same result); influence and training keep `run` on tfjs projections, which
 * they differentiate.
 */

import { KEEP_TOTALS } from '../metrics';

/** The inputs and the input weights of a recurrent layer. */
export interface RawInputs {
  /** `x`, `[batch][time][features]`, row-major (as a spec's input holds it). */
  data: Float32Array;
  features: number;
  /** Input kernel `K` `[features][gates·units]`, row-major, in the model's gate order. */
  kernel: Float32Array;
  /** Input bias `b` `[gates·units]`. */
  bias: Float32Array;
}

/** Checks raw inputs against the run's sizes; `what` names the kernel in messages (`lstm kernel`). */
export function checkRawInputs(what: string, inputs: RawInputs, batch: number, time: number, columns: number): void {
  const F = inputs.features;
  if (!Number.isInteger(F) || F < 1) throw new Error(`${what}: inputs.features must be an integer ≥ 1, got ${F}`);
  const want: [string, number, string][] = [
    ['data', batch * time * F, `[${batch}, ${time}, ${F}]`],
    ['kernel', F * columns, `[${F}, ${columns}]`],
    ['bias', columns, `[${columns}]`],
  ];
  for (const [key, n, shape] of want) {
    const got = inputs[key as 'data' | 'kernel' | 'bias'].length;
    if (got !== n) throw new Error(`${what}: inputs.${key} must have ${n} values ${shape}, got ${got}`);
  }
}

/**
 * Checks a trace's `into`: every series `keys` can hold batch·time·units values and
 * `keepTotals` batch·KEEP_TOTALS·units.
 */
export function checkInto(what: string, into: object, keys: readonly string[], batch: number, time: number, units: number): void {
  const arrays = into as Record<string, ArrayLike<number> | undefined>;
  const sizes: [string, number][] = [...keys.map((key): [string, number] => [key, batch * time * units]), ['keepTotals', batch * KEEP_TOTALS * units]];
  for (const [key, n] of sizes) {
    const a = arrays[key];
    if (!a || a.length < n) throw new Error(`${what}: into.${key} must hold ${n} values, got ${a ? a.length : 'none'}`);
  }
}

/** `x_t·K + b` for every step, `[time][batch][columns]`, in plain TypeScript (the reference kernels' `trace`). */
export function projectRawInputs(inputs: RawInputs, batch: number, time: number, columns: number): Float32Array {
  const { data, features: F, kernel: K, bias } = inputs;
  const out = new Float32Array(time * batch * columns);
  for (let t = 0; t < time; t++) {
    for (let b = 0; b < batch; b++) {
      const row = out.subarray((t * batch + b) * columns, (t * batch + b + 1) * columns);
      row.set(bias);
      const x = (b * time + t) * F;
      for (let f = 0; f < F; f++) {
        const xf = data[x + f];
        if (xf === 0) continue;
        for (let j = 0; j < columns; j++) row[j] += xf * K[f * columns + j];
      }
    }
  }
  return out;
}

/**
 * Copies steps `t0 … t0+steps−1` of `data` (`[batch][time][features]`) into `heap` at `at`,
 * time-major `[steps][batch][features]`, as the kernels' projection reads them.
 */
export function copyInputChunk(heap: Float32Array, at: number, data: Float32Array, batch: number, time: number, features: number, t0: number, steps: number): void {
  if (batch === 1) {
    heap.set(data.subarray(t0 * features, (t0 + steps) * features), at);
    return;
  }
  for (let tt = 0; tt < steps; tt++) {
    for (let b = 0; b < batch; b++) {
      const from = (b * time + t0 + tt) * features;
      heap.set(data.subarray(from, from + features), at + (tt * batch + b) * features);
    }
  }
}
