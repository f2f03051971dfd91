/**
 * `experiment: continual` — catastrophic forgetting (McCloskey & Cohen 1989): a model trained on
 * task A, then on task B, forgets A unless something keeps it. Every mitigation starts from the
 * same A-trained model and sees B's data in the same order:
 *
 * - `none`: plain training on B;
 * - `rehearsal`: A's training sequences replayed in every batch of B (`Replay` in train.ts);
 * - `ewc`: elastic weight consolidation (Kirkpatrick et al. 2017), B's loss plus
 *   (λ/2)·Σ_i F_i (θ_i − θ*_i)² with θ* the A-trained weights and F the diagonal of the
 *   empirical Fisher information on A's training split (`fisherDiagonal`).
 *
 * A's and B's test splits are evaluated before B and `evaluations` times per epoch of B: the
 * forgetting curve (`ContinualCurve` in the trace). Each variant is traced on A's test split, so
 * the gate and half-life views compare the A-trained model with each model after B.
 */
import type { Comparison, ContinualCurve, Trace } from '../shared/trace';
import { median } from './metrics';
import type { ContinualSpec, LstmSpec, Mitigation } from './spec/model-spec';
import { checkSizes } from './spec/model-spec';
import { SpecError } from './spec/validate';
import { generateTask, taskShape, type Task, type TaskData, type TaskSpec } from './tasks';
import { tf } from './tf';
import { evaluate, fisherDiagonal, modelParameters, replayCount, trainModel, type Penalty, type TrainedModel, type TrainOptions, type TrainingProgress } from './train';
import { checkTrainingMemory, DEFAULT_TRAINING_MEMORY_BYTES, estimateTrainingMemory, weightCount, type TrainingMemory } from './train-memory';
import { interrupted, startingModel, traceOnTest, type TaskSpecOf, type TrainingContext } from './train-run';

/** A spec of `experiment: continual`. */
export type ContinualExperimentSpec = TaskSpecOf<LstmSpec> & { continual: ContinualSpec };

/** Name of the variant that shows the model after task A, before B. */
export const AFTER_A = 'after A';

/** The split `d` with its features from column `offset` of `features`, and its targets padded to `outputs` classes. */
function placeSplit(d: TaskData, offset: number, features: number, outputs: number): TaskData {
  const rows = d.n * d.time;
  const inputs = new Float32Array(rows * features);
  const targets = new Float32Array(rows * outputs);
  const legal = d.legal && new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    inputs.set(d.inputs.subarray(r * d.features, (r + 1) * d.features), r * features + offset);
    targets.set(d.targets.subarray(r * d.outputs, (r + 1) * d.outputs), r * outputs);
    legal?.set(d.legal!.subarray(r * d.outputs, (r + 1) * d.outputs), r * outputs);
  }
  return { ...d, features, outputs, inputs, targets, ...(legal ? { legal } : {}) };
}

/**
 * Tasks A and B in one input and output space for one model. With the same features and
 * outputs they are used as they are (the same inputs mean the same thing); otherwise A's inputs
 * take the first features and B's the next (side by side), and the outputs are the larger count
 * of classes, shared. Both must be classification, or both regression.
 */
export function alignTasks(a: Task, b: Task): { a: Task; b: Task } {
  if (a.kind !== b.kind) {
    throw new SpecError(`continual.then: expected a task of the same kind as task (${a.name}: ${a.kind}), got ${b.name} (${b.kind})`, 'continual.then');
  }
  if (a.train.features === b.train.features && a.train.outputs === b.train.outputs) return { a, b };
  const features = a.train.features + b.train.features;
  const outputs = Math.max(a.train.outputs, b.train.outputs);
  const place = (t: Task, offset: number): Task => ({
    ...t,
    train: placeSplit(t.train, offset, features, outputs),
    test: placeSplit(t.test, offset, features, outputs),
  });
  return { a: place(a, 0), b: place(b, a.train.features) };
}

