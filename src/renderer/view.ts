/**
 * The view of one trace output: headline, pickers, the heatmap and the three summary charts.
 * Owns its DOM and chart.js instances until `dispose`.
 */
import type { ChartConfiguration, Plugin } from 'chart.js';
import {
  availableSeries,
  formatNumber,
  gateSummaryChart,
  halfLifeChart,
  heatmapAriaLabel,
  heatmapChart,
  heatmapLayer,
  heatmapSubtitle,
  heatmapTitle,
  plural,
  seriesInfo,
  stepTable,
  survivalChart,
  traceHeadline,
  unitTable,
  type ChartTheme,
  type HeatmapImage,
  type HeatmapPlugin,
  type TextTable,
} from '../charts';
import type { Trace } from '../shared/trace';
import { Chart } from './chartjs';
import { styleElement } from './style';

/** The charts of a view, also the `data-fglab-chart` attribute of their canvases. */
export type ChartKind = 'heatmap' | 'gates' | 'survival' | 'halflife';
const KINDS: readonly ChartKind[] = ['heatmap', 'gates', 'survival', 'halflife'];

/** What the user picked; kept across re-renders through the renderer state. */
export interface ViewState {
  /** Series shown in the heatmap. */
  series: string;
  /** Batch row shown in the per-row charts. */
  batchRow: number;
}

/** A chart of any type: the view holds line and bar charts side by side. */
type AnyChart = Chart<any, any, any>;

/** Draws an RGBA heatmap image into a `<canvas>` the heatmap plugin scales into the chart area. */
function canvasImage(image: HeatmapImage): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const pixels = new Uint8ClampedArray(image.pixels.buffer as ArrayBuffer, image.pixels.byteOffset, image.pixels.length);
  canvas.getContext('2d')?.putImageData(new ImageData(pixels, image.width, image.height), 0, 0);
  return canvas;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** A `<table>` of text cells (never HTML). */
function tableElement(table: TextTable): HTMLTableElement {
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
    for (const cell of row) tr.append(element('td', undefined, cell));
    body.append(tr);
  }
  return el;
}

export class TraceView {
  /** The output's root element, class `fglab-trace`; `data-fglab-ready="true"` once every chart is drawn. */
  readonly root: HTMLDivElement;
  private readonly canvases = new Map<ChartKind, HTMLCanvasElement>();
  private readonly charts = new Map<ChartKind, AnyChart>();
  private readonly drawn = new Set<ChartKind>();
  private heatmapPlugin: HeatmapPlugin | undefined;
  private readonly readout: HTMLSpanElement;
  /** The numbers behind the charts as tables, built when first opened (for screen readers). */
  private readonly data: HTMLDetailsElement;
  private tablesRow = -1;
  private readonly state: ViewState;
  private readonly readyPlugin: Plugin;

