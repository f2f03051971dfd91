/**
 * The `.fglab` file format: JSON with two-space indentation, a fixed key order and a trailing
 * newline, so diffs stay readable. Parsed and written here without `vscode`; the serializer
 * and the CLI are thin adapters over it. A file that does not parse is an error naming the
 * line and column, never an empty notebook (saving that would destroy the user's file).
 */

import { decodeBase64 as decodeBase64Bytes, encodeBase64 as encodeBase64Bytes } from './base64';
import { utf8Decode, utf8Encode } from './utf8';

export const FILE_FORMAT_VERSION = 1;

/** An output item on disk. JSON MIME types keep their value as JSON, text as a string, anything else as base64. */
export interface RawOutputItem {
  mime: string;
  /** `json`: `value` is the parsed JSON; `text`: a UTF-8 string; `base64`: bytes. */
  encoding: 'json' | 'text' | 'base64';
  value: unknown;
}

export interface RawOutput {
  items: RawOutputItem[];
  metadata?: Record<string, unknown>;
}

export interface RawExecution {
  order?: number;
  success?: boolean;
  startTime?: number;
  endTime?: number;
}

export interface RawCell {
  kind: 'code' | 'markdown';
  language: string;
  /** Lines of the source, joined with `\n` when read. */
  source: string[];
  metadata?: Record<string, unknown>;
  outputs?: RawOutput[];
  execution?: RawExecution;
}

export interface RawNotebook {
  fglab: number;
  metadata?: Record<string, unknown>;
  cells: RawCell[];
}

/** A cell as the editor sees it: source as one string, output items as bytes. */
export interface NotebookCell {
  kind: 'code' | 'markdown';
  language: string;
  source: string;
  metadata?: Record<string, unknown>;
  outputs?: NotebookOutput[];
  execution?: RawExecution;
}

export interface NotebookOutput {
  items: { mime: string; data: Uint8Array }[];
  metadata?: Record<string, unknown>;
}

export interface Notebook {
  metadata?: Record<string, unknown>;
  cells: NotebookCell[];
}

/** Raised when a file is not a readable `.fglab` notebook. */
export class NotebookFileError extends Error {
  override name = 'NotebookFileError';
}


/** Whether a MIME type's bytes are JSON (stored as JSON so that diffs show the content). */
export function isJsonMime(mime: string): boolean {
  return mime === 'application/json' || mime.endsWith('+json');
}

function isTextMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/vnd.code.notebook.stdout' || mime === 'application/vnd.code.notebook.stderr' || mime === 'application/vnd.code.notebook.error';
}

function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

/**
 * Offset of the first character at which `text` stops being JSON (its length when the text
 * ends too early). Iterative, so a file of deeply nested brackets cannot exhaust the stack.
 */
