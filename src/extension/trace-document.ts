/**
 * Read-only Markdown documents of a trace's numbers ("Show Trace as Table"), served from
 * memory under the `fglab-table:` scheme. Each holds what `traceTableMarkdown` wrote, bounded
 * in size; documents close like any editor.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { TRACE_TABLE_SCHEME } from '../shared/ids';
import { SERIES_INFO, type Comparison, type Trace } from '../shared/trace';
import { tracesOf } from './trace-export';
import { traceTableMarkdown } from './trace-table';

/** Series axes from the trace model's series list, for the table headers. */
function axesOf(trace: Trace): (name: string) => readonly string[] | undefined {
  const info = (SERIES_INFO as Readonly<Record<string, readonly { name: string; axes?: readonly string[] }[]>>)[trace.model] ?? [];
  return (name) => info.find((s) => s.name === name)?.axes;
}

export class TraceTables implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly registration: vscode.Disposable;
  private readonly closing: vscode.Disposable;
  private count = 0;

  constructor() {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(TRACE_TABLE_SCHEME, this);
    this.closing = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === TRACE_TABLE_SCHEME) this.contents.delete(d.uri.toString());
    });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '# This table is gone\n\nRun Forget Gate Lab: Show Trace as Table again.\n';
  }

  /** Opens the table of `cell`'s trace output beside the notebook. */
  async show(cell: vscode.NotebookCell, output: Trace | Comparison): Promise<vscode.TextDocument> {
    const name = `${path.basename(cell.notebook.uri.path).replace(/\.[^.]+$/, '')} cell ${cell.index + 1}`;
    const markdown = tracesOf(output).map(({ name: variant, trace }) => traceTableMarkdown(trace, tracesOf(output).length > 1 ? `${name}: ${variant}` : name, undefined, axesOf(trace))).join('\n---\n\n');
    const uri = vscode.Uri.from({ scheme: TRACE_TABLE_SCHEME, path: `/${name}.md`, query: String(++this.count) });
    this.contents.set(uri.toString(), markdown);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
    return document;
  }

  dispose(): void {
    this.registration.dispose();
    this.closing.dispose();
    this.contents.clear();
  }
}
