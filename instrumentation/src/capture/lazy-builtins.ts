/**
 * Node built-ins that only some calls need, loaded on first use: loading one costs a process
 * start milliseconds, which `--import register` should not add for an app whose calls never need
 * it (issue 12 part 5): zlib for compressed bodies and event-stream CRCs, crypto for the body hash
 * of a resend, worker_threads for the tokenizer.
 */
import { createRequire } from 'node:module';

type Zlib = typeof import('node:zlib');
type Crypto = typeof import('node:crypto');
type WorkerThreads = typeof import('node:worker_threads');

const load = createRequire(import.meta.url);
let zlibModule: Zlib | undefined;
let cryptoModule: Crypto | undefined;
let workerThreadsModule: WorkerThreads | undefined;

export const zlib = (): Zlib => (zlibModule ??= load('node:zlib') as Zlib);
export const crypto = (): Crypto => (cryptoModule ??= load('node:crypto') as Crypto);
export const workerThreads = (): WorkerThreads => (workerThreadsModule ??= load('node:worker_threads') as WorkerThreads);
