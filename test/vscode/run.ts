/**
 * The real-VS-Code test run (`npm run test:vscode` → run.sh → here): starts code-server with
 * the extension installed from its .vsix, runs the extension-host suite (index.ts, inside the
 * real extension host), the UI suite (ui/*.e2e.js, Chromium driving the workbench) and the
 * Restricted Mode suite (restricted/*.test.js, in a second code-server with workspace trust
 * on), stops the servers and exits non-zero if anything failed or nothing ran.
 *   node out/test/vscode/run.js --vsix <file.vsix>
 * Environment: FGLAB_SUITES=ext-host,ui,restricted (default all three), FGLAB_GREP (mocha grep for all),
 * FGLAB_EXTENSION_UNDER_TEST=installed|source (the extension-host suite loads the installed
 * .vsix contents, default, or the repository itself).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import { CodeServer } from './harness/code-server';
import { runExtensionHostTests } from './harness/ext-host-tests';
import { assertInstalled, CACHE, extensionId, RESULTS, ROOT } from './harness/paths';
import { vsixProblems } from './harness/vsix-contents';

interface Phase { name: string; ms: number; ok: boolean; detail: string }

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/**
 * `.cache/vscode/runs/<pid>`: one folder per run, so runs started at the same time in one
 * checkout do not share user data or workspaces. Folders of runs whose process is gone are
 * removed; a run keeps its folder (server log, report) until the next run.
 */
