/**
 * Which views an output gets, chosen from what the trace holds (`SERIES_INFO[model]` axes,
 * the keep gate, the metrics present), and the one place a view kind becomes a definition.
 */
import { isComparison, type Comparison, type Trace } from '../shared/trace';
import { compareGatesView, compareHalfLifeView, compareSurvivalView } from './chart.compare';
import { entropyView, influenceView } from './chart.attention';
import { gatesView, headGatesView } from './chart.gates';
import { halfLifeView, spectrumView } from './chart.halflife';
import { heatmapView, matrixView } from './chart.heatmap';
import { saturationView } from './chart.saturation';
import { gridSeries, keepGateOf, matrixSeries } from './series';
import { survivalView } from './chart.survival';
import { cellMagnitudeView, forgettingView, hasCellMagnitude, hasForgettingCurves, hasTrainingCurves, trainingView } from './chart.training';
import type { ViewContext, ViewDefinition, ViewKind } from './view';

/**
 * The views of an output, main view first:
 * - step × unit heatmap when a `[batch, time, unit]` series exists (recurrent models);
 * - query × key matrix when a `[batch, head, query, key]` series exists (attention);
 * - a keep gate over units: gates, survival; over heads: the gates per head, survival;
 * - half-life distribution and spectrum, saturation scatter, entropy, influence: when the
 *   metric is there;
 * - a comparison: survival, keep gate and half-life of the variants overlaid.
 */
export function defaultViews(output: Trace | Comparison): ViewKind[] {
  // A trained model's output starts with its learning curves (a continual experiment's with the
  // forgetting curve) and, for the LSTM, its cell magnitude.
  const trained: ViewKind[] = [...(hasForgettingCurves(output) ? (['forgetting'] as const) : []), ...(hasTrainingCurves(output) ? (['training'] as const) : []), ...(hasCellMagnitude(output) ? (['cellMagnitude'] as const) : [])];
  if (isComparison(output)) {
    const any = output.variants.some((v) => keepGateOf(v.trace));
    const halfLife = output.variants.some((v) => keepGateOf(v.trace) && v.trace.metrics.halfLife?.length);
    return [...trained, ...(any ? ['compareSurvival', 'compareGates', ...(halfLife ? (['compareHalfLife'] as const) : [])] as ViewKind[] : [])];
  }
  const views: ViewKind[] = [...trained];
  const gate = keepGateOf(output);
  const grid = gridSeries(output).some((s) => s.axes[2] === 'unit');
  if (grid) views.push('heatmap');
  if (matrixSeries(output).length > 0) views.push('matrix');
  if (gate?.channel === 'unit') views.push('gates');
  if (gate?.channel === 'head') views.push('headGates');
  if (gate) views.push('survival');
  const halfLife = output.metrics.halfLife;
  if (gate && halfLife && halfLife.length === gate.channels) {
    views.push('halflife');
    if (gate.channel === 'unit' && halfLife.length > 16) views.push('spectrum');
  }
  if (gate && output.metrics.saturation?.low.length === gate.channels && gate.channels > 1) views.push('saturation');
  if (output.metrics.entropy) views.push('entropy');
  if (output.metrics.influence) views.push('influence');
  return views;
}

const BUILDERS: Record<ViewKind, (ctx: ViewContext) => ViewDefinition> = {
  heatmap: heatmapView,
  matrix: matrixView,
  gates: gatesView,
  headGates: headGatesView,
  survival: survivalView,
  halflife: halfLifeView,
  spectrum: spectrumView,
  saturation: saturationView,
  entropy: entropyView,
  influence: influenceView,
  compareSurvival: compareSurvivalView,
  compareGates: compareGatesView,
  compareHalfLife: compareHalfLifeView,
  training: trainingView,
  cellMagnitude: cellMagnitudeView,
  forgetting: forgettingView,
};

/** The definition of view `kind` for `ctx`. */
export function buildView(kind: ViewKind, ctx: ViewContext): ViewDefinition {
  return BUILDERS[kind](ctx);
}
