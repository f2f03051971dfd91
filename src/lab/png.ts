/**
 * PNG pictures of a trace or comparison in Node, drawn by chart.js from the same view
 * definitions as the notebook renderer (`src/charts`), on a canvas of `@napi-rs/canvas`. That
 * package is a native module with one binary per platform, so it is loaded only when a
 * picture is asked for: where it is missing, `renderPng` throws a `PngUnavailableError` the
 * caller can catch (and leave the picture out) while everything else works.
 */
import { Chart } from 'chart.js';
import {
  DARK_THEME,
  DEFAULT_VIEW_OPTIONS,
  LIGHT_THEME,
  buildView,
  defaultViews,
  outputHeadline,
  type ChartTheme,
  type HeatmapImage,
  type ViewKind,
} from '../charts';
import { CHART_PARTS } from '../charts/registry';
import type { Comparison, Trace } from '../shared/trace';

// CommonJS `require` of the bundle this module ends up in (CLI, worker, tests): module-scoped,
// so that it does not clash with Node's global declaration where one is in scope.
declare const require: ((id: string) => unknown) | undefined;

/** The npm package drawn on. */
export const CANVAS_PACKAGE = '@napi-rs/canvas';

/** Raised when PNG pictures cannot be made on this machine (the native canvas is missing). */
export class PngUnavailableError extends Error {
  override name = 'PngUnavailableError';
}

/** The parts of a 2D context this module uses (`@napi-rs/canvas`'s `SKRSContext2D`). */
interface Context2D {
  fillStyle: string;
  font: string;
  textBaseline: string;
  fillRect(x: number, y: number, w: number, h: number): void;
  fillText(text: string, x: number, y: number): void;
  drawImage(image: unknown, x: number, y: number): void;
  putImageData(data: unknown, x: number, y: number): void;
}

interface NativeCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): Context2D;
  toBuffer(mime: 'image/png'): Uint8Array;
}

/** The parts of `@napi-rs/canvas` this module uses. */
export interface CanvasModule {
  createCanvas(width: number, height: number): NativeCanvas;
  ImageData: new (data: Uint8ClampedArray, width: number, height: number) => unknown;
}

let canvasModule: CanvasModule | undefined;

/**
 * Loads `@napi-rs/canvas` on first use with CommonJS `require` (kept for later calls), or with
 * `load` when given (tests). Throws `PngUnavailableError` saying what is missing.
 */
export function loadCanvasModule(load?: (id: string) => unknown): CanvasModule {
  if (!load && canvasModule) return canvasModule;
  const loader = load ?? (typeof require === 'function' ? require : undefined);
  if (!loader) throw new PngUnavailableError(`PNG pictures need ${CANVAS_PACKAGE}, and this build has no require() to load it with`);
  let loaded: CanvasModule;
  try {
    loaded = loader(CANVAS_PACKAGE) as CanvasModule;
  } catch (error) {
    throw new PngUnavailableError(`PNG pictures need the native package ${CANVAS_PACKAGE} for ${platformName()}, which could not be loaded: ${(error as Error).message}`);
  }
  if (typeof loaded?.createCanvas !== 'function') throw new PngUnavailableError(`${CANVAS_PACKAGE} has no createCanvas(): not the package PNG pictures are drawn with`);
  if (!load) canvasModule = loaded;
  return loaded;
}

function platformName(): string {
  const p = (globalThis as { process?: { platform?: string; arch?: string } }).process;
  return p?.platform ? `${p.platform}-${p.arch}` : 'this platform';
}

/** Options of `renderPng`. */
export interface PngOptions {
  /** Width in pixels. Default 960. */
  width?: number;
  /** Height in pixels. Default: what the views need (380 for the main view alone). */
  height?: number;
  /** Colours of VS Code's Light Modern or Dark Modern theme. Default `light`. */
  theme?: 'light' | 'dark';
  /** `main` (default): the output's main view, as cell outputs carry it; `all`: every default view; or a list. */
  views?: 'main' | 'all' | ViewKind[];
  /** Where to load `@napi-rs/canvas` from (tests). */
  load?: (id: string) => unknown;
}

/** Where one view landed in the picture, and how its data coordinates map to pixels. */
export interface PngPanel {
  kind: ViewKind;
  x: number;
  y: number;
  width: number;
  height: number;
  /** Pixel in the whole picture of data point (x, y) of the view's axes. */
  pixelOf(x: number, y: number): { x: number; y: number };
}

/** A drawn picture before encoding. */
export interface PngDrawing {
  width: number;
  height: number;
  panels: PngPanel[];
  /** The picture as PNG bytes. */
  encode(): Uint8Array;
}

/** Fonts every Debian/Ubuntu, macOS and Windows has one of; chart text would fall back otherwise. */
const PNG_FONTS = '"DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif';

const MAIN_VIEWS: readonly ViewKind[] = ['heatmap', 'matrix', 'compareSurvival'];
const HEADER = 28;
const GAP = 8;

let registered = false;

/**
 * Draws the views of `output` (see `PngOptions`) with a headline above them: main views full
 * width, the others three to a row.
 */
export function drawPng(output: Trace | Comparison, options: PngOptions = {}): PngDrawing {
  const canvasLib = loadCanvasModule(options.load);
  if (!registered) {
    Chart.register(...CHART_PARTS);
    registered = true;
  }
  const theme: ChartTheme = { ...(options.theme === 'dark' ? DARK_THEME : LIGHT_THEME), fontFamily: PNG_FONTS, fontSize: 12 };
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
  const ctx = picture.getContext('2d');
  ctx.fillStyle = theme.background;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = theme.foreground;
  ctx.font = `bold 13px ${PNG_FONTS}`;
  ctx.textBaseline = 'middle';
  ctx.fillText(outputHeadline(output), GAP, HEADER / 2);
  const toImage = (image: HeatmapImage) => {
    const c = canvasLib.createCanvas(image.width, image.height);
    c.getContext('2d').putImageData(new canvasLib.ImageData(new Uint8ClampedArray(image.pixels.buffer, image.pixels.byteOffset, image.pixels.length), image.width, image.height), 0, 0);
    return c as unknown as never;
  };
  const panels: PngPanel[] = [];
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
      const chart = new Chart(view as unknown as HTMLCanvasElement, config);
      ctx.drawImage(view, x, y);
      const { x: sx, y: sy } = chart.scales;
      const at = { x, y };
      panels.push({ kind, x, y, width: cellWidth, height: rowHeight, pixelOf: (dx, dy) => ({ x: at.x + sx.getPixelForValue(dx), y: at.y + sy.getPixelForValue(dy) }) });
      chart.destroy();
    });
    y += rowHeight + GAP;
  });
  return { width, height, panels, encode: () => new Uint8Array(picture.toBuffer('image/png')) };
}

/**
 * The PNG of `output`: by default its main view (the step × unit heatmap of the keep gate, the
 * attention matrix, or a comparison's survival curves) under a headline, 960 pixels wide, in
 * VS Code's light colours. Throws `PngUnavailableError` where `@napi-rs/canvas` is missing.
 */
export function renderPng(output: Trace | Comparison, options: PngOptions = {}): Uint8Array {
  return drawPng(output, options).encode();
}
