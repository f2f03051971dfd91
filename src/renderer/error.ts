/**
 * The error shown in place of the charts when an output cannot be read: a heading and the
 * message, inserted as text (never as HTML, since it may quote the payload).
 */
import { TraceFormatError } from '../shared/trace';
import { styleElement } from './style';

/** What went wrong, in words for the notebook user. */
export function errorMessage(error: unknown): string {
  if (error instanceof TraceFormatError) return error.message;
  if (error instanceof SyntaxError) return `the output is not valid JSON: ${error.message}`;
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Replaces the contents of `element` with an error box of class `fglab-error`. */
export function renderError(element: HTMLElement, error: unknown): HTMLElement {
  const box = document.createElement('div');
  box.className = 'fglab-error';
  box.setAttribute('role', 'alert');
  const title = document.createElement('p');
  title.className = 'fglab-error-title';
  title.textContent = 'Forget Gate Lab cannot show this trace';
  const message = document.createElement('p');
  message.className = 'fglab-error-message';
  message.textContent = errorMessage(error);
  box.append(title, message);
  element.replaceChildren(styleElement(), box);
  return box;
}
