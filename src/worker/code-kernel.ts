/**
 * The code side of a notebook's kernel: JavaScript and TypeScript cells run in the global
 * scope of the thread that owns the kernel (the notebook's worker, or the CLI's process), with
 * `tf` and `lab` in scope, top-level `await`, declarations kept from cell to cell, `console.*`
 * streamed to the cell as it is written, and errors whose stack frames name the cell's lines.
 * Spec cells run by the same owner share its named files and traces (see `LabApi`).
 *
 * Why the thread's own global scope and not a `vm` context: TensorFlow.js tests typed arrays
 * with `instanceof Float32Array`, which fails for arrays made in another realm.
 */
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { formatWithOptions, inspect } from 'node:util';
import { Script } from 'node:vm';
import { runSpec, summarize, traceOutputItems, parseSpec, CancelledError, SpecError, type SpecContext } from '../lab';
import { halfLife, meanPerUnit, median, memoryMetrics, saturation, survival } from '../lab/metrics';
import { tf } from '../lab/tf';
import type { ModelStore } from '../lab/train-run';
import { TEXT_MIME, type CodeLanguage } from '../shared/ids';
import { memoryLimitBytes } from './memory-limit';
import type { OutputItemBytes } from '../shared/protocol';
import { isComparison, type Comparison, type OutputPrecision, type Trace } from '../shared/trace';
import { utf8Encode } from '../shared/utf8';
import type { CellSyntaxError, CompiledCell, Position } from './code-compile';
import { readFileForSpec } from './files';

/** `dist/code-cells.js`: the cell compiler (TypeScript's parser), loaded on the first code cell. */
type Compiler = typeof import('./code-compile');

/** Loads `code-cells.js` from beside the running bundle (`dist/`), where the build puts it. */
export function loadBundledCompiler(): Compiler {
  // A computed path, so that the bundler leaves the TypeScript compiler out of this bundle.
  const path = join(__dirname, 'code-cells.js');
  return require(path) as Compiler;
}

/** Where a running code cell's streams and shown outputs go. */
export interface CodeCellSink {
  stream(stream: 'stdout' | 'stderr', text: string): void;
  display(items: OutputItemBytes[]): void;
}

/** One run of a cell. */
export interface CodeRun {
  source: string;
  language: CodeLanguage;
  /** Folder that `require('./x')` and `lab.trace` files resolve against. */
  baseDir: string;
  cellName: string;
  outputPrecision?: OutputPrecision;
  /** Folders files may be read from (Restricted Mode); undefined: anywhere. */
  readRoots?: string[];
  /** Checked by `lab.trace` between chunks of steps (the interrupt flag). */
  shouldStop?: () => boolean;
  /** Seed of every seeded key a spec leaves out (`fglab.defaultSeed`). */
  defaultSeed?: number;
  /** Training progress of a spec cell with `train:`. */
  onTrainingProgress?: SpecContext['onTrainingProgress'];
}

/** A code cell failed: its own error's name, message and a stack reduced to the cells' frames. */
export class CodeCellError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
    readonly cellStack: string,
    /** Interrupted (`lab.trace` saw the interrupt flag), not failed. */
    readonly cancelled = false,
  ) {
    super(message);
    this.name = errorName;
  }
}

/** Extensions a file shared with spec cells may have (what `input.file` and `weights.file` read). */
const SHAREABLE = /\.(json|npy|csv|keras|h5|safetensors|txt)$/i;

/** Whether a value is a trace or a comparison the renderer can draw. */
function isTraceOutput(value: unknown): value is Trace | Comparison {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Trace> & Partial<Comparison>;
  return (v.kind === 'comparison' && Array.isArray(v.variants)) || (typeof v.model === 'string' && typeof v.dims === 'object' && typeof v.series === 'object');
}

/** `Tensor float32 [2, 3]` and its values (TensorFlow.js shortens large ones with `...`). */
export function tensorSummary(t: tf.Tensor): string {
  if (t.isDisposed) return `Tensor ${t.dtype} [${t.shape.join(', ')}] (disposed)`;
  const values = t.toString().replace(/^Tensor\n/, '');
  return `Tensor ${t.dtype} [${t.shape.join(', ')}]\n${values}`;
}

/** Plain data for a JSON file: tensors and typed arrays become nested lists. */
function toJsonable(value: unknown): unknown {
  if (value instanceof tf.Tensor) return value.arraySync();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(toJsonable);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonable(v)]));
  return value;
}

/**
 * The kernel's code cells and the state spec cells share with them. One per worker (or CLI
 * run); its globals live as long as the thread.
 */
export class CodeKernel {
  /** Files shared with spec cells (`lab.share`), by the name a spec gives in `file:`. */
  readonly shared = new Map<string, Uint8Array>();
  /** Models trained by spec cells (`train.name`, or the cell's name), shared with code cells as `lab.models`. */
  readonly models: ModelStore = new Map();
  /** The last trace of each cell (a spec cell's, or the last one a code cell showed), by cell name. */
  readonly traces = new Map<string, Trace | Comparison>();
  /** Compiled cells by name, to map stack frames back to the cells' lines. */
  private readonly cells = new Map<string, CompiledCell>();
  private compiler: Compiler | undefined;
  private current: { run: CodeRun; sink: CodeCellSink } | undefined;
  private globalsInstalled = false;

