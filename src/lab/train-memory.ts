/**
 * The memory a training run needs, estimated from the spec before anything is allocated, and
 * the check that refuses a run above the limit (`fglab.workerMemoryLimitMB` in VS Code, Node's
 * heap limit in the CLI) with the estimate in its one-line message.
 *
 * All float32. Per optimizer step of B sequences of T steps (F features, U units, G gate columns
 * = 4U for the LSTM and 3U for the GRU, C outputs, P weights):
 * - the kernel's tape for BPTT, kept in JavaScript from the forward to the backward pass: every
 *   step's gates and states (LSTM i, f, g, o, c, h: 6U; GRU z, r, h̃, h and the recurrent
 *   candidate term: 5U), a copy of the projected input and the backward pass's ∂p (2G + 2G);
 * - the tensors of the step: the batch, its targets and mask (2F + C + 1 with the input's
 *   reshapes), the projection x·K + b and its gradient with their reshapes (4G), the hidden
 *   states and their gradient (3U), the logits, the loss's intermediates and their gradients (6C)
 *   — measured against TensorFlow.js's peak bytes in the tests;
 * - the weights, their gradients and clipped gradients (3P), and the optimizer's slots (Adam 2P,
 *   RMSProp 2P, SGD 0).
 * Besides the step: the task's splits (inputs, targets, mask; Reber also the legal-symbol sets)
 * and the trace of the test split (`estimateTraceBytes`).
 */
import type { GruSpec, LstmSpec } from './spec/model-spec';
import { estimateTraceBytes, formatBytes } from './spec/model-spec';
import { SpecError } from './spec/validate';
import { taskShape, type TaskShape, type TaskSpec } from './tasks';
import type { TrainSpec } from './train';

/** Limit used when the caller gives none: 2 GB, the default of `fglab.workerMemoryLimitMB`. */
export const DEFAULT_TRAINING_MEMORY_BYTES = 2048 * 1024 ** 2;

/** Bytes of a training run by part. */
export interface TrainingMemory {
  /** The task's train and test splits. */
  data: number;
  /** The traces of the test split the output holds (and evaluations make). */
  traces: number;
  /** One optimizer step: the kernel's BPTT tape (JavaScript arrays). */
  tape: number;
  /** One optimizer step: its tensors. */
  tensors: number;
  /** Weights, gradients and optimizer slots. */
  weights: number;
  total: number;
}

/** Optimizer slots per weight. */
const SLOTS: Record<TrainSpec['optimizer'], number> = { adam: 2, rmsprop: 2, sgd: 0 };

/** Floats of a split: inputs, targets, mask (and Reber's legal sets). */
function splitFloats(shape: TaskShape, n: number, time: number, reber: boolean): number {
  return n * time * (shape.features + shape.outputs * (reber ? 2 : 1) + 2);
}

/** Weights of the model for a task: the recurrent layer and the dense readout. */
export function weightCount(spec: LstmSpec | GruSpec, features: number, outputs: number): number {
  const G = (spec.model === 'lstm' ? 4 : 3) * spec.units;
  const biases = spec.model === 'gru' && spec.resetAfter ? 2 * G : G;
  return features * G + spec.units * G + biases + spec.units * outputs + outputs;
}

/** Bytes of one optimizer step on `batch` sequences of `time` steps (see the file's comment). */
export function stepBytes(spec: LstmSpec | GruSpec, batch: number, time: number, features: number, outputs: number): { tape: number; tensors: number } {
  const U = spec.units;
  const G = (spec.model === 'lstm' ? 4 : 3) * U;
  const rows = 4 * batch * time;
  return { tape: rows * ((spec.model === 'lstm' ? 6 : 5) * U + 4 * G), tensors: rows * (2 * features + outputs + 1 + 4 * G + 3 * U + 6 * outputs) };
}

/**
 * Estimates a training run on `task` (or a trace on its test split when `train` is absent).
 * `extra` says what an experiment changes: traces of the test split held (default 1), bytes held
 * besides (another task's data), sequences added to each batch (replay), a longer step (another
 * task's sequences), the model's features and outputs (tasks side by side).
 */
export function estimateTrainingMemory(
  spec: LstmSpec | GruSpec,
  task: TaskSpec,
  train: TrainSpec | undefined,
  extra: { traces?: number; extraBytes?: number; batchExtra?: number; time?: number; features?: number; outputs?: number } = {},
): TrainingMemory {
  const shape = taskShape(task);
  const features = extra.features ?? shape.features;
  const outputs = extra.outputs ?? shape.outputs;
  const reber = task.name === 'reber';
  const widths = { ...shape, features, outputs };
  const data = 4 * (splitFloats(widths, shape.train.n, shape.train.time, reber) + splitFloats(widths, shape.test.n, shape.test.time, reber)) + (extra.extraBytes ?? 0);
  const traces = (extra.traces ?? 1) * estimateTraceBytes(spec, shape.test.n, shape.test.time);
  if (!train) return { data, traces, tape: 0, tensors: 0, weights: 0, total: data + traces };
  const batch = Math.min(train.batchSize, shape.train.n) + (extra.batchExtra ?? 0);
  const { tape, tensors } = stepBytes(spec, batch, Math.max(shape.train.time, extra.time ?? 0), features, outputs);
  const weights = 4 * weightCount(spec, features, outputs) * (3 + SLOTS[train.optimizer]);
  return { data, traces, tape, tensors, weights, total: data + traces + tape + tensors + weights };
}

/**
 * Refuses a run whose estimate exceeds `limitBytes`, in one line naming `key`, the limit and the
 * estimate with its parts.
 */
export function checkTrainingMemory(memory: TrainingMemory, limitBytes: number, key: string): void {
  if (memory.total <= limitBytes) return;
  const parts = [`task data ${formatBytes(memory.data)}`, `test traces ${formatBytes(memory.traces)}`];
  if (memory.tape > 0) parts.push(`one training step ${formatBytes(memory.tape + memory.tensors)}`, `weights and optimizer ${formatBytes(memory.weights)}`);
  throw new SpecError(
    `${key}: expected a run within the memory limit of ${formatBytes(limitBytes)} (fglab.workerMemoryLimitMB; in the CLI Node's heap limit), got an estimated ${formatBytes(memory.total)} (${parts.join(', ')}); use fewer or shorter sequences, a smaller batch or fewer units`,
    key,
  );
}
