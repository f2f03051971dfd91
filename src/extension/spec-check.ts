/**
 * Diagnostics of a spec cell: the run's own validation (the same function, so the same
 * message word for word), placed on the key the error names or on the line it names.
 * No `vscode` import; only the pure spec modules of the core (no TensorFlow.js).
 */
import { parseSpec } from '../lab/spec/model-spec';
import { SpecError } from '../lab/spec/validate';
import { findKey, keyPath, lineContentRange, stripComment, type LineRange } from './spec-cursor';

/**
 * The validation a run does before it computes anything: parse the YAML, check it against the
 * schema and check the sizes. Throws `SpecError` with the run's message.
 */
export const validateSpecSource: (source: string) => unknown = parseSpec;

/** A problem to show in the editor. */
export interface SpecProblem {
  /** Exactly the run's error message. */
  message: string;
  /** The dotted key the error names, when it names one. */
  key?: string;
  range: LineRange;
}

/** Whether a cell holds nothing but blank lines and comments (no diagnostics for a cell being started). */
export function isBlankSpec(text: string): boolean {
  return text.split(/\r?\n/).every((l) => stripComment(l).trim() === '');
}

/** Where to show an error: the key on the named line, else the key anywhere, else the named line. */
export function problemRange(text: string, error: SpecError): LineRange {
  const syntax = /at line (\d+), column (\d+)/.exec(error.message);
  if (error.key === undefined && syntax) {
    const line = Number(syntax[1]) - 1;
    const content = lineContentRange(text, line);
    const start = Math.min(Math.max(0, Number(syntax[2]) - 1), content.end);
    return { line: content.line, start, end: Math.max(start + 1, content.end) };
  }
  const line = error.line !== undefined ? error.line - 1 : undefined;
  const path = error.key && error.key !== 'spec' ? keyPath(error.key) : [];
  const key = path.length ? findKey(text, path, line) : undefined;
  if (key && (line === undefined || key.line === line)) {
    // The key and its value, when both are on the named line.
    return { line: key.line, start: key.start, end: Math.max(key.end, lineContentRange(text, key.line).end) };
  }
  if (line !== undefined) return lineContentRange(text, line);
  if (key) return key;
  // A key that is not written (required with another key): its mapping's key, if written.
  for (let n = path.length - 1; n > 0; n--) {
    const parent = findKey(text, path.slice(0, n));
    if (parent) return parent;
  }
  return lineContentRange(text, firstContentLine(text));
}

function firstContentLine(text: string): number {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => stripComment(l).trim() !== '');
  return Math.max(0, i);
}

/** The problems of a spec cell's text: none, or the first error the run would report. */
export function checkSpec(text: string): SpecProblem[] {
  if (isBlankSpec(text)) return [];
  try {
    validateSpecSource(text);
    return [];
  } catch (e) {
    if (!(e instanceof SpecError)) return [];
    return [{ message: e.message, key: e.key, range: problemRange(text, e) }];
  }
}
