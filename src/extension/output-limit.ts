/** The bound on the size of a cell's output (`fglab.outputSizeLimitMB`). No `vscode` import. */
import type { OutputItemBytes } from '../shared/protocol';
import { settingId } from './settings';

const MB = 1024 * 1024;

/**
 * The error message for outputs larger than `limitMb`, or undefined when they fit. Outputs
 * over the limit are refused: the notebook, its file and the renderer stay responsive.
 */
export function outputSizeError(outputs: readonly OutputItemBytes[], limitMb: number): string | undefined {
  const bytes = outputs.reduce((sum, o) => sum + o.data.byteLength, 0);
  if (bytes <= limitMb * MB) return undefined;
  return `The output is ${(bytes / MB).toFixed(1)} MB, over the ${limitMb} MB limit set by ${settingId('outputSizeLimitMB')}: ask for fewer steps, units or batch rows, or raise the setting`;
}
