/**
 * deploy/compose, deploy/kubernetes and deploy/otel-collector, parsed and compared with the code
 * they deploy: every TOKENTRACE_* variable is one the collector reads and arrives where intended,
 * the JSON config passes the collector's own loader, probes and ports are what it serves, sizes
 * and stop timeouts fit what it needs, and the OpenTelemetry Collector pipelines are complete.
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../collector/src/config/collector-config.js';
import { instructions, readDockerfile, stageEnv } from './testing/dockerfile.js';
import { ENV_PATHS, heapLimitMiB, loadAndTrace } from './testing/collector-env.js';
import { envReferences, otelcolProblems, type OtelcolConfig } from './testing/otelcol.js';
import { bytes, deployDir, interpolate, interpolateAll, MiB, readDotenv, readYaml, repoRoot } from './testing/repo.js';
import { seconds, shutdownBudgetMs } from './testing/shutdown-budget.js';

/** Peak RSS of one collector under `npm run bench:collector` (20k spans/s, default batch settings). */
const MEASURED_PEAK_RSS = 460 * MiB;
/** Old-space heap at most this share of the memory limit: the decode worker, buffers and code need the rest. */
const MAX_HEAP_SHARE = 0.6;
/** The spool may exceed spool.maxBytes at shutdown (it persists what is in flight): keep this much of the volume free. */
const SPOOL_VOLUME_HEADROOM = 0.2;

