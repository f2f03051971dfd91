/**
 * Traces of large batches on two threads: the rows of a batch do not interact, so the thread
 * that runs the spec and a helper thread (started by the worker or the CLI, see
 * src/worker/kernel-helper.ts) trace groups of rows (`groupStarts`) into the same shared arrays,
 * each claiming the next group when it has finished one. A thread that a busy machine slows
 * down takes fewer groups instead of holding the other up at the end (with fixed halves, the
 * trace took as long as the slower half). Each row is computed by the same kernel code
 * whatever the grouping (the kernels' `trace` is row-independent), so a split trace is
 * bit-identical to an unsplit one.
 *
 * Hand-over through shared memory only, so that the spec's thread, which blocks while the
 * trace runs, needs no messages back: a job's `sync` words hold its state, which goes QUEUED →
 * (the helper starts it) RUNNING → DONE / FAILED / CANCELLED, the stop request, the next
 * unclaimed group, the group the helper failed in, and how many groups the helper traced.
 * When the spec's thread has claimed the last group and the helper has not started (still
 * starting, or gone), it takes the job back.
 */
import { KEEP_TOTALS } from '../metrics';
import type { RecurrentActivation } from './activations';
import { GRU_TRACE_SERIES, type GruKernel } from './gru-kernel';
import { CancelledError, LSTM_TRACE_SERIES, type LstmKernel } from './lstm-kernel';
import type { RawInputs } from './raw-inputs';
import { NATIVE_KERNEL_NAME } from './wasm-module';

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

/**
 * A request for the helper: plain data (the whole batch, its inputs and outputs as views of
 * shared memory), posted to its thread; the helper traces the groups of rows it claims.
 */
export interface KernelJob extends Omit<RowsRequest, 'shouldStop'> {
  /** The name of the posting thread's kernel: a helper whose kernel is another fails the job. */
  kernel: string;
  /** Where the batch's series and totals go. */
  into: RowsTrace;
  /** The job's words on shared memory, at the SYNC_* indices. */
  sync: Int32Array;
}

/** Indices of `KernelJob.sync`: the state (JOB_*), the stop request (1: stop), the next unclaimed group, the group the helper failed in (−1: none), and the groups the helper traced. */
export const SYNC_STATE = 0;
export const SYNC_STOP = 1;
export const SYNC_NEXT = 2;
export const SYNC_FAILED_GROUP = 3;
export const SYNC_HELPER_GROUPS = 4;
const SYNC_WORDS = 5;

/**
 * Rows per group that the threads claim: the kernels' register block (4 rows). Where the batch
 * has room for it, the first groups are twice that (`groupStarts`): the products run a little
 * faster on 8 rows (the native ones: 35 against 32 G multiply–adds per second here), and fewer
 * groups mean fewer packings of the weights. A batch traced in groups of 2 rows took about a
 * fifth longer than in groups of 4 (measured in either build, with and without the native
 * products), so only a remainder of the batch goes in groups smaller than 4.
 */
export const GROUP_ROWS = 4;

/**
 * The first row of each group of a batch, and the batch size after the last: groups of
 * 2·`GROUP_ROWS` rows while more than half the batch is left and the batch holds at least four
 * of them, then of `GROUP_ROWS`, then 2 and 1 for the remainder. Large groups first, small
 * ones last: the last group either thread claims is short. (32 rows: 0, 8, 16, 20, 24, 28.)
 */
export function groupStarts(batch: number): number[] {
  const starts: number[] = [];
  let row = 0;
  while (row < batch) {
    starts.push(row);
    const left = batch - row;
    const size = [2 * GROUP_ROWS, GROUP_ROWS, 2, 1].find((n) => n <= left && (n <= GROUP_ROWS || (2 * left > batch && 4 * n <= batch)))!;
    row += size;
  }
  starts.push(batch);
  return starts;
}

/** Job states, in `sync[SYNC_STATE]`. */
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
 * Whether a kernel is one a helper runs (a WebAssembly build: `wasm-simd`, `wasm-relaxed-simd`
 * or `wasm-relaxed-simd+avx2`); the helper runs a job only on the same build as the posting thread.
 */
