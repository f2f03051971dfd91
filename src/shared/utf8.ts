/**
 * UTF-8 through the platform's TextEncoder/TextDecoder, which Node, workers and webviews all
 * have; typed locally so that folders without DOM or Node typings can use them.
 */
interface TextCodecs {
  TextEncoder: new () => { encode(text: string): Uint8Array };
  TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
}
const codecs = globalThis as unknown as TextCodecs;
const encoder = new codecs.TextEncoder();
const strictDecoder = new codecs.TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Text of UTF-8 bytes; throws on invalid UTF-8. */
export function utf8Decode(bytes: Uint8Array): string {
  return strictDecoder.decode(bytes);
}
