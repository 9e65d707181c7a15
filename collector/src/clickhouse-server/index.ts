/** A managed local ClickHouse server (child process, own config and data directory). */
export { LocalClickHouse, LOCAL_CLICKHOUSE_DEFAULTS, type LocalClickHouseOptions } from './local-clickhouse.js';
export { LocalClickHouseError, type LocalClickHouseErrorCode } from './local-clickhouse-error.js';
export { findClickHouseServer, type ClickHouseServerCommand } from './find-binary.js';
export type { ServerLayout, ServerLogLevel } from './server-config.js';
export { LoopbackCluster, type LoopbackClusterOptions } from './loopback-cluster.js';
