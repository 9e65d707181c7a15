/**
 * The exporter's insert body: a batch of SpanRecords as `spans` rows in ClickHouse's RowBinary
 * format, written straight from the records into one Buffer (row-binary-writer.ts), no row object
 * and no JSON in between. The values are toSpanRow's (span-row.ts, whose helpers decide them:
 * clamped times, NULL for what a column cannot hold, attributes as strings, lower-cased property
 * keys), only typed instead of text; `span-row-binary.test.ts` stores a batch both ways on the
 * real engine and compares every column.
 *
 * Why RowBinary (bench:collector and bench/README.md have the figures): the engine reads a
 * JSONCompactEachRow body by parsing every value's text; a RowBinary body it copies into its
 * columns. Written in JS, a row costs less than JSON.stringify of its values, because it makes
 * neither the row object, its attribute maps, nor the text.
 *
 * Strings: ClickHouse's `String` holds bytes; a JS string is UTF-16 and a lone surrogate in it has
 * no UTF-8 form. JSON carried it as an escape the engine refused (issue 10); here the span is
 * refused before the insert, as a SpanEncodingError (a DataError: the IsolatingConsumer sets
 * that span aside and stores the rest). The receivers replace lone surrogates with U+FFFD
 * already (span-sanitizer.ts), so only spans that reach the exporter another way meet this.
 */
import { DataError } from '../pipeline/processor.js';
import type { Attributes, SpanRecord } from '../pipeline/span-record.js';
import { arrivalRowBuffers, RowChunk } from './arrival-row-buffers.js';
import { ENCODED_SPAN_OVERHEAD_BYTES, EncodedSpan, VERSION_BYTES } from './encoded-span.js';
import { RowBinaryWriter } from './row-binary-writer.js';
import { clampTimeNs, count, durationNs, propertyMap, real, resourceColumns, text, uint16 } from './span-row.js';
import { SPAN_INSERT_COLUMNS, SPAN_KIND_NAMES, SPAN_TABLE_COLUMNS, STATUS_CODE_NAMES } from './span-table.js';

/** A span whose values have no RowBinary form (a string that is not well-formed UTF-16). */
export class SpanEncodingError extends DataError {
  override readonly code: string = 'TOKENTRACE_SPAN_NOT_ENCODABLE';
  override readonly name = 'SpanEncodingError';
}

/**
 * The columns encodeSpan writes, in its order, with the type each value is written as. Checked
 * against span-table.ts when this module loads: RowBinary has no names or types in it, so a column
 * added, moved or retyped there (beyond LowCardinality, time zones, enum names and codecs, which do
 * not change the bytes) would otherwise be written wrong without an error.
 */
const ENCODED_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['project_id', 'String'], ['start_time', 'DateTime64(9)'], ['duration_ns', 'UInt64'], ['trace_id', 'String'],
  ['span_id', 'String'], ['parent_span_id', 'String'], ['service_name', 'String'], ['environment', 'String'],
  ['name', 'String'], ['kind', 'Enum8'], ['status_code', 'Enum8'], ['status_message', 'String'],
  ['scope_name', 'String'], ['scope_version', 'String'], ['is_model_call', 'UInt8'], ['provider', 'String'],
  ['operation', 'String'], ['request_model', 'String'], ['response_model', 'String'],
  ['input_tokens', 'Nullable(UInt64)'], ['output_tokens', 'Nullable(UInt64)'], ['cache_read_tokens', 'Nullable(UInt64)'],
  ['cache_creation_tokens', 'Nullable(UInt64)'], ['reasoning_tokens', 'Nullable(UInt64)'],
  ['cost_input_usd', 'Nullable(Float64)'], ['cost_output_usd', 'Nullable(Float64)'], ['cost_cache_read_usd', 'Nullable(Float64)'],
  ['cost_cache_write_usd', 'Nullable(Float64)'], ['cost_total_usd', 'Nullable(Float64)'],
  ['cost_saved_usd', 'Nullable(Float64)'], ['cost_status', 'String'],
  ['priced_model', 'String'], ['ttft_seconds', 'Nullable(Float64)'], ['user_id', 'String'], ['session_id', 'String'],
  ['session_name', 'String'], ['session_path', 'String'], ['session_parent_path', 'String'], ['session_depth', 'UInt16'],
  ['prompt_id', 'String'], ['error_type', 'String'], ['resend_count', 'UInt16'], ['properties', 'Map(String, String)'],
  ['attributes', 'Map(String, String)'], ['resource_attributes', 'Map(String, String)'], ['events.time', 'Array(DateTime64(9))'],
  ['events.name', 'Array(String)'], ['events.attributes', 'Array(Map(String, String))'], ['version', 'UInt64'],
];

