/**
 * The image's HEALTHCHECK (the slim base has no curl): GET /health on the collector's HTTP port,
 * exit 0 on 200, 1 otherwise. /health is liveness: the process answers. It stays 200 while
 * ClickHouse is down and batches go to the spool; /ready reports that (see deploy/README.md).
 * The port is TOKENTRACE_COLLECTOR_HTTP_PORT when set, else the default 4318.
 */
const port = process.env.TOKENTRACE_COLLECTOR_HTTP_PORT || '4318';
try {
  const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(4000) });
  await res.arrayBuffer();
  process.exit(res.status === 200 ? 0 : 1);
} catch {
  process.exit(1);
}
