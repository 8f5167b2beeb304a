// The OpenAPI document: generated from the zod schemas, checked in and rendered into the
// docs unchanged, valid OpenAPI 3.1, served by the service, and true to what it answers.
import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DOCS_PATH,
  DOCUMENT_PATH,
  formatDocument,
  renderOpenApiMarkdown,
  spliceDocs,
} from '../scripts/openapi.mjs';
import { createOpenApiDocument, type OpenApiDocument } from '../src/http/openApiDocument.js';
import { AGENT_SECRET, agentToken, connectVisitor, startServer, TestClient } from './utils.js';

const REGENERATE = 'run `pnpm --filter @beckon/server openapi` and commit the result';

let doc: OpenApiDocument;
beforeAll(() => {
  doc = createOpenApiDocument();
});

describe('the OpenAPI document', () => {
  it('is the checked-in packages/server/openapi.json', () => {
    const checkedIn = readFileSync(DOCUMENT_PATH, 'utf8');
    expect(checkedIn, `openapi.json is out of date: ${REGENERATE}`).toBe(formatDocument(doc));
  });

  it('is what docs/http-api.md renders', () => {
    const page = readFileSync(DOCS_PATH, 'utf8');
    expect(page, `docs/http-api.md is out of date: ${REGENERATE}`).toBe(
      spliceDocs(page, renderOpenApiMarkdown(doc)),
    );
  });

  it('is valid OpenAPI 3.1 (checked by an independent validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // Every schema reference resolves.
    expect(() => validator.resolveRefs()).not.toThrow();
  });

  it('is served at /v1/openapi.json without a token', async () => {
    const server = await startServer();
    const res = await fetch(`http://127.0.0.1:${server.port}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(doc);
  });
});

describe('real responses against the document', () => {
  // Each response is checked against the schema the document gives for its operation and
  // status, with a JSON Schema 2020-12 validator.
  const check = async (method: string, template: string, res: Response) => {
    const operation = (
      doc.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>
    )[template]?.[method];
    expect(operation, `${method} ${template} is documented`).toBeDefined();
    const response = operation?.responses[String(res.status)] as
      | { content?: Record<string, { schema: { $ref?: string } }> }
      | undefined;
    expect(response, `${method} ${template} documents status ${res.status}`).toBeDefined();
    const type = res.headers.get('content-type') ?? '';
    const content = response?.content?.[type];
    expect(content, `${method} ${template} ${res.status} documents ${type}`).toBeDefined();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'https://beckon.invalid/openapi.json', components: doc.components });
    const validate = ajv.compile({
      $ref: `https://beckon.invalid/openapi.json${content?.schema.$ref}`,
    });
    const body = await res.json();
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    return body;
  };

  it('every operation answers as the document says, in success and failure', async () => {
    const server = await startServer({ ackTimeoutMs: 300 });
    const base = `http://127.0.0.1:${server.port}`;
    const headers = { authorization: `Bearer ${await agentToken('shop')}` };
    const post = (path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    const visitors = '/v1/groups/{groupId}/visitors';
    const visitor = '/v1/groups/{groupId}/visitors/{visitorId}';
    const showTerms = '/v1/groups/{groupId}/visitors/{visitorId}/show-terms';
    const signals = '/v1/groups/{groupId}/visitors/{visitorId}/signals';
    const end = '/v1/groups/{groupId}/sessions/{sessionKey}/end';

    const alice = await connectVisitor(server, 'alice');
    alice.send({ type: 'presence', data: { url: '/cart', c_plan: 'pro' } });
    alice.send({ type: 'sessionStart', sessionKey: 'case-3', presenceStart: true });
    alice.send({ type: 'sessionTicket', sessionKey: 'case-3' });
    const { ticket } = await alice.take('sessionTicket');
    const host = await TestClient.open(server.sessionUrl);
    host.send({ type: 'hello', v: 1, ticket });
    await host.take('welcome');

    const page = await check(
      'get',
      visitors,
      await fetch(`${base}/v1/groups/shop/visitors`, { headers }),
    );
    expect(page.visitors[0].presence).toEqual({ url: '/cart', c_plan: 'pro' });
    await check(
      'get',
      visitors,
      await fetch(`${base}/v1/groups/shop/visitors?limit=0`, { headers }),
    );
    await check('get', visitors, await fetch(`${base}/v1/groups/shop/visitors`));
    await check('get', visitor, await fetch(`${base}/v1/groups/shop/visitors/alice`, { headers }));
    await check('get', visitor, await fetch(`${base}/v1/groups/shop/visitors/bob`, { headers }));
    await check('get', visitor, await fetch(`${base}/v1/groups/off/visitors/bob`, { headers }));

    const delivered = post('/v1/groups/shop/visitors/alice/show-terms', { sessionKey: 'case-3' });
    const shown = await alice.take('showTerms');
    alice.send({ type: 'ack', id: shown.id });
    await check('post', showTerms, await delivered);
    const busy = post('/v1/groups/shop/visitors/alice/show-terms');
    const again = await alice.take('showTerms');
    alice.send({ type: 'ack', id: again.id, status: 'busy' });
    await check('post', showTerms, await busy);
    await check('post', showTerms, await post('/v1/groups/shop/visitors/ghost/show-terms'));
    await check(
      'post',
      signals,
      await post('/v1/groups/shop/visitors/alice/signals', { name: 'x' }),
    );
    const silent = post('/v1/groups/shop/visitors/alice/signals', { name: 'c_x', properties: {} });
    await alice.take('signal');
    await check('post', signals, await silent);
    const wrongType = await fetch(`${base}/v1/groups/shop/visitors/alice/signals`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: 'hello',
    });
    await check('post', signals, wrongType);

    await check('post', end, await post('/v1/groups/shop/sessions/none/end'));
    const ended = post('/v1/groups/shop/sessions/case-3/end', { reason: 'done' });
    await host.take('end');
    alice.send({ type: 'sessionEnd', reason: 'done' });
    await check('post', end, await ended);

    const other = await agentToken('shop', { secret: `${AGENT_SECRET}-not` });
    await check(
      'get',
      visitors,
      await fetch(`${base}/v1/groups/shop/visitors`, {
        headers: { authorization: `Bearer ${other}` },
      }),
    );
  });
});