export function helperKernel(name: string | undefined): boolean {
  return name === 'wasm-simd' || name === 'wasm-relaxed-simd' || name === NATIVE_KERNEL_NAME;
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

/** Traces group `g` (of `starts`, see `groupStarts`) of `request`'s rows into its rows of `into`. */
function traceGroup(request: RowsRequest, starts: number[], g: number, kernels: RowKernels, into: RowsTrace): void {
  const { time, units } = request;
  const F = request.inputs.features;
  const from = starts[g];
  const to = starts[g + 1];
  traceRows(
    { ...request, batch: to - from, inputs: { ...request.inputs, data: request.inputs.data.subarray(from * time * F, to * time * F) } },
    kernels,
    rowsOf(into, from, to, time * units, units),
  );
}

/**
 * Claims and traces groups (`starts`, see `groupStarts`) of the job's rows until none is left.
 * The helper (`helperSide`) records in `sync` the group it is tracing, so that a failure names
 * it, and counts the groups it traced.
 */
function traceClaimedGroups(request: RowsRequest, starts: number[], sync: Int32Array, kernels: RowKernels, into: RowsTrace, helperSide: boolean): void {
  for (;;) {
    const g = Atomics.add(sync, SYNC_NEXT, 1);
    if (g >= starts.length - 1) return;
    if (helperSide) Atomics.store(sync, SYNC_FAILED_GROUP, g);
    traceGroup(request, starts, g, kernels, into);
    if (helperSide) {
      Atomics.store(sync, SYNC_FAILED_GROUP, -1);
      Atomics.add(sync, SYNC_HELPER_GROUPS, 1);
    }
  }
}

/** Runs a job posted to a helper thread and records the outcome in `job.sync` (never throws). */
export function runKernelJob(job: KernelJob, kernels: RowKernels): void {
  const { sync } = job;
  if (Atomics.compareExchange(sync, SYNC_STATE, JOB_QUEUED, JOB_RUNNING) !== JOB_QUEUED) return; // taken back
  let state = JOB_DONE;
  try {
    // Another build would differ from the posting thread's rows in the last bits.
    if (kernels[job.model]?.name !== job.kernel) throw new Error(`batch helper: runs ${kernels[job.model]?.name}, the job needs ${job.kernel}`);
    traceClaimedGroups({ ...job, shouldStop: () => Atomics.load(sync, SYNC_STOP) !== 0 }, groupStarts(job.batch), sync, kernels, job.into, true);
  } catch (e) {
    state = e instanceof CancelledError ? JOB_CANCELLED : JOB_FAILED;
  }
  Atomics.store(sync, SYNC_STATE, state);
  Atomics.notify(sync, SYNC_STATE);
}

/**
 * Whether `request`'s rows are shared with the helper: not when there is no helper, the batch
 * is too small to be worth it, or this thread's kernel is not a WebAssembly one (the helper
 * runs only those).
 */
export function splitsWithHelper(request: RowsRequest, kernels: RowKernels): boolean {
  const { batch, time, units, model } = request;
  if (!helper || batch < 2 || !helperKernel(kernels[model]?.name)) return false;
  const gates = model === 'lstm' ? 4 : 3;
  return batch * time * gates * units * (units + request.inputs.features) >= SPLIT_MIN_WORK;
}

function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * n));
}

function sharedDoubles(n: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * n));
}

/**
 * Traces the rows of `request` with this thread's `kernels`, sharing the groups of rows with
 * the helper when it is worth it. Series as `traceRows` returns them (on shared memory when
 * split).
 */
export function traceBatch(request: RowsRequest, kernels: RowKernels): RowsTrace {
  if (!helper || !splitsWithHelper(request, kernels)) return traceRows(request, kernels);
  const { batch, time, units } = request;
  const F = request.inputs.features;
  const out: RowsTrace = {
    series: Object.fromEntries(rowSeriesNames(request.model).map((name) => [name, sharedFloats(batch * time * units)])),
    keepTotals: sharedDoubles(batch * KEEP_TOTALS * units),
  };
  const x = sharedFloats(batch * time * F);
  x.set(request.inputs.data);
  const sync = new Int32Array(new SharedArrayBuffer(4 * SYNC_WORDS));
  sync[SYNC_FAILED_GROUP] = -1;
  const { shouldStop, ...plain } = request;
  const job: KernelJob = { ...plain, kernel: kernelOf(request.model, kernels).name, inputs: { ...request.inputs, data: x }, into: out, sync };
  try {
    helper.start(job);
  } catch {
    return traceRows(request, kernels); // no thread to be had: one thread it is
  }
  const stop = (): boolean => {
    if (!shouldStop?.()) return false;
    Atomics.store(sync, SYNC_STOP, 1);
    return true;
  };
  const starts = groupStarts(batch);
  try {
    traceClaimedGroups({ ...request, shouldStop: stop }, starts, sync, kernels, out, false);
  } catch (e) {
    Atomics.store(sync, SYNC_STOP, 1);
    awaitJob(sync, stop);
    throw e;
  }
  // Every group is claimed; the helper may still be tracing its last one.
  const state = awaitJob(sync, stop);
  if (state === JOB_CANCELLED) throw new CancelledError();
  // A failure in the helper (out of memory there, say) is not the user's: its group is run here.
  const failed = Atomics.load(sync, SYNC_FAILED_GROUP);
  if (state === JOB_FAILED && failed >= 0) traceGroup({ ...request, shouldStop }, starts, failed, kernels, out);
  return out;
}

/** Blocks until the helper has finished a job it started (taking it back if it has not), passing on a stop request meanwhile; returns the final state. */
function awaitJob(sync: Int32Array, stop: () => boolean): number {
  for (;;) {
    const state = Atomics.load(sync, SYNC_STATE);
    if (state !== JOB_RUNNING && state !== JOB_QUEUED) return state;
    if (state === JOB_QUEUED && Atomics.compareExchange(sync, SYNC_STATE, JOB_QUEUED, JOB_TAKEN_BACK) === JOB_QUEUED) return JOB_TAKEN_BACK;
    Atomics.wait(sync, SYNC_STATE, JOB_RUNNING, 50);
    stop();
  }
}
