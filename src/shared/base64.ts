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
  const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  const clean = text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 ? text.replace(/[\r\n]/g, '') : text;
  if (clean.length % 4 !== 0) throw new Error(`base64: expected a length divisible by 4, got ${clean.length}`);
  if (native) {
    try {
      return native(clean);
    } catch {
      // fall through to the checked decoder, which names the position
    }
  }
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  const whole = clean.length - (padding ? 4 : 0);
  let o = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = LOOKUP[clean.charCodeAt(i) & 127] | (clean.charCodeAt(i) >> 7 ? -1 : 0);
    const b = LOOKUP[clean.charCodeAt(i + 1) & 127] | (clean.charCodeAt(i + 1) >> 7 ? -1 : 0);
    const c = LOOKUP[clean.charCodeAt(i + 2) & 127] | (clean.charCodeAt(i + 2) >> 7 ? -1 : 0);
    const d = LOOKUP[clean.charCodeAt(i + 3) & 127] | (clean.charCodeAt(i + 3) >> 7 ? -1 : 0);
    if ((a | b | c | d) < 0) throw new Error(`base64: unexpected character at ${i + [a, b, c, d].findIndex((v) => v < 0)}`);
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (padding) {
    const i = whole;
    const v = [0, 1, 2, 3].map((k) => {
      const code = clean.charCodeAt(i + k);
      if (code === 61 && k >= 4 - padding) return 0;
      const x = code < 128 ? LOOKUP[code] : -1;
      if (x < 0) throw new Error(`base64: unexpected character at ${i + k}`);
      return x;
    });
    const n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out[o++] = n >> 16;
    if (padding === 1) out[o++] = (n >> 8) & 255;
  }
  return out;
}
