// Softmax attention of one head over one sequence, for traces (see src/lab/attention.ts for the
// maths): the projections q = x·W_Q, k = x·W_K, v = x·W_V (and the forgetting attention's gates
// f = σ(x·w_f + b_f)) of the head's columns, scores e = (q/s)·kᵀ, logits e + D (with the forgetting attention's decay
// D_ij = P_{i+1} − P_{j+1} from the prefix sums P of ln f, computed here row by row), weights
// softmax over the allowed keys (j ≤ i when causal; the others exactly 0), and the output
// Σ_j α_ij v_j. Causal rows stop at the diagonal: blocks of 4 queries multiply only the panels
// of keys up to their last query, which skips about half of both products. The products are
// `productFused` (fused multiply–adds in the relaxed-SIMD build): this kernel serves traces only.
//
// The [T][T] series are made a chunk of rows at a time (`attnRows`), which JS copies out before
// the next: a chunk stays in cache between the kernel writing it and JS reading it, where whole
// [T][T] regions went through memory twice more (the kernel's writes, then the copy's reads).
//
// Memory, all regions 16-byte aligned, set up by `attnPrepare` (TP: T padded to 8, DP: d padded
// to 8, C: `attnChunkRows()`, a multiple of 4):
//   x              [T][F]          the sequence, copied in by JS
//   raw weights    [F][H·d] ×3, [F][H], [H]   W_Q, W_K, W_V, w_f, b_f of every head, copied in by JS
//   wPacked        [DP/8][F][8] ×3, [F][8]    the head's columns in panels (w_f in column 0 of one)
//   q, k, v        [T][DP]         x·W (q is divided by s in place by `attnStart`), 0 past d
//   gates          [T][8], [T+4]   x·w_f, then f
//   prefix         [T+4] f64       P_t = Σ_{k<t} ln f_k (float64, as JS sums them), copied in by JS when decaying
//   decay          [C][TP]         D as float32, NaN past a causal row's end (written when decaying)
//   kPacked        [TP/8][d][8]    kᵀ in panels of 8 keys
//   vPacked        [DP/8][TP][8]   v in panels of 8 columns
//   zeros          [max(TP, DP)]   the products' initial rows
//   scores         [C][TP]         e (before the decay); NaN past a causal row's end
//   weights        [C][TP]         α, 0 for masked keys
//   output         [T][DP]
//   entropy        [T]             −Σ_j α_ij ln α_ij of each row

import { EXP_MIN_INPUT, expInRange, expMinInput, sigmoidv } from './math';
import { regionBytes, reserve } from './memory';
import { PANEL, PANEL_ROW, panelBytes, productFused } from './product';

let time: i32 = 0;
let dim: i32 = 0;
let features: i32 = 0;
let heads: i32 = 0;
let x: usize = 0;
let rawWeights: usize = 0;
let rawBytes: usize = 0;
let wPacked: usize = 0;
let gates: usize = 0;
let forget: usize = 0;
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
let chunkRows: i32 = 0;
let divisor: f32 = 1;
let causal: bool = false;
let withDecay: bool = false;

/** Bytes of one chunk of a [C][TP] series: about 64 KiB, so that the three fit in L2 with the panels. */
const CHUNK_BYTES: i32 = 65536;

/**
 * Lays out memory for `t` steps of `f` features and `h` heads of size `d`; false when the
 * memory cannot grow.
 */
