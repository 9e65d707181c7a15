// Builds the repository: TypeScript project references (tsc -b), then the register entry of
// @tokentrace/instrumentation as one bundled file (and chunks loaded on first use). Loading a few hundred small modules costs
// a Node process ~0.3 s at start; one file costs a fraction, and `--import` runs on every start.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });

/**
 * Two dependencies of @opentelemetry/instrumentation replaced by stand-ins in the bundle, each for
 * what it costs every process start (issue 12 part 5) and does not do there:
 * - import-in-the-middle: its hooks work only with its ESM loader, which shares state with the
 *   copy in node_modules, never with a bundled copy; loading it loads node:worker_threads.
 * - debug (require-in-the-middle's DEBUG logging): loads supports-color and with it node:tty.
 */
const STUBS = {
  'import-in-the-middle': 'export class Hook { unhook() {} }',
  debug: 'module.exports = () => Object.assign(() => {}, { enabled: false });',
};
const stubs = {
  name: 'tokentrace-stubs',
  setup(b) {
    b.onResolve({ filter: /^(import-in-the-middle|debug)$/ }, (args) => ({ path: args.path, namespace: 'tokentrace-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'tokentrace-stub' }, (args) => ({ contents: STUBS[args.path], loader: 'js' }));
  },
};

/**
 * Node built-ins that bundled ESM dependencies import statically (`import { types } from "util"`)
 * reached through require() instead (issue 12 part 5): a static ESM import builds the built-in's
 * ESM namespace, which reads every export and so loads what its lazy exports hide — node:util's
 * namespace alone loads util/diff, trace_sigint, worker_threads and the text encoders (~7 ms per
 * process start against 0.07 ms with require). The stand-in module exports each name through a
 * pure call, so that only the names the bundle uses remain and nothing enumerates the built-in.
 * Only `import` statements: our own code reaches built-ins through capture/lazy-builtins.ts.
 */
const BUILTINS_THROUGH_REQUIRE = /^(node:)?(util|os|events|url|path|fs|async_hooks|diagnostics_channel|process|stream|crypto|http|https)$/;
const builtinsThroughRequire = {
  name: 'tokentrace-builtins-through-require',
  setup(b) {
    b.onResolve({ filter: BUILTINS_THROUGH_REQUIRE }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'tokentrace-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'tokentrace-builtin' }, (args) => {
      const names = Object.keys(createRequire(import.meta.url)(args.path)).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default');
      const lines = [`const m = require(${JSON.stringify(args.path)});`, 'const get = (k) => m[k];', 'export default m;'];
      for (const n of names) lines.push(`export const ${n} = /* @__PURE__ */ get(${JSON.stringify(n)});`);
      return { contents: lines.join('\n'), loader: 'js' };
    });
  },
};

// Chunk names carry a content hash: clear the last build's.
rmSync(join(root, 'instrumentation/dist/chunks'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'register.bundle': 'instrumentation/dist/register.js' },
  outdir: 'instrumentation/dist',
  // What is loaded with import() (the OTLP exporters, on first export) goes to chunks of its own,
  // compiled only when loaded: V8 compiles all of one file's source at start.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  // The API is a peer dependency: the app's copy must be the one in use. The tokenizer's ranks
  // are large and loaded only when a stream lacks usage; the price catalog (several MB) only when a
  // cost limit exists (instrumentation/src/limits/limit-prices.ts); the Redis client only when a
  // Redis store (cache or limits) is configured.
  external: ['@opentelemetry/api', 'js-tiktoken', 'js-tiktoken/*', '@pydantic/genai-prices', 'redis', '@redis/*'],
  // Bundled CommonJS dependencies call require() for Node built-ins.
  banner: { js: "import { createRequire as __tokentraceCreateRequire } from 'node:module'; const require = __tokentraceCreateRequire(import.meta.url);" },
  plugins: [stubs, builtinsThroughRequire],
  logLevel: 'warning',
});
