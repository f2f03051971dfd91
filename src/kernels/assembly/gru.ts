// The GRU recurrence over a chunk of steps, with every gate written out
// (see src/lab/kernels/gru-kernel.ts for the maths and the data layouts).
//
// Internally the units are padded to a multiple of 8 (`unitsPadded`, UP) so that every gate
// block is whole panels of 8 columns; the padded columns of R, b_h and the projected input are
// zero, so the padded units stay at h = 0 (z = r = ½, h̃ = 0) and never touch the real ones.
//
// Memory, all regions 16-byte aligned, set up by `gruPrepare`:
//   recurrentRaw     [U][3U]            R as given, copied in by JS
//   biasRaw          [3U]               b_h as given
//   recurrentPacked  [3UP/8][U][8]      R in panels of 8 columns, contiguous over k
//   biasPadded       [3UP]              b_h with units padded
//   inputRaw         [CH][B][3U]        projected inputs of the current chunk, copied in by JS
//   inputPadded      [CH][B][3UP]       the same with units padded (only when U % 8 ≠ 0)
//   rec              [B][3UP]           b_h + h·R (or, for the h block without resetAfter, b_hh + (r⊙h)·R_h)
//   hidden, scaled   [B][UP]            state h_{t−1}; r⊙h_{t−1} (resetAfter false)
//   kept             [B][4][UP] f64     Π z, Σ z, counts of z < 0.1 and > 0.9 (survival.ts)
//   output           [6][B][CH][UP]     z, r, h̃, h, rec_h and the survival Π z of the chunk;
//                                       after `gruCompactOutputs` each [CH][UP] block holds its
//                                       rows packed as [CH][U]

import { hardSigmoidv, sigmoidv, tanhv } from './math';
import { regionBytes, reserve } from './memory';
import { placeProjection, projectInputs, projectionBytes } from './projection';
import { PANEL, PANEL_ROW, packPanels, panelBytes, product, productFused } from './product';
import { hardSlope } from './rows';
import { resetSurvival, survivalBytes, survivalRow, survivalRowBytes } from './survival';

/** Number of output series: z, r, h̃, h, rec_h and the survival. */
const SERIES: i32 = 6;

let batch: i32 = 0;
let units: i32 = 0;
let unitsPadded: i32 = 0;
let chunkSteps: i32 = 0;
let recurrentRaw: usize = 0;
let biasRaw: usize = 0;
let recurrentPacked: usize = 0;
let biasPadded: usize = 0;
let inputRaw: usize = 0;
let inputPadded: usize = 0;
let rec: usize = 0;
let hidden: usize = 0;
let scaled: usize = 0;
let kept: usize = 0;
let output: usize = 0;

/**
 * Lays out memory for a run of `b` batch rows, `u` units and chunks of up to `ch` steps, with
 * room for the input projection of `f` features when f > 0 (`gruRunProjectedSteps`); returns
 * false when the memory cannot grow that far. Sizes are checked by the caller.
 */
export function gruPrepare(b: i32, u: i32, ch: i32, f: i32): bool {
  const up = (u + 7) & ~7;
  const rawR = regionBytes(<f64>u * 3 * u);
  const rawBias = regionBytes(<f64>3 * u);
  const packedR = regionBytes(<f64>u * 3 * up);
  const paddedBias = regionBytes(<f64>3 * up);
  const rawP = regionBytes(<f64>ch * b * 3 * u);
  const paddedP = up == u ? 0 : regionBytes(<f64>ch * b * 3 * up);
  const recBytes = regionBytes(<f64>b * 3 * up);
  const state = regionBytes(<f64>b * up);
  const keptBytes = survivalBytes(b, up);
  const out = regionBytes(<f64>SERIES * b * ch * up);
  const own = rawR + rawBias + packedR + paddedBias + rawP + paddedP + recBytes + 2 * state + keptBytes + out;
  const start = reserve(own + projectionBytes(b, u, up, ch, f, 3));
  if (start == 0) return false;
  if (f > 0) placeProjection(start + <usize>own, u, up, f, 3);
  batch = b;
  units = u;
  unitsPadded = up;
  chunkSteps = ch;
  recurrentRaw = start;
  biasRaw = recurrentRaw + <usize>rawR;
  recurrentPacked = biasRaw + <usize>rawBias;
  biasPadded = recurrentPacked + <usize>packedR;
  inputRaw = biasPadded + <usize>paddedBias;
  inputPadded = inputRaw + <usize>rawP;
  rec = inputPadded + <usize>paddedP;
  hidden = rec + <usize>recBytes;
  scaled = hidden + <usize>state;
  kept = scaled + <usize>state;
  output = kept + <usize>keptBytes;
  return true;
}

/** Where JS writes R `[U][3U]` before `gruPackWeights`. */
export function gruRecurrentPtr(): usize {
  return recurrentRaw;
}

/** Where JS writes b_h `[3U]` before `gruPackWeights`. */
export function gruBiasPtr(): usize {
  return biasRaw;
}

