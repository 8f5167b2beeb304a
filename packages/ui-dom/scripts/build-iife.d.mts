/** Bundles src/iife.ts; with `write: false`, returns the bundle's code instead of writing it. */
export function buildIife(options: { write: false; minify?: boolean }): Promise<string>;
export function buildIife(options?: { write?: true; minify?: boolean }): Promise<undefined>;
/** Bundles src/serviceWorkerScript.ts (dist/beckon-sw.js); with `write: false`, returns the code. */
export function buildServiceWorker(options: { write: false }): Promise<string>;
export function buildServiceWorker(options?: { write?: true }): Promise<undefined>;
