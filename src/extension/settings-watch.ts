/**
 * Applies changed settings without a reload: the output limit applies to the next run as it
 * is; a new backend or memory limit needs new kernel workers, so idle kernels restart at once
 * and busy ones after their running cell, and a message says so.
 */
import * as vscode from 'vscode';
import type { LabController } from './controller';
import { RESTART_SETTINGS, settingId, SETTINGS_SECTION } from './settings';
import type { KernelStatusBar } from './status-bar';

export function watchSettings(controller: LabController, statusBar: KernelStatusBar, log: (m: string) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
    const restartOnes = RESTART_SETTINGS.map(settingId).filter((id) => e.affectsConfiguration(id));
    if (restartOnes.length) {
      const count = controller.applySettings();
      log(`settings changed (${restartOnes.join(', ')}): ${count} kernel(s) restart`);
      if (count > 0) {
        void vscode.window.showInformationMessage(
          `Forget Gate Lab: ${count === 1 ? 'the kernel restarts' : `${count} kernels restart`} to apply ${restartOnes.join(' and ')} (now if idle, else after the running cell); kernel state is dropped.`,
        );
      }
    }
    statusBar.update();
  });
}
