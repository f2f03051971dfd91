// Row-times-matrix products for every kernel (the LSTM and GRU recurrences, the input projections,
// attention, the backward passes):
//
//   dst[b][c] = init[b][c] + Σ_{k<K} x[b][k]·M[k][c]   for rows b < rows, panels of columns c
//
// M is read in panels of PANEL columns: row k of panel p at m + p·mPanelStride + k·mRowStride.
// Packed (`[panels][K][PANEL]`, see `packPanels`: mRowStride 32, mPanelStride 32·K) a panel
// streams from memory in order; a plain row-major M `[K][N]` is mRowStride 4N, mPanelStride 32.
// Rows go in blocks of 4 (one panel, eight accumulators, each M vector used four times), then
// 2 (two panels, eight accumulators), then 1 (two panels, four accumulators). Pointers are byte addresses, strides in bytes, rows 16-byte aligned.

import { madd } from './math';

/** Columns per packed panel: two f32x4 vectors. */
export const PANEL: i32 = 8;

/** Bytes of one packed panel of K rows. */
// @ts-ignore: decorator
@inline export function panelBytes(k: i32): usize {
  return (<usize>(k * PANEL)) << 2;
}

/** Bytes of one row of a packed panel. */
export const PANEL_ROW: usize = PANEL * 4;

/**
 * Packs a row-major matrix `[K][srcCols]` at `src`, whose columns are gate blocks of `units`
 * columns, into `panels` panels at `dst` (`[panels][K][PANEL]`) with every gate block padded
 * to `unitsPadded` columns: packed column c is gate c / unitsPadded, unit c % unitsPadded,
 * and zero for the padding units.
 */
export function packPanels(src: usize, k: i32, srcCols: i32, dst: usize, panels: i32, unitsPadded: i32, units: i32): void {
  const rowBytes = (<usize>srcCols) << 2;
  let at = dst;
  for (let pa = 0; pa < panels; pa++) {
    const c0 = pa * PANEL;
    const q0 = c0 / unitsPadded;
    const u0 = c0 - q0 * unitsPadded;
    if (u0 + PANEL <= units) {
      // The panel's 8 columns are 8 adjacent columns of one gate block: two vectors per row.
      let from = src + ((<usize>(q0 * units + u0)) << 2);
      for (let kk = 0; kk < k; kk++) {
        v128.store(at, v128.load(from));
        v128.store(at, v128.load(from, 16), 16);
        at += PANEL_ROW;
        from += rowBytes;
      }
      continue;
    }
    for (let kk = 0; kk < k; kk++) {
      for (let j = 0; j < PANEL; j++) {
        const c = c0 + j;
        const q = c / unitsPadded;
        const uu = c - q * unitsPadded;
        store<f32>(at, uu < units ? load<f32>(src + ((<usize>(kk * srcCols + q * units + uu)) << 2)) : 0);
        at += 4;
      }
    }
  }
}

// @ts-ignore: decorator
@inline function rows4(x: usize, xStride: usize, k: i32, m: usize, mRow: usize, init: usize, initStride: usize, dst: usize, dstStride: usize, fused: bool): void {
  let a00 = v128.load(init, 0);
  let a01 = v128.load(init, 16);
  let a10 = v128.load(init + initStride, 0);
  let a11 = v128.load(init + initStride, 16);
  let a20 = v128.load(init + 2 * initStride, 0);
  let a21 = v128.load(init + 2 * initStride, 16);
  let a30 = v128.load(init + 3 * initStride, 0);
  let a31 = v128.load(init + 3 * initStride, 16);
  let xk = x;
  const xEnd = x + ((<usize>k) << 2);
  let r = m;
  while (xk < xEnd) {
    const lo = v128.load(r, 0);
    const hi = v128.load(r, 16);
    let s = v128.load32_splat(xk);
    a00 = madd(s, lo, a00, fused);
    a01 = madd(s, hi, a01, fused);
    s = v128.load32_splat(xk + xStride);
    a10 = madd(s, lo, a10, fused);
    a11 = madd(s, hi, a11, fused);
    s = v128.load32_splat(xk + 2 * xStride);
    a20 = madd(s, lo, a20, fused);
    a21 = madd(s, hi, a21, fused);
    s = v128.load32_splat(xk + 3 * xStride);
    a30 = madd(s, lo, a30, fused);
    a31 = madd(s, hi, a31, fused);
    xk += 4;
    r += mRow;
  }
  v128.store(dst, a00, 0);
  v128.store(dst, a01, 16);
  v128.store(dst + dstStride, a10, 0);
  v128.store(dst + dstStride, a11, 16);
  v128.store(dst + 2 * dstStride, a20, 0);
  v128.store(dst + 2 * dstStride, a21, 16);
  v128.store(dst + 3 * dstStride, a30, 0);
  v128.store(dst + 3 * dstStride, a31, 16);
}

