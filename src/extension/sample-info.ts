/** What the Open Sample… quick pick says about a sample notebook. No `vscode` import. */
import type { Notebook } from '../shared/notebook-file';

/** A sample's title and one-line description. */
export interface SampleInfo {
  title: string;
  description: string;
}

/** The text of a Markdown heading line (`# The forget gate` → `The forget gate`), or undefined. */
function heading(source: string): string | undefined {
  for (const line of source.split('\n')) {
    const m = /^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** The first sentence-sized line of prose after the heading, without Markdown emphasis. */
function firstProse(source: string): string | undefined {
  for (const line of source.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith('-') || t.startsWith('|') || t.startsWith('```')) continue;
    return t.replace(/[*_`]/g, '');
  }
  return undefined;
}

function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/**
 * Title: `metadata.title`, else the first Markdown heading, else the file name. Description:
 * `metadata.description`, else the first line of prose of the first Markdown cell.
 */
export function sampleInfo(notebook: Notebook, fileName: string): SampleInfo {
  const meta = notebook.metadata ?? {};
  const markdown = notebook.cells.find((c) => c.kind === 'markdown')?.source ?? '';
  const title = typeof meta.title === 'string' && meta.title.trim() ? meta.title.trim() : heading(markdown) ?? fileName.replace(/\.fglab$/, '');
  const description = typeof meta.description === 'string' && meta.description.trim() ? meta.description.trim() : firstProse(markdown) ?? '';
  return { title: clip(title, 80), description: clip(description) };
}
