// Entry point of fglab-kernels.wasm: the exports that src/lab/kernels/wasm-lstm.ts and
// wasm-gru.ts call (forward passes, then backward passes), the attention heads
// (wasm-attention.ts), the orthogonal initialiser's QR step (wasm-orthogonal.ts) and which build
// this is (`fusedMultiplyAdd`).
export { reserve } from './memory';
export { inputKernelPtr, inputBiasPtr, rawInputPtr, packInputWeights } from './projection';
export {
  prepare,
  recurrentPtr,
  inputPtr,
  outputPtr,
  keepTotalsPtr,
  packRecurrent,
  resetState,
  runSteps,
  runProjectedSteps,
  compactOutputs,
  applyActivation,
} from './lstm';
export {
  gruPrepare,
  gruRecurrentPtr,
  gruBiasPtr,
  gruInputPtr,
  gruOutputPtr,
  gruKeepTotalsPtr,
  gruPackWeights,
  gruResetState,
  gruRunSteps,
  gruRunProjectedSteps,
  gruCompactOutputs,
} from './gru';
export {
  lstmBackPrepare,
  lstmBackRecurrentPtr,
  lstmBackInputPtr,
  lstmBackProjectedPtr,
  lstmBackRecurrentGradPtr,
  lstmBackStart,
  lstmBackRunSteps,
  lstmBackFinish,
} from './lstm-backward';
export {
  gruBackPrepare,
  gruBackRecurrentPtr,
  gruBackInputPtr,
  gruBackProjectedPtr,
  gruBackRecurrentGradPtr,
  gruBackBiasGradPtr,
  gruBackStart,
  gruBackRunSteps,
  gruBackFinish,
} from './gru-backward';
export {
  attnPrepare,
  attnInputPtr,
  attnWeightsInPtr,
  attnGatePtr,
  attnProject,
  attnPrefixPtr,
  attnDecayPtr,
  attnScoresPtr,
  attnWeightsPtr,
  attnOutputPtr,
  attnEntropyPtr,
  attnChunkRows,
  attnStart,
  attnRows,
} from './attention';
export { orthoPrepare, orthoRun } from './orthogonal';
export { fusedMultiplyAdd } from './math';
export { useNativeProduct } from './product';
