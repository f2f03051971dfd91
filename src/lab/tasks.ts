/**
 * Synthetic memory tasks with a known lag, generated from a seed (`src/lab/rng.ts`), so the
 * same spec gives the same data on every machine and a chart can put "the lag the task needs"
 * beside "the half-life the model learned".
 *
 * Every task gives inputs `[n, time, features]`, per-step targets `[n, time, outputs]` and a
 * per-step mask `[n, time]` (1 where the loss and accuracy count). Classification tasks take
 * a softmax over `outputs` classes with the target one-hot; `adding` is a regression (one
 * output, squared error).
 */
import { createRandom, type Random } from './rng';

/** The task names of `task.name`. */
export type TaskName = 'reber' | 'copy' | 'adding' | 'recall';

/** What `task:` in a spec declares (defaults filled in by the schema). */
export interface TaskSpec {
  name: TaskName;
  /** Steps per training sequence (reber, adding, recall); copy derives it from `symbols` and `lag`. */
  length: number;
  /** copy: blank steps between the symbols and their reproduction; recall: steps from key to query. */
  lag: number;
  /** copy: symbols to reproduce (k); recall: distinct keys. */
  symbols: number;
  /** Training sequences. */
  trainSize: number;
  /** Test sequences (reber: one stream of `testLength` steps). */
  testSize: number;
  /** reber: steps of the continual test stream (default 10 × length). */
  testLength?: number;
  seed: number;
}

/** One split of a task. */
export interface TaskData {
  n: number;
  time: number;
  features: number;
  outputs: number;
  /** `[n][time][features]`. */
  inputs: Float32Array;
  /** `[n][time][outputs]`: one-hot targets, or the value for regression. */
  targets: Float32Array;
  /** `[n][time]`: 1 where the step is scored. */
  mask: Float32Array;
  /** reber only: `[n][time][outputs]`, 1 for every symbol the grammar allows next. */
  legal?: Float32Array;
  /** reber only: 1 at the steps that predict the second outer T/P (the step reading the inner E). */
  outer?: Float32Array;
  /** Symbol of each step for labels (reber, copy, recall), `[n][time]`. */
  symbols?: string[][];
}

/** A generated task: train and test splits and the lag it needs. */
export interface Task {
  name: TaskName;
  kind: 'classification' | 'regression';
  /**
   * The lag the task needs, in steps: the mean distance between an input and the step where
   * it must be used (reber: outer T/P to its repetition; copy: k + lag; adding: first marker
   * to the end; recall: `lag`).
   */
  lag: number;
  /** Class names (classification). */
  classes?: string[];
  train: TaskData;
  test: TaskData;
}

function allocate(n: number, time: number, features: number, outputs: number): TaskData {
  return {
    n,
    time,
    features,
    outputs,
    inputs: new Float32Array(n * time * features),
    targets: new Float32Array(n * time * outputs),
    mask: new Float32Array(n * time),
  };
}

function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random.uniform() * n));
}

// ---------------------------------------------------------------------------------------
// Embedded Reber grammar (Hochreiter & Schmidhuber 1997; continual: Gers et al. 2000)

/** The seven symbols, in one-hot order. */
export const REBER_SYMBOLS = ['B', 'T', 'P', 'S', 'X', 'V', 'E'] as const;

/** The Reber grammar's transitions: state → [symbol, next state] twice (each taken with p = ½). State 5 emits E. */
const REBER_GRAPH: readonly (readonly [string, number])[][] = [
  [['T', 1], ['P', 2]],
  [['S', 1], ['X', 3]],
  [['T', 2], ['V', 4]],
  [['X', 2], ['S', 5]],
  [['P', 3], ['V', 5]],
];

/** One symbol of a stream with the set of symbols the grammar allowed after it. */
interface ReberStep {
  symbol: string;
  /** Symbols allowed next. */
  next: string[];
  /** Whether this step reads the inner E, so the next symbol is the outer T/P again. */
  outer: boolean;
  /** For outer steps: distance back to the first outer T/P. */
  span: number;
}

/**
 * One embedded Reber string: B, T or P, an inner Reber string (B … E), the same T or P, E.
 * Each step carries the symbols allowed after it (after the final E: B, the next string).
 */
