/**
 * Writes span batches into ClickHouse's `spans` table through `@clickhouse/client`
 * (on the embedded engine RowBinary, encoded straight from the records: span-row-binary.ts; on a
 * server JSONCompactEachRow over HTTP: spanInsertFormat below). It does one insert per batch and says
 * what a failure means (error-classifier.ts, issue 10):
 *
 * - content refused (a row ClickHouse cannot parse, a span that cannot become a row): DataError,
 *   never retried as a whole; the IsolatingConsumer outside finds the spans at fault;
 * - request refused (credentials, grants, schema): ClickHouseRefusedError for inserts, retryable,
 *   so the batch waits in the spool until an operator fixes the store; PermanentError from
 *   start(), so that a wrong password stops the collector;
 * - anything else: a retryable ClickHouseUnavailableError.
 *
 * Retrying, isolating refused spans, spooling to disk and replaying are not done here but by the
 * wrappers in ../exporter-helper, composed around it:
 *
 *   new SpoolingConsumer(new IsolatingConsumer(new RetryingConsumer(createClickHouseExporter(config))), spoolConfig)
 *
 * A batch inserted twice (a retry after a lost response, a replay after a crash) does not make
 * duplicate spans: the table is a ReplacingMergeTree keyed by the span's identity (README.md).
 * On a cluster (`cluster` set) `spans` is a Distributed table and the insert is the same; the
 * servers route each row to the shard of its trace (schema-layout.ts), so a retried batch lands
 * on the shards that hold its first copy and is de-duplicated there.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { DataError, PermanentError, type Lifecycle, type SpanConsumer } from '../pipeline/processor.js';
import type { SpanRecord } from '../pipeline/span-record.js';
import { consoleLogger, errorText, type HelperLogger } from '../exporter-helper/logger.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { ensureClusterSchema } from './cluster-schema.js';
import { ConfigError } from '../pipeline/config-error.js';
import { resolveClickHouseExporterConfig, type ClickHouseExporterConfig } from './config.js';
import { classifyClickHouseError, type ClickHouseFailure } from './error-classifier.js';
import { ensureSchema, schemaTables } from './schema.js';
import { embeddedRawInsert } from './embedded-engine.js';
import { jsonCompactEachRowBody } from './json-each-row-insert.js';
import { insertRows } from './row-insert.js';
import { spanRowMapper } from './span-row.js';
import { spanRowBinaryParts } from './span-row-binary.js';
import { SPAN_INSERT_COLUMNS } from './span-table.js';

/** ClickHouse could not take the batch now (down, overloaded, timed out): retry later. */
export class ClickHouseUnavailableError extends Error {
  readonly code: string = 'TOKENTRACE_CLICKHOUSE_UNAVAILABLE';
  readonly retryable = true;
  constructor(
    message: string,
    readonly reason: string,
    readonly serverCode: number | undefined,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = 'ClickHouseUnavailableError';
  }
}

/**
 * ClickHouse refuses the request, not its rows (credentials, grants, a schema that does not fit):
 * the batch is kept and retried until an operator fixes the store. Only start() turns it into a
 * PermanentError.
 */
export class ClickHouseRefusedError extends ClickHouseUnavailableError {
  override readonly code: string = 'TOKENTRACE_CLICKHOUSE_REFUSED';
  override readonly name = 'ClickHouseRefusedError';
}

export interface ClickHouseExporterOptions {
  /** A client to use instead of one made from the config (it is not closed by shutdown()). */
  client?: ClickHouseClient;
  logger?: HelperLogger;
}

export class ClickHouseExporter implements SpanConsumer, Lifecycle {
  readonly tables: ReturnType<typeof schemaTables>;
  private readonly client: ClickHouseClient;
  private readonly ownsClient: boolean;
  private readonly logger: HelperLogger;
  private schemaReady = false;
  private schemaPending?: Promise<void>;
  private lastVersion = 0;
  /** The format of its inserts (spanInsertFormat): RowBinary on the embedded engine, where spans may come encoded (encoded-span.ts), JSONCompactEachRow on a server. */
  readonly insertFormat: SpanInsertFormat;

  constructor(
    readonly config: ClickHouseExporterConfig,
    options: ClickHouseExporterOptions = {},
  ) {
    this.client = options.client ?? createClickHouseClient(config);
    this.ownsClient = options.client === undefined;
    this.logger = options.logger ?? consoleLogger;
    this.tables = schemaTables(config.database);
    this.insertFormat = spanInsertFormat(this.client);
  }

  /**
   * Creates or upgrades the schema. A server that cannot be reached is not fatal (the collector
   * starts anyway and spools): the schema is then ensured again before the next insert. A refused
   * request (credentials, grants, a statement the server rejects) rejects with PermanentError.
   */
  async start(): Promise<void> {
    try {
      await this.ensureSchemaOnce();
    } catch (err) {
      if (err instanceof ClickHouseRefusedError) throw new PermanentError(err.message, { cause: err });
      this.logger.warn(`ClickHouse at ${this.config.url} not reachable at start (${errorText(err)}); the schema is created when it is`);
    }
  }

