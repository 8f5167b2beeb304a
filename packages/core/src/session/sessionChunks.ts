import {
  SESSION_LIMITS,
  type SessionChunk,
  type SessionMessageKind,
} from '../wire/sessionProtocol.js';

/**
 * Cuts one session message into the chunks the session channel carries, or returns
 * `undefined` when it is over `SESSION_LIMITS.maxMessageChars`.
 *
 * @example
 * splitSessionMessage(4, 'snapshot', bigText); // [{ type: 'chunk', seq: 4, part: 0, parts: 3, … }, …]
 */
export function splitSessionMessage(
  seq: number,
  kind: SessionMessageKind,
  data: string,
  chunkChars: number = SESSION_LIMITS.maxChunkChars,
): SessionChunk[] | undefined {
  if (data.length > SESSION_LIMITS.maxMessageChars) return undefined;
  const size = Math.max(1, Math.min(chunkChars, SESSION_LIMITS.maxChunkChars));
  const parts = Math.max(1, Math.ceil(data.length / size));
  if (parts > SESSION_LIMITS.maxParts) return undefined;
  const chunks: SessionChunk[] = [];
  for (let part = 0; part < parts; part++) {
    chunks.push({
      type: 'chunk',
      seq,
      part,
      parts,
      kind,
      data: data.slice(part * size, (part + 1) * size),
    });
  }
  return chunks;
}

/** A whole message, put back together. */
export interface SessionMessage {
  seq: number;
  kind: SessionMessageKind;
  data: string;
}

/** Puts chunks back together; see {@link createSessionAssembler}. */
export interface SessionAssembler {
  /**
   * Takes the next chunk. Returns the message when it was the last part, `'broken'` when a
   * later part does not continue the message in progress (the partial message is dropped),
   * and `undefined` while a message is still incomplete.
   */
  add(chunk: SessionChunk): SessionMessage | 'broken' | undefined;
  /** Drops a partial message (a resync, or the host reconnected). */
  reset(): void;
}

/**
 * Reassembles messages from chunks that arrive in order and not interleaved, as the
 * service relays them. A part 0 always starts a new message, so a stream picks up again
 * at the next message after any gap.
 *
 * @example
 * const assembler = createSessionAssembler();
 * for (const chunk of chunks) {
 *   const done = assembler.add(chunk);
 *   if (done && done !== 'broken') render(done.data);
 * }
 */
export function createSessionAssembler(): SessionAssembler {
  let current:
    | { seq: number; kind: SessionMessageKind; parts: number; pieces: string[] }
    | undefined;
  return {
    add(chunk) {
      if (chunk.part === 0) {
        // A new message: whatever was in progress was cut off by the service (it says so
        // with `resync`) and is dropped.
        current = undefined;
        if (chunk.parts === 1) return { seq: chunk.seq, kind: chunk.kind, data: chunk.data };
        current = { seq: chunk.seq, kind: chunk.kind, parts: chunk.parts, pieces: [chunk.data] };
        return undefined;
      }
      if (
        !current ||
        chunk.seq !== current.seq ||
        chunk.kind !== current.kind ||
        chunk.parts !== current.parts ||
        chunk.part !== current.pieces.length
      ) {
        current = undefined;
        return 'broken';
      }
      current.pieces.push(chunk.data);
      if (current.pieces.length < current.parts) return undefined;
      const done = { seq: current.seq, kind: current.kind, data: current.pieces.join('') };
      current = undefined;
      return done;
    },
    reset() {
      current = undefined;
    },
  };
}
