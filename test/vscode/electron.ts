/**
 * `npm run test:electron`: the same extension-host suite (index.ts) in a desktop VS Code that
 * @vscode/test-electron downloads, for machines where that download works (a laptop, a public
 * CI; not the offline machines, which use run.sh and code-server). The extension is loaded
 * from the repository (extensionDevelopmentPath), so build it first: `npm run build`.
 *   FGLAB_VSCODE_VERSION=1.139.1 (default "stable")   FGLAB_VSCODE_EXECUTABLE=<an installed VS Code>
 *   FGLAB_GREP=<text>
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from './harness/paths';

async function main(): Promise<number> {
  const root = repoRoot();
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };
  if (!existsSync(join(root, manifest.main))) throw new Error(`${manifest.main} is missing: run \`npm run build\` first`);
  // A throwaway copy of the samples: the suite saves notebooks (in a scratch folder) and must never touch the repository.
  const scratch = mkdtempSync(join(tmpdir(), 'fglab-electron-'));
  const workspace = join(scratch, 'samples');
  cpSync(join(root, 'media', 'samples'), workspace, { recursive: true });
  const reportFile = join(scratch, 'report.json');
  try {
    await runTests({
      version: process.env.FGLAB_VSCODE_VERSION ?? 'stable',
      vscodeExecutablePath: process.env.FGLAB_VSCODE_EXECUTABLE,
      cachePath: join(root, '.vscode-test'),
      extensionDevelopmentPath: root,
      extensionTestsPath: join(__dirname, 'index.js'),
      extensionTestsEnv: { FGLAB_TEST_REPORT: reportFile, ...(process.env.FGLAB_GREP ? { FGLAB_GREP: process.env.FGLAB_GREP } : {}) },
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
    return 0;
  } catch (e) {
    console.error(`test:electron: ${(e as Error).message}`);
    return 1;
  } finally {
    if (existsSync(reportFile)) {
      const { passes, failures, pending } = JSON.parse(readFileSync(reportFile, 'utf8')) as { passes: number; failures: number; pending: number };
      console.log(`extension-host suite: ${passes} passing, ${failures} failing, ${pending} pending`);
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: Error) => {
  console.error(`test:electron: ${e.message}`);
  process.exit(2);
});
