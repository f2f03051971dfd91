/**
 * A view: one chart of a trace or comparison, defined once for the notebook renderer and the
 * PNG export. Besides its chart.js configuration a view knows how to describe the point under
 * the pointer, which step or unit is there, and the numbers behind it as a table and as CSV.
 */
import type { ChartConfiguration } from 'chart.js';
import type { Comparison, Trace } from '../shared/trace';
import type { SequentialMapName } from './colormap';
import type { Pooling } from './heatmap';
import type { HeatmapPlugin, ImageFactory } from './plugin.heatmap';
import type { TextTable } from './table';
import type { ChartTheme } from './theme';

/** The kinds of view, also the `data-fglab-chart` attribute of their canvases. */
export type ViewKind =
  | 'heatmap'
  | 'gates'
  | 'survival'
  | 'halflife'
  | 'spectrum'
  | 'saturation'
  | 'influence'
  | 'matrix'
  | 'entropy'
  | 'headGates'
  | 'compareSurvival'
  | 'compareGates'
  | 'compareHalfLife'
  | 'training'
  | 'cellMagnitude'
  | 'forgetting';

/** Orders of the units (rows) of a step × unit heatmap and of unit tables. */
export type UnitSort = 'index' | 'halfLife' | 'saturation';

/** What the user picked; views are built for one set of options. */
export interface ViewOptions {
  /** Batch row of the per-row views. */
  batchRow: number;
  /** Series of the step × unit heatmap (default the keep gate, else the first grid series). */
  series?: string;
  /** Series of the query × key matrix (default `weights`). */
  matrixSeries?: string;
  /** Attention head of the matrix. */
  head: number;
  /** Order of units in the heatmap and tables. */
  sort: UnitSort;
  /** Units (or heads) whose curves are drawn in every view. */
  pinned: readonly number[];
  /** Pooling when a heatmap has more cells than pixels; `max` is `absmax` on diverging scales. */
  pooling: 'mean' | 'max';
  /** Sequential colour map of heatmaps (the `fglab.colorMap` setting); diverging data keep blue–red. */
  colorMap: SequentialMapName;
}

export const DEFAULT_VIEW_OPTIONS: Readonly<ViewOptions> = { batchRow: 0, head: 0, sort: 'index', pinned: [], pooling: 'mean', colorMap: 'viridis' };

/** Text for the point under the pointer. */
export interface HoverInfo {
  title: string;
  lines: string[];
}

/** A table the renderer shows, with the number of rows it would have unbounded. */
export interface ViewTable extends TextTable {
  totalRows: number;
  totalColumns: number;
}

/**
 * How the view's axes relate to steps, for the linked cursor and shared zoom: `step` (x is the
 * step), `lag` (x is `T−1−step`), `matrix` (x is the key step, y the query step), `none`.
 */
export type ViewLink = 'step' | 'lag' | 'matrix' | 'none';

export interface ViewDefinition {
  kind: ViewKind;
  config: ChartConfiguration<any, any, any>;
  /** A description for screen readers (the canvas's `aria-label`). */
  label: string;
  /** The heatmap plugin, for heatmaps and matrices. */
  heatmap?: HeatmapPlugin;
  /** The series a heatmap or matrix shows. */
  series?: string;
  link: ViewLink;
  /** Whether the view zooms and pans along x (long step axes). */
  zoom: boolean;
  /** Exact values at data coordinates (x, y) (category index for bar charts); null where nothing is. */
  hover(x: number, y: number): HoverInfo | null;
  /** The unit (or head) at data coordinates, for click-to-pin; undefined when the view has none. */
  channelAt?(x: number, y: number): number | null;
  /** The display row of unit `u` in a heatmap (for marking pinned units). */
  rowOf?(u: number): number;
  /** The numbers behind the view, at most `maxRows` rows. */
  table(maxRows: number): ViewTable;
  /** The numbers behind the view as CSV (all rows). */
  csv(): string;
}

/** Everything a view builder gets. */
export interface ViewContext {
  output: Trace | Comparison;
  theme: ChartTheme;
  options: ViewOptions;
  /** Makes heatmap bitmaps (see `ImageFactory`). */
  toImage: ImageFactory;
}

/** A pooling option mapped to the scale: `max` keeps the extreme of a diverging scale. */
export function poolingFor(option: ViewOptions['pooling'], diverging: boolean): Pooling {
  return option === 'mean' ? 'mean' : diverging ? 'absmax' : 'max';
}
