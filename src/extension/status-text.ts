/** Text of the kernel's status bar item, from its state and memory. No `vscode` import. */
import type { KernelState, KernelStats } from './kernel';

const ICONS: Record<KernelState, string> = {
  stopped: '$(circle-outline)',
  starting: '$(loading~spin)',
  idle: '$(circle-filled)',
  busy: '$(sync~spin)',
};

const WORDS: Record<KernelState, string> = {
  stopped: 'no kernel',
  starting: 'starting',
  idle: 'idle',
  busy: 'busy',
};

/** Megabytes, rounded: `45 MB`. */
export function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/**
 * `$(circle-filled) Lab: idle · wasm · 45 MB`: state, backend (the running worker's, or the
 * setting's before one starts) and the worker's memory (JavaScript heap and memory outside it)
 * when known. The tooltip says the same in full.
 */
export function statusText(notebookName: string, state: KernelState, backend: string, stats?: KernelStats, memoryLimitMb?: number): { text: string; tooltip: string } {
  const parts = [`${ICONS[state]} Lab: ${WORDS[state]}`, backend];
  if (stats && state !== 'stopped') parts.push(megabytes(stats.heapUsedBytes + stats.externalBytes));
  const tooltip = [
    `Forget Gate Lab kernel of ${notebookName}: ${WORDS[state]}.`,
    `TensorFlow.js backend: ${backend}${state === 'stopped' ? ' (from the settings; the next run starts the kernel)' : ''}.`,
    stats && state !== 'stopped'
      ? `Worker memory: JavaScript heap ${megabytes(stats.heapUsedBytes)} of ${memoryLimitMb ? `${memoryLimitMb} MB (fglab.workerMemoryLimitMB)` : megabytes(stats.heapLimitBytes)}, outside the heap ${megabytes(stats.externalBytes)}, tensors ${megabytes(stats.tensorBytes)}.`
      : undefined,
    'Click for Restart Kernel / Interrupt.',
  ].filter((l): l is string => l !== undefined);
  return { text: parts.join(' · '), tooltip: tooltip.join('\n') };
}
