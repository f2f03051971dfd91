// Softmax attention of one head over one sequence, for traces (see src/lab/attention.ts for the
// maths): scores e = (q/s)·kᵀ, logits e + D (an optional bias, the forgetting attention's
// decay), weights softmax over the allowed keys (j ≤ i when causal; the others exactly 0), and
// the output Σ_j α_ij v_j. Causal rows stop at the diagonal: blocks of 4 queries multiply only
// the panels of keys up to their last query, which skips about half of both products.
//
// Memory, all regions 16-byte aligned, set up by `attnPrepare` (TP: T padded to 8, DP: d padded to 8):
//   q, k, v        [T][d]          copied in by JS (q is divided by s in place)
//   bias           [T][TP]         D, copied in by JS (rows of TP floats) when used
//   kPacked        [TP/8][d][8]    kᵀ in panels of 8 keys
//   vPacked        [DP/8][TP][8]   v in panels of 8 columns
//   zeros          [max(TP, DP)]   the products' initial rows
//   scores         [T][TP]         e (before the bias); keys past a causal row's end are not written
//   weights        [T][TP]         α, 0 for masked keys
//   output         [T][DP]
//   entropy        [T]             −Σ_j α_ij ln α_ij of each row

import { expv } from './math';
import { regionBytes, reserve } from './memory';
import { PANEL, PANEL_ROW, panelBytes, product } from './product';

let time: i32 = 0;
let dim: i32 = 0;
let timePadded: i32 = 0;
let dimPadded: i32 = 0;
let q: usize = 0;
let k: usize = 0;
let v: usize = 0;
let bias: usize = 0;
let kPacked: usize = 0;
let vPacked: usize = 0;
let zeros: usize = 0;
let scores: usize = 0;
let weights: usize = 0;
let output: usize = 0;
let entropy: usize = 0;

/** Lays out memory for `t` steps and heads of size `d`; false when the memory cannot grow. */
export function attnPrepare(t: i32, d: i32): bool {
  const tp = (t + 7) & ~7;
  const dp = (d + 7) & ~7;
  const qkv = regionBytes(<f64>t * d);
  const square = regionBytes(<f64>t * tp);
  const kp = regionBytes(<f64>tp * d);
  const vp = regionBytes(<f64>dp * tp);
  const z = regionBytes(<f64>(tp > dp ? tp : dp));
  const out = regionBytes(<f64>t * dp);
  const start = reserve(3 * qkv + 3 * square + kp + vp + z + out + regionBytes(<f64>t));
  if (start == 0) return false;
  time = t;
  dim = d;
  timePadded = tp;
  dimPadded = dp;
  q = start;
  k = q + <usize>qkv;
  v = k + <usize>qkv;
  bias = v + <usize>qkv;
  kPacked = bias + <usize>square;
  vPacked = kPacked + <usize>kp;
  zeros = vPacked + <usize>vp;
  scores = zeros + <usize>z;
  weights = scores + <usize>square;
  output = weights + <usize>square;
  entropy = output + <usize>out;
  memory.fill(zeros, 0, <usize>z);
  return true;
}

export function attnQueryPtr(): usize {
  return q;
}
export function attnKeyPtr(): usize {
  return k;
}
export function attnValuePtr(): usize {
  return v;
}
export function attnBiasPtr(): usize {
  return bias;
}
export function attnScoresPtr(): usize {
  return scores;
}
export function attnWeightsPtr(): usize {
  return weights;
}
export function attnOutputPtr(): usize {
  return output;
}
export function attnEntropyPtr(): usize {
  return entropy;
}

/** kᵀ into panels of 8 keys (zero past T), v into panels of 8 columns (zero past d). */
function pack(): void {
  let at = kPacked;
  for (let p = 0; p < timePadded / PANEL; p++) {
    for (let c = 0; c < dim; c++) {
      for (let j = 0; j < PANEL; j++) {
        const key = p * PANEL + j;
        store<f32>(at, key < time ? load<f32>(k + ((<usize>(key * dim + c)) << 2)) : 0);
        at += 4;
      }
    }
  }
  at = vPacked;
  for (let p = 0; p < dimPadded / PANEL; p++) {
    for (let r = 0; r < timePadded; r++) {
      for (let j = 0; j < PANEL; j++) {
        const c = p * PANEL + j;
        store<f32>(at, r < time && c < dim ? load<f32>(v + ((<usize>(r * dim + c)) << 2)) : 0);
        at += 4;
      }
    }
  }
}

