/**
 * The one schema of a lab spec cell. Run-time validation reads it now; editor completion,
 * hover documentation and the README's spec reference are to be generated from it too, so
 * that they cannot drift apart.
 */

interface NodeBase {
  /** One or two sentences: meaning, unit, formula where one applies. */
  doc: string;
  /** Value used when the key is absent (omitted: the key is required unless the parent says otherwise). */
  default?: unknown;
}

export interface ObjectNode extends NodeBase {
  type: 'object';
  properties: Record<string, SchemaNode>;
  /** Keys that must be present. */
  required?: readonly string[];
  /** Exactly one of these keys must be present (for example `random` or `file`). */
  exactlyOne?: readonly string[];
}

export interface IntegerNode extends NodeBase {
  type: 'integer';
  minimum?: number;
  maximum?: number;
}

export interface BooleanNode extends NodeBase {
  type: 'boolean';
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

export type SchemaNode = ObjectNode | IntegerNode | BooleanNode | EnumNode | PathNode | ShapeNode;

/** Largest sizes accepted; the trace-size estimate (see `MAX_TRACE_BYTES`) bounds their product. */
export const LIMITS = {
  units: 4096,
  batch: 4096,
  time: 1_000_000,
  features: 65_536,
} as const;

/** Largest trace a spec may ask for, in bytes (all float32 series together). */
export const MAX_TRACE_BYTES = 1024 ** 3;

const seed: IntegerNode = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  doc: 'Seed of the random generator (xoshiro128**); the same seed gives the same numbers on every machine.',
};

/** Schema of a spec cell. */
export const SPEC_SCHEMA: ObjectNode = {
  type: 'object',
  doc: 'A Forget Gate Lab spec: which model to run, on what input, with which weights.',
  required: ['model', 'units', 'input'],
  properties: {
    model: {
      type: 'enum',
      values: ['lstm'],
      doc: 'The model to trace.',
      valueDocs: {
        lstm: 'Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of Gers et al. 2000), Keras semantics: gate order i, f, c, o; c_t = f⊙c_{t−1} + i⊙tanh(c̃); h_t = o⊙tanh(c_t); zero initial state.',
      },
    },
    units: {
      type: 'integer',
      minimum: 1,
      maximum: LIMITS.units,
      doc: 'Number of recurrent units (the size of h_t and c_t), as `units` in Keras.',
    },
    input: {
      type: 'object',
      doc: 'The input sequence x: random numbers or a file.',
      exactlyOne: ['random', 'file'],
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
          properties: { seed: { ...seed, default: 0 } },
        },
        file: {
          type: 'path',
          extensions: ['.json'],
          doc: 'A JSON nested array [time][features] or [batch][time][features], relative to the notebook.',
        },
      },
    },
    weights: {
      type: 'object',
      doc: 'The weights: generated from a seed like Keras does, or read from a file.',
      exactlyOne: ['seed', 'file'],
      default: { seed: 0 },
      properties: {
        seed: {
          ...seed,
          doc: 'Generate weights like Keras: glorot-uniform kernel, orthogonal recurrent kernel, zero bias (plus the unit forget bias).',
        },
        file: {
          type: 'path',
          extensions: ['.json'],
          doc: 'JSON {"kernel": [features][4·units], "recurrentKernel": [units][4·units], "bias": [4·units]}, gate order i, f, c, o (Keras layout).',
        },
      },
    },
    recurrentActivation: {
      type: 'enum',
      values: ['sigmoid', 'hardSigmoid'],
      default: 'sigmoid',
      doc: 'Activation of the gates i, f, o.',
      valueDocs: {
        sigmoid: 'σ(x) = 1 / (1 + e^−x), the Keras default.',
        hardSigmoid: 'clip(0.2x + 0.5, 0, 1), the TensorFlow.js default.',
      },
    },
    unitForgetBias: {
      type: 'boolean',
      default: true,
      doc: 'Add 1 to the forget-gate bias of generated weights (Jozefowicz et al. 2015), the Keras default. Ignored for weights from a file.',
    },
  },
};