/** Where JS writes the projected inputs `[steps][B][3U]` of a chunk before `gruRunSteps`. */
export function gruInputPtr(): usize {
  return inputRaw;
}

/** Start of the compacted rows `[steps][U]` of one output series (0–5: z r h̃ h rec_h, survival) and batch row. */
export function gruOutputPtr(series: i32, b: i32): usize {
  return output + ((<usize>(series * batch + b) * chunkSteps * unitsPadded) << 2);
}

/**
 * Start of batch row `b`'s totals of the keep gate over the steps run since the reset, `units`
 * float64 of one kind: 0 the sum, 1 the count below 0.1, 2 the count above 0.9.
 */
export function gruKeepTotalsPtr(kind: i32, b: i32): usize {
  return kept + <usize>b * survivalRowBytes(unitsPadded) + ((<usize>((kind + 1) * unitsPadded)) << 3);
}

/** Packs R into panels and pads b_h, both with zeros for the padding units. */
export function gruPackWeights(): void {
  packPanels(recurrentRaw, units, 3 * units, recurrentPacked, (3 * unitsPadded) / PANEL, unitsPadded, units);
  for (let q = 0; q < 3; q++) {
    for (let uu = 0; uu < unitsPadded; uu++) {
      const v: f32 = uu < units ? load<f32>(biasRaw + ((<usize>(q * units + uu)) << 2)) : 0;
      store<f32>(biasPadded + ((<usize>(q * unitsPadded + uu)) << 2), v);
    }
  }
}

/** Sets h = 0 and the survival to 1. */
export function gruResetState(): void {
  memory.fill(hidden, 0, (<usize>(batch * unitsPadded)) << 2);
  resetSurvival(kept, batch, unitsPadded);
}

/** Copies the chunk's inputs from [steps][B][3U] into [steps][B][3UP], zeros in the padding. */
function padInput(steps: i32): void {
  const u = units;
  const up = unitsPadded;
  const rows = steps * batch * 3; // one row per (step, batch row, gate)
  let src = inputRaw;
  let dst = inputPadded;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst, src, (<usize>u) << 2);
    memory.fill(dst + ((<usize>u) << 2), 0, (<usize>(up - u)) << 2);
    src += (<usize>u) << 2;
    dst += (<usize>up) << 2;
  }
}

/**
 * outZ = act(pZ + recZ), outR = act(pR + recR) over `bytes` bytes (z and r blocks are `block`
 * bytes apart); `fused` as for `sigmoidv`.
 */
// @ts-ignore: decorator
@inline function updateAndResetGates(activation: i32, p: usize, r: usize, block: usize, outZ: usize, outR: usize, bytes: usize, fused: bool): void {
  if (activation == 0) {
    for (let k: usize = 0; k < bytes; k += 16) {
      v128.store(outZ + k, sigmoidv(f32x4.add(v128.load(p + k), v128.load(r + k)), fused));
      v128.store(outR + k, sigmoidv(f32x4.add(v128.load(p + block + k), v128.load(r + block + k)), fused));
    }
  } else {
    const slope = hardSlope(activation);
    for (let k: usize = 0; k < bytes; k += 16) {
      v128.store(outZ + k, hardSigmoidv(f32x4.add(v128.load(p + k), v128.load(r + k)), slope));
      v128.store(outR + k, hardSigmoidv(f32x4.add(v128.load(p + block + k), v128.load(r + block + k)), slope));
    }
  }
}

/**
 * Runs `steps` (≤ the chunk size) steps from the current state on the inputs at
 * `gruInputPtr`, writing every series to the output region. `activation` (0 sigmoid, 1 hard
 * sigmoid, 2 Keras 3 hard sigmoid) is that of z and r.
 */
export function gruRunSteps(steps: i32, activation: i32, resetAfter: bool): void {
  let input = inputRaw;
  if (unitsPadded != units) {
    padInput(steps);
    input = inputPadded;
  }
  runFrom(input, steps, activation, resetAfter, false);
}

/**
 * Like `gruRunSteps`, from the raw inputs `[steps][B][F]` at `rawInputPtr`: projects them
 * first (`gruPrepare` with f > 0 and `packInputWeights` before).
 */
export function gruRunProjectedSteps(steps: i32, activation: i32, resetAfter: bool): void {
  const input = unitsPadded != units ? inputPadded : inputRaw;
  projectInputs(steps * batch, input);
  runFrom(input, steps, activation, resetAfter, true);
}

/**
 * The steps. `fused` for traces: the products and activations with fused multiply–adds where
 * the build has them (see `madd`), and rec_h, which only the backward pass reads, not written.
 * Inlined into both callers, so that `fused` is a constant in each.
 */
