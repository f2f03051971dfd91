/**
 * The status bar item of the active lab notebook: kernel state, backend and the worker's
 * memory (asked from the worker every few seconds while it is idle). Clicking it offers
 * Restart Kernel and Interrupt.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { COMMAND } from '../shared/ids';
import type { LabController } from './controller';
import type { KernelStats } from './kernel';
import type { LabSettings } from './settings';
import { statusText } from './status-text';

/** How often the worker's memory is asked for while the item shows an idle kernel. */
const STATS_INTERVAL_MS = 5000;

export class KernelStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('fglab.kernelStatus', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  /** Last memory figures per notebook URI. */
  private readonly stats = new Map<string, KernelStats>();
  private asking = false;

  constructor(
    private readonly controller: LabController,
    private readonly settings: () => LabSettings,
  ) {
    this.item.name = 'Forget Gate Lab kernel';
    this.item.command = COMMAND.showKernelActions;
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveNotebookEditor(() => this.update()),
      controller.onDidChangeKernel((notebook) => {
        if (notebook === vscode.window.activeNotebookEditor?.notebook) {
          this.update();
          void this.refreshStats();
        }
      }),
      vscode.workspace.onDidCloseNotebookDocument((nb) => this.stats.delete(nb.uri.toString())),
    );
    this.timer = setInterval(() => void this.refreshStats(), STATS_INTERVAL_MS);
    this.update();
  }

  /** Redraws the item for the active notebook editor (hidden when it is not a lab notebook). */
  update(): void {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    if (!notebook || !this.controller.isLabNotebook(notebook)) {
      this.item.hide();
      return;
    }
    const kernel = this.controller.existingKernel(notebook);
    const state = kernel?.state ?? 'stopped';
    const settings = this.settings();
    const backend = kernel?.backend ?? kernel?.settings?.backend ?? settings.computeBackend;
    const { text, tooltip } = statusText(path.basename(notebook.uri.path), state, backend, this.stats.get(notebook.uri.toString()), kernel?.settings?.memoryLimitMb);
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: tooltip.replace(/\n/g, ' ') };
    this.item.show();
  }

  private async refreshStats(): Promise<void> {
    const notebook = vscode.window.activeNotebookEditor?.notebook;
    const kernel = notebook && this.controller.isLabNotebook(notebook) ? this.controller.existingKernel(notebook) : undefined;
    if (!notebook || !kernel || kernel.state !== 'idle' || this.asking) return;
    this.asking = true;
    try {
      const stats = await kernel.stats();
      if (stats) this.stats.set(notebook.uri.toString(), stats);
      else this.stats.delete(notebook.uri.toString());
    } finally {
      this.asking = false;
    }
    this.update();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }
}