/**
 * The EWC penalty (Kirkpatrick et al. 2017, eq. 3): (λ/2)·Σ_i F_i (θ_i − θ*_i)², with `fisher`
 * and `anchor` (θ*) in `modelParameters`'s order.
 */
export function ewcPenalty(fisher: readonly Float32Array[], anchor: readonly Float32Array[], lambda: number): Penalty {
  return (variables) => {
    const terms = variables.map((v, i) => tf.sum(tf.mul(tf.tensor(fisher[i], v.shape), tf.square(tf.sub(v, tf.tensor(anchor[i], v.shape))))));
    return tf.mul(tf.addN(terms), lambda / 2) as tf.Scalar;
  };
}

function generate(spec: TaskSpec, key: string): Task {
  try {
    return generateTask(spec);
  } catch (e) {
    throw new SpecError(`${key === 'task' ? '' : `${key}: `}${(e as Error).message}`, key);
  }
}

/** Mean of the forget gate and median half-life (steps) of a trace; the half-life is left out when no unit has one. */
function gateFigures(trace: Trace): { forgetMean: number; halfLife?: number } {
  const f = trace.series.forgetGate.data;
  let sum = 0;
  for (let i = 0; i < f.length; i++) sum += f[i];
  const halfLife = median(trace.metrics.halfLife ?? []);
  return { forgetMean: f.length ? sum / f.length : 0, ...(halfLife === null ? {} : { halfLife }) };
}

/**
 * Runs `experiment: continual`: A's training, then one training on B per mitigation. Models are
 * kept as `<name> / A` and `<name> / <mitigation>` (name: `train.name` or the cell's). The
 * variants: the model after A, then each mitigation's model after B, all traced on A's test
 * split; each mitigation's training record holds its forgetting curve and, in its metrics,
 * `retainedAccuracy` (A's test accuracy after B), `accuracyB`, `lossB`, `accuracyAAfterA`, and
 * the forget-gate mean and median half-life on A's test split after A and after B.
 */
