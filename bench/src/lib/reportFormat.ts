/** Number and table formatting shared by the report's sections. */

export const fmt = (n: number | undefined, digits = 0) =>
  n === undefined || !Number.isFinite(n)
    ? '—'
    : n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const kB = (bytes: number | undefined) =>
  bytes === undefined ? '—' : `${fmt(bytes / 1000, 1)} kB`;
export const ms = (n: number | undefined) =>
  n === undefined ? '—' : `${fmt(n, n < 10 ? 2 : n < 100 ? 1 : 0)} ms`;
export const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;
export const x = (r: number | undefined) => (r === undefined ? '—' : `${fmt(r, 2)}×`);
export const verdict = (ok: boolean | undefined) =>
  ok === undefined ? '—' : ok ? 'yes' : '**no**';

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