export function embeddedReber(random: Random): ReberStep[] {
  const outer = random.uniform() < 0.5 ? 'T' : 'P';
  const steps: ReberStep[] = [
    { symbol: 'B', next: ['T', 'P'], outer: false, span: 0 },
    { symbol: outer, next: ['B'], outer: false, span: 0 },
    { symbol: 'B', next: ['T', 'P'], outer: false, span: 0 },
  ];
  let state = 0;
  while (state !== 5) {
    const [symbol, next] = REBER_GRAPH[state][random.uniform() < 0.5 ? 0 : 1];
    state = next;
    steps.push({ symbol, next: state === 5 ? ['E'] : REBER_GRAPH[state].map(([s]) => s), outer: false, span: 0 });
  }
  steps.push({ symbol: 'E', next: [outer], outer: true, span: steps.length - 1 });
  steps.push({ symbol: outer, next: ['E'], outer: false, span: 0 });
  steps.push({ symbol: 'E', next: ['B'], outer: false, span: 0 });
  return steps;
}

/** A continual stream of `time` steps: embedded Reber strings back to back, cut at `time`. */
function reberStream(random: Random, time: number): ReberStep[] {
  const steps: ReberStep[] = [];
  while (steps.length < time + 1) steps.push(...embeddedReber(random));
  return steps.slice(0, time + 1);
}

function reberSplit(random: Random, n: number, time: number, spans: number[]): TaskData {
  const C = REBER_SYMBOLS.length;
  const data = allocate(n, time, C, C);
  data.legal = new Float32Array(n * time * C);
  data.outer = new Float32Array(n * time);
  data.symbols = [];
  for (let b = 0; b < n; b++) {
    const stream = reberStream(random, time);
    const labels: string[] = [];
    for (let t = 0; t < time; t++) {
      const step = stream[t];
      const at = b * time + t;
      data.inputs[at * C + REBER_SYMBOLS.indexOf(step.symbol as never)] = 1;
      data.targets[at * C + REBER_SYMBOLS.indexOf(stream[t + 1].symbol as never)] = 1;
      for (const s of step.next) data.legal[at * C + REBER_SYMBOLS.indexOf(s as never)] = 1;
      data.mask[at] = 1;
      if (step.outer) {
        data.outer[at] = 1;
        spans.push(step.span);
      }
      labels.push(step.symbol);
    }
    data.symbols.push(labels);
  }
  return data;
}

// ---------------------------------------------------------------------------------------

/**
 * The copy task: k symbols of an alphabet of 8, `lag` blank steps (the last one flagged "go"),
 * then k steps where the symbols must be reproduced in order (only those are scored).
 */
function copyTask(spec: TaskSpec, random: Random, n: number): TaskData {
  const k = spec.symbols;
  const alphabet = 8;
  const time = 2 * k + spec.lag;
  // Features: the alphabet, blank, go (the last blank step before the reproduction).
  const F = alphabet + 2;
  const C = alphabet + 1; // the alphabet, blank
  const data = allocate(n, time, F, C);
  data.symbols = [];
  for (let b = 0; b < n; b++) {
    const labels: string[] = [];
    const seq = Array.from({ length: k }, () => randomInt(random, alphabet));
    for (let t = 0; t < time; t++) {
      const at = b * time + t;
      let feature = alphabet; // blank
      if (t < k) feature = seq[t];
      else if (t === k + spec.lag - 1) feature = alphabet + 1; // go
      data.inputs[at * F + feature] = 1;
      labels.push(feature < alphabet ? String.fromCharCode(65 + feature) : feature === alphabet ? '·' : '>');
      const out = t >= k + spec.lag ? seq[t - k - spec.lag] : alphabet;
      data.targets[at * C + out] = 1;
      data.mask[at] = t >= k + spec.lag ? 1 : 0;
    }
    data.symbols.push(labels);
  }
  return data;
}

/** The adding problem: a value and a marker per step; the target is the sum of the two marked values. */
function addingTask(spec: TaskSpec, random: Random, n: number, lags: number[]): TaskData {
  const T = spec.length;
  const data = allocate(n, T, 2, 1);
  const half = Math.max(1, Math.floor(T / 2));
  for (let b = 0; b < n; b++) {
    const first = randomInt(random, half);
    const second = half + randomInt(random, T - half);
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const value = random.uniform();
      const at = b * T + t;
      data.inputs[at * 2] = value;
      if (t === first || t === second) {
        data.inputs[at * 2 + 1] = 1;
        sum += Math.fround(value);
      }
    }
    data.targets[b * T + T - 1] = sum;
    data.mask[b * T + T - 1] = 1;
    lags.push(T - 1 - first);
  }
  return data;
}

/**
 * Key–value recall: distractor steps show random (key, value) pairs of other keys; at a
 * random step the queried key is shown with its value, and `lag` steps later the key comes
 * back with the query flag: the output there is the value.
 */
