/**
 * Entry of the extension-host suite: what `--extensionTestsPath` (desktop VS Code,
 * @vscode/test-electron) or the `payload` query (code-server) points at. VS Code loads this
 * module in the real extension host and calls `run()`; the suite's files are the
 * `suite/*.test.js` beside it (or, with `FGLAB_SUITE_DIR=restricted`, the Restricted Mode suite
 * `restricted/*.test.js`), run by mocha from the repository's node_modules.
 * When `FGLAB_TEST_REPORT` names a file, the result is also written there as JSON, so the
 * harness reads counts and failures without parsing console text.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } = Mocha.Runner.constants;

/** mocha's spec reporter, plus a JSON report for the harness. */
class SpecAndJsonReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const tests: { title: string; state: string; durationMs?: number; error?: string }[] = [];
    const t0 = Date.now();
    runner.on(EVENT_TEST_PASS, (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    runner.on(EVENT_TEST_PENDING, (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
    runner.on(EVENT_TEST_FAIL, (t, err: Error) => tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: err.stack ?? err.message }));
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.FGLAB_TEST_REPORT;
      if (!file) return;
      const count = (state: string): number => tests.filter((t) => t.state === state).length;
      writeFileSync(file, JSON.stringify({ passes: count('passed'), failures: count('failed'), pending: count('pending'), durationMs: Date.now() - t0, tests }, null, 2));
    });
  }
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: SpecAndJsonReporter });
  if (process.env.FGLAB_GREP) mocha.grep(process.env.FGLAB_GREP);
  const suiteDir = join(__dirname, process.env.FGLAB_SUITE_DIR === 'restricted' ? 'restricted' : 'suite');
  // Sorted: activation.test.js runs first, while the extension is not yet active.
  for (const file of readdirSync(suiteDir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(join(suiteDir, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension-host test(s) failed`);
}
