/**
 * Where a position in a spec cell sits in the YAML: under which key path, on a key or on a
 * value. Read from the lines around the position, not from a YAML parser, because the text
 * being typed is usually incomplete (`inp`, `units:`, `random: { se`). Handles block
 * mappings by indentation and flow mappings and lists (`{ seed: 7 }`, `[10, 64]`) on one
 * line. No `vscode` import: unit-tested in Node.
 */

/** What the text around a position says. Paths are key names from the root, e.g. `['input', 'random']`. */
export type CursorContext =
  | {
      kind: 'key';
      /** Path of the mapping whose key is being typed. */
      path: string[];
      /** The part of the key typed so far. */
      prefix: string;
      /** Keys the mapping already has (on other lines, or elsewhere in the flow mapping). */
      siblings: string[];
      /** Inside `{ … }` rather than a block mapping. */
      flow: boolean;
    }
  | {
      kind: 'value';
      /** Path of the key whose value is being typed. */
      path: string[];
      /** The part of the value typed so far. */
      prefix: string;
      /** Inside a list (`[…]` or `- ` items), so the value is one item. */
      inList: boolean;
    }
  | { kind: 'none' };

/** A key at the start of a block line: indentation, optional `- `, the name, and what follows the colon. */
const KEY_LINE = /^(\s*)(-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s(.*))?$/;
const NAME = /^[A-Za-z_][\w-]*$/;

/** The line without its comment (a `#` at the start or after a space, outside quotes). */
export function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      return line.slice(0, i);
    }
  }
  return line;
}

interface BlockKey {
  indent: number;
  key: string;
  line: number;
}

interface KeyLine {
  /** Column of the key's first character (after any `- `). */
  indent: number;
  key: string;
  /** Text after the colon, comment removed, trimmed. */
  value: string;
}

function keyLine(raw: string): KeyLine | undefined {
  const m = KEY_LINE.exec(stripComment(raw));
  if (!m) return undefined;
  return { indent: m[1].length + (m[2]?.length ?? 0), key: m[3], value: (m[4] ?? '').trim() };
}

function isBlank(raw: string): boolean {
  const t = stripComment(raw).trim();
  return t === '' || t === '---' || t === '...';
}

/** Block keys (with no value on their line) that enclose a line indented by `indent`. */
function enclosingKeys(lines: readonly string[], upTo: number, indent: number): BlockKey[] {
  const stack: BlockKey[] = [];
  for (let i = 0; i < upTo; i++) {
    if (isBlank(lines[i])) continue;
    const k = keyLine(lines[i]);
    if (!k) continue;
    while (stack.length && stack[stack.length - 1].indent >= k.indent) stack.pop();
    if (k.value === '') stack.push({ indent: k.indent, key: k.key, line: i });
  }
  while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
  return stack;
}

/** Keys at `indent` inside the block that starts after line `parent` (or the whole text), except on line `skip`. */
function blockSiblings(lines: readonly string[], parent: BlockKey | undefined, indent: number, skip: number): string[] {
  const out: string[] = [];
  for (let i = parent ? parent.line + 1 : 0; i < lines.length; i++) {
    if (isBlank(lines[i])) continue;
    const k = keyLine(lines[i]);
    const lineIndent = k?.indent ?? /^\s*/.exec(lines[i])![0].length;
    if (parent && lineIndent <= parent.indent) break;
    if (k && k.indent === indent && i !== skip) out.push(k.key);
  }
  return out;
}

interface Frame {
  type: 'map' | 'seq';
  path: string[];
  /** Index in the scanned text just after the opening bracket. */
  start: number;
}

/** The key of a flow-mapping entry typed so far (`seed: 7` → `seed`), if it has its colon. */
function entryKey(segment: string): { key: string; rest: string } | undefined {
  const m = /^\s*([A-Za-z_][\w-]*)\s*:(?:\s(.*))?$/.exec(segment);
  return m ? { key: m[1], rest: m[2] ?? '' } : undefined;
}

/** Keys written in a flow mapping's text (nested mappings skipped). */
function flowKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let segment = '';
  const flush = (): void => {
    const e = entryKey(segment);
    if (e) keys.push(e.key);
    segment = '';
  };
  for (const c of text) {
    if (c === '{' || c === '[') depth++;
    if (c === '}' || c === ']') {
      if (depth === 0) break;
      depth--;
      continue;
    }
    if (depth > 0) continue;
    if (c === ',') flush();
    else segment += c;
  }
  flush();
  return keys;
}

/**
 * Reads a value typed after `key:` (`valueText`, up to the cursor) for flow collections.
 * `base` is the path of that key; `after` is the rest of the line after the cursor.
 */
