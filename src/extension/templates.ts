/**
 * Cell templates: one per model (also offered as snippets in spec cells) and one per
 * experiment (several cells that compare settings). Adding a model is one entry in
 * `MODEL_TEMPLATES`. A unit test validates every spec here with the run's own validator.
 * No `vscode` import.
 */

/** One cell of a template: Markdown prose or a spec (YAML). */
export interface TemplateCell {
  kind: 'markdown' | 'spec';
  source: string;
}

export interface CellTemplate {
  /** Stable id, accepted as the argument of `fglab.insertCellTemplate`. */
  id: string;
  /** Quick-pick label. */
  label: string;
  /** One line: what it shows. */
  description: string;
  cells: readonly TemplateCell[];
}

/** A template with one spec cell for one model; also a snippet under `snippetPrefix`. */
export interface ModelTemplate extends CellTemplate {
  /** The `model:` value the spec uses. */
  model: string;
  /** What to type in a spec cell to get the snippet. */
  snippetPrefix: string;
}

const spec = (...lines: string[]): TemplateCell => ({ kind: 'spec', source: lines.join('\n') });
const markdown = (...lines: string[]): TemplateCell => ({ kind: 'markdown', source: lines.join('\n') });

/** Forgetting attention trained on recall with lag `lag`, kept as `name` (media/samples/attention-forgets.fglab). */
const recallTraining = (lag: number, name: string): TemplateCell => spec(
  'model: forgetting-attention',
  'heads: 2',
  'keyDim: 8',
  'forgetBias: 2',
  'weights: { seed: 2 }',
  `task: { name: recall, length: 16, lag: ${lag}, symbols: 4, trainSize: 192, testSize: 16, seed: 5 }`,
  `train: { epochs: 10, batchSize: 32, learningRate: 0.05, name: ${name} }`,
);

/** One template per model kind (the snippet list). */
export const MODEL_TEMPLATES: readonly ModelTemplate[] = [
  {
    id: 'model.lstm',
    model: 'lstm',
    snippetPrefix: 'lstm',
    label: 'LSTM: the classic Keras example',
    description: 'LSTMCell(units=128) over an input of shape (10, 64), seeded weights, Keras defaults',
    cells: [spec(
      '# LSTMCell(units=128) over an input of shape (10, 64), as in Keras.',
      'model: lstm',
      'units: 128',
      'input:',
      '  shape: [10, 64]',
      '  random: { seed: 7 }',
      'weights:',
      '  seed: 1',
      'recurrentActivation: sigmoid',
      'unitForgetBias: true',
    )],
  },
  {
    id: 'model.gru',
    model: 'gru',
    snippetPrefix: 'gru',
    label: 'GRU: the update gate as the keep gate',
    description: 'GRU(units=64) over an input of shape (50, 16), Keras 3 semantics (resetAfter)',
    cells: [spec(
      '# A GRU: h_t = z⊙h_{t−1} + (1−z)⊙h̃_t, so the update gate z decides what is kept.',
      'model: gru',
      'units: 64',
      'resetAfter: true',
      'input:',
      '  shape: [50, 16]',
      '  random: { seed: 3 }',
      'weights:',
      '  seed: 1',
    )],
  },
  {
    id: 'model.attention',
    model: 'attention',
    snippetPrefix: 'attention',
    label: 'Attention: softmax weights over a sentence',
    description: 'Two heads of scaled dot-product self-attention over the words of a sentence',
    cells: [spec(
      '# Softmax attention α = softmax(q·k / √keyDim) over the words of a sentence.',
      'model: attention',
      'heads: 2',
      'keyDim: 8',
      'score: scaled-dot',
      'causal: true',
      'input:',
      '  text: "the cat sat on the mat because the mat was warm"',
      '  tokens: words',
      '  features: 16',
      'weights:',
      '  seed: 2',
    )],
  },
  {
    id: 'model.forgettingAttention',
    model: 'forgetting-attention',
    snippetPrefix: 'forgetting-attention',
    label: 'Forgetting attention: a forget gate per head',
    description: 'Forgetting Transformer attention: the decay bias Σ ln f is added to the scores',
    cells: [spec(
      '# Forgetting attention: scores + Σ_{k=j+1..i} ln f_k, so old positions fade.',
      'model: forgetting-attention',
      'heads: 4',
      'keyDim: 8',
      'forgetBias: 2',
      'input:',
      '  text: "remember the first word of this rather long sentence until the very end"',
      '  tokens: words',
      '  features: 16',
      'weights:',
      '  seed: 5',
    )],
  },
  {
    id: 'model.compare',
    model: 'compare',
    snippetPrefix: 'compare',
    label: 'Compare: variants of one spec side by side',
    description: 'An LSTM without and with the unit forget bias, and with chrono initialisation',
    cells: [spec(
      '# Variants of one base spec, run on the same input and charted side by side.',
      'model: compare',
      'base:',
      '  model: lstm',
      '  units: 64',
      '  input:',
      '    shape: [100, 8]',
      '    random: { seed: 11 }',
      '  weights: { seed: 4 }',
      'variants:',
      '  - name: no forget bias',
      '    unitForgetBias: false',
      '  - name: unit forget bias',
      '  - name: chrono 100',
      '    init: { chrono: 100 }',
    )],
  },
];

