/** The memory a run may take (`memoryLimitBytes` of a spec's context). */
import { resourceLimits } from 'node:worker_threads';

/**
 * In a kernel worker, its heap limit (`fglab.workerMemoryLimitMB`, passed as
 * `resourceLimits.maxOldGenerationSizeMb`); elsewhere (the CLI, tests) Node's heap limit, which
 * Node derives from the machine's memory.
 */
export function memoryLimitBytes(): number {
  const mb = resourceLimits.maxOldGenerationSizeMb;
  // node:v8 is loaded only here: a kernel worker always has its limit, and the module (with the
  // built-ins it loads) would cost each new worker milliseconds.
  return mb ? mb * 1024 ** 2 : (require('node:v8') as typeof import('node:v8')).getHeapStatistics().heap_size_limit;
}
