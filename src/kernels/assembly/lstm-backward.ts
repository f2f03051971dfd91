// The LSTM's backward pass (BPTT) over a chunk of steps, last step first
// (see jsLstmBackward in src/lab/kernels/lstm-kernel.ts for the maths).
//
// Per step only the element-wise part and dh ← dz·Rᵀ run; ∂L/∂R = Σ_t h_{t−1}ᵀ·dz_t is one
// matrix product per chunk, H_prevᵀ·dZ over all the chunk's (step, row) pairs at once.
// Units are padded to a multiple of 8 (UP) so that Rᵀ's columns are whole panels; padded
// entries of every input are zero, so every padded gradient stays zero.
//
// Memory, all regions 16-byte aligned, set up by `lstmBackPrepare`:
//   recurrentRaw   [U][4U]              R as given, copied in by JS
//   recurrentT     [UP/8][4UP][8]       Rᵀ packed in panels
//   zeros          [UP]
//   inputRaw       [8][B][CH+1][U]      i f g o c h ∂L/∂h ∂L/∂c; row 0 is the step before the
//                                       chunk (used for c and h), rows 1… the chunk's steps
//   inputPadded    [8][B][CH+1][UP]     the same padded (only when U % 8 ≠ 0)
//   dz             [CH][B][4UP]         ∂L/∂z of the chunk's steps
//   dzCompact      [CH][B][4U]          the same unpadded, for JS (only when U % 8 ≠ 0)
//   dhCarry        [B][UP]              what reaches h_t from step t+1: dz_{t+1}·Rᵀ
//   dcCarry        [B][UP]              what reaches c_t from step t+1: dc_{t+1}⊙f_{t+1}
//   hiddenT        [U][CH·B]            h_{t−1} of the chunk, transposed for the product
//   dzPacked       [4UP/8][CH·B][8]     dz in panels, for the product
//   dRecurrent     [U][4UP]             ∂L/∂R accumulated; [U][4U] after `lstmBackFinish`

import { gateDerivativev, tanhv } from './math';
import { compactRows, padRows, regionBytes, reserve } from './memory';
import { PANEL, PANEL_ROW, packRowsToPanels, packTransposedPanels, panelBytes, product } from './product';
import { hardSlope } from './rows';

/** Input series: i f g o c h ∂L/∂h ∂L/∂c. */
const SERIES: i32 = 8;
const S_I: i32 = 0;
const S_F: i32 = 1;
const S_G: i32 = 2;
const S_O: i32 = 3;
const S_C: i32 = 4;
const S_H: i32 = 5;
const S_DH: i32 = 6;
const S_DC: i32 = 7;

let batch: i32 = 0;
let units: i32 = 0;
let unitsPadded: i32 = 0;
let chunkSteps: i32 = 0;
let recurrentRaw: usize = 0;
let recurrentT: usize = 0;
let zeros: usize = 0;
let inputRaw: usize = 0;
let inputPadded: usize = 0;
let dz: usize = 0;
let dzCompact: usize = 0;
let dhCarry: usize = 0;
let dcCarry: usize = 0;
let hiddenT: usize = 0;
let dzPacked: usize = 0;
let dRecurrent: usize = 0;

/** Lays out memory for `b` rows, `u` units and chunks of up to `ch` steps; false if it cannot grow. */
export function lstmBackPrepare(b: i32, u: i32, ch: i32): bool {
  const up = (u + 7) & ~7;
  const rawR = regionBytes(<f64>u * 4 * u);
  const packedT = regionBytes(<f64>4 * up * up);
  const zeroRow = regionBytes(<f64>up);
  const rawIn = regionBytes(<f64>SERIES * b * (ch + 1) * u);
  const paddedIn = up == u ? 0 : regionBytes(<f64>SERIES * b * (ch + 1) * up);
  const dzBytes = regionBytes(<f64>ch * b * 4 * up);
  const dzCompactBytes = up == u ? 0 : regionBytes(<f64>ch * b * 4 * u);
  const carry = regionBytes(<f64>b * up);
  const hT = regionBytes(<f64>u * ch * b);
  const dR = regionBytes(<f64>u * 4 * up);
  const start = reserve(rawR + packedT + zeroRow + rawIn + paddedIn + 2 * dzBytes + dzCompactBytes + 2 * carry + hT + dR);
  if (start == 0) return false;
  batch = b;
  units = u;
  unitsPadded = up;
  chunkSteps = ch;
  recurrentRaw = start;
  recurrentT = recurrentRaw + <usize>rawR;
  zeros = recurrentT + <usize>packedT;
  inputRaw = zeros + <usize>zeroRow;
  inputPadded = up == u ? inputRaw : inputRaw + <usize>rawIn;
  dz = inputRaw + <usize>rawIn + <usize>paddedIn;
  dzCompact = up == u ? dz : dz + <usize>dzBytes;
  dhCarry = dz + <usize>dzBytes + <usize>dzCompactBytes;
  dcCarry = dhCarry + <usize>carry;
  hiddenT = dcCarry + <usize>carry;
  dzPacked = hiddenT + <usize>hT;
  dRecurrent = dzPacked + <usize>dzBytes;
  return true;
}

/** Where JS writes R `[U][4U]` before `lstmBackStart`. */
export function lstmBackRecurrentPtr(): usize {
  return recurrentRaw;
}

/** Where JS writes the `CH + 1` rows `[U]` of one input series (0–7: i f g o c h ∂L/∂h ∂L/∂c) and batch row. */
export function lstmBackInputPtr(series: i32, b: i32): usize {
  return inputRaw + ((<usize>((series * batch + b) * (chunkSteps + 1) * units)) << 2);
}

