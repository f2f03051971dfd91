/** The memory a run may take (`memoryLimitBytes` of a spec's context). */
import { getHeapStatistics } from 'node:v8';
import { resourceLimits } from 'node:worker_threads';

/**
 * In a kernel worker, its heap limit (`fglab.workerMemoryLimitMB`, passed as
 * `resourceLimits.maxOldGenerationSizeMb`); elsewhere (the CLI, tests) Node's heap limit, which
 * Node derives from the machine's memory.
 */
export function memoryLimitBytes(): number {
  const mb = resourceLimits.maxOldGenerationSizeMb;
  return mb ? mb * 1024 ** 2 : getHeapStatistics().heap_size_limit;
}
