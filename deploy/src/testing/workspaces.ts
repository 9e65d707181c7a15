/**
 * The npm workspaces of the repository, and the ones a workspace needs at run time (its
 * dependencies on other workspaces, transitively): what the collector image must carry.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './repo.js';

export interface Workspace {
  dir: string;
  name: string;
  manifest: Record<string, any>;
}

export function readJson(path: string): any {
  return JSON.parse(readFileSync(join(repoRoot, path), 'utf8'));
}

export const rootManifest = readJson('package.json');

export const workspaces: Workspace[] = (rootManifest.workspaces as string[]).map((dir) => {
  const manifest = readJson(join(dir, 'package.json'));
  return { dir, name: manifest.name, manifest };
});

export function workspace(name: string): Workspace {
  const found = workspaces.find((w) => w.name === name);
  if (!found) throw new Error(`no workspace ${name}`);
  return found;
}

/** Directories of `name` and every workspace it depends on at run time, sorted. */
export function runtimeClosure(name: string): string[] {
  const seen = new Set<string>();
  const visit = (n: string) => {
    const w = workspace(n);
    if (seen.has(w.dir)) return;
    seen.add(w.dir);
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const dep of Object.keys(w.manifest[field] ?? {})) if (workspaces.some((x) => x.name === dep)) visit(dep);
    }
  };
  visit(name);
  return [...seen].sort();
}
