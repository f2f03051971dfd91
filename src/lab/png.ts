/**
 * PNG pictures of a trace or comparison in Node, drawn by chart.js from the same view
 * definitions as the notebook renderer (`src/charts`), on a canvas of `@napi-rs/canvas`. That
 * package is a native module with one binary per platform, so it is loaded only when a
 * picture is asked for: where it is missing, `renderPng` throws a `PngUnavailableError` the
 * caller can catch (and leave the picture out) while everything else works.
 */
import { drawPicture, type Picture, type PictureCanvas, type PictureCanvasLib, type PictureOptions } from '../charts/picture';
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

/** A canvas of `@napi-rs/canvas`. */
interface NativeCanvas extends PictureCanvas {
  toBuffer(mime: 'image/png'): Uint8Array;
}

/** The parts of `@napi-rs/canvas` this module uses. */
export type CanvasModule = PictureCanvasLib<NativeCanvas>;

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

/** Options of `renderPng`: those of a picture, and where the canvas comes from. */
export interface PngOptions extends PictureOptions {
  /** Where to load `@napi-rs/canvas` from (tests). */
  load?: (id: string) => unknown;
}

/** A drawn picture before encoding. */
export interface PngDrawing extends Omit<Picture, 'canvas'> {
  /** The picture as PNG bytes. */
  encode(): Uint8Array;
}

/** Draws `output` (see `drawPicture`) on `@napi-rs/canvas`; throws `PngUnavailableError` where it is missing. */
export function drawPng(output: Trace | Comparison, options: PngOptions = {}): PngDrawing {
  const { canvas, ...picture } = drawPicture(output, loadCanvasModule(options.load), options);
  return { ...picture, encode: () => new Uint8Array(canvas.toBuffer('image/png')) };
}

/**
 * The PNG of `output`: by default its main view (the step × unit heatmap of the keep gate, the
 * attention matrix, or a comparison's survival curves) under a headline, 960 pixels wide, in
 * VS Code's light colours. Throws `PngUnavailableError` where `@napi-rs/canvas` is missing.
 */
export function renderPng(output: Trace | Comparison, options: PngOptions = {}): Uint8Array {
  return drawPng(output, options).encode();
}
