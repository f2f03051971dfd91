/**
 * Chart definitions of a trace, shared by the notebook renderer and the PNG export: pure
 * functions from a `Trace` (or `Comparison`) and a `ChartTheme` to data and chart.js
 * configurations. Nothing here touches the DOM, creates a chart or imports Node.
 */
export * from './chart.attention';
export * from './chart.common';
export * from './chart.compare';
export * from './chart.gates';
export * from './chart.halflife';
export * from './chart.heatmap';
export * from './chart.saturation';
export * from './chart.survival';
export * from './chart.training';
export * from './colormap';
export * from './format';
export * from './headline';
export * from './heatmap';
export * from './histogram';
export * from './order';
export * from './plugin.heatmap';
export * from './series';
export * from './stats';
export * from './summary';
export * from './survival';
export * from './table';
export * from './theme';
export * from './view';
export * from './views';
