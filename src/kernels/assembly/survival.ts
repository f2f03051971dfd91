// The memory survival of a keep gate (the LSTM's f, the GRU's z): s_t = Π_{τ≤t} keep_τ per batch
// row and unit, the product kept in float64 and written out as float32 each step. The same
// operations as `survival` in src/lab/metrics.ts (a float64 product of the float32 gates,
// rounded to float32 on the store), so the same bits; computed here while the gate row is in
// cache instead of in a second pass over the whole series.

import { regionBytes } from './memory';

/** Bytes of the running products of `b` rows of `up` units (float64). */
export function survivalBytes(b: i32, up: i32): f64 {
  return regionBytes(<f64>b * up * 2);
}

/** Sets `values` float64 running products at `state` to 1 (a multiple of 2). */
export function resetSurvival(state: usize, values: i32): void {
  const one = f64x2.splat(1.0);
  const end = state + ((<usize>values) << 3);
  for (let at = state; at < end; at += 16) v128.store(at, one);
}

/**
 * For `bytes` bytes of float32 keep gates at `keep` (a multiple of 16): multiplies the float64
 * running products at `state` by them and writes the products, as float32, to `dst`.
 */
export function survivalRow(keep: usize, state: usize, dst: usize, bytes: usize): void {
  for (let k: usize = 0; k < bytes; k += 16) {
    const f = v128.load(keep + k);
    const at = state + (k << 1);
    const lo = f64x2.mul(v128.load(at), f64x2.promote_low_f32x4(f));
    const hi = f64x2.mul(v128.load(at, 16), f64x2.promote_low_f32x4(f32x4.shuffle(f, f, 2, 3, 2, 3)));
    v128.store(at, lo);
    v128.store(at, hi, 16);
    v128.store(dst + k, f32x4.shuffle(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5));
  }
}
