// Builds the repository: TypeScript project references (tsc -b), then the register entry of
// @tokentrace/instrumentation as a single bundled file. Loading a few hundred small modules costs
// a Node process ~0.3 s at start; one file costs a fraction, and `--import` runs on every start.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-b'], { cwd: root, stdio: 'inherit' });

await build({
  absWorkingDir: root,
  entryPoints: ['instrumentation/dist/register.js'],
  outfile: 'instrumentation/dist/register.bundle.js',
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
  logLevel: 'warning',
});
