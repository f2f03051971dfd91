/** Activation: wires the serializer, the controller, the commands, the spec language support, the renderer's messages and the status bar together. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../shared/ids';
import { registerCommands } from './commands';
import { registerRendererMessaging } from './renderer-messages';
import { LabController } from './controller';
import { FglabSerializer } from './serializer';
import { readLabSettings, SETTINGS_SECTION } from './settings';
import { watchSettings } from './settings-watch';
import { registerSpecLanguage } from './spec-providers';
import { KernelStatusBar } from './status-bar';
import { TraceTables } from './trace-document';

export function activate(context: vscode.ExtensionContext): { controller: LabController } {
  const log = vscode.window.createOutputChannel('Forget Gate Lab', { log: true });
  const dist = path.join(context.extensionPath, 'dist');
  const settings = () => readLabSettings((name) => vscode.workspace.getConfiguration(SETTINGS_SECTION).get(name));
  const renderers = registerRendererMessaging(settings, (m) => log.info(m));
  const controller = new LabController({
    workerPath: path.join(dist, 'worker.js'),
    wasmDir: dist,
    // The global storage is this user's own; elsewhere (a remote file system) the OS temporary folder.
    ...(context.globalStorageUri.scheme === 'file' ? { codeCacheDir: context.globalStorageUri.fsPath } : {}),
    log: (message) => log.info(message),
    settings,
    pictures: renderers.pictures,
    live: renderers.live,
  });
  const tables = new TraceTables();
  const statusBar = new KernelStatusBar(controller, settings);
  const cellBaseDir = (document: vscode.TextDocument): string | undefined => {
    const notebook = vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === document));
    return notebook && controller.baseDirOf(notebook);
  };
  context.subscriptions.push(
    log,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new FglabSerializer(), { transientOutputs: false }),
    controller,
    tables,
    statusBar,
    watchSettings(controller, statusBar, (m) => log.info(m)),
    ...registerSpecLanguage(cellBaseDir),
    renderers.disposable,
    ...registerCommands({ extension: context, controller, tables, log: (m) => log.info(m) }),
  );
  return { controller };
}

export function deactivate(): void {}
