// Elementary functions on the four f32 lanes of a v128, for the LSTM gates.
//
// exp follows Cephes `expf` (S. L. Moshier, Cephes Math Library): x = n·ln2 + r with
// |r| ≤ ln2/2, ln2 split in two so that n·ln2 is exact, a degree-7 polynomial for e^r and
// the scale 2^n built in the exponent bits. tanh follows Cephes `tanhf`: an odd polynomial
// for |x| < 0.625, 1 − 2/(e^{2|x|} + 1) above. Both are accurate to ~1–2 ulp in f32.

const LOG2E: f32 = 1.44269504088896341;
// ln2 = LN2_HI + LN2_LO; LN2_HI has 9 significant bits, so n·LN2_HI is exact for |n| < 2^15.
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
/** exp(88) ≈ 1.65e38 is the largest result computed; larger inputs are clamped to it. */
const EXP_MAX_INPUT: f32 = 88.0;
/** ln(FLT_MIN): below this exp would be subnormal; it returns 0 there. */
export const EXP_MIN_INPUT: f32 = -87.33654475;
/** 1.5·2^23: adding it rounds an f32 of magnitude < 2^22 to an integer held in the low bits. */
const ROUND_MAGIC: f32 = 12582912.0;
const ONE_BITS: i32 = 0x3f800000;
const SIGN_BIT: i32 = 0x80000000;
const TANH_SMALL: f32 = 0.625;
/** 2^-32: below it tanh(x) = x in float32, and x² would be subnormal. */
const TANH_TINY: f32 = 2.3283064365386963e-10;

// The vector constants below, four lanes each, as static data: read from memory in the loops
// rather than written as `v128.const`. V8 builds every 128-bit constant from two 64-bit
// immediates (four or five instructions) at each use inside a loop; a load is one. The lanes
// hold the values named beside them; `lane(i)` is the address of constant i.
const CONSTANTS: usize = memory.data<f32>([
  EXP_MIN_INPUT, EXP_MIN_INPUT, EXP_MIN_INPUT, EXP_MIN_INPUT, // 0
  EXP_MAX_INPUT, EXP_MAX_INPUT, EXP_MAX_INPUT, EXP_MAX_INPUT, // 1
  LOG2E, LOG2E, LOG2E, LOG2E, // 2
  ROUND_MAGIC, ROUND_MAGIC, ROUND_MAGIC, ROUND_MAGIC, // 3
  LN2_HI, LN2_HI, LN2_HI, LN2_HI, // 4
  LN2_LO, LN2_LO, LN2_LO, LN2_LO, // 5
  1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, 1.9875691500e-4, // 6: exp's polynomial
  1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, 1.3981999507e-3, // 7
  8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, 8.3334519073e-3, // 8
  4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, 4.1665795894e-2, // 9
  1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, 1.6666665459e-1, // 10
  5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, 5.0000001201e-1, // 11
  1.0, 1.0, 1.0, 1.0, // 12
  -5.70498872745e-3, -5.70498872745e-3, -5.70498872745e-3, -5.70498872745e-3, // 13: tanh's polynomial
  2.06390887954e-2, 2.06390887954e-2, 2.06390887954e-2, 2.06390887954e-2, // 14
  -5.37397155531e-2, -5.37397155531e-2, -5.37397155531e-2, -5.37397155531e-2, // 15
  1.33314422036e-1, 1.33314422036e-1, 1.33314422036e-1, 1.33314422036e-1, // 16
  -3.33332819422e-1, -3.33332819422e-1, -3.33332819422e-1, -3.33332819422e-1, // 17
  TANH_SMALL, TANH_SMALL, TANH_SMALL, TANH_SMALL, // 18
  2.0, 2.0, 2.0, 2.0, // 19
  TANH_TINY, TANH_TINY, TANH_TINY, TANH_TINY, // 20
], 16);

/** Constant `i` of CONSTANTS as a vector. */
// @ts-ignore: decorator
@inline function k(i: usize): v128 {
  return v128.load(CONSTANTS + (i << 4));
}

/** The integer lanes: the bits of 1.0 and the sign bit. */
const INT_CONSTANTS: usize = memory.data<i32>([ONE_BITS, ONE_BITS, ONE_BITS, ONE_BITS, SIGN_BIT, SIGN_BIT, SIGN_BIT, SIGN_BIT], 16);

/**
 * e^x on each lane; 0 below ln(FLT_MIN), clamped to e^88 above 88, NaN stays NaN. `fused` (a
 * constant at each use): the polynomial with fused multiply–adds where the build has them (see
 * `madd`; traces), else with a multiply and an add per term (training, the same everywhere).
 */
// @ts-ignore: decorator
@inline export function expv(x: v128, fused: bool): v128 {
  const underflow = f32x4.lt(x, k(0));
  // pmin/pmax keep x when it is NaN (they return the first operand unless the comparison holds).
  return v128.andnot(expInRange(f32x4.pmax(f32x4.pmin(x, k(1)), k(0)), fused), underflow);
}

/** ln(FLT_MIN) on every lane: the smallest input `expInRange` takes; expv is 0 below it. */
// @ts-ignore: decorator
@inline export function expMinInput(): v128 {
  return k(0);
}

/**
 * e^x for lanes already within [ln(FLT_MIN), 88] (or NaN): the core of expv, for callers that
 * clamp once and use the clamped x again (the softmax's entropy moment).
 */
