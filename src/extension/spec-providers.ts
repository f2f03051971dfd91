/**
 * Editor support for spec cells (language `fglab`): completion, hover and diagnostics as you
 * type. Thin adapters over the pure `spec-assist` and `spec-check` modules, which read the
 * one schema; this file only converts to VS Code's types and lists files for path values.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SPEC_SCHEMA } from '../lab/spec/schema';
import { SPEC_LANGUAGE } from '../shared/ids';
import { completeSpec, hoverSpec, type SpecCompletion } from './spec-assist';
import { checkSpec } from './spec-check';

/** Diagnostics source shown in the Problems panel. */
export const DIAGNOSTIC_SOURCE = 'Forget Gate Lab';
/** Delay after the last keystroke before a cell is checked again. */
const CHECK_DELAY_MS = 150;
/** Files listed at most per folder in path completion. */
const MAX_PATH_ITEMS = 200;

/** The folder relative paths of a cell's spec resolve against (its notebook's), if the cell is in an open notebook. */
export type BaseDirOf = (document: vscode.TextDocument) => string | undefined;

function toItem(c: SpecCompletion): vscode.CompletionItem {
  const kinds = { key: vscode.CompletionItemKind.Property, value: vscode.CompletionItemKind.EnumMember, snippet: vscode.CompletionItemKind.Snippet };
  const item = new vscode.CompletionItem(c.label, kinds[c.kind]);
  item.insertText = new vscode.SnippetString(c.insertText);
  item.detail = c.detail;
  if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
  item.sortText = c.sortText;
  if (c.retrigger) item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
  return item;
}

/** Files and folders for a path value: `prefix` is what was typed (`data/x`), relative to `baseDir`. */
async function pathItems(baseDir: string, prefix: string, extensions: readonly string[], position: vscode.Position): Promise<vscode.CompletionItem[]> {
  const slash = prefix.lastIndexOf('/');
  const folderPart = slash >= 0 ? prefix.slice(0, slash + 1) : '';
  const typed = prefix.slice(folderPart.length);
  const range = new vscode.Range(position.translate(0, -typed.length), position);
  let entries: [string, vscode.FileType][];
  try {
    entries = await vscode.workspace.fs.readDirectory(vscode.Uri.file(path.resolve(baseDir, folderPart || '.')));
  } catch {
    return [];
  }
  const items: vscode.CompletionItem[] = [];
  for (const [name, type] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    if (name.startsWith('.') || items.length >= MAX_PATH_ITEMS) continue;
    if (type & vscode.FileType.Directory) {
      const item = new vscode.CompletionItem(`${name}/`, vscode.CompletionItemKind.Folder);
      item.range = range;
      item.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
      item.sortText = `1${name}`;
      items.push(item);
    } else if (extensions.some((e) => name.toLowerCase().endsWith(e))) {
      const item = new vscode.CompletionItem(name, vscode.CompletionItemKind.File);
      item.range = range;
      item.detail = `${folderPart}${name}`;
      item.sortText = `0${name}`;
      items.push(item);
    }
  }
  return items;
}

/** Checks spec cells as they are opened and edited; clears a cell's problems when it closes. */
class SpecDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(SPEC_LANGUAGE);
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d)),
    );
    vscode.workspace.textDocuments.forEach((d) => this.check(d));
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      this.check(document);
    }, CHECK_DELAY_MS));
  }

  private check(document: vscode.TextDocument): void {
    if (document.isClosed) return;
    if (document.languageId !== SPEC_LANGUAGE) {
      // A cell whose language changed away from fglab keeps no stale problems.
      if (this.collection.has(document.uri)) this.collection.delete(document.uri);
      return;
    }
    const text = document.getText();
    this.collection.set(document.uri, checkSpec(text).map((p) => {
      const range = new vscode.Range(p.range.line, p.range.start, p.range.line, Math.max(p.range.end, p.range.start + 1));
      const diagnostic = new vscode.Diagnostic(document.validateRange(range), p.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = DIAGNOSTIC_SOURCE;
      if (p.key) diagnostic.code = p.key;
      return diagnostic;
    }));
  }

  private forget(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.collection.delete(document.uri);
  }

  dispose(): void {
    this.timers.forEach((t) => clearTimeout(t));
    this.disposables.forEach((d) => d.dispose());
  }
}

/** Registers completion, hover and diagnostics for spec cells. */
export function registerSpecLanguage(baseDirOf: BaseDirOf): vscode.Disposable[] {
  const selector: vscode.DocumentSelector = { language: SPEC_LANGUAGE };
  return [
    vscode.languages.registerCompletionItemProvider(selector, {
      async provideCompletionItems(document, position) {
        const result = completeSpec(SPEC_SCHEMA, document.getText(), position.line, position.character);
        const items = result.items.map(toItem);
        const base = result.path ? baseDirOf(document) : undefined;
        if (result.path && base) items.push(...(await pathItems(base, result.path.prefix, result.path.extensions, position)));
        return items;
      },
    }, ':', ' ', '/', '{', ',', '-'),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(document, position) {
        const hover = hoverSpec(SPEC_SCHEMA, document.getText(), position.line, position.character);
        if (!hover) return undefined;
        return new vscode.Hover(new vscode.MarkdownString(hover.markdown), new vscode.Range(hover.range.line, hover.range.start, hover.range.line, hover.range.end));
      },
    }),
    new SpecDiagnostics(),
  ];
}
