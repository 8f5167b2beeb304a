/**
 * Client size: what an app ships, bundled for the browser the way an app's bundler would
 * (esbuild, ESM, minified, tree-shaken, the packages' ESM builds via the `module`
 * condition), then gzipped. Beckon's packages come from source through `@beckon/source`,
 * so no build is needed and the figure follows the code being edited.
 */
import { relative } from 'node:path';
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
  /**
   * Bundled with code splitting, as an app's bundler would: the bundle is what the page
   * loads at first (the entry and the chunks it imports), and what it imports dynamically
   * is measured apart, under this name and label.
   */
  onDemand?: { name: string; label: string };
}

/** The measured size of one bundle. */
export interface BundleSize {
  name: string;
  label: string;
  /** Minified bytes (of every file, for a split bundle). */
  minBytes: number;
  /** Minified, then gzipped (level 9) bytes; each file gzipped on its own, as served. */
  gzipBytes: number;
  /** Minified bytes each input contributed, largest first. */
  inputs: { path: string; bytes: number }[];
  /** For a split bundle, what the page imports later (`BundleSpec.onDemand`), measured apart. */
  onDemand?: BundleSize;
}

/**
 * The bundles of issues 6 and 15: the visitor API; with the DOM UI, whose consent dialog
 * arrives with the first request (measured apart); with React.
 */
export const BUNDLES: readonly BundleSpec[] = [
  {
    name: 'visitor',
    label: 'visitor API + transport-ws',
    entry: `export { createVisitor } from '@beckon/core';
export { webSocketTransport } from '@beckon/transport-ws';`,
  },
  {
    name: 'visitor+ui-dom',
    label:
      'visitor API + transport-ws + ui-dom (createConsentDialog, wirePage): the page before any request',
    entry: `export { createVisitor } from '@beckon/core';
export { webSocketTransport } from '@beckon/transport-ws';
export { createConsentDialog, wirePage } from '@beckon/ui-dom';`,
    onDemand: {
      name: 'ui-dom:dialog',
      label: "ui-dom's consent dialog, loaded with the first request",
    },
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

type Output = Metafile['outputs'][string];

/** The modules of some output files, by minified bytes, largest first. */
function inputsOf(outputs: Output[]): { path: string; bytes: number }[] {
  return outputs
    .flatMap((output) => Object.entries(output.inputs))
    .map(([path, v]) => ({
      path: path
        .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')
        .replace(/^.*?packages\//, ''),
      bytes: v.bytesInOutput,
    }))
    .filter((i) => i.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** The output files a page loads first: the entry, and what it imports statically. */
function initialFiles(metafile: Metafile): Set<string> {
  const entry = Object.keys(metafile.outputs).find((f) => metafile.outputs[f]?.entryPoint);
  const files = new Set<string>();
  const visit = (file: string | undefined) => {
    if (file === undefined || files.has(file)) return;
    files.add(file);
    for (const i of metafile.outputs[file]?.imports ?? []) {
      if (i.kind === 'import-statement') visit(i.path);
    }
  };
  visit(entry);
  return files;
}

/**
 * Bundles and measures one {@link BundleSpec}; what a split bundle loads on demand is
 * measured apart, as its `onDemand`.
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
    outdir: '/size',
    splitting: spec.onDemand !== undefined,
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
  const initial = initialFiles(result.metafile);
  const cwd = process.cwd();
  const files = result.outputFiles
    .filter((f) => f.path.endsWith('.js'))
    .map((f) => ({ path: relative(cwd, f.path), code: f.contents }));
  const sizeOf = (name: string, label: string, part: typeof files): BundleSize => ({
    name,
    label,
    minBytes: part.reduce((n, f) => n + f.code.byteLength, 0),
    gzipBytes: part.reduce((n, f) => n + gzipSync(f.code, { level: 9 }).byteLength, 0),
    inputs: inputsOf(
      part.map((f) => result.metafile.outputs[f.path]).filter((o) => o !== undefined),
    ),
  });
  const first = sizeOf(
    spec.name,
    spec.label,
    files.filter((f) => initial.has(f.path)),
  );
  if (!spec.onDemand) return first;
  const later = files.filter((f) => !initial.has(f.path));
  return { ...first, onDemand: sizeOf(spec.onDemand.name, spec.onDemand.label, later) };
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
