/**
 * The lab's notebook controller: runs spec cells in the notebook's kernel worker, one after
 * another, and skips the rest of the queue after a failure or an interrupt. One controller
 * object serves `.fglab` notebooks and Jupyter notebooks (VS Code binds a controller
 * registration to one notebook type, so it registers once per type).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONTROLLER_ID, JUPYTER_NOTEBOOK_TYPE, NOTEBOOK_TYPE, SPEC_LANGUAGE } from '../shared/ids';
import { KernelError, LabKernel, type KernelOptions } from './kernel';

/** Label shown in the kernel picker. */
export const CONTROLLER_LABEL = 'Forget Gate Lab';

export class LabController implements vscode.Disposable {
  private readonly controllers: vscode.NotebookController[];
  private readonly kernels = new Map<string, LabKernel>();
  private readonly executionOrder = new Map<string, number>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly kernelOptions: KernelOptions) {
    this.controllers = [
      this.createController(CONTROLLER_ID, NOTEBOOK_TYPE),
      this.createController(`${CONTROLLER_ID}.jupyter`, JUPYTER_NOTEBOOK_TYPE),
    ];
    const preferForLab = (nb: vscode.NotebookDocument): void => {
      if (nb.notebookType === NOTEBOOK_TYPE) this.controllers[0].updateNotebookAffinity(nb, vscode.NotebookControllerAffinity.Preferred);
    };
    vscode.workspace.notebookDocuments.forEach(preferForLab);
    this.disposables.push(
      vscode.workspace.onDidOpenNotebookDocument(preferForLab),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.disposeKernel(nb)),
    );
  }

  private createController(id: string, notebookType: string): vscode.NotebookController {
    const controller = vscode.notebooks.createNotebookController(id, notebookType, CONTROLLER_LABEL);
    controller.supportedLanguages = [SPEC_LANGUAGE];
    controller.supportsExecutionOrder = true;
    controller.description = 'LSTM gates with TensorFlow.js (WASM) in a worker';
    controller.executeHandler = (cells, notebook, ctrl) => this.execute(cells, notebook, ctrl);
    controller.interruptHandler = (notebook) => this.interrupt(notebook);
    return controller;
  }

  /** The kernel of a notebook, created (not yet started) on first use. */
  kernelFor(notebook: vscode.NotebookDocument): LabKernel {
    const key = notebook.uri.toString();
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = new LabKernel(path.basename(notebook.uri.path) || key, this.kernelOptions);
      this.kernels.set(key, kernel);
    }
    return kernel;
  }

  interrupt(notebook: vscode.NotebookDocument): void {
    this.kernels.get(notebook.uri.toString())?.interrupt();
  }

  restart(notebook: vscode.NotebookDocument): void {
    this.kernels.get(notebook.uri.toString())?.restart();
    this.executionOrder.delete(notebook.uri.toString());
  }

  private disposeKernel(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    this.kernels.get(key)?.dispose();
    this.kernels.delete(key);
    this.executionOrder.delete(key);
  }

  private async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument, controller: vscode.NotebookController): Promise<void> {
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
      const outputs = await this.kernelFor(notebook).runSpec(cell.document.getText(), baseDirOf(notebook), cellName);
      await execution.replaceOutput(new vscode.NotebookCellOutput(outputs.map((o) => new vscode.NotebookCellOutputItem(o.data, o.mime))));
      execution.end(true, Date.now());
      return true;
    } catch (e) {
      const error = e instanceof KernelError ? e : new KernelError((e as Error).message, 'internal', (e as Error).stack);
      this.kernelOptions.log(`[${cellName}] ${error.kind}: ${error.message}`);
      await execution.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(toDisplayError(error))]));
      execution.end(false, Date.now());
      return false;
    }
  }

  dispose(): void {
    for (const kernel of this.kernels.values()) kernel.dispose();
    this.kernels.clear();
    this.controllers.forEach((c) => c.dispose());
    this.disposables.forEach((d) => d.dispose());
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

/** Folder that relative paths in a notebook's specs resolve against. */
function baseDirOf(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return path.dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? os.homedir();
}
