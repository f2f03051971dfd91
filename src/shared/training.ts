/** Training progress as text, shared by the host (the plain-text output) and the renderer (the live chart's note). */
import type { TrainingProgress } from './trace';

/** `1 m 05 s`, `12 s`, `< 1 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 1) return '< 1 s';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} m ${String(s % 60).padStart(2, '0')} s`;
}

/** `no forget gate (1997): epoch 3/10, step 5/8 · loss 0.412 · accuracy 0.82 · about 12 s left`. */
export function progressLine(p: TrainingProgress): string {
  const loss = p.record.loss[p.record.loss.length - 1];
  const accuracy = p.record.accuracy[p.record.accuracy.length - 1];
  const figures = [
    `epoch ${p.epoch}/${p.epochs}, step ${p.step}/${p.stepsPerEpoch}`,
    ...(loss !== undefined ? [`loss ${loss.toPrecision(3)}`] : []),
    ...(accuracy !== undefined ? [`accuracy ${accuracy.toFixed(2)}`] : []),
    `about ${formatDuration(p.etaMs)} left`,
  ];
  return `${p.variant ? `${p.variant}: ` : ''}Training ${figures.join(' · ')}`;
}
