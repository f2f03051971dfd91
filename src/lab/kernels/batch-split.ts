/**
 * Traces of large batches on two threads: the rows of a batch do not interact, so the thread
 * that runs the spec traces the first half of the batch while a helper thread (started by
 * the worker or the CLI, see src/worker/kernel-helper.ts) traces the second half into the same
 * shared arrays. Each row is computed by the same kernel code either way (the kernels'
 * `trace` is row-independent), so a split trace is bit-identical to an unsplit one.
 *
 * Hand-over through shared memory only, so that the spec's thread, which blocks while the
 * trace runs, needs no messages back: a job's `sync` word goes QUEUED → (the helper claims it)
 * RUNNING → DONE / FAILED / CANCELLED. When the spec's thread has finished its half and the
 * helper has not yet claimed the job (still starting, or gone), it claims the job itself.
 */
import { KEEP_TOTALS } from '../metrics';
import type { RecurrentActivation } from './activations';
import { GRU_TRACE_SERIES, type GruKernel } from './gru-kernel';
import { CancelledError, LSTM_TRACE_SERIES, type LstmKernel } from './lstm-kernel';
import type { RawInputs } from './raw-inputs';

/** What a trace of some batch rows needs: the kernel's `trace` input, for either model. */
export interface RowsRequest {
  model: 'lstm' | 'gru';
  batch: number;
  time: number;
  units: number;
  inputs: RawInputs;
  recurrentKernel: Float32Array;
  /** GRU: `b_h` (absent: zeros). */
  recurrentBias?: Float32Array;
  /** GRU only. */
  resetAfter?: boolean;
  /** LSTM only: false for the cell without a forget gate (f ≡ 1). */
  forgetGate?: boolean;
  recurrentActivation: RecurrentActivation;
  shouldStop?: () => boolean;
}

/** What a trace of some batch rows gives (see `traceRows`). */
export interface RowsTrace {
  /** The model's kernel series and `survival`, each `[batch][time][units]`. */
  series: Record<string, Float32Array>;
  /** The keep gate's totals per batch row, `[batch][KEEP_TOTALS][units]` (`keepRowTotals` in metrics.ts). */
  keepTotals: Float64Array;
}

/** A request for the helper: plain data (views of shared memory), posted to its thread. */
export interface KernelJob extends Omit<RowsRequest, 'shouldStop'> {
  /** The name of the posting thread's kernel: a helper whose kernel is another fails the job. */
  kernel: string;
  /** Where the rows' series and totals go. */
  into: RowsTrace;
  /** `[state, stop]` on shared memory: the state word (see JOB_*) and the stop request (1: stop). */
  sync: Int32Array;
}

/** Job states, in `sync[0]`. */
export const JOB_QUEUED = 0;
export const JOB_RUNNING = 1;
export const JOB_DONE = 2;
export const JOB_FAILED = 3;
export const JOB_CANCELLED = 4;
/** Claimed by the thread that posted it (the helper was too late). */
export const JOB_TAKEN_BACK = 5;

/** A thread that runs `KernelJob`s (the worker's or the CLI's helper). */
export interface KernelHelper {
  /** Hands the job to the helper's thread; returns at once (throws when no thread can be started). */
  start(job: KernelJob): void;
}

/**
 * Multiply–adds (batch · time · gates·units · (units + features)) from which a batch is split:
 * about 5 ms of kernel time, far above the cost of the hand-over (well under a millisecond).
 */
export const SPLIT_MIN_WORK = 2 ** 25;

/**
 * Whether a kernel is one a helper runs (a WebAssembly build: `wasm-simd` or
 * `wasm-relaxed-simd`); the helper runs a job only on the same build as the posting thread.
 */
export function helperKernel(name: string | undefined): boolean {
  return name === 'wasm-simd' || name === 'wasm-relaxed-simd';
}

let helper: KernelHelper | undefined;

/** Sets (or, with undefined, removes) the helper thread that large batches are split with. */
export function setKernelHelper(h: KernelHelper | undefined): void {
  helper = h;
}

/** The names of a model's series in a rows trace: its kernel's series and `survival`. */
export function rowSeriesNames(model: 'lstm' | 'gru'): readonly string[] {
  return model === 'lstm' ? LSTM_TRACE_SERIES : GRU_TRACE_SERIES;
}

/** Kernels of one thread (the one of the request's model is needed). */
export interface RowKernels {
  lstm?: LstmKernel;
  gru?: GruKernel;
}

function kernelOf(model: 'lstm' | 'gru', kernels: RowKernels): LstmKernel | GruKernel {
  const kernel = kernels[model];
  if (!kernel) throw new Error(`batch split: no ${model} kernel on this thread`);
  return kernel;
}

/**
 * Traces `request`'s rows with `kernels` into `into` (or new arrays): the kernel's series, the
 * memory survival of the keep gate (`forgetGate`, `updateGate`) and its totals per row. What
 * both threads run.
 */
export function traceRows(request: RowsRequest, kernels: RowKernels, into?: RowsTrace): RowsTrace {
  const target = into && { ...into.series, keepTotals: into.keepTotals };
  const out = request.model === 'lstm'
    ? (kernelOf('lstm', kernels) as LstmKernel).trace(request, target as never)
    : (kernelOf('gru', kernels) as GruKernel).trace({ ...request, resetAfter: request.resetAfter ?? true }, target as never);
  const { keepTotals, ...series } = out as unknown as Record<string, Float32Array> & { keepTotals: Float64Array };
  return { series, keepTotals };
}