function freshRunDir(): string {
  const runs = join(CACHE, 'runs');
  mkdirSync(runs, { recursive: true });
  for (const name of readdirSync(runs)) {
    const pid = Number(name);
    let alive = false;
    try {
      alive = Number.isInteger(pid) && pid !== process.pid && (process.kill(pid, 0), true);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(runs, name), { recursive: true, force: true });
  }
  const dir = join(runs, String(process.pid));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A throwaway copy of media/samples, so no test ever writes into the repository's samples. */
function workspaceCopy(runDir: string, name: string): string {
  const dir = join(runDir, name);
  cpSync(join(ROOT, 'media', 'samples'), dir, { recursive: true });
  return dir;
}

/** Runs an extension-host suite (`FGLAB_SUITE_DIR` picks it in index.ts) and says how it went. */
/** With FGLAB_GREP a suite may match nothing; unfiltered, a suite that runs nothing fails. */
const filtered = !!process.env.FGLAB_GREP;

async function extHostPhase(name: string, server: CodeServer, extensionPath: string, folder: string, reportFile: string, consoleLog: string): Promise<Phase> {
  const t = Date.now();
  const { exitCode, report } = await runExtensionHostTests({
    server,
    extensionPath,
    testsPath: join(__dirname, 'index.js'),
    folder,
    reportFile,
    consoleLog: join(RESULTS, consoleLog),
    timeoutMs: 600_000,
  });
  const ok = exitCode === 0 && !!report && report.failures === 0 && (report.passes > 0 || filtered);
  const counts = report ? `${report.passes} passing, ${report.failures} failing, ${report.pending} pending` : 'no report written';
  for (const failed of report?.tests.filter((x) => x.state === 'failed') ?? []) console.log(`  FAILED: ${failed.title}\n    ${failed.error?.split('\n').slice(0, 4).join('\n    ')}`);
  return { name, ms: Date.now() - t, ok, detail: `${counts}; exit code ${exitCode}` };
}

/** Folder of the extension as code-server installed it from the .vsix. */
function installedIn(server: CodeServer): string {
  const installed = server.installedExtensionPath(extensionId());
  if (!installed) throw new Error(`${extensionId()} is not in ${server.extensionsDir} after --install-extension`);
  return installed;
}

/**
 * Runs the `*.e2e.js` files of `suite` (Chromium driving the workbench of `server`) with mocha,
 * on a fresh copy of the samples.
 */
async function uiPhase(name: string, server: CodeServer, runDir: string, suite: 'ui' | 'restricted'): Promise<Phase> {
  const t = Date.now();
  process.env.FGLAB_SERVER_URL = server.url;
  process.env.FGLAB_UI_WORKSPACE = workspaceCopy(runDir, suite === 'ui' ? 'workspace-ui' : 'workspace-restricted-ui');
  process.env.FGLAB_RUN_DIR = runDir;
  const dir = join(__dirname, suite);
  const mocha = new Mocha({ ui: 'bdd', timeout: 180_000, color: false, reporter: 'spec' });
  if (process.env.FGLAB_GREP) mocha.grep(process.env.FGLAB_GREP);
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.e2e.js')).sort()) mocha.addFile(join(dir, f));
  const stats = await new Promise<Mocha.Stats | undefined>((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });
  const passes = stats?.passes ?? 0;
  const failures = stats?.failures ?? 1;
  return { name, ms: Date.now() - t, ok: failures === 0 && (passes > 0 || filtered), detail: `${passes} passing, ${failures} failing; screenshots in ${RESULTS}` };
}

/**
 * The Restricted Mode suite (test/vscode/restricted): a second code-server with workspace trust
 * on, as a user's VS Code has it, opening a folder nobody trusted.
 */
async function restrictedPhases(runDir: string, vsix: string): Promise<Phase[]> {
  console.log('\n== Restricted Mode suite (workspace trust on, folder not trusted)');
  const dir = join(runDir, 'restricted');
  const reportFile = join(dir, 'ext-host-report.json');
  let t = Date.now();
  const server = await CodeServer.start({
    runDir: dir,
    vsix,
    smokeTestDriver: true,
    workspaceTrust: true,
    env: { FGLAB_TEST_REPORT: reportFile, FGLAB_SUITE_DIR: 'restricted', ...(process.env.FGLAB_GREP ? { FGLAB_GREP: process.env.FGLAB_GREP } : {}) },
  });
  const phases: Phase[] = [{ name: 'start code-server (trust on)', ms: Date.now() - t, ok: true, detail: server.url }];
  try {
    phases.push(await extHostPhase('Restricted Mode suite', server, installedIn(server), workspaceCopy(dir, 'workspace-restricted'), reportFile, 'vscode-restricted-console.log'));
    phases.push(await uiPhase('Restricted Mode UI suite', server, dir, 'restricted'));
  } finally {
    t = Date.now();
    await server.stop();
    phases.push({ name: 'stop code-server (trust on)', ms: Date.now() - t, ok: true, detail: '' });
  }
  return phases;
}

async function main(): Promise<number> {
  const vsix = argument('--vsix');
  if (!vsix || !existsSync(vsix)) throw new Error(`usage: run.js --vsix <file.vsix> (got ${vsix ?? 'nothing'})`);
  assertInstalled();
  const suites = (process.env.FGLAB_SUITES ?? 'ext-host,ui,restricted').split(',').map((s) => s.trim());
  const runDir = freshRunDir();
  mkdirSync(RESULTS, { recursive: true });
  for (const f of readdirSync(RESULTS)) if (/^vscode-/.test(f)) rmSync(join(RESULTS, f), { force: true });
  const reportFile = join(runDir, 'ext-host-report.json');
  const phases: Phase[] = [];

  let t = Date.now();
  const server = await CodeServer.start({
    runDir,
    vsix,
    smokeTestDriver: true,
    env: { FGLAB_TEST_REPORT: reportFile, ...(process.env.FGLAB_GREP ? { FGLAB_GREP: process.env.FGLAB_GREP } : {}) },
  });
  phases.push({ name: 'install .vsix + start code-server', ms: Date.now() - t, ok: true, detail: `${server.url} (pid ${server.pid}, log ${server.logFile})` });
  console.log(`code-server on ${server.url}, extension installed from ${vsix} (${seconds(phases[0].ms)})`);

  try {
    const installed = installedIn(server);
    const problems = vsixProblems(installed, vsix);
    phases.push({ name: '.vsix contents', ms: 0, ok: problems.length === 0, detail: problems.length ? problems.join('; ') : `${(statSync(vsix).size / 1024 / 1024).toFixed(2)} MB, only bundles, .wasm, the native accelerator, media and docs` });

    if (suites.includes('ext-host')) {
      const extensionPath = process.env.FGLAB_EXTENSION_UNDER_TEST === 'source' ? ROOT : installed;
      console.log(`\n== extension-host suite (real extension host; extension from ${extensionPath})`);
      phases.push(await extHostPhase('extension-host suite', server, extensionPath, workspaceCopy(runDir, 'workspace-ext-host'), reportFile, 'vscode-ext-host-console.log'));
    }

    if (suites.includes('ui')) {
      console.log('\n== UI suite (Chromium → workbench → notebook webview)');
      phases.push(await uiPhase('UI suite', server, runDir, 'ui'));
    }
  } finally {
    t = Date.now();
    await server.stop();
    phases.push({ name: 'stop code-server', ms: Date.now() - t, ok: true, detail: '' });
  }

  if (suites.includes('restricted')) phases.push(...(await restrictedPhases(runDir, vsix)));

  console.log('\n== real VS Code tests');
  for (const p of phases) console.log(`${p.ok ? 'ok  ' : 'FAIL'} ${p.name.padEnd(36)} ${seconds(p.ms).padStart(8)}  ${p.detail}`);
  return phases.every((p) => p.ok) && phases.length > 2 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: Error) => {
    console.error(`test/vscode: ${e.stack ?? e.message}`);
    process.exit(2);
  },
);
