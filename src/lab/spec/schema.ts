/**
 * The one schema of a lab spec cell. Run-time validation, editor completion and hover, and
 * the README's spec reference are all generated from it, so they cannot drift apart.
 *
 * One object schema holds the keys of every model; `models` on a key says which models use
 * it (absent: all) and `requiredFor` which need it. `model: compare` takes `base` and
 * `variants`, whose entries are specs themselves.
 */

/** Values of `model:`. */
export type SpecModel = 'lstm' | 'gru' | 'attention' | 'forgetting-attention' | 'compare';

export const RECURRENT_MODELS: readonly SpecModel[] = ['lstm', 'gru'];
export const ATTENTION_MODELS: readonly SpecModel[] = ['attention', 'forgetting-attention'];
export const TRACE_MODELS: readonly SpecModel[] = [...RECURRENT_MODELS, ...ATTENTION_MODELS];

interface NodeBase {
  /** One or two sentences: meaning, unit, formula where one applies. */
  doc: string;
  /** Value used when the key is absent and applies to the model. */
  default?: unknown;
  /** Models (`SpecModel` values) that use this key (absent: every model). */
  models?: readonly string[];
  /** Models that require this key. */
  requiredFor?: readonly string[];
  /**
   * A key path (`weights.file`) that can supply this key's value: when that key is given, this
   * key may be left out, neither required nor defaulted, and its value is read from there at
   * run time (a model file says its model, units and activations); when both are given they
   * must agree.
   */
  suppliedBy?: string;
  /** A sibling key this key is used with (`layer` with `file`); it is an error without it. */
  requires?: string;
  /**
   * A seed whose default is the run's default seed (the `fglab.defaultSeed` setting in VS Code,
   * `--seed` in the CLI; 0 where none is set) instead of `default`.
   */
  seedDefault?: boolean;
}

export interface ObjectNode extends NodeBase {
  type: 'object';
  properties: Record<string, SchemaNode>;
  /** Keys that must be present whatever the model. */
  required?: readonly string[];
  /** Exactly one of these keys must be present (for example `random`, `file` or `text`). */
  exactlyOne?: readonly string[];
}

export interface IntegerNode extends NodeBase {
  type: 'integer';
  minimum?: number;
  maximum?: number;
}

/** A finite number; `exclusiveMaximum` excludes the bound itself. */
export interface NumberNode extends NodeBase {
  type: 'number';
  minimum?: number;
  maximum?: number;
  exclusiveMaximum?: boolean;
}

export interface BooleanNode extends NodeBase {
  type: 'boolean';
}

export interface StringNode extends NodeBase {
  type: 'string';
  /** Longest accepted string, in characters. */
  maxLength: number;
  /** Also accept an integer ≥ 0 (an index), kept as a number. */
  orIndex?: boolean;
}

export interface EnumNode extends NodeBase {
  type: 'enum';
  values: readonly string[];
  /** Documentation of each value. */
  valueDocs?: Readonly<Record<string, string>>;
}

/** A file path, relative to the notebook (or to the spec file for the CLI). */
export interface PathNode extends NodeBase {
  type: 'path';
  /** Accepted extensions, with the dot. */
  extensions: readonly string[];
}

/** A tensor shape: a list of integers. */
export interface ShapeNode extends NodeBase {
  type: 'shape';
  minItems: number;
  maxItems: number;
  item: IntegerNode;
}

/** A list of items of one schema. */
export interface ListNode extends NodeBase {
  type: 'list';
  minItems: number;
  maxItems: number;
  items: SchemaNode;
}

export type SchemaNode = ObjectNode | IntegerNode | NumberNode | BooleanNode | StringNode | EnumNode | PathNode | ShapeNode | ListNode;

/** Largest sizes accepted; the trace-size estimate (see `MAX_TRACE_BYTES`) bounds their product. */
export const LIMITS = {
  units: 4096,
  batch: 4096,
  time: 1_000_000,
  features: 65_536,
  heads: 64,
  keyDim: 1024,
  /** Attention matrices are time × time: longer inputs take too much memory. */
  attentionTime: 4096,
  textLength: 100_000,
  /** Longest file path a spec may name, in characters (Linux's own limit is 4096 bytes). */
  pathLength: 1024,
  variants: 16,
} as const;

/** Largest trace a spec may ask for, in bytes (all float32 series together). */
export const MAX_TRACE_BYTES = 1024 ** 3;

