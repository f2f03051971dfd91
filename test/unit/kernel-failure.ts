import assert from 'node:assert/strict';
import { KernelError } from '../../src/extension/kernel';

/** The `KernelError` a kernel request rejects with; fails with `expected` when it resolves instead. */
export async function kernelFailure(p: Promise<unknown>, expected = 'expected the run to fail'): Promise<KernelError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof KernelError, String(e));
    return e;
  }
  return assert.fail(expected);
}
