// The GRU's backward pass (BPTT) over a chunk of steps, last step first
// (see jsGruBackward in src/lab/kernels/gru-kernel.ts for the maths).
//
// Per step only the element-wise part and the products with Rᵀ run; ∂L/∂R is one matrix
// product per chunk over all its (step, row) pairs, and ∂L/∂b_h one column sum.
// Units are padded to a multiple of 8 (UP); padded entries of every input are zero, so every
// padded gradient stays zero.
//
// Memory, all regions 16-byte aligned, set up by `gruBackPrepare`:
//   recurrentRaw   [U][3U]              R as given, copied in by JS
//   recurrentT     [UP/8][3UP][8]       Rᵀ packed in panels (rows 0…2UP: z and r, 2UP…: h)
//   zeros          [UP]
//   inputRaw       [6][B][CH+1][U]      z r h̃ h rec_h ∂L/∂h; row 0 is the step before the chunk
//                                       (used for h), rows 1… the chunk's steps
//   inputPadded    [6][B][CH+1][UP]     the same padded (only when U % 8 ≠ 0)
//   dp             [CH][B][3UP]         ∂L/∂p = [da_z, da_r, da_h] of the chunk's steps
//   dpCompact      [CH][B][3U]          the same unpadded, for JS (only when U % 8 ≠ 0)
//   drec           [CH][B][3UP]         [da_z, da_r, da_h⊙r]: the gradient of h·R + b_h (resetAfter)
//   dhCarry        [B][UP]              what reaches h_t from step t+1
//   dhDirect       [B][UP]              dh_t⊙z (+ ds⊙r): the part not through the z, r products
//   ds             [B][UP]              da_h·R_hᵀ, the gradient of r⊙h_{t−1} (resetAfter false)
//   hiddenT        [U][CH·B]            h_{t−1} of the chunk, transposed
//   scaledT        [U][CH·B]            r⊙h_{t−1}, transposed (resetAfter false)
//   packed         [3UP/8][CH·B][8]     drec (resetAfter) or dp in panels, for the products
//   dRecurrent     [U][3UP]             ∂L/∂R accumulated; [U][3U] after `gruBackFinish`
//   dBias          [3UP]                ∂L/∂b_h accumulated; [3U] after `gruBackFinish`

import { gateDerivativev } from './math';
import { compactRows, padRows, regionBytes, reserve } from './memory';
import { PANEL, PANEL_ROW, packRowsToPanels, packTransposedPanels, panelBytes, product } from './product';
import { hardSlope } from './rows';

/** Input series: z r h̃ h rec_h ∂L/∂h. */
const SERIES: i32 = 6;
const S_Z: i32 = 0;
const S_R: i32 = 1;
const S_N: i32 = 2;
const S_H: i32 = 3;
const S_REC: i32 = 4;
const S_DH: i32 = 5;

let batch: i32 = 0;
let units: i32 = 0;
let unitsPadded: i32 = 0;
let chunkSteps: i32 = 0;
let recurrentRaw: usize = 0;
let recurrentT: usize = 0;
let zeros: usize = 0;
let inputRaw: usize = 0;
let inputPadded: usize = 0;
let dp: usize = 0;
let dpCompact: usize = 0;
let drec: usize = 0;
let dhCarry: usize = 0;
let dhDirect: usize = 0;
let ds: usize = 0;
let hiddenT: usize = 0;
let scaledT: usize = 0;
let packed: usize = 0;
let dRecurrent: usize = 0;
let dBias: usize = 0;

/** Lays out memory for `b` rows, `u` units and chunks of up to `ch` steps; false if it cannot grow. */
export function gruBackPrepare(b: i32, u: i32, ch: i32): bool {
  const up = (u + 7) & ~7;
  const rawR = regionBytes(<f64>u * 3 * u);
  const packedT = regionBytes(<f64>3 * up * up);
  const zeroRow = regionBytes(<f64>up);
  const rawIn = regionBytes(<f64>SERIES * b * (ch + 1) * u);
  const paddedIn = up == u ? 0 : regionBytes(<f64>SERIES * b * (ch + 1) * up);
  const gradBytes = regionBytes(<f64>ch * b * 3 * up);
  const compactBytes = up == u ? 0 : regionBytes(<f64>ch * b * 3 * u);
  const row = regionBytes(<f64>b * up);
  const transposed = regionBytes(<f64>u * ch * b);
  const dR = regionBytes(<f64>u * 3 * up);
  const db = regionBytes(<f64>3 * up);
  const start = reserve(rawR + packedT + zeroRow + rawIn + paddedIn + 3 * gradBytes + compactBytes + 3 * row + 2 * transposed + dR + db);
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
  dp = inputRaw + <usize>rawIn + <usize>paddedIn;
  dpCompact = up == u ? dp : dp + <usize>gradBytes;
  drec = dp + <usize>gradBytes + <usize>compactBytes;
  dhCarry = drec + <usize>gradBytes;
  dhDirect = dhCarry + <usize>row;
  ds = dhDirect + <usize>row;
  hiddenT = ds + <usize>row;
  scaledT = hiddenT + <usize>transposed;
  packed = scaledT + <usize>transposed;
  dRecurrent = packed + <usize>gradBytes;
  dBias = dRecurrent + <usize>dR;
  return true;
}

