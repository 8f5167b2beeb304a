/** Where the console finds the presence service, and how it signs in. */
export interface RuntimeConfig {
  /** The presence service's WebSocket URL, e.g. `ws://127.0.0.1:8080/`. */
  serverUrl: string;
  groupId: string;
  /** An agent token (JWT); absent when the user has to paste one. */
  agentToken?: string;
  /** Where the values came from, shown on the sign-in form. */
  source: 'file' | 'query' | 'defaults';
  /** Why `beckon-config.json` was not used, when it existed but was unusable. */
  warning?: string;
}

/** What {@link loadRuntimeConfig} needs from the page; injectable for tests. */
export interface ConfigEnvironment {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** The page's address (`location.href`). */
  href: string;
}

const FILE = './beckon-config.json';

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value !== '';

function fromFile(body: unknown): Omit<RuntimeConfig, 'source'> | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'beckon-config.json is not a JSON object';
  }
  const { serverUrl, groupId, agentToken } = body as Record<string, unknown>;
  if (!nonEmpty(serverUrl)) return 'beckon-config.json has no "serverUrl" string';
  if (!nonEmpty(groupId)) return 'beckon-config.json has no "groupId" string';
  if (agentToken !== undefined && typeof agentToken !== 'string') {
    return 'beckon-config.json: "agentToken" must be a string';
  }
  return { serverUrl, groupId, ...(nonEmpty(agentToken) ? { agentToken } : {}) };
}

/**
 * Reads the runtime configuration: `./beckon-config.json` next to the page (written by
 * `pnpm start`), else the `?server=…&group=…&token=…` query parameters, else the defaults
 * (`ws://<page host>:8080/`, group `demo`, no token). Never throws: a missing or broken file
 * falls back, with a `warning` when the file existed but was unusable.
 *
 * @example
 * const config = await loadRuntimeConfig({ fetch: window.fetch.bind(window), href: location.href });
 * if (config.agentToken) signIn(config);
 */
export async function loadRuntimeConfig(env: ConfigEnvironment): Promise<RuntimeConfig> {
  let warning: string | undefined;
  try {
    const response = await env.fetch(new URL(FILE, env.href).href, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
    });
    if (response.ok) {
      // `vite dev` answers unknown paths with index.html: that is "no file", not an error.
      const text = await response.text();
      if (!text.trimStart().startsWith('<')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
          warning = 'beckon-config.json is not valid JSON';
        }
        if (parsed !== undefined) {
          const config = fromFile(parsed);
          if (typeof config !== 'string') return { ...config, source: 'file' };
          warning = config;
        }
      }
    }
  } catch {
    // No file server (or offline): fall through to the query and the defaults.
  }
  const url = new URL(env.href);
  const query = url.searchParams;
  const server = query.get('server');
  const group = query.get('group');
  const token = query.get('token');
  const fromQuery = nonEmpty(server) || nonEmpty(group) || nonEmpty(token);
  // `hostname` keeps an IPv6 address's brackets, so it drops straight into a URL.
  const host = url.hostname || '127.0.0.1';
  return {
    serverUrl: nonEmpty(server) ? server : `ws://${host}:8080/`,
    groupId: nonEmpty(group) ? group : 'demo',
    ...(nonEmpty(token) ? { agentToken: token } : {}),
    source: fromQuery ? 'query' : 'defaults',
    ...(warning ? { warning } : {}),
  };
}
