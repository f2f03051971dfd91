/**
 * The lab's notebook controller: runs spec cells in the notebook's kernel worker, one after
 * another, and skips the rest of the queue after a failure or an interrupt. One controller
 * object serves `.fglab` notebooks and Jupyter notebooks (VS Code binds a controller
 * registration to one notebook type, so it registers once per type).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CODE_LANGUAGES, CONTROLLER_ID, isCodeLanguage, JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE, SPEC_LANGUAGE, TRACE_MIME, TRAINING_PROGRESS_MIME, type CodeLanguage } from '../shared/ids';
import type { OutputItemBytes } from '../shared/protocol';
import { OUTPUT_IMAGE_METADATA } from '../shared/renderer-protocol';
import { KernelError, LabKernel, type CodeOutputSink, type KernelOptions } from './kernel';
import { outputSizeError } from './output-limit';
import { LiveProgress } from './live-progress';
import type { LiveMessages, OutputPictures } from './renderer-messages';
import { RESTART_SETTINGS, type LabSettings } from './settings';

/** Label shown in the kernel picker. */
export const CONTROLLER_LABEL = 'Forget Gate Lab';
/** Controller id for Jupyter notebooks (one registration per notebook type). */
export const JUPYTER_CONTROLLER_ID = `${CONTROLLER_ID}.jupyter`;

export interface ControllerOptions extends Omit<KernelOptions, 'settings'> {
  /** The current settings, read at every run and worker start. */
  settings(): LabSettings;
  /** Where trace outputs get their `image/png` picture (from the renderer showing them). */
  pictures?: OutputPictures;
  /** Where training reports go between writes of the progress output (the renderer showing it). */
  live?: LiveMessages;
}

export class LabController implements vscode.Disposable {
  private readonly controllers: vscode.NotebookController[];
  private readonly kernels = new Map<string, LabKernel>();
  private readonly executionOrder = new Map<string, number>();
  /** Notebooks (by URI) whose selected controller is the lab's. */
  private readonly selected = new Set<string>();
  /** Folders that relative paths resolve against, for notebooks that have none of their own (untitled copies of samples). */
  private readonly baseDirs = new Map<string, string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Executions waiting for their output's picture, by cell: ended early when the cell runs again. */
  private readonly picturing = new Map<vscode.NotebookCell, { stop(): void; done: Promise<void> }>();
  private readonly changed = new vscode.EventEmitter<vscode.NotebookDocument>();
  /** Fires when a notebook's kernel changes state (starting, idle, busy, stopped) or its controller selection changes. */
  readonly onDidChangeKernel = this.changed.event;

  constructor(private readonly options: ControllerOptions) {
    this.controllers = [
      this.createController(CONTROLLER_ID, NOTEBOOK_TYPE),
      this.createController(JUPYTER_CONTROLLER_ID, JUPYTER_NOTEBOOK_TYPE),
    ];
    const preferForLab = (nb: vscode.NotebookDocument): void => {
      if (nb.notebookType === NOTEBOOK_TYPE) this.controllers[0].updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(preferForLab);
    this.disposables.push(
      this.changed,
      vscode.workspace.onDidOpenNotebookDocument(preferForLab),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.disposeKernel(nb)),
    );
  }

  private createController(id: string, notebookType: string): vscode.NotebookController {
    const controller = vscode.notebooks.createNotebookController(id, notebookType, CONTROLLER_LABEL);
    controller.supportedLanguages = [SPEC_LANGUAGE, ...CODE_LANGUAGES];
    controller.supportsExecutionOrder = true;
    controller.description = 'LSTM gates and JavaScript with TensorFlow.js in a worker';
    controller.executeHandler = (cells, notebook, ctrl) => this.execute(cells, notebook, ctrl);
    controller.interruptHandler = (notebook) => this.interrupt(notebook);
    this.disposables.push(controller.onDidChangeSelectedNotebooks(({ notebook, selected }) => {
      if (selected) this.selected.add(notebook.uri.toString());
      else this.selected.delete(notebook.uri.toString());
      this.changed.fire(notebook);
    }));
    return controller;
  }

  /** Whether the lab runs this notebook: a `.fglab` notebook, or one whose selected kernel is the lab. */
  isLabNotebook(notebook: vscode.NotebookDocument): boolean {
    return notebook.notebookType === NOTEBOOK_TYPE || this.selected.has(notebook.uri.toString());
  }

