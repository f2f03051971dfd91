/**
 * Command palette actions (`fglab.verbNoun`). Each works from the palette with no notebook
 * open: it opens one first, or says what to open. Arguments, when given, answer the
 * questions a command would ask (tests, keybindings, the walkthrough's links).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND, NOTEBOOK_TYPE } from '../shared/ids';
import { parseNotebook } from '../shared/notebook-file';
import { targetNotebook, traceCell, traceItem } from './cell-args';
import type { LabController } from './controller';
import { exportOutput, type ExportArgs } from './export-output';
import { insertCells } from './notebook-edit';
import { listSamples, openSampleCopy, SAMPLES_DIR } from './samples';
import { toNotebookData } from './serializer';
import { CELL_TEMPLATES, EXPERIMENT_TEMPLATES, findTemplate, MODEL_TEMPLATES, type CellTemplate } from './templates';
import type { TraceTables } from './trace-document';
import { readTraceOutput } from './trace-export';
import { traceModel, type TraceModelArgs } from './trace-model';

/** The notebook "New Notebook" opens: the classic Keras example, from the shipped sample. */
export const CLASSIC_SAMPLE = [...SAMPLES_DIR, 'classic-lstm.fglab'];

export interface CommandContext {
  extension: vscode.ExtensionContext;
  controller: LabController;
  tables: TraceTables;
  log(message: string): void;
}

async function newNotebook(extensionUri: vscode.Uri): Promise<vscode.NotebookDocument> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, ...CLASSIC_SAMPLE));
  const data = toNotebookData(parseNotebook(bytes));
  for (const cell of data.cells) {
    cell.outputs = [];
    cell.executionSummary = undefined;
  }
  const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
  await vscode.window.showNotebookDocument(notebook);
  return notebook;
}

async function openSample(c: CommandContext, fileName?: string): Promise<vscode.NotebookDocument | undefined> {
  const samples = await listSamples(c.extension.extensionUri, c.log);
  let sample = fileName === undefined ? undefined : samples.find((s) => s.fileName === fileName);
  if (fileName !== undefined && !sample) throw new Error(`Forget Gate Lab: sample: expected one of ${samples.map((s) => s.fileName).join(', ')}, got "${fileName}"`);
  if (!sample) {
    const pick = await vscode.window.showQuickPick(samples.map((s) => ({ label: s.title, description: s.fileName, detail: s.description, sample: s })), {
      title: 'Open a Forget Gate Lab sample (an untitled copy)',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!pick) return undefined;
    sample = pick.sample;
  }
  const notebook = await openSampleCopy(sample);
  // Files the sample names (inputs, weights) sit beside it in the extension.
  c.controller.setBaseDir(notebook, path.dirname(sample.uri.fsPath));
  return notebook;
}

async function insertTemplate(id?: string): Promise<vscode.NotebookRange | undefined> {
  let template: CellTemplate | undefined;
  if (id !== undefined) {
    template = findTemplate(id);
    if (!template) throw new Error(`Forget Gate Lab: template: expected one of ${CELL_TEMPLATES.map((t) => t.id).join(', ')}, got "${id}"`);
  } else {
    type Item = vscode.QuickPickItem & { template?: CellTemplate };
    const item = (t: CellTemplate): Item => ({ label: t.label, detail: t.description, template: t });
    const items: Item[] = [
      { label: 'Models', kind: vscode.QuickPickItemKind.Separator },
      ...MODEL_TEMPLATES.map(item),
      { label: 'Experiments', kind: vscode.QuickPickItemKind.Separator },
      ...EXPERIMENT_TEMPLATES.map(item),
    ];
    template = (await vscode.window.showQuickPick(items, { title: 'Insert a cell template after the active cell', matchOnDetail: true }))?.template;
    if (!template) return undefined;
  }
  return (await insertCells(template.cells)).range;
}

function interrupt(c: CommandContext, arg: unknown): void {
  const notebook = targetNotebook(arg);
  const kernel = notebook && c.controller.existingKernel(notebook);
  if (!notebook || !kernel || (kernel.state !== 'busy' && kernel.state !== 'starting')) {
    void vscode.window.showInformationMessage('Forget Gate Lab: no cell is running in the active notebook.');
    return;
  }
  c.controller.interrupt(notebook);
}

function restart(c: CommandContext, arg: unknown): void {
  const notebook = targetNotebook(arg);
  if (!notebook) {
    void vscode.window.showInformationMessage('Forget Gate Lab: open a notebook to restart its kernel.');
    return;
  }
  c.controller.restart(notebook);
  void vscode.window.setStatusBarMessage('Forget Gate Lab: kernel restarted', 3000);
}

async function showTable(c: CommandContext, arg: unknown): Promise<vscode.TextDocument | undefined> {
  const cell = traceCell(arg);
  const item = cell && traceItem(cell);
  if (!cell || !item) {
    void vscode.window.showInformationMessage('Forget Gate Lab: no cell with a trace output to show. Run a spec cell first, then select it.');
    return undefined;
  }
  return c.tables.show(cell, readTraceOutput(item.data));
}

async function kernelActions(): Promise<void> {
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  const items = [
    { label: '$(debug-restart) Restart Kernel', detail: 'Stop the worker; the next run starts a fresh one', command: COMMAND.restartKernel },
    { label: '$(debug-stop) Interrupt', detail: 'Stop the running cell', command: COMMAND.interruptKernel },
    { label: '$(settings-gear) Settings', detail: 'Backend, memory and output limits (fglab.*)', command: 'workbench.action.openSettings' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: `Forget Gate Lab kernel${notebook ? ` of ${path.basename(notebook.uri.path)}` : ''}` });
  if (!pick) return;
  if (pick.command === 'workbench.action.openSettings') await vscode.commands.executeCommand(pick.command, '@ext:forget-gate-lab.forget-gate-lab');
  else await vscode.commands.executeCommand(pick.command, notebook?.uri);
}

export function registerCommands(c: CommandContext): vscode.Disposable[] {
  const extensionUri = c.extension.extensionUri;
  return [
    vscode.commands.registerCommand(COMMAND.newNotebook, () => newNotebook(extensionUri)),
    vscode.commands.registerCommand(COMMAND.openSample, (fileName?: string) => openSample(c, typeof fileName === 'string' ? fileName : undefined)),
    vscode.commands.registerCommand(COMMAND.insertCellTemplate, (id?: string) => insertTemplate(typeof id === 'string' ? id : undefined)),
    vscode.commands.registerCommand(COMMAND.traceModel, (args?: TraceModelArgs) => traceModel(c.extension.extension.id, c.controller, typeof args === 'object' && args !== null && !(args instanceof vscode.Uri) ? args : {})),
    vscode.commands.registerCommand(COMMAND.exportOutput, (arg?: vscode.NotebookCell | ExportArgs) => exportOutput(arg)),
    vscode.commands.registerCommand(COMMAND.interruptKernel, (arg?: unknown) => interrupt(c, arg)),
    vscode.commands.registerCommand(COMMAND.restartKernel, (arg?: unknown) => restart(c, arg)),
    vscode.commands.registerCommand(COMMAND.showTraceTable, (arg?: unknown) => showTable(c, arg)),
    vscode.commands.registerCommand(COMMAND.showKernelActions, () => kernelActions()),
  ];
}
