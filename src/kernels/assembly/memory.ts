// The kernels' linear memory: each kernel lays out its regions from the start of the heap
// for every run (nothing is allocated through the runtime, which is the stub one).

/** 65535 pages: the most memory `reserve` asks for (64 KiB short of 4 GiB keeps sizes in u32). */
const MAX_MEMORY_BYTES: f64 = 4294901760;

// @ts-ignore: decorator
@inline function align16(n: usize): usize {
  return (n + 15) & ~(<usize>15);
}

/**
 * Makes `bytes` bytes of linear memory usable from the start of the heap, growing the memory
 * when needed; returns that start, or 0 when the memory cannot grow that far.
 */
export function reserve(bytes: f64): usize {
  const start = align16(__heap_base);
  const end = <f64>start + bytes;
  if (end > MAX_MEMORY_BYTES) return 0;
  const have = <f64>(<usize>memory.size() << 16);
  if (end > have) {
    const pages = <i32>Math.ceil((end - have) / 65536);
    if (memory.grow(pages) < 0) return 0;
  }
  return start;
}

/** Bytes of a region of `floats` f32 values, rounded up to keep the next region aligned. */
// @ts-ignore: decorator
@inline export function regionBytes(floats: f64): f64 {
  return Math.ceil(floats / 4) * 16;
}

/**
 * Copies `rows` rows of `units` f32 from `src` (packed) to `dst` with a row length of
 * `unitsPadded`, zeros in the padding.
 */
export function padRows(src: usize, dst: usize, rows: i32, units: i32, unitsPadded: i32): void {
  const bytes = (<usize>units) << 2;
  const pad = (<usize>(unitsPadded - units)) << 2;
  const paddedBytes = (<usize>unitsPadded) << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst, src, bytes);
    memory.fill(dst + bytes, 0, pad);
    src += bytes;
    dst += paddedBytes;
  }
}

/**
 * The reverse: copies `rows` rows of `unitsPadded` f32 from `src` to `dst` keeping the first
 * `units` of each. `dst` may be `src` (rows only move down, never past one not yet moved).
 */
export function compactRows(src: usize, dst: usize, rows: i32, units: i32, unitsPadded: i32): void {
  const bytes = (<usize>units) << 2;
  const paddedBytes = (<usize>unitsPadded) << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst, src, bytes);
    src += paddedBytes;
    dst += bytes;
  }
}