function valueContext(base: string[], valueText: string, after: string): CursorContext {
  const frames: Frame[] = [];
  let segmentStart = 0;
  let quote: string | undefined;
  for (let i = 0; i < valueText.length; i++) {
    const c = valueText[i];
    if (quote) {
      if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') {
      const top = frames[frames.length - 1];
      let path = base;
      if (top?.type === 'map') path = [...top.path, entryKey(valueText.slice(segmentStart, i))?.key ?? ''];
      else if (top) path = top.path;
      frames.push({ type: c === '{' ? 'map' : 'seq', path, start: i + 1 });
      segmentStart = i + 1;
    } else if (c === '}' || c === ']') {
      frames.pop();
      segmentStart = i + 1;
    } else if (c === ',') {
      segmentStart = i + 1;
    }
  }
  const top = frames[frames.length - 1];
  const segment = valueText.slice(segmentStart);
  if (!top) return { kind: 'value', path: base, prefix: valueText.trim(), inList: false };
  if (top.type === 'seq') return { kind: 'value', path: top.path, prefix: segment.trim(), inList: true };
  const entry = entryKey(segment);
  if (entry) return { kind: 'value', path: [...top.path, entry.key], prefix: entry.rest.trim(), inList: false };
  const prefix = segment.trim();
  if (prefix !== '' && !NAME.test(prefix)) return { kind: 'none' };
  const siblings = flowKeys(valueText.slice(top.start, segmentStart) + ',' + after).filter((k) => k !== prefix);
  return { kind: 'key', path: top.path, prefix, siblings, flow: true };
}

/**
 * The context of position (`line`, `character`), both 0-based, in `text`.
 * Inside a comment, a quoted key or anything unreadable it is `{ kind: 'none' }`.
 */
export function cursorContext(text: string, line: number, character: number): CursorContext {
  const lines = text.split(/\r?\n/);
  if (line < 0 || line >= lines.length) return { kind: 'none' };
  const current = lines[line];
  const before = current.slice(0, character);
  if (stripComment(before) !== before) return { kind: 'none' };
  let indent = /^\s*/.exec(before)![0].length;
  let rest = before.slice(indent);
  const listItem = /^-\s+/.exec(rest);
  if (listItem) {
    indent += listItem[0].length;
    rest = rest.slice(listItem[0].length);
  }
  const parents = enclosingKeys(lines, line, indent);
  const path = parents.map((p) => p.key);
  const m = /^([A-Za-z_][\w-]*)\s*:(?:(\s.*))?$/.exec(rest);
  if (m) return valueContext([...path, m[1]], (m[2] ?? '').replace(/^\s/, ''), current.slice(character));
  if (listItem && !NAME.test(rest)) return { kind: 'value', path, prefix: rest.trim(), inList: true };
  if (rest !== '' && !NAME.test(rest)) return { kind: 'none' };
  if (listItem) return { kind: 'value', path, prefix: rest, inList: true };
  const siblings = blockSiblings(lines, parents[parents.length - 1], indent, line);
  return { kind: 'key', path, prefix: rest, siblings, flow: false };
}

/** A range on one line, 0-based, `end` exclusive. */
export interface LineRange {
  line: number;
  start: number;
  end: number;
}

/** The non-blank part of a line, comment excluded (or the line's start when it is blank). */
export function lineContentRange(text: string, line: number): LineRange {
  const lines = text.split(/\r?\n/);
  const l = Math.max(0, Math.min(line, lines.length - 1));
  const content = stripComment(lines[l] ?? '').trimEnd();
  const start = /^\s*/.exec(content)![0].length;
  return { line: l, start, end: Math.max(start, content.length) };
}

/** Dotted key of an error (`input.shape[1]`) as a path (`['input', 'shape']`). */
export function keyPath(key: string): string[] {
  return key.replace(/\[\d+\]/g, '').split('.').filter((s) => s !== '');
}

/**
 * Where the key `path` is written: the range of the key name, or undefined when the text does
 * not contain it. `preferLine` (0-based) is searched first.
 */
export function findKey(text: string, path: readonly string[], preferLine?: number): LineRange | undefined {
  if (path.length === 0) return undefined;
  const lines = text.split(/\r?\n/);
  const name = path[path.length - 1];
  const order = [...lines.keys()];
  if (preferLine !== undefined && preferLine >= 0 && preferLine < lines.length) order.unshift(preferLine);
  const pattern = new RegExp(`(^|[\\s{,-])(${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})\\s*:(\\s|$)`, 'g');
  for (const l of order) {
    const content = stripComment(lines[l]);
    for (const m of content.matchAll(pattern)) {
      const start = (m.index ?? 0) + m[1].length;
      const end = start + name.length;
      const ctx = cursorContext(text, l, end);
      if (ctx.kind === 'key' && ctx.prefix === name && ctx.path.join('.') === path.slice(0, -1).join('.')) return { line: l, start, end };
    }
  }
  return undefined;
}

/** The word (key, value or path) around `character` on `line`, if any. */
export function wordAt(text: string, line: number, character: number): LineRange & { word: string } | undefined {
  const current = text.split(/\r?\n/)[line] ?? '';
  const word = /[\w./-]+/g;
  for (const m of current.matchAll(word)) {
    const start = m.index ?? 0;
    const end = start + m[0].length;
    if (character >= start && character <= end) return { line, start, end, word: m[0] };
  }
  return undefined;
}