export function attnPrepare(t: i32, d: i32, f: i32, h: i32): bool {
  const tp = (t + 7) & ~7;
  const dp = (d + 7) & ~7;
  const xb = regionBytes(<f64>t * f);
  const raw = regionBytes(<f64>f * h * d);
  const rawForget = regionBytes(<f64>f * h) + regionBytes(<f64>h);
  const packed = regionBytes(<f64>dp * f);
  const gateBytes = regionBytes(<f64>t * PANEL) + regionBytes(<f64>(t + 4));
  const qkv = regionBytes(<f64>t * dp);
  const rows = min(max((CHUNK_BYTES / (tp * 4)) & ~3, 4), (t + 3) & ~3);
  const square = regionBytes(<f64>rows * tp);
  const kp = regionBytes(<f64>tp * d);
  const vp = regionBytes(<f64>dp * tp);
  const z = regionBytes(<f64>max(max(tp, dp), PANEL));
  const out = regionBytes(<f64>t * dp);
  const prefixBytes = regionBytes(<f64>2 * (t + 4));
  const inputs = xb + 3 * raw + rawForget + 3 * packed + regionBytes(<f64>f * PANEL) + gateBytes;
  const start = reserve(inputs + 3 * qkv + prefixBytes + 3 * square + kp + vp + z + out + regionBytes(<f64>t));
  if (start == 0) return false;
  time = t;
  dim = d;
  features = f;
  heads = h;
  timePadded = tp;
  dimPadded = dp;
  chunkRows = rows;
  x = start;
  rawWeights = x + <usize>xb;
  rawBytes = <usize>raw;
  wPacked = rawWeights + 3 * rawBytes + <usize>rawForget;
  gates = wPacked + 3 * <usize>packed + <usize>regionBytes(<f64>f * PANEL);
  forget = gates + <usize>regionBytes(<f64>t * PANEL);
  q = gates + <usize>gateBytes;
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

/** Rows per chunk of the [T][T] series (`attnRows`). */
export function attnChunkRows(): i32 {
  return chunkRows;
}

export function attnInputPtr(): usize {
  return x;
}
/** Where W_Q, W_K, W_V `[F][H·d]` (which 0, 1, 2), w_f `[F][H]` (3) and b_f `[H]` (4) go. */
export function attnWeightsInPtr(which: i32): usize {
  if (which < 3) return rawWeights + <usize>which * rawBytes;
  const forgetKernel = rawWeights + 3 * rawBytes;
  return which == 3 ? forgetKernel : forgetKernel + <usize>regionBytes(<f64>features * heads);
}
/** The forget gates f `[T]` after `attnProject`. */
export function attnGatePtr(): usize {
  return forget;
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

/**
 * Head `h`'s `d` columns of a raw `[F][cols]` matrix from column `h·d`, into panels
 * `[DP/8][F][8]` at `dst`, zero past d.
 */
function packColumns(src: usize, cols: i32, h: i32, dst: usize): void {
  let at = dst;
  for (let p = 0; p < dimPadded; p += PANEL) {
    for (let r = 0; r < features; r++) {
      const row = src + ((<usize>(r * cols + h * dim)) << 2);
      for (let j = p; j < p + PANEL; j++) {
        store<f32>(at, j < dim ? load<f32>(row + ((<usize>j) << 2)) : 0);
        at += 4;
      }
    }
  }
}

/**
 * Head `h`'s projections of x: q, k, v `[T][DP]`, and with `withForget` its forget gates
 * f = σ(x·w_f + b_f) `[T]` (at `attnGatePtr`).
 */
export function attnProject(h: i32, withForget: bool): void {
  const packed = panelBytes(features) * <usize>(dimPadded / PANEL);
  const xRow = (<usize>features) << 2;
  const row = (<usize>dimPadded) << 2;
  for (let which = 0; which < 3; which++) {
    const w = wPacked + <usize>which * packed;
    packColumns(rawWeights + <usize>which * rawBytes, heads * dim, h, w);
    const dst = which == 0 ? q : which == 1 ? k : v;
    productFused(x, xRow, features, w, PANEL_ROW, panelBytes(features), dimPadded / PANEL, zeros, 0, dst, row, time);
  }
  if (!withForget) return;
  // w_f as the first column of one panel; x·w_f lands in column 0 of gates [T][8].
  const w = wPacked + 3 * packed;
  memory.fill(w, 0, panelBytes(features));
  const forgetKernel = rawWeights + 3 * rawBytes;
  for (let r = 0; r < features; r++) store<f32>(w + <usize>r * PANEL_ROW, load<f32>(forgetKernel + ((<usize>(r * heads + h)) << 2)));
  productFused(x, xRow, features, w, PANEL_ROW, panelBytes(features), 1, zeros, 0, gates, PANEL_ROW, time);
  const bias = f32x4.splat(load<f32>(forgetKernel + <usize>regionBytes(<f64>features * heads) + ((<usize>h) << 2)));
  for (let t = 0; t < time; t++) store<f32>(forget + ((<usize>t) << 2), load<f32>(gates + <usize>t * PANEL_ROW));
  for (let t = 0; t < time; t += 4) {
    const at = forget + ((<usize>t) << 2);
    v128.store(at, sigmoidv(f32x4.add(v128.load(at), bias), false));
  }
}

/** kᵀ into panels of 8 keys (zero past T), v into panels of 8 columns (zero past d). */
function pack(): void {
  const row = (<usize>dimPadded) << 2;
  if (time != timePadded) {
    memory.fill(kPacked, 0, (<usize>(timePadded * dim)) << 2);
    memory.fill(vPacked, 0, (<usize>(dimPadded * timePadded)) << 2);
  }
  // Panel key / 8, column key % 8 of each row c: one key's components 32 bytes apart.
  for (let key = 0; key < time; key++) {
    const from = k + <usize>key * row;
    let at = kPacked + ((<usize>((key >> 3) * dim * PANEL + (key & 7))) << 2);
    for (let c: usize = 0; c < (<usize>dim) << 2; c += 4) {
      store<f32>(at, load<f32>(from + c));
      at += PANEL_ROW;
    }
  }
  // v's rows are whole panels (zero past d): two vectors per row and panel.
  const panelStride = panelBytes(timePadded);
  for (let r = 0; r < time; r++) {
    let from = v + <usize>r * row;
    let at = vPacked + <usize>r * PANEL_ROW;
    for (let c = 0; c < dimPadded; c += PANEL) {
      v128.store(at, v128.load(from));
      v128.store(at, v128.load(from, 16), 16);
      from += PANEL_ROW;
      at += panelStride;
    }
  }
}

const LANES = i32x4(0, 1, 2, 3);

/** The largest of four lanes (pmax: a NaN lane is passed over unless it comes first). */
// @ts-ignore: decorator
@inline function maxLane(m: v128): f32 {
  return Mathf.max(Mathf.max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), Mathf.max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
}

/** The sum of four lanes, in float64. */
// @ts-ignore: decorator
@inline function sumLanes(s: v128): f64 {
  return <f64>(f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
}

/** D_ij = P_{i+1} − P_{j+1} for four keys from j, in float64, rounded to float32 as JS stores it. */
// @ts-ignore: decorator
@inline function decayAt(pi: v128, j: i32): v128 {
  const p = prefix + ((<usize>(j + 1)) << 3);
  const lo = f32x4.demote_f64x2_zero(f64x2.sub(pi, v128.load(p)));
  const hi = f32x4.demote_f64x2_zero(f64x2.sub(pi, v128.load(p, 16)));
  return v128.shuffle<i32>(lo, hi, 0, 1, 4, 5);
}

/**
 * The first key of row i (a multiple of 4) whose weight can be nonzero under the decay: for
 * j before it, e_ij + D_ij − max_j l_ij < ln(FLT_MIN) − 1 even with e_ij at the row's largest
 * score `eMax`, so exp gives exactly 0 there (D_ij grows with j: the prefix sums P of ln f ≤ 0
 * never increase). The margin of 1, widened by the magnitudes, covers float32 rounding. This
 * is exact pruning: Lin et al. (2025), "Adaptive Computation Pruning for the Forgetting
 * Transformer", skip such blocks below a small threshold; here only exact zeros are skipped.
 */
function firstWeighted(i: i32, n: i32, eMax: f32, m: f32): i32 {
  const pi = load<f64>(prefix + ((<usize>(i + 1)) << 3));
  const margin = 1.0 + (Math.abs(<f64>eMax) + Math.abs(<f64>m) + Math.abs(pi)) * 1e-5;
  // Key j is skipped when P_{j+1} > threshold; a NaN anywhere skips nothing.
  const threshold = pi + <f64>eMax - <f64>m - <f64>EXP_MIN_INPUT + margin;
  if (isNaN(threshold)) return 0;
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<f64>(prefix + ((<usize>(mid + 1)) << 3)) > threshold) lo = mid + 1;
    else hi = mid;
  }
  return lo & ~3;
}

/**
 * Softmax of row i over its first n keys: α = exp(x) / S with x = l − max l, S = Σ exp(x),
 * l = e (+ D); zeros from n to TP, and NaN in the scores (and decay) from n to TP. The row's
 * entropy −Σ α ln α = ln S − Σ α·x needs one log. Returns the first key (a multiple of 4)
 * whose weight may be nonzero: 0 without decay (see `firstWeighted`). Row i is at `slot` of the chunk.
 */
function softmaxRow(i: i32, slot: i32, n: i32): i32 {
  const rowBytes = (<usize>slot * timePadded) << 2;
  const e = scores + rowBytes;
  const dRow = decay + rowBytes;
  const w = weights + rowBytes;
  const n4 = (n + 3) & ~3;
  const last = n4 - 4;
  const minusInf = f32x4.splat(<f32>-Infinity);
  const nan = f32x4.splat(<f32>NaN);
  // Logits four at a time; the lanes from n to the next multiple of 4 hold −∞ (exp 0, no
  // weight), NaN in the scores and decay.
  let mv = minusInf;
  let ev = minusInf;
  const kept = i32x4.lt_s(i32x4.add(i32x4.splat(last), LANES), i32x4.splat(n));
  if (withDecay) {
    const pi = f64x2.splat(load<f64>(prefix + ((<usize>(i + 1)) << 3)));
    for (let j = 0; j < last; j += 4) {
      const at = (<usize>j) << 2;
      const s = v128.load(e + at);
      const d = decayAt(pi, j);
      v128.store(dRow + at, d);
      const l = f32x4.add(s, d);
      v128.store(w + at, l);
      ev = f32x4.pmax(ev, s);
      mv = f32x4.pmax(mv, l);
    }
    const at = (<usize>last) << 2;
    const s = v128.load(e + at);
    const d = decayAt(pi, last);
    v128.store(dRow + at, v128.bitselect(d, nan, kept));
    v128.store(e + at, v128.bitselect(s, nan, kept));
    const l = v128.bitselect(f32x4.add(s, d), minusInf, kept);
    v128.store(w + at, l);
    ev = f32x4.pmax(ev, v128.bitselect(s, minusInf, kept));
    mv = f32x4.pmax(mv, l);
    for (let j = n4; j < timePadded; j += 4) v128.store(dRow + ((<usize>j) << 2), nan);
  } else {
    for (let j = 0; j < last; j += 4) {
      const at = (<usize>j) << 2;
      const l = v128.load(e + at);
      v128.store(w + at, l);
      mv = f32x4.pmax(mv, l);
    }
    const at = (<usize>last) << 2;
    const s = v128.load(e + at);
    v128.store(e + at, v128.bitselect(s, nan, kept));
    const l = v128.bitselect(s, minusInf, kept);
    v128.store(w + at, l);
    mv = f32x4.pmax(mv, l);
  }
  for (let j = n4; j < timePadded; j += 4) {
    const at = (<usize>j) << 2;
    v128.store(e + at, nan);
    v128.store(w + at, f32x4.splat(0));
  }
  const m = maxLane(mv);
  const from = withDecay ? firstWeighted(i, n, maxLane(ev), m) : 0;
  for (let j = 0; j < from; j += 4) v128.store(w + ((<usize>j) << 2), f32x4.splat(0));
  const mSplat = f32x4.splat(m);
  const low = expMinInput();
  let sums = f32x4.splat(0);
  let moments = f32x4.splat(0);
  for (let j = from; j < n4; j += 4) {
    const at = (<usize>j) << 2;
    const x = f32x4.sub(v128.load(w + at), mSplat);
    // x below ln(FLT_MIN) (the −∞ lanes too) gives exactly 0, and 0·xc adds nothing.
    const xc = f32x4.pmax(x, low);
    const ex = v128.andnot(expInRange(xc, false), f32x4.lt(x, low));
    v128.store(w + at, ex);
    sums = f32x4.add(sums, ex);
    moments = f32x4.add(moments, f32x4.mul(ex, xc));
  }
  const sum = sumLanes(sums);
  store<f32>(entropy + ((<usize>i) << 2), <f32>(Math.log(sum) - sumLanes(moments) / sum));
  const sv = f32x4.splat(<f32>sum);
  for (let j = from; j < n4; j += 4) {
    const at = (<usize>j) << 2;
    v128.store(w + at, f32x4.div(v128.load(w + at), sv));
  }
  return from;
}

/**
 * Starts a head after `attnProject`: packs k and v, divides q by `by` (√d for scaled scores, 1 for dot); the decay
 * D (from the prefix sums) is added when `decaying`; `isCausal` masks the keys after each query.
 */
export function attnStart(by: f32, isCausal: bool, decaying: bool): void {
  divisor = by;
  causal = isCausal;
  withDecay = decaying;
  pack();
  // The last vector of a row reads P up to index T+3; JS writes P_0 … P_T.
  if (withDecay) memory.fill(prefix + ((<usize>(time + 1)) << 3), 0, 24);
  if (divisor != 1) {
    const s = f32x4.splat(divisor);
    const end = q + ((<usize>(time * dimPadded)) << 2);
    for (let at = q; at < end; at += 16) v128.store(at, f32x4.div(v128.load(at), s));
  }
}

/**
 * Rows `first` … `first + count − 1` of the head (first a multiple of 4, count at most
 * `attnChunkRows()`): their scores, weights (and decay) from the start of those regions, their
 * output and entropy in place.
 */
export function attnRows(first: i32, count: i32): void {
  const qRow = (<usize>dimPadded) << 2;
  const sRow = (<usize>timePadded) << 2;
  const oRow = (<usize>dimPadded) << 2;
  const keyPanels = timePadded / PANEL;
  const end = first + count;
  for (let i0 = first; i0 < end; i0 += 4) {
    const rows = end - i0 < 4 ? end - i0 : 4;
    const slot = i0 - first;
    // Keys 0 … i0+rows−1 for a causal block: whole panels up to its last query.
    const keys = causal ? i0 + rows : time;
    const panels = causal ? (keys + PANEL - 1) / PANEL : keyPanels;
    productFused(q + <usize>i0 * qRow, qRow, dim, kPacked, PANEL_ROW, panelBytes(dim), panels, zeros, 0, scores + <usize>slot * sRow, sRow, rows);
    // The block's keys from the first any of its rows weights (the decay zeroes the early ones).
    let from = keys;
    for (let r = 0; r < rows; r++) {
      const firstKey = softmaxRow(i0 + r, slot + r, causal ? i0 + r + 1 : time);
      if (firstKey < from) from = firstKey;
    }
    // Σ_j α_ij v_j over those keys (α is 0 past each row's own end and before its first).
    productFused(weights + <usize>slot * sRow + ((<usize>from) << 2), sRow, keys - from, vPacked + <usize>from * PANEL_ROW, PANEL_ROW, panelBytes(timePadded), dimPadded / PANEL, zeros, 0, output + <usize>i0 * oRow, oRow, rows);
  }
}
