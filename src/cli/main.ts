/**
 * `fglab`: the lab from a terminal.
 *
 *   fglab trace SPEC.yaml [--format json|csv|npy|png] [--series NAME] [--variant NAME] [--theme light|dark] [--seed N] [--out FILE]
 *   fglab run NOTEBOOK.fglab [--seed N] [--out FILE]
 *   fglab bench SPEC.yaml [--runs N] [--warmup N] [--seed N]
 *
 * User errors print one line naming the key, what was expected and what was got, and exit 1;
 * usage errors exit 2. No stack traces for user errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CancelledError, initLab, runSpec, SpecError, traceOutputItems, traceToCsv, traceToJson, traceToNpy } from '../lab';
import type { OutputItemBytes } from '../shared/protocol';
import { CodeCellError, CodeKernel, loadBundledCompiler } from '../worker/code-kernel';
import { PngUnavailableError, renderPng } from '../lab/png';
import { isComparison, type Comparison, type Trace } from '../shared/trace';
import { NotebookFileError, parseNotebook, serializeNotebook, type NotebookCell, type NotebookOutput } from '../shared/notebook-file';
import { CODE_LANGUAGES, isCodeLanguage, SPEC_LANGUAGE, STDERR_MIME, STDOUT_MIME } from '../shared/ids';
import { readFileForSpec } from '../worker/files';
import { memoryLimitBytes, peakRssMB, resetPeakRss } from '../worker/memory-limit';
import { useKernelHelper } from '../worker/kernel-helper';
import { loadNativeProducts, readKernelWasm } from '../worker/kernel-wasm';
import { utf8Decode, utf8Encode } from '../shared/utf8';

const USAGE = `Forget Gate Lab — see and measure how recurrent networks forget.

Usage:
  fglab trace SPEC.yaml [--format json|csv|npy|png] [--series NAME] [--variant NAME] [--theme light|dark] [--seed N] [--out FILE]
      Trace the model a spec describes. JSON (default) goes to stdout:
      {"model", "dims", "series": {name: nested arrays}, "metrics"}, or
      {"variants": [{"name", ...}]} for model: compare.
      CSV has one row per element of the series sharing the first series' shape
      (or the shape of --series); .npy holds those series stacked, or one with
      --series. For a comparison, CSV and .npy need --variant. PNG draws every
      default view, as the notebook renderer does (needs the optional package
      @napi-rs/canvas).
      --seed N is the seed of every seeded key the spec leaves out (default 0,
      as the fglab.defaultSeed setting is in VS Code).
  fglab run NOTEBOOK.fglab [--seed N] [--out FILE]
      Run every code cell in order (spec, JavaScript and TypeScript cells, one
      kernel for the notebook, as in VS Code) and write the notebook with its
      outputs (in place unless --out). Exits 1 if a cell fails.
  fglab bench SPEC.yaml [--runs N] [--warmup N] [--seed N]
      Time the trace of a spec in the engine the notebook uses (the WebAssembly
      kernels, large batches split over two threads), after one untimed run and
      N warm-up runs (default 3), excluding process start and file reading.
      Prints {"medianMs", "runs", "warmup", "minMs", "maxMs", "traceMB",
      "peakRssMB", "baseRssMB", "kernel", "backend"} on stdout; runs defaults
      to 10. traceMB: the trace's series as float32; peakRssMB: the process's
      peak resident memory over the timed runs (garbage collected before each);
      baseRssMB: its resident memory before them.
  fglab --help | --version
`;

/** A problem with the command line itself (exit code 2). */
class UsageError extends Error {}

interface Options {
  positional: string[];
  flags: Map<string, string>;
}

function parseArgs(argv: string[], allowed: readonly string[]): Options {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}; expected ${allowed.map((a) => `--${a}`).join(', ')}`);
      const value = inline ?? argv[++i];
      if (value === undefined) throw new UsageError(`--${name}: expected a value`);
      flags.set(name, value);
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SpecError(`${what}: cannot read "${path}": ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** `--seed N`: the default seed of the spec's seeded keys (0 when absent). */
function seedFlag(flags: Map<string, string>): number {
  const text = flags.get('seed');
  if (text === undefined) return 0;
  const seed = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(seed)) throw new UsageError(`--seed: expected an integer ≥ 0, got "${text}"`);
  return seed;
}

function wasmDir(): string {
  return __dirname;
}

/** Starts the lab in this process, with the batch helper thread when the WebAssembly kernel loads. */
async function startLab(): Promise<{ backend: string; kernel: string }> {
  const warn = (m: string): void => void process.stderr.write(`${m}\n`);
  const kernelWasm = readKernelWasm(wasmDir(), warn);
  const nativeProducts = kernelWasm ? loadNativeProducts(wasmDir(), warn) : undefined;
  const lab = await initLab({ tfjsWasmDir: wasmDir(), kernelWasm, nativeProducts });
  if (kernelWasm) useKernelHelper(wasmDir(), warn);
  return lab;
}

