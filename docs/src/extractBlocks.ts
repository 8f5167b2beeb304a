/** The languages whose blocks are typechecked. */
export type BlockLang = 'ts' | 'tsx';

/** One fenced ```ts or ```tsx block of a Markdown file. */
export interface DocBlock {
  /** The Markdown file, relative to the repository root, with `/` separators. */
  source: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: BlockLang;
  /** Whether the info string says `fragment`: such a block is not checked. */
  fragment: boolean;
  /** How many columns of indentation the fence (and so every code line) had. */
  indent: number;
  /** The code, without the fences and without the fence's indentation. */
  code: string;
}

// CommonMark: up to three spaces, then three or more backticks or tildes, then the info
// string (which, for backticks, may not contain a backtick).
const OPENING = /^( {0,3})(`{3,}|~{3,})(.*)$/;

/**
 * The ```ts and ```tsx blocks of a Markdown text, in order. The info string's first word is
 * the language; a later word `fragment` marks a block that is deliberately incomplete.
 * Blocks of other languages are skipped, but their extent is respected, so a ```ts fence
 * shown inside a ````md block is not taken for code. An unclosed block runs to the end, as
 * CommonMark says.
 *
 * @example
 * extractBlocks('# Hi\n\n```ts\nconst a: number = 1;\n```\n', 'README.md');
 * // [{ source: 'README.md', line: 3, lang: 'ts', fragment: false, indent: 0, code: 'const a: number = 1;\n' }]
 */
export function extractBlocks(markdown: string, source: string): DocBlock[] {
  const lines = markdown.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop(); // the file's final newline ends a line, it starts none
  const blocks: DocBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const open = OPENING.exec(lines[i] ?? '');
    const fence = open?.[2];
    if (!open || !fence || (fence[0] === '`' && open[3]?.includes('`'))) {
      i++;
      continue;
    }
    const indent = open[1]?.length ?? 0;
    const [lang = '', ...flags] = (open[3] ?? '').trim().split(/\s+/);
    const closing = new RegExp(`^ {0,3}${fence[0]}{${fence.length},}\\s*$`);
    const start = i;
    const body: string[] = [];
    i++;
    while (i < lines.length && !closing.test(lines[i] ?? '')) {
      body.push(stripIndent(lines[i] ?? '', indent));
      i++;
    }
    i++; // past the closing fence
    if (lang === 'ts' || lang === 'tsx') {
      blocks.push({
        source,
        line: start + 1,
        lang,
        fragment: flags.includes('fragment'),
        indent,
        code: body.length > 0 ? `${body.join('\n')}\n` : '',
      });
    }
  }
  return blocks;
}

// Inside a fenced block, CommonMark removes up to the fence's own indentation from each line.
function stripIndent(line: string, indent: number): string {
  let n = 0;
  while (n < indent && line[n] === ' ') n++;
  return line.slice(n);
}
