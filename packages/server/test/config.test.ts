import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/hub/rateLimiter.js';
import {
  ConfigError,
  createMetrics,
  mintAgentToken,
  mintVisitorToken,
  parseGroupsConfig,
} from '../src/index.js';

const secret = 's'.repeat(32);

describe('parseGroupsConfig', () => {
  it('accepts a full group and returns it typed', () => {
    const groups = parseGroupsConfig({
      shop: {
        presence: true,
        termsUrl: '/terms',
        agentSecrets: [secret],
        visitorTokens: { required: true, secrets: [secret] },
        allowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
      },
    });
    expect(groups.shop?.allowedOrigins).toEqual([
      'https://app.example.com',
      'http://localhost:3000',
    ]);
  });

  it.each([
    [{ shop: { presence: true } }, 'groups.shop.agentSecrets'],
    [
      { shop: { presence: true, agentSecrets: [] } },
      'groups.shop.agentSecrets: needs at least one secret',
    ],
    [{ shop: { presence: 1, agentSecrets: [secret] } }, 'groups.shop.presence'],
    [{ 'bad id': { presence: true, agentSecrets: [secret] } }, 'groups.bad id'],
    [{ shop: { presence: true, agentSecrets: [secret], typo: 1 } }, 'groups.shop'],
    [
      {
        shop: {
          presence: true,
          agentSecrets: [secret],
          visitorTokens: { required: true, secrets: [] },
        },
      },
      'groups.shop.visitorTokens.secrets',
    ],
    [
      { shop: { presence: true, agentSecrets: [secret], allowedOrigins: ['*'] } },
      'groups.shop.allowedOrigins.0',
    ],
    [
      { shop: { presence: true, agentSecrets: [secret], rateLimit: { perSecond: 0, burst: 5 } } },
      'groups.shop.rateLimit.perSecond',
    ],
    [
      { shop: { presence: true, agentSecrets: [secret], agentRateLimit: { perSecond: 5 } } },
      'groups.shop.agentRateLimit.burst',
    ],
    [
      { shop: { presence: true, agentSecrets: [secret], termsUrl: 'javascript:alert(1)' } },
      'groups.shop.termsUrl',
    ],
    ['not an object', 'groups'],
  ])('refuses %j naming %s', (input, field) => {
    expect(() => parseGroupsConfig(input)).toThrow(ConfigError);
    expect(() => parseGroupsConfig(input)).toThrow(field);
  });

  it('refuses a group named __proto__ instead of silently dropping it', () => {
    const input = JSON.parse(`{"__proto__":{"presence":true,"agentSecrets":["${secret}"]}}`);
    expect(() => parseGroupsConfig(input)).toThrow('groups.__proto__: reserved name');
  });
});

describe('token minting', () => {
  it('mints agent and visitor tokens with the documented claims', async () => {
    const now = Date.UTC(2030, 0, 1);
    const agent = decodeJwt(
      await mintAgentToken({ groupId: 'shop', agentId: 'a7', secret, expiresIn: 60, now }),
    );
    expect(agent).toMatchObject({
      sub: 'a7',
      grp: 'shop',
      aud: 'beckon:agent',
      iat: now / 1000,
      exp: now / 1000 + 60,
    });
    const visitor = decodeJwt(
      await mintVisitorToken({ groupId: 'shop', visitorId: 'v1', secret, expiresIn: '1h' }),
    );
    expect(visitor).toMatchObject({ sub: 'v1', grp: 'shop', aud: 'beckon:visitor' });
    expect(visitor.exp! - visitor.iat!).toBe(3600);
  });

  it('refuses short secrets and bad IDs with a clear error', async () => {
    await expect(
      mintAgentToken({ groupId: 'shop', agentId: 'a', secret: 'short', expiresIn: 60 }),
    ).rejects.toThrow(/secret/);
    await expect(
      mintVisitorToken({ groupId: 'shop', visitorId: 'a b', secret, expiresIn: 60 }),
    ).rejects.toThrow(/visitorId/);
    await expect(
      mintAgentToken({ groupId: 'shop', agentId: 'a', secret, expiresIn: Number.NaN }),
    ).rejects.toThrow(/expiresIn/);
  });
});

describe('createRateLimiter', () => {
  it('allows a burst, then refills at the steady rate', () => {
    const limiter = createRateLimiter({ perSecond: 10, burst: 3 }, 0);
    expect([limiter.take(0), limiter.take(0), limiter.take(0)]).toEqual([0, 0, 0]);
    expect(limiter.take(0)).toBe(100);
    expect(limiter.take(50)).toBe(50);
    expect(limiter.take(100)).toBe(0);
    expect(limiter.fullIn(100)).toBe(300);
  });
});

describe('createMetrics', () => {
  it('renders labelled counters and escapes label values', () => {
    const m = createMetrics();
    m.inc('beckon_rejections_total', { reason: 'a"b' });
    m.inc('beckon_rejections_total', { reason: 'a"b' }, 2);
    expect(m.get('beckon_rejections_total', { reason: 'a"b' })).toBe(3);
    expect(m.render()).toContain('beckon_rejections_total{reason="a\\"b"} 3');
  });
});
