import { AGENT_AUDIENCE, type MintOptions, mintToken } from './tokens.js';

/** Options of {@link mintAgentToken}. */
export interface MintAgentTokenOptions extends MintOptions {
  /** Who the agent is; becomes the token's `sub`. */
  agentId: string;
}

/**
 * Mints an agent token: an HS256 JWT with `sub` = agent ID, `grp` = group ID,
 * `aud` = `'beckon:agent'` and an expiry. Call it from your CRM backend after your own
 * login, and hand the token to the agent console.
 *
 * @example
 * const token = await mintAgentToken({
 *   groupId: 'shop',
 *   agentId: 'agent-7',
 *   secret: process.env.SHOP_AGENT_SECRET!,
 *   expiresIn: '8h',
 * });
 */
export function mintAgentToken(options: MintAgentTokenOptions): Promise<string> {
  return mintToken(AGENT_AUDIENCE, 'agentId', options.agentId, options);
}
