/** Running a spec cell: parse, load, trace, measure. */
import type { OutputItemBytes } from '../shared/protocol';
import { isComparison, type Comparison, type OutputPrecision, type Trace } from '../shared/trace';
import { attentionInfluence, attentionTrace, traceAttention } from './attention';
import { loadAttentionWeights, loadGruWeights, loadInput, loadLstmWeights, type LstmWeights, type ReadFile, type SequenceInput } from './data';
import { traceGru, type GruWeights } from './gru';
import { traceImport } from './import/trace-import';
import { influence as recurrentInfluence } from './influence';
import { traceLstm } from './lstm';
import { memoryMetricsOfTotals } from './metrics';
import { traceOutputItems } from './output';
import { parseSpec, type ImportSpec, type ModelSpec, type RecurrentSpec } from './spec/model-spec';
import { SpecError } from './spec/validate';
import { continualExperiment, type ContinualExperimentSpec } from './continual';
import { measurePersistence } from './persistence';
import { hasTask, initialisationExperiment, learningToForget, persistenceExperiment, traceTask, type TaskSpecOf, type TrainingContext } from './train-run';
import { now } from './tf';

/** What a spec needs from where it runs. */
export interface SpecContext extends TrainingContext {
  /** Reads a file named in the spec; relative paths resolve against the notebook's folder. */
  readFile: ReadFile;
  /** Checked between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
  /** How `runSpecCell` stores series in the output (default 16-bit). */
  outputPrecision?: OutputPrecision;
  /** Seed of every seeded key a spec leaves out (`fglab.defaultSeed`, `--seed`); default 0. */
  defaultSeed?: number;
}

/**
 * Traces a recurrent model on `input` with `weights`: every gate, the memory metrics and,
 * with `show: [influence]`, the influence of each step.
 */
export function traceRecurrent(spec: RecurrentSpec, input: SequenceInput, weights: LstmWeights | GruWeights, context: SpecContext): Trace {
  const t0 = now();
  const { batch, time, features } = input;
  const common = { recurrentActivation: spec.recurrentActivation, shouldStop: context.shouldStop };
  const forgetGate = spec.model === 'lstm' ? spec.forgetGate : undefined;
  const run = spec.model === 'lstm'
    ? traceLstm(input, weights, { ...common, forgetGate })
    : traceGru(input, weights as GruWeights, { ...common, resetAfter: spec.resetAfter });
  const trace: Trace = {
    model: spec.model,
    dims: { batch, time, units: spec.units, features },
    series: run.series,
    metrics: memoryMetricsOfTotals(run.keepTotals, batch, time, spec.units),
    timings: { ...run.timings },
  };
  if (spec.show.includes('influence')) {
    const t1 = now();
    trace.metrics.influence = spec.model === 'lstm'
      ? recurrentInfluence('lstm', input, weights, { ...common, forgetGate })
      : recurrentInfluence('gru', input, weights as GruWeights, { ...common, resetAfter: spec.resetAfter });
    (trace.timings as Record<string, number>).influenceMs = now() - t1;
  }
  if (spec.persistence) {
    const t1 = now();
    trace.persistence = spec.model === 'lstm'
      ? measurePersistence({ model: 'lstm', weights, options: { ...common, forgetGate } }, input, spec.persistence)
      : measurePersistence({ model: 'gru', weights: weights as GruWeights, options: { ...common, resetAfter: spec.resetAfter } }, input, spec.persistence);
    (trace.timings as Record<string, number>).persistenceMs = now() - t1;
  }
  if (input.labels) trace.labels = input.labels;
  trace.spec = JSON.parse(JSON.stringify(spec));
  (trace.timings as Record<string, number>).totalMs = now() - t0;
  return trace;
}

/** Runs the experiment a recurrent spec with a task names. */
function runExperiment(spec: TaskSpecOf<RecurrentSpec>, context: SpecContext): Comparison {
  if (spec.experiment === 'persistence') return persistenceExperiment(spec, context);
  if (spec.model !== 'lstm') throw new SpecError(`experiment: ${spec.experiment} is for model lstm only, got ${spec.model}`, 'experiment');
  if (spec.experiment === 'continual') return continualExperiment(spec as ContinualExperimentSpec, context);
  return spec.experiment === 'initialisation' ? initialisationExperiment(spec, context) : learningToForget(spec, context);
}

