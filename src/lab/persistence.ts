/**
 * How long a secret persists (the privacy question): the connectivity matrix of a recurrent
 * model on its input (Madsen 2019, `influence.ts`), the curve of one input step s (the
 * "secret") through it, and the number of steps after which that curve stays below a fraction
 * of its peak.
 */
import type { PersistenceRecord } from '../shared/trace';
import type { LstmWeights, SequenceInput } from './data';
import type { GruWeights } from './gru';
import { connectivity, type GruInfluenceOptions, type InfluenceOptions } from './influence';
import { defaultOf, LIMITS } from './spec/schema';
import { SpecError } from './spec/validate';

/** What `persistence:` in a spec declares (defaults from the schema). */
export interface PersistenceSpec {
  /** The secret's step s, 0-based. */
  secretAt: number;
  /** Fraction of the peak the influence has to stay below; default 0.01. */
  threshold: number;
}

/** A persistence spec with the schema's defaults for what `given` leaves out. */
export function persistenceSpecOf(given: Partial<PersistenceSpec>): PersistenceSpec {
  return { secretAt: defaultOf('persistence.secretAt') as number, threshold: defaultOf('persistence.threshold') as number, ...given };
}

/** Refuses inputs longer than `LIMITS.persistenceTime` steps or without the secret's step, before anything runs. */
export function checkPersistenceTime(spec: PersistenceSpec, time: number, key: string): void {
  if (time > LIMITS.persistenceTime) throw new SpecError(`${key}: expected at most ${LIMITS.persistenceTime} steps with persistence (one backward pass per step), got ${time}`, key);
  if (spec.secretAt >= time) throw new SpecError(`persistence.secretAt: expected a step of the input, 0 to ${time - 1}, got ${spec.secretAt}`, 'persistence.secretAt');
}

/**
 * The secret's curve `c(k) = C[s][s+k]` for `k = 0 … T−1−s`: the influence of input step s on
 * the state k steps later, from a `[T][T]` row-major connectivity matrix.
 */
export function secretCurve(matrix: ArrayLike<number>, time: number, secretAt: number): number[] {
  return Array.from({ length: Math.max(0, time - secretAt) }, (_, k) => matrix[secretAt * time + secretAt + k]);
}

/**
 * Steps until the influence falls below `threshold` of its peak, for good: with P = max_k c(k),
 * the smallest k such that `c(j) < threshold·P` for every j from k to the end of the curve.
 * k counts steps after the secret (k = 0 is the secret's own step). `null` when the last value
 * is still ≥ threshold·P: the secret still matters at the end of the sequence. 0 when the
 * curve is all zero (the secret never mattered).
 */
export function stepsBelow(curve: readonly number[], threshold: number): number | null {
  const peak = Math.max(0, ...curve);
  if (peak === 0) return 0;
  let k = curve.length;
  while (k > 0 && curve[k - 1] < threshold * peak) k--;
  return k === curve.length ? null : k;
}

/** The largest value of a curve and its index k (the first one on ties). */
export function peakOf(curve: readonly number[]): { peak: number; at: number } {
  let at = 0;
  for (let k = 1; k < curve.length; k++) if (curve[k] > curve[at]) at = k;
  return { peak: curve[at] ?? 0, at };
}

/** The persistence record of `matrix` (`[T][T]`, row-major) for a secret at `spec.secretAt`. */
export function persistenceRecord(matrix: ArrayLike<number>, time: number, spec: PersistenceSpec): PersistenceRecord {
  const curve = secretCurve(matrix, time, spec.secretAt);
  const { peak, at } = peakOf(curve);
  return {
    secretAt: spec.secretAt,
    threshold: spec.threshold,
    connectivity: { shape: [time, time], data: Float32Array.from(matrix) },
    peak,
    peakAt: spec.secretAt + at,
    steps: stepsBelow(curve, spec.threshold),
  };
}

/** The model whose persistence is measured, with the options of its influence. */
export type PersistenceModel =
  | { model: 'lstm'; weights: LstmWeights; options: InfluenceOptions }
  | { model: 'gru'; weights: GruWeights; options: GruInfluenceOptions };

/**
 * Measures persistence on `input`: the connectivity matrix (one backward pass per step, at
 * most `LIMITS.persistenceTime` steps) and the secret's figures.
 */
export function measurePersistence(m: PersistenceModel, input: SequenceInput, spec: PersistenceSpec): PersistenceRecord {
  checkPersistenceTime(spec, input.time, 'input');
  const matrix = m.model === 'lstm' ? connectivity('lstm', input, m.weights, m.options) : connectivity('gru', input, m.weights, m.options);
  return persistenceRecord(matrix, input.time, spec);
}
