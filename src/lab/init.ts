/**
 * Weight initialisers with Keras's definitions, computed in plain TypeScript: generating the
 * orthogonal recurrent kernel through tfjs's own initializer took 14.6 s for 128 units on
 * these machines; a Gram–Schmidt QR here takes milliseconds.
 */
import type { Random } from './rng';

/**
 * Glorot (Xavier) uniform, Keras's default kernel initializer: U(−l, l) with
 * `l = sqrt(6 / (fanIn + fanOut))`, for a `[fanIn, fanOut]` matrix, row-major.
 */
export function glorotUniform(random: Random, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (2 * random.uniform() - 1) * limit;
  return out;
}

/**
 * Orthogonal matrix `[rows, cols]`, Keras's default recurrent initializer (Saxe et al. 2014):
 * draw a normal matrix, take Q of its QR decomposition (of the transpose when rows < cols)
 * with the signs fixed by `sign(diag(R))` so that the distribution is uniform (Haar), times `gain`.
 * Rows are orthonormal when rows ≤ cols, columns when rows ≥ cols.
 */
export function orthogonal(random: Random, rows: number, cols: number, gain = 1): Float32Array {
  const tall = rows >= cols;
  const m = tall ? rows : cols; // the long side
  const n = tall ? cols : rows; // the short side
  // A is m × n, column-major in Float64 for accuracy.
  const a = random.fillNormal(new Float64Array(m * n));
  const q = gramSchmidt(a, m, n);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // tall: out = Q (m × n); wide: out = Qᵀ (n × m)
      out[r * cols + c] = gain * (tall ? q[c * m + r] : q[r * m + c]);
    }
  }
  return out;
}

/** Orthonormalises the columns of a column-major m × n Float64Array (m ≥ n) in place, as `gramSchmidtQ`. */
export type GramSchmidt = (a: Float64Array, m: number, n: number) => Float64Array;

let gramSchmidt: GramSchmidt = gramSchmidtQ;

/**
 * Sets the QR step `orthogonal` uses: the WebAssembly one (the same bits, src/lab/kernels/
 * wasm-orthogonal.ts) once the kernels are loaded; undefined goes back to `gramSchmidtQ`.
 */
export function setGramSchmidt(fn: GramSchmidt | undefined): void {
  gramSchmidt = fn ?? gramSchmidtQ;
}

/**
 * Thin Q (m × n, column-major) of the QR decomposition of the column-major m × n matrix `a`
 * (m ≥ n) with a positive diagonal of R, by modified Gram–Schmidt. For Gaussian matrices
 * (condition number about (√m + √n)/(√m − √n)) one pass keeps Q orthonormal to float64
 * rounding; it equals Householder's Q with columns multiplied by sign(diag R), as Keras does.
 */
export function gramSchmidtQ(a: Float64Array, m: number, n: number): Float64Array {
  const q = a; // orthonormalised in place, column by column
  // Plain index arithmetic, in the order src/kernels/assembly/orthogonal.ts follows.
  for (let j = 0; j < n; j++) {
    const qj = j * m;
    for (let k = 0; k < j; k++) {
      const qk = k * m;
      let dot = 0;
      for (let i = 0; i < m; i++) dot += q[qk + i] * q[qj + i];
      for (let i = 0; i < m; i++) q[qj + i] -= dot * q[qk + i];
    }
    let norm = 0;
    for (let i = qj; i < qj + m; i++) norm += q[i] * q[i];
    norm = Math.sqrt(norm);
    if (norm === 0) throw new Error('orthogonal: the random matrix is rank-deficient');
    for (let i = qj; i < qj + m; i++) q[i] /= norm;
  }
  return q;
}
