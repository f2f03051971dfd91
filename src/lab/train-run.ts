/**
 * Spec cells with `task:` (and `train:`, `experiment:`): generate the task, train the model in
 * the kernel, keep it for later cells, and trace it on the task's test split, with the
 * training curves and the task's lag in the trace.
 */
import type { Comparison, Trace, TrainingRecord } from '../shared/trace';
import { attentionTrace } from './attention';
import { CancelledError } from './kernels/lstm-kernel';
import { memoryMetrics } from './metrics';
import type { LstmSpec, ModelSpec } from './spec/model-spec';
import { checkSizes } from './spec/model-spec';
import { SpecError } from './spec/validate';
import { generateTask, type Task, type TaskData } from './tasks';
import { now } from './tf';
import { checkTrainingMemory, DEFAULT_TRAINING_MEMORY_BYTES, estimateTrainingMemory } from './train-memory';
import { cloneModel, featuresOf, initialAttentionModel, initialModel, isAttentionModel, lossOf, accuracyOf, predict, predictAttention, trainModel, type AttentionConfig, type RecurrentConfig, type TrainedModel, type TrainingProgress } from './train';

/** Trained models of a notebook's kernel, by name (`train.name` or the cell's name). */
export type ModelStore = Map<string, TrainedModel>;

/** What a training spec needs from where it runs (a subset of `SpecContext`). */
export interface TrainingContext {
  shouldStop?: () => boolean;
  /** The kernel's trained models; without it nothing is kept. */
  models?: ModelStore;
  /** Name a trained model is kept under when `train.name` is absent (the cell, `cell 2`). */
  cellName?: string;
  /** Called after every optimizer step; the caller throttles. */
  onTrainingProgress?: (progress: TrainingProgress) => void;
  /** The variant being run, named in progress reports (experiments). */
  variant?: string;
  /** Largest estimated memory of a run, in bytes (`fglab.workerMemoryLimitMB`); default `DEFAULT_TRAINING_MEMORY_BYTES`. */
  memoryLimitBytes?: number;
}

/** A spec with a task. */
export type TaskSpecOf<S extends ModelSpec> = S & { task: NonNullable<S['task']> };

function configOf(spec: ModelSpec): RecurrentConfig | AttentionConfig {
  switch (spec.model) {
    case 'lstm':
      return { model: 'lstm', units: spec.units, recurrentActivation: spec.recurrentActivation, forgetGate: spec.forgetGate ?? true };
    case 'gru':
      return { model: 'gru', units: spec.units, recurrentActivation: spec.recurrentActivation, resetAfter: spec.resetAfter };
    case 'attention':
    case 'forgetting-attention':
      return { model: spec.model, heads: spec.heads, keyDim: spec.keyDim, score: spec.model === 'attention' ? spec.score : 'scaled-dot' };
  }
}

function isAttentionConfig(config: RecurrentConfig | AttentionConfig): config is AttentionConfig {
  return config.model === 'attention' || config.model === 'forgetting-attention';
}

/** What must agree between a spec and a stored model, as [key, the spec's value, the model's]. */
function agreement(config: RecurrentConfig | AttentionConfig, stored: TrainedModel): [string, unknown, unknown][] {
  const want: [string, unknown, unknown][] = [['model', config.model, stored.config.model]];
  if (isAttentionConfig(config)) {
    const theirs = stored.config as Partial<AttentionConfig>;
    want.push(['heads', config.heads, theirs.heads], ['keyDim', config.keyDim, theirs.keyDim]);
    if (config.model === 'attention') want.push(['score', config.score, theirs.score]);
    return want;
  }
  const theirs = stored.config as Partial<RecurrentConfig>;
  want.push(['units', config.units, theirs.units]);
  if (config.model === 'lstm') want.push(['forgetGate', config.forgetGate, theirs.forgetGate ?? true]);
  else want.push(['resetAfter', config.resetAfter, theirs.resetAfter]);
  return want;
}

