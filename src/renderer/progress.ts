/**
 * The live output of a training cell (`application/vnd.fglab.training-progress+json`): the
 * progress line and the learning curves so far, drawn with the same chart definition as the
 * finished output's training view. VS Code replaces the output a few times a second while
 * training runs, and once with the trace when it ends.
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

/** Draws a progress payload into `element`; returns the disposer. */
export function renderProgress(progress: TrainingProgress, target: HTMLElement): () => void {
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
  const def = trainingCurvesDefinition([{ name: progress.variant ?? '', record: progress.record }], readTheme(target));
  canvas.setAttribute('aria-label', def.label);
  const chart = new Chart(canvas, def.config);
  return () => chart.destroy();
}
