/**
 * Messages between the extension host (or the CLI) and the kernel worker. One file for both
 * sides, so the two cannot drift; string `type`s, exhaustive switches, a version checked at
 * `ready`. Output bytes travel as transferable ArrayBuffers.
 */

/** Bumped on any incompatible change; the host refuses a worker that reports another version. */
export const PROTOCOL_VERSION = 1;

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
}

export type HostToWorker = RunSpecRequest;

export interface ReadyMessage {
  type: 'ready';
  protocol: number;
  /** TensorFlow.js backend in use, for example `wasm`. */
  backend: string;
  /** Recurrent kernel in use: `wasm-simd`, or `js` when the WebAssembly kernel could not load. */
  kernel: string;
  /** Milliseconds from the worker's start to ready. */
  startMs: number;
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
}

export type WorkerToHost = ReadyMessage | ResultMessage | ErrorMessage;

/** Compile-time exhaustiveness check for switches over message types. */
export function assertNever(value: never): never {
  throw new Error(`unexpected message: ${JSON.stringify(value)}`);
}
