import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_API_VERSION, PROBLEM_TYPES } from '@beckon/core/protocol';
import type { Logger } from 'pino';
import { METRIC_NAMES, type Metrics } from '../createMetrics.js';
import type { PresenceHub } from '../createPresenceHub.js';
import type { GroupConfig } from '../parseGroupsConfig.js';
import { AGENT_AUDIENCE, verifyToken } from '../tokens.js';
import type { HttpHandler } from './HttpRequest.js';
import { createOpenApiDocument } from './openApiDocument.js';
import { sendJson, sendProblem } from './problem.js';
import { endSession } from './sessionsResource.js';
import { showTerms, signalVisitor } from './visitorRequests.js';
import { listVisitors, lookupVisitor } from './visitorsResource.js';

/** What the HTTP agent API needs of the service. */
export interface HttpApiOptions {
  hub: PresenceHub;
  metrics: Metrics;
  log: Logger;
  now: () => number;
}

/** The resources of a group, by path pattern (after `/v1/groups/{groupId}/`) and method. */
const ROUTES: readonly {
  pattern: readonly string[];
  name: string;
  methods: Record<string, HttpHandler>;
}[] = [
  { pattern: ['visitors'], name: 'visitors', methods: { GET: listVisitors } },
  { pattern: ['visitors', ':visitorId'], name: 'visitor', methods: { GET: lookupVisitor } },
  {
    pattern: ['visitors', ':visitorId', 'show-terms'],
    name: 'showTerms',
    methods: { POST: showTerms },
  },
  {
    pattern: ['visitors', ':visitorId', 'signals'],
    name: 'signals',
    methods: { POST: signalVisitor },
  },
  {
    pattern: ['sessions', ':sessionKey', 'end'],
    name: 'endSession',
    methods: { POST: endSession },
  },
];

const PREFIX = `/${HTTP_API_VERSION}/`;

function match(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const want = pattern[i] as string;
    const got = segments[i] as string;
    if (want.startsWith(':')) params[want.slice(1)] = got;
    else if (want !== got) return undefined;
  }
  return params;
}

/**
 * The HTTP agent API (docs/http-api.md), on the service's own port under `/v1/`: a tiny
 * router, then for each group's resource the same checks in the same order — CORS (off
 * unless the group lists `agentOrigins`), the group, the agent token (as a WebSocket agent's
 * `hello`), the agent's rate limit, a service that is stopping — and the resource's handler,
 * which goes through the hub like a WebSocket agent. Returns the request handler: it answers
 * and returns true for paths under `/v1/`, false for any other path.
 *
 * @example
 * const api = createHttpApi({ hub, metrics, log, now: Date.now });
 * http.on('request', (req, res) => {
 *   if (!api(req, res)) res.writeHead(404).end();
 * });
 */
