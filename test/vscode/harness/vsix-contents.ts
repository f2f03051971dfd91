/**
 * What the marketplace package may hold: the bundles, .wasm files and the native product
 * accelerator (Linux x64) in dist/, the media the manifest names, the manifest, README,
 * CHANGELOG and LICENSE. No sources, source maps, tests, node_modules or screenshots; under
 * the size limit.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Largest .vsix accepted, in bytes (issue 9: under 15 MB). */
export const MAX_VSIX_BYTES = 15 * 1024 * 1024;

/** Files an installed extension may contain, relative to its folder. */
const ALLOWED = [
  /^package\.json$/,
  // vsce writes readme.md, changelog.md and LICENSE.txt.
  /^readme\.md$/i,
  /^changelog\.md$/i,
  /^license(\.txt)?$/i,
  /^\.vsixmanifest$/,
  /^dist\/(extension|worker|worker-main|kernel-helper|renderer|code-cells|h5wasm)\.js$/,
  /^dist\/[\w.-]+\.wasm$/,
  /^dist\/fglab-native-linux-x64\.node$/,
  /^media\/(language-configuration|fglab\.tmLanguage)\.json$/,
  /^media\/icon\.png$/,
  /^media\/walkthrough\/[\w-]+\.md$/,
  /^media\/samples\/[\w./-]+$/,
];

/** Every file under `dir`, relative, with `/` separators. */
function files(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), root) : [relative(root, join(dir, e.name)).split('\\').join('/')]));
}

/** Problems with an installed extension folder and its .vsix: files that should not ship, files that must, the size. */
export function vsixProblems(installedDir: string, vsixPath: string): string[] {
  const problems: string[] = [];
  const shipped = files(installedDir);
  for (const f of shipped) if (!ALLOWED.some((p) => p.test(f))) problems.push(`ships ${f}`);
  const lower = shipped.map((f) => f.toLowerCase());
  // The native accelerator is built where the package is (src/native/build.mjs: on Linux x64).
  const native = process.platform === 'linux' && process.arch === 'x64' ? ['dist/fglab-native-linux-x64.node'] : [];
  for (const must of ['package.json', 'readme.md', 'changelog.md', 'dist/extension.js', 'dist/worker.js', 'dist/worker-main.js', 'dist/kernel-helper.js', 'dist/renderer.js', 'dist/code-cells.js', 'dist/h5wasm.js', 'dist/fglab-kernels.wasm', 'dist/fglab-kernels-relaxed.wasm', ...native, 'media/icon.png']) {
    if (!lower.includes(must)) problems.push(`does not ship ${must}`);
  }
  const size = statSync(vsixPath).size;
  if (size > MAX_VSIX_BYTES) problems.push(`the .vsix has ${(size / 1024 / 1024).toFixed(1)} MB, over ${MAX_VSIX_BYTES / 1024 / 1024} MB`);
  return problems;
}
