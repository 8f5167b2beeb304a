import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { DocBlock } from '../../src/extractBlocks.js';
import { blockFileName } from '../../src/writeBlocks.js';

/** A docs block running as its own Node process. */
export interface RunningBlock {
  /** Where the block is: `README.md:58`. */
  readonly name: string;
  /** Everything it printed so far, stdout and stderr. */
  readonly output: () => string;
  /** Resolves once the output matches; rejects with the output so far if the process exits first or `timeoutMs` pass. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Ends the process. */
  stop(): Promise<void>;
}

const docsDir = join(import.meta.dirname, '..', '..');

/**
 * Runs a block as a reader would: its TypeScript turned into JavaScript (types removed,
 * nothing else changed) and started with `node` from inside docs/, so its imports resolve to
 * the workspace packages' built `dist/` as they would from npm. `env` is added to the
 * process's environment.
 *
 * @example
 * const agent = runBlock(sectionBlock('README.md', '## An agent in a few lines'), { BECKON_URL: url });
 * await agent.waitFor(/watching/);
 */
export function runBlock(block: DocBlock, env: Record<string, string>): RunningBlock {
  const dir = join(docsDir, '.build', 'run');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${blockFileName(block)}.mjs`);
  const { outputText } = ts.transpileModule(block.code, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      jsx: ts.JsxEmit.ReactJSX,
      verbatimModuleSyntax: true,
    },
    fileName: blockFileName(block),
  });
  writeFileSync(file, outputText);

  let output = '';
  let gone = false;
  const waiters = new Set<() => void>();
  const recheck = () => {
    for (const check of waiters) check();
  };
  const child: ChildProcess = spawn(process.execPath, [file], {
    cwd: docsDir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    recheck();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      gone = true;
      output += `\n[exited: ${signal ?? code}]`;
      recheck();
      resolve();
    }),
  );

  const name = `${block.source}:${block.line}`;
  return {
    name,
    output: () => output,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`${name} printed no ${pattern} ${why}:\n${output}`));
        };
        const check = () => {
          if (pattern.test(output)) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (gone) {
            fail('before it exited');
          }
        };
        const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}
