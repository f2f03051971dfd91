/** Running a spec cell: parse, load, trace, measure. */
import type { OutputItemBytes } from '../shared/protocol';
import { isComparison, type Comparison, type Trace } from '../shared/trace';
import { attentionInfluence, traceAttention } from './attention';
import { loadAttentionWeights, loadGruWeights, loadInput, loadLstmWeights, type ReadFile } from './data';
import { traceGru } from './gru';
import { influence as recurrentInfluence } from './influence';
import { traceLstm } from './lstm';
import { memoryMetrics } from './metrics';
import { traceOutputItems } from './output';
import { parseSpec, type ModelSpec } from './spec/model-spec';
import { SpecError } from './spec/validate';
import { now } from './tf';

/** What a spec needs from where it runs. */
export interface SpecContext {
  /** Reads a file named in the spec; relative paths resolve against the notebook's folder. */
  readFile: ReadFile;
  /** Checked between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
}

/** Transposes `[batch, heads, time]` to `[batch, time, heads]` so per-head metrics reuse the per-unit ones. */
function headsLast(data: Float32Array, batch: number, heads: number, time: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let t = 0; t < time; t++) out[(b * time + t) * heads + h] = data[(b * heads + h) * time + t];
  return out;
}

/** Runs one model spec. */
export async function traceModel(spec: ModelSpec, context: SpecContext): Promise<Trace> {
  const t0 = now();
  const input = loadInput(spec, context.readFile);
  const { batch, time, features } = input;
  const wantInfluence = spec.show.includes('influence');
  let trace: Trace;
  switch (spec.model) {
    case 'lstm':
    case 'gru': {
      const run = spec.model === 'lstm'
        ? traceLstm(input, loadLstmWeights(spec, features, context.readFile), { recurrentActivation: spec.recurrentActivation, shouldStop: context.shouldStop })
        : traceGru(input, loadGruWeights(spec, features, context.readFile), { recurrentActivation: spec.recurrentActivation, resetAfter: spec.resetAfter, shouldStop: context.shouldStop });
      const keep = run.series[spec.model === 'lstm' ? 'forgetGate' : 'updateGate'].data;
      trace = {
        model: spec.model,
        dims: { batch, time, units: spec.units, features },
        series: run.series,
        metrics: memoryMetrics(keep, batch, time, spec.units),
        timings: { ...run.timings },
      };
      if (wantInfluence) {
        const t1 = now();
        trace.metrics.influence = spec.model === 'lstm'
          ? recurrentInfluence('lstm', input, loadLstmWeights(spec, features, context.readFile), { recurrentActivation: spec.recurrentActivation, shouldStop: context.shouldStop })
          : recurrentInfluence('gru', input, loadGruWeights(spec, features, context.readFile), { recurrentActivation: spec.recurrentActivation, resetAfter: spec.resetAfter, shouldStop: context.shouldStop });
        (trace.timings as Record<string, number>).influenceMs = now() - t1;
      }
      break;
    }
    case 'attention':
    case 'forgetting-attention': {
      const weights = loadAttentionWeights(spec, features, context.readFile);
      const options = {
        score: spec.model === 'attention' ? spec.score : ('scaled-dot' as const),
        causal: spec.model === 'attention' ? spec.causal : true,
        forgetting: spec.model === 'forgetting-attention',
        pruneBelow: spec.prune?.below,
      };
      const run = traceAttention(input, weights, options);
      trace = {
        model: spec.model,
        dims: { batch, time, units: spec.heads * spec.keyDim, features, heads: spec.heads, keyDim: spec.keyDim },
        series: run.series,
        metrics: { entropy: run.entropy },
        timings: { ...run.timings },
      };
      if (run.series.forgetGate) Object.assign(trace.metrics, memoryMetrics(headsLast(run.series.forgetGate.data, batch, spec.heads, time), batch, time, spec.heads));
      if (wantInfluence) {
        const t1 = now();
        trace.metrics.influence = attentionInfluence(input, weights, options);
        (trace.timings as Record<string, number>).influenceMs = now() - t1;
      }
      break;
    }
  }
  if (input.labels) trace.labels = input.labels;
  trace.spec = JSON.parse(JSON.stringify(spec));
  (trace.timings as Record<string, number>).totalMs = now() - t0;
  return trace;
}

/** Parses, validates and runs the YAML source of a spec cell: a trace, or a comparison of variants. */
export async function runSpec(source: string, context: SpecContext): Promise<Trace | Comparison> {
  const spec = parseSpec(source);
  if (spec.model !== 'compare') return traceModel(spec, context);
  const variants: Comparison['variants'] = [];
  for (const [i, v] of spec.variants.entries()) {
    try {
      variants.push({ name: v.name, trace: await traceModel(v.spec, context) });
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(`variants[${i}] ${JSON.stringify(v.name)}: ${e.message.replace(/ \(line \d+\)$/, '')}`, e.key, e.line);
      throw e;
    }
  }
  return { kind: 'comparison', variants };
}

/** Like `runSpec`, for a spec of one model (not `compare`). */
export async function traceSpec(source: string, context: SpecContext): Promise<Trace> {
  const out = await runSpec(source, context);
  if (isComparison(out)) throw new SpecError('model: expected one model to trace, got compare');
  return out;
}

/**
 * Runs a spec cell and returns its output items (trace JSON, Markdown summary): what the
 * worker sends to the host and what `fglab run` writes into the notebook.
 */
export async function runSpecCell(source: string, context: SpecContext): Promise<OutputItemBytes[]> {
  return traceOutputItems(await runSpec(source, context));
}
