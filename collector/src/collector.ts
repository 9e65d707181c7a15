/**
 * The collector, wired from its configuration: receivers (OTLP/HTTP, OTLP/gRPC) → processors
 * (normalize, price, session) → batch → exporters (ClickHouse behind retry and the on-disk spool;
 * optionally an OTLP forward). Stores in the embedded engine when no URL is configured. Health,
 * readiness and counters, the query API (/api/v1) and the dashboard share the HTTP port.
 */
import {
  BatchProcessor,
  createClickHouseClient,
  createClickHouseExporter,
  FanOutConsumer,
  IsolatingConsumer,
  OtlpForwardExporter,
  ProcessingConsumer,
  RetryingConsumer,
  RowReleasingConsumer,
  rollupGraceMs,
  SpoolingConsumer,
  storageLocation,
  type ClickHouseConnectionConfig,
  type Lifecycle,
  type SpanConsumer,
  type SpanRecord,
} from '@tokentrace/processors';
import { clickhouseConnection, walDirectory, type CollectorConfig } from './config/collector-config.js';
import { createProcessors } from './processors-from-config.js';
import { createApiKeyAuthenticator, createInlineSpanDecoder, OtlpGrpcReceiver, OtlpHttpReceiver, WorkerSpanDecoder, type ReceiverEvent, type SpanDecoder } from './receivers/index.js';
import { createSignalForwarder } from './signal-forwarder.js';
import { CollectorCounters } from './telemetry/collector-counters.js';
import { mountHealthRoutes } from './telemetry/health-routes.js';
import { costAttributes } from './cost-attributes.js';
import { mountDashboard } from './dashboard/index.js';
import { QueryService } from './queries/query-service.js';
import { createQueryRouter } from './api/index.js';
import { createExplainRouter } from './api/explain-routes.js';
import { createExplainer } from './insights/explain/index.js';
import { createForecastRouter } from './api/forecast-routes.js';
import { createAlertRouter } from './api/alert-routes.js';
import { AlertService } from './alerts/index.js';
import { explainerFindings } from './alerts/explainer-findings.js';
import { resolveAlertsConfig } from './config/alerts-config.js';
import { exportTraces } from './receivers/trace-export.js';
import { RequestJournal } from './wal/request-journal.js';
import { WriteAheadLog } from './wal/write-ahead-log.js';
import { RollupBuilder } from './rollup/rollup-builder.js';

export interface CollectorOptions {
  log?: (message: string) => void;
}

export class Collector {
  private constructor(
    readonly config: CollectorConfig,
    readonly counters: CollectorCounters,
    readonly http: OtlpHttpReceiver,
    readonly grpc: OtlpGrpcReceiver | undefined,
    /** How the storage is reached (the embedded engine or a server): tests and tools open their own client with it. */
    readonly clickhouse: ClickHouseConnectionConfig,
    private readonly batch: BatchProcessor,
    private readonly stages: Lifecycle[],
    private readonly decoder: SpanDecoder,
    private readonly wal: WriteAheadLog | undefined,
    /** The query API's engine and its own connection to ClickHouse (same server and credentials as the exporter). */
    private readonly queries: { service: QueryService; client: ReturnType<typeof createClickHouseClient> },
    /** Alert rules evaluated every `alerts.intervalMs` (issue 13); absent when `alerts.enabled` is false. */
    readonly alerts: AlertService | undefined,
    /** The usage rollup's builder (issue 11); absent when `rollup.enabled` is false. */
    private readonly rollup: RollupBuilder | undefined,
  ) {}

