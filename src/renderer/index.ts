/**
 * Notebook renderer `fglab.charts` for `application/vnd.fglab.trace+json` outputs: decodes the
 * trace and draws its views with chart.js. One view per output id, disposed with the output.
 * A payload it cannot read becomes an error message in the output, never an exception.
 */
import type { ActivationFunction, OutputItem, RendererContext } from 'vscode-notebook-renderer';
import { checkChartable } from '../charts/series';
import { decodeTrace } from '../shared/trace';
import { Chart } from './chartjs';
import { renderError } from './error';
import { readTheme, sameTheme } from './theme';
import { TraceView, type ViewState } from './view';

/** Renderer state persisted by the webview: the picks of each output. */
type RendererState = Record<string, ViewState>;

export const activate: ActivationFunction<RendererState> = (context: RendererContext<RendererState>) => {
  const views = new Map<string, TraceView>();
  let themeObserver: MutationObserver | undefined;
  let pending = false;

  const savedState = (id: string): Partial<ViewState> => {
    try {
      return context.getState?.()?.[id] ?? {};
    } catch {
      return {};
    }
  };
  const saveState = (id: string, state: ViewState) => {
    try {
      context.setState?.({ ...(context.getState?.() ?? {}), [id]: state });
    } catch {
      // Persisting picks is a convenience; a webview without state keeps working.
    }
  };

  /** VS Code rewrites the variables on `<html>` when the colour theme changes: redraw then. */
  const refreshThemes = () => {
    pending = false;
    for (const view of views.values()) {
      const theme = readTheme(view.root);
      if (!sameTheme(theme, view.currentTheme)) view.setTheme(theme);
    }
  };
  const watchTheme = () => {
    if (themeObserver || typeof MutationObserver === 'undefined') return;
    themeObserver = new MutationObserver(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(refreshThemes);
    });
    themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    if (document.body) themeObserver.observe(document.body, { attributes: true, attributeFilter: ['style', 'class'] });
  };

  const dispose = (id: string) => {
    const view = views.get(id);
    if (!view) return;
    views.delete(id);
    try {
      view.dispose();
    } catch {
      // A half-built view may fail to tear down; it is dropped either way.
    }
    if (views.size === 0) {
      themeObserver?.disconnect();
      themeObserver = undefined;
    }
  };

  return {
    renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal) {
      dispose(item.id);
      if (signal?.aborted) return;
      try {
        const trace = decodeTrace(item.json());
        checkChartable(trace);
        element.replaceChildren();
        const view = new TraceView(trace, element, readTheme(element), savedState(item.id), (state) => saveState(item.id, state));
        views.set(item.id, view);
        watchTheme();
      } catch (error) {
        dispose(item.id);
        renderError(element, error);
      }
    },

    disposeOutputItem(id?: string) {
      for (const key of id === undefined ? [...views.keys()] : [id]) dispose(key);
    },
  };
};

/** The chart.js chart drawn on `canvas`, if any: lets tests and the host inspect a view's charts. */
export function chartOf(canvas: HTMLCanvasElement): Chart | undefined {
  return Chart.getChart(canvas);
}
