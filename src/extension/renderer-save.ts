/**
 * What the host writes for a save request of the renderer (`src/shared/renderer-protocol.ts`):
 * a view's PNG or CSV as sent, a whole output as JSON or `.npy` through the core's exporters.
 * No `vscode` import.
 */
import { decodeBase64 } from '../shared/base64';
import type { RendererRequest } from '../shared/renderer-protocol';
import { isComparison } from '../shared/trace';
import { utf8Encode } from '../shared/utf8';
import { exportTrace, readTraceOutput } from './trace-export';

/** The bytes to write for `request`, and the file extension the save dialog filters on. Throws with a message for the user. */
export function rendererSaveBytes(request: RendererRequest): { bytes: Uint8Array; extension: string; label: string } {
  if (request.type === 'saveView') {
    if (request.format === 'csv') return { bytes: utf8Encode(request.data), extension: 'csv', label: 'CSV' };
    // Base64 of the PNG, with or without its data-URL head.
    const bytes = decodeBase64(request.data.replace(/^data:image\/png;base64,/, ''));
    if (bytes.length < 8 || bytes[0] !== 0x89 || bytes[1] !== 0x50 || bytes[2] !== 0x4e || bytes[3] !== 0x47) {
      throw new Error(`data: expected a PNG image, got ${bytes.length} bytes that are not one`);
    }
    return { bytes, extension: 'png', label: 'PNG' };
  }
  const output = readTraceOutput(utf8Encode(request.payload));
  if (isComparison(output)) {
    if (request.format === 'npy') {
      throw new Error(`format: a comparison holds ${output.variants.length} traces; export one variant with "Forget Gate Lab: Export Output…", or choose JSON`);
    }
    const variants = output.variants.map((v) => `{"name":${JSON.stringify(v.name)},"trace":${new TextDecoder().decode(exportTrace(v.trace, 'json')).trim()}}`);
    return { bytes: utf8Encode(`{"kind":"comparison","variants":[${variants.join(',')}]}\n`), extension: 'json', label: 'JSON' };
  }
  return request.format === 'json'
    ? { bytes: exportTrace(output, 'json'), extension: 'json', label: 'JSON' }
    : { bytes: exportTrace(output, 'npy'), extension: 'npy', label: 'NumPy' };
}
