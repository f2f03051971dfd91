import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { closeAllEditors, codeCells, errorOf, marked, NOTEBOOK_TYPE, runAll, scratchCopy, SPEC_LANGUAGE, untitledSpecNotebook, waitFor } from './util';

const BAD_UNITS = ['model: lstm', 'units: 0', 'input:', '  shape: [10, 4]', '  random: { seed: 7 }'].join('\n');

/** The completion labels VS Code's providers give at the `|` of a one-cell spec notebook. */
async function completionsAt(source: string): Promise<vscode.CompletionItem[]> {
  const { text, position } = marked(source);
  const notebook = await untitledSpecNotebook(text);
  const cell = codeCells(notebook)[0];
  const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cell.document.uri, position);
  return list.items;
}

const label = (i: vscode.CompletionItem): string => (typeof i.label === 'string' ? i.label : i.label.label);

async function diagnosticsOf(uri: vscode.Uri, expect: (d: readonly vscode.Diagnostic[]) => boolean, what: string): Promise<readonly vscode.Diagnostic[]> {
  return waitFor(() => {
    const d = vscode.languages.getDiagnostics(uri).filter((x) => x.source === 'Forget Gate Lab');
    return expect(d) ? d : undefined;
  }, 10_000, what);
}

describe('Spec cells in the editor', () => {
  afterEach(closeAllEditors);

  it('completes the keys of the mapping under the cursor, leaving out the ones written', async () => {
    const labels = (await completionsAt('model: lstm\nunits: 8\ninput:\n  shape: [10, 4]\n  |')).map(label);
    assert.ok(labels.includes('random') && labels.includes('file'), `labels: ${labels.join(', ')}`);
    assert.ok(!labels.includes('shape') && !labels.includes('units') && !labels.includes('model'), `labels: ${labels.join(', ')}`);
  });

  it('completes enum values with their documentation', async () => {
    const items = await completionsAt('model: lstm\nrecurrentActivation: |');
    const hard = items.find((i) => label(i) === 'hardSigmoid');
    assert.ok(hard, `labels: ${items.map(label).join(', ')}`);
    assert.match((hard.documentation as vscode.MarkdownString).value, /clip\(0\.2x \+ 0\.5, 0, 1\)/);
  });

  it('offers the model snippet in an empty spec cell', async () => {
    const items = await completionsAt('|');
    const snippet = items.find((i) => label(i) === 'lstm' && i.kind === vscode.CompletionItemKind.Snippet);
    assert.ok(snippet, `labels: ${items.map(label).join(', ')}`);
    assert.match((snippet.insertText as vscode.SnippetString).value, /^model: lstm$/m);
  });

  it('completes file paths relative to the notebook, filtered by extension', async () => {
    const uri = await scratchCopy();
    const dir = vscode.Uri.joinPath(uri, '..');
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'inputs-x.json'), new TextEncoder().encode('[[1, 2]]'));
    await vscode.workspace.fs.writeFile(vscode.Uri.joinPath(dir, 'notes.txt'), new TextEncoder().encode('no'));
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(dir, 'data-folder'));
    const notebook = await vscode.workspace.openNotebookDocument(uri);
    const cell = codeCells(notebook)[0];
    const { text, position } = marked('model: lstm\nunits: 8\ninput:\n  file: |');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(cell.document.uri, new vscode.Range(0, 0, cell.document.lineCount, 0), text);
    assert.ok(await vscode.workspace.applyEdit(edit));
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', cell.document.uri, position);
    const labels = list.items.map(label);
    assert.ok(labels.includes('inputs-x.json'), `labels: ${labels.join(', ')}`);
    assert.ok(labels.includes('data-folder/'), `labels: ${labels.join(', ')}`);
    assert.ok(!labels.includes('notes.txt'), 'a .txt file is not an input');
  });

  it('shows the documentation of a key on hover', async () => {
    const notebook = await untitledSpecNotebook('model: lstm\nunits: 8\n');
    const cell = codeCells(notebook)[0];
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', cell.document.uri, new vscode.Position(1, 2));
    const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : (c as vscode.MarkdownString).value))).join('\n');
    assert.match(text, /`units`.*integer 1…4096/);
    assert.match(text, /Number of recurrent units/);
  });

  it('underlines a mistake with exactly the message the run gives', async () => {
    const notebook = await untitledSpecNotebook(BAD_UNITS);
    const cell = codeCells(notebook)[0];
    const [diagnostic] = await diagnosticsOf(cell.document.uri, (d) => d.length === 1, 'one diagnostic on the cell');
    assert.equal(diagnostic.range.start.line, 1, 'on the line of units');
    assert.equal(cell.document.getText(diagnostic.range).startsWith('units'), true, `range covers ${JSON.stringify(cell.document.getText(diagnostic.range))}`);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    const [ran] = await runAll(notebook);
    assert.equal(ran.executionSummary?.success, false);
    assert.equal(diagnostic.message, errorOf(ran).message);
  });

  it('clears the diagnostic as soon as the spec is fixed', async () => {
    const notebook = await untitledSpecNotebook(BAD_UNITS);
    const cell = codeCells(notebook)[0];
    await diagnosticsOf(cell.document.uri, (d) => d.length === 1, 'the diagnostic');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(cell.document.uri, new vscode.Range(1, 7, 1, 8), '8');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await diagnosticsOf(cell.document.uri, (d) => d.length === 0, 'no diagnostic after the fix');
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.equal(cell.document.languageId, SPEC_LANGUAGE);
  });
});
