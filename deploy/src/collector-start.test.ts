/**
 * The collector started the way the image and the Kubernetes manifests start it: the Dockerfile's
 * ENTRYPOINT file with the StatefulSet's args (`--config` = the ConfigMap's collector.json) and
 * the pod's environment (image ENV, container env, the Secret). Only what cannot be had here is
 * swapped: the HTTP test server (ClickHouse's HTTP interface on the embedded engine) for the cluster's ClickHouse, loopback and free ports for 0.0.0.0
 * and the fixed ones, a temporary spool. Then the probes, the image's health check, an API key
 * from the Secret and a graceful SIGTERM, against the real process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from '@tokentrace/test';
import { execForm, instructions, originOf, readDockerfile, stageEnv } from './testing/dockerfile.js';
import { deployDir, isRepoDirectory, readYaml, repoRoot } from './testing/repo.js';

const dockerfile = readDockerfile(join(deployDir, 'docker/Dockerfile'));
const runtime = dockerfile.stage('runtime');
const entry = execForm(instructions(runtime, 'ENTRYPOINT')[0]);
const entryFile = join(repoRoot, originOf(dockerfile, 'runtime', entry[1], isRepoDirectory)!.path);
const healthcheck = execForm(instructions(runtime, 'HEALTHCHECK')[0].replace(/^.*?CMD\s+/, ''));
const healthcheckFile = join(repoRoot, originOf(dockerfile, 'runtime', healthcheck[1], isRepoDirectory)!.path);

const k8sDir = join(deployDir, 'kubernetes');
const objects = ['statefulset.yaml', 'secret.yaml'].flatMap((f) => readYaml(join(k8sDir, f))) as any[];
const statefulSet = objects.find((o) => o.kind === 'StatefulSet');
const secret = objects.find((o) => o.kind === 'Secret');
const container = statefulSet.spec.template.spec.containers[0];
const apiKey = (secret.stringData.TOKENTRACE_API_KEYS as string).split(',')[0].split('=')[0];

let dir: string;
let clickhouse: ClickHouseHttpServer | undefined;
let collector: ChildProcess | undefined;
let httpUrl: string;
let grpcPort: number;

function runHealthcheck(port: number): number | null {
  return spawnSync(process.execPath, [healthcheckFile], { env: { PATH: process.env.PATH ?? '', TOKENTRACE_COLLECTOR_HTTP_PORT: String(port) }, timeout: 10_000 }).status;
}

describe('the collector as the image and the StatefulSet start it', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tt-deploy-start-'));
    clickhouse = await ClickHouseHttpServer.start({ dataDir: join(dir, 'clickhouse') });

    const config = JSON.parse(readFileSync(join(k8sDir, 'collector.json'), 'utf8'));
    config.http = { ...config.http, host: '127.0.0.1', port: 0 };
    config.grpc = { ...config.grpc, host: '127.0.0.1', port: 0 };
    config.clickhouse = { ...config.clickhouse, url: clickhouse.url };
    const configPath = join(dir, 'collector.json');
    writeFileSync(configPath, JSON.stringify(config));
    const args = (container.args as string[]).map((a) => (a.endsWith('/collector.json') ? configPath : a));

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...stageEnv(runtime),
      ...Object.fromEntries(container.env.map((e: any) => [e.name, e.value])),
      ...secret.stringData,
      // The image ENV says 0.0.0.0 and /var/lib/...; env wins over the file, so override here.
      TOKENTRACE_COLLECTOR_HTTP_HOST: '127.0.0.1',
      TOKENTRACE_COLLECTOR_GRPC_HOST: '127.0.0.1',
      TOKENTRACE_SPOOL_DIR: join(dir, 'spool'),
      // The test server's user `default` has no password.
      TOKENTRACE_CLICKHOUSE_USER: 'default',
      TOKENTRACE_CLICKHOUSE_PASSWORD: '',
    };
    collector = spawn(entry[0] === 'node' ? process.execPath : entry[0], [entryFile, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    collector.stderr!.on('data', (d) => (stderr += d));
    const exited = once(collector, 'exit').then(([code]) => {
      throw new Error(`collector exited with ${code} before listening: ${stderr}`);
    });
    const listening = (async () => {
      for await (const line of createInterface({ input: collector!.stdout! })) {
        const m = /OTLP\/HTTP on (http:\/\/\S+?), OTLP\/gRPC on [^:]+:(\d+);/.exec(line);
        if (m) return m;
      }
      throw new Error(`collector closed stdout before listening: ${stderr}`);
    })();
    const m = await Promise.race([listening, exited]);
    httpUrl = m[1];
    grpcPort = Number(m[2]);
  }, 60_000);

  afterAll(async () => {
    if (collector && collector.exitCode === null) {
      collector.kill('SIGKILL');
      await once(collector, 'exit');
    }
    await clickhouse?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers 200 on the startup, liveness and readiness probe paths, and /ready', async () => {
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const res = await fetch(`${httpUrl}${container[probe].httpGet.path}`);
      expect(res.status, probe).toBe(200);
    }
    const ready = await fetch(`${httpUrl}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true });
  });

  it('passes the image health check', () => {
    expect(runHealthcheck(Number(new URL(httpUrl).port))).toBe(0);
  });

  it('accepts OTLP with the API key from the Secret and refuses it without', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${httpUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ resourceSpans: [] }) });
    expect((await post({ authorization: `Bearer ${apiKey}` })).status).toBe(200);
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer not-a-key' })).status).toBe(401);
  });

  it('listens for OTLP/gRPC', async () => {
    const socket = connect(grpcPort, '127.0.0.1');
    await once(socket, 'connect');
    socket.destroy();
  });

  it('stops on SIGTERM with exit code 0 within the grace period, and the health check then fails', async () => {
    const started = Date.now();
    collector!.kill('SIGTERM');
    const [code] = await once(collector!, 'exit');
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(statefulSet.spec.template.spec.terminationGracePeriodSeconds * 1000);
    expect(runHealthcheck(Number(new URL(httpUrl).port))).toBe(1);
  }, 30_000);
});
