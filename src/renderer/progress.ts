/**
 * The live output of a training cell (`application/vnd.fglab.training-progress+json`): the
 * progress line and the learning curves so far, drawn with the same chart definition as the
 * finished output's training view. The host writes this output now and then while training
 * runs and sends the reports between as `trainingProgress` messages, which `update` draws in
 * place; the trace replaces the output once when training ends.
 */
import { trainingCurvesDefinition } from '../charts/chart.training';
import type { TrainingProgress } from '../shared/trace';
import { progressLine } from '../shared/training';
import { Chart } from './chartjs';
import { element } from './dom';
import { styleElement } from './style';
import { readTheme } from './theme';

/** Reads a progress payload, throwing on anything else (shown as an error output). */
export function readProgress(json: unknown): TrainingProgress {
  const p = json as Partial<TrainingProgress> | null;
  const record = p?.record;
  if (!p || typeof p.epoch !== 'number' || typeof p.step !== 'number' || !record || !Array.isArray(record.loss) || !Array.isArray(record.testLoss)) {
    throw new Error('training progress: expected epoch, step and a record of losses');
  }
  return p as TrainingProgress;
}

/** A live progress view: `update` redraws the line and the curves for a newer report. */
export interface ProgressView {
  update(progress: TrainingProgress): void;
  dispose(): void;
}

/** Draws a progress payload into `element`. */
export function renderProgress(progress: TrainingProgress, target: HTMLElement): ProgressView {
  const root = element('div', 'fglab-trace fglab-progress');
  const line = element('div', 'fglab-header', progressLine(progress));
  line.setAttribute('role', 'status');
  const box = element('div', 'fglab-chart fglab-main-chart');
  box.dataset.fglabView = 'training';
  const canvasBox = element('div', 'fglab-canvas-box');
  const canvas = element('canvas');
  canvas.dataset.fglabChart = 'training';
  canvas.setAttribute('role', 'img');
  canvasBox.append(canvas);
  box.append(canvasBox);
  root.append(styleElement(), line, box);
  target.replaceChildren(root);
  const theme = readTheme(target);
  const definition = (p: TrainingProgress) => trainingCurvesDefinition([{ name: p.variant ?? '', record: p.record }], theme);
  const first = definition(progress);
  canvas.setAttribute('aria-label', first.label);
  const chart = new Chart(canvas, first.config);
  return {
    update(next) {
      line.textContent = progressLine(next);
      const def = definition(next);
      canvas.setAttribute('aria-label', def.label);
      chart.data = def.config.data;
      chart.options = def.config.options ?? {};
      chart.update('none');
    },
    dispose: () => chart.destroy(),
  };
}
