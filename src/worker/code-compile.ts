/**
 * Compiling a JavaScript or TypeScript cell into a script the kernel can run in its global
 * scope, the way a REPL does:
 *
 * - the cell's code runs inside an async arrow function, so top-level `await` works;
 * - its top-level `let` / `const` / `var` / `function` / `class` names are declared with `var`
 *   in the global scope before that function, and the declarations become assignments to them,
 *   so later cells see them (and a cell can be run again: `const` becomes reassignable, as in
 *   Node's REPL);
 * - the last top-level expression statement becomes the function's return value.
 *
 * Lines are kept: the wrapper's opening is a line of its own that the kernel compiles with
 * `lineOffset: -1`, the edits add no line breaks, and the column shifts they make are recorded
 * so that a stack frame maps back to the cell's own line and column. TypeScript goes through
 * `ts.transpileModule` first (types stripped, ES2022 kept), and its source map takes positions
 * back to the TypeScript source.
 *
 * This is the entry of `dist/code-cells.js`, loaded by the worker and the CLI only when a code
 * cell runs: the TypeScript compiler is large, spec cells never need it.
 */
import * as ts from 'typescript';

/** Languages of code cells. */
export type { CodeLanguage } from '../shared/ids';
import type { CodeLanguage } from '../shared/ids';

/** A line and column, both 1-based (as in stack traces and editors). */
export interface Position {
  line: number;
  column: number;
}

/** A cell that does not parse: the message and where, in the cell's own lines and columns. */
export class CellSyntaxError extends Error {
  override name = 'SyntaxError';
  constructor(
    message: string,
    readonly position: Position,
  ) {
    super(message);
  }
}

export interface CompiledCell {
  /** Script text; compile with `lineOffset: -1` so that the cell's first line is line 1. */
  code: string;
  /** Names the cell declares at top level (they become globals). */
  declared: string[];
  /** Lines of the cell's code in `code` (1…lines); the wrapper's lines lie outside. */
  lines: number;
  /** Maps a position in `code` (1-based, after `lineOffset: -1`) to the cell's own source. */
  original(position: Position): Position;
}

/** An insertion of `length` characters before column `column` (0-based) of line `line` (0-based) of the compiled text. */
interface Shift {
  line: number;
  column: number;
  length: number;
}

/** Text edits on one source string, applied from the end so earlier offsets stay valid. */
class Edits {
  private readonly list: { at: number; end: number; text: string }[] = [];
  constructor(private readonly source: string) {}

  replace(at: number, end: number, text: string): void {
    this.list.push({ at, end, text });
  }

  insert(at: number, text: string): void {
    this.list.push({ at, end: at, text });
  }

  /** The edited text, and the column shifts each edit made on its line. */
  apply(): { text: string; shifts: Shift[] } {
    const sorted = [...this.list].sort((a, b) => a.at - b.at);
    const shifts: Shift[] = [];
    let text = '';
    let last = 0;
    for (const edit of sorted) {
      text += this.source.slice(last, edit.at);
      const lineStart = this.source.lastIndexOf('\n', edit.at - 1) + 1;
      const delta = edit.text.length - (edit.end - edit.at);
      if (delta !== 0) shifts.push({ line: lineOf(this.source, edit.at), column: edit.at - lineStart, length: delta });
      text += edit.text;
      last = edit.end;
    }
    return { text: text + this.source.slice(last), shifts };
  }
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function positionOf(sourceFile: ts.SourceFile, offset: number): Position {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(offset);
  return { line: line + 1, column: character + 1 };
}

/** Names bound by a declaration's name: an identifier or a destructuring pattern. */
function boundNames(name: ts.BindingName, into: string[]): void {
  if (ts.isIdentifier(name)) {
    into.push(name.text);
    return;
  }
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) boundNames(element.name, into);
}

