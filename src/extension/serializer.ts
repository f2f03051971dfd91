/**
 * `.fglab` serializer: a thin adapter between VS Code's NotebookData and the file format in
 * `src/shared/notebook-file.ts`. A file that does not parse raises an error (VS Code then
 * shows it instead of an empty notebook, so saving cannot destroy the original).
 */
import * as vscode from 'vscode';
import { parseNotebook, serializeNotebook, type Notebook, type NotebookCell } from '../shared/notebook-file';

export function toNotebookData(notebook: Notebook): vscode.NotebookData {
  const cells = notebook.cells.map((c) => {
    const kind = c.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code;
    const cell = new vscode.NotebookCellData(kind, c.source, c.language);
    if (c.metadata) cell.metadata = c.metadata;
    if (c.outputs) {
      cell.outputs = c.outputs.map((o) => new vscode.NotebookCellOutput(o.items.map((i) => new vscode.NotebookCellOutputItem(i.data, i.mime)), o.metadata));
    }
    if (c.execution) {
      const { order, success, startTime, endTime } = c.execution;
      cell.executionSummary = {
        executionOrder: order,
        success,
        timing: startTime !== undefined && endTime !== undefined ? { startTime, endTime } : undefined,
      };
    }
    return cell;
  });
  const data = new vscode.NotebookData(cells);
  if (notebook.metadata) data.metadata = notebook.metadata;
  return data;
}

export function fromNotebookData(data: vscode.NotebookData): Notebook {
  const cells: NotebookCell[] = data.cells.map((c) => {
    const cell: NotebookCell = {
      kind: c.kind === vscode.NotebookCellKind.Markup ? 'markdown' : 'code',
      language: c.languageId,
      source: c.value,
    };
    if (c.metadata && Object.keys(c.metadata).length) cell.metadata = c.metadata;
    if (c.outputs?.length) cell.outputs = c.outputs.map((o) => ({ items: o.items.map((i) => ({ mime: i.mime, data: i.data })), metadata: o.metadata }));
    const summary = c.executionSummary;
    if (summary && (summary.executionOrder !== undefined || summary.success !== undefined)) {
      cell.execution = { order: summary.executionOrder, success: summary.success, startTime: summary.timing?.startTime, endTime: summary.timing?.endTime };
    }
    return cell;
  });
  return { metadata: data.metadata, cells };
}

export class FglabSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    return toNotebookData(parseNotebook(content));
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    return serializeNotebook(fromNotebookData(data));
  }
}
