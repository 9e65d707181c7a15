/**
 * Paths and small readers shared by the deploy tests: the repository root, YAML files (every
 * document, parse errors fail), dotenv files, Compose's variable interpolation, and Kubernetes /
 * Compose memory quantities.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const deployDir = join(repoRoot, 'deploy');

/** Whether a repository-relative path is a directory in this checkout ('' is the root). */
export function isRepoDirectory(path: string): boolean {
  const full = join(repoRoot, path);
  return existsSync(full) && statSync(full).isDirectory();
}

/** Every document of a YAML file as plain data; throws on any parse error or warning. */
export function readYaml(path: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(path, 'utf8'), { prettyErrors: true });
  if (!Array.isArray(docs)) throw new Error(`${path}: no YAML documents`);
  for (const doc of docs) {
    const problems = [...doc.errors, ...doc.warnings];
    if (problems.length > 0) throw new Error(`${path}: ${problems.map((p) => p.message).join('; ')}`);
  }
  return docs.map((doc) => doc.toJS()).filter((d) => d !== null && d !== undefined);
}

/** KEY=VALUE lines of a dotenv file (no quotes or expansion: ours has none). */
export function readDotenv(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`${path}: not KEY=VALUE: ${line}`);
    env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/**
 * Compose's interpolation of one string: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
 * ${VAR:?error}, ${VAR?error}, $$ for a literal $. Throws like `docker compose` for a missing
 * required variable.
 */
export function interpolate(text: string, env: Record<string, string | undefined>, used?: Set<string>): string {
  return text.replace(/\$\$|\$\{(\w+)(?:(:?)([-?])([^}]*))?\}|\$(\w+)/g, (whole, braced?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
    if (whole === '$$') return '$';
    const name = (braced ?? bare)!;
    used?.add(name);
    const value = env[name];
    const missing = value === undefined || (colon === ':' && value === '');
    if (!missing) return value!;
    if (op === '?') throw new Error(`required variable ${name} is missing a value: ${arg}`);
    if (op === '-') return arg ?? '';
    return '';
  });
}

/** Interpolates every string in a parsed Compose file. */
export function interpolateAll<T>(value: T, env: Record<string, string | undefined>, used?: Set<string>): T {
  if (typeof value === 'string') return interpolate(value, env, used) as T;
  if (Array.isArray(value)) return value.map((v) => interpolateAll(v, env, used)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateAll(v, env, used)])) as T;
  }
  return value;
}

/** Bytes of a Kubernetes quantity (512Mi, 2Gi, 1G) or a Compose size (1g, 512m). */
export function bytes(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const m = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT]i?|[kmgt]b?)?$/.exec(quantity.trim());
  if (!m) throw new Error(`not a size: ${quantity}`);
  const unit = (m[2] ?? '').toLowerCase().replace(/b$/, '');
  const binary: Record<string, number> = { '': 1, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };
  // Kubernetes: k/M/G are decimal; Compose (docker units): k/m/g are binary.
  const decimalK8s: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12 };
  const isK8sDecimal = /^[kMGT]$/.test(m[2] ?? '');
  const factor = unit in binary ? binary[unit] : isK8sDecimal ? decimalK8s[unit] : binary[`${unit}i`];
  return Number(m[1]) * factor;
}

export const MiB = 2 ** 20;
