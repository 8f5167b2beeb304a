import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The agent entry must not pull in the visitor machine: an agent console's bundle should
// carry only the agent. This walks the real import graph of the sources, so a new import
// anywhere along the way (not only in src/agent) is caught.

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const FORBIDDEN = [
  'visitorMachine.ts',
  'createVisitor.ts',
  'socketActor.ts',
  'index.ts',
  'consentUI.ts',
];
const ALLOWED_PACKAGES = new Set(['xstate', 'zod/mini']);

// Every module specifier: static imports and re-exports (type-only ones too), dynamic
// imports, and side-effect imports.
const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function specifiers(code: string): string[] {
  // Comments may quote imports (TSDoc examples do); they are not edges.
  const stripped = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
  return [...stripped.matchAll(SPECIFIER)].map((m) => (m[1] ?? m[2]) as string);
}

/** Every file and package reachable from `entries`, with the chain that reached it. */
function walk(entries: string[]) {
  const files = new Map<string, string[]>();
  const packages = new Map<string, string[]>();
  const queue = entries.map((file) => ({ file, chain: [relative(src, file)] }));
  while (queue.length > 0) {
    const { file, chain } = queue.shift()!;
    if (files.has(file)) continue;
    files.set(file, chain);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) {
        if (!packages.has(spec)) packages.set(spec, chain);
        continue;
      }
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!existsSync(target)) throw new Error(`${relative(src, file)} imports missing ${spec}`);
      queue.push({ file: target, chain: [...chain, relative(src, target)] });
    }
  }
  return { files, packages };
}

const agentFiles = readdirSync(join(src, 'agent'), { recursive: true, encoding: 'utf8' })
  .filter((name) => name.endsWith('.ts'))
  .map((name) => join(src, 'agent', name));

describe('the agent import graph', () => {
  it('finds the edges it must judge (the scanner itself works)', () => {
    expect(specifiers("import { a } from './a.js';\nexport type { B } from '../b.js';")).toEqual([
      './a.js',
      '../b.js',
    ]);
    expect(specifiers("import type {\n  C,\n  D,\n} from './c.js';\nimport './side.js';")).toEqual([
      './c.js',
      './side.js',
    ]);
    expect(specifiers("const m = await import('./lazy.js');")).toEqual(['./lazy.js']);
    expect(specifiers("// import { x } from './commented.js';")).toEqual([]);
    // The visitor's own entry does reach the visitor machine: the walk follows chains.
    const visitor = walk([join(src, 'createVisitor.ts')]);
    expect(visitor.files.has(join(src, 'visitorMachine.ts'))).toBe(true);
    expect(visitor.files.has(join(src, 'socketActor.ts'))).toBe(true);
  });

  it('starts from every file under src/agent', () => {
    expect(agentFiles.map((f) => relative(src, f)).sort()).toContain('agent/index.ts');
    expect(agentFiles.length).toBeGreaterThan(1);
  });

  it('never reaches the visitor machine, the visitor API or the core barrel', () => {
    const { files } = walk(agentFiles);
    const reached = FORBIDDEN.map((name) => join(src, name))
      .filter((file) => files.has(file))
      .map((file) => files.get(file)!.join(' → '));
    expect(reached).toEqual([]);
  });

  it('imports no packages but xstate and zod/mini', () => {
    const { packages } = walk(agentFiles);
    const others = [...packages].filter(([name]) => !ALLOWED_PACKAGES.has(name));
    expect(others).toEqual([]);
  });
});
