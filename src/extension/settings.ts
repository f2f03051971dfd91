/**
 * The lab's settings (`fglab.*`, declared in package.json `contributes.configuration`), read
 * into checked values. Values a user wrote by hand that do not fit fall back to the default,
 * as VS Code does for settings its schema rejects. No `vscode` import.
 */
import type { ComputeBackend } from '../shared/protocol';
import { COLOR_MAP_NAMES } from '../shared/renderer-protocol';
import { OUTPUT_PRECISIONS, type OutputPrecision } from '../shared/trace';

/** Section of every setting. */
export const SETTINGS_SECTION = 'fglab';

/** Setting names within the section. */
export const SETTING = {
  computeBackend: 'computeBackend',
  outputSizeLimitMB: 'outputSizeLimitMB',
  outputPrecision: 'outputPrecision',
  workerMemoryLimitMB: 'workerMemoryLimitMB',
  colorMap: 'colorMap',
  defaultSeed: 'defaultSeed',
} as const;

/** Colour maps the renderer's heatmaps can use (sent to the renderer in its `settings` message). */
export const COLOR_MAPS = COLOR_MAP_NAMES;
export type ColorMapName = (typeof COLOR_MAPS)[number];

export interface LabSettings {
  /** TensorFlow.js backend of new kernels. Default `wasm`. */
  computeBackend: ComputeBackend;
  /** Largest cell output accepted, in MB. Default 50. */
  outputSizeLimitMB: number;
  /** How series are stored in cell outputs. Default `16-bit`. */
  outputPrecision: OutputPrecision;
  /** JavaScript heap limit of each kernel worker, in MB. Default 2048. */
  workerMemoryLimitMB: number;
  /** Colour map of the renderer's heatmaps. Default `viridis`. */
  colorMap: ColorMapName;
  /** Seed of the seeded keys a spec leaves out. Default 0. */
  defaultSeed: number;
}

export const DEFAULT_SETTINGS: Readonly<LabSettings> = {
  computeBackend: 'wasm',
  outputSizeLimitMB: 50,
  outputPrecision: '16-bit',
  workerMemoryLimitMB: 2048,
  colorMap: 'viridis',
  defaultSeed: 0,
};

/** Bounds of the numeric settings (the manifest declares the same). */
export const SETTING_BOUNDS = {
  outputSizeLimitMB: { minimum: 1, maximum: 2048 },
  workerMemoryLimitMB: { minimum: 128, maximum: 65536 },
  defaultSeed: { minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
} as const;

/** Settings whose change needs a new kernel worker (they are fixed when a worker starts). */
export const RESTART_SETTINGS: readonly (keyof LabSettings)[] = ['computeBackend', 'workerMemoryLimitMB'];

function oneOf<T extends string>(value: unknown, values: readonly T[], fallback: T): T {
  return typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : fallback;
}

function within(value: unknown, bounds: { minimum: number; maximum: number }, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= bounds.minimum && value <= bounds.maximum ? value : fallback;
}

/** Reads the settings through `get(name)` (for example `workspace.getConfiguration('fglab').get`). */
export function readLabSettings(get: (name: string) => unknown): LabSettings {
  return {
    computeBackend: oneOf(get(SETTING.computeBackend), ['wasm', 'cpu'] as const, DEFAULT_SETTINGS.computeBackend),
    outputSizeLimitMB: within(get(SETTING.outputSizeLimitMB), SETTING_BOUNDS.outputSizeLimitMB, DEFAULT_SETTINGS.outputSizeLimitMB),
    outputPrecision: oneOf(get(SETTING.outputPrecision), OUTPUT_PRECISIONS, DEFAULT_SETTINGS.outputPrecision),
    workerMemoryLimitMB: within(get(SETTING.workerMemoryLimitMB), SETTING_BOUNDS.workerMemoryLimitMB, DEFAULT_SETTINGS.workerMemoryLimitMB),
    colorMap: oneOf(get(SETTING.colorMap), COLOR_MAPS, DEFAULT_SETTINGS.colorMap),
    defaultSeed: Number.isInteger(get(SETTING.defaultSeed)) ? within(get(SETTING.defaultSeed), SETTING_BOUNDS.defaultSeed, DEFAULT_SETTINGS.defaultSeed) : DEFAULT_SETTINGS.defaultSeed,
  };
}

/** Full id of a setting, as users write it: `fglab.computeBackend`. */
export function settingId(name: keyof LabSettings): string {
  return `${SETTINGS_SECTION}.${SETTING[name]}`;
}