function recallTask(spec: TaskSpec, random: Random, n: number): TaskData {
  const K = spec.symbols;
  const V = 8;
  const T = spec.length;
  const F = K + V + 1; // key one-hot, value one-hot, query flag
  const data = allocate(n, T, F, V);
  data.symbols = [];
  for (let b = 0; b < n; b++) {
    const key = randomInt(random, K);
    const value = randomInt(random, V);
    const position = randomInt(random, T - spec.lag);
    const query = position + spec.lag;
    const labels: string[] = [];
    for (let t = 0; t < T; t++) {
      const at = b * T + t;
      if (t === position) {
        data.inputs[at * F + key] = 1;
        data.inputs[at * F + K + value] = 1;
        labels.push(`k${key}=${value}`);
      } else if (t === query) {
        data.inputs[at * F + key] = 1;
        data.inputs[at * F + K + V] = 1;
        labels.push(`k${key}?`);
        data.targets[at * V + value] = 1;
        data.mask[at] = 1;
      } else if (K > 1) {
        let other = randomInt(random, K - 1);
        if (other >= key) other++;
        const v = randomInt(random, V);
        data.inputs[at * F + other] = 1;
        data.inputs[at * F + K + v] = 1;
        labels.push(`k${other}=${v}`);
      } else {
        labels.push('·');
      }
    }
    data.symbols.push(labels);
  }
  return data;
}

/** Checks the sizes a task spec asks for; throws naming the key, what was expected and what was got. */
export function checkTaskSpec(spec: TaskSpec): void {
  if (spec.name === 'recall' && spec.lag >= spec.length) {
    throw new Error(`task.lag: expected fewer steps than task.length (${spec.length}) for recall, got ${spec.lag}`);
  }
  if (spec.name === 'adding' && spec.length < 2) throw new Error(`task.length: expected at least 2 steps for adding, got ${spec.length}`);
}

/** Sizes of a task's splits, known from its spec before anything is generated. */
export interface TaskShape {
  train: { n: number; time: number };
  test: { n: number; time: number };
  features: number;
  outputs: number;
}

/** The sizes `generateTask(spec)` will allocate (the tests check they agree). */
export function taskShape(spec: TaskSpec): TaskShape {
  const split = (time: number, testTime = time) => ({ train: { n: spec.trainSize, time }, test: { n: spec.testSize, time: testTime } });
  switch (spec.name) {
    case 'reber':
      return { ...split(spec.length, spec.testLength ?? 10 * spec.length), features: REBER_SYMBOLS.length, outputs: REBER_SYMBOLS.length };
    case 'copy':
      return { ...split(2 * spec.symbols + spec.lag), features: 10, outputs: 9 };
    case 'adding':
      return { ...split(spec.length), features: 2, outputs: 1 };
    case 'recall':
      return { ...split(spec.length), features: spec.symbols + 9, outputs: 8 };
  }
}

/** Generates a task's train and test splits from its seed (the test split from a seed of its own). */
export function generateTask(spec: TaskSpec): Task {
  checkTaskSpec(spec);
  const trainRandom = createRandom(spec.seed);
  const testRandom = createRandom(spec.seed + 0x9e3779b9);
  switch (spec.name) {
    case 'reber': {
      const spans: number[] = [];
      const train = reberSplit(trainRandom, spec.trainSize, spec.length, spans);
      const test = reberSplit(testRandom, spec.testSize, spec.testLength ?? 10 * spec.length, spans);
      return { name: 'reber', kind: 'classification', lag: mean(spans), classes: [...REBER_SYMBOLS], train, test };
    }
    case 'copy':
      return {
        name: 'copy',
        kind: 'classification',
        lag: spec.symbols + spec.lag,
        classes: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', '·'],
        train: copyTask(spec, trainRandom, spec.trainSize),
        test: copyTask(spec, testRandom, spec.testSize),
      };
    case 'adding': {
      const lags: number[] = [];
      const train = addingTask(spec, trainRandom, spec.trainSize, lags);
      const test = addingTask(spec, testRandom, spec.testSize, lags);
      return { name: 'adding', kind: 'regression', lag: mean(lags), train, test };
    }
    case 'recall':
      return {
        name: 'recall',
        kind: 'classification',
        lag: spec.lag,
        classes: Array.from({ length: 8 }, (_, i) => String(i)),
        train: recallTask(spec, trainRandom, spec.trainSize),
        test: recallTask(spec, testRandom, spec.testSize),
      };
  }
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}