/** Runs one model spec. */
export async function traceModel(spec: ModelSpec, context: SpecContext): Promise<Trace> {
  if (hasTask(spec)) return traceTask(spec, context);
  const t0 = now();
  const input = loadInput(spec, context.readFile);
  const { features } = input;
  if (spec.model === 'lstm' || spec.model === 'gru') {
    const weights = spec.model === 'lstm' ? loadLstmWeights(spec, features, context.readFile) : loadGruWeights(spec, features, context.readFile);
    const trace = traceRecurrent(spec, input, weights, context);
    (trace.timings as Record<string, number>).totalMs = now() - t0;
    return trace;
  }
  const weights = loadAttentionWeights(spec, features, context.readFile);
  const options = {
    score: spec.model === 'attention' ? spec.score : ('scaled-dot' as const),
    causal: spec.model === 'attention' ? spec.causal : true,
    forgetting: spec.model === 'forgetting-attention',
    pruneBelow: spec.prune?.below,
  };
  const trace = attentionTrace(spec.model, input, weights, traceAttention(input, weights, options));
  if (spec.show.includes('influence')) {
    const t1 = now();
    trace.metrics.influence = attentionInfluence(input, weights, options);
    (trace.timings as Record<string, number>).influenceMs = now() - t1;
  }
  if (input.labels) trace.labels = input.labels;
  trace.spec = JSON.parse(JSON.stringify(spec));
  (trace.timings as Record<string, number>).totalMs = now() - t0;
  return trace;
}

/**
 * Runs a spec of one model: a trace; or, for a model file with `weights.layer: all`, one trace
 * per recurrent layer of the stack (a comparison whose variants are named by layer).
 */
export async function traceAny(spec: ModelSpec | ImportSpec, context: SpecContext): Promise<Trace | Comparison> {
  if (spec.model !== 'import') return traceModel(spec, context);
  return traceImport(spec, context.readFile, {
    traceLayer: async (s, input, weights) => traceRecurrent(s, input, weights, context),
    traceSpec: (s) => traceModel(s, context),
  }, context.shouldStop);
}

/** Parses, validates and runs the YAML source of a spec cell: a trace, or a comparison of variants. */
export async function runSpec(source: string, context: SpecContext): Promise<Trace | Comparison> {
  const spec = parseSpec(source, { defaultSeed: context.defaultSeed });
  if ((spec.model === 'lstm' || spec.model === 'gru') && spec.experiment !== undefined && hasTask(spec)) return runExperiment(spec, context);
  if (spec.model !== 'compare') return traceAny(spec, context);
  const variants: Comparison['variants'] = [];
  for (const [i, v] of spec.variants.entries()) {
    try {
      if (v.spec.model === 'import' && v.spec.weights.layer === 'all') {
        throw new SpecError('weights.layer: all traces a stack, one trace per layer, which a variant cannot hold; name one layer per variant', 'weights.layer', v.spec.written.lineOf('weights.layer'));
      }
      const out = await traceAny(v.spec, context);
      if (isComparison(out)) throw new SpecError('weights.layer: expected one layer per variant', 'weights.layer');
      variants.push({ name: v.name, trace: out });
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(`variants[${i}] ${JSON.stringify(v.name)}: ${e.message.replace(/ \(line \d+\)$/, '')}`, e.key, e.line);
      throw e;
    }
  }
  return { kind: 'comparison', variants };
}

/** Like `runSpec`, for a spec of one model (not `compare`). */
export async function traceSpec(source: string, context: SpecContext): Promise<Trace> {
  const spec = parseSpec(source, { defaultSeed: context.defaultSeed });
  const out = spec.model === 'compare' ? await runSpec(source, context) : await traceAny(spec, context);
  if (isComparison(out)) throw new SpecError(spec.model === 'compare' ? 'model: expected one model to trace, got compare' : 'weights.layer: expected one layer to trace, got all');
  return out;
}

/**
 * Runs a spec cell and returns its output items (trace JSON, Markdown summary): what the
 * worker sends to the host and what `fglab run` writes into the notebook.
 */
export async function runSpecCell(source: string, context: SpecContext): Promise<OutputItemBytes[]> {
  return traceOutputItems(await runSpec(source, context), context.outputPrecision);
}
