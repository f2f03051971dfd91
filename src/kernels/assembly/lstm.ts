// The LSTM recurrence over a chunk of steps, with every gate written out
// (see src/lab/kernels/lstm-kernel.ts for the maths and the data layouts).
//
// Internally the units are padded to a multiple of 4 (`unitsPadded`, UP) so that every gate
// row is whole f32x4 vectors; the padded columns of R and of the projected input are zero, so
// the padded units stay at c = h = 0 and never touch the real ones.
//
// Memory, all regions 16-byte aligned, set up by `prepare`:
//   recurrentRaw     [U][4U]            R as given, copied in by JS
//   recurrentPacked  [4UP/8][U][8]      R in panels of 8 columns, contiguous over k
//   inputRaw         [CH][B][4U]        projected inputs of the current chunk, copied in by JS
//   inputPadded      [CH][B][4UP]       the same with units padded (only when U % 4 ≠ 0)
//   gates            [B][4UP]           z = p + h·R of the current step
//   hidden, cell     [B][UP]            state h_{t−1}, c_{t−1}
//   kept             [B][4][UP] f64     Π f, Σ f, counts of f < 0.1 and > 0.9 (survival.ts)
//   output           [7][B][CH][UP]     i, f, g, o, c, h and the survival Π f of the chunk;
//                                       after `compactOutputs` each [CH][UP] block holds its
//                                       rows packed as [CH][U]

import { expv, HARD_SIGMOID_SLOPE, hardSigmoidv, KERAS_HARD_SIGMOID_SLOPE, sigmoidv, tanhv } from './math';
import { regionBytes, reserve } from './memory';
import { placeProjection, projectInputs, projectionBytes } from './projection';
import { PANEL, PANEL_ROW, packPanels, panelBytes, product, productFused } from './product';
import { gateRow, tanhRow } from './rows';
import { resetSurvival, survivalBytes, survivalRow, survivalRowBytes } from './survival';

/** Number of output series: i, f, g, o, c, h and the survival. */
const SERIES: i32 = 7;

let batch: i32 = 0;
let units: i32 = 0;
let unitsPadded: i32 = 0;
let chunkSteps: i32 = 0;
let recurrentRaw: usize = 0;
let recurrentPacked: usize = 0;
let inputRaw: usize = 0;
let inputPadded: usize = 0;
let gates: usize = 0;
let hidden: usize = 0;
let cell: usize = 0;
let kept: usize = 0;
let output: usize = 0;

/**
 * Lays out memory for a run of `b` batch rows, `u` units and chunks of up to `ch` steps, with
 * room for the input projection of `f` features when f > 0 (`runProjectedSteps`); returns
 * false when the memory cannot grow that far. Sizes are checked by the caller.
 * (No arrays here: nothing is allocated on the heap, which this module owns whole.)
 */
export function prepare(b: i32, u: i32, ch: i32, f: i32): bool {
  const up = (u + 3) & ~3;
  const rawR = regionBytes(<f64>u * 4 * u);
  const packedR = regionBytes(<f64>u * 4 * up);
  const rawP = regionBytes(<f64>ch * b * 4 * u);
  const paddedP = up == u ? 0 : regionBytes(<f64>ch * b * 4 * up);
  const z = regionBytes(<f64>b * 4 * up);
  const state = regionBytes(<f64>b * up);
  const keptBytes = survivalBytes(b, up);
  const out = regionBytes(<f64>SERIES * b * ch * up);
  const own = rawR + packedR + rawP + paddedP + z + 2 * state + keptBytes + out;
  const start = reserve(own + projectionBytes(b, u, up, ch, f, 4));
  if (start == 0) return false;
  if (f > 0) placeProjection(start + <usize>own, u, up, f, 4);
  batch = b;
  units = u;
  unitsPadded = up;
  chunkSteps = ch;
  recurrentRaw = start;
  recurrentPacked = recurrentRaw + <usize>rawR;
  inputRaw = recurrentPacked + <usize>packedR;
  inputPadded = inputRaw + <usize>rawP;
  gates = inputPadded + <usize>paddedP;
  hidden = gates + <usize>z;
  cell = hidden + <usize>state;
  kept = cell + <usize>state;
  output = kept + <usize>keptBytes;
  return true;
}

/** Where JS writes R `[U][4U]` before `packRecurrent`. */
export function recurrentPtr(): usize {
  return recurrentRaw;
}

/** Where JS writes the projected inputs `[steps][B][4U]` of a chunk before `runSteps`. */
export function inputPtr(): usize {
  return inputRaw;
}

