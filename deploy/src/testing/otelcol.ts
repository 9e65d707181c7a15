/**
 * Structural checks of an OpenTelemetry Collector configuration, as `otelcol validate` would
 * refuse it: unknown top-level sections, pipelines that name undefined components, pipelines
 * without a receiver or an exporter, component types the contrib distribution does not have.
 * Returns the problems found (empty: none).
 */

/** Component types used here, as named by otelcol-contrib >= 0.144 (otlp_grpc / otlp_http). */
export const KNOWN_TYPES: Record<string, ReadonlySet<string>> = {
  receivers: new Set(['otlp']),
  processors: new Set(['memory_limiter', 'batch']),
  exporters: new Set(['otlp_grpc', 'otlp_http', 'loadbalancing', 'debug']),
  extensions: new Set(['health_check']),
};

const SECTIONS = ['receivers', 'processors', 'exporters', 'extensions', 'connectors', 'service'];

export type OtelcolConfig = Record<string, any>;

export function otelcolProblems(config: OtelcolConfig): string[] {
  const problems: string[] = [];
  for (const key of Object.keys(config)) if (!SECTIONS.includes(key)) problems.push(`unknown section ${key}`);
  for (const [section, known] of Object.entries(KNOWN_TYPES)) {
    for (const id of Object.keys(config[section] ?? {})) {
      const type = id.split('/')[0];
      if (!known.has(type)) problems.push(`${section}.${id}: type ${type} is not one of ${[...known].join(', ')}`);
    }
  }
  const used: Record<string, Set<string>> = { receivers: new Set(), processors: new Set(), exporters: new Set() };
  const pipelines = config.service?.pipelines ?? {};
  if (Object.keys(pipelines).length === 0) problems.push('service.pipelines is empty');
  for (const [name, pipeline] of Object.entries<any>(pipelines)) {
    if (!/^(traces|metrics|logs)(\/[\w-]+)?$/.test(name)) problems.push(`pipeline ${name}: not traces|metrics|logs[/name]`);
    for (const kind of ['receivers', 'exporters']) {
      if (!Array.isArray(pipeline[kind]) || pipeline[kind].length === 0) problems.push(`pipeline ${name}: no ${kind}`);
    }
    for (const kind of ['receivers', 'processors', 'exporters']) {
      for (const id of pipeline[kind] ?? []) {
        used[kind].add(id);
        if (!(config[kind] && id in config[kind])) problems.push(`pipeline ${name}: ${kind.slice(0, -1)} ${id} is not defined`);
      }
    }
    const processors: string[] = pipeline.processors ?? [];
    if (processors.includes('memory_limiter') && processors[0] !== 'memory_limiter') problems.push(`pipeline ${name}: memory_limiter must come first`);
  }
  for (const kind of ['receivers', 'processors', 'exporters']) {
    for (const id of Object.keys(config[kind] ?? {})) if (!used[kind].has(id)) problems.push(`${kind}.${id} is defined but in no pipeline`);
  }
  for (const id of config.service?.extensions ?? []) if (!(config.extensions && id in config.extensions)) problems.push(`extension ${id} is not defined`);
  for (const id of Object.keys(config.extensions ?? {})) if (!(config.service?.extensions ?? []).includes(id)) problems.push(`extensions.${id} is not enabled in service.extensions`);
  return problems;
}

/** `${env:NAME}` references anywhere in the configuration. */
export function envReferences(config: unknown): string[] {
  return [...JSON.stringify(config).matchAll(/\$\{env:(\w+)\}/g)].map((m) => m[1]);
}