export function createHttpApi(
  options: HttpApiOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { hub, metrics, log, now } = options;
  const { groups } = hub;
  let document: string | undefined;

  const count = (route: string, res: ServerResponse) => {
    res.once('finish', () =>
      metrics.inc(METRIC_NAMES.httpRequests, { route, status: String(res.statusCode) }),
    );
  };

  const cors = (req: IncomingMessage, res: ServerResponse, group: GroupConfig): boolean => {
    const origin = req.headers.origin;
    if (typeof origin !== 'string' || !group.agentOrigins?.includes(origin)) return false;
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('vary', 'Origin');
    res.setHeader('access-control-expose-headers', 'Retry-After');
    return true;
  };

  const serveGroup = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    segments: string[],
  ) => {
    const [groupId = '', ...rest] = segments;
    const route = ROUTES.find((r) => match(r.pattern, rest) !== undefined);
    count(route?.name ?? 'unknown', res);
    const group = groups.get(groupId);
    const allowed = group ? cors(req, res, group) : false;
    if (!route) {
      sendProblem(res, path, 'notFound', `no resource at ${path}`);
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      // A CORS preflight: answered for the group's agent origins, refused for any other.
      if (!allowed) {
        sendProblem(res, path, 'forbidden', 'this origin may not call the API of this group');
        return;
      }
      res.writeHead(204, {
        'access-control-allow-methods': Object.keys(route.methods).join(', '),
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    const handler = route.methods[method === 'HEAD' ? 'GET' : method];
    if (!handler) {
      sendProblem(
        res,
        path,
        'methodNotAllowed',
        `${path} takes ${Object.keys(route.methods).join(', ')}`,
        {
          headers: { allow: Object.keys(route.methods).join(', ') },
        },
      );
      return;
    }
    if (!group?.presence) {
      sendProblem(res, path, 'notConfigured', `presence is not configured for group "${groupId}"`);
      return;
    }
    const header = req.headers.authorization ?? '';
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const challenge = { 'www-authenticate': `Bearer realm="beckon", error="invalid_token"` };
    if (!token) {
      sendProblem(res, path, 'unauthorized', 'send an agent token: Authorization: Bearer <token>', {
        headers: { 'www-authenticate': 'Bearer realm="beckon"' },
      });
      return;
    }
    const verified = await verifyToken(token, group.agentSecrets, AGENT_AUDIENCE, now());
    if (!verified.ok) {
      sendProblem(res, path, 'unauthorized', `agent ${verified.message}`, { headers: challenge });
      return;
    }
    if (verified.claims.grp !== groupId) {
      sendProblem(res, path, 'forbidden', 'the agent token belongs to another group');
      return;
    }
    const limiter = hub.agentLimiter(groupId, verified.claims.sub);
    const wait = limiter.take(now());
    if (wait > 0) {
      metrics.inc(METRIC_NAMES.rejections, { reason: 'rateLimited' });
      sendProblem(res, path, 'rateLimited', `too many requests; retry in ${wait} ms`, {
        retryAfter: wait,
      });
      return;
    }
    if (hub.stopping) {
      sendProblem(res, path, 'unavailable', 'the service is restarting; try again', {
        retryAfter: 1_000,
      });
      return;
    }
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    const url = new URL(req.url ?? '/', 'http://localhost');
    await handler({
      req,
      res,
      path,
      params: { groupId, ...match(route.pattern, rest) },
      query: url.searchParams,
      agent: { groupId, agentId: verified.claims.sub, limiter },
      hub,
      signal: controller.signal,
    });
  };

  const problemType = (res: ServerResponse, path: string, slug: string) => {
    const entry = Object.entries(PROBLEM_TYPES).find(
      ([, p]) => p.type === `${PREFIX}problems/${slug}`,
    );
    if (!entry) {
      sendProblem(res, path, 'notFound', `no problem type "${slug}"`);
      return;
    }
    const [code, p] = entry;
    sendJson(res, 200, { ...p, code });
  };

  return (req, res) => {
    const raw = req.url ?? '/';
    const path = raw.split('?')[0] ?? '/';
    if (!path.startsWith(PREFIX)) return false;
    let segments: string[];
    try {
      segments = path.slice(PREFIX.length).split('/').map(decodeURIComponent);
    } catch {
      count('unknown', res);
      sendProblem(res, path, 'notFound', 'the path is not valid percent-encoding');
      return true;
    }
    const answer = async () => {
      const [first, ...rest] = segments;
      if (first === 'groups' && rest.length > 0) {
        await serveGroup(req, res, path, rest);
        return;
      }
      const isGet = req.method === 'GET' || req.method === 'HEAD';
      if (first === 'openapi.json' && rest.length === 0 && isGet) {
        count('openapi', res);
        document ??= JSON.stringify(createOpenApiDocument());
        res.writeHead(200, {
          'content-type': 'application/json',
          'cache-control': 'public, max-age=300',
        });
        res.end(document);
      } else if (first === 'problems' && rest.length === 1 && isGet) {
        count('problems', res);
        problemType(res, path, rest[0] as string);
      } else {
        count('unknown', res);
        sendProblem(res, path, 'notFound', `no resource at ${path}`);
      }
    };
    answer().catch((error) => {
      metrics.inc(METRIC_NAMES.internalErrors);
      log.error({ err: error, path }, 'http api handler failed');
      sendProblem(res, path, 'internal', 'internal error');
    });
    return true;
  };
}
