// Activations over rows of f32 in linear memory, four lanes at a time. `fused` (a constant at
// each use): the activations' polynomials with fused multiply–adds where the build has them
// (traces), else with a multiply and an add per term (training; see `madd` in math.ts).

import { HARD_SIGMOID_SLOPE, hardSigmoidv, KERAS_HARD_SIGMOID_SLOPE, sigmoidv, tanhv } from './math';

/** The slope of a hard-sigmoid activation code (1: 0.2, 2: 1/6). */
// @ts-ignore: decorator
@inline export function hardSlope(activation: i32): f32 {
  return activation == 1 ? HARD_SIGMOID_SLOPE : KERAS_HARD_SIGMOID_SLOPE;
}

/**
 * dst[k] = the gate activation of src[k] for `bytes` bytes of f32 (a multiple of 16):
 * `activation` 0 sigmoid, 1 hard sigmoid (slope 0.2), 2 Keras 3 hard sigmoid (slope 1/6).
 */
// @ts-ignore: decorator
@inline export function gateRow(activation: i32, src: usize, dst: usize, bytes: usize, fused: bool): void {
  if (activation == 0) {
    for (let k: usize = 0; k < bytes; k += 16) v128.store(dst + k, sigmoidv(v128.load(src + k), fused));
  } else {
    const slope = hardSlope(activation);
    for (let k: usize = 0; k < bytes; k += 16) v128.store(dst + k, hardSigmoidv(v128.load(src + k), slope));
  }
}

/** dst[k] = tanh(src[k]) for `bytes` bytes of f32 (a multiple of 16). */
// @ts-ignore: decorator
@inline export function tanhRow(src: usize, dst: usize, bytes: usize, fused: bool): void {
  for (let k: usize = 0; k < bytes; k += 16) v128.store(dst + k, tanhv(v128.load(src + k), fused));
}