const runtime = readDockerfile(join(deployDir, 'docker/Dockerfile')).stage('runtime');
const imageEnv = Object.fromEntries(Object.entries(stageEnv(runtime)).filter(([k]) => k.startsWith('TOKENTRACE_')));
const [imageUid, imageGid] = instructions(runtime, 'USER').at(-1)!.split(':').map(Number);
const servedPaths = new Set([...readFileSync(join(repoRoot, 'collector/src/telemetry/health-routes.ts'), 'utf8').matchAll(/app\.get\('(\/[\w/]*)'/g)].map((m) => m[1]));
const budget = shutdownBudgetMs();

function hostPort(endpoint: string): { host: string; port: number } {
  const url = new URL(endpoint.includes('://') ? endpoint : `grpc://${endpoint}`);
  return { host: url.hostname, port: Number(url.port) };
}

// ---------------------------------------------------------------------------------------------
const composeDir = join(deployDir, 'compose');
const composeRaw = readYaml(join(composeDir, 'compose.yaml'))[0] as any;
const dotenv = readDotenv(join(composeDir, '.env.example'));
const interpolated = new Set<string>();
const compose = interpolateAll(composeRaw, dotenv, interpolated);
const ttService = compose.services['tokentrace-collector'];
const chService = compose.services.clickhouse;
const composeEnv: Record<string, string> = { ...imageEnv, ...ttService.environment };
const composeConfig = loadAndTrace(undefined, composeEnv);

describe('deploy/compose', () => {
  it('needs every variable it interpolates, and .env.example provides each as a placeholder', () => {
    expect([...interpolated].sort()).toEqual(Object.keys(dotenv).sort());
    for (const name of interpolated) {
      const withoutOne = { ...dotenv, [name]: undefined };
      expect(() => interpolateAll(composeRaw, withoutOne), name).toThrow(new RegExp(`required variable ${name}`));
    }
    for (const [name, value] of Object.entries(dotenv)) expect(value, name).toContain('change-me');
    expect(interpolate('a$$b', {})).toBe('a$b');
  });

  it('gives the collector only variables it reads, and they arrive in its configuration', () => {
    const { config, unknown, notApplied } = composeConfig;
    expect(unknown).toEqual([]);
    expect(notApplied).toEqual([]);
    expect(Object.keys(ttService.environment).filter((k) => k.startsWith('TOKENTRACE_')).length).toBeGreaterThanOrEqual(4);
    const clickhouse = new URL(config.clickhouse.url);
    expect(compose.services).toHaveProperty(clickhouse.hostname);
    expect(clickhouse.port).toBe('8123'); // ClickHouse's HTTP interface
    expect(Object.keys(config.apiKeys).length).toBeGreaterThan(0);
  });

  it('builds the image from the repository root with deploy/docker/Dockerfile', () => {
    expect(resolve(composeDir, ttService.build.context)).toBe(resolve(repoRoot));
    expect(ttService.build.dockerfile).toBe('deploy/docker/Dockerfile');
    // BuildKit takes the ignore file beside the Dockerfile.
    expect(() => readFileSync(join(repoRoot, `${ttService.build.dockerfile}.dockerignore`))).not.toThrow();
  });

  it('publishes the ports the collector listens on and keeps the spool on a named volume', () => {
    const containerPorts = (ttService.ports as string[]).map((p) => Number(p.split(':').at(-1))).sort();
    expect(containerPorts).toEqual([composeConfig.config.grpc.port, composeConfig.config.http.port].sort());
    const spool = (ttService.volumes as string[]).map((v) => v.split(':')).find(([, target]) => target === composeConfig.config.spool.dir);
    expect(spool).toBeDefined();
    expect(compose.volumes).toHaveProperty(spool![0]);
  });

  it('starts the collector once ClickHouse is healthy and gives it time to flush on stop', () => {
    expect(ttService.depends_on.clickhouse.condition).toBe('service_healthy');
    expect(chService.healthcheck.test.length).toBeGreaterThan(1);
    expect(seconds(ttService.stop_grace_period) * 1000).toBeGreaterThanOrEqual(budget.totalMs + 10_000);
  });

  it('sizes memory from the measured peak, with the heap limit inside it', () => {
    const limit = bytes(ttService.mem_limit);
    expect(limit).toBeGreaterThanOrEqual(1.5 * MEASURED_PEAK_RSS);
    const heap = heapLimitMiB(ttService.environment.NODE_OPTIONS);
    expect(heap).toBeDefined();
    expect(heap! * MiB).toBeLessThanOrEqual(MAX_HEAP_SHARE * limit);
  });

  it('runs a current ClickHouse with a data volume, enough file descriptors and a password for the collector', () => {
    const tag = /:(\d+)\.(\d+)/.exec(chService.image)!;
    expect(Number(tag[1])).toBeGreaterThanOrEqual(24);
    expect(chService.ulimits.nofile.soft).toBeGreaterThanOrEqual(262144);
    expect((chService.volumes as string[]).some((v) => v.split(':')[1] === '/var/lib/clickhouse')).toBe(true);

    const mount = (chService.volumes as string[]).map((v) => v.split(':')).find(([, target]) => target.startsWith('/etc/clickhouse-server/users.d/'))!;
    const xml = readFileSync(join(composeDir, mount[0]), 'utf8');
    const { config } = composeConfig;
    const user = /<users>\s*<(\w+)>/.exec(xml.replace(/<!--[\s\S]*?-->/g, ''))![1];
    expect(user).toBe(config.clickhouse.username);
    const passwordVariable = /<password from_env="(\w+)"\s*\/>/.exec(xml)![1];
    expect(chService.environment[passwordVariable]).toBe(config.clickhouse.password);
    expect(xml).not.toMatch(/<password>[^<]/); // no literal password
    expect(xml).toContain(`GRANT ALL ON ${config.clickhouse.database}.*`);
  });

  it('offers an otel profile whose OpenTelemetry Collector exports to this collector with one of its keys', () => {
    const otel = compose.services['otel-collector'];
    expect(otel.profiles).toEqual(['otel']);
    const [hostPath, target] = (otel.volumes as string[])[0].split(':');
    expect(otel.command).toEqual([`--config=${target}`]);
    const config = readYaml(join(composeDir, hostPath))[0] as OtelcolConfig;
    expect(otelcolProblems(config)).toEqual([]);
    for (const name of envReferences(config)) expect(otel.environment, name).toHaveProperty(name);

    const toTokentrace = Object.values<any>(config.exporters).find((e) => e.endpoint && hostPort(e.endpoint).host === 'tokentrace-collector');
    expect(toTokentrace).toBeDefined();
    expect(hostPort(toTokentrace.endpoint).port).toBe(composeConfig.config.http.port);
    const key = /^Bearer \$\{env:(\w+)\}$/.exec(toTokentrace.headers.authorization)![1];
    expect(Object.keys(composeConfig.config.apiKeys)).toContain(otel.environment[key]);
    for (const exporter of Object.values<any>(config.exporters)) {
      const { host } = hostPort(exporter.endpoint);
      expect(compose.services, host).toHaveProperty(host);
      if (host !== 'tokentrace-collector') expect(compose.services[host].profiles).toEqual(['otel']);
    }
  });
});

// ---------------------------------------------------------------------------------------------
const k8sDir = join(deployDir, 'kubernetes');
const kustomization = readYaml(join(k8sDir, 'kustomization.yaml'))[0] as any;
const objects = (kustomization.resources as string[]).flatMap((file) => readYaml(join(k8sDir, file))) as any[];
const find = (kind: string, name?: string) => {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
  return found[0];
};
const statefulSet = find('StatefulSet');
const podSpec = statefulSet.spec.template.spec;
const container = podSpec.containers[0];
const generator = kustomization.configMapGenerator[0];
const configFile = join(k8sDir, generator.files[0]);
const secretEnv: Record<string, string> = Object.assign({}, ...container.envFrom.map((e: any) => find('Secret', e.secretRef.name).stringData));
const podEnv: Record<string, string> = { ...imageEnv, ...Object.fromEntries(container.env.map((e: any) => [e.name, e.value])), ...secretEnv };
const k8sConfig = loadAndTrace(configFile, podEnv);
const portByName = new Map<string, number>(container.ports.map((p: any) => [p.name, p.containerPort]));

describe('deploy/kubernetes', () => {
  it('ties existing, parseable files together with kustomize', () => {
    expect(objects.length).toBe(kustomization.resources.length + 1); // service.yaml holds two Services
    for (const o of objects) expect(o.apiVersion && o.kind && o.metadata?.name, JSON.stringify(o).slice(0, 80)).toBeTruthy();
    expect(find('Namespace').metadata.name).toBe(kustomization.namespace);
    expect(container.image.split(':')[0]).toBe(kustomization.images[0].name);
    expect(kustomization.images[0].name).toBe(compose.services['tokentrace-collector'].image.split(':')[0]);
  });

  it('passes the collector its JSON config, which its own loader accepts with the pod environment', () => {
    const { config, unknown, notApplied } = k8sConfig;
    expect(unknown).toEqual([]);
    expect(notApplied).toEqual([]);
    const configVolume = podSpec.volumes.find((v: any) => v.configMap?.name === generator.name);
    const mount = container.volumeMounts.find((m: any) => m.name === configVolume.name);
    expect(container.args).toEqual(['--config', `${mount.mountPath}/${basename(configFile)}`]);
    expect(config.http.host).toBe('0.0.0.0');
    expect(Object.keys(config.apiKeys).length).toBeGreaterThan(0);
  });

  it('has no variable silently override a different value in the config file', () => {
    const file = JSON.parse(readFileSync(configFile, 'utf8'));
    for (const [name, value] of Object.entries(podEnv)) {
      const path = ENV_PATHS.get(name);
      const inFile = path ? path.split('.').reduce<any>((node, key) => node?.[key], file) : undefined;
      if (inFile !== undefined) expect(String(inFile), `${name} vs ${path}`).toBe(value);
    }
  });

  it('names container and Service ports after the collector ports', () => {
    const { config } = k8sConfig;
    expect(Object.fromEntries(portByName)).toEqual({ 'otlp-grpc': config.grpc.port, 'otlp-http': config.http.port });
    expect([config.grpc.port, config.http.port]).toEqual([DEFAULT_CONFIG.grpc.port, DEFAULT_CONFIG.http.port]);
    const services = objects.filter((o) => o.kind === 'Service');
    expect(services.length).toBe(2);
    for (const service of services) {
      expect(service.spec.selector).toEqual(statefulSet.spec.template.metadata.labels);
      for (const port of service.spec.ports) {
        expect(portByName.get(port.targetPort), `${service.metadata.name} ${port.name}`).toBe(port.port);
        expect(port.name).toBe(port.targetPort);
      }
    }
    const headless = find('Service', statefulSet.spec.serviceName);
    expect(headless.spec.clusterIP).toBe('None');
  });

  it('probes paths the collector serves on its HTTP port', () => {
    for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
      const { path, port } = container[probe].httpGet;
      expect(servedPaths, `${probe} ${path}`).toContain(path);
      expect(port).toBe('otlp-http');
    }
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.startupProbe.httpGet.path).toBe('/health');
    // /ready is 503 on every pod while ClickHouse is down: as readiness it would empty the
    // Service exactly when the spool should take the spans (deploy/README.md, "Probes").
    expect(container.readinessProbe.httpGet.path).toBe('/health');
    expect(servedPaths).toContain('/ready');
  });

  it('keeps the spool on a per-pod volume larger than the spool limit', () => {
    const { config } = k8sConfig;
    const claim = statefulSet.spec.volumeClaimTemplates.find((c: any) => c.metadata.name === 'spool');
    const mount = container.volumeMounts.find((m: any) => m.name === claim.metadata.name);
    expect(mount.mountPath).toBe(config.spool.dir);
    expect(config.spool.maxBytes).toBeLessThanOrEqual((1 - SPOOL_VOLUME_HEADROOM) * bytes(claim.spec.resources.requests.storage));
  });

  it('sizes memory from the measured peak, with the same heap limit as compose', () => {
    const { requests, limits } = container.resources;
    expect(bytes(requests.memory)).toBeGreaterThanOrEqual(MEASURED_PEAK_RSS);
    expect(bytes(limits.memory)).toBeGreaterThanOrEqual(1.5 * MEASURED_PEAK_RSS);
    const heap = heapLimitMiB(podEnv.NODE_OPTIONS);
    expect(heap! * MiB).toBeLessThanOrEqual(MAX_HEAP_SHARE * bytes(limits.memory));
    expect(heap).toBe(heapLimitMiB(compose.services['tokentrace-collector'].environment.NODE_OPTIONS));
    expect(bytes(limits.memory)).toBe(bytes(compose.services['tokentrace-collector'].mem_limit));
    expect(Number(requests.cpu)).toBeGreaterThan(0);
  });

  it('waits long enough for the shutdown flush, after the preStop pause', () => {
    const preStop = container.lifecycle.preStop.exec.command;
    expect(preStop[0]).toBe('sleep');
    const grace = podSpec.terminationGracePeriodSeconds * 1000;
    expect(grace, JSON.stringify(budget.parts)).toBeGreaterThanOrEqual(Number(preStop[1]) * 1000 + budget.totalMs + 10_000);
  });

  it('runs as the image user, non-root, on a read-only root file system', () => {
    expect(podSpec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: imageUid, runAsGroup: imageGid, fsGroup: imageGid });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const writable = container.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath).sort();
    expect(writable).toEqual(['/tmp', k8sConfig.config.spool.dir].sort());
  });

  it('scales the StatefulSet on CPU from two replicas and drains one pod at a time', () => {
    const hpa = find('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: statefulSet.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(statefulSet.spec.replicas).toBeUndefined(); // the HPA owns it
    const pdb = find('PodDisruptionBudget');
    expect(pdb.spec.selector.matchLabels).toEqual(statefulSet.spec.selector.matchLabels);
    expect(pdb.spec.maxUnavailable).toBeLessThan(hpa.spec.minReplicas);
    expect(statefulSet.spec.selector.matchLabels).toEqual(statefulSet.spec.template.metadata.labels);
  });

  it('ships only placeholders in the Secret', () => {
    for (const [name, value] of Object.entries(secretEnv)) {
      expect(name.startsWith('TOKENTRACE_'), name).toBe(true);
      if (/PASSWORD|KEYS/.test(name)) expect(value, name).toContain('change-me');
    }
  });
});

