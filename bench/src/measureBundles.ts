/**
 * Client size: what an app ships, bundled for the browser the way an app's bundler would
 * (esbuild, ESM, minified, tree-shaken, the packages' ESM builds via the `module`
 * condition), then gzipped. Beckon's packages come from source through `@beckon/source`,
 * so no build is needed and the figure follows the code being edited.
 */
import { gzipSync } from 'node:zlib';
import { build, type Metafile, type Plugin } from 'esbuild';
import { workspaceResolve } from '../bin/workspaceResolve.mjs';

/** One bundle an app could ship. */
export interface BundleSpec {
  /** Stable key, used by budgets and results. */
  name: string;
  /** What it holds, for the report. */
  label: string;
  /** The entry module's source: re-exports of what the app imports. */
  entry: string;
  /** Imports left to the app (React). */
  external?: string[];
}

/** The measured size of one bundle. */
export interface BundleSize {
  name: string;
  label: string;
  /** Minified bytes. */
  minBytes: number;
  /** Minified, then gzipped (level 9) bytes. */
  gzipBytes: number;
  /** Minified bytes each input contributed, largest first (top 12). */
  inputs: { path: string; bytes: number }[];
}

/** The three bundles of issue 6: the visitor API, with the DOM UI, with React. */
export const BUNDLES: readonly BundleSpec[] = [
  {
    name: 'visitor',
    label: 'visitor API + transport-ws',
    entry: `export { createVisitor } from '@beckon/core';
export { webSocketTransport } from '@beckon/transport-ws';`,
  },
  {
    name: 'visitor+ui-dom',
    label: 'visitor API + transport-ws + ui-dom (createConsentDialog, wirePage)',
    entry: `export { createVisitor } from '@beckon/core';
export { webSocketTransport } from '@beckon/transport-ws';
export { createConsentDialog, wirePage } from '@beckon/ui-dom';`,
  },
  {
    name: 'visitor+ui-react',
    label:
      'visitor API + transport-ws + ui-react (provider, visitor hooks, ConsentDialog; react external)',
    entry: `export { createConsentPrompt, createVisitor } from '@beckon/core';
export { webSocketTransport } from '@beckon/transport-ws';
export {
  BeckonProvider,
  ConsentDialog,
  useConsentRequest,
  useVisitor,
  useVisitorState,
} from '@beckon/ui-react';`,
    external: ['react', 'react-dom', 'react/jsx-runtime'],
  },
];

/** esbuild options shared by every size bundle (and the investigation in the docs). */
export interface BundleOptions {
  /** More plugins, e.g. to stub a module and see what it costs. */
  plugins?: Plugin[];
  /** More externals, e.g. `xstate` to see the bundle without it. */
  external?: string[];
}

/** The modules of a bundle, by minified bytes, largest first. */
function inputsOf(metafile: Metafile): { path: string; bytes: number }[] {
  const output = Object.values(metafile.outputs)[0];
  if (!output) return [];
  return Object.entries(output.inputs)
    .map(([path, v]) => ({
      path: path
        .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
        .replace(/^.*?packages\//, ''),
      bytes: v.bytesInOutput,
    }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/**
 * Bundles and measures one {@link BundleSpec}.
 *
 * @example
 * const size = await measureBundle(BUNDLES[0]);
 * console.log(`${size.gzipBytes} bytes min+gzip`);
 */
export async function measureBundle(
  spec: BundleSpec,
  options: BundleOptions = {},
): Promise<BundleSize> {
  const result = await build({
    stdin: {
      contents: spec.entry,
      loader: 'ts',
      resolveDir: new URL('.', import.meta.url).pathname,
      sourcefile: `${spec.name}.ts`,
    },
    bundle: true,
    write: false,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // `module` keeps ESM builds of dependencies (xstate's CJS build is ~3 kB bigger).
    conditions: ['@beckon/source', 'module'],
    legalComments: 'none',
    jsx: 'automatic',
    external: [...(spec.external ?? []), ...(options.external ?? [])],
    plugins: [workspaceResolve(), ...(options.plugins ?? [])],
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  return {
    name: spec.name,
    label: spec.label,
    minBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    inputs: inputsOf(result.metafile).slice(0, 12),
  };
}

/**
 * Measures all of {@link BUNDLES}.
 *
 * @example
 * for (const b of await measureBundles()) console.log(b.name, b.gzipBytes);
 */
export async function measureBundles(): Promise<BundleSize[]> {
  const out: BundleSize[] = [];
  for (const spec of BUNDLES) out.push(await measureBundle(spec));
  return out;
}
