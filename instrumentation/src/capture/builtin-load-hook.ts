/**
 * Runs a patch on a Node built-in when the app first loads it, without loading it before: loading
 * node:http2 costs a process start ~10–30 ms, which `--import register` must not add for the
 * many apps that never use it (issue 12 part 5).
 *
 * - Already loaded (by the app, or inside Node: fetch's undici requires node:http2): patched now.
 * - Otherwise a resolve hook (`module.registerHooks`, Node ≥ 22.15), which sees `require()` and
 *   `import` alike, patches the module the first time its name is resolved, before the app gets
 *   it, then removes itself: until then each module the app loads pays one string comparison.
 * - On a Node without `registerHooks`, the module is loaded and patched now.
 *
 * The patch runs before the importer receives the module; named ESM exports are synced after it.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';
import * as nodeModule from 'node:module';
import { guard } from '../telemetry/guard.js';

type ResolveHook = (specifier: string, context: unknown, next: (specifier: string, context?: unknown) => unknown) => unknown;
type RegisterHooks = (hooks: { resolve: ResolveHook }) => { deregister(): void };

const load = createRequire(import.meta.url);

/** Patches `name` (e.g. `http2`) once it is loaded; returns what cancels the wait. */
export function onBuiltinLoad<M>(name: string, patch: (module: M) => void): () => void {
  const prefixed = `node:${name}`;
  const apply = () => {
    guard(`${name} patch`, () => patch(load(prefixed) as M));
    syncBuiltinESMExports();
  };
  const registerHooks = (nodeModule as { registerHooks?: RegisterHooks }).registerHooks;
  if (isLoaded(name) || typeof registerHooks !== 'function') {
    apply();
    return () => undefined;
  }
  let hooks: { deregister(): void } | undefined;
  const done = () => {
    hooks?.deregister();
    hooks = undefined;
  };
  hooks = registerHooks({
    resolve(specifier, context, next) {
      if (hooks && (specifier === prefixed || specifier === name)) {
        done();
        apply();
      }
      return next(specifier, context);
    },
  });
  return done;
}

/** Whether Node has loaded the built-in (for itself or for the app). */
function isLoaded(name: string): boolean {
  const list = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
  return Array.isArray(list) && list.includes(`NativeModule ${name}`);
}
