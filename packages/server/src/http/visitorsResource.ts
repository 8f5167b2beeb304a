import { FromAgent, parseMessage } from '@beckon/core/protocol';
import { answerReply } from './answerReply.js';
import type { HttpHandler } from './HttpRequest.js';
import { sendProblem } from './problem.js';

// A query parameter that should be a number stays text when it is not one, so the schema
// reports it as a number it is not.
const numberOrText = (value: string) => (/^\d{1,15}$/.test(value) ? Number(value) : value);

/**
 * `GET /v1/groups/{groupId}/visitors?after=&limit=`: one page of the group, exactly the
 * WebSocket `list` (same order, same 64 KiB bound on a page, same charge on the agent's
 * rate limit).
 *
 * @example
 * routes.get('groups/:groupId/visitors', listVisitors);
 */
export const listVisitors: HttpHandler = async (request) => {
  const { query, res, path } = request;
  const after = query.get('after');
  const limit = query.get('limit');
  const parsed = parseMessage(
    {
      type: 'list',
      id: 0,
      ...(after !== null && { after }),
      ...(limit !== null && { limit: numberOrText(limit) }),
    },
    FromAgent,
  );
  if (!parsed.ok || parsed.message.type !== 'list') {
    const error = parsed.ok ? undefined : parsed.error;
    sendProblem(res, path, error?.code ?? 'invalidMessage', error?.message ?? 'invalid query', {
      param: error?.param,
    });
    return;
  }
  const outcome = await request.hub.agentRequest(request.agent, parsed.message, request.signal);
  answerReply(request, outcome, (reply) =>
    reply.type === 'visitors'
      ? { visitors: reply.visitors, ...(reply.next !== undefined && { next: reply.next }) }
      : undefined,
  );
};

/**
 * `GET /v1/groups/{groupId}/visitors/{visitorId}`: one visitor's summary, or 404 `notFound`
 * when the service does not know the ID.
 *
 * @example
 * routes.get('groups/:groupId/visitors/:visitorId', lookupVisitor);
 */
export const lookupVisitor: HttpHandler = async (request) => {
  const { res, path, params } = request;
  const parsed = parseMessage({ type: 'lookup', id: 0, visitorId: params.visitorId }, FromAgent);
  if (!parsed.ok || parsed.message.type !== 'lookup') {
    const error = parsed.ok ? undefined : parsed.error;
    sendProblem(res, path, error?.code ?? 'invalidMessage', error?.message ?? 'invalid path', {
      param: error?.param,
    });
    return;
  }
  const outcome = await request.hub.agentRequest(request.agent, parsed.message, request.signal);
  if ('reply' in outcome && outcome.reply.type === 'visitor' && outcome.reply.visitor === null) {
    sendProblem(res, path, 'notFound', `the service does not know visitor "${params.visitorId}"`, {
      param: 'visitorId',
    });
    return;
  }
  answerReply(request, outcome, (reply) => (reply.type === 'visitor' ? reply.visitor : undefined));
};
