// Public surface of the ClickHouse HTTP test server: ClickHouse's HTTP interface, as
// @clickhouse/client uses it, backed by the embedded engine (chdb) in the test process.
export {
  ClickHouseHttpServer,
  type ClickHouseHttpServerOptions,
  type ClickHouseHttpRequestCounts,
  type ExecutedStatement,
} from './clickhouse-http-server.js';
export type { HeldRequest } from './request-faults.js';
