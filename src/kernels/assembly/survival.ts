// What the traces need of a keep gate (the LSTM's f, the GRU's z) besides its values, computed
// while each step's gate row is in cache instead of in passes over the whole series afterwards:
//   - the memory survival s_t = Π_{τ≤t} keep_τ per batch row and unit, the product kept in
//     float64 and written out as float32 each step;
//   - the row's totals over the steps: Σ_t keep_t in float64 (t in order) and the numbers of
//     steps with keep < 0.1 and keep > 0.9.
// The same operations as `survival` and `keepRowTotals` in src/lab/metrics.ts (float64 arithmetic
// on the float32 gates, comparisons in float64), so the same bits.
//
// State, per batch row, `KINDS` blocks of `UP` float64: product, sum, count low, count high.

import { regionBytes } from './memory';

/** Blocks of the state per batch row. */
const KINDS: i32 = 4;

const SATURATION_LOW: f64 = 0.1;
const SATURATION_HIGH: f64 = 0.9;

/** Bytes of the state of `b` rows of `up` units. */
export function survivalBytes(b: i32, up: i32): f64 {
  return regionBytes(<f64>b * up * 2 * KINDS);
}

/** Bytes from one row's state to the next (`up` units). */
// @ts-ignore: decorator
@inline export function survivalRowBytes(up: i32): usize {
  return (<usize>(up * KINDS)) << 3;
}

/** Sets the state of `b` rows of `up` units at `state` to a product of 1 and totals of 0. */
export function resetSurvival(state: usize, b: i32, up: i32): void {
  const one = f64x2.splat(1.0);
  const blockBytes = (<usize>up) << 3;
  for (let row = 0; row < b; row++) {
    const at = state + <usize>row * survivalRowBytes(up);
    for (let k: usize = 0; k < blockBytes; k += 16) v128.store(at + k, one);
    memory.fill(at + blockBytes, 0, <usize>(KINDS - 1) * blockBytes);
  }
}

/**
 * For one batch row's `bytes` bytes of float32 keep gates at `keep` (a multiple of 16), with the
 * row's state at `state` (blocks of `up` units): multiplies the products by the gates and writes
 * them, as float32, to `dst`; adds the gates to the sums and counts the saturated ones.
 */
export function survivalRow(keep: usize, state: usize, dst: usize, bytes: usize, up: i32): void {
  const block = (<usize>up) << 3;
  const one = f64x2.splat(1.0);
  const low = f64x2.splat(SATURATION_LOW);
  const high = f64x2.splat(SATURATION_HIGH);
  for (let k: usize = 0; k < bytes; k += 16) {
    const f = v128.load(keep + k);
    const f0 = f64x2.promote_low_f32x4(f);
    const f1 = f64x2.promote_low_f32x4(f32x4.shuffle(f, f, 2, 3, 2, 3));
    const at = state + (k << 1);
    const p0 = f64x2.mul(v128.load(at), f0);
    const p1 = f64x2.mul(v128.load(at, 16), f1);
    v128.store(at, p0);
    v128.store(at, p1, 16);
    v128.store(dst + k, f32x4.shuffle(f32x4.demote_f64x2_zero(p0), f32x4.demote_f64x2_zero(p1), 0, 1, 4, 5));
    const sum = at + block;
    v128.store(sum, f64x2.add(v128.load(sum), f0));
    v128.store(sum, f64x2.add(v128.load(sum, 16), f1), 16);
    const lo = sum + block;
    v128.store(lo, f64x2.add(v128.load(lo), v128.and(f64x2.lt(f0, low), one)));
    v128.store(lo, f64x2.add(v128.load(lo, 16), v128.and(f64x2.lt(f1, low), one)), 16);
    const hi = lo + block;
    v128.store(hi, f64x2.add(v128.load(hi), v128.and(f64x2.gt(f0, high), one)));
    v128.store(hi, f64x2.add(v128.load(hi, 16), v128.and(f64x2.gt(f1, high), one)), 16);
  }
}
