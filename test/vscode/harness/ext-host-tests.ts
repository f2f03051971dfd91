/**
 * Runs the extension-host mocha suite (out/test/vscode/index.js) inside code-server's real
 * Node extension host: the `--extensionTestsPath` of a desktop VS Code. code-server refuses
 * that flag, but a server started with `--vscode-option enable-smoke-test-driver` makes the
 * workbench read extensionDevelopmentPath / extensionTestsPath from the `payload` URL query;
 * when the suite settles the extension host exits and the workbench calls
 * `window.codeAutomationExit(code)`, which the harness exposes to the page.
 */
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { format } from 'node:util';
import type { CodeServer } from './code-server';
import { launchBrowser } from './chromium';

/** What the suite's reporter writes to `$FGLAB_TEST_REPORT` (see index.ts). */
export interface SuiteReport {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  tests: { title: string; state: 'passed' | 'failed' | 'pending'; durationMs?: number; error?: string }[];
}

export interface ExtHostRun {
  exitCode: number;
  report?: SuiteReport;
}

export interface ExtHostTestOptions {
  server: CodeServer;
  /** Extension folder loaded as the development extension. */
  extensionPath: string;
  /** The suite's entry module (exports `run()`). */
  testsPath: string;
  /** Workspace folder the window opens. */
  folder: string;
  /** Where the suite's reporter writes its JSON report (the server's FGLAB_TEST_REPORT). */
  reportFile: string;
  /** Everything the page logs, for after-the-fact reading. */
  consoleLog: string;
  timeoutMs: number;
}

/** Console lines of the workbench that are offline noise, not test output. */
const NOISE = /^\s*$|^\[|^(Resolv|Creat|Updating|Started|Extension host)|open-vsx|[Gg]allery|getExtensions|ENOTFOUND|vsda|Failed to load resource|authentication provider 'github'|wanted kernel DOES NOT EXIST/;

export async function runExtensionHostTests(o: ExtHostTestOptions): Promise<ExtHostRun> {
  for (const p of [o.extensionPath, o.testsPath]) if (!existsSync(p)) throw new Error(`missing ${p}`);
  rmSync(o.reportFile, { force: true });
  const url = o.server.folderUrl(o.folder, [
    ['extensionDevelopmentPath', o.server.remoteUri(o.extensionPath)],
    ['extensionTestsPath', o.server.remoteUri(o.testsPath)],
  ]);
  const browser = await launchBrowser(o.server.runDir);
  try {
    const { page } = browser;
    let exited!: (code: number) => void;
    const exit = new Promise<number>((r) => (exited = r));
    await page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
    // The extension host's console reaches the page console as ("%c INFO", style, format, ...args).
    page.on('console', async (message) => {
      try {
        const args = await Promise.all(message.args().map((a) => a.jsonValue().catch(() => '?')));
        const level = typeof args[0] === 'string' ? /^%c\s+(\w+)/.exec(args[0]) : null;
        const text = level ? format(...args.slice(2)) : format(...args);
        appendFileSync(o.consoleLog, `[${level ? level[1] : message.type()}] ${text}\n`);
        if (level && !NOISE.test(text)) process.stdout.write(`  ${text}\n`);
      } catch {
        // the page is closing
      }
    });
    page.on('pageerror', (e) => appendFileSync(o.consoleLog, `[pageerror] ${e.message}\n`));
    appendFileSync(o.consoleLog, `opening ${url}\n`);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), o.timeoutMs)));
    const code = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    const report = existsSync(o.reportFile) ? (JSON.parse(readFileSync(o.reportFile, 'utf8')) as SuiteReport) : undefined;
    if (code === 'timeout') {
      console.error(`  the extension host did not finish the suite within ${o.timeoutMs / 1000} s (console: ${o.consoleLog})`);
      return { exitCode: 3, report };
    }
    return { exitCode: code, report };
  } finally {
    await browser.close();
  }
}
