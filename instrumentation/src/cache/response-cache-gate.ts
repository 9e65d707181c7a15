/**
 * The response cache as a request gate (issue 14, section 1; Helicone's cache semantics). A call
 * with caching on is looked up under its key: when its bucket is full, one of the answers is
 * replayed in-process with `Helicone-Cache: HIT` and `Helicone-Cache-Bucket-Idx`; otherwise it is
 * sent with `Helicone-Cache: MISS` added to its response, and its answer stored in a free slot once
 * the span says it was a good one (2xx, complete, no error event, not aborted). A store that fails
 * is bypassed (fail open): the call goes out as if caching were off and the span says why.
 */
import { diag, type Span } from '@opentelemetry/api';
import {
  ATTR_TOKENTRACE_CACHE_BUCKET_INDEX,
  ATTR_TOKENTRACE_CACHE_BUCKET_MAX_SIZE,
  ATTR_TOKENTRACE_CACHE_ERROR,
  ATTR_TOKENTRACE_CACHE_ORIGINAL_CACHE_READ_INPUT_TOKENS,
  ATTR_TOKENTRACE_CACHE_ORIGINAL_INPUT_TOKENS,
  ATTR_TOKENTRACE_CACHE_ORIGINAL_OUTPUT_TOKENS,
  ATTR_TOKENTRACE_CACHE_STATUS,
  ATTR_TOKENTRACE_CACHE_STORE,
  TOKENTRACE_CACHE_STATUS,
} from '@tokentrace/semconv';
import type { GateDecision, GateRequest, RequestGate } from '../gate/request-gate.js';
import type { ObservedResponse } from '../gate/local-response.js';
import type { Usage } from '../providers/types.js';
import type { TrackingContext } from '../types.js';
import type { ResolvedCacheConfig } from './cache-config.js';
import { cacheKey } from './cache-key.js';
import type { CacheStore } from './cache-store.js';
import { answerSize, type CachedAnswer } from './cached-answer.js';
import { cacheWanted, callCacheOptions, type CallCacheOptions } from './call-options.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';

/** Response headers, as Helicone names them. */
export const HEADER_CACHE = 'Helicone-Cache';
export const HEADER_BUCKET_INDEX = 'Helicone-Cache-Bucket-Idx';

export class ResponseCacheGate implements RequestGate {
  readonly name = 'cache';
  private store?: CacheStore;

  constructor(private readonly config: ResolvedCacheConfig) {}

  wants(controls: Readonly<Record<string, string>> | undefined, tracking: TrackingContext | undefined): boolean {
    return cacheWanted(this.config, controls, tracking);
  }

  async admit(request: GateRequest): Promise<GateDecision | undefined> {
    const options = callCacheOptions(this.config, request.controls, request.tracking, request.endpoint.provider, request.header('cache-control'));
    if (!options) return undefined;
    const { span } = request;
    const store = this.cacheStore();
    span.setAttributes({ [ATTR_TOKENTRACE_CACHE_STORE]: store.kind, [ATTR_TOKENTRACE_CACHE_BUCKET_MAX_SIZE]: options.bucketMaxSize });
    const key = cacheKey(request, options, this.config.shareAcrossKeys);
    let slots: (CachedAnswer | undefined)[];
    try {
      slots = await store.lookup(key, options.bucketMaxSize);
    } catch (err) {
      span.setAttributes({ [ATTR_TOKENTRACE_CACHE_STATUS]: TOKENTRACE_CACHE_STATUS.BYPASS, [ATTR_TOKENTRACE_CACHE_ERROR]: `${store.kind} lookup failed: ${message(err)}` });
      return undefined;
    }
    const free = slots.findIndex((answer) => answer === undefined);
    if (free === -1) return this.hit(request, slots as CachedAnswer[]);
    span.setAttribute(ATTR_TOKENTRACE_CACHE_STATUS, TOKENTRACE_CACHE_STATUS.MISS);
    return {
      responseHeaders: [[HEADER_CACHE, 'MISS']],
      observe: (response) => this.keep(store, key, free, options, response),
    };
  }

  async close(): Promise<void> {
    await this.store?.close();
    this.store = undefined;
  }

  private hit(request: GateRequest, answers: CachedAnswer[]): GateDecision {
    const index = Math.floor(Math.random() * answers.length);
    const answer = answers[index]!;
    request.span.setAttributes({ [ATTR_TOKENTRACE_CACHE_STATUS]: TOKENTRACE_CACHE_STATUS.HIT, [ATTR_TOKENTRACE_CACHE_BUCKET_INDEX]: index });
    request.replayedUsage(recordOriginalUsage);
    return {
      respond: {
        status: answer.status,
        statusText: answer.statusText,
        headers: [...answer.headers, [HEADER_CACHE, 'HIT'], [HEADER_BUCKET_INDEX, String(index)]],
        chunks: answer.chunks,
      },
    };
  }

  /** Stores a good answer; anything else (error, partial, aborted, too large) is left out. */
  private keep(store: CacheStore, key: string, slot: number, options: CallCacheOptions, response: ObservedResponse): void {
    if (response.local || !response.complete || response.call.errorType !== undefined) return;
    if (response.status < 200 || response.status >= 300) return;
    const answer: CachedAnswer = { status: response.status, statusText: response.statusText, headers: response.headers, chunks: response.chunks, storedAt: Date.now() };
    if (answerSize(answer) > this.config.maxEntryBytes) {
      diag.debug(`tokentrace: cache: answer of ${answerSize(answer)} bytes not stored (cache.maxEntryBytes ${this.config.maxEntryBytes})`);
      return;
    }
    const failed = (err: unknown) => diag.warn(`tokentrace: cache: ${store.kind} store failed: ${message(err)}`);
    try {
      // Synchronous for the memory store: kept before the app's next call.
      void store.store(key, slot, answer, options.maxAgeSeconds)?.catch(failed);
    } catch (err) {
      failed(err);
    }
  }

  private cacheStore(): CacheStore {
    this.store ??= this.config.store === 'redis' ? new RedisStore(this.config.redisUrl!, this.config.maxEntryBytes) : new MemoryStore(this.config.maxBytes);
    return this.store;
  }
}

/** A hit's usage: what the original call reported, not billed again (the collector prices it as saved). */
function recordOriginalUsage(span: Span, usage: Usage): void {
  if (usage.inputTokens !== undefined) span.setAttribute(ATTR_TOKENTRACE_CACHE_ORIGINAL_INPUT_TOKENS, usage.inputTokens);
  if (usage.outputTokens !== undefined) span.setAttribute(ATTR_TOKENTRACE_CACHE_ORIGINAL_OUTPUT_TOKENS, usage.outputTokens);
  if (usage.cacheReadInputTokens !== undefined) span.setAttribute(ATTR_TOKENTRACE_CACHE_ORIGINAL_CACHE_READ_INPUT_TOKENS, usage.cacheReadInputTokens);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message || err.name : String(err);
}
