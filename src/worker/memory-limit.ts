/** The memory a run may take (`memoryLimitBytes` of a spec's context), and the process's peak. */
import { readFileSync, writeFileSync } from 'node:fs';
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

/** Resets the process's peak resident set (Linux); false where that is not possible. */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * This process's peak resident set in MB: VmHWM, the high-water mark of its own address space
 * since exec or `resetPeakRss` (Linux). Elsewhere `resourceUsage().maxRSS`, which Linux would
 * carry over fork and exec from a larger parent (why it is only the fallback).
 */
export function peakRssMB(): number {
  try {
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
