/**
 * One view of an output on the page: its box with tools (table, save PNG, save CSV), the
 * chart.js chart, a transparent overlay canvas for the linked cursor and pinned units (drawn
 * without redrawing the chart), and the table shown in place of the chart on request.
 */
import type { Plugin } from 'chart.js';
import type { HeatmapImage, ViewDefinition, ViewKind } from '../charts';
import { Chart } from './chartjs';
import { button, element, tableElement } from './dom';

/** A chart of any type. */
export type AnyChart = Chart<any, any, any>;

/** Most rows a table shows (the CSV export has them all). */
export const MAX_TABLE_ROWS = 200;

/** Where the linked cursor is: a step (and, for matrices, a query step), and the unit under the pointer. */
export interface Cursor {
  step: number | null;
  query: number | null;
  /** The panel the pointer is over, which also marks the row under it. */
  source: Panel | null;
  channel: number | null;
}

/** What a panel tells the output view. */
export interface PanelEvents {
  drawn(panel: Panel): void;
  hover(panel: Panel, x: number, y: number, event: MouseEvent | null): void;
  leave(panel: Panel): void;
  click(panel: Panel, x: number, y: number): void;
  zoomed(panel: Panel, min: number, max: number): void;
  save(panel: Panel, format: 'png' | 'csv'): void;
  tableToggled(panel: Panel, shown: boolean): void;
}

/** Colours of the overlay, from the theme. */
export interface OverlayColors {
  cursor: string;
  pinned: string;
}

/** Draws a heatmap image into a `<canvas>` the heatmap plugin scales into the chart area. */
export function canvasImage(image: HeatmapImage): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const pixels = new Uint8ClampedArray(image.pixels.buffer as ArrayBuffer, image.pixels.byteOffset, image.pixels.length);
  canvas.getContext('2d')?.putImageData(new ImageData(pixels, image.width, image.height), 0, 0);
  return canvas;
}

export class Panel {
  readonly box: HTMLDivElement;
  readonly canvas: HTMLCanvasElement;
  readonly overlay: HTMLCanvasElement;
  private readonly canvasBox: HTMLDivElement;
  private readonly tableBox: HTMLDivElement;
  private readonly tableButton: HTMLButtonElement;
  private chartInstance: AnyChart | undefined;
  def: ViewDefinition | undefined;
  /** The whole x range of a zoomable view (its configuration's before any zoom). */
  fullRange: { min: number; max: number } | undefined;
  /** Data coordinates of the keyboard cursor, moved with the arrow keys. */
  private keyPoint: { x: number; y: number } | undefined;
  private down: { x: number; y: number } | undefined;

  constructor(readonly kind: ViewKind, private readonly events: PanelEvents, main: boolean, tableShown: boolean) {
    this.box = element('div', `fglab-chart${main ? ' fglab-main-chart' : ''}`);
    this.box.dataset.fglabView = kind;
    const tools = element('div', 'fglab-panel-tools');
    this.tableButton = button('fglab-table-toggle', 'Table', `Show the numbers of this chart as a table`);
    this.tableButton.setAttribute('aria-pressed', 'false');
    this.tableButton.addEventListener('click', () => this.showTable(this.tableButton.getAttribute('aria-pressed') !== 'true', true));
    const png = button('fglab-save-png', 'Save PNG', 'Save this chart as a PNG image');
    png.addEventListener('click', () => events.save(this, 'png'));
    const csv = button('fglab-save-csv', 'Save CSV', 'Save the numbers of this chart as CSV');
    csv.addEventListener('click', () => events.save(this, 'csv'));
    tools.append(this.tableButton, png, csv);
    this.canvasBox = element('div', 'fglab-canvas-box');
    this.canvas = element('canvas');
    this.canvas.dataset.fglabChart = kind;
    this.canvas.setAttribute('role', 'img');
    this.canvas.tabIndex = 0;
    this.overlay = element('canvas', 'fglab-overlay');
    this.overlay.setAttribute('aria-hidden', 'true');
    this.canvasBox.append(this.canvas, this.overlay);
    this.tableBox = element('div', 'fglab-table-box');
    this.tableBox.hidden = true;
    this.box.append(tools, this.canvasBox, this.tableBox);
    this.listen();
    if (tableShown) this.showTable(true, false);
  }

  get chart(): AnyChart | undefined {
    return this.chartInstance;
  }

  /** Whether the table is shown in place of the chart. */
  get tableShown(): boolean {
    return this.tableButton.getAttribute('aria-pressed') === 'true';
  }

