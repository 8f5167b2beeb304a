import type { Plugin } from 'esbuild';

/** The repository root. */
export declare const root: string;
/** The file `@beckon/<name>[/<sub>]` resolves to under the `@beckon/source` condition. */
export declare function sourceEntry(specifier: string): string | undefined;
/** esbuild plugin: `@beckon/*` from source, the bench's own bare imports from packages/server. */
export declare function workspaceResolve(): Plugin;
