/**
 * What a command acts on: the notebook or cell its argument names (toolbar and cell menus pass
 * them), else the active editor's; and the cell whose trace output to use.
 */
import * as vscode from 'vscode';
import { TRACE_MIME } from '../shared/ids';

function isCell(arg: unknown): arg is vscode.NotebookCell {
  return typeof arg === 'object' && arg !== null && 'notebook' in arg && 'index' in arg && 'outputs' in arg;
}

/** The notebook toolbar passes `{ notebookEditor }` (or a URI); cell menus pass the cell; the palette passes nothing. */
export function notebookFromArgument(arg: unknown): vscode.NotebookDocument | undefined {
  if (arg instanceof vscode.Uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === arg.toString());
  if (isCell(arg)) return arg.notebook;
  const editor = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor;
  if (editor?.notebookUri) return notebookFromArgument(editor.notebookUri);
  return undefined;
}

/** The notebook a command acts on: its argument's, else the active editor's. */
export function targetNotebook(arg: unknown): vscode.NotebookDocument | undefined {
  return notebookFromArgument(arg) ?? vscode.window.activeNotebookEditor?.notebook;
}

/** The trace output item of a cell, if it has one. */
export function traceItem(cell: vscode.NotebookCell): vscode.NotebookCellOutputItem | undefined {
  for (const output of cell.outputs) for (const item of output.items) if (item.mime === TRACE_MIME) return item;
  return undefined;
}

/**
 * The cell whose trace a command uses: the cell passed (cell menu), else the active editor's
 * selected cell when it has a trace, else the last cell with a trace in the active notebook.
 */
export function traceCell(arg: unknown): vscode.NotebookCell | undefined {
  const given = isCell(arg) ? arg : isCell((arg as { cell?: unknown } | undefined)?.cell) ? (arg as { cell: vscode.NotebookCell }).cell : undefined;
  if (given) return given;
  const editor = vscode.window.activeNotebookEditor;
  if (!editor) return undefined;
  const selected = editor.selections[0];
  if (selected && !selected.isEmpty) {
    const cell = editor.notebook.cellAt(selected.start);
    if (traceItem(cell)) return cell;
  }
  return [...editor.notebook.getCells()].reverse().find((c) => traceItem(c) !== undefined);
}