  async consume(spans: SpanRecord[]): Promise<void> {
    if (spans.length === 0) return;
    let body: SpanBatchBody;
    try {
      body = spanBatchBody(spans, this.nextVersion(), this.insertFormat);
    } catch (err) {
      // The same spans fail the same way on every try (a lone surrogate, a cycle in an attribute value).
      throw new DataError(`spans cannot be converted to rows: ${errorText(err)}`, { cause: err });
    }
    await this.ensureSchemaOnce();
    try {
      await insertSpanBatch(this.client, this.tables.spans, body);
    } catch (err) {
      const failure = classifyClickHouseError(err);
      const message = `ClickHouse insert of ${spans.length} spans failed (${failure.reason}): ${errorText(err)}`;
      if (failure.kind === 'data') throw new DataError(message, { cause: err });
      throw this.retryable(failure, message, err);
    }
  }

  async shutdown(): Promise<void> {
    if (this.ownsClient) await this.client.close();
  }

  private ensureSchemaOnce(): Promise<void> {
    if (this.schemaReady || !this.config.createSchema) return Promise.resolve();
    this.schemaPending ??= this.ensureSchema()
      .then(() => {
        this.schemaReady = true;
      })
      .catch((err: unknown) => {
        if (err instanceof ConfigError) throw new ClickHouseRefusedError(`ClickHouse schema creation refused: ${err.message}`, 'config', undefined, { cause: err });
        const failure = classifyClickHouseError(err);
        // A DDL statement has no spans in it: a `data` code here is the schema's fault, not theirs.
        const kind = failure.kind === 'data' ? 'refused' : failure.kind;
        throw this.retryable({ ...failure, kind }, `ClickHouse schema creation failed (${failure.reason}): ${errorText(err)}`, err);
      })
      .finally(() => {
        this.schemaPending = undefined;
      });
    return this.schemaPending;
  }

  private async ensureSchema(): Promise<unknown> {
    const { config } = this;
    const options = { retentionDays: config.retentionDays };
    if (config.cluster === '') return ensureSchema(this.client, config.database, undefined, undefined, options);
    return ensureClusterSchema(this.client, config.url, config.database, config, (url) => createClickHouseClient({ ...config, url }), undefined, options);
  }

  private retryable(failure: ClickHouseFailure, message: string, err: unknown): Error {
    return failure.kind === 'refused'
      ? new ClickHouseRefusedError(message, failure.reason, failure.serverCode, { cause: err })
      : new ClickHouseUnavailableError(message, failure.reason, failure.serverCode, { cause: err });
  }

  /** Microseconds since the epoch, strictly increasing within this process. */
  private nextVersion(): number {
    this.lastVersion = Math.max(this.lastVersion + 1, Date.now() * 1000);
    return this.lastVersion;
  }
}

/**
 * How the exporter encodes a batch for `client`: RowBinary on the embedded engine (span-row-binary.ts:
 * the engine copies values instead of parsing text; bench:collector has the figures),
 * JSONCompactEachRow on a server (span-row.ts, json-each-row-insert.ts), the format the test
 * server in @tokentrace/test (which runs statements as text) and every server since 25.8 take.
 */
export type SpanInsertFormat = 'RowBinary' | 'JSONCompactEachRow';

export function spanInsertFormat(client: ClickHouseClient): SpanInsertFormat {
  return embeddedRawInsert(client) ? 'RowBinary' : 'JSONCompactEachRow';
}

/** An encoded batch: its bytes, in parts written one after the other, and their format. */
export interface SpanBatchBody {
  format: SpanInsertFormat;
  parts: Buffer[];
}

/**
 * The body of the exporter's insert of `spans`: their rows, all with `version`, in `format`.
 * Throws a DataError's kind for spans that have no row. RowBinary parts may be views of the rows
 * of EncodedSpans (spanRowBinaryParts): insert the body before making another of the same spans.
 */
export function spanBatchBody(spans: readonly SpanRecord[], version: number, format: SpanInsertFormat): SpanBatchBody {
  if (format === 'RowBinary') return { format, parts: spanRowBinaryParts(spans, version) };
  const rowOf = spanRowMapper(version);
  return { format, parts: [jsonCompactEachRowBody(spans.length, SPAN_INSERT_COLUMNS, (i) => rowOf(spans[i]))] };
}

/** The exporter's insert of a spanBatchBody into `table` (`db.spans`). */
export function insertSpanBatch(client: ClickHouseClient, table: string, body: SpanBatchBody): Promise<void> {
  return insertRows(client, table, SPAN_INSERT_COLUMNS, body.format, body.parts);
}

/** The exporter for `options` over the defaults (config.ts); throws ConfigError naming a bad key. */
export function createClickHouseExporter(options: Partial<ClickHouseExporterConfig> = {}, extra: ClickHouseExporterOptions = {}): ClickHouseExporter {
  return new ClickHouseExporter(resolveClickHouseExporterConfig(options), extra);
}
