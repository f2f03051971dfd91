/** Small DOM helpers of the renderer: elements with text (never HTML), tables, buttons. */
import type { ViewTable } from '../charts';

/** A new element with a class and text content. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A `<button type="button">` with a visible text and, when given, a longer accessible name. */
export function button(className: string, text: string, label?: string): HTMLButtonElement {
  const b = element('button', `fglab-button ${className}`, text);
  b.type = 'button';
  if (label) {
    b.setAttribute('aria-label', label);
    b.title = label;
  }
  return b;
}

/** A labelled `<select>` of `[value, text]` options. */
export function select(className: string, label: string, ariaLabel: string, options: [string, string][], value: string, onChange: (value: string) => void): { label: HTMLLabelElement; select: HTMLSelectElement } {
  const wrapper = element('label', undefined, label);
  const el = element('select', className);
  el.setAttribute('aria-label', ariaLabel);
  for (const [v, text] of options) {
    const option = element('option', undefined, text);
    option.value = v;
    el.append(option);
  }
  el.value = value;
  el.addEventListener('change', () => onChange(el.value));
  wrapper.append(el);
  return { label: wrapper, select: el };
}

/** A `<table>` of text cells (never HTML), with a note when it shows part of the data. */
export function tableElement(table: ViewTable): HTMLElement {
  const box = element('div', 'fglab-table-scroll');
  const el = element('table', 'fglab-table');
  el.append(element('caption', undefined, table.caption));
  const head = element('tr');
  for (const c of table.columns) {
    const th = element('th', undefined, c);
    th.scope = 'col';
    head.append(th);
  }
  el.createTHead().append(head);
  const body = el.createTBody();
  for (const row of table.rows) {
    const tr = element('tr');
    row.forEach((cell, k) => {
      const td = element(k === 0 ? 'th' : 'td', undefined, cell);
      if (k === 0) (td as HTMLTableCellElement).scope = 'row';
      tr.append(td);
    });
    body.append(tr);
  }
  box.append(el);
  if (table.rows.length < table.totalRows || table.columns.length < table.totalColumns) {
    const parts = [];
    if (table.rows.length < table.totalRows) parts.push(`the first ${table.rows.length} of ${table.totalRows} rows`);
    if (table.columns.length < table.totalColumns) parts.push(`the first ${table.columns.length} of ${table.totalColumns} columns`);
    box.append(element('p', 'fglab-table-note', `Showing ${parts.join(' and ')}; Save CSV writes them all.`));
  }
  return box;
}