  /**
   * Draws `def` (replacing the chart drawn before). `zoom`: the initial x range and the
   * plugin options of zoomable views.
   */
  build(def: ViewDefinition, zoom: Record<string, unknown> | undefined, range: { min: number; max: number } | undefined): void {
    this.chartInstance?.destroy();
    this.def = def;
    this.canvas.setAttribute('aria-label', def.label);
    if (def.series) this.canvas.dataset.fglabSeries = def.series;
    const config = def.config;
    const hooks: Plugin = {
      id: 'fglabPanel',
      afterDraw: () => {
        this.syncOverlay();
        this.events.drawn(this);
      },
    };
    config.plugins = [...(config.plugins ?? []), hooks];
    const options = (config.options ??= {});
    const x = options.scales?.x as { min?: number; max?: number } | undefined;
    this.fullRange = zoom && x && typeof x.min === 'number' && typeof x.max === 'number' ? { min: x.min, max: x.max } : undefined;
    const zoomOptions = zoom && this.fullRange ? { ...zoom, limits: { x: { ...this.fullRange, minRange: 4 } } } : { zoom: { wheel: { enabled: false }, pinch: { enabled: false }, drag: { enabled: false } }, pan: { enabled: false } };
    options.plugins = { ...options.plugins, zoom: zoomOptions };
    if (range && this.fullRange && options.scales?.x) {
      options.scales.x = { ...options.scales.x, min: Math.max(this.fullRange.min, range.min), max: Math.min(this.fullRange.max, range.max) };
    }
    this.chartInstance = new Chart(this.canvas, config);
    if (this.tableShown) {
      // The chart has no size while the table stands in for it: the table is what is shown.
      this.fillTable();
      this.events.drawn(this);
    }
  }

  /** Shows or hides the table in place of the chart; `user` when the toggle was pressed. */
  showTable(shown: boolean, user: boolean): void {
    this.tableButton.setAttribute('aria-pressed', String(shown));
    this.tableButton.textContent = shown ? 'Chart' : 'Table';
    this.tableButton.setAttribute('aria-label', shown ? 'Show this view as a chart' : 'Show the numbers of this chart as a table');
    this.canvasBox.hidden = shown;
    this.tableBox.hidden = !shown;
    if (shown) this.fillTable();
    else this.tableBox.replaceChildren();
    if (user) this.events.tableToggled(this, shown);
  }

  private fillTable(): void {
    if (this.def) this.tableBox.replaceChildren(tableElement(this.def.table(MAX_TABLE_ROWS)));
  }

  /** Data coordinates under a CSS-pixel offset in the canvas, or null outside the chart area. */
  dataAt(offsetX: number, offsetY: number): { x: number; y: number } | null {
    const chart = this.chartInstance;
    if (!chart) return null;
    const a = chart.chartArea;
    if (!a || offsetX < a.left || offsetX > a.right || offsetY < a.top || offsetY > a.bottom) return null;
    const x = chart.scales.x.getValueForPixel(offsetX);
    const y = chart.scales.y.getValueForPixel(offsetY);
    return x === undefined || y === undefined ? null : { x, y };
  }

  private listen(): void {
    const c = this.canvas;
    c.addEventListener('mousemove', (event) => {
      const p = this.dataAt(event.offsetX, event.offsetY);
      if (p) this.events.hover(this, p.x, p.y, event);
      else this.events.leave(this);
    });
    c.addEventListener('mouseleave', () => this.events.leave(this));
    c.addEventListener('mousedown', (event) => {
      this.down = { x: event.clientX, y: event.clientY };
    });
    c.addEventListener('mouseup', (event) => {
      // A drag that panned the chart is not a click.
      const d = this.down;
      this.down = undefined;
      if (!d || Math.hypot(event.clientX - d.x, event.clientY - d.y) > 4) return;
      const p = this.dataAt(event.offsetX, event.offsetY);
      if (p) this.events.click(this, p.x, p.y);
    });
    c.addEventListener('keydown', (event) => this.onKey(event));
    c.addEventListener('blur', () => {
      this.keyPoint = undefined;
      this.events.leave(this);
    });
  }

  /** Arrow keys move a cursor over the data (Shift: 10 at a time), Enter or Space pins, Escape leaves. */
  private onKey(event: KeyboardEvent): void {
    const chart = this.chartInstance;
    if (!chart) return;
    const { x: sx, y: sy } = chart.scales;
    const start = () => ({ x: Math.round(sx.min + (sx.max - sx.min) / 2), y: sy.type === 'category' ? 0 : sy.min + (sy.max - sy.min) / 2 });
    const step = event.shiftKey ? 10 : 1;
    const p = this.keyPoint ?? start();
    const yStep = this.def?.heatmap ? 1 : (sy.max - sy.min) / 20;
    const reversed = (sy.options as { reverse?: boolean }).reverse === true;
    const clampX = (v: number) => Math.min(Math.max(v, Math.ceil(sx.min)), Math.floor(sx.max));
    const clampY = (v: number) => Math.min(Math.max(v, sy.min), sy.max);
    switch (event.key) {
      case 'ArrowLeft':
        this.keyPoint = { x: clampX(p.x - step), y: p.y };
        break;
      case 'ArrowRight':
        this.keyPoint = { x: clampX(p.x + step), y: p.y };
        break;
      case 'ArrowUp':
        this.keyPoint = { x: p.x, y: clampY(p.y + (reversed ? -1 : 1) * step * yStep) };
        break;
      case 'ArrowDown':
        this.keyPoint = { x: p.x, y: clampY(p.y - (reversed ? -1 : 1) * step * yStep) };
        break;
      case 'Enter':
      case ' ':
        if (this.keyPoint) this.events.click(this, this.keyPoint.x, this.keyPoint.y);
        event.preventDefault();
        return;
      case 'Escape':
        this.keyPoint = undefined;
        this.events.leave(this);
        return;
      default:
        return;
    }
    event.preventDefault();
    this.events.hover(this, this.keyPoint.x, this.keyPoint.y, null);
  }