/** Two rows, two panels (16 columns). */
// @ts-ignore: decorator
@inline function rows2panels2(x: usize, xStride: usize, k: i32, m: usize, mRow: usize, mPanel: usize, init: usize, initStride: usize, dst: usize, dstStride: usize, fused: bool): void {
  let a00 = v128.load(init, 0);
  let a01 = v128.load(init, 16);
  let a02 = v128.load(init, 32);
  let a03 = v128.load(init, 48);
  let a10 = v128.load(init + initStride, 0);
  let a11 = v128.load(init + initStride, 16);
  let a12 = v128.load(init + initStride, 32);
  let a13 = v128.load(init + initStride, 48);
  let xk = x;
  const xEnd = x + ((<usize>k) << 2);
  let r0 = m;
  let r1 = m + mPanel;
  while (xk < xEnd) {
    const m00 = v128.load(r0, 0);
    const m01 = v128.load(r0, 16);
    const m10 = v128.load(r1, 0);
    const m11 = v128.load(r1, 16);
    let s = v128.load32_splat(xk);
    a00 = madd(s, m00, a00, fused);
    a01 = madd(s, m01, a01, fused);
    a02 = madd(s, m10, a02, fused);
    a03 = madd(s, m11, a03, fused);
    s = v128.load32_splat(xk + xStride);
    a10 = madd(s, m00, a10, fused);
    a11 = madd(s, m01, a11, fused);
    a12 = madd(s, m10, a12, fused);
    a13 = madd(s, m11, a13, fused);
    xk += 4;
    r0 += mRow;
    r1 += mRow;
  }
  v128.store(dst, a00, 0);
  v128.store(dst, a01, 16);
  v128.store(dst, a02, 32);
  v128.store(dst, a03, 48);
  v128.store(dst + dstStride, a10, 0);
  v128.store(dst + dstStride, a11, 16);
  v128.store(dst + dstStride, a12, 32);
  v128.store(dst + dstStride, a13, 48);
}

/**
 * One row, two panels (16 columns): four accumulators. (Four panels with eight accumulators
 * ran 40% slower here: four streams 4 KiB apart, one set of L1 each.)
 */
// @ts-ignore: decorator
@inline function row1panels2(x: usize, k: i32, m: usize, mRow: usize, mPanel: usize, init: usize, dst: usize, fused: bool): void {
  let a0 = v128.load(init, 0);
  let a1 = v128.load(init, 16);
  let a2 = v128.load(init, 32);
  let a3 = v128.load(init, 48);
  let xk = x;
  const xEnd = x + ((<usize>k) << 2);
  let r0 = m;
  let r1 = m + mPanel;
  while (xk < xEnd) {
    const s = v128.load32_splat(xk);
    a0 = madd(s, v128.load(r0, 0), a0, fused);
    a1 = madd(s, v128.load(r0, 16), a1, fused);
    a2 = madd(s, v128.load(r1, 0), a2, fused);
    a3 = madd(s, v128.load(r1, 16), a3, fused);
    xk += 4;
    r0 += mRow;
    r1 += mRow;
  }
  v128.store(dst, a0, 0);
  v128.store(dst, a1, 16);
  v128.store(dst, a2, 32);
  v128.store(dst, a3, 48);
}

