import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RECURRENT_ACTIVATIONS } from '../../../src/lab/kernels/activations';
import { traceRows, type RowKernels } from '../../../src/lab/kernels/batch-split';
import { createWasmGruKernel } from '../../../src/lab/kernels/wasm-gru';
import { createWasmLstmKernel, instantiateLstmWasm } from '../../../src/lab/kernels/wasm-lstm';
import { NATIVE_KERNEL_NAME, type NativeProducts } from '../../../src/lab/kernels/wasm-module';
import { loadNativeProducts, NATIVE_PRODUCTS_FILE } from '../../../src/worker/kernel-wasm';
import { firstDifference, kernelsWasm, ODD_KERNEL_SHAPES, relaxedKernelsWasm, request } from './helpers';

/** The bundles' folder, where `node esbuild.config.mjs` builds the accelerator (on Linux x64). */
const DIST = join(__dirname, '..', '..', '..', '..', 'dist');

/** Whether this machine is one the accelerator is for: Linux x64 with AVX2 and FMA. */
function machineRunsNative(): boolean {
  if (process.platform !== 'linux' || process.arch !== 'x64') return false;
  const flags = readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1].split(/\s+/) ?? [];
  return flags.includes('avx2') && flags.includes('fma');
}

/** Loads the accelerator with the environment `env` set meanwhile. */
function loadWith(env: Record<string, string | undefined>): NativeProducts | undefined {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const set = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  set(env);
  try {
    return loadNativeProducts(DIST, (m) => assert.fail(m));
  } finally {
    set(saved);
  }
}

describe('native product accelerator (Linux x64, AVX2)', () => {
  let native: NativeProducts | undefined;
  before(() => {
    native = loadWith({ FGLAB_NATIVE: undefined, FGLAB_KERNEL: undefined });
  });

  it(`loads ${NATIVE_PRODUCTS_FILE} where the machine runs it, and only there`, () => {
    assert.equal(native !== undefined, machineRunsNative(), `loaded: ${native !== undefined}; Linux x64 with AVX2 and FMA: ${machineRunsNative()}`);
  });

  it('is left out with FGLAB_NATIVE=0 or FGLAB_KERNEL=simd, to compare', () => {
    assert.equal(loadWith({ FGLAB_NATIVE: '0' }), undefined);
    assert.equal(loadWith({ FGLAB_KERNEL: 'simd' }), undefined);
  });

  if (process.platform === 'linux' && process.arch === 'x64') {
    it('says in one line when the file is missing or will not load, and returns none (the WebAssembly kernels then run alone)', () => {
      const dir = mkdtempSync(join(tmpdir(), 'fglab-native-'));
      try {
        const warnings: string[] = [];
        assert.equal(loadNativeProducts(dir, (m) => warnings.push(m)), undefined);
        writeFileSync(join(dir, NATIVE_PRODUCTS_FILE), 'not a shared object');
        assert.equal(loadNativeProducts(dir, (m) => warnings.push(m)), undefined);
        assert.equal(warnings.length, 2);
        assert.match(warnings[0], new RegExp(`^Forget Gate Lab: ${NATIVE_PRODUCTS_FILE.replace(/\./g, '\\.')} is missing; traces run in WebAssembly alone$`));
        assert.match(warnings[1], new RegExp(`^Forget Gate Lab: ${NATIVE_PRODUCTS_FILE.replace(/\./g, '\\.')} not loaded \\(.+\\); traces run in WebAssembly alone$`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  // Elsewhere the first test has checked that nothing loads, and there is nothing more to run.
  if (machineRunsNative()) describe('on this machine', () => {
    let plain: Required<RowKernels>;
    let accelerated: Required<RowKernels>;
    before(() => {
      assert.ok(native, `${NATIVE_PRODUCTS_FILE} did not load`);
      plain = { lstm: createWasmLstmKernel(relaxedKernelsWasm()), gru: createWasmGruKernel(relaxedKernelsWasm()) };
      accelerated = { lstm: createWasmLstmKernel(relaxedKernelsWasm(), native), gru: createWasmGruKernel(relaxedKernelsWasm(), native) };
    });

    it(`names the relaxed-SIMD kernels that use it ${NATIVE_KERNEL_NAME}, and leaves the SIMD build alone`, () => {
      assert.equal(plain.lstm.name, 'wasm-relaxed-simd');
      assert.deepEqual([accelerated.lstm.name, accelerated.gru.name], [NATIVE_KERNEL_NAME, NATIVE_KERNEL_NAME]);
      // The SIMD build's traces multiply and add separately: the fused native product would change their bits.
      assert.equal(createWasmLstmKernel(kernelsWasm(), native).name, 'wasm-simd');
    });

    for (const model of ['lstm', 'gru'] as const) {
      it(`gives ${model.toUpperCase()} traces bit-identical to the relaxed-SIMD kernel's, on odd shapes and every activation`, () => {
        const shapes = [...ODD_KERNEL_SHAPES, [4, 40, 256] as const, [6, 33, 64] as const, [3, 9, 32] as const];
        let seed = 1;
        for (const [batch, time, units] of shapes) {
          for (const activation of RECURRENT_ACTIVATIONS) {
            // Even and odd seeds: the GRU's resetAfter true and false.
            for (const features of [1, 7, 64]) {
              const r = request(model, batch, time, features, units, seed++, activation);
              const difference = firstDifference(traceRows(r, plain), traceRows(r, accelerated));
              assert.equal(difference, undefined, `[${batch}, ${time}, ${units}] × ${features} features, ${activation}: ${difference}`);
            }
          }
        }
      });
    }

    it('refuses a region outside the module memory with a RangeError, writing nothing', () => {
      const ex = instantiateLstmWasm(relaxedKernelsWasm());
      const memory = ex.memory.buffer;
      const before = new Uint8Array(memory).slice();
      const end = memory.byteLength;
      // x, xStride, k, m, mRow, mPanel, panels, init, initStride, dst, dstStride, rows
      const cases = [
        [0, 1024, 256, 0, 32, 8192, 2, 0, 0, end - 32, 64, 1], // dst runs past the end
        [end - 16, 0, 256, 0, 32, 8192, 1, 0, 0, 0, 32, 1], // x
        [0, 0, 256, end - 32 * 255, 32, 8192, 1, 0, 0, 0, 32, 1], // m
        [0, 0, 4, 0, 32, 128, 1, end, 0, 0, 32, 1], // init
        [0, 2 ** 31, 4, 0, 32, 128, 1, 0, 0, 0, 32, 3], // strides that overflow 32 bits
      ];
      for (const args of cases) {
        assert.throws(() => (native!.productFused as (...a: unknown[]) => void)(memory, ...args), RangeError, `arguments ${args.join(', ')}`);
      }
      assert.throws(() => (native!.productFused as (...a: unknown[]) => void)(memory, 0, 0), RangeError);
      assert.throws(() => (native!.productFused as (...a: unknown[]) => void)(new Float32Array(4), ...cases[0]), RangeError);
      assert.deepEqual(new Uint8Array(memory), before);
    });
  });
});
