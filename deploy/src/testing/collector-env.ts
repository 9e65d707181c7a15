/**
 * What the collector makes of an environment, for the deploy tests: the TOKENTRACE_* variables
 * its configuration reads (taken from collector-config.ts, whose ENV_KEYS map is not exported),
 * and a check that a deployment's variables are all known and land in the loaded configuration.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCollectorConfig, type CollectorConfig } from '../../../collector/src/config/collector-config.js';
import { repoRoot } from './repo.js';

const configSource = readFileSync(join(repoRoot, 'collector/src/config/collector-config.ts'), 'utf8');

/** ENV_KEYS of collector-config.ts: variable → config path. */
export const ENV_PATHS: ReadonlyMap<string, string> = (() => {
  const block = /const ENV_KEYS[^=]*=\s*\{([\s\S]*?)\n\};/.exec(configSource);
  if (!block) throw new Error('collector-config.ts: ENV_KEYS not found; update deploy/src/testing/collector-env.ts');
  return new Map([...block[1].matchAll(/\b(TOKENTRACE_[A-Z0-9_]+):\s*'([\w.]+)'/g)].map((m) => [m[1], m[2]]));
})();

/** Variables read directly (`env.TOKENTRACE_API_KEYS`), outside ENV_KEYS. */
export const DIRECT_ENV: ReadonlySet<string> = new Set([...configSource.matchAll(/\benv\.(TOKENTRACE_[A-Z0-9_]+)/g)].map((m) => m[1]));

export function isCollectorVariable(name: string): boolean {
  return ENV_PATHS.has(name) || DIRECT_ENV.has(name);
}

export function getPath(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], root);
}

/**
 * Loads the configuration the way the collector does (file, then env) and returns it with the
 * variables that did not arrive where ENV_KEYS says: a wrong name, or a value of the wrong type.
 */
export function loadAndTrace(file: string | undefined, env: Record<string, string>): { config: CollectorConfig; unknown: string[]; notApplied: string[] } {
  const config = loadCollectorConfig(file, env);
  const unknown = Object.keys(env).filter((name) => name.startsWith('TOKENTRACE_') && !isCollectorVariable(name));
  const notApplied: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    const path = ENV_PATHS.get(name);
    if (!path || raw === '') continue;
    const value = getPath(config, path);
    if (String(value) !== raw && !(typeof value === 'boolean' && String(value) === ({ '1': 'true', '0': 'false' } as Record<string, string>)[raw])) {
      notApplied.push(`${name}=${raw} → ${path}=${JSON.stringify(value)}`);
    }
  }
  if (env.TOKENTRACE_API_KEYS) {
    const keys = env.TOKENTRACE_API_KEYS.split(',').map((s) => s.trim()).filter(Boolean);
    if (Object.keys(config.apiKeys).length !== keys.length) notApplied.push('TOKENTRACE_API_KEYS → apiKeys');
  }
  return { config, unknown, notApplied };
}

/** `--max-old-space-size=<MiB>` from NODE_OPTIONS. */
export function heapLimitMiB(nodeOptions: string | undefined): number | undefined {
  const m = /--max-old-space-size=(\d+)/.exec(nodeOptions ?? '');
  return m ? Number(m[1]) : undefined;
}
