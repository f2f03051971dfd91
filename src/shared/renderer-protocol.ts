/**
 * Messages between the notebook renderer `fglab.charts` and the extension host, over
 * `vscode.notebooks.createRendererMessaging` (optional: the renderer works without it). The
 * renderer asks the host to save a view (PNG, CSV) or the whole output (JSON, `.npy`) through
 * a save dialog; the host answers each request by its id. Every request carries the protocol
 * version; the host refuses another version with a `failed` reply.
 */

import type { TrainingProgress } from './trace';

/** Bumped when a message changes incompatibly. */
export const RENDERER_PROTOCOL_VERSION = 1;

/** What a view can be saved as. */
export type ViewFormat = 'png' | 'csv';

/** What a whole output can be exported as. */
export type OutputFormat = 'json' | 'npy';

/** Renderer → host: save one view's picture or numbers. */
export interface SaveViewRequest {
  type: 'saveView';
  protocol: number;
  requestId: string;
  format: ViewFormat;
  /** File name the save dialog proposes, e.g. `forget-gate-heatmap.png`. */
  suggestedName: string;
  /** PNG: base64 of the image bytes; CSV: the text. */
  data: string;
}

/** Renderer → host: export the whole output (the cell output's trace JSON, as the renderer received it). */
export interface ExportOutputRequest {
  type: 'exportOutput';
  protocol: number;
  requestId: string;
  format: OutputFormat;
  suggestedName: string;
  /** The `application/vnd.fglab.trace+json` text of the output. */
  payload: string;
}

export type RendererRequest = SaveViewRequest | ExportOutputRequest;

/** Host → renderer: the file was written. */
export interface SavedReply {
  type: 'saved';
  requestId: string;
  /** Where, for the status line (a path or URI as text). */
  path: string;
}

/** Host → renderer: the user closed the save dialog. */
export interface CancelledReply {
  type: 'cancelled';
  requestId: string;
}

/** Host → renderer: the request could not be carried out. */
export interface FailedReply {
  type: 'failed';
  requestId: string;
  message: string;
}

export type HostReply = SavedReply | CancelledReply | FailedReply;

/** Renderer → host, once when the renderer starts: the host answers with `settings` (no reply id). */
export interface ReadyMessage {
  type: 'ready';
  protocol: number;
}

/** Sequential colour maps of the `fglab.colorMap` setting. */
export const COLOR_MAP_NAMES = ['viridis', 'cividis', 'gray'] as const;

/**
 * Host → renderer: settings that change how charts look. Sent in answer to `ready` and when a
 * setting changes (to every renderer: `postMessage` without an editor).
 */
export interface SettingsMessage {
  type: 'settings';
  protocol: number;
  colorMap: (typeof COLOR_MAP_NAMES)[number];
}

/** Whether a message from the host is a `settings` message of this protocol. */
export function isSettingsMessage(message: unknown): message is SettingsMessage {
  return isRecord(message) && message.type === 'settings' && message.protocol === RENDERER_PROTOCOL_VERSION && (COLOR_MAP_NAMES as readonly unknown[]).includes(message.colorMap);
}

/** Whether a message from the renderer is its `ready` message (the host answers with settings). */
export function isReadyMessage(message: unknown): message is ReadyMessage {
  return isRecord(message) && message.type === 'ready';
}

