import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocBlock, extractBlocks } from '../../src/extractBlocks.js';

/** The repository root, above docs/. */
export const repoRoot = join(import.meta.dirname, '..', '..', '..');

/**
 * The first ts/tsx block under a Markdown heading (before the next heading), so a test
 * runs the very block the reader sees there.
 *
 * @example
 * const block = sectionBlock('README.md', '## A visitor in a few lines');
 */
export function sectionBlock(source: string, heading: string): DocBlock {
  const markdown = readFileSync(join(repoRoot, source), 'utf8');
  const lines = markdown.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`${source} has no heading "${heading}"`);
  const next = lines.findIndex((line, i) => i > at && /^#{1,6} /.test(line));
  const end = next < 0 ? lines.length : next;
  const block = extractBlocks(markdown, source).find((b) => b.line > at + 1 && b.line <= end);
  if (!block) throw new Error(`${source}: no ts block under "${heading}"`);
  return block;
}