/** Templates of several cells that compare settings (forgetting experiments). */
export const EXPERIMENT_TEMPLATES: readonly CellTemplate[] = [
  {
    id: 'experiment.forgetBias',
    label: 'Experiment: the unit forget bias and memory span',
    description: 'The same LSTM with and without b_f = 1: compare the forget gates and half-lives',
    cells: [
      markdown(
        '## Does the unit forget bias lengthen memory?',
        '',
        'Both cells run the same input and weights; only the forget-gate bias differs (`b_f = 1` or `0`).',
        'Compare the mean forget gate and the half-life `ln 0.5 / ln f̄` of each unit below the cells.',
      ),
      spec(
        '# With the unit forget bias (b_f = 1, the Keras default).',
        'model: lstm',
        'units: 64',
        'input:',
        '  shape: [50, 16]',
        '  random: { seed: 3 }',
        'weights: { seed: 11 }',
        'unitForgetBias: true',
      ),
      spec(
        '# Without it (b_f = 0, the TensorFlow.js default).',
        'model: lstm',
        'units: 64',
        'input:',
        '  shape: [50, 16]',
        '  random: { seed: 3 }',
        'weights: { seed: 11 }',
        'unitForgetBias: false',
      ),
    ],
  },
  {
    id: 'experiment.gateActivation',
    label: 'Experiment: sigmoid (Keras) vs hardSigmoid (TensorFlow.js)',
    description: 'The same LSTM with both gate activations: hardSigmoid saturates at exactly 0 and 1',
    cells: [
      markdown(
        '## Gate activation: sigmoid or hardSigmoid?',
        '',
        'Keras uses `sigmoid`; TensorFlow.js defaults to `hardSigmoid` = clip(0.2x + 0.5, 0, 1), which reaches exactly 0 and 1.',
        'Compare the saturation of the forget gate (steps below 0.1 and above 0.9).',
      ),
      spec(
        'model: lstm',
        'units: 32',
        'input:',
        '  shape: [40, 8]',
        '  random: { seed: 5 }',
        'weights: { seed: 2 }',
        'recurrentActivation: sigmoid',
      ),
      spec(
        'model: lstm',
        'units: 32',
        'input:',
        '  shape: [40, 8]',
        '  random: { seed: 5 }',
        'weights: { seed: 2 }',
        'recurrentActivation: hardSigmoid',
      ),
    ],
  },
  {
    id: 'experiment.longSequence',
    label: 'Experiment: how far back does memory reach?',
    description: 'A 1000-step sequence: memory survival ∏ f over a long horizon and the half-life spectrum',
    cells: [
      markdown(
        '## How far back does memory reach?',
        '',
        'Over 1000 steps, the survival `R(0→t) = ∏ f_k` shows how much of the first memory is left; units with a forget gate near 1 are the integrators.',
      ),
      spec(
        'model: lstm',
        'units: 32',
        'input:',
        '  shape: [1000, 8]',
        '  random: { seed: 9 }',
        'weights: { seed: 4 }',
      ),
    ],
  },
  {
    id: 'experiment.attentionLearnsSpan',
    label: 'Experiment: forgetting attention learns how long to remember',
    description: 'Train forgetting attention on recall with a short and a long lag: learnt forget gates and half-lives',
    cells: [
      markdown(
        '## Forgetting attention learns how long to remember',
        '',
        'The same 2-head forgetting attention trained on key–value `recall` with a lag of 2 and of 12 steps. Compare the forget gates and the half-life beside the task\'s lag in the training chart: they close for the short lag and open for the long one.',
      ),
      recallTraining(2, 'short lag'),
      recallTraining(12, 'long lag'),
    ],
  },
];

/** Every template, models first. */
export const CELL_TEMPLATES: readonly CellTemplate[] = [...MODEL_TEMPLATES, ...EXPERIMENT_TEMPLATES];

/** The template with `id`, or undefined. */
export function findTemplate(id: string): CellTemplate | undefined {
  return CELL_TEMPLATES.find((t) => t.id === id);
}

/** Escapes text for VS Code snippet syntax. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** A model template's spec as snippet text, with the cursor left at its end. */
export function specSnippet(template: ModelTemplate): string {
  const source = template.cells.find((c) => c.kind === 'spec')?.source ?? '';
  return `${escapeSnippet(source)}\n$0`;
}
