/**
 * The lab's notebook controller: runs spec cells in the notebook's kernel worker, one after
 * another, and skips the rest of the queue after a failure or an interrupt. One controller
 * object serves `.fglab` notebooks and Jupyter notebooks (VS Code binds a controller
 * registration to one notebook type, so it registers once per type).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONTROLLER_ID, JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE, SPEC_LANGUAGE, TRACE_MIME, TRAINING_PROGRESS_MIME } from '../shared/ids';
import { OUTPUT_IMAGE_METADATA } from '../shared/renderer-protocol';
import type { TrainingProgress } from '../shared/trace';
import { progressLine } from '../shared/training';
import { KernelError, LabKernel, type KernelOptions } from './kernel';
import { outputSizeError } from './output-limit';
import type { OutputPictures } from './renderer-messages';
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
    controller.supportedLanguages = [SPEC_LANGUAGE];
    controller.supportsExecutionOrder = true;
    controller.description = 'LSTM gates with TensorFlow.js in a worker';
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
    try {
      if (cell.document.languageId !== SPEC_LANGUAGE) {
        throw new KernelError(`${cellName}: Forget Gate Lab runs cells of language "${SPEC_LANGUAGE}", this one is "${cell.document.languageId}"`, 'user');
      }
      const live = new LiveProgress(execution);
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
      const token = `${key}#${order}#${Date.now()}`;
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
      const error = e instanceof KernelError ? e : new KernelError((e as Error).message, 'internal', (e as Error).stack);
      this.options.log(`[${cellName}] ${error.kind}: ${error.message}`);
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(toDisplayError(error))]));
      execution.end(false, Date.now());
      return false;
    }
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

/**
 * The live output of a training cell: each progress report replaces the cell's output with
 * the progress JSON (drawn by the renderer as live curves) and a text line. Reports that
 * arrive while an update is still being applied are merged into the next one, and `settle`
 * waits for the last update, so the final output always replaces the progress.
 */
class LiveProgress {
  private applying: Promise<void> = Promise.resolve();
  private busy = false;
  private latest: TrainingProgress | undefined;

  constructor(private readonly execution: vscode.NotebookCellExecution) {}

  show(progress: TrainingProgress): void {
    this.latest = progress;
    if (this.busy) return;
    this.busy = true;
    this.applying = this.applying.then(async () => {
      while (this.latest) {
        const p = this.latest;
        this.latest = undefined;
        await this.execution.replaceOutput(new vscode.NotebookCellOutput([
          vscode.NotebookCellOutputItem.json(p, TRAINING_PROGRESS_MIME),
          vscode.NotebookCellOutputItem.text(progressLine(p)),
        ]));
      }
      this.busy = false;
    }, () => undefined);
  }

  /** Resolves once no progress update is pending (later reports are dropped). */
  async settle(): Promise<void> {
    this.latest = undefined;
    await this.applying.catch(() => undefined);
  }
}

/** User errors show one line, no stack; bugs keep their stack for the report. */
function toDisplayError(error: KernelError): Error {
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
