/**
 * Checks a JSON value against a schema of the OpenAPI description, for the conformance tests:
 * every answer the API gives in a test is validated against what openapi.ts says it returns, so
 * the description cannot drift from the code. Covers exactly the JSON Schema keywords that
 * openapi-types.ts allows (no dependency on a full validator).
 */
import type { JsonSchema, OpenApiDocument } from '../openapi-types.js';

/** The problems found, as `$.path: what` strings; empty when the value conforms. */
export function schemaErrors(value: unknown, schema: JsonSchema, doc: OpenApiDocument, at = '$'): string[] {
  if (schema.$ref) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? doc.components.schemas[name] : undefined;
    return target ? schemaErrors(value, target, doc, at) : [`${at}: unresolvable $ref ${schema.$ref}`];
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((option) => schemaErrors(value, option, doc, at).length === 0).length;
    if (matching !== 1) return [`${at}: matches ${matching} of the oneOf alternatives, expected exactly 1`];
  }
  const errors: string[] = [];
  if (schema.type && !typesOf(schema.type).some((type) => hasType(value, type))) {
    return [`${at}: expected ${typesOf(schema.type).join(' or ')}, got ${JSON.stringify(value)}`];
  }
  if (schema.enum && !schema.enum.includes(value as string | number)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${schema.enum.join(', ')}`);
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    if (schema.format === 'date-time' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value)) errors.push(`${at}: ${JSON.stringify(value)} is not an ISO-8601 UTC time`);
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${at}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${at}: ${value} < ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${at}: ${value} > ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...schemaErrors(item, schema.items!, doc, `${at}[${i}]`)));
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) errors.push(`${at}: fewer than ${schema.minProperties} properties`);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push(`${at}: more than ${schema.maxProperties} properties`);
    for (const name of schema.required ?? []) if (!(name in record)) errors.push(`${at}: missing ${name}`);
    for (const key of keys) {
      const property = schema.properties?.[key];
      if (property) errors.push(...schemaErrors(record[key], property, doc, `${at}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected property ${key}`);
      else if (typeof schema.additionalProperties === 'object') errors.push(...schemaErrors(record[key], schema.additionalProperties, doc, `${at}.${key}`));
    }
  }
  return errors;
}

function typesOf(type: JsonSchema['type']): string[] {
  return Array.isArray(type) ? type : [type!];
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    default:
      return typeof value === type;
  }
}

/** The routes an express Router serves, as OpenAPI path keys (`/traces/{traceId}`) with their methods. */
export function routesOf(router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> }): string[] {
  const routes: string[] = [];
  for (const layer of router.stack) {
    if (!layer.route) continue;
    const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
    for (const [method, on] of Object.entries(layer.route.methods)) if (on) routes.push(`${method.toUpperCase()} ${path}`);
  }
  return routes.sort();
}
