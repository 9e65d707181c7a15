/**
 * Counts tokens with a real BPE tokenizer (js-tiktoken) for calls whose provider sent no usage.
 * Loading an encoding parses megabytes of ranks (hundreds of milliseconds) and encoding long
 * text is CPU work too, so both happen in a worker thread: the app's event loop never waits for
 * the tokenizer. The worker starts on the first estimate and holds the process open only while
 * an estimate is pending (so that spans waiting for one are still flushed at exit).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { workerThreads } from '../capture/lazy-builtins.js';

type EncodingName = 'o200k_base' | 'cl100k_base';

/** OpenAI's newer model families use o200k_base; everything else gets cl100k_base as an approximation. */
export function encodingForModel(model: string | undefined): EncodingName {
  const m = (model ?? '').toLowerCase().replace(/^.*\//, '');
  return /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss)/.test(m) ? 'o200k_base' : 'cl100k_base';
}

// Runs in the worker; module URLs are resolved by the main thread and passed as workerData.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const encoders = new Map();
function encoder(name) {
  let e = encoders.get(name);
  if (!e) {
    e = (async () => {
      const { Tiktoken } = await import(workerData.lite);
      const ranks = await import(workerData.ranks[name]);
      return new Tiktoken(ranks.default ?? ranks);
    })();
    encoders.set(name, e);
  }
  return e;
}
parentPort.on('message', async ({ id, text, encoding }) => {
  try {
    const e = await encoder(encoding);
    parentPort.postMessage({ id, count: e.encode(text, 'all').length });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err && err.message || err) });
  }
});
`;

interface Pending {
  resolve: (count: number) => void;
  reject: (err: Error) => void;
}

class TokenCounter {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  count(text: string, encoding: EncodingName): Promise<number> {
    const worker = this.start();
    const id = this.nextId++;
    if (this.pending.size === 0) worker.ref();
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, text, encoding });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const resolve = createRequire(import.meta.url).resolve;
    const url = (specifier: string) => pathToFileURL(resolve(specifier)).href;
    const worker = new (workerThreads().Worker)(WORKER_SOURCE, {
      eval: true,
      workerData: {
        lite: url('js-tiktoken/lite'),
        ranks: { o200k_base: url('js-tiktoken/ranks/o200k_base'), cl100k_base: url('js-tiktoken/ranks/cl100k_base') },
      },
    });
    worker.unref();
    worker.on('message', ({ id, count, error }: { id: number; count?: number; error?: string }) => {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (this.pending.size === 0) worker.unref();
      if (error !== undefined || count === undefined) p.reject(new Error(error ?? 'no count'));
      else p.resolve(count);
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', () => {
      this.failAll(new Error('token counter stopped'));
      this.worker = undefined;
    });
    this.worker = worker;
    return worker;
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

const counter = new TokenCounter();

export async function countTokens(text: string, model: string | undefined): Promise<number> {
  if (!text) return 0;
  return counter.count(text, encodingForModel(model));
}
