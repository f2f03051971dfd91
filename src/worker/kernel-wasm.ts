/** Finds the fused recurrent kernel (`fglab-kernels.wasm`) beside the bundles. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const KERNEL_WASM_FILE = 'fglab-kernels.wasm';

/** The kernel's bytes, or undefined (with the reason) when the file is missing or unreadable. */
export function readKernelWasm(dir: string, warn: (message: string) => void): Uint8Array | undefined {
  try {
    return readFileSync(join(dir, KERNEL_WASM_FILE));
  } catch (e) {
    warn(`Forget Gate Lab: ${KERNEL_WASM_FILE} not loaded (${(e as Error).message}); using the slower TypeScript kernel`);
    return undefined;
  }
}
