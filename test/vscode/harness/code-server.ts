/**
 * code-server: the real VS Code workbench, server and Node extension host, from npm. One
 * instance per test run, on 127.0.0.1 and a free port, with fresh user-data and extensions
 * folders, the extension installed from its .vsix (the marketplace path), and every folder
 * code-server or the extension host writes to kept under `runDir`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CODE_SERVER, NODE24 } from './paths';
import { freePort, stopGroup, waitForHttp } from './processes';

/** User settings of the test profile: no welcome page, no workspace trust, nothing that phones home. */
export const TEST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'notebook.experimental.generate': false,
  'window.commandCenter': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'git.enabled': false,
  // The web workbench autosaves by default; desktop VS Code does not. Tests save explicitly.
  'files.autoSave': 'off',
};

export interface CodeServerOptions {
  /** Folder for user data, extensions, logs and temp files; created if missing. */
  runDir: string;
  /** `.vsix` installed with `--install-extension` before the server starts. */
  vsix?: string;
  /** Port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /**
   * Makes the built workbench honour the `payload` URL query (extensionDevelopmentPath,
   * extensionTestsPath): needed for extension-host tests, off for a user's lab.
   */
  smokeTestDriver?: boolean;
  /** Extra environment of the server, and so of the extension host it starts. */
  env?: Record<string, string>;
  /** Settings merged over TEST_SETTINGS. */
  settings?: Record<string, unknown>;
  /**
   * Workspace trust on, as in a user's VS Code: a folder opens in Restricted Mode until it is
   * trusted (no startup prompt asks). Off by default, so the main suites run trusted.
   */
  workspaceTrust?: boolean;
}

/** Settings that make VS Code open every folder in Restricted Mode, without asking. */
const RESTRICTED_SETTINGS = {
  'security.workspace.trust.enabled': true,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.emptyWindow': false,
  'security.workspace.trust.untrustedFiles': 'open',
  'security.workspace.trust.banner': 'never',
};

export class CodeServer {
  private constructor(
    private readonly child: ChildProcess,
    /** `http://127.0.0.1:<port>` */
    readonly url: string,
    readonly runDir: string,
    readonly extensionsDir: string,
    readonly logFile: string,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Workbench URL that opens `folder` (an absolute path on this machine). */
  folderUrl(folder: string, payload?: [string, string][]): string {
    let url = `${this.url}/?folder=${encodeURIComponent(folder)}`;
    if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    return url;
  }

  /** A path on the server as the browser workbench must name it in a `payload`. */
  remoteUri(path: string): string {
    return `vscode-remote://${new URL(this.url).host}${path}`;
  }

  /** Folder of an installed extension (`<publisher>.<name>-<version>`), or undefined. */
  installedExtensionPath(id: string): string | undefined {
    const prefix = `${id.toLowerCase()}-`;
    const hit = readdirSync(this.extensionsDir).find((d) => d.toLowerCase().startsWith(prefix));
    return hit ? join(this.extensionsDir, hit) : undefined;
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const { runDir } = options;
    const userData = join(runDir, 'user-data');
    const extensionsDir = join(runDir, 'extensions');
    const dirs = { XDG_CONFIG_HOME: join(runDir, 'xdg', 'config'), XDG_DATA_HOME: join(runDir, 'xdg', 'data'), XDG_CACHE_HOME: join(runDir, 'xdg', 'cache'), TMPDIR: join(runDir, 'tmp') };
    for (const d of [join(userData, 'User'), extensionsDir, ...Object.values(dirs)]) mkdirSync(d, { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({ ...TEST_SETTINGS, ...(options.workspaceTrust ? RESTRICTED_SETTINGS : {}), ...options.settings }, null, 2));
    const config = join(runDir, 'config.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');

    // A VS Code terminal's VSCODE_* variables would make the server think it runs inside that VS Code.
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(VSCODE_|ELECTRON_RUN_AS_NODE)/.test(k)) env[k] = v;
    Object.assign(env, dirs, { PATH: `${dirname(NODE24)}:${process.env.PATH ?? ''}`, NODE_COMPILE_CACHE: join(runDir, 'node-compile-cache') }, options.env);
    const base = [CODE_SERVER, '--config', config, '--user-data-dir', userData, '--extensions-dir', extensionsDir];

    if (options.vsix) {
      const install = spawnSync(NODE24, [...base, '--install-extension', options.vsix, '--force'], { env, encoding: 'utf8', timeout: 180_000 });
      if (install.status !== 0) throw new Error(`code-server --install-extension ${options.vsix} failed (${install.status ?? install.signal}):\n${install.stdout}\n${install.stderr}`);
    }

    const port = options.port ?? (await freePort());
    const url = `http://127.0.0.1:${port}`;
    const logFile = join(runDir, 'server.log');
    const log = openSync(logFile, 'a');
    const args = [...base, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'];
    if (!options.workspaceTrust) args.push('--disable-workspace-trust');
    if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
    // detached: the server leads its own process group, so stop() reaches the extension hosts too.
    const child = spawn(NODE24, args, { env, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    const server = new CodeServer(child, url, runDir, extensionsDir, logFile);
    try {
      await waitForHttp(`${url}/healthz`, child, 60_000);
    } catch (e) {
      await server.stop();
      throw new Error(`code-server did not start: ${(e as Error).message} (log: ${logFile})`);
    }
    return server;
  }

  /** Stops the server and every process it started (extension hosts, pty host). */
  async stop(): Promise<void> {
    await stopGroup(this.child);
  }
}

