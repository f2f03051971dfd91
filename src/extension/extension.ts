/** Activation: wires the serializer, the controller and the commands together. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { NOTEBOOK_TYPE } from '../shared/ids';
import { registerCommands } from './commands';
import { LabController } from './controller';
import { FglabSerializer } from './serializer';

export function activate(context: vscode.ExtensionContext): { controller: LabController } {
  const log = vscode.window.createOutputChannel('Forget Gate Lab', { log: true });
  const dist = path.join(context.extensionPath, 'dist');
  const controller = new LabController({
    workerPath: path.join(dist, 'worker.js'),
    wasmDir: dist,
    log: (message) => log.info(message),
  });
  context.subscriptions.push(
    log,
    vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new FglabSerializer(), { transientOutputs: false }),
    controller,
    ...registerCommands(context, controller),
  );
  return { controller };
}

export function deactivate(): void {}
