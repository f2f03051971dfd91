/**
 * chart.js with only the parts the views use (`CHART_PARTS`) and the zoom plugin (wheel with
 * Ctrl, pinch and drag to pan on long step axes), registered once for the renderer bundle.
 */
import { Chart } from 'chart.js';
import zoomPlugin from 'chartjs-plugin-zoom';
import { CHART_PARTS } from '../charts/registry';

Chart.register(...CHART_PARTS, zoomPlugin);

export { Chart };
