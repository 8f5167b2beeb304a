import Module, { createRequire } from 'node:module';

// react-dom18 is installed next to React 19 (its peer resolved to the workspace's react),
// and Testing Library requires plain `react-dom`: send every CommonJS request for React to
// the 18 copies, so one React runs. Loaded first, before anything requires React.
const require = createRequire(import.meta.url);
const react18: Record<string, string> = {
  react: require.resolve('react18'),
  'react/jsx-runtime': require.resolve('react18/jsx-runtime'),
  'react/jsx-dev-runtime': require.resolve('react18/jsx-dev-runtime'),
  'react-dom': require.resolve('react-dom18'),
  'react-dom/client': require.resolve('react-dom18/client'),
  'react-dom/test-utils': require.resolve('react-dom18/test-utils'),
};
const loader = Module as unknown as {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  beckonReact18?: true;
};
// A worker process may run several test files: patch once.
if (!loader.beckonReact18) {
  loader.beckonReact18 = true;
  const resolve = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return resolve.call(this, react18[request] ?? request, ...rest);
  };
}
