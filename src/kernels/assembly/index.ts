// Entry point of fglab-kernels.wasm: the exports that src/lab/kernels/wasm-lstm.ts and
// wasm-gru.ts call.
export { reserve } from './memory';
export {
  prepare,
  recurrentPtr,
  inputPtr,
  outputPtr,
  packRecurrent,
  resetState,
  runSteps,
  compactOutputs,
  applyActivation,
} from './lstm';
export {
  gruPrepare,
  gruRecurrentPtr,
  gruBiasPtr,
  gruInputPtr,
  gruOutputPtr,
  gruPackWeights,
  gruResetState,
  gruRunSteps,
  gruCompactOutputs,
} from './gru';
