import { relative } from 'node:path';
import ts from 'typescript';
import type { DocBlock } from './extractBlocks.js';

/** A type error in a docs block, located in the Markdown and in the generated file. */
export interface BlockProblem {
  /** The Markdown file, relative to the repository root. */
  source: string;
  /** 1-based line and column in the Markdown file. */
  line: number;
  column: number;
  /** The TypeScript error code, e.g. 2304. */
  code: number;
  message: string;
  /** The generated file, relative to the repository root, with its own line and column. */
  generated: string;
  generatedLine: number;
  /** The Markdown line the error is on, for the report. */
  text: string;
}

/** What {@link checkBlocks} found. */
export interface BlockCheck {
  problems: BlockProblem[];
  /** Errors not inside any block: the compiler options, or a file the blocks pulled in. */
  other: string[];
}

/**
 * Typechecks generated block files with the compiler options of `tsconfig` (its file list
 * is ignored: the program is exactly `files`) and maps every error inside a block back to
 * its Markdown file, line and column. Only the blocks' own errors count: the packages they
 * import are checked by the packages' own typecheck.
 *
 * @example
 * const files = writeBlocks(blocks, outDir);
 * const { problems } = checkBlocks({ root, files, tsconfig: 'docs/tsconfig.blocks.json' });
 * problems[0]; // { source: 'README.md', line: 54, column: 9, code: 2304, message: "Cannot find name …", … }
 */
export function checkBlocks(options: {
  root: string;
  files: ReadonlyMap<string, DocBlock>;
  tsconfig: string;
}): BlockCheck {
  const { root, files } = options;
  const config = ts.getParsedCommandLineOfConfigFile(
    options.tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error(`could not read ${options.tsconfig}`);
  const program = ts.createProgram({ rootNames: [...files.keys()], options: config.options });
  const host: ts.FormatDiagnosticsHost = {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  };

  // The compiler names files with forward slashes; so does this lookup.
  const byName = new Map([...files].map(([file, block]) => [file.replaceAll('\\', '/'), block]));
  const problems: BlockProblem[] = [];
  const other: string[] = [];
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((file) => {
      const sourceFile = program.getSourceFile(file);
      return sourceFile
        ? [
            ...program.getSyntacticDiagnostics(sourceFile),
            ...program.getSemanticDiagnostics(sourceFile),
          ]
        : [];
    }),
  ];
  for (const d of diagnostics) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const block = d.file ? byName.get(d.file.fileName) : undefined;
    if (!d.file || d.start === undefined || !block) {
      other.push(ts.formatDiagnostic(d, host).trimEnd());
      continue;
    }
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    problems.push({
      source: block.source,
      line: block.line + 1 + line,
      column: block.indent + character + 1,
      code: d.code,
      message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
      generated: relative(root, d.file.fileName).replaceAll('\\', '/'),
      generatedLine: line + 1,
      text: block.code.split('\n')[line] ?? '',
    });
  }
  problems.sort((a, b) => a.source.localeCompare(b.source) || a.line - b.line);
  return { problems, other };
}
