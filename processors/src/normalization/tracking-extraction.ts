/**
 * The app's tracking values (user, session, prompt, custom properties) from our `tokentrace.*`
 * attributes and the equivalents of other instrumentations: OpenLLMetry association properties,
 * OpenInference `session.id` / `user.id` / `metadata`, and the AI SDK's telemetry metadata.
 * Properties from every source land in one map; ours win over foreign ones on the same key.
 */
import {
  ATTR_AI_TELEMETRY_METADATA_PREFIX,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_OPENINFERENCE_METADATA,
  ATTR_SESSION_ID,
  ATTR_TOKENTRACE_PROMPT_ID,
  ATTR_TOKENTRACE_PROPERTY_PREFIX,
  ATTR_TOKENTRACE_SESSION_ID,
  ATTR_TOKENTRACE_SESSION_NAME,
  ATTR_TOKENTRACE_SESSION_PATH,
  ATTR_TRACELOOP_ASSOCIATION_PROPERTIES_PREFIX,
  ATTR_USER_ID,
  FOREIGN_SESSION_ID_KEYS,
  FOREIGN_USER_ID_KEYS,
} from '@tokentrace/semconv';
import type { Attributes } from '../pipeline/span-record.js';
import { firstString, propertyValue, stringValue } from './attribute-readers.js';
import { slotOf, slotsOf, type AttributeTable } from './attribute-table.js';

export interface Tracking {
  userId?: string;
  sessionId?: string;
  sessionName?: string;
  sessionPath?: string;
  promptId?: string;
  properties: Record<string, string>;
}

/** Foreign prefixes, lowest precedence first: later sources overwrite earlier ones on the same key. */
const FOREIGN_PROPERTY_PREFIXES = [ATTR_AI_TELEMETRY_METADATA_PREFIX, ATTR_TRACELOOP_ASSOCIATION_PROPERTIES_PREFIX];

const METADATA = slotOf(ATTR_OPENINFERENCE_METADATA);
const USER_ID_KEYS = slotsOf([ATTR_USER_ID]);
const SESSION_ID_KEYS = slotsOf([ATTR_TOKENTRACE_SESSION_ID, ATTR_GEN_AI_CONVERSATION_ID, ATTR_SESSION_ID]);
const SESSION_NAME = slotOf(ATTR_TOKENTRACE_SESSION_NAME);
const SESSION_PATH = slotOf(ATTR_TOKENTRACE_SESSION_PATH);
const PROMPT_ID = slotOf(ATTR_TOKENTRACE_PROMPT_ID);

/** The tracking values of `attributes` (loaded in `table`), written into `tracking` (the span's GenAI fields). */
export function extractTracking(attributes: Attributes, table: AttributeTable, tracking: Tracking): void {
  const foreign: Record<string, string> = {};
  let own: Record<string, string> | undefined;
  // Whether `foreign` may hold something: its ids are looked for only then (most spans have none).
  let anyForeign = false;
  const metadata = stringValue(table.value(METADATA));
  if (metadata !== undefined) {
    Object.assign(foreign, parseMetadata(metadata));
    anyForeign = true;
  }

  for (const key in attributes) {
    // One pass over the keys; the first character rules out most of them cheaply.
    const first = key.charCodeAt(0);
    if (first !== 0x74 /* t */ && first !== 0x61 /* a */) continue;
    if (key.startsWith(ATTR_TOKENTRACE_PROPERTY_PREFIX)) {
      put((own ??= {}), key.slice(ATTR_TOKENTRACE_PROPERTY_PREFIX.length), propertyValue(attributes[key]));
      continue;
    }
    for (const prefix of FOREIGN_PROPERTY_PREFIXES) {
      if (key.startsWith(prefix)) {
        put(foreign, key.slice(prefix.length), propertyValue(attributes[key]));
        anyForeign = true;
      }
    }
  }

  tracking.properties = own === undefined ? foreign : Object.assign(foreign, own);
  const userId = firstString(table, USER_ID_KEYS) ?? (anyForeign ? pick(foreign, FOREIGN_USER_ID_KEYS) : undefined);
  const sessionId = firstString(table, SESSION_ID_KEYS) ?? (anyForeign ? pick(foreign, FOREIGN_SESSION_ID_KEYS) : undefined);
  const sessionName = stringValue(table.value(SESSION_NAME));
  const sessionPath = stringValue(table.value(SESSION_PATH));
  const promptId = stringValue(table.value(PROMPT_ID));
  if (userId !== undefined) tracking.userId = userId;
  if (sessionId !== undefined) tracking.sessionId = sessionId;
  if (sessionName !== undefined) tracking.sessionName = sessionName;
  if (sessionPath !== undefined) tracking.sessionPath = sessionPath;
  if (promptId !== undefined) tracking.promptId = promptId;
}

/** Property names come from the wire: `__proto__` would replace the map's prototype instead of adding a key. */
function put(target: Record<string, string>, name: string, value: string | undefined): void {
  if (name !== '' && name !== '__proto__' && value !== undefined) target[name] = value;
}

function pick(properties: Record<string, string>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = properties[key];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** OpenInference `metadata` is a JSON object string; anything else is ignored rather than failing the span. */
function parseMetadata(text: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const properties: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (value !== null && value !== undefined) put(properties, key, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return properties;
}
