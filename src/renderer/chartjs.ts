/**
 * chart.js with only the parts the views use registered (tree-shaken by the bundler): line and
 * bar charts on linear and category axes, band fill, titles, legend and tooltips.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  SubTitle,
  Title,
  Tooltip,
} from 'chart.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, LinearScale, CategoryScale, Filler, Legend, Title, SubTitle, Tooltip);

export { Chart };