/** A column type as its RowBinary bytes see it. */
export function wireType(type: string): string {
  let t = type;
  for (let before = ''; before !== t; ) {
    before = t;
    t = t.replace(/LowCardinality\(([^()]*(?:\([^()]*\))?[^()]*)\)/, '$1');
  }
  return t.replace(/DateTime64\((\d+), '[^']*'\)/g, 'DateTime64($1)').replace(/Enum8\([^)]*\)/g, 'Enum8');
}

const tableTypes = new Map(SPAN_TABLE_COLUMNS.map((c) => [c.name, wireType(c.type)]));
const mismatch = ENCODED_COLUMNS.length !== SPAN_INSERT_COLUMNS.length
  ? `${ENCODED_COLUMNS.length} columns written, ${SPAN_INSERT_COLUMNS.length} inserted`
  : ENCODED_COLUMNS.map(([name, type], i) => (SPAN_INSERT_COLUMNS[i] !== name || tableTypes.get(name) !== type ? `${SPAN_INSERT_COLUMNS[i]} ${tableTypes.get(SPAN_INSERT_COLUMNS[i])} (written: ${name} ${type})` : '')).find((m) => m !== '');
if (mismatch) {
  // span-table.ts changed: this encoder has to follow before any insert.
  throw new Error(`span-row-binary.ts does not write the spans table's columns: ${mismatch}`);
}

/** Bytes of a bench span's row, about: the body's first allocation. */
const ROW_BYTES_GUESS = 900;

/** The resource columns of one OTLP ResourceSpans, encoded once for all its spans. */
interface EncodedResource {
  serviceName: string;
  environment: string;
  attributes: Buffer;
}

/** The RowBinary body of `spans` in one Buffer (spanRowBinaryParts, joined). Throws SpanEncodingError. */
export function spanRowBinaryBody(spans: readonly SpanRecord[], version: number): Buffer {
  const parts = spanRowBinaryParts(spans, version);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/**
 * The RowBinary body of `spans`, all with `version`, columns in SPAN_INSERT_COLUMNS order, in
 * parts to be written one after the other. Throws SpanEncodingError. The rows of EncodedSpans are
 * not copied: a part is a view of the rows that follow each other in their request's bytes (a
 * batch keeps its spans' order), whose version is written over in place; so a body is to be used
 * before another one of the same spans is made. Why: a fresh buffer of a batch's size costs more
 * to touch than the bytes copied into it (bench:collector: ~2.5 µs per span on this project's
 * machine, page faults), and the embedded engine's insert writes the parts to its file as they are.
 */
export function spanRowBinaryParts(spans: readonly SpanRecord[], version: number): Buffer[] {
  const parts: Buffer[] = [];
  let w: RowBinaryWriter | undefined;
  let from = 0; // where the records written since the last part start in w
  const resources = new Map<Attributes, EncodedResource>();
  for (let i = 0; i < spans.length; ) {
    const span = spans[i]!;
    if (span instanceof EncodedSpan) {
      if (w && w.length > from) parts.push(w.done().subarray(from));
      const first = i;
      let end = span.end;
      for (let s: SpanRecord | undefined; (s = spans[++i]) instanceof EncodedSpan && s.chunk === span.chunk && s.start === end; ) end = s.end;
      const run = span.chunk.subarray(span.start, end);
      for (let k = first; k < i; k++) {
        const at = (spans[k] as EncodedSpan).end - span.start - VERSION_BYTES;
        run.writeUInt32LE(version >>> 0, at);
        run.writeUInt32LE(Math.floor(version / 0x1_0000_0000), at + 4);
      }
      parts.push(run);
      from = w?.length ?? 0;
      continue;
    }
    w ??= new RowBinaryWriter((spans.length - i) * ROW_BYTES_GUESS);
    encodeSpan(w, span, version, resourceOf(resources, span));
    i++;
  }
  if (w && w.length > from) parts.push(w.done().subarray(from));
  return parts;
}

/**
 * `spans` (one request's, after the processors) as EncodedSpans, their rows in one Buffer: what
 * the collector batches on the embedded engine (encoded-span.ts says why). A span that has no
 * row (SpanEncodingError, a cycle in an attribute value) stays the record it is; the insert of its
 * batch then fails for it, and the spans around it are stored as before (exporter-helper's
 * IsolatingConsumer).
 */
export function encodeSpansOnArrival(spans: readonly SpanRecord[]): SpanRecord[] {
  return encodeSpansInto(spans, new Array<SpanRecord>(spans.length));
}

/**
 * encodeSpansOnArrival, written over `spans` in place: the collector's processor. Every frame
 * that still holds the request's array (the receiver's, the processing chain's, until the request
 * is answered) then holds the rows, not the records, and the records die in the next scavenge
 * instead of being copied by it while the request waits for the batch and the write-ahead log.
 */
export function encodeSpansInPlace(spans: SpanRecord[]): SpanRecord[] {
  return encodeSpansInto(spans, spans);
}

/** `spans` encoded into `out` (the same index; `out` may be `spans` itself: span i is read before out[i] is written). */
function encodeSpansInto(spans: readonly SpanRecord[], out: SpanRecord[]): SpanRecord[] {
  // From the pool: given back once storage has released every span of it (arrival-row-buffers.ts).
  const w = new RowBinaryWriter(spans.length * ROW_BYTES_GUESS, arrivalRowBuffers);
  const resources = new Map<Attributes, EncodedResource>();
  const ends = new Array<number>(spans.length);
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i]!;
    const start = w.length;
    ends[i] = -1;
    if (span instanceof EncodedSpan) continue;
    try {
      encodeSpan(w, span, 0, resourceOf(resources, span));
      ends[i] = w.length;
    } catch {
      // Kept as it is: the exporter's encoding fails for it the same way, as a DataError.
      w.truncate(start);
    }
  }
  const chunk = w.done();
  let live = 0;
  for (const end of ends) if (end !== -1) live++;
  // No row at all: the buffer goes straight back, and the records stay as they are.
  const rows = live === 0 ? undefined : new RowChunk(w.storage, live, arrivalRowBuffers);
  if (rows === undefined) arrivalRowBuffers.giveBack(w.storage);
  let start = 0;
  for (let i = 0; i < spans.length; i++) {
    const end = ends[i]!;
    if (end === -1) {
      out[i] = spans[i]!;
      continue;
    }
    out[i] = new EncodedSpan(chunk, start, end, end - start + ENCODED_SPAN_OVERHEAD_BYTES, rows);
    start = end;
  }
  return out;
}

