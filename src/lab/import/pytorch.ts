/**
 * State dicts: PyTorch's `nn.LSTM` / `nn.GRU` parameters (`weight_ih_lN`, `weight_hh_lN`,
 * `bias_ih_lN`, `bias_hh_lN`, any module prefix) from a `.safetensors` file or JSON of nested
 * lists, mapped to the Keras layout; and the lab's own Keras-layout arrays (`kernel`,
 * `recurrentKernel`, `bias`) from either container.
 *
 * PyTorch stacks the gates' rows: LSTM i, f, g, o (Keras's order i, f, c, o) with two biases
 * that are only ever added, `b_ih + b_hh`; GRU r, z, n, which Keras orders z, r, h, with
 * n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)): Keras's `reset_after=True`, whose bias rows
 * are the input and the recurrent bias. Keras kernels are the transposed weights.
 */
import { readNested } from '../files';
import { SpecError } from '../spec/validate';
import { utf8Decode } from '../../shared/utf8';
import { checkFinite, fileError, readFloats, sizeOf, transpose, type ModelFile, type ModelLayer, type Tensor } from './model-file';

/** Named tensors of a state dict, in the order saved. */
export type StateDict = Map<string, Tensor>;

const SAFETENSORS_DTYPES: Readonly<Record<string, 'float32' | 'float64'>> = { F32: 'float32', F64: 'float64' };

/**
 * Whether bytes look like a `.safetensors` file: an 8-byte little-endian header length, then
 * a JSON header starting with `{`.
 */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  return n > 1 && n <= bytes.length - 8 && bytes[8] === 0x7b;
}

/** Reads a `.safetensors` file: header length (u64 LE), JSON header, then the raw data. */
export function readSafetensors(bytes: Uint8Array, path: string): StateDict {
  if (!looksLikeSafetensors(bytes)) throw fileError(path, 'is not a .safetensors file (expected an 8-byte header length, then a JSON header)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(utf8Decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (e) {
    throw fileError(path, `has a .safetensors header that is not valid JSON: ${(e as Error).message}`);
  }
  const data = bytes.subarray(8 + n);
  const dict: StateDict = new Map();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = SAFETENSORS_DTYPES[String(entry.dtype)];
    if (!dtype) throw fileError(path, `tensor "${name}" has dtype ${String(entry.dtype)}; expected F32 or F64 (save with .float())`);
    const shape = entry.shape as number[];
    const [begin, end] = entry.data_offsets as [number, number];
    const size = sizeOf(shape) * (dtype === 'float32' ? 4 : 8);
    if (!Array.isArray(shape) || end - begin !== size) throw fileError(path, `tensor "${name}" has ${end - begin} bytes for shape [${shape}], expected ${size}`);
    if (end > data.length) throw fileError(path, `is truncated: tensor "${name}" ends at byte ${end} of the data, which has ${data.length}`);
    dict.set(name, checkFinite(path, name, { shape, data: readFloats(data.subarray(begin, end), dtype, sizeOf(shape)) }));
  }
  return dict;
}

/** Reads a JSON state dict: `{"name": nested list, …}` of finite numbers. */
export function readJsonStateDict(json: Record<string, unknown>, path: string): StateDict {
  const dict: StateDict = new Map();
  for (const [name, value] of Object.entries(json)) {
    try {
      dict.set(name, readNested(value, `weights.file ${name}`, 1, 3, 'a nested list of numbers'));
    } catch (e) {
      if (e instanceof SpecError) throw new SpecError(`${e.message} (in "${path}")`, 'weights.file');
      throw e;
    }
  }
  return dict;
}

