/**
 * The host side of the renderer's messages: saving a view (PNG, CSV) or a whole output
 * (JSON, `.npy`) through a save dialog, answered by request id; and the chart settings
 * (`fglab.colorMap`), sent when a renderer says it is ready and to every renderer when they
 * change; the pictures of new outputs (`OutputPictures`); and live training reports (`LiveMessages`). Messages that are not requests of
 * this protocol are refused with a `failed` reply (or logged when they have no id).
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { RENDERER_ID } from '../shared/ids';
import {
  isOutputImageMessage,
  isReadyMessage,
  parseRendererRequest,
  RENDERER_PROTOCOL_VERSION,
  type HostReply,
  type RendererRequest,
  type SettingsMessage,
  type TrainingProgressMessage,
} from '../shared/renderer-protocol';
import type { TrainingProgress } from '../shared/trace';
import { decodeBase64 } from '../shared/base64';
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

/** How long a new output waits for its picture from a renderer that shows it. */
export const PICTURE_TIMEOUT_MS = 5000;
/** How often the renderers are asked again while no picture came. */
const ASK_AGAIN_MS = 250;

/**
 * Pictures of new outputs, drawn by the renderer that shows them: the host cannot draw charts
 * without a native canvas, which the portable `.vsix` does not ship, while the renderer draws
 * them with the same chart definitions on the webview's canvas.
 */
export class OutputPictures {
  private readonly waiting = new Map<string, (png: Uint8Array) => void>();

  constructor(private readonly messaging: vscode.NotebookRendererMessaging) {}

  /**
   * The PNG of the output of `notebook` whose metadata holds `token`, from a renderer of a
   * visible editor of the notebook; undefined at once when none shows it, or after
   * `timeoutMs` when none answers (the output is not drawn: scrolled away, or an old renderer).
   */
  async pictureOf(notebook: vscode.NotebookDocument, token: string, timeoutMs = PICTURE_TIMEOUT_MS): Promise<Uint8Array | undefined> {
    const editors = vscode.window.visibleNotebookEditors.filter((e) => e.notebook === notebook);
    if (editors.length === 0) return undefined;
    // Asked again until answered: a renderer that has not started yet misses the message.
    const ask = () => {
      for (const editor of editors) void this.messaging.postMessage({ type: 'wantImage', protocol: RENDERER_PROTOCOL_VERSION, token }, editor);
    };
    return new Promise<Uint8Array | undefined>((resolve) => {
      const again = setInterval(ask, ASK_AGAIN_MS);
      const timer = setTimeout(() => {
        clearInterval(again);
        this.waiting.delete(token);
        resolve(undefined);
      }, timeoutMs);
      this.waiting.set(token, (png) => {
        clearInterval(again);
        clearTimeout(timer);
        this.waiting.delete(token);
        resolve(png);
      });
      ask();
    });
  }

  /** Takes a renderer's `outputImage` message; false when it is none. */
  receive(message: unknown): boolean {
    if (!isOutputImageMessage(message)) return false;
    this.waiting.get(message.token)?.(decodeBase64(message.data));
    return true;
  }
}

/** Live training reports, to the renderers of the visible editors of a notebook. */
export class LiveMessages {
  constructor(private readonly messaging: vscode.NotebookRendererMessaging) {}

  send(notebook: vscode.NotebookDocument, token: string, progress: TrainingProgress): void {
    const message: TrainingProgressMessage = { type: 'trainingProgress', protocol: RENDERER_PROTOCOL_VERSION, token, progress };
    for (const editor of vscode.window.visibleNotebookEditors) if (editor.notebook === notebook) void this.messaging.postMessage(message, editor);
  }
}

/** Listens to the `fglab.charts` renderer and keeps its settings current; answers output pictures. */
export function registerRendererMessaging(settings: () => LabSettings, log: (message: string) => void): { disposable: vscode.Disposable; pictures: OutputPictures; live: LiveMessages } {
  const messaging = vscode.notebooks.createRendererMessaging(RENDERER_ID);
  const pictures = new OutputPictures(messaging);
  const live = new LiveMessages(messaging);
  const received = messaging.onDidReceiveMessage(async ({ editor, message }) => {
    if (isReadyMessage(message)) {
      await messaging.postMessage(settingsMessage(settings()), editor);
      return;
    }
    if (pictures.receive(message)) return;
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
  return { disposable: vscode.Disposable.from(received, changed), pictures, live };
}
