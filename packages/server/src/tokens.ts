/**
 * What the two token kinds have in common: HS256 JWTs carrying `sub` (who), `grp` (which
 * group) and an audience that keeps an agent token from being replayed as a visitor token
 * and vice versa. Minting and verification live together so they cannot drift apart.
 */
import { checkId } from '@beckon/core/protocol';
import { errors, jwtVerify, SignJWT } from 'jose';
import { MIN_SECRET_LENGTH } from './parseGroupsConfig.js';

/** Audience of agent tokens. */
export const AGENT_AUDIENCE = 'beckon:agent';
/** Audience of visitor tokens. */
export const VISITOR_AUDIENCE = 'beckon:visitor';

const encoder = new TextEncoder();

/** Options common to both minting helpers. */
export interface MintOptions {
  groupId: string;
  /** HS256 secret, at least 32 characters. */
  secret: string;
  /**
   * Lifetime: seconds as a number (negative mints an already-expired token, for tests), or a
   * duration string understood by `jose` such as `'15m'` or `'2h'`.
   */
  expiresIn: number | string;
  /** Issue time in milliseconds since the Unix epoch; defaults to now. */
  now?: number;
}

/**
 * @internal Shared by {@link mintAgentToken} and {@link mintVisitorToken}.
 *
 * @example
 * mintToken(AGENT_AUDIENCE, 'agentId', 'agent-7', { groupId: 'shop', secret, expiresIn: '8h' });
 */
export async function mintToken(
  audience: string,
  subjectParam: string,
  subject: string,
  options: MintOptions,
): Promise<string> {
  const bad = checkId('groupId', options.groupId) ?? checkId(subjectParam, subject);
  if (bad) throw new TypeError(`${bad.param} ${bad.reason}`);
  if (typeof options.secret !== 'string' || options.secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(`secret must be a string of at least ${MIN_SECRET_LENGTH} characters`);
  }
  const nowSec = Math.floor((options.now ?? Date.now()) / 1000);
  const { expiresIn } = options;
  if (typeof expiresIn === 'number' && !Number.isFinite(expiresIn)) {
    throw new TypeError('expiresIn must be a finite number of seconds or a duration string');
  }
  return new SignJWT({ grp: options.groupId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(subject)
    .setAudience(audience)
    .setIssuedAt(nowSec)
    .setExpirationTime(typeof expiresIn === 'number' ? nowSec + Math.trunc(expiresIn) : expiresIn)
    .sign(encoder.encode(options.secret));
}

/** The verified claims Beckon relies on. */
export interface TokenClaims {
  sub: string;
  grp: string;
  exp: number;
}

export type VerifyResult =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'expired' | 'invalid'; message: string };

/**
 * @internal Verifies an HS256 token against each secret in turn (rotation: old and new are
 * both listed for a while). `exp` is required and enforced with no clock tolerance.
 *
 * @example
 * const result = await verifyToken(hello.token, group.agentSecrets, AGENT_AUDIENCE, Date.now());
 * if (result.ok && result.claims.grp === hello.groupId) admit(result.claims.sub);
 */
export async function verifyToken(
  token: string,
  secrets: readonly string[],
  audience: string,
  now: number,
): Promise<VerifyResult> {
  let message = 'token signature does not match any secret of the group';
  for (const secret of secrets) {
    try {
      const { payload } = await jwtVerify(token, encoder.encode(secret), {
        algorithms: ['HS256'],
        audience,
        requiredClaims: ['exp', 'sub', 'grp'],
        currentDate: new Date(now),
      });
      if (typeof payload.sub !== 'string' || typeof payload.grp !== 'string') {
        return {
          ok: false,
          reason: 'invalid',
          message: 'token claims sub and grp must be strings',
        };
      }
      return { ok: true, claims: { sub: payload.sub, grp: payload.grp, exp: payload.exp ?? 0 } };
    } catch (error) {
      // The claims are only checked once the signature matched, so these are final answers.
      if (error instanceof errors.JWTExpired) {
        return { ok: false, reason: 'expired', message: 'token expired' };
      }
      if (error instanceof errors.JWTClaimValidationFailed) {
        return { ok: false, reason: 'invalid', message: `token rejected: ${error.message}` };
      }
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) {
        message = 'token is not a valid HS256 JWT';
      }
    }
  }
  return { ok: false, reason: 'invalid', message };
}
