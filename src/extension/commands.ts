/** Command palette actions. */
import * as vscode from 'vscode';
import { COMMAND, NOTEBOOK_TYPE } from '../shared/ids';
import { parseNotebook } from '../shared/notebook-file';
import type { LabController } from './controller';
import { toNotebookData } from './serializer';

/** The notebook "New Notebook" opens: the classic Keras example, from the shipped sample. */
export const CLASSIC_SAMPLE = ['media', 'samples', 'classic-lstm.fglab'];

export function registerCommands(context: vscode.ExtensionContext, controller: LabController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMAND.newNotebook, async () => {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(context.extensionUri, ...CLASSIC_SAMPLE));
      const data = toNotebookData(parseNotebook(bytes));
      for (const cell of data.cells) {
        cell.outputs = [];
        cell.executionSummary = undefined;
      }
      const notebook = await vscode.workspace.openNotebookDocument(NOTEBOOK_TYPE, data);
      await vscode.window.showNotebookDocument(notebook);
      return notebook;
    }),
    vscode.commands.registerCommand(COMMAND.restartKernel, (arg?: unknown) => {
      const notebook = notebookFromArgument(arg) ?? vscode.window.activeNotebookEditor?.notebook;
      if (!notebook) {
        void vscode.window.showInformationMessage('Forget Gate Lab: open a notebook to restart its kernel.');
        return;
      }
      controller.restart(notebook);
      void vscode.window.setStatusBarMessage('Forget Gate Lab: kernel restarted', 3000);
    }),
  ];
}

/** The notebook toolbar passes `{ notebookEditor }` (or a URI); the palette passes nothing. */
function notebookFromArgument(arg: unknown): vscode.NotebookDocument | undefined {
  if (arg instanceof vscode.Uri) return vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === arg.toString());
  const editor = (arg as { notebookEditor?: { notebookUri?: vscode.Uri } } | undefined)?.notebookEditor;
  if (editor?.notebookUri) return notebookFromArgument(editor.notebookUri);
  return undefined;
}