  /** The kernel of a notebook, created (not yet started) on first use. */
  kernelFor(notebook: vscode.NotebookDocument): LabKernel {
    const key = notebook.uri.toString();
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = new LabKernel(path.basename(notebook.uri.path) || key, {
        ...this.options,
        settings: () => {
          const s = this.options.settings();
          return { backend: s.computeBackend, memoryLimitMb: s.workerMemoryLimitMB };
        },
      });
      kernel.onDidChangeState(() => this.changed.fire(notebook));
      this.kernels.set(key, kernel);
    }
    return kernel;
  }

  /** The notebook's kernel if one was created, without creating one. */
  existingKernel(notebook: vscode.NotebookDocument): LabKernel | undefined {
    return this.kernels.get(notebook.uri.toString());
  }

  interrupt(notebook: vscode.NotebookDocument): void {
    this.kernels.get(notebook.uri.toString())?.interrupt();
  }

  restart(notebook: vscode.NotebookDocument): void {
    this.kernels.get(notebook.uri.toString())?.restart();
    this.executionOrder.delete(notebook.uri.toString());
  }

  /**
   * Applies changed settings to running kernels: those started with another backend or memory
   * limit restart (now when idle, else after their queued runs). Returns how many were affected.
   */
  applySettings(): number {
    const now = this.options.settings();
    let count = 0;
    for (const kernel of this.kernels.values()) {
      const was = kernel.settings;
      if (!was) continue;
      const differs = RESTART_SETTINGS.some((name) => (name === 'computeBackend' ? was.backend !== now.computeBackend : was.memoryLimitMb !== now.workerMemoryLimitMB));
      if (differs) {
        kernel.restartWhenIdle();
        count++;
      }
    }
    return count;
  }

  /** Makes relative paths of an untitled notebook resolve against `dir` (an untitled copy of a sample). */
  setBaseDir(notebook: vscode.NotebookDocument, dir: string): void {
    this.baseDirs.set(notebook.uri.toString(), dir);
  }

  /** Folder that relative paths in a notebook's specs resolve against. */
  baseDirOf(notebook: vscode.NotebookDocument): string {
    if (notebook.uri.scheme === 'file') return path.dirname(notebook.uri.fsPath);
    return this.baseDirs.get(notebook.uri.toString()) ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
  }

  private disposeKernel(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    this.kernels.get(key)?.dispose();
    this.kernels.delete(key);
    this.executionOrder.delete(key);
    this.baseDirs.delete(key);
    this.selected.delete(key);
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, controller: vscode.NotebookController): Promise<void> {
    // A cell still waiting for its last output's picture ends that wait first.
    await Promise.all(cells.map((cell) => {
      const waiting = this.picturing.get(cell);
      waiting?.stop();
      return waiting?.done;
    }));
    // Every cell is queued at once (shown as pending); after a failure the rest end "not run".
    const executions = cells.map((cell) => controller.createNotebookCellExecution(cell));
    let failed = false;
    for (const execution of executions) {
      if (failed) {
        execution.end(undefined);
        continue;
      }
      failed = !(await this.runCell(execution, notebook));
    }
  }

  private async runCell(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument): Promise<boolean> {
    const cell = execution.cell;
    const key = notebook.uri.toString();
    const order = (this.executionOrder.get(key) ?? 0) + 1;
    this.executionOrder.set(key, order);
    execution.executionOrder = order;
    execution.start(Date.now());
    await execution.clearOutput();
    const cellName = `cell ${cell.index + 1}`;
    const language = cell.document.languageId;
    try {
      if (isCodeLanguage(language)) return await this.runCodeCell(execution, notebook, cellName, language);
      if (language !== SPEC_LANGUAGE) {
        throw new KernelError(`${cellName}: Forget Gate Lab runs cells of language "${SPEC_LANGUAGE}", ${CODE_LANGUAGES.map((l) => `"${l}"`).join(' and ')}, this one is "${language}"`, 'user');
      }
      const token = `${key}#${order}#${Date.now()}`;
      const live = new LiveProgress(`${token}#live`, {
        write: ({ json, line }) => execution.replaceOutput(new vscode.NotebookCellOutput([
          vscode.NotebookCellOutputItem.json(json, TRAINING_PROGRESS_MIME),
          vscode.NotebookCellOutputItem.text(line),
        ])),
        send: (liveToken, progress) => this.options.live?.send(notebook, liveToken, progress),
        now: () => Date.now(),
      });
      const outputs = await this.kernelFor(notebook)
        .runSpec(cell.document.getText(), this.baseDirOf(notebook), cellName, {
          readRoots: readRoots(),
          outputPrecision: this.options.settings().outputPrecision,
          defaultSeed: this.options.settings().defaultSeed,
          onProgress: (p) => live.show(p),
        })
        .finally(() => live.settle());
      const tooLarge = outputSizeError(outputs, this.options.settings().outputSizeLimitMB);
      if (tooLarge) throw new KernelError(tooLarge, 'user');
      const output = new vscode.NotebookCellOutput(outputs.map((o) => new vscode.NotebookCellOutputItem(o.data, o.mime)), { [OUTPUT_IMAGE_METADATA]: token });
      await execution.replaceOutput(output);
      // The picture for GitHub and Jupyter, while the next cell runs: the execution ends once it is in (or not coming).
      let stop = () => {};
      const stopped = new Promise<undefined>((resolve) => (stop = () => resolve(undefined)));
      const done = this.addPicture(execution, output, notebook, token, stopped).finally(() => {
        if (this.picturing.get(cell)?.done === done) this.picturing.delete(cell);
      });
      this.picturing.set(cell, { stop, done });
      return true;
    } catch (e) {
      await this.fail(execution, cellName, e, 'replace');
      return false;
    }
  }

  /**
   * Runs a JavaScript or TypeScript cell: only in a trusted workspace. Console text and
   * `lab.show` outputs are appended as they come; the last expression's value, or the error,
   * comes after them.
   */
  private async runCodeCell(execution: vscode.NotebookCellExecution, notebook: vscode.NotebookDocument, cellName: string, language: CodeLanguage): Promise<boolean> {
    if (!vscode.workspace.isTrusted) {
      await this.fail(execution, cellName, new KernelError(RESTRICTED_MODE_MESSAGE, 'user', undefined, 'Restricted Mode'), 'replace');
      return false;
    }
    const limitBytes = this.options.settings().outputSizeLimitMB * 1024 * 1024;
    const sink = new CellOutputSink(execution, limitBytes, (m) => this.options.log(`[${cellName}] ${m}`));
    try {
      const outputs = await this.kernelFor(notebook).runCode(execution.cell.document.getText(), language, this.baseDirOf(notebook), cellName, sink, { outputPrecision: this.options.settings().outputPrecision, defaultSeed: this.options.settings().defaultSeed });
      await sink.flushed();
      const tooLarge = outputSizeError(outputs, this.options.settings().outputSizeLimitMB);
      if (tooLarge) throw new KernelError(tooLarge, 'user');
      if (outputs.length > 0) await execution.appendOutput(toCellOutput(outputs));
      execution.end(true, Date.now());
      return true;
    } catch (e) {
      await sink.flushed();
      await this.fail(execution, cellName, e, 'append');
      return false;
    }
  }

  /** Ends a run with its error: replacing the outputs (spec cells), or after what a code cell printed. */
  private async fail(execution: vscode.NotebookCellExecution, cellName: string, e: unknown, how: 'replace' | 'append'): Promise<void> {
    const error = e instanceof KernelError ? e : new KernelError((e as Error).message, 'internal', (e as Error).stack);
    this.options.log(`[${cellName}] ${error.kind}: ${error.message}`);
    const output = new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(toDisplayError(error))]);
    await (how === 'replace' ? execution.replaceOutput(output) : execution.appendOutput(output));
    execution.end(false, Date.now());
  }

  /** Appends the renderer's picture of `output` as `image/png` when it comes, then ends the execution. */
  private async addPicture(execution: vscode.NotebookCellExecution, output: vscode.NotebookCellOutput, notebook: vscode.NotebookDocument, token: string, stopped: Promise<undefined>): Promise<void> {
    try {
      const wanted = output.items.some((i) => i.mime === TRACE_MIME) ? this.options.pictures?.pictureOf(notebook, token) : undefined;
      const png = wanted && (await Promise.race([wanted, stopped]));
      if (png) await execution.appendOutputItems(new vscode.NotebookCellOutputItem(png, 'image/png'), output);
    } catch (e) {
      this.options.log(`no picture for ${token}: ${(e as Error).message}`);
    } finally {
      try {
        execution.end(true, Date.now());
      } catch (e) {
        this.options.log(`the execution of ${token} could not end: ${(e as Error).message}`); // its notebook was closed
      }
    }
  }

  dispose(): void {
    for (const kernel of this.kernels.values()) kernel.dispose();
    this.kernels.clear();
    this.controllers.forEach((c) => c.dispose());
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Why a code cell does not run in Restricted Mode, and how to trust the folder. */
export const RESTRICTED_MODE_MESSAGE = 'JavaScript and TypeScript cells run code with the rights of VS Code, so Forget Gate Lab runs them only in a trusted workspace, and this folder is open in Restricted Mode. '
  + 'If you trust its files, run "Workspaces: Manage Workspace Trust" from the Command Palette and choose "Trust". Spec cells run in Restricted Mode too (reading files only inside the workspace).';

function toCellOutput(items: OutputItemBytes[]): vscode.NotebookCellOutput {
  return new vscode.NotebookCellOutput(items.map((o) => new vscode.NotebookCellOutputItem(o.data, o.mime)));
}

/**
 * A code cell's outputs as they come: console text goes into one output per run of the same
 * stream (appended to, so VS Code shows it as one block), coalesced over a few milliseconds
 * so that a loop printing thousands of lines makes few updates; text past the output size
 * limit is dropped with a note. Writes to the execution happen one at a time, in order.
 */
class CellOutputSink implements CodeOutputSink {
  /** Text waiting for the next flush, in order. */
  private buffered: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writes: Promise<void> = Promise.resolve();
  private written = 0;
  private dropped = false;

  constructor(
    private readonly execution: vscode.NotebookCellExecution,
    private readonly limitBytes: number,
    private readonly log: (message: string) => void,
  ) {}

  stream(stream: 'stdout' | 'stderr', text: string): void {
    if (this.written + text.length > this.limitBytes) {
      if (!this.dropped) this.buffered.push({ stream: 'stderr', text: `… further output dropped: it passed the ${Math.round(this.limitBytes / 1024 / 1024)} MB of fglab.outputSizeLimitMB\n` });
      this.dropped = true;
      return;
    }
    this.written += text.length;
    this.buffered.push({ stream, text });
    this.timer ??= setTimeout(() => this.flush(), STREAM_FLUSH_MS);
  }

  display(outputs: OutputItemBytes[]): void {
    this.flush();
    this.enqueue(() => this.execution.appendOutput(toCellOutput(outputs)));
  }

  /** Resolves when every output received so far is in the cell. */
  flushed(): Promise<void> {
    this.flush();
    return this.writes;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const chunks = this.buffered;
    this.buffered = [];
    // Consecutive chunks of one stream become one item.
    const merged: { stream: 'stdout' | 'stderr'; text: string }[] = [];
    for (const c of chunks) {
      const last = merged[merged.length - 1];
      if (last?.stream === c.stream) last.text += c.text;
      else merged.push({ ...c });
    }
    for (const { stream, text } of merged) {
      this.enqueue(async () => {
        const item = stream === 'stdout' ? vscode.NotebookCellOutputItem.stdout(text) : vscode.NotebookCellOutputItem.stderr(text);
        // The cell's own last output (as VS Code holds it), when it is this stream's: appended to.
        const outputs = this.execution.cell.outputs;
        const last = outputs[outputs.length - 1];
        if (last && last.items.length > 0 && last.items.every((i) => i.mime === item.mime)) await this.execution.appendOutputItems(item, last);
        else await this.execution.appendOutput(new vscode.NotebookCellOutput([item]));
      });
    }
  }

  private enqueue(write: () => Thenable<void>): void {
    this.writes = this.writes.then(write).then(undefined, (e: Error) => this.log(`output not written: ${e.message}`));
  }
}

/** How long console text is gathered before it is written to the cell. */
const STREAM_FLUSH_MS = 30;

/** User errors show one line, no stack; bugs keep their stack for the report; a code cell's error shows its own name and its stack at the cells' lines. */
function toDisplayError(error: KernelError): Error {
  if (error.errorName) return { name: error.errorName, message: error.message, stack: error.detail };
  const names: Record<KernelError['kind'], string> = {
    user: 'Spec error',
    cancelled: 'Interrupted',
    internal: 'Internal error',
    crashed: 'Kernel crashed',
  };
  return { name: names[error.kind], message: error.message, stack: error.kind === 'internal' ? error.detail : undefined };
}

/** In Restricted Mode specs read files only inside the workspace folders; in a trusted workspace, anywhere. */
function readRoots(): string[] | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}
