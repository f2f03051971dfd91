/**
 * The host side of the renderer's messages: saving a view (PNG, CSV) or a whole output
 * (JSON, `.npy`) through a save dialog, answered by request id. Messages that are not
 * requests of this protocol are refused with a `failed` reply (or logged when they have no id).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RENDERER_ID } from '../shared/ids';
import { parseRendererRequest, type HostReply, type RendererRequest } from '../shared/renderer-protocol';
import { rendererSaveBytes } from './renderer-save';

function defaultFolder(editor: vscode.NotebookEditor): vscode.Uri {
  const uri = editor.notebook.uri;
  if (uri.scheme === 'file') return vscode.Uri.file(path.dirname(uri.fsPath));
  return vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
}

async function save(request: RendererRequest, editor: vscode.NotebookEditor): Promise<HostReply> {
  const { bytes, extension, label } = rendererSaveBytes(request);
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.joinPath(defaultFolder(editor), request.suggestedName),
    filters: { [label]: [extension] },
    title: `Save ${request.suggestedName}`,
  });
  if (!target) return { type: 'cancelled', requestId: request.requestId };
  await vscode.workspace.fs.writeFile(target, bytes);
  return { type: 'saved', requestId: request.requestId, path: vscode.workspace.asRelativePath(target) };
}

/** Listens to the `fglab.charts` renderer. */
export function registerRendererMessaging(log: (message: string) => void): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  return messaging.onDidReceiveMessage(async ({ editor, message }) => {
    const requestId = typeof (message as { requestId?: unknown } | undefined)?.requestId === 'string' ? (message as { requestId: string }).requestId : undefined;
    let reply: HostReply;
    try {
      reply = await save(parseRendererRequest(message), editor);
    } catch (e) {
      log(`renderer request ${requestId ?? '(no id)'} failed: ${(e as Error).message}`);
      if (requestId === undefined) return;
      reply = { type: 'failed', requestId, message: (e as Error).message };
    }
    await messaging.postMessage(reply, editor);
  });
}