  static async start(config: CollectorConfig, options: CollectorOptions = {}): Promise<Collector> {
    const log = options.log ?? ((m: string) => console.log(`[tokentrace-collector] ${m}`));
    const counters = new CollectorCounters();

    // The embedded engine (no URL) or a server. On a cluster (issue 5) the exporter's schema is
    // local tables on the shards behind Distributed tables, which inserts and queries go through
    // on `url`. The exporter and the query API use the same connection settings (on the embedded
    // engine: the same engine, opened once in this process).
    const connection = clickhouseConnection(config);
    const exporter = createClickHouseExporter(connection);
    // Counted under the retry: only inserts ClickHouse accepted count, so the parts of a batch that
    // the IsolatingConsumer stores around refused spans count, and the refused spans do not; they
    // are counted once each as spans_set_aside by the spool (issue 10).
    const counted = new CountingConsumer(exporter, (n) => counters.add('spans_stored', n));
    const retrying = new RetryingConsumer(counted, {}, { onRetry: () => counters.add('insert_retries') });
    const isolating = new IsolatingConsumer(retrying);
    const storage = new SpoolingConsumer(isolating, { directory: config.spool.dir, maxBytes: config.spool.maxBytes }, {
      onSpooled: (n) => counters.add('spans_spooled', n),
      onRejected: (n) => counters.add('spans_set_aside', n),
    });
    const secondary: SpanConsumer[] = [];
    let forwardStage: RetryingConsumer | undefined;
    if (config.forward.endpoint) {
      const forward = new OtlpForwardExporter({ endpoint: config.forward.endpoint, headers: config.forward.headers, extraAttributes: costAttributes });
      forwardStage = new RetryingConsumer(new CountingConsumer(forward, (n) => counters.add('spans_forwarded', n)));
      secondary.push(forwardStage);
    }
    const fanOut = new FanOutConsumer(storage, secondary, (err) => log(`forward failed: ${(err as Error).message}`));
    // On the embedded engine the batch holds each span's RowBinary row instead of its record (the
    // records die young, in the request); not when a forward exporter reads the records too. The
    // rows' buffers are used again once storage took their spans (RowReleasingConsumer).
    const encodeRows = exporter.insertFormat === 'RowBinary' && !config.forward.endpoint;
    const batch = new BatchProcessor(encodeRows ? new RowReleasingConsumer(fanOut) : fanOut, config.batch);
    const pipeline = new ProcessingConsumer(createProcessors(config, { encodeRows }), batch);

    const keys = new Map(Object.entries(config.apiKeys));
    // Issue 11: a trace export is answered once it is in the write-ahead log, and leaves the log
    // once the batch delivered its spans (stored, spooled or set aside).
    const wal = config.wal.enabled ? new WriteAheadLog({ directory: walDirectory(config), sync: config.wal.sync, segmentBytes: config.wal.segmentBytes }) : undefined;
    const journal = wal ? new RequestJournal(wal, batch, log) : undefined;
    const decoder = config.decode.threads > 0 ? new WorkerSpanDecoder(config.decode.threads, config.limits) : createInlineSpanDecoder(config.limits);
    const receiverOptions = {
      consumer: pipeline,
      decoder,
      authenticate: keys.size > 0 ? createApiKeyAuthenticator(keys) : undefined,
      forward: config.forward.endpoint ? createSignalForwarder(config.forward.endpoint, config.forward.headers) : undefined,
      journal,
      onRequest: (event: ReceiverEvent) => countRequest(counters, event),
    };
    const http = new OtlpHttpReceiver({ ...receiverOptions, host: config.http.host, port: config.http.port, maxBodyBytes: config.http.maxBodyBytes });
    const grpc = config.grpc.enabled
      ? new OtlpGrpcReceiver({ ...receiverOptions, host: config.grpc.host, port: config.grpc.port, maxBodyBytes: config.grpc.maxBodyBytes })
      : undefined;
    mountHealthRoutes(http.app, counters, () => storage.stats());
    // Issue 4: the query API and the dashboard share the OTLP/HTTP port and ingest's API keys.
    const queryClient = createClickHouseClient(connection);
    // The builder's grace: 0 on the embedded engine, whose builds wait for this process's writes in flight.
    const rollupRead = config.rollup.enabled ? { graceMs: rollupGraceMs(queryClient, config.rollup.graceMs) } : undefined;
    const queries = new QueryService({
      client: queryClient,
      database: config.clickhouse.database,
      cluster: config.clickhouse.cluster !== '',
      rollup: rollupRead ?? false,
    });
    const rollup = config.rollup.enabled ? new RollupBuilder({ client: queryClient, database: config.clickhouse.database, config: config.rollup, log }) : undefined;
    const explainer = createExplainer(queryClient, config.clickhouse.database, config.clickhouse.cluster !== '', rollupRead);
    const dashboardBase = () => config.alerts.dashboardUrl || `${http.url}/dashboard/`;
    http.app.use('/api/v1', createExplainRouter({ explainer, authenticate: receiverOptions.authenticate, log }));
    http.app.use('/api/v1', createForecastRouter({ store: { client: queryClient, database: config.clickhouse.database, cluster: config.clickhouse.cluster !== '', rollup: rollupRead }, authenticate: receiverOptions.authenticate, defaults: config.forecast, log }));
    const alerts = config.alerts.enabled
      ? new AlertService({
          client: queryClient,
          database: config.clickhouse.database,
          cluster: config.clickhouse.cluster !== '',
          config: config.alerts,
          billingDay: config.forecast.billingDay,
          rollup: rollupRead,
          dashboardBase,
          explain: explainerFindings(explainer, dashboardBase),
          count: (name, n) => counters.add(name, n),
          log,
        })
      : undefined;
    http.app.use('/api/v1/alerts', createAlertRouter({ alerts, authenticate: receiverOptions.authenticate, log }));
    http.app.use('/api/v1', createQueryRouter({ api: queries, authenticate: receiverOptions.authenticate, log }));
    mountDashboard(http.app);

    await storage.start();
    await forwardStage?.start();
    if (wal && journal) {
      // Before listening: what an earlier process acknowledged and did not deliver goes in first.
      const { records, tornBytes } = await wal.open();
      if (tornBytes > 0) log(`write-ahead log ${wal.config.directory}: ignored ${tornBytes} bytes of a write cut short`);
      if (records.length > 0) {
        const replayed = await journal.replay(records, (r) => exportTraces(pipeline, r.body, r.encoding, r.projectId, decoder));
        log(`write-ahead log ${wal.config.directory}: replayed ${replayed.requests} requests left by an earlier run${replayed.unreadable ? ` (${replayed.unreadable} unreadable, dropped)` : ''}`);
      }
    }
    await http.start();
    await grpc?.start();
    // After storage.start(): the exporter's migrations created the alert tables.
    await alerts?.start(resolveAlertsConfig(config.alerts));
    rollup?.start();
    const cluster = config.clickhouse.cluster ? ` (cluster ${config.clickhouse.cluster})` : '';
    log(`OTLP/HTTP on ${http.url}${grpc ? `, OTLP/gRPC on ${config.grpc.host}:${grpc.port}` : ''}; storing in ${storageLocation(connection)} database ${config.clickhouse.database}${cluster}`);
    const stages: Lifecycle[] = [storage, ...(forwardStage ? [forwardStage] : [])];
    return new Collector(config, counters, http, grpc, connection, batch, stages, decoder, wal, { service: queries, client: queryClient }, alerts, rollup);
  }