/** The encoded resource of `span`, from `resources` (spans of one ResourceSpans share their resource attributes object). */
function resourceOf(resources: Map<Attributes, EncodedResource>, span: SpanRecord): EncodedResource {
  let resource = resources.get(span.resourceAttributes);
  if (!resource) resources.set(span.resourceAttributes, (resource = encodeResource(span)));
  return resource;
}

function encodeResource(span: SpanRecord): EncodedResource {
  const columns = resourceColumns(span.resourceAttributes);
  const w = new RowBinaryWriter(256);
  stringMap(w, columns.resource_attributes, span);
  return { serviceName: columns.service_name, environment: columns.environment, attributes: Buffer.from(w.done()) };
}

function encodeSpan(w: RowBinaryWriter, span: SpanRecord, version: number, resource: EncodedResource): void {
  const g = span.genAi;
  const c = span.cost;
  const s = span.session;
  str(w, span.projectId, span);
  w.uint64Big(clampTimeNs(span.startTimeUnixNano));
  w.uint64Big(durationNs(span));
  str(w, span.traceId, span);
  str(w, span.spanId, span);
  str(w, span.parentSpanId, span);
  str(w, resource.serviceName, span);
  str(w, resource.environment, span);
  str(w, span.name, span);
  w.uint8(SPAN_KIND_NAMES[span.kind] === undefined ? 0 : span.kind);
  w.uint8(STATUS_CODE_NAMES[span.statusCode] === undefined ? 0 : span.statusCode);
  str(w, span.statusMessage, span);
  str(w, span.scopeName, span);
  str(w, span.scopeVersion, span);
  w.uint8(g?.isModelCall ? 1 : 0);
  str(w, g?.provider ?? '', span);
  str(w, g?.operation ?? '', span);
  str(w, g?.requestModel ?? '', span);
  str(w, g?.responseModel ?? '', span);
  nullableUint64(w, count(g?.inputTokens));
  nullableUint64(w, count(g?.outputTokens));
  nullableUint64(w, count(g?.cacheReadInputTokens));
  nullableUint64(w, count(g?.cacheCreationInputTokens));
  nullableUint64(w, count(g?.reasoningOutputTokens));
  nullableFloat64(w, real(c?.inputUsd));
  nullableFloat64(w, real(c?.outputUsd));
  nullableFloat64(w, real(c?.cacheReadUsd));
  nullableFloat64(w, real(c?.cacheWriteUsd));
  nullableFloat64(w, real(c?.totalUsd));
  nullableFloat64(w, real(c?.savedUsd));
  str(w, c?.status ?? '', span);
  str(w, c?.pricedModel ?? '', span);
  nullableFloat64(w, real(g?.timeToFirstChunk));
  str(w, g?.userId ?? '', span);
  str(w, s?.id ?? g?.sessionId ?? '', span);
  str(w, s?.name ?? g?.sessionName ?? '', span);
  str(w, s?.path ?? g?.sessionPath ?? '', span);
  str(w, s?.parentPath ?? '', span);
  w.uint16(s ? uint16(s.depth) : 0);
  str(w, g?.promptId ?? '', span);
  str(w, g?.errorType ?? '', span);
  w.uint16(g?.resendCount ? uint16(g.resendCount) : 0);
  if (g?.properties) {
    const properties = propertyMap(g.properties);
    stringMap(w, properties, span);
  } else {
    w.varUint(0);
  }
  attributeMap(w, span.attributes, span);
  w.bytes(resource.attributes);
  const events = span.events;
  w.varUint(events.length);
  for (const e of events) w.uint64Big(clampTimeNs(e.timeUnixNano));
  w.varUint(events.length);
  for (const e of events) str(w, e.name, span);
  w.varUint(events.length);
  for (const e of events) attributeMap(w, e.attributes, span);
  w.uint64(version);
}

