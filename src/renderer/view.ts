/**
 * The view of one output (a trace or a comparison): headline, controls, and one panel per
 * view the output gets (`defaultViews`). Owns its DOM and chart.js instances until `dispose`.
 * Interaction lives here: the tooltip and readout with exact values, the linked cursor across
 * panels, click-to-pin, unit sort, shared zoom, series / head / batch-row pickers, and the
 * tables and exports of each panel.
 */
import {
  buildView,
  defaultViews,
  gridSeries,
  keepGateOf,
  matrixSeries,
  outputHeadline,
  DEFAULT_VIEW_OPTIONS,
  type ChartTheme,
  type HoverInfo,
  type UnitSort,
  type ViewKind,
  type ViewOptions,
} from '../charts';
import { isComparison, isRecurrent, type Comparison, type Trace } from '../shared/trace';
import { button, element, select } from './dom';
import { canvasImage, Panel, type Cursor, type PanelEvents } from './panel';
import type { Exporter } from './export';
import { styleElement } from './style';

/** What the user picked; kept across re-renders through the renderer state. */
export interface ViewState extends ViewOptions {
  /** Visible step range of the zoomable views, or null for all steps. */
  zoom: { min: number; max: number } | null;
  /** Views shown as tables. */
  tables: ViewKind[];
  /** Comparisons: the variant whose own views are shown below the overlaid ones, if any. */
  variant: number | null;
  /** The picks in that variant's views. */
  variantState: Partial<ViewState>;
}

/** Views that zoom and pan along their step axis. */
const ZOOMABLE: readonly ViewKind[] = ['heatmap', 'gates', 'headGates', 'survival', 'entropy', 'influence', 'compareSurvival', 'compareGates', 'cellMagnitude'];

/** Views drawn full width, above the grid of the others. */
const MAIN_VIEWS: readonly ViewKind[] = ['forgetting', 'training', 'cellMagnitude', 'heatmap', 'matrix', 'compareSurvival'];

/** The views that depend on each option (the others are not rebuilt when it changes). */
const DEPENDS: Record<'series' | 'matrix' | 'batchRow' | 'sort' | 'pinned' | 'pooling', readonly ViewKind[]> = {
  series: ['heatmap'],
  matrix: ['matrix', 'entropy'],
  batchRow: ['heatmap', 'matrix', 'gates', 'headGates', 'survival', 'entropy', 'influence', 'compareSurvival', 'compareGates'],
  sort: ['heatmap'],
  pinned: ['gates', 'survival', 'spectrum', 'saturation', 'headGates', 'halflife'],
  pooling: ['heatmap', 'matrix'],
};

/** Reads a saved state, keeping only what fits this output. */
export function restoreState(output: Trace | Comparison, saved: Partial<ViewState>): ViewState {
  const batch = isComparison(output) ? Math.max(...output.variants.map((v) => v.trace.dims.batch)) : output.dims.batch;
  const trace = isComparison(output) ? undefined : output;
  const int = (v: unknown, lo: number, hi: number, fallback: number) => (Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi ? (v as number) : fallback);
  const heads = trace?.dims.heads ?? 1;
  const channels = trace ? keepGateOf(trace)?.channels ?? 0 : 0;
  const zoom = saved.zoom && Number.isFinite(saved.zoom.min) && Number.isFinite(saved.zoom.max) && saved.zoom.max > saved.zoom.min ? { min: saved.zoom.min, max: saved.zoom.max } : null;
  return {
    ...DEFAULT_VIEW_OPTIONS,
    batchRow: int(saved.batchRow, 0, batch - 1, 0),
    head: int(saved.head, 0, heads - 1, 0),
    series: trace && gridSeries(trace).some((s) => s.name === saved.series) ? saved.series : undefined,
    matrixSeries: trace && matrixSeries(trace).some((s) => s.name === saved.matrixSeries) ? saved.matrixSeries : undefined,
    sort: saved.sort === 'halfLife' || saved.sort === 'saturation' ? saved.sort : 'index',
    pinned: Array.isArray(saved.pinned) ? saved.pinned.filter((u) => Number.isInteger(u) && u >= 0 && u < channels).slice(0, 8) : [],
    pooling: saved.pooling === 'max' ? 'max' : 'mean',
    colorMap: saved.colorMap === 'cividis' || saved.colorMap === 'gray' ? saved.colorMap : 'viridis',
    zoom,
    tables: Array.isArray(saved.tables) ? saved.tables.filter((k): k is ViewKind => typeof k === 'string') : [],
    variant: isComparison(output) && Number.isInteger(saved.variant) && saved.variant! >= 0 && saved.variant! < output.variants.length ? saved.variant! : null,
    variantState: typeof saved.variantState === 'object' && saved.variantState !== null ? saved.variantState : {},
  };
}

