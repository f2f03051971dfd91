/** "Trace a Model…": a few questions (model, sizes, input shape), then a new spec cell that runs at once. */
import * as vscode from 'vscode';
import { SPEC_SCHEMA } from '../lab/spec/schema';
import { NOTEBOOK_TYPE } from '../shared/ids';
import { CONTROLLER_ID } from '../shared/ids';
import { JUPYTER_CONTROLLER_ID } from './controller';
import { insertCells, type Inserted } from './notebook-edit';
import { askedKeys, integerProblem, parseShape, quickSpec, SHAPE_SUGGESTION, traceableModels } from './quick-spec';
import { validateSpecSource } from './spec-check';

/** Answers given up front (tests, keybindings): `{ model: 'lstm', units: 8, shape: [10, 4] }`. */
export type TraceModelArgs = { model?: string; shape?: number[] } & Record<string, unknown>;

/** Asks what `args` does not say; resolves to the new cell, or undefined when the user cancelled. */
export async function traceModel(extensionId: string, args: TraceModelArgs = {}): Promise<vscode.NotebookCell | undefined> {
  const models = traceableModels(SPEC_SCHEMA);
  let model = args.model;
  if (model === undefined) {
    const pick = await vscode.window.showQuickPick(models.map((m) => ({ label: m.model, detail: m.doc })), { title: 'Trace a Model (1/3): which model?', matchOnDetail: true });
    if (!pick) return undefined;
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

/** Runs the inserted cell with the lab's kernel (selected first in a Jupyter notebook). */
async function run({ notebook, range }: Inserted, extensionId: string): Promise<void> {
  const id = notebook.notebookType === NOTEBOOK_TYPE ? CONTROLLER_ID : JUPYTER_CONTROLLER_ID;
  if (vscode.window.activeNotebookEditor?.notebook === notebook) {
    await vscode.commands.executeCommand('notebook.selectKernel', { id, extension: extensionId });
  }
  await vscode.commands.executeCommand('notebook.cell.execute', { ranges: [{ start: range.start, end: range.end }], document: notebook.uri });
}
