import { glanceDefaults } from './glanceConfig.js';

/** `GLANCE.Authorization.authorize`'s parameters: the original's, passed on to the token URL. */
export interface AuthorizeParams {
  service?: string;
  groupid?: string | number;
  /** Whatever the app's backend needs to know who asks (the original's credentials, or none: a session cookie). */
  credentials?: Record<string, unknown>;
  /** Minutes the token should last (the backend decides). */
  duration?: number;
  /** Where to ask; default: the script tag's `data-tokenurl`. */
  tokenurl?: string;
  onsuccess?: () => void;
  onfail?: (reason: string) => void;
}

let token: string | undefined;
let expiresAt = Number.POSITIVE_INFINITY;
let last: AuthorizeParams | undefined;
let asking: Promise<string> | undefined;

// The `exp` of a JWT, in ms; a token that is not one never expires here (the service decides).
function expiryOf(jwt: string): number {
  try {
    const payload = JSON.parse(
      atob((jwt.split('.')[1] ?? '').replace(/-/g, '+').replace(/_/g, '/')),
    );
    return typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function store(value: string) {
  token = value;
  expiresAt = expiryOf(value);
}

async function ask(params: AuthorizeParams): Promise<string> {
  const url = params.tokenurl ?? glanceDefaults().tokenurl;
  if (!url) throw new Error('no token URL: set data-tokenurl on the script tag');
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/plain' },
    body: JSON.stringify({
      service: params.service ?? 'presence',
      groupid: params.groupid ?? glanceDefaults().groupid,
      credentials: params.credentials ?? {},
      duration: params.duration,
    }),
  });
  if (!response.ok) throw new Error(`the token URL answered ${response.status}`);
  const text = (await response.text()).trim();
  let value = text;
  if (text.startsWith('{')) value = String((JSON.parse(text) as { token?: unknown }).token ?? '');
  if (!value) throw new Error('the token URL sent no token');
  store(value);
  return value;
}

/**
 * `GLANCE.Authorization`: agent tokens for the agent side. Beckon's agent tokens are JWTs
 * the app's own backend mints (`mintAgentToken` of `@beckon/server`), so `authorize()`
 * POSTs its parameters as JSON to the app's token URL (`data-tokenurl`, or `tokenurl` in the
 * parameters) and keeps the token it answers with (`{ "token": "…" }` or the bare token).
 * The token is asked for again, with the same parameters, when it has expired. `setToken()`
 * and the tag's `data-authtoken` give one directly.
 *
 * @example
 * GLANCE.Authorization.authorize({
 *   service: 'presence',
 *   credentials: { partneruserid: 'agent-7' },
 *   onsuccess: () => agent.connect(),
 *   onfail: (reason) => console.error('authorization failed', reason),
 * });
 */
export const Authorization = {
  authorize(params: AuthorizeParams = {}): void {
    last = params;
    asking = ask(params);
    asking.then(
      () => params.onsuccess?.(),
      (error: unknown) => params.onfail?.(error instanceof Error ? error.message : String(error)),
    );
  },

  /** Uses this token (as `data-authtoken` does). */
  setToken(value: string): void {
    last = undefined;
    store(value);
  },

  /** The current token: asked for again when it expired and `authorize()` was used. */
  async getToken(): Promise<string> {
    if (asking) await asking.catch(() => undefined);
    if (token !== undefined && (Date.now() < expiresAt || !last)) return token;
    if (last) {
      asking = ask(last);
      return asking;
    }
    const preset = glanceDefaults().authtoken;
    if (!preset) throw new Error('not authorized: call GLANCE.Authorization.authorize() first');
    store(preset);
    return preset;
  },
};
