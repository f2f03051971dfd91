// Entry point of fglab-kernels.wasm: the exports that src/lab/kernels/wasm-lstm.ts calls.
export {
  reserve,
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
