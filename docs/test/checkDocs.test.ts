import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDocs } from '../src/checkDocs.js';
import { formatDocsCheck } from '../src/formatDocsCheck.js';

// A repository of its own: one guide with a good block, a broken one, a broken fragment
// and a broken indented block, checked by the real compiler.
const root = mkdtempSync(join(tmpdir(), 'beckon-docs-check-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const guide = [
  '# Guide', // 1
  '', // 2
  '```ts', // 3
  'export const fine: number = 1;', // 4
  '```', // 5
  '', // 6
  '```ts', // 7
  'const n: number = 1;', // 8
  "const s: string = n + 'x';", // 9
  'const wrong: number = s;', // 10
  '```', // 11
  '', // 12
  '```ts fragment', // 13
  'visitor.connect(); // not checked', // 14
  '```', // 15
  '', // 16
  '1. A step:', // 17
  '', // 18
  '   ```ts', // 19
  '   const list = [missing];', // 20
  '   ```', // 21
].join('\n');

mkdirSync(join(root, 'docs'));
writeFileSync(join(root, 'docs', 'guide.md'), guide);
writeFileSync(join(root, 'README.md'), '# Nothing to check\n\n```sh\nexit 1\n```\n');
writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
writeFileSync(
  join(root, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noEmit: true,
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      moduleDetection: 'force',
      jsx: 'preserve',
      types: [],
    },
  }),
);

describe('checkDocs', () => {
  const outDir = join(root, '.blocks');
  const result = checkDocs({ root, outDir, tsconfig: join(root, 'tsconfig.json') });

  it('reports a type error at its Markdown file, line and column', () => {
    expect(result.problems).toEqual([
      expect.objectContaining({
        source: 'docs/guide.md',
        line: 10,
        column: 7,
        code: 2322,
        generated: '.blocks/docs__guide.md.L7.ts',
        generatedLine: 3,
        text: 'const wrong: number = s;',
      }),
      expect.objectContaining({ source: 'docs/guide.md', line: 20, column: 18, code: 2304 }),
    ]);
    expect(result.other).toEqual([]);
  });

  it('skips fragments: neither written nor checked', () => {
    expect(result.fragments.map((b) => b.line)).toEqual([13]);
    expect(result.checked.map((b) => b.line)).toEqual([3, 7, 19]);
    expect(existsSync(join(outDir, 'docs__guide.md.L13.ts'))).toBe(false);
    expect(existsSync(join(outDir, 'docs__guide.md.L7.ts'))).toBe(true);
  });

  it('reads the README and docs/*.md', () => {
    expect(result.sources).toEqual(['README.md', 'docs/guide.md']);
  });

  it('prints each error where an editor can jump to it, then the totals', () => {
    const report = formatDocsCheck(result);
    expect(report).toContain(
      "docs/guide.md:10:7 - error TS2322: Type 'string' is not assignable to type 'number'.\n" +
        '    const wrong: number = s;\n' +
        '    (.blocks/docs__guide.md.L7.ts:3)',
    );
    expect(report).toContain("docs/guide.md:20:18 - error TS2304: Cannot find name 'missing'.");
    expect(report.trimEnd().split('\n').at(-1)).toBe(
      'docs: 2 errors in 3 blocks of 2 Markdown files (1 fragment not checked)',
    );
  });

  it('passes once the block is fixed', () => {
    writeFileSync(
      join(root, 'docs', 'guide.md'),
      guide.replace('const wrong: number = s;', 'const right: string = s;').replace('missing', '1'),
    );
    writeFileSync(join(root, 'docs', 'extra.md'), '```ts\nexport const n = 1;\n```\n');
    const fixed = checkDocs({ root, outDir, tsconfig: join(root, 'tsconfig.json') });
    expect(fixed.problems).toEqual([]);
    expect(formatDocsCheck(fixed)).toBe(
      'docs: no errors in 4 blocks of 3 Markdown files (1 fragment not checked)',
    );
  });
});
