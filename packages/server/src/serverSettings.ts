import { isIP } from 'node:net';
import { z } from 'zod';
import { checkOptions } from './checkOptions.js';
import { ConfigError } from './parseGroupsConfig.js';

/** The options of the network layer around the hub (what `createPresenceServer` adds). */
export interface ServerSettings {
  port: number;
  host: string;
  path: string;
  sessionPath: string;
  shutdownTimeoutMs: number;
  upgradeTimeoutMs: number;
  maxConnectionsPerAddress: number;
  /** Normalised addresses (`::ffff:10.0.0.1` is `10.0.0.1`). */
  trustedProxies: ReadonlySet<string>;
  httpApi: boolean;
}

/**
 * An address as the guard compares it: IPv4 clients of a dual-stack socket arrive as
 * `::ffff:a.b.c.d`, the same client as `a.b.c.d` in a proxy's `X-Forwarded-For`.
 *
 * @example
 * normaliseAddress('::ffff:127.0.0.1'); // '127.0.0.1'
 */
export function normaliseAddress(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && isIP(lower.slice(7)) === 4 ? lower.slice(7) : lower;
}

const IpAddress = z.string().refine((value) => isIP(value) !== 0, 'must be an IP address');

/** The network layer's options' shapes, for the server's and the CLI's checks. */
export const ServerOptionsSchema = z.looseObject({
  port: z.number().int().min(0).max(65_535).optional(),
  host: z.string().min(1).optional(),
  path: z.string().startsWith('/').optional(),
  sessionPath: z.string().startsWith('/').optional(),
  shutdownTimeoutMs: z.number().int().positive().optional(),
  upgradeTimeoutMs: z.number().int().positive().optional(),
  maxConnectionsPerAddress: z.number().int().nonnegative().optional(),
  trustedProxies: z.array(IpAddress).max(100).optional(),
  httpApi: z.boolean().optional(),
});

/**
 * Checks the network layer's options and fills in the defaults; a bad one is a
 * `ConfigError` naming it.
 *
 * @example
 * const settings = serverSettings({ port: 8080, trustedProxies: ['10.0.0.2'] });
 */
export function serverSettings(options: object): ServerSettings {
  const checked = checkOptions(ServerOptionsSchema, options);
  const path = checked.path ?? '/';
  const sessionPath = checked.sessionPath ?? new URL('session', `http://localhost${path}`).pathname;
  if (sessionPath === path) {
    // The default sits next to `path`, so a `path` ending in `/session` meets it.
    const message = `must differ from path ${JSON.stringify(path)}; set sessionPath`;
    throw new ConfigError(`invalid options: options.sessionPath: ${message}`, [
      { path: 'options.sessionPath', message },
    ]);
  }
  return {
    port: checked.port ?? 0,
    host: checked.host ?? '127.0.0.1',
    path,
    sessionPath,
    shutdownTimeoutMs: checked.shutdownTimeoutMs ?? 2_000,
    upgradeTimeoutMs: checked.upgradeTimeoutMs ?? 10_000,
    maxConnectionsPerAddress: checked.maxConnectionsPerAddress ?? 256,
    trustedProxies: new Set((checked.trustedProxies ?? []).map(normaliseAddress)),
    httpApi: checked.httpApi !== false,
  };
}
