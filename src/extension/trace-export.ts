/**
 * "Export Output…" formats written host-side from a cell's trace bytes with the core's pure
 * exporters (no TensorFlow.js). No `vscode` import.
 */
import { traceToCsv, traceToJson, traceToNpy } from '../lab/export';
import { decodeOutput, isComparison, type Comparison, type Trace } from '../shared/trace';
import { utf8Decode, utf8Encode } from '../shared/utf8';

/** A file format of the export. */
export interface ExportFormat {
  id: 'json' | 'csv' | 'npy';
  label: string;
  description: string;
  extension: string;
}

export const EXPORT_FORMATS: readonly ExportFormat[] = [
  { id: 'json', label: 'JSON', description: 'every series as nested arrays [batch][time][units], with the metrics', extension: 'json' },
  { id: 'csv', label: 'CSV', description: 'one row per (batch, step, unit), one column per series', extension: 'csv' },
  { id: 'npy', label: 'NumPy .npy', description: 'every series stacked, float32 [series, batch, time, units]', extension: 'npy' },
];

/** Reads a cell's `application/vnd.fglab.trace+json` bytes. Throws naming the key when they are not a trace. */
export function readTraceOutput(bytes: Uint8Array): Trace | Comparison {
  return decodeOutput(JSON.parse(utf8Decode(bytes)));
}

/** The traces of an output with their names: one for a trace, one per variant for a comparison. */
export function tracesOf(output: Trace | Comparison): { name: string; trace: Trace }[] {
  return isComparison(output) ? output.variants : [{ name: output.model, trace: output }];
}

/** The bytes of `trace` in `format`. */
export function exportTrace(trace: Trace, format: ExportFormat['id']): Uint8Array {
  switch (format) {
    case 'json':
      return utf8Encode(traceToJson(trace));
    case 'csv':
      return utf8Encode(traceToCsv(trace));
    case 'npy':
      return traceToNpy(trace);
  }
}
