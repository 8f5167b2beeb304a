import { PROBLEM_TYPES } from '@beckon/core/protocol';
import type { SocketlessOutcome } from '../hub/socketlessAgents.js';
import type { HttpRequest } from './HttpRequest.js';
import { type ProblemKey, sendJson, sendProblem } from './problem.js';

/**
 * Answers a request with what the hub replied: the reply's body (less its `type` and `id`)
 * through `body`, a `failed` as the problem of the same code, a stopping hub as 503.
 *
 * @example
 * answerReply(request, await hub.agentRequest(agent, message), (reply) =>
 *   reply.type === 'delivered' ? { connectionId: reply.connectionId, epoch: reply.epoch } : undefined,
 * );
 */
export function answerReply(
  { res, path }: Pick<HttpRequest, 'res' | 'path'>,
  outcome: SocketlessOutcome,
  body: (
    reply: Exclude<Extract<SocketlessOutcome, { reply: unknown }>['reply'], { type: 'failed' }>,
  ) => unknown,
): void {
  if ('stopping' in outcome) {
    sendProblem(res, path, 'unavailable', 'the service is restarting; try again', {
      retryAfter: 1_000,
    });
    return;
  }
  const reply = outcome.reply;
  if (reply.type === 'failed') {
    const code: ProblemKey = reply.code in PROBLEM_TYPES ? (reply.code as ProblemKey) : 'internal';
    sendProblem(res, path, code, reply.message, {
      param: reply.param,
      retryAfter: reply.retryAfter,
    });
    return;
  }
  sendJson(res, 200, body(reply));
}