/** Raised for a message that is not a request of this protocol. */
export class RendererProtocolError extends Error {
  override name = 'RendererProtocolError';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(v: unknown): string {
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (v === null) return 'null';
  return Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function need(message: Record<string, unknown>, key: string, expected: string, ok: (v: unknown) => boolean): void {
  if (!ok(message[key])) throw new RendererProtocolError(`renderer message ${key}: expected ${expected}, got ${text(message[key])}`);
}

const isString = (v: unknown) => typeof v === 'string';
const isName = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 200 && !/[\\/]/.test(v);

/**
 * Checks a message from the renderer and returns it typed. Throws `RendererProtocolError`
 * naming the key, what was expected and what was got; a request of another protocol version
 * is refused by its `protocol`.
 */
export function parseRendererRequest(message: unknown): RendererRequest {
  if (!isRecord(message)) throw new RendererProtocolError(`renderer message: expected an object, got ${text(message)}`);
  need(message, 'type', '"saveView" or "exportOutput"', (v) => v === 'saveView' || v === 'exportOutput');
  need(message, 'protocol', `${RENDERER_PROTOCOL_VERSION} (this version of Forget Gate Lab)`, (v) => v === RENDERER_PROTOCOL_VERSION);
  need(message, 'requestId', 'a string', isString);
  need(message, 'suggestedName', 'a file name without folders', isName);
  if (message.type === 'saveView') {
    need(message, 'format', '"png" or "csv"', (v) => v === 'png' || v === 'csv');
    need(message, 'data', 'a string', isString);
  } else {
    need(message, 'format', '"json" or "npy"', (v) => v === 'json' || v === 'npy');
    need(message, 'payload', 'a string', isString);
  }
  return message as unknown as RendererRequest;
}

/**
 * The picture of an output for notebooks read without the renderer (GitHub, Jupyter): the host
 * marks a new trace output with a token in its metadata (`OUTPUT_IMAGE_METADATA`) and asks the
 * renderer showing it for its picture with `wantImage`; the renderer answers `outputImage`.
 */
export const OUTPUT_IMAGE_METADATA = 'fglabImageToken';

/** Host → renderer: draw the picture of the output whose metadata holds `token`. */
export interface WantImageMessage {
  type: 'wantImage';
  protocol: number;
  token: string;
}

/** Renderer → host: the picture (base64 PNG) of the output whose metadata holds `token`. */
export interface OutputImageMessage {
  type: 'outputImage';
  protocol: number;
  token: string;
  /** Base64 of the PNG bytes. */
  data: string;
}

/** Whether a message from the host is a `wantImage` of this protocol. */
export function isWantImageMessage(message: unknown): message is WantImageMessage {
  return isRecord(message) && message.type === 'wantImage' && message.protocol === RENDERER_PROTOCOL_VERSION && typeof message.token === 'string';
}

/** Whether a message from the renderer is an `outputImage` of this protocol. */
export function isOutputImageMessage(message: unknown): message is OutputImageMessage {
  return isRecord(message) && message.type === 'outputImage' && message.protocol === RENDERER_PROTOCOL_VERSION && typeof message.token === 'string' && typeof message.data === 'string';
}

/**
 * Live training output: the host writes the progress output (`TRAINING_PROGRESS_MIME`) with a
 * `liveToken` in its payload now and then, and between those writes sends each report to the
 * renderers as a `trainingProgress` message; the renderer drawing that output redraws its line
 * and curves in place.
 */
export const LIVE_TOKEN_KEY = 'liveToken';

/** Host → renderer: the latest report of the training whose progress output carries `token`. */
export interface TrainingProgressMessage {
  type: 'trainingProgress';
  protocol: number;
  token: string;
  progress: TrainingProgress;
}

/** Whether a message from the host is a `trainingProgress` of this protocol (the report itself is checked where it is read). */
export function isTrainingProgressMessage(message: unknown): message is TrainingProgressMessage {
  return isRecord(message) && message.type === 'trainingProgress' && message.protocol === RENDERER_PROTOCOL_VERSION && typeof message.token === 'string' && isRecord(message.progress);
}

/** The image token of an output's metadata, if it has one. */
export function outputImageToken(metadata: unknown): string | undefined {
  const token = isRecord(metadata) ? metadata[OUTPUT_IMAGE_METADATA] : undefined;
  return typeof token === 'string' ? token : undefined;
}

/** Whether a message from the host is a reply of this protocol. */
export function isHostReply(message: unknown): message is HostReply {
  return isRecord(message) && typeof message.requestId === 'string' && (message.type === 'saved' || message.type === 'cancelled' || message.type === 'failed');
}

/** Exhaustiveness check for switches over message types. */
export function assertNever(value: never): never {
  throw new RendererProtocolError(`unexpected message ${JSON.stringify(value)}`);
}
