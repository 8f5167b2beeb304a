/**
 * How recorded events travel as one session message's `data`: JSON, gzip-compressed where
 * the runtime has `CompressionStream` (every current browser, Node 18+), then base64, since
 * the session channel carries text. The first character says which: `g` for gzip, `j` for
 * plain JSON (the fallback, and what a runtime without `DecompressionStream` cannot read).
 */

/** The encodings of a message, by its first character. */
export type EventEncoding = 'gzip' | 'json';

const hasStreams = () =>
  typeof CompressionStream === 'function' && typeof DecompressionStream === 'function';

// Chunked: String.fromCharCode with a whole snapshot's bytes would overflow the stack.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream) {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/**
 * Encodes a batch of events as a session message: gzip and base64 where it can, JSON
 * otherwise (`encoding: 'json'` forces it).
 *
 * @example
 * const data = await encodeEvents(events); // 'gH4sIAAAAAAAA…'
 */
export async function encodeEvents(
  events: readonly unknown[],
  encoding: EventEncoding = hasStreams() ? 'gzip' : 'json',
): Promise<string> {
  const json = JSON.stringify(events);
  if (encoding === 'json') return `j${json}`;
  return `g${toBase64(await pipe(new TextEncoder().encode(json), new CompressionStream('gzip')))}`;
}

/**
 * Decodes a session message back into its events.
 *
 * @throws {TypeError} when the message is not one of the encodings, or is damaged.
 *
 * @example
 * const events = await decodeEvents(message.data);
 */
export async function decodeEvents(data: string): Promise<unknown[]> {
  let json: string;
  if (data.startsWith('j')) json = data.slice(1);
  else if (data.startsWith('g')) {
    if (!hasStreams()) throw new TypeError('this runtime cannot decompress gzip messages');
    const bytes = await pipe(fromBase64(data.slice(1)), new DecompressionStream('gzip'));
    json = new TextDecoder().decode(bytes);
  } else throw new TypeError('not a co-browse message');
  const events: unknown = JSON.parse(json);
  if (!Array.isArray(events)) throw new TypeError('a co-browse message holds an array of events');
  return events;
}
