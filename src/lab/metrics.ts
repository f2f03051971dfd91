/**
 * Memory metrics of a forget-gate series `[batch, time, units]`, per unit `u`, over all batch
 * rows and steps.
 */
import type { TraceMetrics } from '../shared/trace';

/** Keep-gate metrics: always both. */
export type KeepGateMetrics = Required<Pick<TraceMetrics, 'halfLife' | 'saturation'>>;

/** Forget-gate values below this count as "closed" (forgetting), Karpathy et al. 2015. */
export const SATURATION_LOW = 0.1;
/** Forget-gate values above this count as "open" (remembering). */
export const SATURATION_HIGH = 0.9;

/**
 * Memory survival `R[b][t][u] = ∏_{k≤t} f[b][k][u]`: the share of the initial cell state
 * still in `c_t` (with `i = 0` it would be exactly `c_t / c_0`). Products in float64, written
 * into `out` when given.
 */
export function survival(forget: Float32Array, batch: number, time: number, units: number, out: Float32Array = new Float32Array(batch * time * units)): Float32Array {
  const r = new Float64Array(units);
  for (let b = 0; b < batch; b++) {
    r.fill(1);
    for (let t = 0; t < time; t++) {
      const row = (b * time + t) * units;
      for (let u = 0; u < units; u++) {
        r[u] *= forget[row + u];
        out[row + u] = r[u];
      }
    }
  }
  return out;
}

/** Kinds of a row's keep-gate totals, in this order: the sum, the count below `SATURATION_LOW`, the count above `SATURATION_HIGH`. */
export const KEEP_TOTALS = 3;

/**
 * Keep-gate totals per batch row and unit, `[batch][KEEP_TOTALS][units]`: Σ_t f[b][t][u] in
 * float64 (t in order), and the numbers of steps with f < 0.1 and f > 0.9. The metrics add the
 * rows up in order (`unitTotals`), so a batch traced in parts (threads, kernels that total the
 * rows while they run) gives the same bits as one pass. Written into `out` when given.
 */
export function keepRowTotals(values: Float32Array, batch: number, time: number, units: number, out: Float64Array = new Float64Array(batch * KEEP_TOTALS * units)): Float64Array {
  for (let b = 0; b < batch; b++) {
    const sums = out.subarray((b * KEEP_TOTALS) * units, (b * KEEP_TOTALS + 1) * units).fill(0);
    const low = out.subarray((b * KEEP_TOTALS + 1) * units, (b * KEEP_TOTALS + 2) * units).fill(0);
    const high = out.subarray((b * KEEP_TOTALS + 2) * units, (b * KEEP_TOTALS + 3) * units).fill(0);
    for (let t = 0; t < time; t++) {
      const at = (b * time + t) * units;
      for (let u = 0; u < units; u++) {
        const f = values[at + u];
        sums[u] += f;
        if (f < SATURATION_LOW) low[u]++;
        else if (f > SATURATION_HIGH) high[u]++;
      }
    }
  }
  return out;
}

/** Per-unit sums and saturation counts over all rows: the rows' totals added up in row order. */
function unitTotals(rowTotals: Float64Array, batch: number, units: number): { sums: Float64Array; low: Float64Array; high: Float64Array } {
  const [sums, low, high] = [new Float64Array(units), new Float64Array(units), new Float64Array(units)];
  for (let b = 0; b < batch; b++) {
    const at = b * KEEP_TOTALS * units;
    for (let u = 0; u < units; u++) {
      sums[u] += rowTotals[at + u];
      low[u] += rowTotals[at + units + u];
      high[u] += rowTotals[at + 2 * units + u];
    }
  }
  return { sums, low, high };
}

/** Mean forget gate per unit, `f̄_u`, in float64. */
export function meanPerUnit(values: Float32Array, batch: number, time: number, units: number): Float64Array {
  return unitTotals(keepRowTotals(values, batch, time, units), batch, units).sums.map((s) => s / (batch * time));
}

/**
 * Half-life in steps: `ln 0.5 / ln f̄_u`, the number of steps after which a constant forget
 * gate `f̄_u` keeps half of the memory. `null` when `f̄_u` is 0 (forgets at once) or 1 (never).
 */
export function halfLife(meanForget: ArrayLike<number>): (number | null)[] {
  return Array.from(meanForget, (f) => (f <= 0 || f >= 1 ? null : Math.log(0.5) / Math.log(f)));
}

/**
 * Half-life predicted from the forget-gate bias alone, per unit: `f_u = σ(b_f,u)` (the gate with
 * no input and no state), then `ln 0.5 / ln f_u` as in `halfLife`. `bias` is an LSTM bias in
 * the Keras layout `[4·units]` (gate order i, f, c, o); `activation` is the gate's (σ by default).
 */
export function predictedHalfLife(bias: ArrayLike<number>, units: number, activation: (x: number) => number): (number | null)[] {
  return halfLife(Array.from({ length: units }, (_, u) => activation(bias[units + u])));
}

/** Fractions of steps with the forget gate `< 0.1` (low) and `> 0.9` (high), per unit. */
export function saturation(forget: Float32Array, batch: number, time: number, units: number): { low: number[]; high: number[] } {
  const { low, high } = unitTotals(keepRowTotals(forget, batch, time, units), batch, units);
  const n = batch * time;
  return { low: Array.from(low, (c) => c / n), high: Array.from(high, (c) => c / n) };
}

/** All per-unit memory metrics of a forget-gate series (one pass over it). */
export function memoryMetrics(forget: Float32Array, batch: number, time: number, units: number): KeepGateMetrics {
  return memoryMetricsOfTotals(keepRowTotals(forget, batch, time, units), batch, time, units);
}

/** The same from the rows' totals (`keepRowTotals`, or a kernel's trace, which totals the rows as it runs). */
export function memoryMetricsOfTotals(rowTotals: Float64Array, batch: number, time: number, units: number): KeepGateMetrics {
  const { sums, low, high } = unitTotals(rowTotals, batch, units);
  const n = batch * time;
  return {
    halfLife: halfLife(sums.map((s) => s / n)),
    saturation: { low: Array.from(low, (c) => c / n), high: Array.from(high, (c) => c / n) },
  };
}

/** Median of the finite values, or null when there are none. */
export function median(values: readonly (number | null)[]): number | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  return finite.length % 2 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}