/** The model a spec starts from: a stored one (`weights.from`), checked against the spec, or a fresh one. */
export function startingModel(spec: ModelSpec, task: Task, context: TrainingContext): TrainedModel {
  const config = configOf(spec);
  const { features, outputs } = task.train;
  const from = spec.weights.from;
  if (from === undefined) {
    const seed = spec.weights.seed ?? 0;
    if (isAttentionConfig(config)) {
      return initialAttentionModel(config, features, outputs, { seed, forgetBias: spec.model === 'forgetting-attention' ? spec.forgetBias : 0 });
    }
    const lstm = spec.model === 'lstm' ? spec : undefined;
    return initialModel(config, features, outputs, { seed, unitForgetBias: lstm?.unitForgetBias ?? false, forgetBias: lstm?.forgetBias ?? 0, chrono: lstm?.init?.chrono });
  }
  const stored = context.models?.get(from);
  if (!stored) {
    const names = [...(context.models?.keys() ?? [])];
    throw new SpecError(`weights.from: expected the name of a model trained earlier in this kernel (${names.length ? names.map((n) => JSON.stringify(n)).join(', ') : 'none yet: run a cell with train first'}), got ${JSON.stringify(from)}`, 'weights.from');
  }
  const want = agreement(config, stored);
  want.push(['features of the task', features, featuresOf(stored)], ['outputs of the task', outputs, stored.outputs]);
  for (const [key, mine, theirs] of want) {
    if (mine !== theirs) throw new SpecError(`weights.from: ${JSON.stringify(from)} has ${key} ${String(theirs)}, this spec asks for ${String(mine)}`, 'weights.from');
  }
  return cloneModel(stored);
}

/** Figures of the Reber task on a split: outer T/P accuracy and legal-next-symbol accuracy (Gers et al. 2000). */
export function reberMetrics(data: TaskData, logits: Float32Array): { outerAccuracy: number; legalAccuracy: number } {
  const C = data.outputs;
  let outerRight = 0;
  let outerCount = 0;
  let legalRight = 0;
  let legalCount = 0;
  for (let r = 0; r < data.mask.length; r++) {
    if (data.mask[r] === 0) continue;
    let best = 0;
    for (let c = 1; c < C; c++) if (logits[r * C + c] > logits[r * C + best]) best = c;
    legalCount++;
    if (data.legal![r * C + best] === 1) legalRight++;
    if (data.outer![r] === 1) {
      outerCount++;
      if (data.targets[r * C + best] === 1) outerRight++;
    }
  }
  return { outerAccuracy: outerCount ? outerRight / outerCount : 0, legalAccuracy: legalCount ? legalRight / legalCount : 0 };
}

/** Mean |c_t| over units and test rows, per step: how large the LSTM's cell state grows. */
function cellMagnitude(cell: Float32Array, batch: number, time: number, units: number): number[] {
  const out = new Array<number>(time).fill(0);
  for (let b = 0; b < batch; b++) for (let t = 0; t < time; t++) for (let u = 0; u < units; u++) out[t] += Math.abs(cell[(b * time + t) * units + u]);
  return out.map((v) => v / (batch * units));
}

/** The trained model's trace on the test split (without `training`), and its logits `[n·T, outputs]`. */
function testTrace(spec: ModelSpec, model: TrainedModel, test: TaskData, shouldStop?: () => boolean): { trace: Trace; logits: Float32Array } {
  const { n: batch, time, features } = test;
  if (isAttentionModel(model)) {
    const { run, logits, input } = predictAttention(model, test);
    return { trace: attentionTrace(model.config.model, input, model.attention, run), logits };
  }
  const { run, logits } = predict(model, test, shouldStop);
  const units = model.config.units;
  const keep = run.series[spec.model === 'lstm' ? 'forgetGate' : 'updateGate'].data;
  const trace: Trace = {
    model: model.config.model,
    dims: { batch, time, units, features },
    series: run.series,
    metrics: memoryMetrics(keep, batch, time, units),
    timings: { ...run.timings },
  };
  return { trace, logits };
}

/**
 * Runs a spec with a task: trains when `train` is given, keeps the model, traces it on the
 * test split. Interrupted training keeps the model and ends with `CancelledError` saying
 * where it stopped and under which name the model is kept.
 */
