import { join } from 'node:path';
import { checkDocs } from './checkDocs.js';
import { formatDocsCheck } from './formatDocsCheck.js';

/**
 * Runs the docs check for the repository around `docsDir`, prints the report and returns
 * the exit code: 0 when every block compiles.
 *
 * @example
 * process.exitCode = main('/repo/docs');
 */
export function main(docsDir: string): number {
  const result = checkDocs({
    root: join(docsDir, '..'),
    outDir: join(docsDir, '.blocks'),
    tsconfig: join(docsDir, 'tsconfig.blocks.json'),
  });
  const report = formatDocsCheck(result);
  const failed = result.problems.length > 0 || result.other.length > 0;
  (failed ? console.error : console.log)(report);
  return failed ? 1 : 0;
}