export class OutputView {
  /** The output's root element, class `fglab-trace`; `data-fglab-ready="true"` once every chart is drawn. */
  readonly root: HTMLDivElement;
  private readonly panels = new Map<ViewKind, Panel>();
  private readonly drawn = new Set<ViewKind>();
  private readonly readout: HTMLSpanElement;
  private readonly status: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  private readonly state: ViewState;
  private readonly kinds: ViewKind[];
  private cursor: Cursor = { step: null, query: null, source: null, channel: null };
  private disposed = false;
  /** Comparisons: the view of the picked variant, and where it goes. */
  private variantView: OutputView | undefined;
  private variantBox: HTMLDivElement | undefined;

  /**
   * Builds the view into `host` (replacing its contents) and draws the charts. `onStateChange`
   * is told when the user changes a pick; `exporter` saves views and the output.
   */
  constructor(
    private readonly output: Trace | Comparison,
    private readonly host: HTMLElement,
    private theme: ChartTheme,
    state: Partial<ViewState>,
    private readonly onStateChange: (state: ViewState) => void,
    private readonly exporter: Exporter,
  ) {
    this.state = restoreState(output, state);
    this.kinds = defaultViews(output);
    this.root = element('div', 'fglab-trace');
    this.root.dataset.fglabReady = 'false';
    this.root.dataset.fglabModel = isComparison(output) ? 'comparison' : output.model;
    this.readout = element('span', 'fglab-readout');
    this.readout.setAttribute('aria-live', 'polite');
    this.status = element('div', 'fglab-status');
    this.status.setAttribute('role', 'status');
    this.tooltip = element('div', 'fglab-tooltip');
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    this.root.append(element('div', 'fglab-header', outputHeadline(output)), this.controls(), this.status);
    const main = element('div', 'fglab-main');
    const grid = element('div', 'fglab-grid');
    const events = this.panelEvents();
    for (const kind of this.kinds) {
      const isMain = MAIN_VIEWS.includes(kind);
      const panel = new Panel(kind, events, isMain, this.state.tables.includes(kind));
      panel.onOverlay = () => this.drawOverlay(panel);
      this.panels.set(kind, panel);
      (isMain ? main : grid).append(panel.box);
    }
    if (this.kinds.length === 0) grid.append(element('p', 'fglab-note', 'This output has no series to chart.'));
    this.root.append(main, grid, this.tooltip);
    if (isComparison(output)) this.root.append(this.variantPicker(output));
    host.replaceChildren(styleElement(), this.root);
    if (this.kinds.length === 0) this.root.dataset.fglabReady = 'true';
    try {
      this.rebuild(this.kinds);
      if (this.state.variant !== null) this.showVariant(this.state.variant);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** A picker that shows one variant of a comparison with all the views of its own trace. */
  private variantPicker(comparison: Comparison): HTMLElement {
    const section = element('div', 'fglab-variant');
    const options: [string, string][] = [['', 'none'], ...comparison.variants.map((v, k): [string, string] => [String(k), v.name])];
    const picker = select('fglab-variant-picker', 'Views of variant', 'Variant whose own views are shown', options, this.state.variant === null ? '' : String(this.state.variant), (v) => {
      this.state.variant = v === '' ? null : Number(v);
      this.state.variantState = {};
      this.showVariant(this.state.variant);
      this.onStateChange({ ...this.state });
    });
    this.variantBox = element('div', 'fglab-variant-views');
    section.append(picker.label, this.variantBox);
    return section;
  }

  private showVariant(index: number | null): void {
    this.variantView?.dispose();
    this.variantView = undefined;
    if (index === null || !isComparison(this.output) || !this.variantBox) return;
    const box = element('div');
    this.variantBox.replaceChildren(box);
    const variant = this.output.variants[index];
    const exporter = { ...this.exporter, canExportOutput: false };
    this.variantView = new OutputView(variant.trace, box, this.theme, { ...this.state.variantState, colorMap: this.state.colorMap }, (state) => {
      this.state.variantState = state;
      this.onStateChange({ ...this.state });
    }, exporter);
  }

  /** The trace whose per-row views are shown (undefined for comparisons). */
  private get trace(): Trace | undefined {
    return isComparison(this.output) ? undefined : this.output;
  }

  private get time(): number {
    return isComparison(this.output) ? Math.max(...this.output.variants.map((v) => v.trace.dims.time)) : this.output.dims.time;
  }

  /** Pickers and buttons above the charts; only the ones that apply to this output. */
  private controls(): HTMLElement {
    const bar = element('div', 'fglab-controls');
    bar.setAttribute('role', 'toolbar');
    bar.setAttribute('aria-label', 'Chart controls');
    const trace = this.trace;
    const s = this.state;
    if (trace) {
      const grid = gridSeries(trace);
      if (grid.length > 1 && this.kinds.includes('heatmap')) {
        const options = grid.map((i): [string, string] => [i.name, `${i.label} (${i.symbol})`]);
        bar.append(select('fglab-series', 'Heatmap', 'Series shown in the heatmap', options, this.heatmapSeriesName(), (v) => this.update({ series: v }, 'series')).label);
      }
      const matrices = matrixSeries(trace);
      if (matrices.length > 0 && this.kinds.includes('matrix')) {
        const options = matrices.map((i): [string, string] => [i.name, `${i.label} (${i.symbol})`]);
        bar.append(select('fglab-matrix-series', 'Matrix', 'Series shown in the attention matrix', options, s.matrixSeries ?? (matrices.some((m) => m.name === 'weights') ? 'weights' : matrices[0].name), (v) => this.update({ matrixSeries: v }, 'matrix')).label);
        const heads = trace.dims.heads ?? 1;
        if (heads > 1) {
          const options = Array.from({ length: heads }, (_, h): [string, string] => [String(h), String(h)]);
          bar.append(select('fglab-head', 'Head', 'Attention head shown in the matrix', options, String(s.head), (v) => this.update({ head: Number(v) }, 'matrix')).label);
        }
      }
      const gate = keepGateOf(trace);
      if (gate?.channel === 'unit' && this.kinds.includes('heatmap') && isRecurrent(trace.model)) {
        const options: [string, string][] = [['index', 'index'], ['halfLife', 'half-life'], ['saturation', 'saturation']];
        bar.append(select('fglab-sort', 'Units by', 'Order of the units in the heatmap', options, s.sort, (v) => this.update({ sort: v as UnitSort }, 'sort')).label);
      }
      if (this.kinds.some((k) => k === 'heatmap' || k === 'matrix')) {
        bar.append(select('fglab-pooling', 'Pooling', 'How a heatmap larger than its pixels is reduced', [['mean', 'mean'], ['max', 'max']], s.pooling, (v) => this.update({ pooling: v as 'mean' | 'max' }, 'pooling')).label);
      }
    }
    const batch = isComparison(this.output) ? Math.max(...this.output.variants.map((v) => v.trace.dims.batch)) : this.output.dims.batch;
    if (batch > 1) {
      const options = Array.from({ length: batch }, (_, b): [string, string] => [String(b), String(b)]);
      bar.append(select('fglab-batch', 'Batch row', 'Batch row shown', options, String(s.batchRow), (v) => this.update({ batchRow: Number(v) }, 'batchRow')).label);
    }
    if (this.kinds.some((k) => ZOOMABLE.includes(k))) {
      const zoom = element('span', 'fglab-zoom');
      zoom.setAttribute('role', 'group');
      zoom.setAttribute('aria-label', 'Zoom on steps');
      const zin = button('fglab-zoom-in', '+', 'Zoom in on steps (or Ctrl + wheel over a chart; drag to pan)');
      zin.addEventListener('click', () => this.zoomBy(0.5));
      const zout = button('fglab-zoom-out', '−', 'Zoom out on steps');
      zout.addEventListener('click', () => this.zoomBy(2));
      const reset = button('fglab-zoom-reset', 'All steps', 'Show all steps');
      reset.addEventListener('click', () => this.setZoom(null));
      zoom.append(zin, zout, reset);
      bar.append(zoom);
    }
    const exports = element('span', 'fglab-export');
    if (this.exporter.canExportOutput) {
      const json = button('fglab-save-json', 'Save JSON', 'Save the whole trace as JSON');
      json.addEventListener('click', () => this.exportOutput('json'));
      exports.append(json);
      if (!isComparison(this.output)) {
        const npy = button('fglab-save-npy', 'Save .npy', 'Save every series as a NumPy .npy array');
        npy.addEventListener('click', () => this.exportOutput('npy'));
        exports.append(npy);
      }
      bar.append(exports);
    }
    bar.append(this.readout);
    return bar;
  }

  private heatmapSeriesName(): string {
    const trace = this.trace!;
    const keep = keepGateOf(trace);
    return this.state.series ?? (keep?.channel === 'unit' ? keep.info.name : gridSeries(trace)[0]?.name ?? '');
  }

  private panelEvents(): PanelEvents {
    return {
      drawn: (panel) => {
        if (this.drawn.has(panel.kind)) return;
        this.drawn.add(panel.kind);
        if (this.drawn.size === this.kinds.length) this.root.dataset.fglabReady = 'true';
      },
      hover: (panel, x, y, event) => this.hover(panel, x, y, event),
      leave: (panel) => {
        if (this.cursor.source !== panel) return;
        this.cursor = { step: null, query: null, source: null, channel: null };
        this.tooltip.hidden = true;
        this.readout.textContent = '';
        this.drawOverlays();
      },
      click: (panel, x, y) => {
        const u = panel.def?.channelAt?.(x, y);
        if (u === null || u === undefined) return;
        const pinned = this.state.pinned.includes(u) ? this.state.pinned.filter((p) => p !== u) : [...this.state.pinned, u].slice(-8);
        this.update({ pinned }, 'pinned');
        const channel = isComparison(this.output) ? 'unit' : keepGateOf(this.output)?.channel ?? 'unit';
        this.status.textContent = pinned.includes(u) ? `Pinned ${channel} ${u}: its curves are drawn in every chart.` : `Unpinned ${channel} ${u}.`;
      },
      zoomed: (_panel, min, max) => this.setZoom({ min, max }),
      save: (panel, format) => this.saveView(panel, format),
      tableToggled: (panel, shown) => {
        this.state.tables = shown ? [...new Set([...this.state.tables, panel.kind])] : this.state.tables.filter((k) => k !== panel.kind);
        this.onStateChange({ ...this.state });
      },
    };
  }

  /** Shows the exact values at (x, y) of `panel` and moves the linked cursor there. */
  private hover(panel: Panel, x: number, y: number, event: MouseEvent | null): void {
    const def = panel.def;
    if (!def) return;
    const info = def.hover(x, y);
    const time = this.time;
    let step: number | null = null;
    let query: number | null = null;
    if (def.link === 'step') step = Math.round(x);
    else if (def.link === 'lag') step = time - 1 - Math.round(x);
    else if (def.link === 'matrix') [step, query] = [Math.round(x), Math.round(y)];
    if (step !== null && !(step >= 0 && step < time)) step = null;
    const channel = def.heatmap ? def.channelAt?.(x, y) ?? null : null;
    this.cursor = { step, query, source: panel, channel };
    this.showTooltip(panel, info, event, x, y);
    this.drawOverlays();
  }

  private showTooltip(panel: Panel, info: HoverInfo | null, event: MouseEvent | null, x: number, y: number): void {
    if (!info) {
      this.tooltip.hidden = true;
      this.readout.textContent = '';
      return;
    }
    this.readout.textContent = [info.title, ...info.lines].join(' · ');
    const title = element('div', 'fglab-tooltip-title', info.title);
    this.tooltip.replaceChildren(title, ...info.lines.map((line) => element('div', undefined, line)));
    this.tooltip.hidden = false;
    const rootBox = this.root.getBoundingClientRect();
    let left: number;
    let top: number;
    if (event) {
      left = event.clientX - rootBox.left;
      top = event.clientY - rootBox.top;
    } else {
      const p = panel.pixelOf(x, y);
      const c = panel.canvas.getBoundingClientRect();
      left = c.left - rootBox.left + (p?.left ?? 0);
      top = c.top - rootBox.top + (p?.top ?? 0);
    }
    const width = this.tooltip.offsetWidth;
    const flip = left + 16 + width > this.root.clientWidth;
    this.tooltip.style.left = `${Math.max(0, flip ? left - 12 - width : left + 14)}px`;
    this.tooltip.style.top = `${top + 14}px`;
  }

  private drawOverlays(): void {
    for (const panel of this.panels.values()) this.drawOverlay(panel);
  }

  private drawOverlay(panel: Panel): void {
    panel.drawOverlay(this.cursor, this.state.pinned, { cursor: this.theme.foreground, pinned: this.theme.red }, this.time);
  }

  /** Applies picks and redraws the views that depend on them. */
  private update(change: Partial<ViewState>, what: keyof typeof DEPENDS): void {
    Object.assign(this.state, change);
    this.rebuild(DEPENDS[what].filter((k) => this.panels.has(k)));
    if (what === 'pinned' || what === 'sort') this.drawOverlays();
    this.onStateChange({ ...this.state });
  }

  /** Builds the definitions of `kinds` for the current state and theme and draws them. */
  private rebuild(kinds: readonly ViewKind[]): void {
    const ctx = { output: this.output, theme: this.theme, options: this.state, toImage: canvasImage };
    for (const kind of kinds) {
      const panel = this.panels.get(kind)!;
      const def = buildView(kind, ctx);
      panel.build(def, def.zoom ? this.zoomOptions(panel) : undefined, def.zoom ? this.rangeFor(def.link) : undefined);
    }
  }

  /** Zoom plugin options of a step view: Ctrl + wheel or pinch to zoom, drag to pan, x only. */
  private zoomOptions(panel: Panel): Record<string, unknown> {
    const done = ({ chart }: { chart: { scales: { x: { min: number; max: number } } } }) => {
      const { min, max } = chart.scales.x;
      const link = panel.def?.link;
      const time = this.time;
      this.setZoom(link === 'lag' ? { min: time - 1 - max, max: time - 1 - min } : { min, max }, panel);
    };
    return {
      pan: { enabled: true, mode: 'x', threshold: 8, onPanComplete: done },
      zoom: { mode: 'x', wheel: { enabled: true, modifierKey: 'ctrl' }, pinch: { enabled: true }, drag: { enabled: false }, onZoomComplete: done },
    };
  }

  /** The x range of a view with `link` for the current zoom. */
  private rangeFor(link: string): { min: number; max: number } | undefined {
    const z = this.state.zoom;
    if (!z) return undefined;
    const time = this.time;
    return link === 'lag' ? { min: time - 1 - z.max, max: time - 1 - z.min } : z;
  }

  /** Shows steps `range` (null: all) in every zoomable view but `from`, which is there already. */
  setZoom(range: { min: number; max: number } | null, from?: Panel): void {
    const time = this.time;
    const clamped = range ? { min: Math.max(-0.5, range.min), max: Math.min(time - 0.5, range.max) } : null;
    this.state.zoom = clamped && clamped.max - clamped.min < time - 0.5 ? clamped : null;
    for (const panel of this.panels.values()) {
      const def = panel.def;
      const chart = panel.chart as unknown as { zoomScale?: (id: string, r: { min: number; max: number }, mode: string) => void } | undefined;
      const full = panel.fullRange;
      if (!def?.zoom || panel === from || !chart || !full) continue;
      const r = this.rangeFor(def.link);
      chart.zoomScale?.('x', r ? { min: Math.max(full.min, r.min), max: Math.min(full.max, r.max) } : full, 'none');
    }
    this.onStateChange({ ...this.state });
  }

  /** Zooms every step view by `factor` around the middle of the visible steps. */
  private zoomBy(factor: number): void {
    const time = this.time;
    const z = this.state.zoom ?? { min: 0, max: time - 1 };
    const mid = (z.min + z.max) / 2;
    const half = Math.max(2, ((z.max - z.min) * factor) / 2);
    this.setZoom(half * 2 >= time ? null : { min: Math.max(0, mid - half), max: Math.min(time - 1, mid + half) });
  }

  /** Redraws the heatmaps with another sequential colour map (the `fglab.colorMap` setting changed). */
  setColorMap(colorMap: ViewOptions['colorMap']): void {
    if (this.state.colorMap === colorMap) return;
    this.state.colorMap = colorMap;
    this.rebuild(this.kinds.filter((k) => k === 'heatmap' || k === 'matrix'));
    this.variantView?.setColorMap(colorMap);
  }

  /** Redraws every view with `theme` (after a VS Code colour theme change). */
  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    this.rebuild(this.kinds);
    this.variantView?.setTheme(theme);
  }

  /** The theme the charts are drawn with. */
  get currentTheme(): ChartTheme {
    return this.theme;
  }

  private fileStem(): string {
    return isComparison(this.output) ? 'comparison' : this.output.model;
  }

  private async saveView(panel: Panel, format: 'png' | 'csv'): Promise<void> {
    const def = panel.def;
    if (!def) return;
    const name = `${this.fileStem()}-${panel.kind}.${format}`;
    const data = format === 'png' ? panel.toPng(this.theme.background) : def.csv();
    this.report(await this.exporter.saveView(format, name, data));
  }

  private async exportOutput(format: 'json' | 'npy'): Promise<void> {
    this.report(await this.exporter.exportOutput(format, `${this.fileStem()}-trace.${format}`));
  }

  private report(message: string): void {
    if (!this.disposed) this.status.textContent = message;
  }

  /** The panel of view `kind`, for tests and export. */
  panel(kind: ViewKind): Panel | undefined {
    return this.panels.get(kind);
  }

  /** Destroys the charts and empties the output element. */
  dispose(): void {
    this.disposed = true;
    this.variantView?.dispose();
    for (const panel of this.panels.values()) panel.destroy();
    this.panels.clear();
    this.host.replaceChildren();
  }
}
