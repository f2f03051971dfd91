// Activations over rows of f32 in linear memory, four lanes at a time.

import { HARD_SIGMOID_SLOPE, hardSigmoidv, KERAS_HARD_SIGMOID_SLOPE, sigmoidv, tanhv } from './math';

/** dst[k] = σ(src[k]) for `bytes` bytes of f32 (a multiple of 16). */
function sigmoidRow(src: usize, dst: usize, bytes: usize): void {
  for (let k: usize = 0; k < bytes; k += 16) v128.store(dst + k, sigmoidv(v128.load(src + k)));
}

/** dst[k] = hardSigmoid(src[k]) with the given slope, for `bytes` bytes of f32 (a multiple of 16). */
function hardSigmoidRow(src: usize, dst: usize, bytes: usize, slope: f32): void {
  for (let k: usize = 0; k < bytes; k += 16) v128.store(dst + k, hardSigmoidv(v128.load(src + k), slope));
}

/** The slope of a hard-sigmoid activation code (1: 0.2, 2: 1/6). */
// @ts-ignore: decorator
@inline export function hardSlope(activation: i32): f32 {
  return activation == 1 ? HARD_SIGMOID_SLOPE : KERAS_HARD_SIGMOID_SLOPE;
}

/**
 * dst[k] = the gate activation of src[k] for `bytes` bytes of f32: `activation` 0 sigmoid,
 * 1 hard sigmoid (slope 0.2), 2 Keras 3 hard sigmoid (slope 1/6).
 */
export function gateRow(activation: i32, src: usize, dst: usize, bytes: usize): void {
  if (activation == 0) sigmoidRow(src, dst, bytes);
  else hardSigmoidRow(src, dst, bytes, hardSlope(activation));
}

/** dst[k] = tanh(src[k]) for `bytes` bytes of f32 (a multiple of 16). */
export function tanhRow(src: usize, dst: usize, bytes: usize): void {
  for (let k: usize = 0; k < bytes; k += 16) v128.store(dst + k, tanhv(v128.load(src + k)));
}
