/**
 * Checks a JSON value against a schema of the OpenAPI description, for the conformance tests:
 * every answer the API gives in a test is validated against what openapi.ts says it returns, so
 * the description cannot drift from the code. OpenAPI 3.1 schemas are JSON Schema 2020-12, so
 * Ajv's 2020 validator reads them as they are; the document is registered once, and `$ref`s to
 * `#/components/schemas/...` resolve inside it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { JsonSchema, OpenApiDocument } from '../openapi-types.js';

const DOCUMENT_ID = 'tokentrace-openapi';
const validators = new WeakMap<OpenApiDocument, Ajv2020>();

/** The problems found, as `$.path: what` strings; empty when the value conforms. */
export function schemaErrors(value: unknown, schema: JsonSchema, doc: OpenApiDocument): string[] {
  let ajv = validators.get(doc);
  if (!ajv) {
    // OpenAPI's own keywords (description, example, ...) are not JSON Schema's: strict mode off.
    ajv = new Ajv2020({ strict: false, allErrors: true });
    // The date-time the API writes: ISO-8601 in UTC, as Date#toISOString gives it.
    ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    ajv.addSchema({ $id: DOCUMENT_ID, components: doc.components }, DOCUMENT_ID);
    validators.set(doc, ajv);
  }
  const rooted = schema.$ref?.startsWith('#/') ? { $ref: `${DOCUMENT_ID}${schema.$ref}` } : schema;
  const validate = ajv.compile(rooted);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `$${e.instancePath.replaceAll('/', '.')}: ${e.message ?? e.keyword}`);
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
