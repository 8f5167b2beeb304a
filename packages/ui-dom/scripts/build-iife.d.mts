/** Bundles src/iife.ts; with `write: false`, returns the bundle's code instead of writing it. */
export function buildIife(options: { write: false; minify?: boolean }): Promise<string>;
export function buildIife(options?: { write?: true; minify?: boolean }): Promise<undefined>;