/** Start of the compacted rows `[steps][U]` of one output series (0–6: i f g o c h, survival) and batch row. */
export function outputPtr(series: i32, b: i32): usize {
  return output + ((<usize>(series * batch + b) * chunkSteps * unitsPadded) << 2);
}

/**
 * Start of batch row `b`'s totals of the keep gate over the steps run since the reset, `units`
 * float64 of one kind: 0 the sum, 1 the count below 0.1, 2 the count above 0.9.
 */
export function keepTotalsPtr(kind: i32, b: i32): usize {
  return kept + <usize>b * survivalRowBytes(unitsPadded) + ((<usize>((kind + 1) * unitsPadded)) << 3);
}

/** Packs R into panels of PANEL columns, contiguous over k, padding the units with zeros. */
export function packRecurrent(): void {
  packPanels(recurrentRaw, units, 4 * units, recurrentPacked, (4 * unitsPadded) / PANEL, unitsPadded, units);
}

/** Sets the state to h = c = 0 and the survival to 1. */
export function resetState(): void {
  const bytes = (<usize>(batch * unitsPadded)) << 2;
  memory.fill(hidden, 0, bytes);
  memory.fill(cell, 0, bytes);
  resetSurvival(kept, batch, unitsPadded);
}

/** Copies the chunk's inputs from [steps][B][4U] into [steps][B][4UP], zeros in the padding. */
function padInput(steps: i32): void {
  const u = units;
  const up = unitsPadded;
  const rows = steps * batch * 4; // one row per (step, batch row, gate)
  let src = inputRaw;
  let dst = inputPadded;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst, src, (<usize>u) << 2);
    for (let k = u; k < up; k++) store<f32>(dst + ((<usize>k) << 2), 0);
    src += (<usize>u) << 2;
    dst += (<usize>up) << 2;
  }
}

/**
 * gates = p + hidden·R for every batch row; `p` is one step's inputs [B][4UP]. R is packed
 * [4UP/8][U][8]: 4UP/8 = UP/2 panels of U rows. `fused` (a constant at each use): the traces'
 * product, `productFused` (fused multiply–adds where the build has them, natively where the
 * accelerator is on), else `product` (training, gradients).
 */
// @ts-ignore: decorator
@inline function recurrentProduct(p: usize, fused: bool): void {
  const up = unitsPadded;
  const hRow = (<usize>up) << 2;
  const gateRowBytes = (<usize>(4 * up)) << 2;
  if (fused) productFused(hidden, hRow, units, recurrentPacked, PANEL_ROW, panelBytes(units), up / 2, p, gateRowBytes, gates, gateRowBytes, batch);
  else product(hidden, hRow, units, recurrentPacked, PANEL_ROW, panelBytes(units), up / 2, p, gateRowBytes, gates, gateRowBytes, batch);
}

/**
 * Gate activations and the state update for step `tt` of the chunk, every batch row.
 * Two passes, each a short loop over the units: first the four activations from `gates`
 * straight into the output rows, then c and h from those rows. One fused loop would be a
 * single long dependency chain (exp → divide → c → tanh(c) → h) per vector, too long for
 * the CPU to overlap consecutive iterations; short loops let it. `fused`: the activations
 * with fused multiply–adds where the build has them (traces; see `madd`).
 */
// @ts-ignore: decorator
@inline function updateState(tt: i32, activation: i32, forgetGate: bool, fused: bool): void {
  const up = unitsPadded;
  const rowBytes = (<usize>up) << 2;
  const seriesBytes = (<usize>(batch * chunkSteps * up)) << 2;
  for (let b = 0; b < batch; b++) {
    const z = gates + ((<usize>(b * 4 * up)) << 2);
    const out = output + ((<usize>((b * chunkSteps + tt) * up)) << 2);
    gateRow(activation, z, out, rowBytes, fused);
    if (forgetGate) gateRow(activation, z + rowBytes, out + seriesBytes, rowBytes, fused);
    else fillOnes(out + seriesBytes, rowBytes);
    gateRow(activation, z + 3 * rowBytes, out + 3 * seriesBytes, rowBytes, fused);
    tanhRow(z + 2 * rowBytes, out + 2 * seriesBytes, rowBytes, fused);
    survivalRow(out + seriesBytes, kept + <usize>b * survivalRowBytes(up), out + 6 * seriesBytes, rowBytes, up);
    const c = cell + ((<usize>(b * up)) << 2);
    const h = hidden + ((<usize>(b * up)) << 2);
    for (let k: usize = 0; k < rowBytes; k += 16) {
      const ig = v128.load(out + k);
      const fg = v128.load(out + seriesBytes + k);
      const g = v128.load(out + 2 * seriesBytes + k);
      const og = v128.load(out + 3 * seriesBytes + k);
      const ct = f32x4.add(f32x4.mul(fg, v128.load(c + k)), f32x4.mul(ig, g));
      const ht = f32x4.mul(og, tanhv(ct, fused));
      v128.store(c + k, ct);
      v128.store(h + k, ht);
      v128.store(out + 4 * seriesBytes + k, ct);
      v128.store(out + 5 * seriesBytes + k, ht);
    }
  }
}