const seed = (doc: string, extra: Partial<IntegerNode> = {}): IntegerNode => ({ type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, doc, ...extra });
/** A seed that defaults to the run's default seed (`fglab.defaultSeed`, `--seed`; else 0). */
const defaultedSeed = (doc: string): IntegerNode =>
  seed(`${doc} Default: the \`fglab.defaultSeed\` setting (\`--seed\` in the CLI), 0 when unset.`, { default: 0, seedDefault: true });

/** The key whose model file can supply `model`, `units` and the recurrent options. */
export const WEIGHTS_FILE_KEY = 'weights.file';

const MODEL: EnumNode = {
  type: 'enum',
  values: ['lstm', 'gru', 'attention', 'forgetting-attention', 'compare'],
  suppliedBy: WEIGHTS_FILE_KEY,
  doc: 'The model to trace. With a model file in `weights.file` it may be left out: the traced layer decides (lstm or gru).',
  valueDocs: {
    lstm: 'Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), Keras semantics: gate order i, f, c, o; c_t = f⊙c_{t−1} + i⊙tanh(c̃); h_t = o⊙tanh(c_t); zero initial state.',
    gru: 'Gated recurrent unit (Cho et al. 2014), Keras semantics, gate order z, r, h: h_t = z⊙h_{t−1} + (1−z)⊙h̃_t. The update gate z is the keep gate.',
    attention: 'Softmax attention over the input sequence (self-attention), single- or multi-head: α = softmax(e).',
    'forgetting-attention': 'Forgetting Transformer attention (Lin et al. 2025): a forget gate per head and step; the decay bias D_ij = Σ_{k=j+1..i} ln f_k is added to the scaled scores before the causal softmax.',
    compare: 'Several variants of one base spec, run on the same input and shown side by side.',
  },
};

/** A memory task (`task`, and the later task B of `continual.then`). */
const TASK: ObjectNode = {
  type: 'object',
  models: TRACE_MODELS,
  required: ['name'],
  doc: 'A memory task with a known lag, generated from a seed (train and test splits): the input of the trace (its test split) and, with `train`, what the model learns. A dense readout on the recurrent layer (attention: on the output of the heads at each step) gives the outputs. Attention with a task must be causal; `prune` is not used with it.',
  properties: {
    name: {
      type: 'enum',
      values: ['reber', 'copy', 'adding', 'recall'],
      doc: 'Which task.',
      valueDocs: {
        reber: 'The continual embedded Reber grammar (Gers et al. 2000): strings B, T or P, an inner Reber string, the same T or P, E, back to back with no resets; one-hot over 7 symbols, predict the next symbol. Lag: the outer T/P to its repetition.',
        copy: 'Reproduce `symbols` symbols (of 8) after `lag` blank steps. Lag: symbols + lag.',
        adding: 'The adding problem (Hochreiter & Schmidhuber 1997) over `length` steps: a value and a marker per step, output the sum of the two marked values (one in each half) at the end. Lag: first marker to the end.',
        recall: 'A key (of `symbols`) shown with a value (of 8) at a random step, the key queried `lag` steps later: output the value. Lag: `lag`.',
      },
    },
    length: { type: 'integer', minimum: 2, maximum: 100_000, default: 50, doc: 'Steps of each training sequence (reber, adding, recall; copy takes 2·symbols + lag).' },
    lag: { type: 'integer', minimum: 1, maximum: 100_000, default: 10, doc: 'copy: blank steps before the reproduction; recall: steps from the key to its query.' },
    symbols: { type: 'integer', minimum: 1, maximum: 64, default: 3, doc: 'copy: symbols to reproduce; recall: distinct keys.' },
    trainSize: { type: 'integer', minimum: 1, maximum: 100_000, default: 256, doc: 'Training sequences.' },
    testSize: { type: 'integer', minimum: 1, maximum: 4096, default: 32, doc: 'Test sequences (reber: test streams); the trace shows the model on them.' },
    testLength: { type: 'integer', minimum: 2, maximum: LIMITS.time, doc: 'reber: steps of each continual test stream (default 10 × length).' },
    seed: defaultedSeed('Seed of the generated data (the test split uses a seed derived from it).'),
  },
};