/** One row, one panel. */
// @ts-ignore: decorator
@inline function row1panel1(x: usize, k: i32, m: usize, mRow: usize, init: usize, dst: usize, fused: bool): void {
  let a0 = v128.load(init, 0);
  let a1 = v128.load(init, 16);
  let xk = x;
  const xEnd = x + ((<usize>k) << 2);
  let r = m;
  while (xk < xEnd) {
    const s = v128.load32_splat(xk);
    a0 = madd(s, v128.load(r, 0), a0, fused);
    a1 = madd(s, v128.load(r, 16), a1, fused);
    xk += 4;
    r += mRow;
  }
  v128.store(dst, a0, 0);
  v128.store(dst, a1, 16);
}

/**
 * dst[b][c] = init[b][c] + Σ_{k<K} x[b][k]·M[k][c] for b < rows and `panels` panels of
 * columns from the first (`m`, `init` and `dst` point at that first panel's column). `init`
 * may be `dst` (accumulation); `initStride` 0 broadcasts one init row (a bias) to every row.
 * With `fused` (a constant at each use) the multiply–adds are fused where the build has them
 * (see `madd`); `product` and `productFused` are the two variants.
 */
// @ts-ignore: decorator
@inline function productWith(
  x: usize,
  xStride: usize,
  k: i32,
  m: usize,
  mRow: usize,
  mPanel: usize,
  panels: i32,
  init: usize,
  initStride: usize,
  dst: usize,
  dstStride: usize,
  rows: i32,
  fused: bool,
): void {
  const panelCols: usize = PANEL * 4;
  const rows4end = rows & ~3;
  // Panels outside, rows inside: a panel stays in L1 for all the rows.
  if (rows4end > 0) {
    for (let pa = 0; pa < panels; pa++) {
      const col = <usize>pa * panelCols;
      const mp = m + <usize>pa * mPanel;
      for (let b = 0; b < rows4end; b += 4) {
        rows4(x + <usize>b * xStride, xStride, k, mp, mRow, init + <usize>b * initStride + col, initStride, dst + <usize>b * dstStride + col, dstStride, fused);
      }
    }
  }
  let b = rows4end;
  if (rows - b >= 2) {
    let pa = 0;
    for (; pa + 1 < panels; pa += 2) {
      const col = <usize>pa * panelCols;
      rows2panels2(x + <usize>b * xStride, xStride, k, m + <usize>pa * mPanel, mRow, mPanel, init + <usize>b * initStride + col, initStride, dst + <usize>b * dstStride + col, dstStride, fused);
    }
    for (; pa < panels; pa++) {
      const col = <usize>pa * panelCols;
      for (let bb = b; bb < b + 2; bb++) row1panel1(x + <usize>bb * xStride, k, m + <usize>pa * mPanel, mRow, init + <usize>bb * initStride + col, dst + <usize>bb * dstStride + col, fused);
    }
    b += 2;
  }
  if (b < rows) {
    const xr = x + <usize>b * xStride;
    const ir = init + <usize>b * initStride;
    const dr = dst + <usize>b * dstStride;
    let pa = 0;
    for (; pa + 1 < panels; pa += 2) {
      const col = <usize>pa * panelCols;
      row1panels2(xr, k, m + <usize>pa * mPanel, mRow, mPanel, ir + col, dr + col, fused);
    }
    for (; pa < panels; pa++) {
      const col = <usize>pa * panelCols;
      row1panel1(xr, k, m + <usize>pa * mPanel, mRow, ir + col, dr + col, fused);
    }
  }
}

/**
 * `productWith` with a multiply and an add per term, the same on every machine: what training
 * and gradients use.
 */
