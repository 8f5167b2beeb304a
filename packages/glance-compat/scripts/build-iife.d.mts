/** Bundles one side's script-tag build; with `write: false`, returns the bundle's code. */
export function buildIife(
  side: 'visitor' | 'agent',
  options: { write: false; minify?: boolean },
): Promise<string>;
export function buildIife(
  side: 'visitor' | 'agent',
  options?: { write?: true; minify?: boolean },
): Promise<undefined>;
