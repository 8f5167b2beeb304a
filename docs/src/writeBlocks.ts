import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DocBlock } from './extractBlocks.js';

/**
 * The generated file's name for a block: its source path with `/` as `__`, its fence's line
 * and its language, so the name alone says where to look.
 *
 * @example
 * blockFileName({ source: 'docs/agent.md', line: 12, lang: 'ts', … }); // 'docs__agent.md.L12.ts'
 */
export function blockFileName(block: DocBlock): string {
  return `${block.source.replaceAll('/', '__')}.L${block.line}.${block.lang}`;
}

/**
 * Writes each block to its own file in `outDir` (emptied first, so blocks that were removed
 * from the docs leave nothing behind) and returns the blocks by absolute file path. The
 * code's lines are the file's lines, so a position in the file maps straight back to the
 * Markdown; the note saying where it came from goes last for that reason.
 *
 * @example
 * const files = writeBlocks(blocks, '/repo/docs/.blocks');
 * files.get('/repo/docs/.blocks/README.md.L51.ts'); // the block of README.md:51
 */
export function writeBlocks(blocks: readonly DocBlock[], outDir: string): Map<string, DocBlock> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const files = new Map<string, DocBlock>();
  for (const block of blocks) {
    const file = join(outDir, blockFileName(block));
    const note = `// Generated from ${block.source}:${block.line}: edit the Markdown, not this file.\n`;
    writeFileSync(file, `${block.code}${note}`);
    files.set(file, block);
  }
  return files;
}