  /** Stops receiving, flushes the batch into storage (or the spool), then stops everything it started. */
  async shutdown(): Promise<void> {
    await Promise.all([this.http.shutdown(), this.grpc?.shutdown()]);
    await this.decoder.close();
    await this.alerts?.stop();
    await this.rollup?.stop();
    await this.queries.client.close();
    await this.batch.shutdown();
    for (const stage of this.stages) await stage.shutdown?.();
    // Everything was delivered or spooled, and each request's done() ran as its batch was taken
    // (the journal's reaction to the delivery mark comes before any continuation awaiting the
    // stages): the log empties; requests still pending stay for the next start.
    await this.wal?.close();
  }
}

/** Counts the spans the next consumer accepted. */
class CountingConsumer implements SpanConsumer, Lifecycle {
  constructor(
    private readonly next: SpanConsumer & Lifecycle,
    private readonly onAccepted: (spans: number) => void,
  ) {}

  async start(): Promise<void> {
    await this.next.start?.();
  }

  async consume(spans: SpanRecord[]): Promise<void> {
    await this.next.consume(spans);
    this.onAccepted(spans.length);
  }

  async shutdown(): Promise<void> {
    await this.next.shutdown?.();
  }
}

function countRequest(counters: CollectorCounters, event: ReceiverEvent): void {
  if (event.signal !== 'traces') return;
  counters.add('spans_received', event.acceptedSpans);
  counters.add('spans_rejected', event.rejectedSpans);
  counters.add('spans_sanitized', event.sanitizedSpans);
  if (event.failure === 'throttled' || event.failure === 'unavailable') counters.add('requests_refused_backpressure');
  else if (event.failure === 'bad_data' || event.failure === 'too_large' || event.failure === 'unsupported_media_type') counters.add('requests_malformed');
  else if (event.failure === 'unauthenticated' || event.failure === 'forbidden') counters.add('requests_unauthenticated');
}