async function traceCommand(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['format', 'series', 'variant', 'theme', 'seed', 'out']);
  if (positional.length !== 1) throw new UsageError(`trace: expected one spec file, got ${positional.length}`);
  const format = flags.get('format') ?? 'json';
  if (!['json', 'csv', 'npy', 'png'].includes(format)) throw new UsageError(`--format: expected json, csv, npy or png, got "${format}"`);
  if (flags.has('series') && (format === 'json' || format === 'png')) throw new UsageError('--series: only with --format csv or npy');
  const theme = flags.get('theme') ?? 'light';
  if (theme !== 'light' && theme !== 'dark') throw new UsageError(`--theme: expected light or dark, got "${theme}"`);
  if (flags.has('theme') && format !== 'png') throw new UsageError('--theme: only with --format png');
  const specPath = resolve(positional[0]);
  const source = readText(specPath, 'spec');
  await startLab();
  const output = await runSpec(source, { readFile: (p) => readFileForSpec(resolve(dirname(specPath), p)), defaultSeed: seedFlag(flags), memoryLimitBytes: memoryLimitBytes() });
  const trace = pickVariant(output, flags.get('variant'), format);
  const series = flags.get('series');
  const body: string | Uint8Array =
    format === 'json' ? traceToJson(trace)
      : format === 'csv' ? traceToCsv(trace as Trace, series)
        : format === 'npy' ? traceToNpy(trace as Trace, series)
          : renderPng(trace, { views: 'all', theme: theme as 'light' | 'dark' });
  const out = flags.get('out');
  if (out) writeFileSync(out, body);
  else if (typeof body === 'string') process.stdout.write(body);
  else if (process.stdout.isTTY) throw new UsageError(`--format ${format}: binary output; give --out FILE or redirect stdout`);
  else process.stdout.write(body);
}