  /** CSS-pixel position of data point (x, y) in the canvas. */
  pixelOf(x: number, y: number): { left: number; top: number } | null {
    const chart = this.chartInstance;
    if (!chart) return null;
    return { left: chart.scales.x.getPixelForValue(x), top: chart.scales.y.getPixelForValue(y) };
  }

  /** Whether the overlay has anything on it (until then it has no backing store at all). */
  private overlayUsed = false;

  /** Keeps the overlay the size of the chart canvas (chart.js resizes it with its box). */
  private syncOverlay(): void {
    const { canvas, overlay } = this;
    if (!this.overlayUsed) {
      this.onOverlay?.();
      return;
    }
    if (overlay.width !== canvas.width || overlay.height !== canvas.height) {
      overlay.width = canvas.width;
      overlay.height = canvas.height;
    }
    overlay.style.width = canvas.style.width;
    overlay.style.height = canvas.style.height;
    this.onOverlay?.();
  }

  /** Called after the chart draws, to redraw the overlay. */
  onOverlay: (() => void) | undefined;

  /**
   * Draws the linked cursor and pinned units: a line at the cursor's step (or lag) across step
   * views, a crosshair on matrices, a band on the heatmap row under the pointer, and marks on
   * the rows of pinned units.
   */
  drawOverlay(cursor: Cursor, pinned: readonly number[], colors: OverlayColors, time: number): void {
    const chart = this.chartInstance;
    const def = this.def;
    const marks = (def?.heatmap && def.rowOf && (pinned.length > 0 || cursor.source === this)) || (cursor.step !== null && def && def.link !== 'none');
    if (!marks && !this.overlayUsed) return;
    if (!this.overlayUsed) {
      // The first mark: give the overlay its size now (a canvas costs memory and time to set up).
      this.overlayUsed = true;
      this.syncOverlay();
      return;
    }
    const ctx = this.overlay.getContext('2d');
    if (!ctx || !chart || !def) return;
    const ratio = this.overlay.width / Math.max(1, this.canvas.clientWidth || this.overlay.width);
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const a = chart.chartArea;
    if (!a) return;
    ctx.save();
    ctx.beginPath();
    ctx.rect(a.left, a.top, a.right - a.left, a.bottom - a.top);
    ctx.clip();
    const { x: sx, y: sy } = chart.scales;
    const band = (y: number, color: string, width: number) => {
      const y0 = sy.getPixelForValue(y - 0.5);
      const y1 = sy.getPixelForValue(y + 0.5);
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.strokeRect(a.left + 0.5, Math.min(y0, y1), a.right - a.left - 1, Math.max(1, Math.abs(y1 - y0)));
    };
    if (def.heatmap && def.rowOf) {
      for (const u of pinned) band(def.rowOf(u), colors.pinned, 2);
      if (cursor.source === this && cursor.channel !== null) band(def.rowOf(cursor.channel), colors.cursor, 1);
    }
    ctx.strokeStyle = colors.cursor;
    ctx.lineWidth = 1;
    ctx.setLineDash([3, 3]);
    const vertical = (x: number) => {
      const px = sx.getPixelForValue(x);
      if (px < a.left || px > a.right) return;
      ctx.beginPath();
      ctx.moveTo(Math.round(px) + 0.5, a.top);
      ctx.lineTo(Math.round(px) + 0.5, a.bottom);
      ctx.stroke();
    };
    const horizontal = (y: number) => {
      const py = sy.getPixelForValue(y);
      ctx.beginPath();
      ctx.moveTo(a.left, Math.round(py) + 0.5);
      ctx.lineTo(a.right, Math.round(py) + 0.5);
      ctx.stroke();
    };
    if (cursor.step !== null) {
      if (def.link === 'step') vertical(cursor.step);
      else if (def.link === 'lag') vertical(time - 1 - cursor.step);
      else if (def.link === 'matrix') {
        vertical(cursor.step);
        horizontal(cursor.query ?? cursor.step);
      }
    }
    ctx.restore();
  }

  /** The chart as a PNG data URL on an opaque `background` (the canvas itself is transparent). */
  toPng(background: string): string {
    const out = document.createElement('canvas');
    out.width = this.canvas.width;
    out.height = this.canvas.height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(this.canvas, 0, 0);
    return out.toDataURL('image/png');
  }

  /** Destroys the chart. */
  destroy(): void {
    this.chartInstance?.destroy();
    this.chartInstance = undefined;
  }
}