// @ts-ignore: decorator
@inline function runFrom(input: usize, steps: i32, activation: i32, resetAfter: bool, fused: bool): void {
  const up = unitsPadded;
  const gp = 3 * up;
  const panels = gp / PANEL;
  const blockPanels = up / PANEL;
  const rowBytes = (<usize>up) << 2;
  const gateRowBytes = (<usize>gp) << 2;
  const stepBytes = (<usize>batch) * gateRowBytes;
  const seriesBytes = (<usize>(batch * chunkSteps * up)) << 2;
  const pb = panelBytes(units);
  for (let tt = 0; tt < steps; tt++) {
    const p = input + <usize>tt * stepBytes;
    // rec = b_h + h·R over all three blocks, or over z and r only.
    if (fused) productFused(hidden, rowBytes, units, recurrentPacked, PANEL_ROW, pb, resetAfter ? panels : 2 * blockPanels, biasPadded, 0, rec, gateRowBytes, batch);
    else product(hidden, rowBytes, units, recurrentPacked, PANEL_ROW, pb, resetAfter ? panels : 2 * blockPanels, biasPadded, 0, rec, gateRowBytes, batch);
    for (let b = 0; b < batch; b++) {
      const out = output + ((<usize>((b * chunkSteps + tt) * up)) << 2);
      updateAndResetGates(activation, p + <usize>b * gateRowBytes, rec + <usize>b * gateRowBytes, rowBytes, out, out + seriesBytes, rowBytes, fused);
    }
    if (!resetAfter) {
      // rec_h = b_hh + (r⊙h)·R_h: the second product, after r.
      for (let b = 0; b < batch; b++) {
        const h = hidden + <usize>b * rowBytes;
        const s = scaled + <usize>b * rowBytes;
        const r = output + ((<usize>((b * chunkSteps + tt) * up)) << 2) + seriesBytes;
        for (let k: usize = 0; k < rowBytes; k += 16) v128.store(s + k, f32x4.mul(v128.load(r + k), v128.load(h + k)));
      }
      const hBlock = <usize>(2 * blockPanels);
      if (fused) productFused(scaled, rowBytes, units, recurrentPacked + hBlock * pb, PANEL_ROW, pb, blockPanels, biasPadded + 2 * rowBytes, 0, rec + 2 * rowBytes, gateRowBytes, batch);
      else product(scaled, rowBytes, units, recurrentPacked + hBlock * pb, PANEL_ROW, pb, blockPanels, biasPadded + 2 * rowBytes, 0, rec + 2 * rowBytes, gateRowBytes, batch);
    }
    for (let b = 0; b < batch; b++) {
      const out = output + ((<usize>((b * chunkSteps + tt) * up)) << 2);
      const pH = p + <usize>b * gateRowBytes + 2 * rowBytes;
      const recH = rec + <usize>b * gateRowBytes + 2 * rowBytes;
      const outR = out + seriesBytes;
      const outCandidate = out + 2 * seriesBytes;
      const outRecH = out + 4 * seriesBytes;
      // h̃ = tanh(p_h + r⊙rec_h) or tanh(p_h + rec_h); rec_h kept for the backward pass (not by traces).
      if (resetAfter) {
        for (let k: usize = 0; k < rowBytes; k += 16) {
          const rh = v128.load(recH + k);
          if (!fused) v128.store(outRecH + k, rh);
          v128.store(outCandidate + k, tanhv(f32x4.add(v128.load(pH + k), f32x4.mul(v128.load(outR + k), rh)), fused));
        }
      } else {
        for (let k: usize = 0; k < rowBytes; k += 16) {
          const rh = v128.load(recH + k);
          if (!fused) v128.store(outRecH + k, rh);
          v128.store(outCandidate + k, tanhv(f32x4.add(v128.load(pH + k), rh), fused));
        }
      }
      survivalRow(out, kept + <usize>b * survivalRowBytes(up), out + 5 * seriesBytes, rowBytes, up);
      // h = z⊙h_{t−1} + (1 − z)⊙h̃
      const h = hidden + <usize>b * rowBytes;
      const outH = out + 3 * seriesBytes;
      for (let k: usize = 0; k < rowBytes; k += 16) {
        const z = v128.load(out + k);
        const ht = f32x4.add(f32x4.mul(z, v128.load(h + k)), f32x4.mul(f32x4.sub(f32x4.splat(1.0), z), v128.load(outCandidate + k)));
        v128.store(h + k, ht);
        v128.store(outH + k, ht);
      }
    }
  }
}

/** Packs each output block's first `steps` rows from [steps][UP] to [steps][U], in place. */
export function gruCompactOutputs(steps: i32): void {
  if (unitsPadded == units) return;
  const rowBytes = (<usize>units) << 2;
  const paddedRowBytes = (<usize>unitsPadded) << 2;
  for (let s = 0; s < SERIES; s++) {
    for (let b = 0; b < batch; b++) {
      const block = gruOutputPtr(s, b);
      // Rows move down, never past a row not yet moved, so a forward pass is safe.
      for (let tt = 1; tt < steps; tt++) memory.copy(block + <usize>tt * rowBytes, block + <usize>tt * paddedRowBytes, rowBytes);
    }
  }
}