export function traceTask(spec: TaskSpecOf<ModelSpec>, context: TrainingContext): Trace {
  const t0 = now();
  if (spec.model === 'lstm' || spec.model === 'gru') {
    checkTrainingMemory(estimateTrainingMemory(spec, spec.task, spec.train), context.memoryLimitBytes ?? DEFAULT_TRAINING_MEMORY_BYTES, spec.train ? 'train' : 'task');
  }
  let task: Task;
  try {
    task = generateTask(spec.task);
  } catch (e) {
    throw new SpecError((e as Error).message, 'task');
  }
  checkSizes(spec, task.test.n, task.test.time, task.test.features, 'task');
  checkSizes(spec, task.train.n, task.train.time, task.train.features, 'task');
  let model = startingModel(spec, task, context);
  let record: TrainingRecord | undefined;
  if (spec.train) {
    const variant = context.variant;
    const onProgress = context.onTrainingProgress && ((p: TrainingProgress) => context.onTrainingProgress!(variant === undefined ? p : { ...p, variant }));
    const trained = trainModel(model, task, spec.train, { shouldStop: context.shouldStop, onProgress });
    model = trained.model;
    record = trained.record;
    const name = spec.train.name ?? context.cellName;
    if (name !== undefined) context.models?.set(name, model);
    if (record.stopped) throw interrupted(record, name, context);
  }
  return traceOnTest(spec, task, model, record, context.shouldStop, t0);
}

/** The error ending an interrupted training: where it stopped, and the name the model so far is kept under. */
export function interrupted(record: TrainingRecord, name: string | undefined, context: TrainingContext): CancelledError {
  const error = new CancelledError();
  const at = `epoch ${record.testLoss.length + 1} of ${record.epochs}, after ${record.loss.length} steps`;
  error.message = `Training interrupted at ${at}${name !== undefined && context.models ? `: the model trained so far is kept as ${JSON.stringify(name)} (weights: { from: ${JSON.stringify(name)} })` : ''}`;
  return error;
}

/**
 * The trace of `model` on `task`'s test split, with `record` (or an empty record when nothing
 * was trained) as its training, the test figures in `record.metrics`.
 */
export function traceOnTest(spec: ModelSpec, task: Task, model: TrainedModel, record: TrainingRecord | undefined, shouldStop: (() => boolean) | undefined, t0 = now()): Trace {
  const { trace, logits } = testTrace(spec, model, task.test, shouldStop);
  const metrics: Record<string, number> = {
    testLoss: lossOf(task.kind, logits, task.test.targets, task.test.mask, task.test.outputs),
    testAccuracy: accuracyOf(task.kind, logits, task.test.targets, task.test.mask, task.test.outputs),
  };
  if (task.name === 'reber') Object.assign(metrics, reberMetrics(task.test, logits));
  const training: TrainingRecord = record ?? {
    task: { name: task.name, lag: task.lag },
    epochs: 0,
    stepsPerEpoch: 0,
    loss: [],
    accuracy: [],
    testLoss: [],
    testAccuracy: [],
    stopped: false,
  };
  training.metrics = metrics;
  if (spec.model === 'lstm') training.cellMagnitude = cellMagnitude(trace.series.cell.data, trace.dims.batch, trace.dims.time, trace.dims.units);
  trace.timings = { ...trace.timings, trainMs: record?.trainMs ?? 0 };
  trace.training = training;
  if (task.test.symbols) trace.labels = task.test.symbols[0];
  trace.spec = JSON.parse(JSON.stringify(spec));
  (trace.timings as Record<string, number>).totalMs = now() - t0;
  return trace;
}

/** Whether a spec has a task (and so runs through `traceTask`). */
export function hasTask<S extends ModelSpec>(spec: S): spec is TaskSpecOf<S> {
  return spec.task !== undefined;
}

/** Names of the variants of `learning-to-forget`. */
export const LEARNING_TO_FORGET_VARIANTS = ['no forget gate (1997)', 'forget gate (2000)'] as const;

/**
 * `experiment: learning-to-forget` (Gers, Schmidhuber & Cummins 2000): the spec trained twice
 * from the same initial weights and data order, without a forget gate (f ≡ 1) and with one.
 * Each variant's model is kept as `<name> / no forget gate` and `<name> / forget gate`.
 */
export function learningToForget(spec: TaskSpecOf<LstmSpec>, context: TrainingContext): Comparison {
  const variants: Comparison['variants'] = [];
  const base = spec.train?.name ?? context.cellName;
  for (const [i, forgetGate] of [false, true].entries()) {
    const name = LEARNING_TO_FORGET_VARIANTS[i];
    const variant: TaskSpecOf<LstmSpec> = { ...spec, forgetGate, experiment: undefined, train: spec.train && { ...spec.train, name: base === undefined ? undefined : `${base} / ${forgetGate ? 'forget gate' : 'no forget gate'}` } };
    delete variant.experiment;
    variants.push({ name, trace: traceTask(variant, { ...context, variant: name }) });
  }
  return { kind: 'comparison', variants };
}
