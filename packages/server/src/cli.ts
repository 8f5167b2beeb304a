#!/usr/bin/env node
/**
 * `beckon-server`: runs the presence service from the command line. Configuration comes
 * from flags, then environment variables, then the config file; without a config file it
 * serves the public demo group and prints a demo agent token.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type Logger, pino } from 'pino';
import webPush from 'web-push';
import { z } from 'zod';
import type { PresenceBackend } from './cluster/PresenceCluster.js';
import { createPresenceServer, type PresenceServerOptions } from './createPresenceServer.js';
import { DEMO_AGENT_SECRET, DEMO_GROUP_ID, demoGroups } from './demo.js';
import { HubOptionsSchema } from './hub/hubContext.js';
import { mintAgentToken } from './mintAgentToken.js';
import { ConfigError, parseGroupsConfig } from './parseGroupsConfig.js';
import { ServerOptionsSchema } from './serverSettings.js';
import { SessionOptionsSchema } from './session/sessionSettings.js';
import { WebhookDeliverySchema } from './webhooks/webhookSettings.js';

const USAGE = `Usage: beckon-server [options]
       beckon-server vapid

Runs the Beckon presence service (WebSocket endpoint, /healthz, /metrics).
"beckon-server vapid" prints a new VAPID key pair for a group's "push" config (JSON).

Options:
  --port <n>          TCP port (default 8080; 0 picks a free one)    env BECKON_PORT
  --host <addr>       interface to bind (default 127.0.0.1)           env BECKON_HOST
  --config <file>     JSON config file with "groups" (see docs/server.md)  env BECKON_CONFIG
  --log-level <lvl>   fatal, error, warn, info, debug, trace, silent  env BECKON_LOG_LEVEL
  --redis <url>       share visitors with other processes through this Redis
                      (redis://host:port; needs @beckon/redis)        env BECKON_REDIS_URL
  --redis-prefix <p>  prefix of Beckon's Redis keys (default beckon:) env BECKON_REDIS_PREFIX
  --trusted-proxies <a,b>  addresses of reverse proxies whose X-Forwarded-For
                      names the client (per-address cap, logs)        env BECKON_TRUSTED_PROXIES
  -h, --help          show this help

Without a config file the server runs the demo group "demo" with a PUBLIC agent secret
and logs a demo agent token: never expose a demo server to the internet.
SIGTERM or SIGINT drains clients (close 4100 with a jittered reconnect delay) and exits 0.
`;

const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

// The file takes every option of the service the code takes, checked by the same schemas.
const FileConfig = z.strictObject({
  ...HubOptionsSchema.shape,
  ...SessionOptionsSchema.shape,
  ...ServerOptionsSchema.shape,
  webhookDelivery: WebhookDeliverySchema.optional(),
  groups: z.unknown(),
  logLevel: LogLevel.optional(),
  redis: z
    .strictObject({
      url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
      prefix: z.string().optional(),
      heartbeatMs: z.number().int().positive().optional(),
      nodeTimeoutMs: z.number().int().positive().optional(),
    })
    .optional(),
});

/** What the CLI needs of `@beckon/redis`, loaded only when Redis is configured. */
interface RedisModule {
  createRedisPresence(options: {
    url: string;
    prefix?: string;
    heartbeatMs?: number;
    nodeTimeoutMs?: number;
    logger?: Logger;
  }): PresenceBackend;
}

// A variable, so the compiler does not look for the optional package at build time.
const REDIS_PACKAGE = '@beckon/redis';

async function loadRedis(): Promise<RedisModule> {
  try {
    return (await import(REDIS_PACKAGE)) as RedisModule;
  } catch (error) {
    fail(
      `--redis needs the ${REDIS_PACKAGE} package next to @beckon/server (npm install ${REDIS_PACKAGE}): ${(error as Error).message}`,
    );
  }
}

function fail(message: string): never {
  throw new ConfigError(message);
}

function parsePort(value: string, where: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535)
    fail(`${where} must be a port number in [0, 65535], got "${value}"`);
  return port;
}