export function product(x: usize, xStride: usize, k: i32, m: usize, mRow: usize, mPanel: usize, panels: i32, init: usize, initStride: usize, dst: usize, dstStride: usize, rows: i32): void {
  productWith(x, xStride, k, m, mRow, mPanel, panels, init, initStride, dst, dstStride, rows, false);
}

/**
 * The same product with 256-bit fused multiply–adds, in this module's memory: the optional
 * native accelerator (src/native/product.c), imported as `env.productFused`. Its arguments are
 * `productFused`'s; it computes the same bits.
 */
// @ts-ignore: decorator
@external("env", "productFused")
declare function nativeProductFused(x: usize, xStride: usize, k: i32, m: usize, mRow: usize, mPanel: usize, panels: i32, init: usize, initStride: usize, dst: usize, dstStride: usize, rows: i32): void;

/** Whether `productFused` calls the native accelerator (`useNativeProduct`). */
let native: bool = false;

/**
 * Makes `productFused` call the native accelerator (on: 1) or not (0). Only the relaxed-SIMD
 * build's `productFused` is fused as the native one is, so only it is ever switched (by JS).
 */
export function useNativeProduct(on: i32): void {
  native = on != 0;
}

/**
 * `productWith` with fused multiply–adds in the relaxed-SIMD build (one rounding per term,
 * faster; the last bits may differ between machines): what traces use. With the native
 * accelerator on (`useNativeProduct`), the same product with 256-bit vectors.
 */
export function productFused(x: usize, xStride: usize, k: i32, m: usize, mRow: usize, mPanel: usize, panels: i32, init: usize, initStride: usize, dst: usize, dstStride: usize, rows: i32): void {
  if (native) nativeProductFused(x, xStride, k, m, mRow, mPanel, panels, init, initStride, dst, dstStride, rows);
  else productWith(x, xStride, k, m, mRow, mPanel, panels, init, initStride, dst, dstStride, rows, true);
}

/**
 * Packs the transpose of a row-major `[units][gates·units]` matrix at `src` (R, whose columns
 * are gate blocks) into `[UP/PANEL][gates·UP][PANEL]` at `dst`, UP = `unitsPadded`: row j of
 * the packed matrix is gate j / UP, unit j % UP of R's columns; its column k is R's row k.
 * Padding rows and columns are zero. Used for products with Rᵀ (gradients through h·R).
 */
export function packTransposedPanels(src: usize, units: i32, gates: i32, unitsPadded: i32, dst: usize): void {
  const srcCols = gates * units;
  const panels = unitsPadded / PANEL;
  const rows = gates * unitsPadded;
  let at = dst;
  for (let pa = 0; pa < panels; pa++) {
    for (let j = 0; j < rows; j++) {
      const q = j / unitsPadded;
      const uu = j - q * unitsPadded;
      for (let c = 0; c < PANEL; c++) {
        const k = pa * PANEL + c;
        store<f32>(at, uu < units && k < units ? load<f32>(src + ((<usize>(k * srcCols + q * units + uu)) << 2)) : 0);
        at += 4;
      }
    }
  }
}

/**
 * Packs `rows` rows of a row-major matrix at `src` (row stride `srcStride` bytes, `panels`
 * panels of PANEL columns) into `[panels][rows][PANEL]` at `dst`. A plain row-major M read
 * panel by panel strides through memory by a whole row per k; when rows are a multiple of
 * 4 KiB apart every read falls into the same L1 set and the product slows several-fold.
 */
export function packRowsToPanels(src: usize, srcStride: usize, rows: i32, panels: i32, dst: usize): void {
  let at = dst;
  for (let pa = 0; pa < panels; pa++) {
    let from = src + <usize>pa * PANEL_ROW;
    for (let r = 0; r < rows; r++) {
      v128.store(at, v128.load(from));
      v128.store(at, v128.load(from, 16), 16);
      at += PANEL_ROW;
      from += srcStride;
    }
  }
}
