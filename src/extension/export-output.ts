/** "Export Output…": a cell's trace as JSON, CSV or `.npy`, written where the user chooses. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { traceCell, traceItem } from './cell-args';
import { EXPORT_FORMATS, exportTrace, readTraceOutput, tracesOf, type ExportFormat } from './trace-export';

/** Arguments for running the command without questions (tests, keybindings). */
export interface ExportArgs {
  cell?: vscode.NotebookCell;
  format?: ExportFormat['id'];
  /** Target file. */
  uri?: vscode.Uri;
  /** Variant of a comparison, by name (default: ask, or the only one). */
  variant?: string;
}

function defaultFolder(notebook: vscode.NotebookDocument): vscode.Uri {
  if (notebook.uri.scheme === 'file') return vscode.Uri.file(path.dirname(notebook.uri.fsPath));
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}

/** Runs the export; resolves to the written file, or undefined when the user cancelled or there is nothing to export. */
export async function exportOutput(arg?: vscode.NotebookCell | ExportArgs): Promise<vscode.Uri | undefined> {
  const args: ExportArgs = arg && 'notebook' in arg ? { cell: arg } : (arg ?? {});
  const cell = traceCell(args.cell);
  const item = cell && traceItem(cell);
  if (!cell || !item) {
    void vscode.window.showInformationMessage('Forget Gate Lab: no cell with a trace output to export. Run a spec cell first, then select it.');
    return undefined;
  }
  const traces = tracesOf(readTraceOutput(item.data));
  let chosen = traces[0];
  if (args.variant !== undefined) {
    const named = traces.find((t) => t.name === args.variant);
    if (!named) throw new Error(`Forget Gate Lab: variant: expected one of ${traces.map((t) => t.name).join(', ')}, got "${args.variant}"`);
    chosen = named;
  } else if (traces.length > 1) {
    const pick = await vscode.window.showQuickPick(traces.map((t) => ({ label: t.name, trace: t })), { title: 'Export which variant?' });
    if (!pick) return undefined;
    chosen = pick.trace;
  }
  let format = EXPORT_FORMATS.find((f) => f.id === args.format);
  if (args.format && !format) throw new Error(`Forget Gate Lab: format: expected ${EXPORT_FORMATS.map((f) => `"${f.id}"`).join(', ')}, got "${args.format}"`);
  if (!format) {
    const pick = await vscode.window.showQuickPick(EXPORT_FORMATS.map((f) => ({ label: f.label, description: f.description, format: f })), {
      title: `Export the trace of cell ${cell.index + 1} as`,
    });
    if (!pick) return undefined;
    format = pick.format;
  }
  const base = `${path.basename(cell.notebook.uri.path).replace(/\.[^.]+$/, '') || 'trace'}-cell${cell.index + 1}${traces.length > 1 ? `-${chosen.name.replace(/[^\w.-]+/g, '_')}` : ''}`;
  const target = args.uri ?? (await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(defaultFolder(cell.notebook), `${base}.${format.extension}`),
    filters: { [format.label]: [format.extension] },
    title: `Export the trace of cell ${cell.index + 1} as ${format.label}`,
  }));
  if (!target) return undefined;
  const bytes = exportTrace(chosen.trace, format.id);
  await vscode.workspace.fs.writeFile(target, bytes);
  if (!args.uri) {
    void vscode.window.showInformationMessage(`Forget Gate Lab: exported cell ${cell.index + 1} to ${vscode.workspace.asRelativePath(target)} (${(bytes.byteLength / 1024).toFixed(0)} KB).`);
  }
  return target;
}