/** Writes 1.0 to `bytes` bytes (whole vectors) at `at`: the forget gate of a cell without one. */
function fillOnes(at: usize, bytes: usize): void {
  const one = f32x4.splat(1.0);
  for (let k: usize = 0; k < bytes; k += 16) v128.store(at + k, one);
}

/**
 * Runs `steps` (≤ the chunk size) steps from the current state on the inputs at `inputPtr`,
 * writing every series to the output region; `activation` (0 sigmoid, 1 hard sigmoid, 2 Keras 3
 * hard sigmoid) is that of i, f, o; `forgetGate` false is the 1997 LSTM, f ≡ 1.
 */
export function runSteps(steps: i32, activation: i32, forgetGate: bool): void {
  let input = inputRaw;
  if (unitsPadded != units) {
    padInput(steps);
    input = inputPadded;
  }
  runFrom(input, steps, activation, forgetGate, false);
}

/**
 * Like `runSteps`, from the raw inputs `[steps][B][F]` at `rawInputPtr`: projects them first
 * (`prepare` with f > 0 and `packInputWeights` before).
 */
export function runProjectedSteps(steps: i32, activation: i32, forgetGate: bool): void {
  const input = unitsPadded != units ? inputPadded : inputRaw;
  projectInputs(steps * batch, input);
  runFrom(input, steps, activation, forgetGate, true);
}

/**
 * The steps; `fused`: the products and activations with fused multiply–adds where the build
 * has them (traces). Inlined into both callers, so that `fused` is a constant in each.
 */
// @ts-ignore: decorator
@inline function runFrom(input: usize, steps: i32, activation: i32, forgetGate: bool, fused: bool): void {
  const gp = 4 * unitsPadded;
  const stepBytes = (<usize>(batch * gp)) << 2;
  for (let tt = 0; tt < steps; tt++) {
    recurrentProduct(input + <usize>tt * stepBytes, fused);
    updateState(tt, activation, forgetGate, fused);
  }
}

/** Packs each output block's first `steps` rows from [steps][UP] to [steps][U], in place. */
export function compactOutputs(steps: i32): void {
  if (unitsPadded == units) return;
  const rowBytes = (<usize>units) << 2;
  const paddedRowBytes = (<usize>unitsPadded) << 2;
  for (let s = 0; s < SERIES; s++) {
    for (let b = 0; b < batch; b++) {
      const block = outputPtr(s, b);
      // Rows move down, never past a row not yet moved, so a forward pass is safe.
      for (let tt = 1; tt < steps; tt++) memory.copy(block + <usize>tt * rowBytes, block + <usize>tt * paddedRowBytes, rowBytes);
    }
  }
}

/**
 * Applies one activation to `n` floats at `ptr` in place (n a multiple of 4), for the
 * accuracy tests: 0 exp, 1 sigmoid, 2 hard sigmoid, 3 tanh, 4 Keras 3 hard sigmoid, and as
 * traces compute them (fused multiply–adds in the relaxed-SIMD build) 5 exp, 6 sigmoid, 7 tanh.
 */
export function applyActivation(kind: i32, ptr: usize, n: i32): void {
  const end = ptr + ((<usize>n) << 2);
  for (let at = ptr; at < end; at += 16) {
    const x = v128.load(at);
    let y: v128;
    if (kind == 0) y = expv(x, false);
    else if (kind == 1) y = sigmoidv(x, false);
    else if (kind == 2) y = hardSigmoidv(x, HARD_SIGMOID_SLOPE);
    else if (kind == 3) y = tanhv(x, false);
    else if (kind == 4) y = hardSigmoidv(x, KERAS_HARD_SIGMOID_SLOPE);
    else if (kind == 5) y = expv(x, true);
    else if (kind == 6) y = sigmoidv(x, true);
    else y = tanhv(x, true);
    v128.store(at, y);
  }
}
