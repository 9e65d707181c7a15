/** Wrappers that every exporter composes with (retry, isolation of refused spans, on-disk spool), written once. */
export { ExponentialBackoff, sleep, validateBackoff, type BackoffConfig } from './backoff.js';
export { RetryingConsumer, DEFAULT_RETRY_CONFIG, type RetryConfig, type RetryHooks } from './retrying-consumer.js';
export { IsolatingConsumer, IsolationStoppedError, type IsolationHooks, type IsolationResult } from './isolating-consumer.js';
export { SpansRefusedError, type RefusedSpan } from './spans-refused-error.js';
export { SpoolingConsumer, DEFAULT_SPOOL_CONFIG, type SpoolConfig, type SpoolHooks, type SpoolStats } from './spooling-consumer.js';
export { DiskSpool, SpoolFullError, type SpoolEntry } from './disk-spool.js';
export { encodeBatch, decodeBatch, BatchDecodeError } from './batch-codec.js';
export { consoleLogger, silentLogger, type HelperLogger } from './logger.js';
