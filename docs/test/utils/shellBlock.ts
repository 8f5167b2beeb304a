import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './sectionBlock.js';

/**
 * The first ```sh block under a Markdown heading (before the next heading), so a test runs
 * the very commands the reader copies.
 *
 * @example
 * const script = shellBlock('docs/http-api.md', '## One-Click with curl');
 */
export function shellBlock(source: string, heading: string): string {
  const lines = readFileSync(join(repoRoot, source), 'utf8').split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`${source} has no heading "${heading}"`);
  const open = lines.findIndex((line, i) => i > at && /^```(sh|bash)\s*$/.test(line));
  const nextHeading = lines.findIndex((line, i) => i > at && /^#{1,6} /.test(line));
  if (open < 0 || (nextHeading >= 0 && open > nextHeading)) {
    throw new Error(`${source}: no sh block under "${heading}"`);
  }
  const close = lines.findIndex((line, i) => i > open && /^```\s*$/.test(line));
  return `${lines.slice(open + 1, close).join('\n')}\n`;
}