/** The rows `from`…`to` of a rows trace, as views. */
function rowsOf(trace: RowsTrace, from: number, to: number, stepsTimesUnits: number, units: number): RowsTrace {
  return {
    series: Object.fromEntries(Object.entries(trace.series).map(([name, a]) => [name, a.subarray(from * stepsTimesUnits, to * stepsTimesUnits)])),
    keepTotals: trace.keepTotals.subarray(from * KEEP_TOTALS * units, to * KEEP_TOTALS * units),
  };
}

/** Runs a job posted to a helper thread and records the outcome in `job.sync` (never throws). */
export function runKernelJob(job: KernelJob, kernels: RowKernels): void {
  const { sync } = job;
  if (Atomics.compareExchange(sync, 0, JOB_QUEUED, JOB_RUNNING) !== JOB_QUEUED) return; // taken back
  let state = JOB_DONE;
  try {
    // Another build would differ from the posting thread's half in the last bits.
    if (kernels[job.model]?.name !== job.kernel) throw new Error(`batch helper: runs ${kernels[job.model]?.name}, the job needs ${job.kernel}`);
    traceRows({ ...job, shouldStop: () => Atomics.load(sync, 1) !== 0 }, kernels, job.into);
  } catch (e) {
    state = e instanceof CancelledError ? JOB_CANCELLED : JOB_FAILED;
  }
  Atomics.store(sync, 0, state);
  Atomics.notify(sync, 0);
}

/**
 * Rows the helper takes from a batch: none when there is no helper, the batch is too small to
 * be worth it, or this thread's kernel is not a WebAssembly one (the helper runs only those).
 */
export function helperRows(request: RowsRequest, kernels: RowKernels): number {
  const { batch, time, units, model } = request;
  if (!helper || batch < 2 || !helperKernel(kernels[model]?.name)) return 0;
  const gates = model === 'lstm' ? 4 : 3;
  if (batch * time * gates * units * (units + request.inputs.features) < SPLIT_MIN_WORK) return 0;
  return batch >> 1;
}

function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

function sharedDoubles(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/**
 * Traces the rows of `request` with this thread's `kernels`, handing the second half of the
 * batch to the helper when it is worth it. Series as `traceRows` returns them (on shared
 * memory when split).
 */
export function traceBatch(request: RowsRequest, kernels: RowKernels): RowsTrace {
  const rows = helperRows(request, kernels);
  if (rows === 0 || !helper) return traceRows(request, kernels);
  const { batch, time, units } = request;
  const F = request.inputs.features;
  const mainRows = batch - rows;
  const out: RowsTrace = {
    series: Object.fromEntries(rowSeriesNames(request.model).map((name) => [name, sharedFloats(batch * time * units)])),
    keepTotals: sharedDoubles(batch * KEEP_TOTALS * units),
  };
  const x = sharedFloats(rows * time * F);
  x.set(request.inputs.data.subarray(mainRows * time * F));
  const sync = new Int32Array(new SharedArrayBuffer(8));
  const { shouldStop, ...plain } = request;
  const job: KernelJob = {
    ...plain,
    kernel: kernelOf(request.model, kernels).name,
    batch: rows,
    inputs: { ...request.inputs, data: x },
    into: rowsOf(out, mainRows, batch, time * units, units),
    sync,
  };
  try {
    helper.start(job);
  } catch {
    return traceRows(request, kernels); // no thread to be had: one thread it is
  }
  const stop = (): boolean => {
    if (!shouldStop?.()) return false;
    Atomics.store(sync, 1, 1);
    return true;
  };
  try {
    traceRows(
      { ...request, batch: mainRows, inputs: { ...request.inputs, data: request.inputs.data.subarray(0, mainRows * time * F) }, shouldStop: stop },
      kernels,
      rowsOf(out, 0, mainRows, time * units, units),
    );
  } catch (e) {
    Atomics.store(sync, 1, 1);
    awaitJob(sync, stop);
    throw e;
  }
  // The helper has not started the job (still starting, or gone): this thread runs it.
  if (Atomics.compareExchange(sync, 0, JOB_QUEUED, JOB_TAKEN_BACK) === JOB_QUEUED) {
    traceRows({ ...job, shouldStop }, kernels, job.into);
    return out;
  }
  const state = awaitJob(sync, stop);
  if (state === JOB_CANCELLED) throw new CancelledError();
  // A failure in the helper (out of memory there, say) is not the user's: run the rows here.
  if (state === JOB_FAILED) traceRows({ ...job, shouldStop }, kernels, job.into);
  return out;
}

/** Blocks until the helper has finished a job it claimed, passing on a stop request meanwhile; returns the final state. */
function awaitJob(sync: Int32Array, stop: () => boolean): number {
  for (;;) {
    const state = Atomics.load(sync, 0);
    if (state !== JOB_RUNNING && state !== JOB_QUEUED) return state;
    if (state === JOB_QUEUED && Atomics.compareExchange(sync, 0, JOB_QUEUED, JOB_TAKEN_BACK) === JOB_QUEUED) return JOB_TAKEN_BACK;
    Atomics.wait(sync, 0, JOB_RUNNING, 50);
    stop();
  }
}
