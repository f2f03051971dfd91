// Softmax attention of one head over one sequence, for traces (see src/lab/attention.ts for the
// maths): scores e = (q/s)·kᵀ, logits e + D (with the forgetting attention's decay
// D_ij = P_{i+1} − P_{j+1} from the prefix sums P of ln f, computed here row by row), weights
// softmax over the allowed keys (j ≤ i when causal; the others exactly 0), and the output
// Σ_j α_ij v_j. Causal rows stop at the diagonal: blocks of 4 queries multiply only the panels
// of keys up to their last query, which skips about half of both products.
//
// Memory, all regions 16-byte aligned, set up by `attnPrepare` (TP: T padded to 8, DP: d padded to 8):
//   q, k, v        [T][d]          copied in by JS (q is divided by s in place)
//   prefix         [T+4] f64       P_t = Σ_{k<t} ln f_k (float64, as JS sums them), copied in by JS when decaying
//   decay          [T][TP]         D as float32, NaN past a causal row's end (written when decaying)
//   kPacked        [TP/8][d][8]    kᵀ in panels of 8 keys
//   vPacked        [DP/8][TP][8]   v in panels of 8 columns
//   zeros          [max(TP, DP)]   the products' initial rows
//   scores         [T][TP]         e (before the decay); NaN past a causal row's end
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
let prefix: usize = 0;
let decay: usize = 0;
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
  const prefixBytes = regionBytes(<f64>2 * (t + 4));
  const start = reserve(3 * qkv + prefixBytes + 3 * square + kp + vp + z + out + regionBytes(<f64>t));
  if (start == 0) return false;
  time = t;
  dim = d;
  timePadded = tp;
  dimPadded = dp;
  q = start;
  k = q + <usize>qkv;
  v = k + <usize>qkv;
  prefix = v + <usize>qkv;
  decay = prefix + <usize>prefixBytes;
  kPacked = decay + <usize>square;
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
export function attnPrefixPtr(): usize {
  return prefix;
}
export function attnDecayPtr(): usize {
  return decay;
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

const LANES = i32x4(0, 1, 2, 3);

/**
 * Softmax of row i over its first n keys: α = exp(x) / S with x = l − max l, S = Σ exp(x),
 * l = e (+ D); zeros from n to TP, and NaN in the scores (and decay) from n to T. The row's
 * entropy −Σ α ln α = ln S − Σ α·x needs one log.
 */
function softmaxRow(i: i32, n: i32, withDecay: bool): void {
  const rowBytes = (<usize>i * timePadded) << 2;
  const e = scores + rowBytes;
  const dRow = decay + rowBytes;
  const w = weights + rowBytes;
  const n4 = (n + 3) & ~3;
  const nv = i32x4.splat(n);
  const minusInf = f32x4.splat(<f32>-Infinity);
  const pi = f64x2.splat(load<f64>(prefix + ((<usize>(i + 1)) << 3)));
  // Logits four at a time; the lanes from n to the next multiple of 4 hold −∞ (exp 0, no weight).
  let mv = minusInf;
  for (let j = 0; j < n4; j += 4) {
    const at = (<usize>j) << 2;
    let l = v128.load(e + at);
    if (withDecay) {
      // D_ij = P_{i+1} − P_{j+1} in float64, rounded to float32 as JS stores it.
      const p = prefix + ((<usize>(j + 1)) << 3);
      const lo = f32x4.demote_f64x2_zero(f64x2.sub(pi, v128.load(p)));
      const hi = f32x4.demote_f64x2_zero(f64x2.sub(pi, v128.load(p, 16)));
      const d = v128.shuffle<i32>(lo, hi, 0, 1, 4, 5);
      v128.store(dRow + at, d);
      l = f32x4.add(l, d);
    }
    l = v128.bitselect(l, minusInf, i32x4.lt_s(i32x4.add(i32x4.splat(j), LANES), nv));
    v128.store(w + at, l);
    mv = f32x4.pmax(mv, l);
  }
  const m = Mathf.max(Mathf.max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), Mathf.max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
  const mSplat = f32x4.splat(m);
  let sums = f32x4.splat(0);
  let moments = f32x4.splat(0);
  for (let j = 0; j < n4; j += 4) {
    const at = (<usize>j) << 2;
    const x = f32x4.sub(v128.load(w + at), mSplat);
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
  // Entries that do not exist (keys after a causal row's query) are NaN in scores and decay.
  for (let j = n; j < time; j++) {
    const at = (<usize>j) << 2;
    store<f32>(e + at, <f32>NaN);
    if (withDecay) store<f32>(dRow + at, <f32>NaN);
  }
}

/**
 * Runs the head: q is divided by `divisor` (√d for scaled scores, 1 for dot), the decay D
 * (from the prefix sums) added when `withDecay`; `causal` masks the keys after each query.
 */
export function attnRun(divisor: f32, causal: bool, withDecay: bool): void {
  pack();
  if (divisor != 1) {
    const end = q + ((<usize>(time * dim)) << 2);
    const whole = q + ((<usize>((time * dim) & ~3)) << 2);
    const s = f32x4.splat(divisor);
    let at = q;
    for (; at < whole; at += 16) v128.store(at, f32x4.div(v128.load(at), s));
    for (; at < end; at += 4) store<f32>(at, load<f32>(at) / divisor);
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
    for (let i = i0; i < i0 + rows; i++) softmaxRow(i, causal ? i + 1 : time, withDecay);
    // Σ_j α_ij v_j over the block's keys (α is 0 past each row's own end).
    product(weights + <usize>i0 * sRow, sRow, keys, vPacked, PANEL_ROW, panelBytes(timePadded), dimPadded / PANEL, zeros, 0, output + <usize>i0 * oRow, oRow, rows);
  }
}
