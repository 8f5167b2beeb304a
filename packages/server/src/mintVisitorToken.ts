import { type MintOptions, mintToken, VISITOR_AUDIENCE } from './tokens.js';

/** Options of {@link mintVisitorToken}. */
export interface MintVisitorTokenOptions extends MintOptions {
  /** The visitor ID the token binds; becomes the token's `sub`. */
  visitorId: string;
}

/**
 * Mints a visitor token: an HS256 JWT with `sub` = visitor ID, `grp` = group ID,
 * `aud` = `'beckon:visitor'` and an expiry. Your app's backend issues it to the logged-in
 * user, so nobody can claim a visitor ID that is not theirs.
 *
 * @example
 * const token = await mintVisitorToken({
 *   groupId: 'shop',
 *   visitorId: user.id,
 *   secret: process.env.SHOP_VISITOR_SECRET!,
 *   expiresIn: 3600,
 * });
 */
export function mintVisitorToken(options: MintVisitorTokenOptions): Promise<string> {
  return mintToken(VISITOR_AUDIENCE, 'visitorId', options.visitorId, options);
}
