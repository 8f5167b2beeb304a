import {
  Delivered,
  EndSessionBody,
  HTTP_API_VERSION,
  LIMITS,
  PROBLEM_TYPES,
  Problem,
  SessionEnded,
  ShowTermsBody,
  SignalBody,
  VisitorPage,
  VisitorSummary,
  WEBHOOK_EVENTS,
  WebhookEvent,
} from '@beckon/core/protocol';
import * as z from 'zod/mini';
import type { ProblemKey } from './problem.js';

type Json = Record<string, unknown>;

/** The OpenAPI 3.1 document of the HTTP agent API, as JSON data. */
export type OpenApiDocument = Json & {
  openapi: '3.1.1';
  paths: Json;
  components: Json;
  webhooks: Json;
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const pascal = (type: string) =>
  type
    .split(/[._-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

// Every schema of the API, by its component name: the zod schemas of @beckon/core are the
// one source, generated here (zod's own JSON Schema output), never written by hand.
function componentSchemas(): Json {
  const registry = z.registry<{ id: string; description: string }>();
  registry.add(VisitorSummary, {
    id: 'VisitorSummary',
    description:
      'What the service knows about one visitor ID (docs/protocol.md, "Visitor summary").',
  });
  registry.add(VisitorPage, {
    id: 'VisitorPage',
    description:
      'One page of the group in visitor ID order; `next`, when present, is the `after` of the next page.',
  });
  registry.add(ShowTermsBody, {
    id: 'ShowTermsBody',
    description:
      "The session key (default: the visitor ID) and terms page (default: the group's) of a One-Click request.",
  });
  registry.add(SignalBody, {
    id: 'SignalBody',
    description:
      "A custom signal: a `c_` name and string properties, within the protocol's input rules.",
  });
  registry.add(EndSessionBody, { id: 'EndSessionBody', description: 'Why the session ends.' });
  registry.add(Delivered, {
    id: 'Delivered',
    description:
      "The visitor's app acknowledged the request: which connection, at which focus epoch.",
  });
  registry.add(SessionEnded, {
    id: 'SessionEnded',
    description: "The session the visitor's app ended.",
  });
  registry.add(Problem, {
    id: 'Problem',
    description: "An RFC 9457 problem, with the WebSocket API's error `code`.",
  });
  for (const option of WebhookEvent.def.options) {
    const type = (option.def.shape.type as z.ZodMiniLiteral<string>).def.values[0] as string;
    registry.add(option, { id: `Webhook${pascal(type)}`, description: `The \`${type}\` webhook.` });
  }
  const out = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  return Object.fromEntries(
    Object.entries(out.schemas).map(([name, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema;
      return [name, rest];
    }),
  );
}

const ID_SCHEMA = {
  type: 'string',
  minLength: 1,
  maxLength: LIMITS.maxIdLength,
  pattern: '^[A-Za-z0-9_~-]+$',
};
const pathParam = (name: string, description: string) => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: ID_SCHEMA,
});

// The problem responses an operation may give, grouped by status.
function problems(codes: readonly ProblemKey[]): Json {
  const byStatus = new Map<number, ProblemKey[]>();
  for (const code of codes) {
    const { status } = PROBLEM_TYPES[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, list]) => [
        String(status),
        {
          description: list
            .map(
              (code) => `\`${code}\` (${PROBLEM_TYPES[code].type}): ${PROBLEM_TYPES[code].title}.`,
            )
            .join(' '),
          ...(status === 429 || status === 503
            ? {
                headers: {
                  'Retry-After': {
                    description: 'Seconds to wait.',
                    schema: { type: 'integer', minimum: 1 },
                  },
                },
              }
            : {}),
          content: { 'application/problem+json': { schema: ref('Problem') } },
        },
      ]),
  );
}

// Every operation can meet these: the token, the group, the pace, the service itself.
const COMMON: readonly ProblemKey[] = [
  'unauthorized',
  'forbidden',
  'notConfigured',
  'rateLimited',
  'internal',
  'unavailable',
];
const RELAYED: readonly ProblemKey[] = ['visitorNotPresent', 'busy', 'timeout', 'visitorAsleep'];
const BODY: readonly ProblemKey[] = [
  'malformed',
  'invalidMessage',
  'invalidParameter',
  'tooLarge',
  'unsupportedMediaType',
];

const ok = (schema: string, description: string) => ({
  '200': { description, content: { 'application/json': { schema: ref(schema) } } },
});
const jsonBody = (schema: string, required: boolean) => ({
  required,
  content: { 'application/json': { schema: ref(schema) } },
});

/**
 * The OpenAPI 3.1 document of the HTTP agent API and its webhooks, generated from the zod
 * schemas of `@beckon/core/protocol`. The service serves it at `/v1/openapi.json`; the
 * repository keeps a copy (`packages/server/openapi.json`) that a test holds to this.
 *
 * @example
 * const doc = createOpenApiDocument();
 * console.log(Object.keys(doc.paths)); // ['/v1/groups/{groupId}/visitors', …]
 */
