/**
 * The chart.js parts the views use, registered by the renderer and by the PNG export (so both
 * draw with the same pieces, and the bundler drops the rest): line and bar charts on linear,
 * logarithmic and category axes, band fill, titles, legends and min-max decimation of long
 * lines.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  SubTitle,
  Title,
} from 'chart.js';

export const CHART_PARTS = [LineController, LineElement, PointElement, BarController, BarElement, LinearScale, LogarithmicScale, CategoryScale, Filler, Legend, Title, SubTitle, Decimation];
