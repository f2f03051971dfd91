/**
 * Seeded random numbers that are the same on every machine: xoshiro128** seeded through
 * splitmix32, with standard normals by the Box–Muller transform. (TensorFlow's and NumPy's
 * generators cannot be reproduced in JavaScript, so values differ from Keras for the same seed;
 * the distributions are the same.)
 */

/** A seeded stream of uniform and normal numbers. */
export interface Random {
  /** Uniform in [0, 1), 32 bits of resolution. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Fills `out` with standard normals: the values `normal()` would give, one after another, faster. */
  fillNormal<T extends Float32Array | Float64Array>(out: T): T;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** A generator for `seed` (any integer; only its low 32 bits and sign bits matter). */
export function createRandom(seed: number): Random {
  const mix = splitmix32(Math.trunc(seed) ^ Math.trunc(seed / 2 ** 32));
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();
  const next = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  let spare: number | null = null;
  const uniform = (): number => next() / 2 ** 32;
  /** Box–Muller: r·cos θ now, r·sin θ kept for the next call. */
  const pair = (): number => {
    let u1 = uniform();
    while (u1 === 0) u1 = uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * uniform();
    spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  };
  return {
    uniform,
    normal() {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      return pair();
    },
    fillNormal<T extends Float32Array | Float64Array>(out: T): T {
      let i = 0;
      if (spare !== null && out.length > 0) {
        out[i++] = spare;
        spare = null;
      }
      // Whole pairs without the spare's bookkeeping: the same draws in the same order.
      for (; i + 1 < out.length; i += 2) {
        let u1 = next() / 2 ** 32;
        while (u1 === 0) u1 = next() / 2 ** 32;
        const r = Math.sqrt(-2 * Math.log(u1));
        const theta = 2 * Math.PI * (next() / 2 ** 32);
        out[i] = r * Math.cos(theta);
        out[i + 1] = r * Math.sin(theta);
      }
      if (i < out.length) out[i] = pair();
      return out;
    },
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** `n` standard normal values as float32. */
export function normalArray(random: Random, n: number): Float32Array {
  return random.fillNormal(new Float32Array(n));
}
