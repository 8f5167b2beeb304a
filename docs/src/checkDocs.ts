import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BlockCheck, checkBlocks } from './checkBlocks.js';
import { type DocBlock, extractBlocks } from './extractBlocks.js';
import { findDocSources } from './findDocSources.js';
import { writeBlocks } from './writeBlocks.js';

/** What {@link checkDocs} did and found. */
export interface DocsCheck extends BlockCheck {
  sources: string[];
  /** Blocks written out and typechecked. */
  checked: DocBlock[];
  /** Blocks marked `fragment`, not checked. */
  fragments: DocBlock[];
}

/**
 * Extracts every ```ts and ```tsx block of the repository's Markdown (see
 * {@link findDocSources}) into one file each under `outDir` and typechecks them with the
 * compiler options of `tsconfig`; blocks marked `fragment` are skipped.
 *
 * @example
 * const result = checkDocs({ root: '/repo', outDir: '/repo/docs/.blocks', tsconfig: '/repo/docs/tsconfig.blocks.json' });
 * if (result.problems.length > 0) console.error(formatDocsCheck(result));
 */
export function checkDocs(options: {
  root: string;
  outDir: string;
  tsconfig: string;
  sources?: string[];
}): DocsCheck {
  const { root } = options;
  const sources = options.sources ?? findDocSources(root);
  const blocks = sources.flatMap((source) =>
    extractBlocks(readFileSync(join(root, source), 'utf8'), source),
  );
  const checked = blocks.filter((block) => !block.fragment);
  const fragments = blocks.filter((block) => block.fragment);
  const files = writeBlocks(checked, options.outDir);
  const { problems, other } = checkBlocks({ root, files, tsconfig: options.tsconfig });
  return { sources, checked, fragments, problems, other };
}
