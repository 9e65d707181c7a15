/**
 * Node built-ins that only some calls need, loaded on first use: loading one costs a process
 * start milliseconds, which `--import register` should not add for an app whose calls never need
 * it (issue 12 part 5): zlib for compressed bodies and event-stream CRCs, crypto for the body hash
 * of a resend and the response cache key, worker_threads for the tokenizer, stream for the
 * node:http request gates and retries. Through require(),
 * never a static ESM import: that builds the built-in's ESM namespace, which reads every export
 * and so loads what the lazy ones hide (node:crypto ~13 ms against 0.2 ms with require; node:http's
  `WebSocket` export loads Node's bundled undici, ~30 ms, hence node:http here too). And whether
 * a built-in is loaded already, for the captures that patch one only once something loaded it.
 */
import { createRequire } from 'node:module';

type Zlib = typeof import('node:zlib');
type Crypto = typeof import('node:crypto');
type WorkerThreads = typeof import('node:worker_threads');
type Http = typeof import('node:http');
type Stream = typeof import('node:stream');

const load = createRequire(import.meta.url);
let zlibModule: Zlib | undefined;
let cryptoModule: Crypto | undefined;
let workerThreadsModule: WorkerThreads | undefined;
let httpModule: Http | undefined;
let streamModule: Stream | undefined;

export const zlib = (): Zlib => (zlibModule ??= load('node:zlib') as Zlib);
export const crypto = (): Crypto => (cryptoModule ??= load('node:crypto') as Crypto);
export const workerThreads = (): WorkerThreads => (workerThreadsModule ??= load('node:worker_threads') as WorkerThreads);
export const http = (): Http => (httpModule ??= load('node:http') as Http);
export const stream = (): Stream => (streamModule ??= load('node:stream') as Stream);

/**
 * Whether Node has loaded the built-in, for itself (fetch's undici requires node:http2) or for the
 * app; undefined when this Node does not say (no `process.moduleLoadList`).
 */
export function isBuiltinLoaded(name: string): boolean | undefined {
  const list = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
  return Array.isArray(list) ? list.includes(`NativeModule ${name}`) : undefined;
}
