const { default: asc } = await import('assemblyscript/asc');
const { error, stderr } = await asc.main(['src/kernels/assembly/index.ts', '--outFile', '/tmp/perf/dbg.wasm', '--baseDir', '.', '--optimizeLevel', '3', '--shrinkLevel', '0', '--noAssert', '--runtime', 'stub', '--enable', 'simd', '--debug']);
if (error) console.log(error, stderr.toString());
