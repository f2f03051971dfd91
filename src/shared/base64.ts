import { utf8Decode } from './utf8';

/**
 * Base64 for byte arrays, written out so the same code runs in Node, in a worker and in the
 * renderer's webview (no `Buffer`, no `atob`, which only handles Latin-1 strings).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as standard base64 with `=` padding. */
export function encodeBase64(bytes: Uint8Array): string {
  return utf8Decode(encodeBase64Ascii(bytes));
}

/**
 * Base64 of `bytes` as ASCII codes. Writing codes into a byte array is what keeps encoding a
 * multi-megabyte trace cheap (string concatenation would dominate the run time).
 */
export function encodeBase64Ascii(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  const whole = bytes.length - (bytes.length % 3);
  for (; i < whole; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = CODES[n >> 18];
    out[o++] = CODES[(n >> 12) & 63];
    out[o++] = CODES[(n >> 6) & 63];
    out[o++] = CODES[n & 63];
  }
  if (i < bytes.length) {
    const two = i + 1 < bytes.length;
    const n = (bytes[i] << 16) | ((two ? bytes[i + 1] : 0) << 8);
    out[o++] = CODES[n >> 18];
    out[o++] = CODES[(n >> 12) & 63];
    out[o++] = two ? CODES[(n >> 6) & 63] : 61;
    out[o++] = 61;
  }
  return out;
}

/** Decodes standard base64; throws on characters outside the alphabet or a bad length. */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\r\n]/g, '');
  if (clean.length % 4 !== 0) throw new Error(`base64: expected a length divisible by 4, got ${clean.length}`);
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const code = clean.charCodeAt(i + k);
      const isPad = code === 61 && i + k >= clean.length - padding;
      const v = isPad ? 0 : code < 128 ? LOOKUP[code] : -1;
      if (v < 0) throw new Error(`base64: unexpected character at ${i + k}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
