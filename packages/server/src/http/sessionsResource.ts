import { checkId, EndSessionBody } from '@beckon/core/protocol';
import type { HttpHandler } from './HttpRequest.js';
import { sendJson, sendProblem } from './problem.js';
import { readJsonBody } from './readJsonBody.js';

/**
 * `POST /v1/groups/{groupId}/sessions/{sessionKey}/end` with `{ reason? }`: asks the
 * visitor's app to end the session (as an agent watching it would with `end`). Answers 200
 * with the session once the app ended it, 404 `sessionNotFound`, or 504 `timeout` when the
 * app did not end it in time (a session without a session channel cannot be reached).
 *
 * @example
 * routes.post('groups/:groupId/sessions/:sessionKey/end', endSession);
 */
export const endSession: HttpHandler = async (request) => {
  const { req, res, path, params } = request;
  const sessionKey = params.sessionKey ?? '';
  const bad = checkId('sessionKey', sessionKey);
  if (bad) {
    sendProblem(res, path, 'invalidMessage', `${bad.param} ${bad.reason}`, { param: bad.param });
    return;
  }
  const body = await readJsonBody(req);
  if (!body.ok) {
    sendProblem(res, path, body.code, body.message);
    return;
  }
  const parsed = EndSessionBody.safeParse(body.value);
  if (!parsed.success) {
    sendProblem(res, path, 'invalidMessage', 'reason must be a string of at most 2000 characters', {
      param: 'reason',
    });
    return;
  }
  const outcome = await request.hub.endSession(
    request.agent,
    sessionKey,
    parsed.data.reason,
    request.signal,
  );
  if ('stopping' in outcome) {
    sendProblem(res, path, 'unavailable', 'the service is restarting; try again', {
      retryAfter: 1_000,
    });
  } else if ('failed' in outcome) {
    const { code, message, param } = outcome.failed;
    sendProblem(
      res,
      path,
      code === 'sessionNotFound' || code === 'timeout' ? code : 'internal',
      message,
      {
        param,
      },
    );
  } else sendJson(res, 200, outcome.ended);
};