function readConfig(file: string): z.infer<typeof FileConfig> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    fail(`config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const result = FileConfig.safeParse(json);
  if (!result.success) {
    fail(
      `invalid config file ${file}: ${result.error.issues
        .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
  if (result.data.groups === undefined) fail(`invalid config file ${file}: groups: required`);
  return result.data;
}

/** `beckon-server vapid`: a fresh key pair, as JSON, for a group's `push.vapid`. */
function printVapidKeys(rest: string[]): void {
  if (rest.length > 0) {
    process.stderr.write(`beckon-server vapid: takes no arguments, got ${rest.join(' ')}\n`);
    process.exitCode = 2;
    return;
  }
  const { publicKey, privateKey } = webPush.generateVAPIDKeys();
  process.stdout.write(`${JSON.stringify({ publicKey, privateKey }, null, 2)}\n`);
  process.stderr.write(
    'Put these in the group\'s "push": { "vapid": { "publicKey", "privateKey", "subject": "mailto:you@example.com" } }.\n' +
      'Keep the private key secret; changing the pair makes every stored subscription useless.\n',
  );
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv[0] === 'vapid') {
    printVapidKeys(argv.slice(1));
    return;
  }
  let values: {
    port?: string;
    host?: string;
    config?: string;
    'log-level'?: string;
    redis?: string;
    'redis-prefix'?: string;
    'trusted-proxies'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        config: { type: 'string' },
        'log-level': { type: 'string' },
        redis: { type: 'string' },
        'redis-prefix': { type: 'string' },
        'trusted-proxies': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`beckon-server: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }

  let log: Logger | undefined;
  let backend: PresenceBackend | undefined;
  try {
    const configFile = values.config ?? env.BECKON_CONFIG;
    const file = configFile ? readConfig(configFile) : undefined;
    const levelInput = values['log-level'] ?? env.BECKON_LOG_LEVEL ?? file?.logLevel ?? 'info';
    const level = LogLevel.safeParse(levelInput);
    if (!level.success)
      fail(`log level must be one of ${LogLevel.options.join(', ')}, got "${levelInput}"`);
    log = pino({ level: level.data, base: { service: 'beckon-server' } });

    const port =
      values.port !== undefined
        ? parsePort(values.port, '--port')
        : env.BECKON_PORT
          ? parsePort(env.BECKON_PORT, 'BECKON_PORT')
          : (file?.port ?? 8080);
    const host = values.host ?? env.BECKON_HOST ?? file?.host ?? '127.0.0.1';
    const groups = file ? parseGroupsConfig(file.groups) : demoGroups();
    const {
      groups: _groups,
      logLevel: _level,
      port: _port,
      host: _host,
      redis: fileRedis,
      ...tuning
    } = file ?? {};
    const options: PresenceServerOptions = { port, host, groups, logger: log };
    for (const [key, value] of Object.entries(tuning)) {
      if (value !== undefined) Object.assign(options, { [key]: value });
    }
    const proxies = values['trusted-proxies'] ?? env.BECKON_TRUSTED_PROXIES;
    if (proxies !== undefined) {
      // An empty list is a deliberate "none", overriding the file's.
      options.trustedProxies = proxies
        .split(',')
        .map((address) => address.trim())
        .filter((address) => address !== '');
    }

    const redisUrl = values.redis ?? env.BECKON_REDIS_URL ?? fileRedis?.url;
    const redisPrefix = values['redis-prefix'] ?? env.BECKON_REDIS_PREFIX ?? fileRedis?.prefix;
    if (redisUrl !== undefined) {
      if (!/^rediss?:\/\//.test(redisUrl))
        fail(`--redis must be a redis:// or rediss:// URL, got "${redisUrl}"`);
      const { createRedisPresence } = await loadRedis();
      backend = createRedisPresence({
        url: redisUrl,
        ...(redisPrefix !== undefined && { prefix: redisPrefix }),
        ...(fileRedis?.heartbeatMs !== undefined && { heartbeatMs: fileRedis.heartbeatMs }),
        ...(fileRedis?.nodeTimeoutMs !== undefined && { nodeTimeoutMs: fileRedis.nodeTimeoutMs }),
        logger: log,
      });
      Object.assign(options, {
        registry: backend.registry,
        bus: backend.bus,
        cluster: backend.cluster,
      });
      log.info({ redis: redisUrl.replace(/\/\/[^@/]*@/, '//***@') }, 'sharing state through redis');
    } else if (redisPrefix !== undefined) {
      fail('--redis-prefix needs --redis');
    }

    // The signal handlers go in before the server starts: a SIGTERM right after the
    // "listening" line (a supervisor's) must drain, not meet the default action and kill.
    const starting = createPresenceServer(options);
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log?.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      log?.info({ signal }, 'draining');
      starting
        .then((server) => server.drain())
        .then(() => backend?.close())
        .then(
          () => {
            log?.info('drained; bye');
            process.exit(0);
          },
          (error: unknown) => {
            log?.error({ err: error }, 'drain failed');
            process.exit(1);
          },
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    await starting;
    if (!file) {
      const token = await mintAgentToken({
        groupId: DEMO_GROUP_ID,
        agentId: 'demo-agent',
        secret: DEMO_AGENT_SECRET,
        expiresIn: '24h',
      });
      log.warn(
        { groupId: DEMO_GROUP_ID },
        'demo mode: the demo agent secret is public; do not expose this server',
      );
      log.info({ groupId: DEMO_GROUP_ID, agentId: 'demo-agent', token }, 'demo agent token');
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (log) log.fatal({ err: error }, message);
    process.stderr.write(`beckon-server: ${message}\n`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
    // Its reconnecting clients would keep the process alive.
    await backend?.close();
  }
}

await main(process.argv.slice(2), process.env);