/** Where JS writes R `[U][3U]` before `gruBackStart`. */
export function gruBackRecurrentPtr(): usize {
  return recurrentRaw;
}

/** Where JS writes the `CH + 1` rows `[U]` of one input series (0–5: z r h̃ h rec_h ∂L/∂h) and batch row. */
export function gruBackInputPtr(series: i32, b: i32): usize {
  return inputRaw + ((<usize>((series * batch + b) * (chunkSteps + 1) * units)) << 2);
}

/** ∂L/∂projected of the last chunk run, `[steps][B][3U]`. */
export function gruBackProjectedPtr(): usize {
  return dpCompact;
}

/** ∂L/∂R `[U][3U]`, after `gruBackFinish`. */
export function gruBackRecurrentGradPtr(): usize {
  return dRecurrent;
}

/** ∂L/∂b_h `[3U]`, after `gruBackFinish`. */
export function gruBackBiasGradPtr(): usize {
  return dBias;
}

/** Packs Rᵀ and zeroes the carried gradient, ∂L/∂R and ∂L/∂b_h: call once per backward pass. */
export function gruBackStart(): void {
  packTransposedPanels(recurrentRaw, units, 3, unitsPadded, recurrentT);
  const up = unitsPadded;
  memory.fill(zeros, 0, (<usize>up) << 2);
  memory.fill(dhCarry, 0, (<usize>(batch * up)) << 2);
  memory.fill(dRecurrent, 0, (<usize>(units * 3 * up)) << 2);
  memory.fill(dBias, 0, (<usize>(3 * up)) << 2);
}

/** Address of row `row` of an input series for batch row b, in the padded layout. */
// @ts-ignore: decorator
@inline function at(series: i32, b: i32, row: i32): usize {
  return inputPadded + ((<usize>(((series * batch + b) * (chunkSteps + 1) + row) * unitsPadded)) << 2);
}

/**
 * Runs the chunk's `steps` steps backward from the carried gradient: JS has written rows
 * 0…steps of every input series. `activation` is the gate code of z and r; `weights` 0 skips
 * ∂L/∂R and ∂L/∂b_h.
 */