export function createOpenApiDocument(): OpenApiDocument {
  const v = `/${HTTP_API_VERSION}`;
  const group = pathParam(
    'groupId',
    'The group (tenant); the token must be one of its agent tokens.',
  );
  const visitor = pathParam('visitorId', 'The visitor.');
  const webhooks = Object.fromEntries(
    Object.keys(WEBHOOK_EVENTS).map((type) => [
      type,
      {
        post: {
          summary: `The \`${type}\` event`,
          description:
            "Signed as the Standard Webhooks specification describes: `webhook-id`, `webhook-timestamp` and `webhook-signature` (`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the endpoint's `whsec_` secret). Answer 2xx within the timeout; 5xx, 408, 429 and timeouts are retried with backoff, other answers are not.",
          parameters: ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => ({
            name,
            in: 'header',
            required: true,
            schema: { type: 'string' },
          })),
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref(`Webhook${pascal(type)}`) } },
          },
          responses: { '2XX': { description: 'Received.' } },
        },
      },
    ]),
  );
  return {
    openapi: '3.1.1',
    info: {
      title: 'Beckon HTTP agent API',
      version: '1',
      description:
        "What an agent does over WebSocket, for backends: list and look up the visitors of a group, ask a visitor for consent (One-Click Connect), signal a visitor, end a session. Authorised with the same agent JWT (`Authorization: Bearer`), scoped to the group in the path. Errors are `application/problem+json` (RFC 9457) with the WebSocket API's codes. Webhooks carry the live events agents hear. docs/http-api.md describes it in prose.",
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/', description: 'The presence service, on its own port.' }],
    // Every problem type, with its stable URI: what `GET /v1/problems/{problem}` describes.
    'x-problem-types': Object.entries(PROBLEM_TYPES).map(([code, p]) => ({ code, ...p })),
    security: [{ agentToken: [] }],
    paths: {
      [`${v}/groups/{groupId}/visitors`]: {
        get: {
          operationId: 'listVisitors',
          summary: "One page of the group's visitors",
          description:
            "Visitors in visitor ID order, after `after`, at most `limit` (and never more than fit 64 KiB). A visitor known throughout a listing appears exactly once. A page of more than 16 KiB costs the agent's rate limit one more request per started 16 KiB.",
          parameters: [
            group,
            {
              name: 'after',
              in: 'query',
              required: false,
              description: 'The `next` of the previous page.',
              schema: ID_SCHEMA,
            },
            {
              name: 'limit',
              in: 'query',
              required: false,
              description: 'Most visitors in the page.',
              schema: { type: 'integer', minimum: 1, maximum: LIMITS.maxListPage },
            },
          ],
          responses: {
            ...ok('VisitorPage', 'One page.'),
            ...problems([...COMMON, 'invalidMessage']),
          },
        },
      },
      [`${v}/groups/{groupId}/visitors/{visitorId}`]: {
        get: {
          operationId: 'lookupVisitor',
          summary: 'One visitor',
          parameters: [group, visitor],
          responses: {
            ...ok('VisitorSummary', 'The visitor.'),
            ...problems([...COMMON, 'invalidMessage', 'notFound']),
          },
        },
      },
      [`${v}/groups/{groupId}/visitors/{visitorId}/show-terms`]: {
        post: {
          operationId: 'showTerms',
          summary: "One-Click Connect: ask the visitor's app for consent",
          description:
            "Sent to the visitor's focused connection. Answers once the app acknowledged it (before the visitor decides: the decision comes as the `visitor.terms` webhook or the agents' `terms` event).",
          parameters: [group, visitor],
          requestBody: jsonBody('ShowTermsBody', false),
          responses: {
            ...ok('Delivered', "The visitor's app shows the consent dialog."),
            ...problems([...COMMON, ...BODY, ...RELAYED]),
          },
        },
      },
      [`${v}/groups/{groupId}/visitors/{visitorId}/signals`]: {
        post: {
          operationId: 'signalVisitor',
          summary: "Send the visitor's app a custom signal",
          parameters: [group, visitor],
          requestBody: jsonBody('SignalBody', true),
          responses: {
            ...ok('Delivered', "The visitor's app received it."),
            ...problems([...COMMON, ...BODY, ...RELAYED]),
          },
        },
      },
      [`${v}/groups/{groupId}/sessions/{sessionKey}/end`]: {
        post: {
          operationId: 'endSession',
          summary: "Ask the visitor's app to end a session",
          description:
            "Reaches the visitor's page streaming the session (the session channel); answers once the app ended the session. A session without a session channel cannot be reached: `timeout`.",
          parameters: [group, pathParam('sessionKey', "The running session's key.")],
          requestBody: jsonBody('EndSessionBody', false),
          responses: {
            ...ok('SessionEnded', 'The session is over.'),
            ...problems([...COMMON, ...BODY, 'sessionNotFound', 'timeout']),
          },
        },
      },
      [`${v}/openapi.json`]: {
        get: {
          operationId: 'openApi',
          summary: 'This document',
          security: [],
          responses: {
            '200': {
              description: 'The OpenAPI document.',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
          },
        },
      },
      [`${v}/problems/{problem}`]: {
        get: {
          operationId: 'problemType',
          summary: 'What a problem type means',
          security: [],
          parameters: [{ name: 'problem', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The problem type: its `type`, `title`, `status` and `code`.',
              content: { 'application/json': { schema: { type: 'object' } } },
            },
            ...problems(['notFound']),
          },
        },
      },
    },
    webhooks,
    components: {
      securitySchemes: {
        agentToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An agent token of the group (HS256, audience `beckon:agent`), as `mintAgentToken` makes.',
        },
      },
      schemas: componentSchemas(),
    },
  };
}
