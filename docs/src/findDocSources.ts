import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The Markdown files whose code blocks are checked, relative to the repository root with
 * `/` separators: `README.md`, every `packages/*` and `apps/*` README, and `docs/*.md`.
 * Sorted, so reports and generated file names are stable.
 *
 * @example
 * findDocSources('/repo'); // ['README.md', 'apps/agent-console/README.md', …, 'docs/agent.md', …]
 */
export function findDocSources(root: string): string[] {
  const found: string[] = [];
  if (existsSync(join(root, 'README.md'))) found.push('README.md');
  for (const parent of ['packages', 'apps']) {
    const dir = join(root, parent);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const readme = `${parent}/${entry.name}/README.md`;
      if (entry.isDirectory() && existsSync(join(root, readme))) found.push(readme);
    }
  }
  const docs = join(root, 'docs');
  if (existsSync(docs)) {
    for (const entry of readdirSync(docs, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith('.md')) found.push(`docs/${entry.name}`);
    }
  }
  return found.sort();
}
