/**
 * `node prune-dev-manifests.mjs <workspace-name> [root]`: prepares the workspace manifests for a
 * production-only install of one workspace (the collector image's prod-deps stage).
 *
 * `npm ci --omit=dev --workspace X` installs X's dependencies and follows its links to other
 * workspaces along *every* edge, devDependencies included; --omit=dev then removes only packages
 * that are dev for the whole repository. The collector's devDependency on @tokentrace/test
 * would pull in the instrumentation and every provider SDK. This drops `devDependencies` from X
 * and from the workspaces X depends on (transitively), both in their package.json and in the lock
 * file's workspace entries (`packages["<dir>"]`), which `npm ci` compares with the package.json
 * files. The lock's resolved versions are untouched: the install stays reproducible.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Returns the workspace directories (relative to root) whose devDependencies were dropped.
 * @param {string} root the repository (or a copy of its manifests)
 * @param {string} workspaceName e.g. @tokentrace/collector
 * @returns {string[]}
 */
export function pruneDevManifests(root, workspaceName) {
  /** @param {string} path */
  const readJson = (path) => JSON.parse(readFileSync(join(root, path), 'utf8'));
  const rootManifest = readJson('package.json');
  const dirByName = new Map();
  for (const dir of rootManifest.workspaces ?? []) dirByName.set(readJson(join(dir, 'package.json')).name, dir);
  if (!dirByName.has(workspaceName)) {
    throw new Error(`prune-dev-manifests: ${workspaceName} is not a workspace of ${root} (workspaces: ${[...dirByName.keys()].join(', ')})`);
  }

  // The workspace and every workspace reachable through run-time dependency edges.
  /** @type {string[]} */
  const closure = [];
  const pending = [workspaceName];
  while (pending.length > 0) {
    const name = pending.pop();
    const dir = dirByName.get(name);
    if (closure.includes(dir)) continue;
    closure.push(dir);
    const manifest = readJson(join(dir, 'package.json'));
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const dependency of Object.keys(manifest[field] ?? {})) if (dirByName.has(dependency)) pending.push(dependency);
    }
  }

  const lock = readJson('package-lock.json');
  for (const dir of closure) {
    const manifest = readJson(join(dir, 'package.json'));
    delete manifest.devDependencies;
    writeFileSync(join(root, dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (!lock.packages?.[dir]) throw new Error(`prune-dev-manifests: package-lock.json has no entry packages["${dir}"]`);
    delete lock.packages[dir].devDependencies;
  }
  writeFileSync(join(root, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  return closure.sort();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [workspaceName, root = '.'] = process.argv.slice(2);
  if (!workspaceName) {
    console.error('usage: node prune-dev-manifests.mjs <workspace-name> [root]');
    process.exit(2);
  }
  const pruned = pruneDevManifests(resolve(root), workspaceName);
  console.log(`prune-dev-manifests: dropped devDependencies of ${pruned.join(', ')}`);
}
