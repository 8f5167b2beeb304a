import { checkTermsUrl, LIMITS } from '@beckon/core/protocol';
import { z } from 'zod';
import { type PushConfig, PushConfigSchema } from './push/pushConfig.js';
import { type WebhookEndpoint, WebhookEndpointSchema } from './webhooks/webhookConfig.js';

/** Shortest accepted HS256 secret: RFC 7518 asks for a key at least as long as the hash. */
export const MIN_SECRET_LENGTH = 32;

const Secret = z
  .string()
  .min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters (256 bits) for HS256`);

const Origin = z.string().refine(
  (value) => {
    try {
      return new URL(value).origin === value;
    } catch {
      return false;
    }
  },
  { message: 'must be an origin such as "https://app.example.com" (scheme, host, port; no path)' },
);

const GroupId = z
  .string()
  .min(1)
  .max(LIMITS.maxIdLength)
  .regex(/^[A-Za-z0-9_~-]+$/, 'group IDs may only contain letters, digits, "_", "~" and "-"');

/** A token bucket: frames per second and the burst allowed after a quiet spell. */
export const RateLimitSchema = z.strictObject({
  perSecond: z.number().positive().finite(),
  burst: z.number().int().min(1),
});

const GroupConfigSchema = z.strictObject({
  presence: z.boolean(),
  // The same rule clients apply to showTerms, so a configured URL can never be refused.
  termsUrl: z
    .string()
    .refine((url) => checkTermsUrl(url) === undefined, {
      message: 'must be an http(s) URL or a path starting with "/"',
    })
    .optional(),
  agentSecrets: z.array(Secret).min(1, 'needs at least one secret'),
  visitorTokens: z
    .strictObject({ required: z.boolean(), secrets: z.array(Secret) })
    .refine((v) => !v.required || v.secrets.length > 0, {
      message: 'needs at least one secret when tokens are required',
      path: ['secrets'],
    })
    .optional(),
  allowedOrigins: z.array(Origin).optional(),
  agentOrigins: z.array(Origin).optional(),
  webhooks: z.array(WebhookEndpointSchema).optional(),
  rateLimit: RateLimitSchema.optional(),
  agentRateLimit: RateLimitSchema.optional(),
  push: PushConfigSchema.optional(),
});

const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);

const GroupsConfigSchema = z.record(GroupId, GroupConfigSchema);

/** One tenant: who may connect and what its visitors are offered. */
export interface GroupConfig {
  /** Whether presence is enabled; visitors of a group without it get `notConfigured`. */
  presence: boolean;
  /** Default terms page sent with `showTerms` when the agent gives none. */
  termsUrl?: string;
  /** HS256 secrets agent tokens are checked against; more than one allows rotation. */
  agentSecrets: string[];
  /** Visitor tokens: when `required`, a visitor must present a token signed with one of `secrets`. */
  visitorTokens?: { required: boolean; secrets: string[] };
  /** Origins a visitor may connect from (exact match). Absent: any origin. */
  allowedOrigins?: string[];
  /**
   * Origins whose pages may call the HTTP agent API of this group from a browser (CORS).
   * Absent: none (CORS off); backends are not affected.
   */
  agentOrigins?: string[];
  /** Endpoints that receive this group's events as signed webhooks (docs/http-api.md). */
  webhooks?: WebhookEndpoint[];
  /** This group's visitors' rate limit; absent: the service's `rateLimit`. */
  rateLimit?: { perSecond: number; burst: number };
  /** This group's agents' rate limit; absent: the service's `agentRateLimit`. */
  agentRateLimit?: { perSecond: number; burst: number };
  /** Web Push, to wake visitors whose page is asleep or closed (docs/push.md). Absent: no push. */
  push?: PushConfig;
}

/** Groups by ID. */
export type GroupsConfig = Record<string, GroupConfig>;

/** A configuration problem, naming the field at fault (`groups.shop.agentSecrets.0: …`). */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * Validates a groups configuration and returns it typed. Throws a {@link ConfigError} whose
 * message names every bad field, so a typo in a config file stops startup with a readable
 * error instead of a tenant that silently cannot connect.
 *
 * @example
 * const groups = parseGroupsConfig({
 *   shop: { presence: true, termsUrl: '/terms', agentSecrets: [process.env.SHOP_AGENT_SECRET] },
 * });
 */
export function parseGroupsConfig(input: unknown, where = 'groups'): GroupsConfig {
  // zod drops such keys silently; a tenant must never vanish without a word.
  if (typeof input === 'object' && input !== null) {
    const reserved = Object.keys(input).find((k) => RESERVED.has(k));
    if (reserved !== undefined) {
      const path = `${where}.${reserved}`;
      throw new ConfigError(
        `invalid configuration: ${path}: reserved name, choose another group ID`,
        [{ path, message: 'reserved name, choose another group ID' }],
      );
    }
  }
  const result = GroupsConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    }));
    throw new ConfigError(
      `invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return Object.fromEntries(
    Object.entries(result.data).map(([id, g]): [string, GroupConfig] => [
      id,
      {
        presence: g.presence,
        agentSecrets: [...g.agentSecrets],
        ...(g.termsUrl !== undefined && { termsUrl: g.termsUrl }),
        ...(g.visitorTokens !== undefined && {
          visitorTokens: {
            required: g.visitorTokens.required,
            secrets: [...g.visitorTokens.secrets],
          },
        }),
        ...(g.allowedOrigins !== undefined && { allowedOrigins: [...g.allowedOrigins] }),
        ...(g.agentOrigins !== undefined && { agentOrigins: [...g.agentOrigins] }),
        ...(g.webhooks !== undefined && {
          webhooks: g.webhooks.map((w) => ({
            url: w.url,
            secrets: [...w.secrets],
            ...(w.events !== undefined && { events: [...w.events] }),
          })),
        }),
        ...(g.rateLimit !== undefined && { rateLimit: { ...g.rateLimit } }),
        ...(g.agentRateLimit !== undefined && { agentRateLimit: { ...g.agentRateLimit } }),
        ...(g.push !== undefined && {
          push: {
            vapid: { ...g.push.vapid },
            notification: Object.fromEntries(
              Object.entries(g.push.notification).filter(([, value]) => value !== undefined),
            ) as NonNullable<PushConfig['notification']>,
            ...(g.push.pushServices !== undefined && { pushServices: [...g.push.pushServices] }),
          },
        }),
      },
    ]),
  );
}