/** The trace to export: the output itself, or one variant of a comparison (`--variant`). */
function pickVariant(output: Trace | Comparison, name: string | undefined, format: string): Trace | Comparison {
  if (!isComparison(output)) {
    if (name !== undefined) throw new UsageError('--variant: only for model: compare');
    return output;
  }
  const names = output.variants.map((v) => v.name);
  if (name === undefined) {
    if (format === 'json' || format === 'png') return output;
    throw new UsageError(`--format ${format}: a comparison needs --variant, one of ${names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  const found = output.variants.find((v) => v.name === name);
  if (!found) throw new UsageError(`--variant: expected one of ${names.map((n) => JSON.stringify(n)).join(', ')}, got ${JSON.stringify(name)}`);
  return found.trace;
}

/** The value of a count option: a whole number from `min`, or `fallback` when absent. */
function countOption(flags: Map<string, string>, name: string, fallback: number, min: number): number {
  const text = flags.get(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name}: expected a whole number from ${min}, got "${text}"`);
  return n;
}

/** Bytes of every series of a trace or comparison, as float32 in memory. */
function seriesBytes(output: Trace | Comparison): number {
  const traces = isComparison(output) ? output.variants.map((v) => v.trace) : [output];
  return traces.reduce((sum, t) => sum + Object.values(t.series).reduce((s, x) => s + x.data.byteLength, 0), 0);
}

/**
 * The garbage collector as a function, so that `bench` measures each run's own memory and not
 * the garbage of the runs before (`--expose-gc` set at run time; undefined where refused).
 */
function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function medianOf(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function benchCommand(argv: string[]): Promise<void> {
  const { positional, flags } = parseArgs(argv, ['runs', 'warmup', 'seed']);
  if (positional.length !== 1) throw new UsageError(`bench: expected one spec file, got ${positional.length}`);
  const runs = countOption(flags, 'runs', 10, 1);
  const warmup = countOption(flags, 'warmup', 3, 0);
  const defaultSeed = seedFlag(flags);
  const specPath = resolve(positional[0]);
  const source = readText(specPath, 'spec');
  const lab = await startLab();
  // Files the spec names are read once, in the untimed first run: file I/O is not timed.
  const files = new Map<string, Uint8Array>();
  const readFile = (p: string): Uint8Array => {
    const path = resolve(dirname(specPath), p);
    let bytes = files.get(path);
    if (!bytes) files.set(path, (bytes = readFileForSpec(path)));
    return bytes;
  };
  const context = { readFile, defaultSeed };
  const traceMB = seriesBytes(await runSpec(source, context)) / 2 ** 20;
  for (let i = 0; i < warmup; i++) await runSpec(source, context);
  // Memory: the peak of the timed runs, each starting from collected garbage (outside the timing).
  const gc = exposeGc();
  gc?.();
  const baseRssMB = process.memoryUsage().rss / 2 ** 20;
  resetPeakRss();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc?.();
    const t0 = performance.now();
    await runSpec(source, context);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const round = (x: number): number => Math.round(x * 1000) / 1000;
  const result = {
    medianMs: round(medianOf(times)),
    runs,
    warmup,
    minMs: round(times[0]),
    maxMs: round(times[times.length - 1]),
    traceMB: round(traceMB),
    peakRssMB: round(peakRssMB()),
    baseRssMB: round(baseRssMB),
    kernel: lab.kernel,
    backend: lab.backend,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

const ERROR_MIME = 'application/vnd.code.notebook.error';

async function runCommand(argv: string[]): Promise<number> {
  const { positional, flags } = parseArgs(argv, ['seed', 'out']);
  const defaultSeed = seedFlag(flags);
  if (positional.length !== 1) throw new UsageError(`run: expected one notebook file, got ${positional.length}`);
  const path = resolve(positional[0]);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SpecError(`notebook: cannot read "${positional[0]}": ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const notebook = parseNotebook(bytes);
  await startLab();
  let order = 0;
  let failure: string | undefined;
  let warnedNoPng = false;
  const code = new CodeKernel(loadBundledCompiler);
  const baseDir = dirname(path);
  /** The picture GitHub and Jupyter show: the main view, when the optional native canvas is installed. */
  const withPng = (items: OutputItemBytes[], output: Parameters<typeof renderPng>[0]): OutputItemBytes[] => {
    try {
      return [...items, { mime: 'image/png', data: renderPng(output) }];
    } catch (e) {
      if (!(e instanceof PngUnavailableError)) throw e;
      if (!warnedNoPng) process.stderr.write(`fglab: no image/png outputs: ${e.message}\n`);
      warnedNoPng = true;
      return items;
    }
  };
  const run = async (cell: NotebookCell, index: number): Promise<void> => {
    const startTime = Date.now();
    const name = `cell ${index + 1}`;
    const outputs: NotebookOutput[] = [];
    try {
      if (isCodeLanguage(cell.language)) {
        // Console text in one output per run of the same stream, as VS Code shows it.
        const stream = (mime: string, text: string): void => {
          const last = outputs[outputs.length - 1];
          if (last?.items.length === 1 && last.items[0].mime === mime) last.items[0].data = utf8Encode(utf8Decode(last.items[0].data) + text);
          else outputs.push({ items: [{ mime, data: utf8Encode(text) }] });
        };
        const items = await code.run({ source: cell.source, language: cell.language, baseDir, cellName: name, defaultSeed }, {
          stream: (s, text) => stream(s === 'stdout' ? STDOUT_MIME : STDERR_MIME, text),
          display: (shown) => outputs.push({ items: shown }),
        });
        if (items.length > 0) outputs.push({ items });
      } else if (cell.language === SPEC_LANGUAGE) {
        const output = await code.runSpec(cell.source, { baseDir, cellName: name, defaultSeed });
        outputs.push({ items: withPng(traceOutputItems(output), output) });
      } else {
        throw new SpecError(`${name}: fglab runs cells of language "${SPEC_LANGUAGE}", ${CODE_LANGUAGES.map((l) => `"${l}"`).join(' and ')}, this one is "${cell.language}"`);
      }
      cell.outputs = outputs;
      cell.execution = { order: ++order, success: true, startTime, endTime: Date.now() };
      process.stderr.write(`${name}: ok (${Date.now() - startTime} ms)\n`);
    } catch (e) {
      const user = e instanceof SpecError || e instanceof CancelledError;
      const error = e instanceof CodeCellError
        ? { name: e.errorName, message: e.message, stack: e.cellStack || undefined }
        : { name: user ? 'Spec error' : 'Internal error', message: (e as Error).message, stack: user ? undefined : (e as Error).stack };
      cell.outputs = [...outputs, { items: [{ mime: ERROR_MIME, data: utf8Encode(JSON.stringify(error)) }] }];
      cell.execution = { order: ++order, success: false, startTime, endTime: Date.now() };
      failure = `${name}: ${e instanceof CodeCellError && e.cellStack ? e.cellStack : (e as Error).message}`;
    }
  };
  for (const [index, cell] of notebook.cells.entries()) {
    if (cell.kind !== 'code') continue;
    await run(cell, index);
    if (failure) break; // later cells are not run, as in VS Code
  }
  writeFileSync(flags.get('out') ?? path, serializeNotebook(notebook));
  if (failure) {
    process.stderr.write(`fglab: ${failure}\n`);
    return 1;
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'trace':
      await traceCommand(rest);
      return 0;
    case 'run':
      return runCommand(rest);
    case 'bench':
      await benchCommand(rest);
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${VERSION}\n`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"; expected trace, run or bench (fglab --help)`);
  }
}

declare const FGLAB_VERSION: string;
const VERSION = typeof FGLAB_VERSION === 'string' ? FGLAB_VERSION : 'dev';

// `fglab trace … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`fglab: ${e.message}\n`);
      process.exitCode = 2;
    } else if (e instanceof SpecError || e instanceof NotebookFileError || e instanceof CancelledError || e instanceof PngUnavailableError) {
      process.stderr.write(`fglab: ${e.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`fglab: internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 70;
    }
  },
);
