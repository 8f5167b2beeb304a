import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The registry's operations, one Lua script each (in `lua/`, beside this file). */
export const SCRIPT_NAMES = [
  'connect',
  'touch',
  'disconnect',
  'setPresence',
  'recordPresence',
  'setVisibility',
  'markAway',
  'setSessionKey',
  'get',
  'forget',
  'expireGone',
  'beat',
  'forgetNode',
  'savePush',
  'removePush',
  'listPush',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** What the scripts need of a client: one raw command. */
export interface CommandSender {
  sendCommand<T = unknown>(args: readonly string[]): Promise<T>;
}

/** Runs the registry's scripts on a client. */
export type RunScript = <T = unknown>(
  name: ScriptName,
  keys: readonly string[],
  args: readonly string[],
) => Promise<T>;

interface Script {
  source: string;
  sha: string;
}

let loaded: Map<ScriptName, Script> | undefined;

// Read once per process; every script gets the shared helpers in front.
function scripts(): Map<ScriptName, Script> {
  if (loaded) return loaded;
  const read = (name: string) =>
    readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
  const lib = read('_lib');
  loaded = new Map();
  for (const name of SCRIPT_NAMES) {
    const source = `${lib}\n${read(name)}`;
    loaded.set(name, { source, sha: createHash('sha1').update(source).digest('hex') });
  }
  return loaded;
}

const isNoScript = (error: unknown) =>
  error instanceof Error && error.message.startsWith('NOSCRIPT');

/**
 * A runner of the registry's scripts: EVALSHA, and EVAL (which caches the script again)
 * when Redis does not know it — after a restart, a `SCRIPT FLUSH` or on a new server. Every
 * call is one atomic step on the server.
 *
 * @example
 * const run = createScriptRunner(client);
 * const record = await run('get', [keys.visitor('shop', 'alice'), keys.connections('shop', 'alice')], []);
 */
export function createScriptRunner(client: CommandSender): RunScript {
  const all = scripts();
  return async <T>(name: ScriptName, keys: readonly string[], args: readonly string[]) => {
    const script = all.get(name);
    if (!script) throw new Error(`unknown script ${name}`);
    const tail = [String(keys.length), ...keys, ...args];
    try {
      return await client.sendCommand<T>(['EVALSHA', script.sha, ...tail]);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return client.sendCommand<T>(['EVAL', script.source, ...tail]);
    }
  };
}