// @ts-ignore: decorator
@inline export function expInRange(x: v128, fused: bool): v128 {
  const t = madd(x, k(2), k(3), fused);
  const n = f32x4.sub(t, k(3));
  // n·LN2_HI is exact (see LN2_HI), so fused or not, r's first part is the same.
  let r = nmadd(n, k(4), x, fused);
  r = nmadd(n, k(5), r, fused);
  let p = k(6);
  p = madd(p, r, k(7), fused);
  p = madd(p, r, k(8), fused);
  p = madd(p, r, k(9), fused);
  p = madd(p, r, k(10), fused);
  p = madd(p, r, k(11), fused);
  p = f32x4.add(madd(p, f32x4.mul(r, r), r, fused), k(12));
  // The low bits of t hold n (see ROUND_MAGIC); shifting them into the exponent field drops
  // the magic's own bits, so (t << 23) + bits(1.0) is the f32 2^n for −126 ≤ n ≤ 127.
  const scale = i32x4.add(i32x4.shl(t, 23), v128.load(INT_CONSTANTS));
  return f32x4.mul(p, scale);
}

/** The logistic function 1/(1 + e^−x); e^−|x| is used on both sides, so it never overflows. `fused` as for `expv`. */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128, fused: bool): v128 {
  const e = expv(v128.or(x, v128.load(INT_CONSTANTS, 16)), fused); // e^−|x| ∈ [0, 1]
  const one = k(12);
  const s = f32x4.div(one, f32x4.add(one, e));
  // x ≥ 0: 1/(1 + e^−x); x < 0: e^x/(1 + e^x), which keeps full relative accuracy.
  return v128.bitselect(s, f32x4.mul(e, s), f32x4.ge(x, f32x4.splat(0.0)));
}

/** Slope of TensorFlow.js's (and Keras 2's) hard sigmoid. */
export const HARD_SIGMOID_SLOPE: f32 = 0.2;
/** Slope of Keras 3's hard sigmoid relu6(x + 3)/6. */
export const KERAS_HARD_SIGMOID_SLOPE: f32 = <f32>(1.0 / 6.0);

/** The hard sigmoid clip(slope·x + 0.5, 0, 1): slope 0.2 (tfjs, Keras 2) or 1/6 (Keras 3). */
// @ts-ignore: decorator
@inline export function hardSigmoidv(x: v128, slope: f32): v128 {
  const y = f32x4.add(f32x4.mul(x, f32x4.splat(slope)), f32x4.splat(0.5));
  return f32x4.pmax(f32x4.pmin(y, f32x4.splat(1.0)), f32x4.splat(0.0));
}

/**
 * tanh on each lane (Cephes tanhf); saturates to ±1 for large |x|, exact sign, tanh(±0) = ±0.
 *
 * Both branches are computed for every lane, so each is fed only arguments of its own range:
 * the exp of the large branch sees at least 2·0.625, and the polynomial of the small branch at
 * least 2^-32. Fed |x| below about 1e-19 (as the plain Cephes form was), x² and the exp's r² are
 * subnormal, and every operation on a subnormal costs a microcode assist on x86: tanh of such
 * lanes ran at ~30 cycles per element instead of ~10. `fused` as for `expv`.
 */
// @ts-ignore: decorator
@inline export function tanhv(x: v128, fused: bool): v128 {
  // Both branches work on |x|; the sign is put back at the end (so tanh(−0) = −0).
  const sign = v128.and(x, v128.load(INT_CONSTANTS, 16));
  const ax = v128.xor(x, sign);
  const one = k(12);
  // |x| ≥ 0.625: 1 − 2/(e^{2|x|} + 1); e^{2|x|} is clamped at e^88, where this is exactly 1.
  // (The bits of both branches are the plain Cephes form's wherever that branch is used.)
  const al = f32x4.pmax(ax, k(18));
  const e = expInRange(f32x4.pmin(f32x4.add(al, al), k(1)), fused);
  const large = f32x4.sub(one, f32x4.div(k(19), f32x4.add(e, one)));
  // |x| < 0.625: |x| + |x|·z·P(z), z = x²; below 2^-32 that is |x| itself in float32.
  const as = f32x4.pmax(ax, k(20));
  const z = f32x4.mul(as, as);
  let p = k(13);
  p = madd(p, z, k(14), fused);
  p = madd(p, z, k(15), fused);
  p = madd(p, z, k(16), fused);
  p = madd(p, z, k(17), fused);
  const small = v128.bitselect(ax, madd(f32x4.mul(p, z), as, as, fused), f32x4.lt(ax, k(20)));
  return v128.or(v128.bitselect(small, large, f32x4.lt(ax, k(18))), sign);
}

/**
 * The derivative of a gate activation from its output y: y(1 − y) for the sigmoid
 * (`activation` 0), `slope` where 0 < y < 1 and 0 where clipped for the hard sigmoids.
 */
// @ts-ignore: decorator
@inline export function gateDerivativev(y: v128, activation: i32, slope: f32): v128 {
  if (activation == 0) return f32x4.mul(y, f32x4.sub(f32x4.splat(1.0), y));
  const inside = v128.and(f32x4.gt(y, f32x4.splat(0.0)), f32x4.lt(y, f32x4.splat(1.0)));
  return v128.and(f32x4.splat(slope), inside);
}

/**
 * a·b + c on each lane. With `fused` (a constant where it is used) it is one fused multiply–add
 * in the relaxed-SIMD build (rounded once; where the CPU has no FMA, V8 may compute it
 * unfused, so the last bit can differ between machines): the traces' products use it. Without,
 * and in the SIMD build, a multiply and an add (rounded twice, the same everywhere): training
 * and gradients use that, so that a seeded training run gives the same model on every machine.
 */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && fused) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** c − a·b on each lane, fused or not as for `madd`. */
// @ts-ignore: decorator
@inline export function nmadd(a: v128, b: v128, c: v128, fused: bool): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && fused) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/** 1 in the relaxed-SIMD build, where `madd` is one fused multiply–add; 0 in the SIMD build. */
export function fusedMultiplyAdd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