  constructor(private readonly loadCompiler: () => Compiler) {}

  /** Reads a file named in a spec: a file shared by a code cell, else from disk relative to `baseDir`. */
  readFile(baseDir: string, readRoots?: string[]): (path: string) => Uint8Array {
    return (path) => this.shared.get(path) ?? readFileForSpec(resolve(baseDir, path), readRoots);
  }

  private specContext(run: Omit<CodeRun, 'language' | 'source'>): SpecContext {
    return {
      readFile: this.readFile(run.baseDir, run.readRoots),
      models: this.models,
      cellName: run.cellName,
      memoryLimitBytes: memoryLimitBytes(),
      ...(run.shouldStop ? { shouldStop: run.shouldStop } : {}),
      ...(run.defaultSeed !== undefined ? { defaultSeed: run.defaultSeed } : {}),
      ...(run.onTrainingProgress ? { onTrainingProgress: run.onTrainingProgress } : {}),
    };
  }

  /** Runs a spec cell's source with the kernel's shared files, and keeps its trace under `cellName`. */
  async runSpec(source: string, run: Omit<CodeRun, 'language' | 'source'>): Promise<Trace | Comparison> {
    const output = await runSpec(source, this.specContext(run));
    this.traces.set(run.cellName, output);
    return output;
  }

  /**
   * Runs a code cell; resolves to the output items of its last expression's value (none for
   * `undefined`). Throws `CodeCellError` for an error thrown by the cell or a syntax error.
   */
  async run(run: CodeRun, sink: CodeCellSink): Promise<OutputItemBytes[]> {
    this.compiler ??= this.loadCompiler();
    this.installGlobals();
    let compiled: CompiledCell;
    try {
      compiled = this.compiler.compileCell(run.source, run.language, run.cellName);
    } catch (e) {
      if (e instanceof this.compiler.CellSyntaxError) throw new CodeCellError('SyntaxError', (e as CellSyntaxError).message, '');
      throw e;
    }
    let script: Script;
    try {
      script = new Script(compiled.code, { filename: run.cellName, lineOffset: -1 });
    } catch (e) {
      throw this.syntaxError(e, run.cellName, compiled);
    }
    this.cells.set(run.cellName, compiled);
    (globalThis as Record<string, unknown>).require = createRequire(join(run.baseDir, `${run.cellName}.js`));
    this.current = { run, sink };
    try {
      const value: unknown = await script.runInThisContext({ displayErrors: false });
      return value === undefined ? [] : this.outputItems(value, run);
    } catch (e) {
      throw this.cellError(e);
    } finally {
      this.current = undefined;
    }
  }

  /** Output items of a value: a trace's charts and summary, a tensor's summary, or text. */
  private outputItems(value: unknown, run: CodeRun): OutputItemBytes[] {
    if (isTraceOutput(value)) {
      this.traces.set(run.cellName, value);
      return traceOutputItems(value, run.outputPrecision);
    }
    const text = value instanceof tf.Tensor ? tensorSummary(value) : inspect(value, { depth: 4, colors: false });
    return [{ mime: TEXT_MIME, data: utf8Encode(text) }];
  }

  /** `tf`, `lab` and the console that writes to the running cell. */
  private installGlobals(): void {
    if (this.globalsInstalled) return;
    this.globalsInstalled = true;
    const global = globalThis as Record<string, unknown>;
    global.tf = tf;
    global.lab = this.labApi();
    const write = (stream: 'stdout' | 'stderr', original: (...args: unknown[]) => void) => (...args: unknown[]): void => {
      const sink = this.current?.sink;
      if (sink) sink.stream(stream, `${formatWithOptions({ colors: false, depth: 4 }, ...args)}\n`);
      else original(...args);
    };
    // Tensors print as their shape, dtype and values, not TensorFlow.js's internals.
    Object.defineProperty(tf.Tensor.prototype, inspect.custom, {
      value(this: tf.Tensor) {
        return tensorSummary(this);
      },
      configurable: true,
    });
    for (const name of ['log', 'info', 'debug'] as const) console[name] = write('stdout', console[name].bind(console));
    for (const name of ['warn', 'error', 'trace'] as const) console[name] = write('stderr', console[name].bind(console));
  }

  private show(value: unknown): void {
    const current = this.current;
    if (!current) throw new Error('lab.show: no cell is running (call it from a cell, not from a timer after the cell ended)');
    current.sink.display(this.outputItems(value, current.run));
  }

