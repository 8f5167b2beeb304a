import type { DocsCheck } from './checkDocs.js';

/**
 * The report of a docs check: each error at its Markdown file, line and column (the form
 * editors and terminals turn into links), the offending line, and where the generated file
 * has it; then one line of totals.
 *
 * @example
 * formatDocsCheck(result);
 * // README.md:54:9 - error TS2304: Cannot find name 'myConsentDialog'.
 * //     ui: myConsentDialog,
 * //     (docs/.blocks/README.md.L51.ts:3)
 * //
 * // docs: 1 error in 64 blocks of 16 Markdown files (7 fragments not checked)
 */
export function formatDocsCheck(result: DocsCheck): string {
  const out: string[] = [];
  for (const p of result.problems) {
    out.push(
      `${p.source}:${p.line}:${p.column} - error TS${p.code}: ${p.message}`,
      `    ${p.text.trim()}`,
      `    (${p.generated}:${p.generatedLine})`,
      '',
    );
  }
  for (const text of result.other) out.push(text, '');
  const errors = result.problems.length + result.other.length;
  const fragments = result.fragments.length;
  out.push(
    `docs: ${errors === 0 ? 'no errors' : `${errors} error${errors === 1 ? '' : 's'}`} in ` +
      `${result.checked.length} blocks of ${result.sources.length} Markdown files` +
      ` (${fragments} fragment${fragments === 1 ? '' : 's'} not checked)`,
  );
  return out.join('\n');
}
