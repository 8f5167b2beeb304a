/** The demo's runtime config: where the presence service is, from a file, the query or defaults. */

import { checkId } from '@beckon/core/protocol';
import { type KeyValueStorage, readJson, tabStorage, writeJson } from './storage.js';

/** Where the presence service is, as the page found out. */
export interface DemoConfig {
  /** The presence service's WebSocket URL. */
  serverUrl: string;
  groupId: string;
  /** Where each value came from. */
  sources: { serverUrl: ConfigSource; groupId: ConfigSource };
  /** Values that were given but unusable, and why: shown in the console. */
  warnings: string[];
}

/**
 * `file`: `./beckon-config.json` (written by `pnpm start`); `query`: `?server=…&group=…` on
 * this page or an earlier one in this tab; `default`: port 8080 on this page's host.
 */
export type ConfigSource = 'file' | 'query' | 'default';

/** The runtime config file, relative to the page. */
export const CONFIG_FILE = './beckon-config.json';
/** Query parameters from an earlier page of this tab, so they survive navigation. */
export const QUERY_CONFIG_KEY = 'beckon-demo:query-config';
const CONFIG_TIMEOUT_MS = 5000;

/** What {@link loadConfig} reads from; all default to the page's own. */
export interface ConfigEnvironment {
  fetch?: (url: string, init?: RequestInit) => Promise<Response>;
  location?: Pick<Location, 'href' | 'hostname' | 'search'>;
  /** Remembers `?server=` / `?group=` for the rest of this tab's pages. */
  storage?: KeyValueStorage;
}

function checkServerUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return 'must be a non-empty string';
  try {
    const url = new URL(value);
    if (!['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol)) {
      return `must be a ws:, wss:, http: or https: URL, not ${url.protocol}`;
    }
    if (url.hash) return 'must not have a #fragment';
    return undefined;
  } catch {
    return 'is not a valid absolute URL';
  }
}

function checkGroupId(value: unknown): string | undefined {
  return checkId('groupId', value)?.reason;
}

async function fetchConfigFile(env: Required<ConfigEnvironment>): Promise<unknown> {
  const url = new URL(CONFIG_FILE, env.location.href).href;
  // A server that never answers must not keep the page from connecting.
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), CONFIG_TIMEOUT_MS);
  try {
    const response = await env.fetch(url, { cache: 'no-store', signal: controller.signal });
    if (!response.ok) return undefined;
    // `vite dev` answers unknown paths with a page, not a 404: only JSON counts.
    const text = await response.text();
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Finds the presence service for this page. Each value is taken from the first source that
 * has a usable one: `./beckon-config.json` (what `pnpm start` serves), then the query
 * parameters `?server=…&group=…` (remembered for the tab's later pages), then the
 * defaults `ws://<this host>:8080/` and group `demo`. A value that is there but unusable
 * (not a ws/http URL, not a valid group ID) is skipped with a warning, never used.
 *
 * @example
 * const config = await loadConfig();
 * const visitor = createDemoVisitor({ config });
 */
export async function loadConfig(env: ConfigEnvironment = {}): Promise<DemoConfig> {
  const full: Required<ConfigEnvironment> = {
    fetch: env.fetch ?? ((url, init) => globalThis.fetch(url, init)),
    location: env.location ?? globalThis.location,
    storage: env.storage ?? tabStorage(),
  };
  const warnings: string[] = [];
  const file = ((await fetchConfigFile(full)) ?? {}) as Record<string, unknown>;

  const params = new URLSearchParams(full.location.search);
  const remembered = readJson(full.storage, QUERY_CONFIG_KEY) as
    | { server?: unknown; group?: unknown }
    | undefined;
  const fromQuery = (name: 'server' | 'group'): unknown =>
    params.get(name) ?? (typeof remembered === 'object' ? remembered?.[name] : undefined);
  const query = { server: fromQuery('server'), group: fromQuery('group') };

  const pick = (
    name: string,
    candidates: [ConfigSource, unknown][],
    check: (value: unknown) => string | undefined,
  ): [string, ConfigSource] | undefined => {
    for (const [source, value] of candidates) {
      if (value === undefined || value === null) continue;
      const problem = check(value);
      if (problem === undefined) return [value as string, source];
      warnings.push(`${name} from ${source} ${problem}: ${JSON.stringify(value)}`);
    }
    return undefined;
  };

  const host = full.location.hostname || '127.0.0.1';
  const [serverUrl, serverSource] = pick(
    'serverUrl',
    [
      ['file', file.serverUrl],
      ['query', query.server],
    ],
    checkServerUrl,
  ) ?? [`ws://${host}:8080/`, 'default'];
  const [groupId, groupSource] = pick(
    'groupId',
    [
      ['file', file.groupId],
      ['query', query.group],
    ],
    checkGroupId,
  ) ?? ['demo', 'default'];

  // The next page of this tab has no query string: keep what this one was given.
  if (params.has('server') || params.has('group')) {
    writeJson(full.storage, QUERY_CONFIG_KEY, {
      ...(query.server !== undefined && { server: query.server }),
      ...(query.group !== undefined && { group: query.group }),
    });
  }
  return {
    serverUrl,
    groupId,
    sources: { serverUrl: serverSource, groupId: groupSource },
    warnings,
  };
}
