/** Running a spec cell: parse, load, trace, measure. */
import type { OutputItemBytes } from '../shared/protocol';
import type { Trace } from '../shared/trace';
import { traceOutputItems } from './output';
import { loadInput, loadWeights, type ReadFile } from './data';
import { traceLstm } from './lstm';
import { memoryMetrics } from './metrics';
import { parseLstmSpec } from './spec/lstm-spec';
import { now } from './tf';

/** What a spec needs from where it runs. */
export interface SpecContext {
  /** Reads a file named in the spec; relative paths resolve against the notebook's folder. */
  readFile: ReadFile;
  /** Checked between chunks of steps; returning true stops the run with `CancelledError`. */
  shouldStop?: () => boolean;
}

/** Parses, validates and runs the YAML source of a spec cell. Throws `SpecError` on bad input. */
export async function traceSpec(source: string, context: SpecContext): Promise<Trace> {
  const t0 = now();
  const spec = parseLstmSpec(source);
  const input = loadInput(spec, context.readFile);
  const weights = loadWeights(spec, input.features, context.readFile);
  const t1 = now();
  const run = traceLstm(input, weights, { recurrentActivation: spec.recurrentActivation, shouldStop: context.shouldStop });
  const forget = run.series.forgetGate.data;
  const metrics = memoryMetrics(forget, input.batch, input.time, spec.units);
  const t2 = now();
  return {
    model: 'lstm',
    dims: { batch: input.batch, time: input.time, units: spec.units, features: input.features },
    series: run.series,
    metrics,
    spec: JSON.parse(JSON.stringify(spec)),
    timings: { setupMs: t1 - t0, ...run.timings, totalMs: t2 - t0 },
  };
}

/**
 * Runs a spec cell and returns its output items (trace JSON, Markdown summary): what the
 * worker sends to the host and what `fglab run` writes into the notebook.
 */
export async function runSpecCell(source: string, context: SpecContext): Promise<OutputItemBytes[]> {
  return traceOutputItems(await traceSpec(source, context));
}