  /**
   * Builds the view into `host` (replacing its contents) and draws the charts.
   * `onStateChange` is told when the user picks another series or batch row.
   */
  constructor(
    private readonly trace: Trace,
    private readonly host: HTMLElement,
    private theme: ChartTheme,
    state: Partial<ViewState> = {},
    private readonly onStateChange: (state: ViewState) => void = () => {},
  ) {
    const names = availableSeries(trace).map((s) => s.name);
    this.state = {
      series: state.series !== undefined && names.includes(state.series) ? state.series : 'forgetGate',
      batchRow: Number.isInteger(state.batchRow) && state.batchRow! >= 0 && state.batchRow! < trace.dims.batch ? state.batchRow! : 0,
    };
    this.readyPlugin = {
      id: 'fglabReady',
      afterDraw: (chart) => {
        const kind = (chart.canvas as HTMLCanvasElement).dataset.fglabChart as ChartKind;
        this.drawn.add(kind);
        if (this.drawn.size === KINDS.length) this.root.dataset.fglabReady = 'true';
      },
    };

    this.root = element('div', 'fglab-trace');
    this.root.dataset.fglabReady = 'false';
    this.readout = element('span', 'fglab-readout');
    this.readout.setAttribute('aria-live', 'polite');
    this.root.append(element('div', 'fglab-header', traceHeadline(trace).text), this.controls(names));
    const heatmapBox = element('div', 'fglab-chart fglab-heatmap');
    heatmapBox.append(this.canvas('heatmap'));
    const grid = element('div', 'fglab-grid');
    for (const kind of ['gates', 'survival', 'halflife'] as const) {
      const box = element('div', 'fglab-chart');
      box.append(this.canvas(kind));
      grid.append(box);
    }
    this.data = element('details', 'fglab-data');
    this.data.append(element('summary', undefined, 'Data tables'));
    this.data.addEventListener('toggle', () => this.fillTables());
    this.root.append(heatmapBox, grid, this.data);
    host.replaceChildren(styleElement(), this.root);
    this.watchPointer();
    try {
      for (const kind of KINDS) this.createChart(kind);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** The series picker and, for batches, the batch row picker. */
  private controls(names: string[]): HTMLElement {
    const bar = element('div', 'fglab-controls');
    const seriesLabel = element('label', undefined, 'Heatmap');
    const series = element('select', 'fglab-series');
    series.setAttribute('aria-label', 'Series shown in the heatmap');
    for (const name of names) {
      const info = seriesInfo(name);
      const option = element('option', undefined, `${info.label} (${info.symbol})`);
      option.value = name;
      series.append(option);
    }
    series.value = this.state.series;
    series.addEventListener('change', () => this.setSeries(series.value));
    seriesLabel.append(series);
    bar.append(seriesLabel);
    if (this.trace.dims.batch > 1) {
      const batchLabel = element('label', undefined, 'Batch row');
      const batch = element('select', 'fglab-batch');
      batch.setAttribute('aria-label', 'Batch row shown');
      for (let b = 0; b < this.trace.dims.batch; b++) {
        const option = element('option', undefined, String(b));
        option.value = String(b);
        batch.append(option);
      }
      batch.value = String(this.state.batchRow);
      batch.addEventListener('change', () => this.setBatchRow(Number(batch.value)));
      batchLabel.append(batch);
      bar.append(batchLabel);
    }
    bar.append(this.readout);
    return bar;
  }

  private canvas(kind: ChartKind): HTMLCanvasElement {
    const canvas = element('canvas');
    canvas.dataset.fglabChart = kind;
    canvas.setAttribute('role', 'img');
    this.canvases.set(kind, canvas);
    return canvas;
  }

  /** The configuration and screen-reader label of chart `kind` for the current state and theme. */
  private configure(kind: ChartKind): { config: ChartConfiguration; label: string } {
    const { trace, theme } = this;
    const { series, batchRow } = this.state;
    const { time, units } = trace.dims;
    switch (kind) {
      case 'heatmap': {
        const chart = heatmapChart(trace, theme, canvasImage, series, batchRow);
        this.heatmapPlugin = chart.plugin;
        this.canvases.get('heatmap')!.dataset.fglabSeries = series;
        return { config: chart.config as ChartConfiguration, label: heatmapAriaLabel(trace, seriesInfo(series), chart.plugin.layer, batchRow) };
      }
      case 'gates': {
        const config = gateSummaryChart(trace, theme, 'forgetGate', batchRow);
        return { config: config as ChartConfiguration, label: `Line chart of the mean forget gate per step over ${plural(time, 'step')}, with quartiles and range over ${plural(units, 'unit')}, batch row ${batchRow}.` };
      }
      case 'survival': {
        const config = survivalChart(trace, theme, batchRow);
        return { config: config as ChartConfiguration, label: `Line chart of memory survival R over ${plural(time, 'step')}: the mean over units and the slowest, median and fastest unit, batch row ${batchRow}.` };
      }
      case 'halflife': {
        const config = halfLifeChart(trace, theme);
        const finite = (trace.metrics.halfLife ?? []).filter((v) => v !== null).length;
        return { config: config as ChartConfiguration, label: `Histogram of the half-life in steps of ${plural(finite, 'unit')}; median half-life ${formatNumber(traceHeadline(trace).medianHalfLife)} steps.` };
      }
    }
  }

  private createChart(kind: ChartKind): void {
    this.charts.get(kind)?.destroy();
    const canvas = this.canvases.get(kind)!;
    const { config, label } = this.configure(kind);
    canvas.setAttribute('aria-label', label);
    config.plugins = [...(config.plugins ?? []), this.readyPlugin];
    this.charts.set(kind, new Chart(canvas, config));
  }

  /** Shows series `name` in the heatmap (the other charts do not depend on it). */
  setSeries(name: string): void {
    this.state.series = name;
    const chart = this.charts.get('heatmap');
    const plugin = this.heatmapPlugin;
    const canvas = this.canvases.get('heatmap')!;
    if (!chart || !plugin) return;
    const info = seriesInfo(name);
    const layer = heatmapLayer(this.trace, name, this.state.batchRow);
    plugin.setLayer(layer);
    const plugins = chart.options.plugins!;
    plugins.title!.text = heatmapTitle(info);
    plugins.subtitle!.text = heatmapSubtitle(this.trace, layer, info, this.state.batchRow);
    canvas.setAttribute('aria-label', heatmapAriaLabel(this.trace, info, layer, this.state.batchRow));
    canvas.dataset.fglabSeries = name;
    chart.update('none');
    this.onStateChange({ ...this.state });
  }

  /** Shows batch row `row` in the heatmap, the gate summary, the survival curves and the tables. */
  setBatchRow(row: number): void {
    this.state.batchRow = row;
    for (const kind of ['heatmap', 'gates', 'survival'] as const) this.createChart(kind);
    this.fillTables();
    this.onStateChange({ ...this.state });
  }

  /** The theme the charts are drawn with. */
  get currentTheme(): ChartTheme {
    return this.theme;
  }

  /** Redraws every chart with `theme` (after a VS Code colour theme change). */
  setTheme(theme: ChartTheme): void {
    this.theme = theme;
    for (const kind of KINDS) this.createChart(kind);
  }

  /** Builds the data tables of the current batch row while the details element is open. */
  private fillTables(): void {
    if (!this.data.open || this.tablesRow === this.state.batchRow) return;
    this.tablesRow = this.state.batchRow;
    const summary = this.data.querySelector('summary')!;
    this.data.replaceChildren(summary, tableElement(stepTable(this.trace, this.tablesRow)), tableElement(unitTable(this.trace, this.tablesRow)));
  }

  /** The exact value under the pointer in the heatmap, as text in the readout. */
  private watchPointer(): void {
    const canvas = this.canvases.get('heatmap')!;
    canvas.addEventListener('mousemove', (event) => {
      const chart = this.charts.get('heatmap');
      if (!chart) return;
      const { chartArea, scales } = chart;
      const inside = event.offsetX >= chartArea.left && event.offsetX <= chartArea.right && event.offsetY >= chartArea.top && event.offsetY <= chartArea.bottom;
      const t = Math.round(scales.x.getValueForPixel(event.offsetX) ?? NaN);
      const u = Math.round(scales.y.getValueForPixel(event.offsetY) ?? NaN);
      const { time, units } = this.trace.dims;
      if (!inside || !(t >= 0 && t < time && u >= 0 && u < units)) {
        this.readout.textContent = '';
        return;
      }
      const info = seriesInfo(this.state.series);
      const s = this.trace.series[this.state.series];
      const value = s.data[(this.state.batchRow * time + t) * units + u];
      const token = this.trace.labels?.[t];
      this.readout.textContent = `step ${t}${token !== undefined ? ` (${token})` : ''} · unit ${u} · ${info.symbol} = ${formatNumber(value, 4)}`;
    });
    canvas.addEventListener('mouseleave', () => {
      this.readout.textContent = '';
    });
  }

  /** The chart.js instance of chart `kind`, for tests and export. */
  chart(kind: ChartKind): AnyChart | undefined {
    return this.charts.get(kind);
  }

  /** Destroys the charts and empties the output element. */
  dispose(): void {
    for (const chart of this.charts.values()) chart.destroy();
    this.charts.clear();
    this.heatmapPlugin = undefined;
    this.host.replaceChildren();
  }
}