/**
 * Softmax of row i over its first n keys: α = exp(x) / S with x = l − max l, S = Σ exp(x),
 * l = e (+ D); zeros from n to TP. The row's entropy −Σ α ln α = ln S − Σ α·x needs one log.
 */
function softmaxRow(i: i32, n: i32, withBias: bool): void {
  const rowBytes = (<usize>i * timePadded) << 2;
  const e = scores + rowBytes;
  const b = bias + rowBytes;
  const w = weights + rowBytes;
  let m: f32 = <f32>-Infinity;
  for (let j = 0; j < n; j++) {
    const at = (<usize>j) << 2;
    const l = withBias ? load<f32>(e + at) + load<f32>(b + at) : load<f32>(e + at);
    store<f32>(w + at, l);
    if (l > m) m = l;
  }
  // Four at a time; the lanes from n to the next multiple of 4 hold −∞ (exp 0, no weight).
  const n4 = (n + 3) & ~3;
  for (let j = n; j < n4; j++) store<f32>(w + ((<usize>j) << 2), <f32>-Infinity);
  const mv = f32x4.splat(m);
  let sums = f32x4.splat(0);
  let moments = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const at = (<usize>j) << 2;
    const x = f32x4.sub(v128.load(w + at), mv);
    const ex = expv(x);
    v128.store(w + at, ex);
    sums = f32x4.add(sums, ex);
    // exp(−∞) = 0 but 0·(−∞) is NaN: padding lanes add nothing.
    moments = f32x4.add(moments, v128.bitselect(f32x4.mul(ex, x), f32x4.splat(0), f32x4.gt(ex, f32x4.splat(0))));
  }
  for (let j = n4; j < timePadded; j++) store<f32>(w + ((<usize>j) << 2), 0);
  const sum = <f64>(f32x4.extract_lane(sums, 0) + f32x4.extract_lane(sums, 1) + f32x4.extract_lane(sums, 2) + f32x4.extract_lane(sums, 3));
  const moment = <f64>(f32x4.extract_lane(moments, 0) + f32x4.extract_lane(moments, 1) + f32x4.extract_lane(moments, 2) + f32x4.extract_lane(moments, 3));
  store<f32>(entropy + ((<usize>i) << 2), <f32>(Math.log(sum) - moment / sum));
  const sv = f32x4.splat(<f32>sum);
  for (let j = 0; j < n4; j += 4) {
    const at = (<usize>j) << 2;
    v128.store(w + at, f32x4.div(v128.load(w + at), sv));
  }
}

/**
 * Runs the head: q is divided by `divisor` (√d for scaled scores, 1 for dot), D added when
 * `withBias`; `causal` masks the keys after each query.
 */
export function attnRun(divisor: f32, causal: bool, withBias: bool): void {
  pack();
  if (divisor != 1) {
    const end = q + ((<usize>(time * dim)) << 2);
    for (let at = q; at < end; at += 4) store<f32>(at, load<f32>(at) / divisor);
  }
  const qRow = (<usize>dim) << 2;
  const sRow = (<usize>timePadded) << 2;
  const oRow = (<usize>dimPadded) << 2;
  const keyPanels = timePadded / PANEL;
  for (let i0 = 0; i0 < time; i0 += 4) {
    const rows = time - i0 < 4 ? time - i0 : 4;
    // Keys 0 … i0+rows−1 for a causal block: whole panels up to its last query.
    const keys = causal ? i0 + rows : time;
    const panels = causal ? (keys + PANEL - 1) / PANEL : keyPanels;
    product(q + <usize>i0 * qRow, qRow, dim, kPacked, PANEL_ROW, panelBytes(dim), panels, zeros, 0, scores + <usize>i0 * sRow, sRow, rows);
    for (let i = i0; i < i0 + rows; i++) softmaxRow(i, causal ? i + 1 : time, withBias);
    // Σ_j α_ij v_j over the block's keys (α is 0 past each row's own end).
    product(weights + <usize>i0 * sRow, sRow, keys, vPacked, PANEL_ROW, panelBytes(timePadded), dimPadded / PANEL, zeros, 0, output + <usize>i0 * oRow, oRow, rows);
  }
}
