/**
 * Notebook renderer `fglab.charts` for `application/vnd.fglab.trace+json` outputs: decodes the
 * trace (or comparison) and draws its views with chart.js. One view per output id, disposed
 * with the output; the user's picks are kept by output id in the renderer state, so they
 * survive VS Code re-rendering the output. A payload it cannot read becomes an error message
 * in the output, never an exception.
 */
import type { ActivationFunction, OutputItem, RendererContext } from 'vscode-notebook-renderer';
import type { SequentialMapName } from '../charts/colormap';
import { checkChartable } from '../charts/series';
import { TRAINING_PROGRESS_MIME } from '../shared/ids';
import { LIVE_TOKEN_KEY, outputImageToken, RENDERER_PROTOCOL_VERSION } from '../shared/renderer-protocol';
import { decodeOutput, type Comparison, type Trace } from '../shared/trace';
import { readProgress, renderProgress, type ProgressView } from './progress';
import { Chart } from './chartjs';
import { renderError } from './error';
import { createExporter, hostMessenger } from './export';
import { outputPictureBase64 } from './picture';
import { readTheme, sameTheme } from './theme';
import { OutputView, type ViewState } from './view';

/** Renderer state persisted by the webview: the picks of each output. */
type RendererState = Record<string, Partial<ViewState>>;

/** Picks of outputs in this webview, also when the context keeps no state. */
const memory = new Map<string, Partial<ViewState>>();

/** Name of the User Timing measure of decoding an output's payload (JSON and base64). */
export const DECODE_MEASURE = 'fglab: decode output';

export const activate: ActivationFunction<RendererState> = (context: RendererContext<RendererState>) => {
  const views = new Map<string, OutputView | { dispose(): void }>();
  /** The `fglab.colorMap` setting, as the host last sent it. */
  let colorMap: SequentialMapName = 'viridis';
  /** Outputs rendered here by their image token, and the tokens whose picture the host asked for first. */
  const byToken = new Map<string, Trace | Comparison>();
  const tokenOf = new Map<string, string>();
  const wanted = new Set<string>();
  /** Tokens answered: the host asks again until its answer arrives, and gets one picture. */
  const answered = new Set<string>();
  const sendPicture = (token: string) => {
    const output = byToken.get(token);
    if (!output || !wanted.delete(token) || answered.has(token)) return;
    answered.add(token);
    try {
      messenger?.notify({ type: 'outputImage', protocol: RENDERER_PROTOCOL_VERSION, token, data: outputPictureBase64(output) });
    } catch {
      // No picture (a canvas that failed): the output keeps its trace and summary.
    }
  };
  /** Live training outputs drawn here, by their live token. */
  const live = new Map<string, ProgressView>();
  const messenger = hostMessenger(
    context as unknown as Parameters<typeof hostMessenger>[0],
    (settings) => {
      colorMap = settings.colorMap;
      for (const view of views.values()) if (view instanceof OutputView) view.setColorMap(colorMap);
    },
    (token) => {
      wanted.add(token);
      sendPicture(token);
    },
    (message) => {
      const view = live.get(message.token);
      if (!view) return;
      try {
        view.update(readProgress(message.progress));
      } catch {
        // A report it cannot read: the output keeps the last one it drew.
      }
    },
  );
  let themeObserver: MutationObserver | undefined;
  let pending = false;

  const savedState = (id: string): Partial<ViewState> => {
    try {
      return context.getState?.()?.[id] ?? memory.get(id) ?? {};
    } catch {
      return memory.get(id) ?? {};
    }
  };
  const saveState = (id: string, state: ViewState) => {
    memory.set(id, state);
    try {
      context.setState?.({ ...(context.getState?.() ?? {}), [id]: state });
    } catch {
      // The module map keeps the picks for this webview's life.
    }
  };

  /** VS Code rewrites the variables on `<html>` when the colour theme changes: redraw then. */
  const refreshThemes = () => {
    pending = false;
    for (const view of views.values()) {
      if (!(view instanceof OutputView)) continue;
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
    const token = tokenOf.get(id);
    if (token !== undefined) byToken.delete(token);
    tokenOf.delete(id);
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
      if (item.mime === TRAINING_PROGRESS_MIME) {
        try {
          const json = item.json() as Record<string, unknown>;
          const view = renderProgress(readProgress(json), element);
          const token = json[LIVE_TOKEN_KEY];
          if (typeof token === 'string') {
            live.set(token, view);
            views.set(item.id, { dispose: () => (live.get(token) === view && live.delete(token), view.dispose()) });
          } else {
            views.set(item.id, view);
          }
        } catch (error) {
          renderError(element, error);
        }
        return;
      }
      try {
        // User Timing marks: the decode and the views show in the webview's performance panel (and the bench reads them).
        const started = performance.now();
        const output = decodeOutput(item.json());
        performance.measure(DECODE_MEASURE, { start: started });
        checkChartable(output);
        element.replaceChildren();
        const exporter = createExporter(messenger, () => item.text());
        const view = new OutputView(output, element, readTheme(element), { ...savedState(item.id), colorMap }, (state) => saveState(item.id, state), exporter);
        views.set(item.id, view);
        watchTheme();
        const token = outputImageToken(item.metadata);
        if (token !== undefined) {
          byToken.set(token, output);
          tokenOf.set(item.id, token);
          sendPicture(token);
        }
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
