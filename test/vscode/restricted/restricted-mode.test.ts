/**
 * Restricted Mode, in a real VS Code with workspace trust on and a folder nobody trusted (the
 * harness starts a second code-server for this suite). VS Code itself asks for trust before it
 * runs any notebook cell (restricted-mode.e2e.ts shows that dialog); these tests check the lab's
 * own line behind it: should its controller be asked to run cells without trust, JavaScript and
 * TypeScript cells do not run and say why and how to trust the folder, and spec cells read
 * files only inside the workspace.
 */
import * as assert from 'node:assert/strict';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  closeAllEditors, untitledNotebook, codeCells, CONTROLLER, selectKernel, within, describeOutputs, errorOf, EXTENSION_ID, NOTEBOOK_TYPE, outputItem, sampleUri, SPEC_LANGUAGE, text, TRACE_MIME, waitFor,
} from '../suite/util';

const STDOUT_MIME = 'application/vnd.code.notebook.stdout';

/**
 * Runs every code cell through the lab controller's execute handler, as VS Code does after its
 * trust check: the lab's controller object is reached through the extension's exports.
 */
async function runThroughController(notebook: vscode.NotebookDocument): Promise<vscode.NotebookCell[]> {
  // One cell at a time: a failed cell would leave the cells after it not run, as in Run All.
  await vscode.window.showNotebookDocument(notebook);
  await within(vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER), 20_000, 'notebook.selectKernel');
  assert.equal(await selectKernel(CONTROLLER), true, 'the lab\'s controller is not the notebook\'s');
  const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
  const api = (await extension.activate()) as { controller: { controllers: vscode.NotebookController[] } };
  const controller = api.controller.controllers.find((c) => c.notebookType === NOTEBOOK_TYPE);
  assert.ok(controller, 'the lab has no controller for its notebooks');
  const cells = codeCells(notebook);
  for (const cell of cells) {
    const started = Date.now();
    await controller.executeHandler([cell], notebook, controller);
    await waitFor(() => (cell.executionSummary?.timing?.endTime ?? 0) >= started, 90_000, `cell ${cell.index + 1} to finish running`);
  }
  return cells;
}

describe('Restricted Mode (workspace trust on, folder not trusted)', () => {
  afterEach(closeAllEditors);

  it('opens the folder untrusted, with the lab active (it supports Restricted Mode in part)', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the harness opened a trusted folder: this suite would prove nothing');
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not installed`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('runs spec cells but not JavaScript or TypeScript cells, and says why and how to trust the folder', async () => {
    const marker = `${os.tmpdir()}/fglab-restricted-${process.pid}`;
    const notebook = await untitledNotebook([
      ['javascript', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')\nconsole.log('ran')`],
      [SPEC_LANGUAGE, 'model: gru\nunits: 4\ninput: { shape: [6, 3], random: { seed: 1 } }\n'],
      ['typescript', 'const n: number = 1\nconsole.log("ran", n)'],
    ]);
    const [js, spec, ts] = await runThroughController(notebook);
    assert.equal(spec.executionSummary?.success, true, `the spec cell failed: ${describeOutputs(spec)}`);
    assert.deepEqual(JSON.parse(text(outputItem(spec, TRACE_MIME).data)).dims, { batch: 1, time: 6, units: 4, features: 3 });
    for (const cell of [js, ts]) {
      assert.equal(cell.executionSummary?.success, false, `cell ${cell.index + 1} ran in Restricted Mode: ${describeOutputs(cell)}`);
      const error = errorOf(cell);
      assert.equal(error.name, 'Restricted Mode');
      assert.match(error.message, /runs them only in a trusted workspace/);
      assert.match(error.message, /this folder is open in Restricted Mode/);
      assert.match(error.message, /"Workspaces: Manage Workspace Trust" from the Command Palette and choose "Trust"/);
      assert.equal(cell.outputs.flatMap((o) => o.items).filter((i) => i.mime === STDOUT_MIME).length, 0, 'nothing was printed');
    }
    await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file(marker))), 'the JavaScript cell\'s code did not run');
  });

  it('reads the files a spec names inside the workspace, and refuses one outside it', async () => {
    // Inside: the trained-model sample reads its model and sequences from the workspace folder.
    const sample = await vscode.workspace.openNotebookDocument(sampleUri('trained-lstm.fglab'));
    const cells = await runThroughController(sample);
    for (const cell of cells) assert.equal(cell.executionSummary?.success, true, `cell ${cell.index + 1}: ${describeOutputs(cell)}`);
    await closeAllEditors();

    // Outside: the same sequences copied out of the workspace, named by their absolute path.
    const outside = vscode.Uri.file(`${os.tmpdir()}/fglab-outside-${process.pid}/sequences.json`);
    await vscode.workspace.fs.writeFile(outside, await vscode.workspace.fs.readFile(sampleUri('trained-lstm/sequences.json')));
    const notebook = await untitledNotebook([[SPEC_LANGUAGE, `model: lstm\nunits: 3\ninput: { file: ${JSON.stringify(outside.fsPath)} }\n`]]);
    const [cell] = await runThroughController(notebook);
    assert.equal(cell.executionSummary?.success, false, describeOutputs(cell));
    assert.match(errorOf(cell).message, /^input\.file: cannot read ".*": it is outside the workspace folders, and in Restricted Mode specs read files only inside them \(/);
  });
});
