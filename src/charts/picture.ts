/**
 * A picture of a trace or comparison: its views drawn by chart.js from the chart definitions
 * of this folder, under a headline, on canvases a `PictureCanvasLib` makes — `@napi-rs/canvas`
 * in Node (`src/lab/png.ts`, the CLI's PNGs) or the DOM in the notebook renderer (the
 * `image/png` item of cell outputs). One layout, so both pictures are the same.
 */
import { Chart } from 'chart.js';
import { DEFAULT_VIEW_OPTIONS, buildView, defaultViews, type HeatmapImage, type ViewKind } from './index';
import { outputHeadline } from './headline';
import { DARK_THEME, LIGHT_THEME, type ChartTheme } from './theme';
import { CHART_PARTS } from './registry';
import type { Comparison, Trace } from '../shared/trace';

/** The parts of a 2D context a picture uses. */
export interface PictureContext2D {
  fillStyle: unknown;
  font: string;
  textBaseline: unknown;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  drawImage(image: never, x: number, y: number): void;
  putImageData(data: never, x: number, y: number): void;
}

/** A canvas a picture is drawn on. */
export interface PictureCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): PictureContext2D | null;
}

/** What makes canvases: `@napi-rs/canvas`, or the DOM's. */
export interface PictureCanvasLib<C extends PictureCanvas = PictureCanvas> {
  createCanvas(width: number, height: number): C;
  ImageData: new (data: Uint8ClampedArray, width: number, height: number) => unknown;
}

/** Options of a picture. */
export interface PictureOptions {
  /** Width in pixels. Default 960. */
  width?: number;
  /** Height in pixels. Default: what the views need (380 for the main view alone). */
  height?: number;
  /** Colours of VS Code's Light Modern or Dark Modern theme. Default `light`. */
  theme?: 'light' | 'dark';
  /** `main` (default): the output's main view, as cell outputs carry it; `all`: every default view; or a list. */
  views?: 'main' | 'all' | ViewKind[];
}

/** Where one view landed in the picture, and how its data coordinates map to pixels. */
export interface PicturePanel {
  kind: ViewKind;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Pixel in the whole picture of data point (x, y) of the view's axes. */
  pixelOf(x: number, y: number): { x: number; y: number };
}

/** A drawn picture. */
export interface Picture<C extends PictureCanvas = PictureCanvas> {
  width: number;
  height: number;
  panels: PicturePanel[];
  canvas: C;
}

/** Fonts every Debian/Ubuntu, macOS and Windows has one of; chart text would fall back otherwise. */
const PICTURE_FONTS = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif';

const MAIN_VIEWS: readonly ViewKind[] = ['heatmap', 'matrix', 'compareSurvival'];
const HEADER = 28;
const GAP = 8;

let registered = false;

function context(canvas: PictureCanvas): PictureContext2D {
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('the canvas has no 2D context');
  return ctx;
}

/**
 * Draws the views of `output` (see `PictureOptions`) with a headline above them: main views
 * full width, the others three to a row.
 */
export function drawPicture<C extends PictureCanvas>(output: Trace | Comparison, canvasLib: PictureCanvasLib<C>, options: PictureOptions = {}): Picture<C> {
  if (!registered) {
    Chart.register(...CHART_PARTS);
    registered = true;
  }
  const theme: ChartTheme = { ...(options.theme === 'dark' ? DARK_THEME : LIGHT_THEME), fontFamily: PICTURE_FONTS, fontSize: 12 };
  const all = defaultViews(output);
  const kinds = options.views === 'all' ? all : Array.isArray(options.views) ? options.views : all.slice(0, 1);
  const width = Math.max(200, Math.round(options.width ?? 960));
  // Rows: each main view alone, then the rest three to a row.
  const rows: ViewKind[][] = [];
  const rest: ViewKind[] = [];
  for (const kind of kinds) (MAIN_VIEWS.includes(kind) ? rows.push([kind]) : rest.push(kind));
  const columns = Math.min(3, rest.length);
  for (let k = 0; k < rest.length; k += columns) rows.push(rest.slice(k, k + columns));
  const natural = rows.map((row) => (row.length === 1 && MAIN_VIEWS.includes(row[0]) ? 360 : 300));
  const naturalHeight = HEADER + natural.reduce((a, b) => a + b + GAP, 0);
  const height = Math.max(HEADER + 40 * rows.length, Math.round(options.height ?? naturalHeight));
  const scale = (height - HEADER - GAP * rows.length) / Math.max(1, naturalHeight - HEADER - GAP * rows.length);
  const picture = canvasLib.createCanvas(width, height);
  const ctx = context(picture);
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `bold 13px ${PICTURE_FONTS}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(outputHeadline(output), GAP, HEADER / 2);
  const toImage = (image: HeatmapImage) => {
    const c = canvasLib.createCanvas(image.width, image.height);
    context(c).putImageData(new canvasLib.ImageData(new Uint8ClampedArray(image.pixels.buffer, image.pixels.byteOffset, image.pixels.length), image.width, image.height) as never, 0, 0);
    return c as unknown as never;
  };
  const panels: PicturePanel[] = [];
  let y = HEADER;
  rows.forEach((row, r) => {
    const rowHeight = Math.max(40, Math.round(natural[r] * scale));
    const cellWidth = Math.floor((width - GAP * (row.length + 1)) / row.length);
    row.forEach((kind, c) => {
      const x = GAP + c * (cellWidth + GAP);
      const def = buildView(kind, { output, theme, options: DEFAULT_VIEW_OPTIONS, toImage });
      const view = canvasLib.createCanvas(cellWidth, rowHeight);
      const config = def.config;
      config.options = { ...config.options, responsive: false, animation: false, devicePixelRatio: 1, events: [] };
      const chart = new Chart(view as unknown as ConstructorParameters<typeof Chart>[0], config);
      ctx.drawImage(view as never, x, y);
      const { x: sx, y: sy } = chart.scales;
      const at = { x, y };
      panels.push({ kind, x, y, width: cellWidth, height: rowHeight, pixelOf: (dx, dy) => ({ x: at.x + sx.getPixelForValue(dx), y: at.y + sy.getPixelForValue(dy) }) });
      chart.destroy();
    });
    y += rowHeight + GAP;
  });
  return { width, height, panels, canvas: picture };
}
