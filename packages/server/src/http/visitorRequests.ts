import { FromAgent, parseMessage } from '@beckon/core/protocol';
import { answerReply } from './answerReply.js';
import type { HttpHandler, HttpRequest } from './HttpRequest.js';
import { sendProblem } from './problem.js';
import { readJsonBody } from './readJsonBody.js';

// A request to the visitor: the body, with the path's visitor, checked as the WebSocket
// request of the same type (shape and input rules alike), then relayed as one.
const relay = async (request: HttpRequest, type: 'showTerms' | 'signal') => {
  const { req, res, path, params } = request;
  const body = await readJsonBody(req);
  if (!body.ok) {
    sendProblem(res, path, body.code, body.message);
    return;
  }
  const parsed = parseMessage(
    { ...body.value, type, id: 0, visitorId: params.visitorId },
    FromAgent,
  );
  if (!parsed.ok || parsed.message.type !== type) {
    const error = parsed.ok ? undefined : parsed.error;
    sendProblem(res, path, error?.code ?? 'invalidMessage', error?.message ?? 'invalid body', {
      param: error?.param,
    });
    return;
  }
  const outcome = await request.hub.agentRequest(request.agent, parsed.message, request.signal);
  answerReply(request, outcome, (reply) =>
    reply.type === 'delivered'
      ? {
          connectionId: reply.connectionId,
          epoch: reply.epoch,
          ...(reply.woken && { woken: true }),
        }
      : undefined,
  );
};

/**
 * `POST /v1/groups/{groupId}/visitors/{visitorId}/show-terms` with `{ sessionKey?,
 * termsUrl? }` (or no body): the One-Click request. Answers 200 once the visitor's app
 * acknowledged it, or the problem of the WebSocket API's code (`visitorNotPresent`,
 * `timeout`, `busy`, …).
 *
 * @example
 * routes.post('groups/:groupId/visitors/:visitorId/show-terms', showTerms);
 */
export const showTerms: HttpHandler = (request) => relay(request, 'showTerms');

/**
 * `POST /v1/groups/{groupId}/visitors/{visitorId}/signals` with `{ name, properties }`: a
 * custom signal, answered like {@link showTerms}.
 *
 * @example
 * routes.post('groups/:groupId/visitors/:visitorId/signals', signalVisitor);
 */
export const signalVisitor: HttpHandler = (request) => relay(request, 'signal');
