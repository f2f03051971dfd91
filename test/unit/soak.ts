/**
 * Sizes of the property, fault and leak tests: small enough for `npm test` on CI, long with
 * `npm run test:soak` (FGLAB_SOAK=1). Each test prints what it tried, so the figures of a run
 * can be read off its log.
 */
import fc, { type IAsyncProperty, type IProperty } from 'fast-check';

/** Whether this run is the long soak (`npm run test:soak`). */
export const SOAK = process.env.FGLAB_SOAK === '1';

/**
 * The seed of a randomised test: `FGLAB_SEED` when set (to replay a failure), a fixed one in
 * `npm test` (so CI is repeatable), a fresh one in the soak (so each soak explores new cases).
 * Every test prints the seed it used with its figures and in its failures.
 */
export function testSeed(fixed: number): number {
  if (process.env.FGLAB_SEED !== undefined) return Number(process.env.FGLAB_SEED);
  return SOAK ? Date.now() % 100_000 : fixed;
}

/** `ci` cases in `npm test`, `soak` cases in `npm run test:soak`. */
export function cases(ci: number, soak: number): number {
  return SOAK ? soak : ci;
}

/** Prints one line of figures under the running test, indented like mocha's output. */
export function report(line: string): void {
  console.log(`      ${line}`);
}

/**
 * `fc.assert` with the counterexample cut to `shown` characters: a failing case of a very long
 * generated input stays readable in the test log.
 */
export async function assertProperty<T>(property: IAsyncProperty<T> | IProperty<T>, params: Parameters<typeof fc.check>[1], shown = 400): Promise<void> {
  const details = await fc.check(property, { seed: testSeed(20261127), ...params });
  if (!details.failed) return;
  const cut = (v: string): string => (v.length > shown ? `${v.slice(0, shown)}… (${v.length} characters)` : v);
  const example = JSON.stringify(details.counterexample, (_, v) => (typeof v === 'string' ? cut(v) : v instanceof Uint8Array ? `bytes as text: ${cut(new TextDecoder().decode(v))}` : v));
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}"): ${cause.slice(0, 2000)}\ncounterexample: ${example.slice(0, 4 * shown)}`);
}