/** ∂L/∂z (= ∂L/∂projected) of the last chunk run, `[steps][B][4U]`. */
export function lstmBackProjectedPtr(): usize {
  return dzCompact;
}

/** ∂L/∂R `[U][4U]`, after `lstmBackFinish`. */
export function lstmBackRecurrentGradPtr(): usize {
  return dRecurrent;
}

/** Packs Rᵀ and zeroes the carried gradients and ∂L/∂R: call once per backward pass. */
export function lstmBackStart(): void {
  packTransposedPanels(recurrentRaw, units, 4, unitsPadded, recurrentT);
  const up = unitsPadded;
  memory.fill(zeros, 0, (<usize>up) << 2);
  memory.fill(dhCarry, 0, (<usize>(batch * up)) << 2);
  memory.fill(dcCarry, 0, (<usize>(batch * up)) << 2);
  memory.fill(dRecurrent, 0, (<usize>(units * 4 * up)) << 2);
}

/** Address of row `row` of an input series for batch row b, in the padded layout. */
// @ts-ignore: decorator
@inline function at(series: i32, b: i32, row: i32): usize {
  return inputPadded + ((<usize>(((series * batch + b) * (chunkSteps + 1) + row) * unitsPadded)) << 2);
}

/**
 * Runs the chunk's `steps` steps backward from the carried gradients: JS has written rows
 * 0…steps of every input series. `activation` is the gate code of i, f, o; `withCell` 0 takes
 * ∂L/∂c as zero (its rows are then not read); `weights` 0 skips ∂L/∂R.
 */
export function lstmBackRunSteps(steps: i32, activation: i32, withCell: bool, weights: bool): void {
  const u = units;
  const up = unitsPadded;
  if (up != u) padRows(inputRaw, inputPadded, SERIES * batch * (chunkSteps + 1), u, up);
  const rowBytes = (<usize>up) << 2;
  const gateRowBytes = rowBytes * 4;
  const slope = hardSlope(activation);
  const one = f32x4.splat(1.0);
  for (let tt = steps - 1; tt >= 0; tt--) {
    const row = tt + 1;
    for (let b = 0; b < batch; b++) {
      const ig = at(S_I, b, row);
      const fg = at(S_F, b, row);
      const gg = at(S_G, b, row);
      const og = at(S_O, b, row);
      const c = at(S_C, b, row);
      const cPrev = at(S_C, b, row - 1);
      const dH = at(S_DH, b, row);
      const dC = at(S_DC, b, row);
      const dh = dhCarry + <usize>b * rowBytes;
      const dcc = dcCarry + <usize>b * rowBytes;
      const z = dz + (<usize>(tt * batch + b)) * gateRowBytes;
      for (let k: usize = 0; k < rowBytes; k += 16) {
        const dht = f32x4.add(v128.load(dH + k), v128.load(dh + k));
        const tc = tanhv(v128.load(c + k), false);
        const o = v128.load(og + k);
        let dct = f32x4.add(v128.load(dcc + k), f32x4.mul(f32x4.mul(dht, o), f32x4.sub(one, f32x4.mul(tc, tc))));
        if (withCell) dct = f32x4.add(dct, v128.load(dC + k));
        const i = v128.load(ig + k);
        const f = v128.load(fg + k);
        const g = v128.load(gg + k);
        v128.store(z + k, f32x4.mul(f32x4.mul(dct, g), gateDerivativev(i, activation, slope)));
        v128.store(z + rowBytes + k, f32x4.mul(f32x4.mul(dct, v128.load(cPrev + k)), gateDerivativev(f, activation, slope)));
        v128.store(z + 2 * rowBytes + k, f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g))));
        v128.store(z + 3 * rowBytes + k, f32x4.mul(f32x4.mul(dht, tc), gateDerivativev(o, activation, slope)));
        v128.store(dcc + k, f32x4.mul(dct, f));
      }
    }
    // dh_{t−1} = dz_t·Rᵀ for every row.
    const x = dz + <usize>(tt * batch) * gateRowBytes;
    product(x, gateRowBytes, 4 * up, recurrentT, PANEL_ROW, panelBytes(4 * up), up / PANEL, zeros, 0, dhCarry, rowBytes, batch);
  }
  if (weights) {
    // ∂L/∂R += H_prevᵀ·dZ over the chunk: n = tt·B + b indexes the (step, row) pairs.
    const n = steps * batch;
    const stride = chunkSteps * batch;
    for (let tt = 0; tt < steps; tt++) {
      for (let b = 0; b < batch; b++) {
        const h = at(S_H, b, tt); // row tt is step tt − 1 of the chunk
        for (let k = 0; k < u; k++) store<f32>(hiddenT + ((<usize>(k * stride + tt * batch + b)) << 2), load<f32>(h + ((<usize>k) << 2)));
      }
    }
    packRowsToPanels(dz, gateRowBytes, n, (4 * up) / PANEL, dzPacked);
    product(hiddenT, (<usize>stride) << 2, n, dzPacked, PANEL_ROW, panelBytes(n), (4 * up) / PANEL, dRecurrent, gateRowBytes, dRecurrent, gateRowBytes, u);
  }
  if (up != u) compactRows(dz, dzCompact, steps * batch * 4, u, up);
}

/** Packs ∂L/∂R from `[U][4UP]` to `[U][4U]` in place. */
export function lstmBackFinish(): void {
  if (unitsPadded != units) compactRows(dRecurrent, dRecurrent, units * 4, units, unitsPadded);
}
