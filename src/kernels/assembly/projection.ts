// The input projection p = x·K + b computed inside the kernels, one chunk of steps at a time,
// for traces (the forward pass from raw inputs): no [time][batch][gates·units] array of
// projected inputs is ever built, and rows of x are projected independently (the same
// arithmetic for every row however the batch is split).
//
// Memory, placed by the kernel's prepare after its own regions (`placeProjection`):
//   kernelRaw     [F][gates·U]            K as given, copied in by JS
//   kernelPacked  [gates·UP/8][F][8]      K in panels, gate blocks padded to UP units
//   biasRaw       [gates·U]               b as given
//   biasPadded    [gates·UP]              b with units padded
//   inputs        [CH][B][F]              x of the current chunk, time-major, copied in by JS

import { regionBytes } from './memory';
import { PANEL, PANEL_ROW, packPanels, panelBytes, productFused } from './product';

let features: i32 = 0;
let gates: i32 = 0;
let units: i32 = 0;
let unitsPadded: i32 = 0;
let kernelRaw: usize = 0;
let kernelPacked: usize = 0;
let biasRaw: usize = 0;
let biasPadded: usize = 0;
let inputs: usize = 0;

/** Bytes the projection needs for `b` rows, chunks of `ch` steps and `f` features (0 when f is 0). */
export function projectionBytes(b: i32, u: i32, up: i32, ch: i32, f: i32, g: i32): f64 {
  if (f == 0) return 0;
  return regionBytes(<f64>f * g * u) + regionBytes(<f64>f * g * up) + regionBytes(<f64>g * u) + regionBytes(<f64>g * up) + regionBytes(<f64>ch * b * f);
}

/** Places the projection's regions from `start` (reserved by the caller; the inputs region, sized by rows and chunk, comes last). */
export function placeProjection(start: usize, u: i32, up: i32, f: i32, g: i32): void {
  features = f;
  gates = g;
  units = u;
  unitsPadded = up;
  kernelRaw = start;
  kernelPacked = kernelRaw + <usize>regionBytes(<f64>f * g * u);
  biasRaw = kernelPacked + <usize>regionBytes(<f64>f * g * up);
  biasPadded = biasRaw + <usize>regionBytes(<f64>g * u);
  inputs = biasPadded + <usize>regionBytes(<f64>g * up);
}

/** Where JS writes K `[F][gates·U]` before `packInputWeights`. */
export function inputKernelPtr(): usize {
  return kernelRaw;
}

/** Where JS writes b `[gates·U]` before `packInputWeights`. */
export function inputBiasPtr(): usize {
  return biasRaw;
}

/** Where JS writes a chunk's inputs `[steps][B][F]` before the kernel's projected run. */
export function rawInputPtr(): usize {
  return inputs;
}

/** Packs K into panels and pads b, zeros for the padding units. */
export function packInputWeights(): void {
  packPanels(kernelRaw, features, gates * units, kernelPacked, (gates * unitsPadded) / PANEL, unitsPadded, units);
  for (let q = 0; q < gates; q++) {
    for (let uu = 0; uu < unitsPadded; uu++) {
      const v: f32 = uu < units ? load<f32>(biasRaw + ((<usize>(q * units + uu)) << 2)) : 0;
      store<f32>(biasPadded + ((<usize>(q * unitsPadded + uu)) << 2), v);
    }
  }
}

/**
 * dst[row] = b + x[row]·K for `rows` rows of the chunk's inputs, rows of gates·UP floats at
 * `dst`. Only traces project here, so with fused multiply–adds where the build has them.
 */
export function projectInputs(rows: i32, dst: usize): void {
  const paddedCols = gates * unitsPadded;
  productFused(inputs, (<usize>features) << 2, features, kernelPacked, PANEL_ROW, panelBytes(features), paddedCols / PANEL, biasPadded, 0, dst, (<usize>paddedCols) << 2, rows);
}
