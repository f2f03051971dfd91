/** "Export Output…": a cell's trace as JSON, CSV or `.npy`, or its picture as PNG, written where the user chooses. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { traceCell, traceItem } from './cell-args';
import { EXPORT_FORMATS, exportTrace, readTraceOutput, tracesOf, type ExportFormat } from './trace-export';

/** The picture of the output's main view (its `image/png` item). */
const PNG_FORMAT = { id: 'png', label: 'PNG', description: 'the picture of the main view the output carries', extension: 'png' } as const;
type PictureOrTraceFormat = ExportFormat | typeof PNG_FORMAT;

/** Arguments for running the command without questions (tests, keybindings). */
export interface ExportArgs {
  cell?: vscode.NotebookCell;
  format?: PictureOrTraceFormat['id'];
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
  // The picture the output carries (drawn by the renderer when the cell ran) exports as PNG.
  const picture = cell.outputs.flatMap((o) => o.items).find((i) => i.mime === 'image/png');
  const formats: readonly PictureOrTraceFormat[] = picture ? [...EXPORT_FORMATS, PNG_FORMAT] : EXPORT_FORMATS;
  let format = formats.find((f) => f.id === args.format);
  if (args.format && !format) {
    const why = args.format === 'png' ? ' (this output has no picture: run the cell with its notebook open, and the renderer draws one)' : '';
    throw new Error(`Forget Gate Lab: format: expected ${formats.map((f) => `"${f.id}"`).join(', ')}, got "${args.format}"${why}`);
  }
  if (!format) {
    const pick = await vscode.window.showQuickPick(formats.map((f) => ({ label: f.label, description: f.description, format: f })), {
      title: `Export the trace of cell ${cell.index + 1} as`,
    });
    if (!pick) return undefined;
    format = pick.format;
  }
  const traces = tracesOf(readTraceOutput(item.data));
  let chosen = traces[0];
  if (args.variant !== undefined) {
    const named = traces.find((t) => t.name === args.variant);
    if (!named) throw new Error(`Forget Gate Lab: variant: expected one of ${traces.map((t) => t.name).join(', ')}, got "${args.variant}"`);
    chosen = named;
  } else if (traces.length > 1 && format.id !== 'png') {
    const pick = await vscode.window.showQuickPick(traces.map((t) => ({ label: t.name, trace: t })), { title: 'Export which variant?' });
    if (!pick) return undefined;
    chosen = pick.trace;
  }
  const variantPart = traces.length > 1 && format.id !== 'png' ? `-${chosen.name.replace(/[^\w.-]+/g, '_')}` : '';
  const base = `${path.basename(cell.notebook.uri.path).replace(/\.[^.]+$/, '') || 'trace'}-cell${cell.index + 1}${variantPart}`;
  const target = args.uri ?? (await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(defaultFolder(cell.notebook), `${base}.${format.extension}`),
    filters: { [format.label]: [format.extension] },
    title: `Export the trace of cell ${cell.index + 1} as ${format.label}`,
  }));
  if (!target) return undefined;
  const bytes = format.id === 'png' ? picture!.data : exportTrace(chosen.trace, format.id);
  await vscode.workspace.fs.writeFile(target, bytes);
  if (!args.uri) {
    void vscode.window.showInformationMessage(`Forget Gate Lab: exported cell ${cell.index + 1} to ${vscode.workspace.asRelativePath(target)} (${(bytes.byteLength / 1024).toFixed(0)} KB).`);
  }
  return target;
}
