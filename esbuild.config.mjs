// Builds the bundles into dist/: one esbuild context per bundle (generator-code's layout).
//   node esbuild.config.mjs [--production] [--watch] [--tests]
// --tests also bundles the Node-side test suites into out/test (packages stay external, but
// TensorFlow.js, which is bundled as in the worker).
// Type checking is separate: `npm run typecheck` (tsc --noEmit per source folder).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { buildKernels } from './src/kernels/build.mjs';
import { buildNative } from './src/native/build.mjs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');
const require = createRequire(import.meta.url);
const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  target: 'es2022',
  legalComments: 'none',
  define: { FGLAB_VERSION: JSON.stringify(version) },
};

/**
 * Node bundles take packages' ES module builds (`module` before `main`): TensorFlow.js's
 * gradients (for influence and training) exist only as ES modules, and its CommonJS builds
 * are ES5 classes that cannot extend the ES module core's classes.
 */
const ESM_FIRST = ['module', 'main'];

/** Test bundles: packages stay in node_modules, except TensorFlow.js, bundled as in the worker. */
const externalButTfjs = {
  name: 'external-but-tfjs',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@tensorflow/') ? undefined : { path: args.path, external: true }));
  },
};

/**
 * h5wasm (the HDF5 library in WebAssembly, 5.7 MB of JavaScript with the binary inlined) is
 * needed only to read Keras `.h5` files: the worker and the CLI load it from its own bundle
 * beside them (dist/h5wasm.js) on first use, so that a new worker does not parse it at start.
 */
const h5wasmBeside = {
  name: 'h5wasm-beside',
  setup(build) {
    // Through CommonJS `require`, whose exports stay live (h5wasm sets `FS` once it is ready);
    // a native `import()` of the bundle would copy them at load.
    build.onResolve({ filter: /^h5wasm$/ }, () => ({ path: 'h5wasm', namespace: 'h5wasm-beside' }));
    build.onLoad({ filter: /.*/, namespace: 'h5wasm-beside' }, () => ({ contents: "module.exports = require('./h5wasm.js');", loader: 'js' }));
    build.onResolve({ filter: /^\.\/h5wasm\.js$/, namespace: 'h5wasm-beside' }, () => ({ path: './h5wasm.js', external: true }));
  },
};

/**
 * seedrandom (loaded by TensorFlow.js) requires Node's `crypto` as it loads, to seed from entropy
 * when asked for no seed, which the lab never does: the worker and the CLI load `crypto` (and the
 * 15 built-in modules behind it) on its first use instead of at every start.
 */
const cryptoOnUse = {
  name: 'crypto-on-use',
  setup(build) {
    build.onResolve({ filter: /^crypto$/ }, (args) => (/[\\/]seedrandom[\\/]/.test(args.importer) ? { path: 'crypto', namespace: 'crypto-on-use' } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'crypto-on-use' }, () => ({ contents: "module.exports = { get randomBytes() { return require('node:crypto').randomBytes; } };", loader: 'js' }));
  },
};

const nodeTest = { platform: 'node', format: 'cjs', mainFields: ESM_FIRST, plugins: [externalButTfjs] };

/** @type {import('esbuild').BuildOptions[]} */
const bundles = [
  // Extension host: CommonJS for Node; `vscode` is provided by the host at run time.
  { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', external: ['vscode'] },
  // Kernel worker (worker_threads): TensorFlow.js and its WASM backend are bundled in.
  { ...common, entryPoints: ['src/worker/main.ts'], outfile: 'dist/worker-main.js', platform: 'node', format: 'cjs', mainFields: ESM_FIRST, plugins: [h5wasmBeside, cryptoOnUse] },
  // Its entry: compiles dist/worker-main.js through a V8 code cache (src/worker/code-cache.ts).
  { ...common, entryPoints: ['src/worker/start.ts'], outfile: 'dist/worker.js', platform: 'node', format: 'cjs' },
  // h5wasm for the worker and the CLI, loaded on the first `.h5` file (see h5wasmBeside).
  { ...common, stdin: { contents: "export * from 'h5wasm';", resolveDir: '.', loader: 'js' }, outfile: 'dist/h5wasm.js', platform: 'node', format: 'cjs', mainFields: ESM_FIRST, minify: true, sourcemap: false },
  // Compiler of JavaScript and TypeScript cells (TypeScript's parser and transpiler, 3.5 MB
  // minified): loaded by the worker and the CLI from beside them on the first code cell only.
  { ...common, entryPoints: ['src/worker/code-compile.ts'], outfile: 'dist/code-cells.js', platform: 'node', format: 'cjs', minify: true, sourcemap: false },
  // Batch helper thread of the worker and the CLI: the WebAssembly kernels only.
  { ...common, entryPoints: ['src/worker/kernel-helper-main.ts'], outfile: 'dist/kernel-helper.js', platform: 'node', format: 'cjs' },
  // Headless command line: `fglab`.
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', banner: { js: '#!/usr/bin/env node' }, mainFields: ESM_FIRST, plugins: [h5wasmBeside, cryptoOnUse] },
  // Notebook renderer: a browser ES module loaded by the notebook webview.
  { ...common, entryPoints: ['src/renderer/index.ts'], outfile: 'dist/renderer.js', platform: 'browser', format: 'esm' },
];

if (tests) {
  const suites = (dir) => (existsSync(dir) ? readdirSync(dir, { recursive: true }) : [])
    .filter((f) => typeof f === 'string' && f.endsWith('.ts'))
    .map((f) => join(dir, f));
  const testBundles = [
    // Unit tests of the core and of the renderer's pure parts, run by mocha in Node.
    { ...common, entryPoints: suites('test/unit'), outdir: 'out/test/unit', outbase: 'test/unit', ...nodeTest },
    // Browser and VS Code harnesses (Node side; they drive Chromium and code-server).
    { ...common, entryPoints: suites('test/renderer'), outdir: 'out/test/renderer', outbase: 'test/renderer', ...nodeTest },
    // `npm run bench` and `npm run docs`.
    { ...common, entryPoints: suites('test/docs'), outdir: 'out/test/docs', outbase: 'test/docs', ...nodeTest },
    { ...common, entryPoints: suites('test/bench'), outdir: 'out/test/bench', outbase: 'test/bench', ...nodeTest },
    { ...common, entryPoints: suites('test/vscode'), outdir: 'out/test/vscode', outbase: 'test/vscode', ...nodeTest },
  ];
  bundles.push(...testBundles.filter((b) => b.entryPoints.length > 0));
}

/** TensorFlow.js's WASM binaries are loaded from beside the bundles, never from a network. */
function copyWasm() {
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  mkdirSync('dist', { recursive: true });
  for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) copyFileSync(join(wasmDir, f), join('dist', f));
}

copyWasm();
await buildKernels('dist');
buildNative('dist');
const contexts = await Promise.all(bundles.map((b) => esbuild.context(b)));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log(`[watch] ${contexts.length} bundles`);
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