  /** The `lab` object of code cells: the core's public API, bound to this kernel. */
  private labApi(): LabApi {
    const running = (what: string): CodeRun => {
      const run = this.current?.run;
      if (!run) throw new Error(`${what}: no cell is running`);
      return run;
    };
    return {
      trace: async (spec) => {
        const run = running('lab.trace');
        if (typeof spec !== 'string' && (typeof spec !== 'object' || spec === null)) throw new TypeError(`lab.trace: expected a spec object or YAML text, got ${typeof spec}`);
        const source = typeof spec === 'string' ? spec : JSON.stringify(toJsonable(spec));
        // A spec run from code keeps no trace under the cell's name: only shown ones do.
        return runSpec(source, this.specContext(run));
      },
      show: (value) => this.show(value),
      traceOf: (cellName) => {
        const found = this.traces.get(cellName);
        if (!found) {
          const known = [...this.traces.keys()];
          throw new Error(`lab.traceOf: no trace of "${cellName}" in this kernel; ${known.length ? `cells with one: ${known.map((k) => JSON.stringify(k)).join(', ')}` : 'run a spec cell first'}`);
        }
        return found;
      },
      share: (name, value) => {
        if (typeof name !== 'string' || !SHAREABLE.test(name)) throw new TypeError(`lab.share: expected a file name ending in .json, .npy, .csv, .keras, .h5, .safetensors or .txt, got ${JSON.stringify(name)}`);
        const bytes = value instanceof Uint8Array ? value
          : value instanceof ArrayBuffer ? new Uint8Array(value)
            : typeof value === 'string' ? utf8Encode(value)
              : utf8Encode(JSON.stringify(toJsonable(value)));
        this.shared.set(name, bytes);
      },
      models: this.models,
      parseSpec: (source) => parseSpec(source),
      summarize: (trace) => summarize(trace),
      metrics: { survival, meanPerUnit, halfLife, saturation, memoryMetrics, median },
      SpecError,
      CancelledError,
      isComparison,
    };
  }

  /** A V8 syntax error of the compiled script (what TypeScript's parser let through), with the cell's line and column. */
  private syntaxError(e: unknown, cellName: string, compiled: CompiledCell): CodeCellError {
    const error = e as Error;
    // The stack starts "cell 2:3\n<line>\n   ^^^" (carets, or in some Node versions spaces up to the column).
    const [where, , caret = ''] = (error.stack ?? '').split('\n');
    const line = Number(/:(\d+)$/.exec(where ?? '')?.[1]);
    const column = caret.includes('^') ? caret.indexOf('^') + 1 : /^ +$/.test(caret) ? caret.length + 1 : 0;
    const p = Number.isFinite(line) && line > 0 ? compiled.original({ line, column: Math.max(column, 1) }) : undefined;
    const at = p ? `, line ${p.line}${column > 0 ? `:${p.column}` : ''}` : '';
    return new CodeCellError('SyntaxError', `${cellName}${at}: ${error.message}`, '');
  }

  /** The error a cell threw, with stack frames kept only where they are in cells, at the cells' own lines. */
  private cellError(e: unknown): CodeCellError {
    if (!(e instanceof Error)) return new CodeCellError('Error', `Uncaught ${inspect(e, { depth: 2 })}`, '');
    const frames: string[] = [];
    for (const line of (e.stack ?? '').split('\n')) {
      const frame = /^\s+at (?:async )?(?:(.*) \()?(.+):(\d+):(\d+)\)?$/.exec(line);
      if (!frame) continue;
      const [, fn, file, l, c] = frame;
      const compiled = this.cells.get(file);
      if (!compiled) continue;
      if (Number(l) < 1 || Number(l) > compiled.lines) continue; // the wrapper's own lines
      const p: Position = compiled.original({ line: Number(l), column: Number(c) });
      frames.push(`    at ${fn && fn !== 'eval' ? `${fn} (${file}:${p.line}:${p.column})` : `${file}:${p.line}:${p.column}`}`);
    }
    const stack = [`${e.name}: ${e.message}`, ...frames].join('\n');
    return new CodeCellError(e.name, e.message, stack, e instanceof CancelledError);
  }
}

/** `lab` in code cells. */
export interface LabApi {
  /** Runs a spec (an object with the spec cell's keys, or its YAML text): a trace, or a comparison for `model: compare`. */
  trace(spec: object | string): Promise<Trace | Comparison>;
  /** Shows a trace or comparison with the charts (or any value as text) as an output of the running cell. */
  show(value: unknown): void;
  /** The last trace of a cell run in this kernel (a spec cell's, or the last one a code cell showed), by its name (`cell 2`). */
  traceOf(cellName: string): Trace | Comparison;
  /**
   * Makes `value` a file spec cells can name in `input.file` or `weights.file`: tensors, typed
   * arrays and nested lists as JSON nested lists, objects of them (Keras-layout weights) as JSON
   * objects, bytes as they are.
   */
  share(name: string, value: unknown): void;
  /** Models trained in this kernel by spec cells with a `task`, by name (`train.name`, or the cell's name). */
  models: ModelStore;
  parseSpec: typeof parseSpec;
  summarize: typeof summarize;
  metrics: { survival: typeof survival; meanPerUnit: typeof meanPerUnit; halfLife: typeof halfLife; saturation: typeof saturation; memoryMetrics: typeof memoryMetrics; median: typeof median };
  SpecError: typeof SpecError;
  CancelledError: typeof CancelledError;
  isComparison: typeof isComparison;
}