const PYTORCH_KEY = /^(.*?)(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?$/;

/** Whether a state dict has PyTorch recurrent parameters. */
export function isPytorchStateDict(names: Iterable<string>): boolean {
  for (const n of names) if (PYTORCH_KEY.test(n)) return true;
  return false;
}

/** Reorders the three gate blocks of the last axis from PyTorch's r, z, n to Keras's z, r, h. */
function rzToZr(t: Tensor): Tensor {
  const cols = t.shape[t.shape.length - 1];
  const H = cols / 3;
  const rows = t.data.length / cols;
  const out = new Float32Array(t.data.length);
  for (let r = 0; r < rows; r++) {
    const src = t.data.subarray(r * cols, (r + 1) * cols);
    const dst = out.subarray(r * cols, (r + 1) * cols);
    dst.set(src.subarray(H, 2 * H), 0); // z
    dst.set(src.subarray(0, H), H); // r
    dst.set(src.subarray(2 * H, 3 * H), 2 * H); // n = h̃
  }
  return { shape: [...t.shape], data: out };
}

function expectShape(path: string, name: string, t: Tensor | undefined, shape: number[]): Tensor {
  if (!t) throw fileError(path, `has no "${name}"; expected a tensor of shape [${shape.join(', ')}]`);
  if (t.shape.join() !== shape.join()) throw fileError(path, `tensor "${name}" has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
  return t;
}

/**
 * The recurrent layers of a PyTorch state dict, in the Keras layout: one layer per module
 * prefix and index N (named `l0`, `rnn.l1`, …), each fed by the previous index of its module.
 */
export function pytorchModelFile(dict: StateDict, path: string): ModelFile {
  const groups = new Map<string, { prefix: string; index: number; reverse: boolean; params: Map<string, Tensor> }>();
  for (const [name, t] of dict) {
    const m = PYTORCH_KEY.exec(name);
    if (!m) continue;
    const id = `${m[1]}l${m[3]}`;
    const group = groups.get(id) ?? { prefix: m[1], index: Number(m[3]), reverse: false, params: new Map() };
    if (m[4]) group.reverse = true;
    else group.params.set(m[2], t);
    if (m[2] === 'weight_hr') throw fileError(path, `has "${name}": an nn.LSTM with proj_size, which the lab does not trace`);
    groups.set(id, group);
  }
  if (groups.size === 0) {
    const names = [...dict.keys()];
    throw fileError(path, `has no PyTorch recurrent weights (weight_ih_lN, weight_hh_lN); it holds ${names.length ? names.slice(0, 12).map((n) => `"${n}"`).join(', ') : 'no tensors'}`);
  }
  const layers: ModelLayer[] = [];
  for (const [id, g] of groups) {
    const hh = g.params.get('weight_hh');
    if (!hh || hh.shape.length !== 2) throw fileError(path, `has no 2-D "${g.prefix}weight_hh_l${g.index}"`);
    const [rows, H] = hh.shape;
    const gates = rows / H;
    if (gates !== 4 && gates !== 3) throw fileError(path, `"${g.prefix}weight_hh_l${g.index}" has shape [${hh.shape.join(', ')}]: ${gates} gate blocks; expected 4 (nn.LSTM) or 3 (nn.GRU)`);
    if (g.reverse) throw fileError(path, `layer "${id}" is bidirectional (…_reverse weights); the lab traces one direction: save a unidirectional module`);
    const model = gates === 4 ? 'lstm' : 'gru';
    const ih = g.params.get('weight_ih');
    if (!ih || ih.shape.length !== 2 || ih.shape[0] !== gates * H) {
      throw fileError(path, `"${g.prefix}weight_ih_l${g.index}" has shape ${ih ? `[${ih.shape.join(', ')}]` : 'nothing'}, expected [${gates * H}, features]`);
    }
    const useBias = g.params.has('bias_ih') || g.params.has('bias_hh');
    const bias = (kind: 'bias_ih' | 'bias_hh'): Tensor =>
      useBias ? expectShape(path, `${g.prefix}${kind}_l${g.index}`, g.params.get(kind), [gates * H]) : { shape: [gates * H], data: new Float32Array(gates * H) };
    layers.push({
      name: id,
      className: model === 'lstm' ? 'LSTM' : 'GRU',
      config: { name: id, units: H, activation: 'tanh', recurrent_activation: 'sigmoid', use_bias: true, return_sequences: true, ...(model === 'gru' ? { reset_after: true } : { unit_forget_bias: false }) },
      inbound: g.index === 0 ? [] : [`${g.prefix}l${g.index - 1}`],
      // nn.LSTM and nn.GRU always use sigmoid gates; PyTorch has no unit forget bias.
      says: ['model', 'units', 'recurrentActivation', 'resetAfter'],
      weights: async () => {
        const bi = bias('bias_ih');
        const bh = bias('bias_hh');
        if (model === 'lstm') {
          const b = new Float32Array(4 * H);
          for (let i = 0; i < b.length; i++) b[i] = bi.data[i] + bh.data[i];
          return [transpose(ih), transpose(hh), { shape: [4 * H], data: b }];
        }
        const both = new Float32Array(6 * H);
        both.set(bi.data, 0);
        both.set(bh.data, 3 * H);
        return [rzToZr(transpose(ih)), rzToZr(transpose(hh)), rzToZr({ shape: [2, 3 * H], data: both })];
      },
    });
  }
  return { format: 'pytorch', path, layers: orderByChain(layers) };
}

/** Orders layers so that each comes after the one it takes its input from (module by module). */
function orderByChain(layers: ModelLayer[]): ModelLayer[] {
  const out: ModelLayer[] = [];
  const byInbound = new Map(layers.map((l) => [l.inbound[0] ?? '', l] as const));
  for (const root of layers.filter((l) => l.inbound.length === 0)) {
    for (let l: ModelLayer | undefined = root; l; l = byInbound.get(l.name)) out.push(l);
  }
  for (const l of layers) if (!out.includes(l)) out.push(l);
  return out;
}

/**
 * The lab's Keras-layout arrays as one layer: `kernel` [features][gates·units], `recurrentKernel`
 * (or `recurrent_kernel`) [units][gates·units], `bias`; 4 gate blocks make an LSTM, 3 a GRU
 * (reset_after when the bias has 2 rows).
 */
export function kerasArraysModelFile(dict: StateDict, path: string): ModelFile {
  const recurrent = dict.get('recurrentKernel') ?? dict.get('recurrent_kernel');
  const kernel = dict.get('kernel');
  if (!recurrent || !kernel) {
    throw fileError(path, `has neither PyTorch (weight_ih_l0, …) nor Keras-layout ("kernel", "recurrentKernel", "bias") recurrent weights; it holds ${[...dict.keys()].slice(0, 12).map((n) => `"${n}"`).join(', ') || 'nothing'}`);
  }
  const [U, cols] = recurrent.shape;
  const gates = recurrent.shape.length === 2 ? cols / U : NaN;
  if (gates !== 4 && gates !== 3) throw fileError(path, `"recurrentKernel" has shape [${recurrent.shape.join(', ')}]; expected [units, 4·units] (LSTM) or [units, 3·units] (GRU)`);
  const model = gates === 4 ? 'lstm' : 'gru';
  const bias = dict.get('bias') ?? { shape: [gates * U], data: new Float32Array(gates * U) };
  const resetAfter = bias.shape.length === 2;
  return {
    format: 'keras-arrays',
    path,
    layers: [{
      name: model,
      className: model === 'lstm' ? 'LSTM' : 'GRU',
      config: { name: model, units: U, activation: 'tanh', recurrent_activation: 'sigmoid', return_sequences: true, ...(model === 'gru' ? { reset_after: resetAfter } : {}) },
      inbound: [],
      says: ['model', 'units', 'resetAfter'],
      weights: async () => [kernel, recurrent, bias],
    }],
  };
}