export function gruBackRunSteps(steps: i32, activation: i32, resetAfter: bool, weights: bool): void {
  const u = units;
  const up = unitsPadded;
  if (up != u) padRows(inputRaw, inputPadded, SERIES * batch * (chunkSteps + 1), u, up);
  const rowBytes = (<usize>up) << 2;
  const gateRowBytes = rowBytes * 3;
  const slope = hardSlope(activation);
  const one = f32x4.splat(1.0);
  const pbT = panelBytes(3 * up);
  for (let tt = steps - 1; tt >= 0; tt--) {
    const row = tt + 1;
    for (let b = 0; b < batch; b++) {
      const zs = at(S_Z, b, row);
      const rs = at(S_R, b, row);
      const ns = at(S_N, b, row);
      const hPrev = at(S_H, b, row - 1);
      const recH = at(S_REC, b, row);
      const dH = at(S_DH, b, row);
      const carry = dhCarry + <usize>b * rowBytes;
      const direct = dhDirect + <usize>b * rowBytes;
      const p = dp + (<usize>(tt * batch + b)) * gateRowBytes;
      const q = drec + (<usize>(tt * batch + b)) * gateRowBytes;
      for (let k: usize = 0; k < rowBytes; k += 16) {
        const dh = f32x4.add(v128.load(dH + k), v128.load(carry + k));
        const z = v128.load(zs + k);
        const n = v128.load(ns + k);
        const daz = f32x4.mul(f32x4.mul(dh, f32x4.sub(v128.load(hPrev + k), n)), gateDerivativev(z, activation, slope));
        const dah = f32x4.mul(f32x4.mul(dh, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(n, n)));
        v128.store(p + k, daz);
        v128.store(p + 2 * rowBytes + k, dah);
        v128.store(direct + k, f32x4.mul(dh, z));
        if (resetAfter) {
          const r = v128.load(rs + k);
          const dar = f32x4.mul(f32x4.mul(dah, v128.load(recH + k)), gateDerivativev(r, activation, slope));
          v128.store(p + rowBytes + k, dar);
          v128.store(q + k, daz);
          v128.store(q + rowBytes + k, dar);
          v128.store(q + 2 * rowBytes + k, f32x4.mul(dah, r));
        }
      }
    }
    const x = dp + <usize>(tt * batch) * gateRowBytes;
    if (resetAfter) {
      // dh_{t−1} = dh⊙z + drec·Rᵀ
      product(drec + <usize>(tt * batch) * gateRowBytes, gateRowBytes, 3 * up, recurrentT, PANEL_ROW, pbT, up / PANEL, dhDirect, rowBytes, dhCarry, rowBytes, batch);
    } else {
      // ds = da_h·R_hᵀ; da_r = ds⊙h_{t−1}⊙σ'(r); dh_{t−1} = dh⊙z + ds⊙r + [da_z, da_r]·R_zrᵀ
      product(x + 2 * rowBytes, gateRowBytes, up, recurrentT + <usize>(2 * up) * PANEL_ROW, PANEL_ROW, pbT, up / PANEL, zeros, 0, ds, rowBytes, batch);
      for (let b = 0; b < batch; b++) {
        const rs = at(S_R, b, tt + 1);
        const hPrev = at(S_H, b, tt);
        const dsb = ds + <usize>b * rowBytes;
        const direct = dhDirect + <usize>b * rowBytes;
        const p = x + <usize>b * gateRowBytes;
        for (let k: usize = 0; k < rowBytes; k += 16) {
          const s = v128.load(dsb + k);
          const r = v128.load(rs + k);
          v128.store(p + rowBytes + k, f32x4.mul(f32x4.mul(s, v128.load(hPrev + k)), gateDerivativev(r, activation, slope)));
          v128.store(direct + k, f32x4.add(v128.load(direct + k), f32x4.mul(s, r)));
        }
      }
      product(x, gateRowBytes, 2 * up, recurrentT, PANEL_ROW, pbT, up / PANEL, dhDirect, rowBytes, dhCarry, rowBytes, batch);
    }
  }
  if (weights) {
    const n = steps * batch;
    const stride = chunkSteps * batch;
    // h_{t−1} (and r⊙h_{t−1}) of every (step, row) pair, transposed: n = tt·B + b.
    for (let tt = 0; tt < steps; tt++) {
      for (let b = 0; b < batch; b++) {
        const h = at(S_H, b, tt);
        const r = at(S_R, b, tt + 1);
        for (let k = 0; k < u; k++) {
          const hk = load<f32>(h + ((<usize>k) << 2));
          const to = (<usize>(k * stride + tt * batch + b)) << 2;
          store<f32>(hiddenT + to, hk);
          if (!resetAfter) store<f32>(scaledT + to, hk * load<f32>(r + ((<usize>k) << 2)));
        }
      }
    }
    const xT = (<usize>stride) << 2;
    const pbN = panelBytes(n);
    packRowsToPanels(resetAfter ? drec : dp, gateRowBytes, n, (3 * up) / PANEL, packed);
    if (resetAfter) {
      // ∂L/∂R += H_prevᵀ·drec
      product(hiddenT, xT, n, packed, PANEL_ROW, pbN, (3 * up) / PANEL, dRecurrent, gateRowBytes, dRecurrent, gateRowBytes, u);
    } else {
      // ∂L/∂R_zr += H_prevᵀ·[da_z, da_r];  ∂L/∂R_h += (r⊙H_prev)ᵀ·da_h
      product(hiddenT, xT, n, packed, PANEL_ROW, pbN, (2 * up) / PANEL, dRecurrent, gateRowBytes, dRecurrent, gateRowBytes, u);
      const h = rowBytes * 2;
      product(scaledT, xT, n, packed + <usize>((2 * up) / PANEL) * pbN, PANEL_ROW, pbN, up / PANEL, dRecurrent + h, gateRowBytes, dRecurrent + h, gateRowBytes, u);
    }
    // ∂L/∂b_h += Σ over the pairs of the recurrent term's gradient (drec, or dp when not resetAfter).
    const src = resetAfter ? drec : dp;
    for (let i = 0; i < n; i++) {
      const rowAt = src + <usize>i * gateRowBytes;
      for (let k: usize = 0; k < gateRowBytes; k += 16) v128.store(dBias + k, f32x4.add(v128.load(dBias + k), v128.load(rowAt + k)));
    }
  }
  if (up != u) compactRows(dp, dpCompact, steps * batch * 3, u, up);
}

/** Packs ∂L/∂R from `[U][3UP]` to `[U][3U]` and ∂L/∂b_h from `[3UP]` to `[3U]`, in place. */
export function gruBackFinish(): void {
  if (unitsPadded == units) return;
  compactRows(dRecurrent, dRecurrent, units * 3, units, unitsPadded);
  compactRows(dBias, dBias, 3, units, unitsPadded);
}
