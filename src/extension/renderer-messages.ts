/**
 * The host side of the renderer's messages: saving a view (PNG, CSV) or a whole output
 * (JSON, `.npy`) through a save dialog, answered by request id; and the chart settings
 * (`fglab.colorMap`), sent when a renderer says it is ready and to every renderer when they
 * change. Messages that are not requests of this protocol are refused with a `failed` reply
 * (or logged when they have no id).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RENDERER_ID } from '../shared/ids';
import { isReadyMessage, parseRendererRequest, RENDERER_PROTOCOL_VERSION, type HostReply, type RendererRequest, type SettingsMessage } from '../shared/renderer-protocol';
import { rendererSaveBytes } from './renderer-save';
import { settingId, type LabSettings } from './settings';

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

/** The settings message of the current settings. */
function settingsMessage(settings: LabSettings): SettingsMessage {
  return { type: 'settings', protocol: RENDERER_PROTOCOL_VERSION, colorMap: settings.colorMap };
}

/** Listens to the `fglab.charts` renderer and keeps its settings current. */
export function registerRendererMessaging(settings: () => LabSettings, log: (message: string) => void): vscode.Disposable {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  const received = messaging.onDidReceiveMessage(async ({ editor, message }) => {
    if (isReadyMessage(message)) {
      await messaging.postMessage(settingsMessage(settings()), editor);
      return;
    }
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
  const changed = vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(settingId('colorMap'))) return;
    const message = settingsMessage(settings());
    log(`${settingId('colorMap')} is now ${message.colorMap}: sent to the renderers`);
    void messaging.postMessage(message);
  });
  return vscode.Disposable.from(received, changed);
}
