/**
 * Options shared by every chart configuration: themed fonts, axes, titles and legends, no
 * animation (charts are drawn once, synchronously, and redrawn on interaction only).
 */
import type { ChartOptions, ChartType, FontSpec, TitleOptions } from 'chart.js';
import type { ChartTheme } from './theme';

/** A chart.js font in the theme's family and size, scaled by `scale`. */
export function themeFont(theme: ChartTheme, scale = 1, weight: FontSpec['weight'] = 'normal'): Partial<FontSpec> {
  return { family: theme.fontFamily, size: Math.round(theme.fontSize * scale), weight };
}

/** A title above the chart, left-aligned like VS Code's section headers. */
export function titleOptions(theme: ChartTheme, text: string): Partial<TitleOptions> {
  return { display: true, text, align: 'start', color: theme.foreground, font: themeFont(theme, 1.05, 'bold'), padding: { top: 2, bottom: 8 } };
}

/** A subtitle: a note under the title in the muted colour, one line per entry; hidden when empty. */
export function subtitleOptions(theme: ChartTheme, text: string | string[]): Partial<TitleOptions> {
  const lines = (Array.isArray(text) ? text : [text]).filter((line) => line !== '');
  return { display: lines.length > 0, text: lines, align: 'start', color: theme.muted, font: themeFont(theme, 0.92), padding: { top: 0, bottom: 6 } };
}

/**
 * A linear axis titled `title`, with themed ticks and grid. `extra` overrides the defaults;
 * its `ticks`, `grid` and `title` are merged into the defaults rather than replacing them.
 */
export function linearAxis(theme: ChartTheme, title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const defaults: Record<string, Record<string, unknown>> = {
    title: { display: true, text: title, color: theme.muted, font: themeFont(theme, 0.92) },
    ticks: { color: theme.foreground, font: themeFont(theme, 0.9), maxRotation: 0 },
    grid: { color: theme.grid, tickColor: theme.grid },
  };
  const axis: Record<string, unknown> = { type: 'linear', border: { color: theme.grid }, ...extra };
  for (const key of Object.keys(defaults)) axis[key] = { ...defaults[key], ...(extra[key] as Record<string, unknown> | undefined) };
  return axis;
}

/** Options every chart starts from: data given as parsed `{x, y}` points, no animation. */
export function baseOptions<T extends ChartType = 'line'>(theme: ChartTheme): ChartOptions<T> {
  const options: ChartOptions<'line'> = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    parsing: false,
    color: theme.foreground,
    borderColor: theme.grid,
    layout: { padding: { left: 4, right: 8, top: 4, bottom: 4 } },
    interaction: { mode: 'index', intersect: false, axis: 'x' },
    // Hovering is the renderer's (its own tooltip and cursor): charts redraw on clicks only.
    events: ['click'],
    plugins: {
      decimation: { enabled: true, algorithm: 'min-max' },
      legend: {
        display: true,
        position: 'bottom',
        align: 'start',
        labels: { color: theme.foreground, font: themeFont(theme, 0.88), boxWidth: 14, boxHeight: 2, padding: 8 },
      },
      tooltip: { enabled: false },
    },
  };
  return options as ChartOptions<T>;
}

/** `step 3` or `step 3 (“cat”)` when the step has a token label. */
export function stepText(labels: readonly string[] | undefined, t: number): string {
  const token = labels?.[t];
  return token === undefined ? `step ${t}` : `step ${t} (${JSON.stringify(token)})`;
}

/** Up to this many steps, every step gets a tick for its token (chart.js allows 1000 ticks). */
export const MAX_TOKEN_TICKS = 500;

/**
 * Tick options of an axis of steps: integer steps, labelled with their tokens when the trace
 * has labels (chart.js skips the ones that would overlap). `toStep` maps an axis value to its
 * step (identity for steps, `T−1−v` for lags).
 */
export function stepTicks(labels: readonly string[] | undefined, steps: number, toStep: (v: number) => number = (v) => v): Record<string, unknown> {
  const withTokens = labels !== undefined && steps <= MAX_TOKEN_TICKS;
  return {
    precision: 0,
    ...(withTokens ? { stepSize: 1, autoSkip: true, maxRotation: 50 } : { autoSkipPadding: 8 }),
    callback: (v: number | string) => {
      const n = Number(v);
      if (!Number.isInteger(n)) return '';
      const token = labels?.[toStep(n)];
      return token !== undefined && withTokens ? token : String(n);
    },
  };
}

/** A dataset property the renderer groups datasets by (legend toggles, pinned curves). */
export const GROUP_KEY = 'fglabGroup';

/** A logarithmic axis titled `title`, labelled at powers of ten only. */
export function logAxis(theme: ChartTheme, title: string): Record<string, unknown> {
  return {
    ...linearAxis(theme, title, {
      ticks: {
        callback: (v: number | string) => {
          const l = Math.log10(Number(v));
          return Math.abs(l - Math.round(l)) < 1e-9 ? formatPower(Number(v)) : '';
        },
      },
    }),
    type: 'logarithmic',
  };
}

/** `0.001`, `1`, `1000`, or `1e−6` / `1e+6` beyond. */
function formatPower(v: number): string {
  const e = Math.round(Math.log10(v));
  return e >= -3 && e <= 4 ? String(Number(v.toPrecision(1))) : `1e${e < 0 ? '−' : '+'}${Math.abs(e)}`;
}
