/** Putting cells into notebooks: after the active cell, or into a new notebook when none is active. */
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE, SPEC_LANGUAGE } from '../shared/ids';
import type { TemplateCell } from './templates';

function toCellData(cell: TemplateCell): vscode.NotebookCellData {
  return cell.kind === 'spec'
    ? new vscode.NotebookCellData(vscode.NotebookCellKind.Code, cell.source, SPEC_LANGUAGE)
    : new vscode.NotebookCellData(vscode.NotebookCellKind.Markup, cell.source, 'markdown');
}

/** Where cells went: the notebook and the range of the new cells. */
export interface Inserted {
  notebook: vscode.NotebookDocument;
  range: vscode.NotebookRange;
}

/**
 * Inserts `cells` after the active cell of the active notebook editor (at the end when no cell
 * is selected), selects and reveals them. With no notebook editor open, opens a new untitled
 * lab notebook holding just these cells.
 */
export async function insertCells(cells: readonly TemplateCell[]): Promise<Inserted> {
  const data = cells.map(toCellData);
  const editor = vscode.window.activeNotebookEditor;
  if (!editor) {
    const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, new vscode.NotebookData(data));
    const shown = await vscode.window.showNotebookDocument(notebook);
    const range = new vscode.NotebookRange(0, data.length);
    shown.selection = new vscode.NotebookRange(0, 1);
    return { notebook, range };
  }
  const notebook = editor.notebook;
  const selection = editor.selections[0];
  const index = selection && !selection.isEmpty ? selection.end : notebook.cellCount;
  const edit = new vscode.WorkspaceEdit();
  edit.set(notebook.uri, [vscode.NotebookEdit.insertCells(index, data)]);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`Forget Gate Lab: the cells could not be inserted into ${notebook.uri.toString()}`);
  const range = new vscode.NotebookRange(index, index + data.length);
  editor.selection = new vscode.NotebookRange(index, index + 1);
  editor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
  return { notebook, range };
}
