import type { CodeLanguage } from './ids';
import type { OutputPrecision, TrainingProgress } from './trace';

/**
 * Messages between the extension host (or the CLI) and the kernel worker. One file for both
 * sides, so the two cannot drift; string `type`s, exhaustive switches, a version checked at
 * `ready`. Output bytes travel as transferable ArrayBuffers.
 */

/** Bumped on any incompatible change; the host refuses a worker that reports another version. */
export const PROTOCOL_VERSION = 5;

/** TensorFlow.js backends the worker can run on. */
export type ComputeBackend = 'wasm' | 'cpu';

/** `workerData` given to the worker when it starts. */
export interface WorkerInit {
  protocol: number;
  /**
   * Cancellation flag shared with the host: `Int32Array(flag)[0]` holds the id of the request
   * to cancel (0: none). Long loops read it between steps.
   */
  cancelFlag: SharedArrayBuffer;
  /** Folder holding the TensorFlow.js `.wasm` files (beside the bundles). */
  wasmDir: string;
  /** TensorFlow.js backend to run on: `wasm` (fast) or `cpu` (plain JavaScript, for machines where WebAssembly fails). */
  backend: ComputeBackend;
  /**
   * Folder for the V8 code cache of the worker's bundle (the extension's global storage);
   * undefined: a per-user folder in the OS temporary folder.
   */
  codeCacheDir?: string;
}

/** One item of a cell output, already encoded: the host only wraps it. */
export interface OutputItemBytes {
  mime: string;
  data: Uint8Array;
}

/** Runs one spec cell; the answer is `result` or `error` with the same `requestId`. */
export interface RunSpecRequest {
  type: 'runSpec';
  requestId: number;
  /** YAML source of the cell. */
  source: string;
  /** Folder that relative paths in the spec resolve against (the notebook's folder). */
  baseDir: string;
  /** How errors name the cell, for example `cell 2`. */
  cellName: string;
  /**
   * When set, files named in the spec are read only from inside these folders (Restricted
   * Mode: the workspace folders); anything else is refused with an error naming the path.
   */
  readRoots?: string[];
  /** How series are stored in the output (default: the core's, 16-bit). */
  outputPrecision?: OutputPrecision;
  /** Seed of every seeded key the spec leaves out (`fglab.defaultSeed`; default 0). */
  defaultSeed?: number;
}

/** Asks for the worker's memory figures; answered with `stats` between runs (a running trace holds the thread). */
export interface StatsRequest {
  type: 'stats';
  requestId: number;
  /** Collect garbage first where the worker can (`--expose-gc`), for steady heap figures (leak tests). */
  collect?: boolean;
}

/** Reads a trained model file and answers with a spec cell that traces it (`described`), or an error. */
export interface DescribeModelRequest {
  type: 'describeModel';
  requestId: number;
  /** Absolute path of the file. */
  path: string;
  /** How the spec names the file (relative to the notebook where it can be). */
  specPath: string;
}

/**
 * Runs one JavaScript or TypeScript cell in the kernel's global scope. While it runs the worker
 * sends `stream` and `display` messages with the same `requestId`; the answer is `result` (the
 * value of the last expression, if any) or `error`.
 */
export interface RunCodeRequest {
  type: 'runCode';
  requestId: number;
  source: string;
  language: CodeLanguage;
  /** Folder that `require('./x')` and relative paths given to `lab` resolve against (the notebook's folder). */
  baseDir: string;
  /** How errors and stack frames name the cell, for example `cell 2`. */
  cellName: string;
  /** How series of traces shown by the cell are stored (default: the core's, 16-bit). */
  outputPrecision?: OutputPrecision;
  /** Seed of every seeded key the specs given to `lab.trace` leave out (`fglab.defaultSeed`; default 0). */
  defaultSeed?: number;
}

export type HostToWorker = RunSpecRequest | StatsRequest | DescribeModelRequest | RunCodeRequest;

export interface ReadyMessage {
  type: 'ready';
  protocol: number;
  /** TensorFlow.js backend in use, for example `wasm`. */
  backend: string;
  /** Recurrent kernel in use: `wasm-relaxed-simd+avx2` (with the native product accelerator), `wasm-relaxed-simd` or `wasm-simd` (see src/worker/kernel-wasm.ts), or `js` when the WebAssembly kernel could not load. */
  kernel: string;
  /** Milliseconds from the worker's start to ready. */
  startMs: number;
  /** How the worker's bundle was compiled: `hit` from the code cache; `miss`, `stale`, `corrupt`, `rejected` or `off` without. */
  codeCache?: string;
}

export interface ResultMessage {
  type: 'result';
  requestId: number;
  outputs: OutputItemBytes[];
}

/** `user`: bad input, shown as one line; `cancelled`: interrupted; `internal`: a bug, with a stack. */
export type ErrorKind = 'user' | 'cancelled' | 'internal';

export interface ErrorMessage {
  type: 'error';
  requestId: number;
  kind: ErrorKind;
  message: string;
  stack?: string;
  /** The error's own name (`TypeError`, `SyntaxError`) for errors thrown by a code cell; its stack then names the cell's lines. */
  name?: string;
}

/** Text a code cell wrote with `console.*` while it runs, sent as it is written. */
export interface StreamMessage {
  type: 'stream';
  requestId: number;
  stream: 'stdout' | 'stderr';
  text: string;
}

/** An output a code cell shows while it runs (`lab.show(...)`), appended to the cell's outputs. */
export interface DisplayMessage {
  type: 'display';
  requestId: number;
  outputs: OutputItemBytes[];
}

/** Memory of the worker, for the status bar. */
export interface StatsMessage {
  type: 'stats';
  requestId: number;
  /** TensorFlow.js backend in use. */
  backend: string;
  /** The worker's JavaScript heap in use and its limit (`resourceLimits`), bytes. */
  heapUsedBytes: number;
  heapLimitBytes: number;
  /** Memory outside the JavaScript heap held by the worker's objects (typed arrays, WebAssembly memory), bytes. */
  externalBytes: number;
  /** Bytes of the TensorFlow.js tensors alive. */
  tensorBytes: number;
  /** Number of TensorFlow.js tensors alive (`tf.memory().numTensors`): back to its baseline after every run. */
  tensorCount: number;
}

/** The answer to `describeModel`: the source of a spec cell. */
export interface DescribedMessage {
  type: 'described';
  requestId: number;
  source: string;
}

/**
 * Training progress of the running spec cell (`train:`), throttled by the worker to a few
 * messages a second; the request still ends with `result` or `error`.
 */
export interface ProgressMessage {
  type: 'progress';
  requestId: number;
  progress: TrainingProgress;
}

export type WorkerToHost = ReadyMessage | ResultMessage | ErrorMessage | StatsMessage | DescribedMessage | ProgressMessage | StreamMessage | DisplayMessage;

/** Compile-time exhaustiveness check for switches over message types. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