function str(w: RowBinaryWriter, value: string, span: SpanRecord): void {
  if (!w.string(value)) {
    throw new SpanEncodingError(`span ${span.spanId} of trace ${span.traceId}: a string with a lone UTF-16 surrogate (${JSON.stringify(value.slice(0, 80))}) has no UTF-8 form`);
  }
}

/**
 * Attribute keys as written (length prefix and UTF-8), by key: the same few dozen keys come in
 * every span, most of them longer than the writer copies in its JS loop, so each would otherwise
 * be a call into the UTF-8 encoder. Emptied when full, so keys that vary do not grow it.
 */
const encodedKeys = new Map<string, Uint8Array>();
const MAX_ENCODED_KEYS = 4096;

function attributeKey(w: RowBinaryWriter, key: string, span: SpanRecord): void {
  const known = encodedKeys.get(key);
  if (known !== undefined) {
    w.bytes(known);
    return;
  }
  const start = w.length;
  str(w, key, span);
  if (encodedKeys.size >= MAX_ENCODED_KEYS) encodedKeys.clear();
  encodedKeys.set(key, new Uint8Array(w.done().subarray(start)));
}

/** Map(LowCardinality(String), String) of attributes: values as text (span-row.ts). */
function attributeMap(w: RowBinaryWriter, attributes: Attributes, span: SpanRecord): void {
  const mark = w.beginCount();
  let n = 0;
  for (const key in attributes) {
    attributeKey(w, key, span);
    const value = attributes[key];
    if (typeof value === 'string') str(w, value, span);
    else if (typeof value === 'number' && Number.isSafeInteger(value)) w.safeIntegerText(value);
    else str(w, text(value), span);
    n++;
  }
  w.endCount(mark, n);
}

function stringMap(w: RowBinaryWriter, map: Record<string, string>, span: SpanRecord): void {
  const mark = w.beginCount();
  let n = 0;
  for (const key in map) {
    str(w, key, span);
    str(w, map[key], span);
    n++;
  }
  w.endCount(mark, n);
}

function nullableUint64(w: RowBinaryWriter, value: number | null): void {
  if (value === null) {
    w.uint8(1);
    return;
  }
  w.uint8(0);
  w.uint64(value);
}

function nullableFloat64(w: RowBinaryWriter, value: number | null): void {
  if (value === null) {
    w.uint8(1);
    return;
  }
  w.uint8(0);
  w.float64(value);
}
