// The orthogonal initialiser's QR step (src/lab/init.ts, `gramSchmidtQ`) in WebAssembly: a
// new worker's first trace generates its weights before the JavaScript JIT has warmed up, and
// this loop was most of that trace. The arithmetic is the TypeScript's, operation for
// operation, so the results are the same bits: dot products and norms summed in order, the
// updates elementwise (two f64 lanes at a time: the same roundings; WebAssembly never fuses
// a multiply and an add).
//
// Memory: the matrix, m × n f64 column-major, from the start of the heap (`orthoPrepare`).

import { reserve } from './memory';

let matrix: usize = 0;

/** Lays out an m × n f64 matrix; returns its address (where JS writes it), or 0 if memory cannot grow. */
export function orthoPrepare(m: i32, n: i32): usize {
  matrix = reserve(<f64>m * n * 8);
  return matrix;
}

/**
 * Orthonormalises the matrix's n columns in place by modified Gram–Schmidt; returns −1, or
 * the first column whose norm was 0 (the matrix is rank-deficient).
 */
export function orthoRun(m: i32, n: i32): i32 {
  const colBytes = (<usize>m) << 3;
  const pairBytes = colBytes & ~(<usize>15);
  for (let j = 0; j < n; j++) {
    const qj = matrix + <usize>j * colBytes;
    for (let k = 0; k < j; k++) {
      const qk = matrix + <usize>k * colBytes;
      let dot: f64 = 0;
      for (let i: usize = 0; i < colBytes; i += 8) dot += load<f64>(qk + i) * load<f64>(qj + i);
      const d = f64x2.splat(dot);
      for (let i: usize = 0; i < pairBytes; i += 16) v128.store(qj + i, f64x2.sub(v128.load(qj + i), f64x2.mul(d, v128.load(qk + i))));
      if (pairBytes < colBytes) store<f64>(qj + pairBytes, load<f64>(qj + pairBytes) - dot * load<f64>(qk + pairBytes));
    }
    let norm: f64 = 0;
    for (let i: usize = 0; i < colBytes; i += 8) {
      const v = load<f64>(qj + i);
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    if (norm == 0) return j;
    const s = f64x2.splat(norm);
    for (let i: usize = 0; i < pairBytes; i += 16) v128.store(qj + i, f64x2.div(v128.load(qj + i), s));
    if (pairBytes < colBytes) store<f64>(qj + pairBytes, load<f64>(qj + pairBytes) / norm);
  }
  return -1;
}