/** Keys shared by every traced model (everything but `compare`'s own keys). */
const MODEL_PROPERTIES: Record<string, SchemaNode> = {
  model: MODEL,
  units: {
    type: 'integer',
    minimum: 1,
    maximum: LIMITS.units,
    models: RECURRENT_MODELS,
    requiredFor: RECURRENT_MODELS,
    suppliedBy: WEIGHTS_FILE_KEY,
    doc: 'Number of recurrent units (the size of h_t and c_t), as `units` in Keras. With `weights.file` it may be left out: the file says it.',
  },
  input: {
    type: 'object',
    doc: 'The input sequence x: random numbers, a file or text.',
    exactlyOne: ['random', 'file', 'text'],
    properties: {
      shape: {
        type: 'shape',
        minItems: 2,
        maxItems: 3,
        item: { type: 'integer', minimum: 1, doc: 'A dimension.' },
        doc: '[time, features] or [batch, time, features]. Required with `random`; with `file` it is optional and must match the file.',
      },
      random: {
        type: 'object',
        doc: 'Standard normal input, seeded: reproducible across machines.',
        properties: { seed: defaultedSeed('Seed of the random generator (xoshiro128**); the same seed gives the same numbers on every machine.') },
      },
      file: {
        type: 'path',
        extensions: ['.json', '.npy', '.csv'],
        doc: 'A JSON nested array [time][features] or [batch][time][features], a NumPy .npy (float32 or float64, C order, 2 or 3 dims), or a CSV of numbers with one row per step; relative to the notebook.',
      },
      text: {
        type: 'string',
        maxLength: LIMITS.textLength,
        doc: 'Text to feed the model: its tokens become the step labels on every time axis.',
      },
      tokens: {
        type: 'enum',
        values: ['chars', 'words', 'ids'],
        doc: 'How `text` is split into steps (default `chars`).',
        valueDocs: {
          chars: 'One step per character.',
          words: 'One step per word (runs of letters or digits; punctuation marks are words of their own).',
          ids: 'Integer token ids separated by spaces or commas (`text: "12 7 7 3"`), fed to the Embedding layer that starts the model of `weights.file`.',
        },
      },
      vocabulary: {
        type: 'path',
        extensions: ['.json', '.txt'],
        requires: 'text',
        doc: 'With `text` and a model of `weights.file` that starts with an Embedding layer: the tokens of that layer, which map `text` to ids. A JSON list (the token of id i at index i), a JSON object {token: id}, or a .txt file with one token per line. Tokens not in it take the id of `[UNK]` or `<unk>` when there is one.',
      },
      features: {
        type: 'integer',
        minimum: 1,
        maximum: LIMITS.features,
        doc: 'With `text`: embed each token with a seeded random table of this width (N(0, 1/features)) instead of one-hot over the vocabulary.',
      },
      seed: { ...defaultedSeed('With `text` and `features`: seed of the embedding table.'), requires: 'features' },
    },
  },
  weights: {
    type: 'object',
    doc: 'The weights: generated from a seed like Keras does, or read from a file: a trained model (TensorFlow.js, Keras, PyTorch) or arrays in the Keras layout.',
    exactlyOne: ['seed', 'file', 'from'],
    default: { seed: 0 },
    properties: {
      from: {
        type: 'string',
        maxLength: 200,
        doc: 'A model trained by an earlier cell of this notebook, by the name it was kept under (`train.name`, default the cell\'s name such as `cell 2`): its weights and readout, as they were when that cell finished or was interrupted. Kept by the kernel until it restarts.',
      },
      seed: defaultedSeed('Generate weights like Keras: glorot-uniform kernels, orthogonal recurrent kernel, zero biases (plus the forget-gate bias settings).'),
      file: {
        type: 'path',
        extensions: ['.json', '.keras', '.h5', '.hdf5', '.safetensors'],
        doc: 'A trained model: a TensorFlow.js `model.json` (its weight shards beside it), a Keras `.keras` or `.h5` file, or a PyTorch state dict (`.safetensors`, or JSON of nested lists) of an `nn.LSTM` or `nn.GRU`. Its LSTM or GRU layer gives the model, `units`, `recurrentActivation`, `resetAfter` and `unitForgetBias` (the spec may leave them out; given, they must agree), and the layers before it (Embedding, Dense, …) run first. Or JSON arrays in the Keras layout. LSTM: {"kernel": [features][4·units], "recurrentKernel": [units][4·units], "bias": [4·units]}, gate order i, f, c, o. GRU: kernel [features][3·units], recurrentKernel [units][3·units], bias [3·units] or [2][3·units] (resetAfter), gate order z, r, h. Attention: "query", "key", "value" [features][heads·keyDim] (additive also "Wq", "Wk" [heads][keyDim][keyDim] and "v" [heads][keyDim]); forgetting attention also "forgetKernel" [features][heads] and "forgetBias" [heads].',
      },
      layer: {
        type: 'string',
        maxLength: 200,
        orIndex: true,
        requires: 'file',
        doc: 'Which recurrent layer of a model file to trace: its name, its index among the recurrent layers (0 is the first; for PyTorch the N of `weight_ih_lN`), or `all` for every recurrent layer in turn, each fed the previous one\'s output (a stack, shown as one trace per layer). Default: the first recurrent layer.',
      },
      layout: {
        type: 'enum',
        values: ['keras', 'pytorch'],
        requires: 'file',
        doc: 'How a JSON or .safetensors state dict lays out its arrays; detected from the names when absent.',
        valueDocs: {
          keras: 'kernel [features][gates·units], recurrent kernel, one bias; gate order i, f, c, o (LSTM), z, r, h (GRU).',
          pytorch: 'weight_ih_lN [gates·units][features], weight_hh_lN [gates·units][units], bias_ih_lN and bias_hh_lN (added for the LSTM); gate order i, f, g, o (LSTM), r, z, n (GRU, read as resetAfter: true). A module prefix (`rnn.weight_ih_l0`) is allowed.',
        },
      },
    },
  },
  recurrentActivation: {
    type: 'enum',
    values: ['sigmoid', 'hardSigmoid', 'kerasHardSigmoid'],
    default: 'sigmoid',
    suppliedBy: WEIGHTS_FILE_KEY,
    models: RECURRENT_MODELS,
    doc: 'Activation of the gates (i, f, o of the LSTM; z, r of the GRU).',
    valueDocs: {
      sigmoid: 'σ(x) = 1 / (1 + e^−x), the Keras default.',
      hardSigmoid: 'clip(0.2x + 0.5, 0, 1), the TensorFlow.js default.',
      kerasHardSigmoid: 'clip(x/6 + 0.5, 0, 1), Keras 3 `hard_sigmoid`.',
    },
  },
  unitForgetBias: {
    type: 'boolean',
    default: true,
    suppliedBy: WEIGHTS_FILE_KEY,
    models: ['lstm'],
    doc: 'Add 1 to the forget-gate bias of generated weights (Jozefowicz et al. 2015), the Keras default. Weights from a file are used as they are (a model file records its setting).',
  },
  forgetGate: {
    type: 'boolean',
    models: ['lstm'],
    doc: 'Whether the LSTM has a forget gate (absent: true). false is the original LSTM of Hochreiter & Schmidhuber (1997): f ≡ 1, c_t = c_{t−1} + i⊙g, so the cell state can only grow (Gers et al. 2000 added the gate). The f columns of the weights are then unused.',
  },
  forgetBias: {
    type: 'number',
    minimum: -100,
    maximum: 100,
    default: 0,
    models: ['lstm', 'forgetting-attention'],
    doc: 'Added to the forget-gate bias of generated weights (on top of `unitForgetBias` for the LSTM): larger values start the gate nearer 1, that is longer memory.',
  },
  init: {
    type: 'object',
    models: ['lstm'],
    doc: 'Initialisation schemes for generated weights.',
    properties: {
      chrono: {
        type: 'integer',
        minimum: 2,
        maximum: LIMITS.time,
        doc: 'Chrono initialisation (Tallec & Ollivier 2018) for dependencies up to T steps: forget bias log U(1, T−1), input bias its negative. Replaces the unit forget bias.',
      },
    },
  },
  resetAfter: {
    type: 'boolean',
    default: true,
    suppliedBy: WEIGHTS_FILE_KEY,
    models: ['gru'],
    doc: 'Apply the reset gate after the recurrent matrix product: h̃ = tanh(x·K_h + b_xh + r⊙(h·R_h + b_hh)) (true: Keras 3, PyTorch, cuDNN; bias [2][3·units]) or before: h̃ = tanh(x·K_h + (r⊙h)·R_h + b_h) (false: TensorFlow.js, Keras 2; bias [3·units]).',
  },
  heads: {
    type: 'integer',
    minimum: 1,
    maximum: LIMITS.heads,
    default: 1,
    models: ATTENTION_MODELS,
    doc: 'Number of attention heads; head h owns columns h·keyDim … (h+1)·keyDim−1 of the projections.',
  },
  keyDim: {
    type: 'integer',
    minimum: 1,
    maximum: LIMITS.keyDim,
    models: ATTENTION_MODELS,
    requiredFor: ATTENTION_MODELS,
    doc: 'Size of each head\'s queries, keys and values.',
  },
  score: {
    type: 'enum',
    values: ['dot', 'scaled-dot', 'additive'],
    default: 'scaled-dot',
    models: ['attention'],
    doc: 'How the score e_ij of query i and key j is computed (forgetting attention always uses scaled-dot).',
    valueDocs: {
      dot: 'e_ij = q_i·k_j.',
      'scaled-dot': 'e_ij = q_i·k_j / √keyDim (Vaswani et al. 2017).',
      additive: 'e_ij = vᵀ tanh(W_q q_i + W_k k_j) (Bahdanau et al. 2015): the score computed by a small network.',
    },
  },
  causal: {
    type: 'boolean',
    default: false,
    models: ['attention'],
    doc: 'Mask keys after the query (j > i): their weights are exactly 0. Forgetting attention is always causal.',
  },
  prune: {
    type: 'object',
    models: ATTENTION_MODELS,
    doc: 'Thresholded forgetting: attention weights below `below` are set to 0 and each row is renormalised; the largest weight of a row is always kept.',
    properties: {
      below: { type: 'number', minimum: 0, maximum: 1, exclusiveMaximum: true, doc: 'The threshold p in [0, 1).', default: 0.05 },
    },
  },
  task: TASK,
  train: {
    type: 'object',
    models: TRACE_MODELS,
    requires: 'task',
    doc: 'Train the model on `task` in the kernel before tracing it, by TensorFlow.js autodiff through the same cell that traces use (attention: the same forward pass; trained are the Q, K, V projections, the forget gates\' kernel and bias, the additive score network, and the readout). The output shows live progress, then the training curves and the trained model\'s trace on the test split; the model is kept for later cells (`weights: { from: … }`).',
    properties: {
      epochs: { type: 'integer', minimum: 1, maximum: 100_000, default: 10, doc: 'Passes over the training split.' },
      batchSize: { type: 'integer', minimum: 1, maximum: LIMITS.batch, default: 32, doc: 'Sequences per optimizer step.' },
      learningRate: { type: 'number', minimum: 0, maximum: 10, default: 0.01, doc: 'Step size of the optimizer.' },
      optimizer: {
        type: 'enum',
        values: ['adam', 'sgd', 'rmsprop'],
        default: 'adam',
        doc: 'The optimizer (TensorFlow.js `tf.train.*`).',
        valueDocs: { adam: 'Adam (Kingma & Ba 2015).', sgd: 'Plain stochastic gradient descent.', rmsprop: 'RMSProp (Tieleman & Hinton 2012).' },
      },
      clipNorm: { type: 'number', minimum: 0, maximum: 1e6, default: 1, doc: 'Gradients are scaled down to this global L2 norm when larger; 0 turns clipping off.' },
      seed: defaultedSeed('Seed of the order in which training sequences are drawn (the initial weights come from `weights.seed`).'),
      name: { type: 'string', maxLength: 200, doc: 'Name the trained model is kept under for `weights: { from: … }` (default the cell\'s name, such as `cell 2`).' },
    },
  },
  experiment: {
    type: 'enum',
    values: ['learning-to-forget', 'continual'],
    models: ['lstm'],
    requires: 'train',
    doc: 'Run an experiment on this spec: several trainings side by side.',
    valueDocs: {
      continual: 'Catastrophic forgetting (McCloskey & Cohen 1989): train on `task` (A), then on `continual.then` (B) with each of `continual.mitigations`, all from the same A-trained model and the same order of B\'s data. Charts A\'s test accuracy throughout B\'s training (the forgetting curve), one line per mitigation, and the forget gates and half-lives after A and after B (traced on A\'s test split); the metrics give A\'s retained accuracy and B\'s accuracy.',
      'learning-to-forget': 'Gers, Schmidhuber & Cummins (2000): the same LSTM trained on the same task without a forget gate (f ≡ 1, the 1997 LSTM) and with one. On `reber`: cell-state magnitude over the test stream, forget gates under the symbols, outer T/P and legal-next-symbol accuracy for both.',
    },
  },
  continual: {
    type: 'object',
    models: ['lstm'],
    requires: 'experiment',
    required: ['then'],
    doc: 'With `experiment: continual`: the task learnt after `task`, and the mitigations of forgetting to compare. B trains with the settings of `train`.',
    properties: {
      then: {
        ...TASK,
        models: ['lstm'],
        doc: 'Task B, learnt after `task` (A). With the same features and outputs as A (such as the same task with another lag) it feeds the same inputs; otherwise A\'s and B\'s inputs are laid side by side (features of A, then of B) and the outputs shared (both must be classification, or both `adding`).',
      },
      mitigations: {
        type: 'list',
        minItems: 1,
        maxItems: 3,
        items: {
          type: 'enum',
          values: ['none', 'rehearsal', 'ewc'],
          doc: 'A way to keep task A while learning B.',
          valueDocs: {
            none: 'Plain training on B.',
            rehearsal: 'Replay: A\'s training sequences mixed into every batch of B, `rehearsal` of the batch\'s sequences, in a seeded order.',
            ewc: 'Elastic weight consolidation (Kirkpatrick et al. 2017): B\'s loss plus (λ/2)·Σ_i F_i (θ_i − θ*_i)², θ* the A-trained weights and F the diagonal of the empirical Fisher information on A\'s training split (mean over its sequences of the squared gradient of the log-likelihood of the targets).',
          },
        },
        default: ['none', 'rehearsal', 'ewc'],
        doc: 'The mitigations to compare, each a training on B from the same A-trained model.',
      },
      rehearsal: { type: 'number', minimum: 0, maximum: 1, exclusiveMaximum: true, default: 0.25, doc: 'rehearsal: the share of every batch\'s sequences replayed from A, in [0, 1).' },
      ewcLambda: { type: 'number', minimum: 0, maximum: 1e12, default: 100_000, doc: 'ewc: λ, the weight of the penalty (λ/2)·Σ_i F_i (θ_i − θ*_i)². Once A is learnt its log-likelihood gradients, and so F, are small: useful λ are large (1e5–1e6 on the sample).' },
      epochs: { type: 'integer', minimum: 1, maximum: 100_000, doc: 'Epochs of B (default `train.epochs`).' },
      evaluations: { type: 'integer', minimum: 1, maximum: 100, default: 4, doc: 'Evaluations of A\'s and B\'s test splits per epoch of B (at evenly spaced steps; also once before B).' },
    },
  },
  show: {
    type: 'list',
    minItems: 0,
    maxItems: 1,
    items: {
      type: 'enum',
      values: ['influence'],
      doc: 'An extra analysis.',
      valueDocs: { influence: '‖∂(Σ_u h_{T−1,u}) / ∂x_t‖₂ for every step t (the last query\'s output for attention): how long one input keeps mattering.' },
    },
    default: [],
    doc: 'Extra analyses to compute and chart.',
  },
};

const VARIANT: ObjectNode = {
  type: 'object',
  required: ['name'],
  doc: 'A variant: a name and the keys it changes in `base`.',
  properties: {
    name: { type: 'string', maxLength: 80, doc: 'The name shown in the legend.' },
    ...MODEL_PROPERTIES,
  },
};

/** Schema of a spec cell. */
export const SPEC_SCHEMA: ObjectNode = {
  type: 'object',
  doc: 'A Forget Gate Lab spec: which model to run, on what input, with which weights.',
  required: ['model'],
  properties: {
    ...MODEL_PROPERTIES,
    input: { ...(MODEL_PROPERTIES.input as ObjectNode), requiredFor: TRACE_MODELS, models: TRACE_MODELS, suppliedBy: 'task' },
    base: {
      type: 'object',
      models: ['compare'],
      requiredFor: ['compare'],
      doc: 'The spec every variant starts from (any model).',
      properties: MODEL_PROPERTIES,
    },
    variants: {
      type: 'list',
      minItems: 1,
      maxItems: LIMITS.variants,
      models: ['compare'],
      requiredFor: ['compare'],
      items: VARIANT,
      doc: 'The variants, each a `name` plus the keys it changes in `base` (mappings merge key by key).',
    },
  },
};
