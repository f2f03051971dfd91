/**
 * "Trace a Model…": a trained model file (its spec cell written by the worker, which reads the
 * file), or a few questions (model, sizes, input shape); then a new spec cell that runs at once.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SPEC_SCHEMA } from '../lab/spec/schema';
import { NOTEBOOK_TYPE } from '../shared/ids';
import { CONTROLLER_ID } from '../shared/ids';
import { JUPYTER_CONTROLLER_ID, type LabController } from './controller';
import { KernelError } from './kernel';
import { insertCells, type Inserted } from './notebook-edit';
import { askedKeys, integerProblem, parseShape, quickSpec, SHAPE_SUGGESTION, traceableModels } from './quick-spec';
import { validateSpecSource } from './spec-check';

/**
 * Answers given up front (tests, keybindings): `{ model: 'lstm', units: 8, shape: [10, 4] }`,
 * or `{ file: '/path/model.json' }` for a trained model file.
 */
export type TraceModelArgs = { model?: string; shape?: number[]; file?: string } & Record<string, unknown>;

/** Model files the lab reads, for the open dialog. */
const MODEL_FILE_FILTERS = { 'Trained models (TensorFlow.js, Keras, PyTorch)': ['json', 'keras', 'h5', 'hdf5', 'safetensors'] };
/** The first choice of the model pick. */
const FROM_FILE = '$(file) A trained model file…';

/** Asks what `args` does not say; resolves to the new cell, or undefined when the user cancelled. */
export async function traceModel(extensionId: string, controller: LabController, args: TraceModelArgs = {}): Promise<vscode.NotebookCell | undefined> {
  const models = traceableModels(SPEC_SCHEMA);
  let model = args.model;
  if (typeof args.file === 'string') return traceModelFile(extensionId, controller, vscode.Uri.file(args.file));
  if (model === undefined) {
    const pick = await vscode.window.showQuickPick(
      [
        { label: FROM_FILE, detail: 'TensorFlow.js model.json, Keras .keras or .h5, PyTorch .safetensors: trace its LSTM or GRU layer' },
        ...models.map((m) => ({ label: m.model, detail: m.doc })),
      ],
      { title: 'Trace a Model (1/3): a trained model, or which model to generate?', matchOnDetail: true },
    );
    if (!pick) return undefined;
    if (pick.label === FROM_FILE) {
      const [file] = (await vscode.window.showOpenDialog({ title: 'Trace a Model: the trained model file', canSelectMany: false, filters: MODEL_FILE_FILTERS })) ?? [];
      return file ? traceModelFile(extensionId, controller, file) : undefined;
    }
    model = pick.label;
  } else if (!models.some((m) => m.model === model)) {
    throw new Error(`Forget Gate Lab: model: expected ${models.map((m) => `"${m.model}"`).join(', ')}, got "${model}"`);
  }
  const values: Record<string, number> = {};
  for (const key of askedKeys(SPEC_SCHEMA, model)) {
    const given = args[key.name];
    if (given !== undefined) {
      const problem = integerProblem(key, String(given));
      if (problem) throw new Error(`Forget Gate Lab: ${problem}`);
      values[key.name] = Number(given);
      continue;
    }
    const typed = await vscode.window.showInputBox({
      title: `Trace a Model (2/3): ${key.name}`,
      prompt: key.doc,
      value: String(key.value),
      validateInput: (text) => integerProblem(key, text),
    });
    if (typed === undefined) return undefined;
    values[key.name] = Number(typed.trim());
  }
  let shape = args.shape;
  if (!shape) {
    const typed = await vscode.window.showInputBox({
      title: 'Trace a Model (3/3): input shape',
      prompt: 'time, features (or batch, time, features): a seeded standard normal input of this shape',
      value: SHAPE_SUGGESTION,
      validateInput: (text) => {
        const s = parseShape(SPEC_SCHEMA, text);
        return typeof s === 'string' ? s : undefined;
      },
    });
    if (typed === undefined) return undefined;
    shape = parseShape(SPEC_SCHEMA, typed) as number[];
  }
  const source = quickSpec(model, values, shape);
  // The same check the run does, before anything is inserted: a size error is said at once.
  try {
    validateSpecSource(source);
  } catch (e) {
    void vscode.window.showErrorMessage(`Forget Gate Lab: ${(e as Error).message}`);
    return undefined;
  }
  const inserted = await insertCells([{ kind: 'spec', source }]);
  await run(inserted, extensionId);
  return inserted.notebook.cellAt(inserted.range.start);
}

/**
 * Traces a trained model file: the notebook's worker reads it and writes a spec cell naming its
 * recurrent layer and input, inserted into the active notebook (or a new one) and run.
 */
async function traceModelFile(extensionId: string, controller: LabController, file: vscode.Uri): Promise<vscode.NotebookCell | undefined> {
  if (!vscode.window.activeNotebookEditor) {
    const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData([]));
    await vscode.window.showNotebookDocument(notebook);
  }
  const notebook = vscode.window.activeNotebookEditor!.notebook;
  // Relative to the notebook when it is saved next to it or below a common folder; else absolute.
  const specPath = notebook.uri.scheme === 'file' ? path.relative(path.dirname(notebook.uri.fsPath), file.fsPath).split(path.sep).join('/') : file.fsPath;
  let source: string;
  try {
    source = await controller.kernelFor(notebook).describeModel(file.fsPath, specPath);
  } catch (e) {
    if (!(e instanceof KernelError)) throw e;
    void vscode.window.showErrorMessage(`Forget Gate Lab: ${e.message}`);
    return undefined;
  }
  const inserted = await insertCells([{ kind: 'spec', source }]);
  await run(inserted, extensionId);
  return inserted.notebook.cellAt(inserted.range.start);
}

/** Runs the inserted cell with the lab's kernel (selected first in a Jupyter notebook). */
async function run({ notebook, range }: Inserted, extensionId: string): Promise<void> {
  const id = notebook.notebookType === NOTEBOOK_TYPE ? CONTROLLER_ID : JUPYTER_CONTROLLER_ID;
  if (vscode.window.activeNotebookEditor?.notebook === notebook) {
    await vscode.commands.executeCommand('notebook.selectKernel', { id, extension: extensionId });
  }
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: range.start, end: range.end }], document: notebook.uri });
}
