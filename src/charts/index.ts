/**
 * Chart definitions of a trace, shared by the notebook renderer and the CLI's PNG export:
 * pure functions from a `Trace` and a `ChartTheme` to data and chart.js configurations. Nothing
 * here touches the DOM, creates a chart or imports Node.
 */
export * from './chart.gates';
export * from './chart.halflife';
export * from './chart.heatmap';
export * from './chart.survival';
export * from './colormap';
export * from './format';
export * from './headline';
export * from './heatmap';
export * from './histogram';
export * from './plugin.heatmap';
export * from './series';
export * from './stats';
export * from './summary';
export * from './survival';
export * from './theme';
export * from './table';
