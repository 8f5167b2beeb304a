import type { IncomingMessage } from 'node:http';
import { LIMITS } from '@beckon/core/protocol';

/** A request body read as JSON, or why it could not be. */
export type BodyResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; code: 'malformed' | 'tooLarge' | 'unsupportedMediaType'; message: string };

/** Largest body read: one frame of the WebSocket protocol, which a body stands for. */
export const MAX_BODY_BYTES = LIMITS.maxFrameBytes;

/**
 * Reads a JSON object body of at most {@link MAX_BODY_BYTES}: an empty body is `{}`, any
 * other must say `application/json`. A larger body is refused as soon as it passes the cap
 * (or at once when `Content-Length` says so), without reading the rest.
 *
 * @example
 * const body = await readJsonBody(req);
 * if (!body.ok) return sendProblem(res, path, body.code, body.message);
 */
export async function readJsonBody(req: IncomingMessage): Promise<BodyResult> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) {
    return {
      ok: false,
      code: 'tooLarge',
      message: `the body may be at most ${MAX_BODY_BYTES} bytes`,
    };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      return {
        ok: false,
        code: 'tooLarge',
        message: `the body may be at most ${MAX_BODY_BYTES} bytes`,
      };
    }
    chunks.push(chunk);
  }
  if (size === 0) return { ok: true, value: {} };
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return {
      ok: false,
      code: 'unsupportedMediaType',
      message: `send the body as application/json, not ${JSON.stringify(type || 'no content type')}`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return { ok: false, code: 'malformed', message: 'the body is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, code: 'malformed', message: 'the body must be a JSON object' };
  }
  return { ok: true, value: value as Record<string, unknown> };
}
