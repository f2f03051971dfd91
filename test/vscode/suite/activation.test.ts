import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeCells, CONTROLLER, EXTENSION_ID, NOTEBOOK_TYPE, sampleUri, selectKernel, SPEC_LANGUAGE, waitFor } from './util';

describe('Opening a lab notebook', () => {
  after(closeAllEditors);

  it('activates the extension when classic-lstm.fglab is opened', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed`);
    assert.equal(extension.isActive, false, 'the extension was active before any notebook was opened');
    const notebook = await vscode.workspace.openNotebookDocument(sampleUri());
    await waitFor(() => extension.isActive, 30_000, 'the extension to activate');
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
  });

  it('reads classic-lstm.fglab as a markdown cell and a spec cell', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(sampleUri());
    assert.deepEqual(notebook.getCells().map((c) => [c.kind, c.document.languageId]), [
      [vscode.NotebookCellKind.Markup, 'markdown'],
      [vscode.NotebookCellKind.Code, SPEC_LANGUAGE],
    ]);
    const spec = codeCells(notebook)[0].document.getText();
    assert.match(spec, /^units: 128$/m);
    assert.match(spec, /shape: \[10, 64\]/);
  });

  it('offers fglab.kernel as a selectable controller for the notebook', async () => {
    const notebook = await vscode.workspace.openNotebookDocument(sampleUri());
    await vscode.window.showNotebookDocument(notebook);
    assert.equal(await selectKernel(CONTROLLER), true, `${CONTROLLER.id} was not selected for ${notebook.uri.path}`);
    // The same check refuses a controller that does not exist, so the answer above means something.
    assert.equal(await selectKernel({ ...CONTROLLER, id: 'fglab.no-such-kernel' }), false, 'a controller that does not exist was "selected"');
  });
});
