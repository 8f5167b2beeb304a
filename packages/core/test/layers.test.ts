import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

// The folders of src/ are layers, each importing only the ones below it:
//
//   wire        the protocol: schemas, codes, limits (zod/mini only)
//   connection  transports, clock, backoff, the one connection actor (+ xstate)
//   session     the session contract, the session channel, chunks, the visitor's session
//               actor and the agent's session handle
//   consent     the consent contract, dialog actor, prompt and strings
//   push        the Web Push contract and the visitor's push actors
//   visitor     the visitor machine and createVisitor
//   agent       the agent machine and createAgent — never the visitor or consent layers
//   http        the HTTP agent API's client and the webhook check — the wire layer only
//
// esbuild resolves the real import graph (type-only imports are erased, as in any bundle),
// so what this checks is what an app's bundler would pull in.

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = resolve(pkg, 'src');
const ENTRIES = {
  root: 'src/index.ts',
  agent: 'src/agent/index.ts',
  http: 'src/http/index.ts',
  protocol: 'src/wire/index.ts',
  machines: 'src/machines.ts',
} as const;
const BELOW: Record<string, readonly string[]> = {
  wire: [],
  connection: ['wire'],
  session: ['wire', 'connection'],
  consent: ['wire', 'connection'],
  push: ['wire', 'connection'],
  visitor: ['wire', 'connection', 'session', 'consent', 'push'],
  agent: ['wire', 'connection', 'session'],
  http: ['wire'],
};

let metafiles: Record<keyof typeof ENTRIES, Metafile>;

async function graph(entry: string): Promise<Metafile> {
  const result = await build({
    absWorkingDir: pkg,
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'silent',
  });
  return result.metafile;
}

const layerOf = (file: string) => relative(src, resolve(pkg, file)).split('/')[0] ?? '';
const isSource = (file: string) => !file.includes('node_modules') && file.startsWith('src/');
const packageOf = (file: string) =>
  /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1];

beforeAll(async () => {
  const built = await Promise.all(Object.values(ENTRIES).map(graph));
  metafiles = Object.fromEntries(
    Object.keys(ENTRIES).map((name, i) => [name, built[i]]),
  ) as typeof metafiles;
});

describe('the layers of @beckon/core', () => {
  it('sees the graph it judges (the check itself works)', () => {
    const inputs = Object.keys(metafiles.root.inputs);
    expect(inputs).toContain('src/visitor/visitorMachine.ts');
    expect(inputs).toContain('src/connection/createConnectionActor.ts');
    expect(layerOf('src/visitor/createVisitor.ts')).toBe('visitor');
  });

  it('every source file imports only its own layer and the layers below it', () => {
    const wrong: string[] = [];
    for (const meta of Object.values(metafiles)) {
      for (const [file, input] of Object.entries(meta.inputs)) {
        if (!isSource(file) || file.split('/').length < 3) continue;
        const from = layerOf(file);
        for (const { path } of input.imports) {
          if (!isSource(path)) continue;
          const to = layerOf(path);
          if (to !== from && !BELOW[from]?.includes(to)) wrong.push(`${file} → ${path}`);
        }
      }
    }
    expect([...new Set(wrong)]).toEqual([]);
  });

  it('the agent entry reaches nothing of the visitor or consent layers', () => {
    const reached = Object.keys(metafiles.agent.inputs)
      .filter(isSource)
      .map(layerOf)
      .filter((layer) => layer === 'visitor' || layer === 'consent');
    expect(reached).toEqual([]);
  });

  it('the http entry is itself and the wire layer, with no Node built-in', () => {
    const inputs = Object.keys(metafiles.http.inputs);
    const layers = new Set(inputs.filter(isSource).map(layerOf));
    expect([...layers].sort()).toEqual(['http', 'wire']);
    // A browser bundle of it must not need a Node module: esbuild (platform browser) would
    // have failed to resolve one, and none is listed.
    expect(inputs.filter((file) => file.startsWith('node:'))).toEqual([]);
  });

  it('the protocol entry is the wire layer alone', () => {
    const layers = new Set(Object.keys(metafiles.protocol.inputs).filter(isSource).map(layerOf));
    expect([...layers]).toEqual(['wire']);
  });

  it('imports no packages but xstate and zod', () => {
    const packages = new Set<string>();
    for (const meta of Object.values(metafiles)) {
      for (const file of Object.keys(meta.inputs)) {
        const name = packageOf(file);
        if (name) packages.add(name);
      }
    }
    expect([...packages].sort()).toEqual(['xstate', 'zod']);
    const protocolPackages = Object.keys(metafiles.protocol.inputs).map(packageOf).filter(Boolean);
    expect(new Set(protocolPackages)).toEqual(new Set(['zod']));
  });
});