export function jsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  const stack: string[] = [];
  const skipSpace = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  /** Reads a string starting at `"`; false (with `i` at the fault) when it is not one. */
  const string = (): boolean => {
    i++;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return true;
      }
      if (c < 32) return false;
      if (c !== 92) {
        i++;
        continue;
      }
      i++;
      const escaped = text[i];
      if (escaped === 'u') {
        i++;
        for (let k = 0; k < 4; k++, i++) if (!/[0-9a-fA-F]/.test(text[i] ?? '')) return false;
      } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) i++;
      else return false;
    }
    return false;
  };
  const digits = (): boolean => {
    const start = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') i++;
    return i > start;
  };
  /** Reads a number; false (with `i` at the fault) when it is not one. */
  const number = (): boolean => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else if (!digits()) return false;
    if (text[i] === '.') {
      i++;
      if (!digits()) return false;
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      if (!digits()) return false;
    }
    return true;
  };
  let expect: 'value' | 'key' | 'after' = 'value';
  /** Just after `{` or `[`, where the container may close at once. */
  let opened = false;
  for (;;) {
    skipSpace();
    if (i >= n) return n;
    const c = text[i];
    const justOpened = opened;
    opened = false;
    if (expect === 'value') {
      if (c === '{' || c === '[') {
        stack.push(c);
        i++;
        expect = c === '{' ? 'key' : 'value';
        opened = true;
      } else if (c === ']' && justOpened) {
        stack.pop();
        i++;
        expect = 'after';
      } else if (c === '"') {
        if (!string()) return i;
        expect = 'after';
      } else {
        const literal = c === 't' ? 'true' : c === 'f' ? 'false' : c === 'n' ? 'null' : undefined;
        if (literal) {
          for (const l of literal) {
            if (text[i] !== l) return i;
            i++;
          }
        } else if (!number()) return i;
        expect = 'after';
      }
    } else if (expect === 'key') {
      if (c === '}' && justOpened) {
        stack.pop();
        i++;
        expect = 'after';
        continue;
      }
      if (c !== '"' || !string()) return i;
      skipSpace();
      if (text[i] !== ':') return i;
      i++;
      expect = 'value';
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i;
      if (c === ',') {
        i++;
        expect = top === '{' ? 'key' : 'value';
      } else if ((c === '}' && top === '{') || (c === ']' && top === '[')) {
        stack.pop();
        i++;
      } else return i;
    }
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function fail(key: string, expected: string, got: unknown): never {
  throw new NotebookFileError(`${key}: expected ${expected}, got ${describe(got)}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function readMetadata(v: unknown, key: string): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) fail(key, 'an object', v);
  return v;
}

function readItem(raw: unknown, key: string): { mime: string; data: Uint8Array } {
  if (!isRecord(raw)) fail(key, 'an object', raw);
  if (typeof raw.mime !== 'string' || raw.mime === '') fail(`${key}.mime`, 'a MIME type', raw.mime);
  switch (raw.encoding) {
    case 'json':
      if (raw.value === undefined) fail(`${key}.value`, 'a JSON value', raw.value);
      return { mime: raw.mime, data: utf8Encode(JSON.stringify(raw.value)) };
    case 'text':
      if (typeof raw.value !== 'string') fail(`${key}.value`, 'a string', raw.value);
      return { mime: raw.mime, data: utf8Encode(raw.value) };
    case 'base64': {
      if (typeof raw.value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw.value)) fail(`${key}.value`, 'a base64 string', raw.value);
      try {
        return { mime: raw.mime, data: decodeBase64Bytes(raw.value) };
      } catch (e) {
        throw new NotebookFileError(`${key}.value: expected a base64 string, got one that is not (${(e as Error).message})`);
      }
    }
    default:
      return fail(`${key}.encoding`, '"json", "text" or "base64"', raw.encoding);
  }
}

function readExecution(v: unknown, key: string): RawExecution | undefined {
  if (v === undefined) return undefined;
  if (!isRecord(v)) fail(key, 'an object', v);
  const out: RawExecution = {};
  if (v.order !== undefined) {
    if (typeof v.order !== 'number' || !Number.isInteger(v.order)) fail(`${key}.order`, 'an integer', v.order);
    out.order = v.order;
  }
  if (v.success !== undefined) {
    if (typeof v.success !== 'boolean') fail(`${key}.success`, 'true or false', v.success);
    out.success = v.success;
  }
  for (const k of ['startTime', 'endTime'] as const) {
    if (v[k] !== undefined) {
      if (typeof v[k] !== 'number') fail(`${key}.${k}`, 'a number (ms since 1970)', v[k]);
      out[k] = v[k] as number;
    }
  }
  return out;
}

function readCell(raw: unknown, key: string): NotebookCell {
  if (!isRecord(raw)) fail(key, 'an object', raw);
  if (raw.kind !== 'code' && raw.kind !== 'markdown') fail(`${key}.kind`, '"code" or "markdown"', raw.kind);
  if (typeof raw.language !== 'string' || raw.language === '') fail(`${key}.language`, 'a language id', raw.language);
  let source: string;
  if (typeof raw.source === 'string') source = raw.source;
  else if (Array.isArray(raw.source) && raw.source.every((l) => typeof l === 'string')) source = raw.source.join('\n');
  else fail(`${key}.source`, 'an array of lines', raw.source);
  const cell: NotebookCell = { kind: raw.kind, language: raw.language, source };
  const metadata = readMetadata(raw.metadata, `${key}.metadata`);
  if (metadata) cell.metadata = metadata;
  if (raw.outputs !== undefined) {
    if (!Array.isArray(raw.outputs)) fail(`${key}.outputs`, 'an array', raw.outputs);
    cell.outputs = raw.outputs.map((o, i) => {
      const ok = `${key}.outputs[${i}]`;
      if (!isRecord(o)) fail(ok, 'an object', o);
      if (!Array.isArray(o.items)) fail(`${ok}.items`, 'an array', o.items);
      const output: NotebookOutput = { items: o.items.map((it, j) => readItem(it, `${ok}.items[${j}]`)) };
      const m = readMetadata(o.metadata, `${ok}.metadata`);
      if (m) output.metadata = m;
      return output;
    });
  }
  const execution = readExecution(raw.execution, `${key}.execution`);
  if (execution) cell.execution = execution;
  return cell;
}

/**
 * Parses the bytes of a `.fglab` file. An empty file is an empty notebook (a new file);
 * anything else must be a valid notebook or this throws `NotebookFileError`.
 */
export function parseNotebook(bytes: Uint8Array): Notebook {
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    throw new NotebookFileError('file: expected UTF-8 text, got bytes that are not UTF-8');
  }
  if (text.trim() === '') return { cells: [] };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const pos = /position (\d+)/.exec(message);
    // Some of V8's messages name no position ("Unexpected token 'x', "…" is not valid JSON"):
    // then the scan below finds it. Their quote of the file is dropped, and control characters
    // are escaped, so the error stays one line.
    const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
    const why = message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/, ".*" is not valid JSON$/s, '')
      .replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    throw new NotebookFileError(`file is not valid JSON at ${lineColumn(text, offset)}: ${why}`);
  }
  if (!isRecord(json)) fail('file', 'a JSON object with "cells"', json);
  if (json.fglab !== FILE_FORMAT_VERSION) fail('fglab', `${FILE_FORMAT_VERSION} (the format version)`, json.fglab);
  if (!Array.isArray(json.cells)) fail('cells', 'an array', json.cells);
  const notebook: Notebook = { cells: json.cells.map((c, i) => readCell(c, `cells[${i}]`)) };
  const metadata = readMetadata(json.metadata, 'metadata');
  if (metadata) notebook.metadata = metadata;
  return notebook;
}

function writeItem(item: { mime: string; data: Uint8Array }): RawOutputItem {
  if (isJsonMime(item.mime)) {
    try {
      return { mime: item.mime, encoding: 'json', value: JSON.parse(utf8Decode(item.data)) };
    } catch {
      // not JSON after all: keep the bytes exactly
    }
  }
  if (isTextMime(item.mime)) {
    try {
      return { mime: item.mime, encoding: 'text', value: utf8Decode(item.data) };
    } catch {
      // not UTF-8: keep the bytes exactly
    }
  }
  return { mime: item.mime, encoding: 'base64', value: encodeBase64Bytes(item.data) };
}

/**
 * The execution summary as written: only fields `readExecution` accepts (an integer order,
 * finite times), so a saved file always opens again; undefined when nothing is left.
 */
function writableExecution(e: RawExecution): RawExecution | undefined {
  const out: RawExecution = {};
  if (typeof e.order === 'number' && Number.isInteger(e.order)) out.order = e.order;
  if (typeof e.success === 'boolean') out.success = e.success;
  for (const k of ['startTime', 'endTime'] as const) if (typeof e[k] === 'number' && Number.isFinite(e[k])) out[k] = e[k];
  return Object.keys(out).length ? out : undefined;
}

/** Writes a notebook as `.fglab` bytes: fixed key order, two-space indentation, trailing newline. */
export function serializeNotebook(notebook: Notebook): Uint8Array {
  const raw: RawNotebook = {
    fglab: FILE_FORMAT_VERSION,
    ...(notebook.metadata && Object.keys(notebook.metadata).length ? { metadata: notebook.metadata } : {}),
    cells: notebook.cells.map((c) => {
      const cell: RawCell = { kind: c.kind, language: c.language, source: c.source.split('\n') };
      if (c.metadata && Object.keys(c.metadata).length) cell.metadata = c.metadata;
      if (c.outputs && c.outputs.length) {
        cell.outputs = c.outputs.map((o) => {
          const out: RawOutput = { items: o.items.map(writeItem) };
          if (o.metadata && Object.keys(o.metadata).length) out.metadata = o.metadata;
          return out;
        });
      }
      const execution = c.execution && writableExecution(c.execution);
      if (execution) cell.execution = execution;
      return cell;
    }),
  };
  return utf8Encode(JSON.stringify(raw, null, 2) + '\n');
}

