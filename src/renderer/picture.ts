/**
 * The picture cell outputs carry for readers without the renderer (`image/png`, for GitHub and
 * Jupyter): the output's main view drawn by `drawPicture` — the layout `fglab trace --format
 * png` draws in Node — on the webview's own canvases, in VS Code's light colours.
 */
import { drawPicture, type PictureCanvasLib } from '../charts/picture';
import type { Comparison, Trace } from '../shared/trace';

const DOM_CANVAS: PictureCanvasLib<HTMLCanvasElement> = {
  createCanvas(width, height) {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    return canvas;
  },
  // The DOM's ImageData takes (data, width, height) among its overloads.
  ImageData: ImageData as unknown as PictureCanvasLib['ImageData'],
};

/** Base64 of the PNG of `output`'s main view, 960 pixels wide. */
export function outputPictureBase64(output: Trace | Comparison): string {
  const url = drawPicture(output, DOM_CANVAS, { theme: 'light' }).canvas.toDataURL('image/png');
  return url.slice(url.indexOf(',') + 1);
}
