/**
 * `@beckon/server/demo`: the configuration `beckon-server` runs without a config file. Its
 * agent secret is public, so it is for trying Beckon on your own machine only.
 */
import type { GroupsConfig } from './parseGroupsConfig.js';

/** The group the CLI serves when started without a config file. */
export const DEMO_GROUP_ID = 'demo';

/**
 * The demo group's agent secret. It is public (it is in this file), so a server running the
 * demo configuration must never be reachable by anyone you do not trust.
 */
export const DEMO_AGENT_SECRET = 'beckon-demo-agent-secret-not-for-production';

/**
 * The demo group's VAPID key pair for Web Push. Public too (it is in this file): anyone can
 * send pushes to the demo's subscribers with it. Make your own with `beckon-server vapid`.
 */
export const DEMO_VAPID_KEYS = {
  publicKey:
    'BGEYuuly4LM5q7N-gHr6qfOcxCv6WPh9LqSWg4NcqJdpdLhl7mj6b9q4390UN1vDtRW6lMHVAOKsQcrBp_vaZcM',
  privateKey: 'Xq38ZLzX0xeZ3JJhiHEcmvLIzhK46BNpqMOSp9FLAew',
} as const;

/**
 * The demo configuration: one group, `demo`, with presence on, terms at `/terms`, the
 * public {@link DEMO_AGENT_SECRET}, no visitor tokens and any origin, and Web Push with the
 * public {@link DEMO_VAPID_KEYS} and the browsers' own push services.
 *
 * @example
 * import { DEMO_AGENT_SECRET, DEMO_GROUP_ID, demoGroups } from '@beckon/server/demo';
 *
 * const server = await createPresenceServer({ groups: demoGroups() });
 * const token = await mintAgentToken({
 *   groupId: DEMO_GROUP_ID, agentId: 'me', secret: DEMO_AGENT_SECRET, expiresIn: '1h',
 * });
 */
export function demoGroups(): GroupsConfig {
  return {
    [DEMO_GROUP_ID]: {
      presence: true,
      termsUrl: '/terms',
      agentSecrets: [DEMO_AGENT_SECRET],
      push: {
        vapid: { ...DEMO_VAPID_KEYS, subject: 'mailto:demo@example.com' },
        notification: { title: 'Support would like to help you', body: 'Tap to continue' },
      },
    },
  };
}
