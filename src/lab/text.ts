/** Text input: tokens become steps (and the labels of every time axis), one-hot or embedded. */
import { createRandom } from './rng';

/**
 * Splits text into tokens. `chars`: one per character (by code point). `words`: runs of
 * letters, digits, apostrophes and underscores; every other non-space character is a token of
 * its own.
 */
export function tokenize(text: string, mode: 'chars' | 'words'): string[] {
  if (mode === 'chars') return Array.from(text);
  return text.match(/[\p{L}\p{N}_'’]+|[^\s\p{L}\p{N}_'’]/gu) ?? [];
}

/** The vocabulary: distinct tokens in order of first appearance. */
export function vocabulary(tokens: readonly string[]): string[] {
  return [...new Set(tokens)];
}

/**
 * Token features `[time][features]`: one-hot over the vocabulary, or rows of a seeded table
 * N(0, 1/features) of width `features`.
 */
export function encodeTokens(tokens: readonly string[], features: number | undefined, seed: number): { data: Float32Array; features: number; vocabulary: string[] } {
  const vocab = vocabulary(tokens);
  const index = new Map(vocab.map((t, i) => [t, i]));
  if (features === undefined) {
    const data = new Float32Array(tokens.length * vocab.length);
    tokens.forEach((t, i) => {
      data[i * vocab.length + (index.get(t) as number)] = 1;
    });
    return { data, features: vocab.length, vocabulary: vocab };
  }
  const random = createRandom(seed);
  const scale = 1 / Math.sqrt(features);
  const table = new Float32Array(vocab.length * features);
  for (let i = 0; i < table.length; i++) table[i] = random.normal() * scale;
  const data = new Float32Array(tokens.length * features);
  tokens.forEach((t, i) => {
    const row = index.get(t) as number;
    data.set(table.subarray(row * features, (row + 1) * features), i * features);
  });
  return { data, features, vocabulary: vocab };
}