export function continualExperiment(spec: ContinualExperimentSpec, context: TrainingContext): Comparison {
  const c = spec.continual;
  const train = spec.train!;
  checkTrainingMemory(continualMemory(spec), context.memoryLimitBytes ?? DEFAULT_TRAINING_MEMORY_BYTES, 'continual');
  const { a, b } = alignTasks(generate(spec.task, 'task'), generate(c.then, 'continual.then'));
  for (const [task, key] of [[a, 'task'], [b, 'continual.then']] as const) {
    checkSizes(spec, task.test.n, task.test.time, task.test.features, key);
    checkSizes(spec, task.train.n, task.train.time, task.train.features, key);
  }
  const { shouldStop } = context;
  const base = train.name ?? context.cellName;
  const keep = (suffix: string) => (base === undefined ? undefined : `${base} / ${suffix}`);
  const progress = (variant: string) => context.onTrainingProgress && ((p: TrainingProgress) => context.onTrainingProgress!({ ...p, variant }));

  const nameA = keep('A');
  const trainedA = trainModel(startingModel(spec, a, context), a, train, { shouldStop, onProgress: progress(AFTER_A) });
  const modelA = trainedA.model;
  if (nameA !== undefined) context.models?.set(nameA, modelA);
  if (trainedA.record.stopped) throw interrupted(trainedA.record, nameA, context);
  const traceA = traceOnTest(spec, a, modelA, trainedA.record, shouldStop);
  const gatesA = gateFigures(traceA);
  Object.assign(traceA.training!.metrics!, gatesA);
  const variants: Comparison['variants'] = [{ name: AFTER_A, trace: traceA }];

  const startA = evaluate(modelA, a.test, a.kind);
  const startB = evaluate(modelA, b.test, b.kind);
  const fisher = c.mitigations.includes('ewc') ? fisherDiagonal(modelA, a.train, a.kind, shouldStop) : undefined;
  const anchor = modelParameters(modelA);
  const trainB = { ...train, epochs: c.epochs ?? train.epochs };
  for (const mitigation of c.mitigations) {
    const curve: ContinualCurve = {
      mitigation,
      taskA: a.name,
      taskB: b.name,
      step: [0],
      lossA: [startA.loss],
      accuracyA: [startA.accuracy],
      lossB: [startB.loss],
      accuracyB: [startB.accuracy],
    };
    const options: TrainOptions<TrainedModel> = {
      shouldStop,
      onProgress: progress(mitigation),
      evaluations: c.evaluations,
      onEvaluate: (model, step) => {
        const onA = evaluate(model, a.test, a.kind);
        const onB = evaluate(model, b.test, b.kind);
        curve.step.push(step);
        curve.lossA.push(onA.loss);
        curve.accuracyA.push(onA.accuracy);
        curve.lossB.push(onB.loss);
        curve.accuracyB.push(onB.accuracy);
      },
      ...mitigationOptions(mitigation, c, a, train.seed, fisher, anchor),
    };
    const trained = trainModel(modelA, b, trainB, options);
    const name = keep(mitigation);
    if (name !== undefined) context.models?.set(name, trained.model);
    if (trained.record.stopped) throw interrupted(trained.record, name, context);
    trained.record.continual = curve;
    const trace = traceOnTest(spec, a, trained.model, trained.record, shouldStop);
    const metrics = trace.training!.metrics!;
    const after = gateFigures(trace);
    Object.assign(metrics, {
      retainedAccuracy: metrics.testAccuracy,
      accuracyB: curve.accuracyB.at(-1)!,
      lossB: curve.lossB.at(-1)!,
      accuracyAAfterA: startA.accuracy,
      ...after,
      forgetMeanAfterA: gatesA.forgetMean,
      ...(gatesA.halfLife === undefined ? {} : { halfLifeAfterA: gatesA.halfLife }),
    });
    variants.push({ name: mitigation, trace });
  }
  return { kind: 'comparison', variants };
}

/**
 * The estimated memory of the experiment: A's run in the joint space, plus B's data and one
 * trace of B's test split (evaluations), a trace of A's test split per variant and one more for
 * evaluations, replayed sequences in every step, and EWC's Fisher diagonal and anchor weights.
 */
export function continualMemory(spec: ContinualExperimentSpec): TrainingMemory {
  const c = spec.continual;
  const train = spec.train!;
  const [sa, sb] = [taskShape(spec.task), taskShape(c.then)];
  const same = sa.features === sb.features && sa.outputs === sb.outputs;
  const widths = { features: same ? sa.features : sa.features + sb.features, outputs: Math.max(sa.outputs, sb.outputs) };
  const ofB = estimateTrainingMemory(spec, c.then, undefined, widths);
  const ewc = c.mitigations.includes('ewc') ? 2 * 4 * weightCount(spec, widths.features, widths.outputs) : 0;
  return estimateTrainingMemory(spec, spec.task, train, {
    ...widths,
    traces: 2 + c.mitigations.length,
    extraBytes: ofB.total + ewc,
    batchExtra: c.mitigations.includes('rehearsal') ? replayCount(train.batchSize, c.rehearsal) : 0,
    time: sb.train.time,
  });
}

/** What a mitigation adds to B's training: replay of A (seeded apart from B's order) or the EWC penalty. */
function mitigationOptions(mitigation: Mitigation, c: ContinualSpec, a: Task, seed: number, fisher: Float32Array[] | undefined, anchor: Float32Array[]): Partial<TrainOptions<TrainedModel>> {
  switch (mitigation) {
    case 'none':
      return {};
    case 'rehearsal':
      return { replay: { data: a.train, kind: a.kind, fraction: c.rehearsal, seed: seed + 0x5eed } };
    case 'ewc':
      return { penalty: ewcPenalty(fisher!, anchor, c.ewcLambda) };
  }
}