/** Parse errors of `sourceFile` (not part of the public typings, present since TypeScript 1.x). */
function parseDiagnostics(sourceFile: ts.SourceFile): readonly ts.Diagnostic[] {
  return (sourceFile as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
}

function syntaxError(sourceFile: ts.SourceFile, diagnostic: ts.Diagnostic, cellName: string): CellSyntaxError {
  const position = positionOf(sourceFile, diagnostic.start ?? 0);
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ');
  return new CellSyntaxError(`${cellName}, line ${position.line}:${position.column}: ${message}`, position);
}

/**
 * Rewrites the top level of a JavaScript program (see the file comment). Throws
 * `CellSyntaxError` for a program that does not parse or uses `import` / `export`.
 */
function rewrite(js: string, cellName: string, mapBack: (p: Position) => Position): { text: string; shifts: Shift[]; declared: string[] } {
  const sourceFile = ts.createSourceFile(`${cellName}.js`, js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const [firstError] = parseDiagnostics(sourceFile);
  if (firstError) {
    const e = syntaxError(sourceFile, firstError, cellName);
    const p = mapBack(e.position);
    throw new CellSyntaxError(`${cellName}, line ${p.line}:${p.column}: ${e.message.replace(/^.*?: /, '')}`, p);
  }
  const edits = new Edits(js);
  const declared: string[] = [];
  const functions: string[] = [];
  const statements = sourceFile.statements;
  for (const statement of statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement) || ts.isExportAssignment(statement)
      || (ts.canHaveModifiers(statement) && ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword))) {
      const p = mapBack(positionOf(sourceFile, statement.getStart(sourceFile)));
      throw new CellSyntaxError(`${cellName}, line ${p.line}:${p.column}: cells are scripts, not modules: use require(...) instead of import, and plain declarations instead of export`, p);
    }
    if (ts.isVariableStatement(statement)) {
      const list = statement.declarationList;
      const isVar = (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
      const first = list.declarations[0];
      // `let a = 1, {b} = c;` → `;(  a = 1, {b} = c);` — the keyword's columns are reused, a `;` guards against ASI.
      const keywordEnd = first.getStart(sourceFile);
      const keywordStart = statement.getStart(sourceFile);
      const assignments = list.declarations.filter((d) => d.initializer || !isVar);
      for (const d of list.declarations) boundNames(d.name, declared);
      if (assignments.length === 0) {
        edits.replace(keywordStart, list.end, ';');
        continue;
      }
      edits.replace(keywordStart, keywordEnd, ';('.padEnd(keywordEnd - keywordStart, ' '));
      for (const [i, d] of list.declarations.entries()) {
        if (!d.initializer && isVar) {
          // `var a, b = 1`: a keeps its value; drop it and its comma from the list.
          const next = list.declarations[i + 1];
          edits.replace(d.getStart(sourceFile), next ? next.getStart(sourceFile) : d.end, '');
        } else if (!d.initializer) {
          edits.insert(d.end, ' = void 0');
        }
      }
      edits.insert(list.end, ')');
    } else if (ts.isFunctionDeclaration(statement) && statement.name) {
      // Hoisted within the cell as written; published to the global scope before the cell's first line runs.
      functions.push(statement.name.text);
      declared.push(statement.name.text);
    } else if (ts.isClassDeclaration(statement) && statement.name) {
      declared.push(statement.name.text);
      edits.insert(statement.getStart(sourceFile), `;${statement.name.text} = `);
      edits.insert(statement.end, ';');
    }
  }
  const last = statements[statements.length - 1];
  if (last && ts.isExpressionStatement(last)) {
    edits.insert(last.expression.getStart(sourceFile), 'return (');
    edits.insert(last.expression.end, ')');
  }
  const { text, shifts } = edits.apply();
  const unique = [...new Set(declared)];
  const publish = functions.map((f) => `globalThis[${JSON.stringify(f)}] = ${f};`).join(' ');
  const head = `${unique.length ? `var ${unique.join(', ')}; ` : ''}(async () => { ${publish}`;
  return { text: `${head}\n${text}\n})()`, shifts, declared: unique };
}

/** Decodes a source map's `mappings` into, per generated line, sorted [generated column, source line, source column] (0-based). */
function decodeMappings(mappings: string): [number, number, number][][] {
  const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lines: [number, number, number][][] = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const line of mappings.split(';')) {
    const segments: [number, number, number][] = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0];
      if (values.length >= 4) {
        sourceLine += values[2];
        sourceColumn += values[3];
        segments.push([column, sourceLine, sourceColumn]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** Strips TypeScript's types; the returned function maps positions of the JavaScript back to the TypeScript. */
function transpile(source: string, cellName: string): { js: string; mapBack: (p: Position) => Position } {
  const out = ts.transpileModule(source, {
    fileName: `${cellName}.ts`,
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, sourceMap: true, removeComments: false },
  });
  const [firstError] = out.diagnostics ?? [];
  if (firstError) {
    const sourceFile = ts.createSourceFile(`${cellName}.ts`, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    throw syntaxError(sourceFile, firstError, cellName);
  }
  const lines = decodeMappings(JSON.parse(out.sourceMapText ?? '{"mappings":""}').mappings);
  const js = out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
  const mapBack = ({ line, column }: Position): Position => {
    const segments = lines[line - 1] ?? [];
    let best = segments[0];
    for (const s of segments) if (s[0] <= column - 1) best = s;
    if (!best) return { line, column };
    return { line: best[1] + 1, column: best[2] + 1 + Math.max(0, column - 1 - best[0]) };
  };
  return { js, mapBack };
}

/**
 * Compiles a cell for the kernel. `cellName` names the cell in errors (`cell 2`).
 * Throws `CellSyntaxError` with the cell's line and column when it does not parse.
 */
export function compileCell(source: string, language: CodeLanguage, cellName: string): CompiledCell {
  const identity = (p: Position): Position => p;
  const { js, mapBack } = language === 'typescript' ? transpile(source, cellName) : { js: source, mapBack: identity };
  const { text, shifts, declared } = rewrite(js, cellName, mapBack);
  const original = ({ line, column }: Position): Position => {
    // Undo the column shifts of the edits on that line, left to right; a position inside inserted text maps to the insertion point.
    const compiled = column - 1;
    let delta = 0;
    for (const s of shifts.filter((x) => x.line === line - 1).sort((a, b) => a.column - b.column)) {
      const at = s.column + delta;
      if (compiled < at) break;
      if (s.length > 0 && compiled < at + s.length) return mapBack({ line, column: s.column + 1 });
      delta += s.length;
    }
    return mapBack({ line, column: compiled - delta + 1 });
  };
  return { code: text, declared, original, lines: text.split('\n').length - 2 };
}