// ---------------------------------------------------------------------------------------------
describe('deploy/otel-collector', () => {
  const read = (file: string) => readYaml(join(deployDir, 'otel-collector', file))[0] as OtelcolConfig;

  it.each(['fanout.yaml', 'loadbalancing.yaml'])('%s: defines every component its pipelines use, each pipeline complete', (file) => {
    const config = read(file);
    expect(otelcolProblems(config)).toEqual([]);
    for (const [name, receiver] of Object.entries<any>(config.receivers)) {
      for (const protocol of Object.values<any>(receiver.protocols)) expect(protocol.endpoint, name).toMatch(/^0\.0\.0\.0:\d+$/);
    }
    expect(config.service.pipelines.traces.processors[0]).toBe('memory_limiter');
  });

  it('fanout.yaml: sends every span to tokentrace with an API key and to a second OTLP backend', () => {
    const config = read('fanout.yaml');
    const exporters: string[] = config.service.pipelines.traces.exporters;
    expect(exporters.length).toBe(2);
    const tokentrace = config.exporters[exporters.find((e) => e.startsWith('otlp_http/'))!];
    expect(hostPort(tokentrace.endpoint).port).toBe(DEFAULT_CONFIG.http.port);
    expect(tokentrace.headers.authorization).toMatch(/^Bearer \$\{env:\w+\}$/);
  });

  it('loadbalancing.yaml: routes by trace ID to the headless Service of deploy/kubernetes over OTLP/gRPC', () => {
    const config = read('loadbalancing.yaml');
    const lb = config.exporters.loadbalancing;
    expect(lb.routing_key).toBe('traceID');
    expect(Object.keys(lb.resolver)).toEqual(['dns']);
    const headless = find('Service', statefulSet.spec.serviceName);
    expect(lb.resolver.dns.hostname).toBe(`${headless.metadata.name}.${kustomization.namespace}.svc.cluster.local`);
    const grpcPort = headless.spec.ports.find((p: any) => p.name === 'otlp-grpc').port;
    expect(Number(lb.resolver.dns.port)).toBe(grpcPort);
    expect(lb.protocol.otlp.tls.insecure).toBe(true); // the collector's gRPC receiver is plaintext
    expect(lb.protocol.otlp.headers.authorization).toMatch(/^Bearer \$\{env:\w+\}$/);
    expect(lb.protocol.otlp.endpoint).toBeUndefined(); // set per backend by the exporter
    expect(envReferences(config)).toEqual(envReferences(read('fanout.yaml')));
  });
});

describe('deploy/README.md', () => {
  it('mentions only deploy files that exist', () => {
    const readme = readFileSync(join(deployDir, 'README.md'), 'utf8');
    const mentioned = [...readme.matchAll(/`((?:docker|compose|kubernetes|otel-collector)\/[\w./-]+)`/g)].map((m) => m[1]);
    expect(mentioned.length).toBeGreaterThan(5);
    for (const path of mentioned) expect(() => readFileSync(join(deployDir, path)), path).not.toThrow();
  });
});
