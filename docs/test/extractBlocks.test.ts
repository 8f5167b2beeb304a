import { describe, expect, it } from 'vitest';
import { extractBlocks } from '../src/extractBlocks.js';
import { blockFileName } from '../src/writeBlocks.js';

const md = [
  '# Title', // 1
  '', // 2
  '```ts', // 3
  'const a: number = 1;', // 4
  '```', // 5
  '', // 6
  '```tsx fragment', // 7
  '<Partial />', // 8
  '```', // 9
  '', // 10
  '```sh', // 11
  'echo "```ts"', // 12
  '```', // 13
  '', // 14
  '````md', // 15
  '```ts', // 16
  'not code, an example of Markdown', // 17
  '```', // 18
  '````', // 19
  '', // 20
  '- a list item:', // 21
  '', // 22
  '  ```ts', // 23
  '  const b = 2;', // 24
  '    const c = 3;', // 25
  '  ```', // 26
  '', // 27
  '~~~ts', // 28
  'const d = 4;', // 29
  '~~~', // 30
].join('\n');

describe('extractBlocks', () => {
  const blocks = extractBlocks(md, 'docs/guide.md');

  it('finds the ts and tsx blocks with the line of their opening fence', () => {
    expect(blocks.map((b) => [b.line, b.lang, b.fragment])).toEqual([
      [3, 'ts', false],
      [7, 'tsx', true],
      [23, 'ts', false],
      [28, 'ts', false],
    ]);
    expect(blocks[0]).toEqual({
      source: 'docs/guide.md',
      line: 3,
      lang: 'ts',
      fragment: false,
      indent: 0,
      code: 'const a: number = 1;\n',
    });
  });

  it('skips fences shown inside blocks of other languages', () => {
    expect(blocks.some((b) => b.code.includes('not code'))).toBe(false);
    expect(blocks.some((b) => b.code.includes('echo'))).toBe(false);
  });

  it("removes an indented fence's indentation from its lines, and remembers it", () => {
    expect(blocks[2]).toMatchObject({ indent: 2, code: 'const b = 2;\n  const c = 3;\n' });
  });

  it('runs an unclosed block to the end of the file', () => {
    expect(extractBlocks('```ts\nconst x = 1;\n', 'a.md')).toMatchObject([
      { line: 1, code: 'const x = 1;\n' },
    ]);
  });

  it('names generated files after the source and the line', () => {
    expect(blockFileName(blocks[0]!)).toBe('docs__guide.md.L3.ts');
    expect(blockFileName(blocks[1]!)).toBe('docs__guide.md.L7.tsx');
  });
});
