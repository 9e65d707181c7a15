/**
 * A span already encoded as its RowBinary row, standing in for its SpanRecord from the moment the
 * processors are done with it (the collector on the embedded engine: span-row-binary.ts,
 * encodeSpansOnArrival). Why: a batch holds its spans for up to a second (10,000 of them, then
 * the insert), long enough for the garbage collector to copy each record and its attribute
 * objects twice and promote them to the old generation, which then has to be marked and swept.
 * An EncodedSpan is one small object and a slice of its request's bytes (outside the JS heap), so
 * the records die young, in the request that made them; the insert copies the rows as they are
 * (the version, the last column, is written over then).
 *
 * It is still a SpanRecord for every stage behind the batch: a field read (a refused span's ids,
 * the spool's JSON, which calls toJSON) decodes the row once into a record (decodeSpanRow) and
 * keeps it. That record has what the row has: attribute values as the row's text (a number
 * becomes its digits), the resource's service and environment inside its attributes; encoded
 * again it gives the same row. Its fields cannot be assigned: the row would no longer say the same.
 */
import type { Attributes, CostFields, GenAiFields, OtlpSpanKind, SessionFields, SpanEvent, SpanRecord } from '../pipeline/span-record.js';
import type { RowChunk } from './arrival-row-buffers.js';
import { RowBinaryReader } from './row-binary-reader.js';

/** An EncodedSpan read after its row was released: a defect in the pipeline, never data. */
export class ReleasedRowError extends Error {
  readonly code = 'TOKENTRACE_ROW_RELEASED';
  override readonly name = 'ReleasedRowError';
  constructor(start: number) {
    super(`an encoded span (row at ${start}) was read after storage released its row`);
  }
}

/** Bytes of the `version` column, last in every row: written over by the insert. */
export const VERSION_BYTES = 8;

/** Memory of an EncodedSpan besides its row: the object and its place in the batch's array. */
export const ENCODED_SPAN_OVERHEAD_BYTES = 100;

export class EncodedSpan implements SpanRecord {
  #record?: SpanRecord;
  readonly #chunk: Buffer;
  /** Its request's pooled row buffer (arrival-row-buffers.ts); undefined once released, or when not pooled. */
  #rows: RowChunk | undefined;
  #released = false;

  constructor(
    /** The bytes of the request's rows; this span's row is [start, end). */
    chunk: Buffer,
    readonly start: number,
    readonly end: number,
    /** Its memory, for batching by bytes (batch/span-size.ts): the row and ENCODED_SPAN_OVERHEAD_BYTES. */
    readonly estimatedBytes: number,
    rows?: RowChunk,
  ) {
    this.#chunk = chunk;
    this.#rows = rows;
  }

  /** The bytes of the request's rows; refused once the row was released (they may be another request's by then). */
  get chunk(): Buffer {
    if (this.#released) throw new ReleasedRowError(this.start);
    return this.#chunk;
  }

  /** Storage is done with this span (arrival-row-buffers.ts): its row's buffer may be used again. Idempotent. */
  releaseRow(): void {
    if (this.#released) return;
    this.#released = true;
    this.#rows?.release();
    this.#rows = undefined;
  }

  /** The record its row says (decoded on first use). */
  get record(): SpanRecord {
    return (this.#record ??= decodeSpanRow(this.chunk, this.start, this.end));
  }

  get projectId(): string {
    return this.record.projectId;
  }
  get traceId(): string {
    return this.record.traceId;
  }
  get spanId(): string {
    return this.record.spanId;
  }
  get parentSpanId(): string {
    return this.record.parentSpanId;
  }
  get name(): string {
    return this.record.name;
  }
  get kind(): OtlpSpanKind {
    return this.record.kind;
  }
  get startTimeUnixNano(): bigint {
    return this.record.startTimeUnixNano;
  }
  get endTimeUnixNano(): bigint {
    return this.record.endTimeUnixNano;
  }
  get statusCode(): 0 | 1 | 2 {
    return this.record.statusCode;
  }
  get statusMessage(): string {
    return this.record.statusMessage;
  }
  get attributes(): Attributes {
    return this.record.attributes;
  }
  get resourceAttributes(): Attributes {
    return this.record.resourceAttributes;
  }
  get scopeName(): string {
    return this.record.scopeName;
  }
  get scopeVersion(): string {
    return this.record.scopeVersion;
  }
  get events(): SpanEvent[] {
    return this.record.events;
  }
  get genAi(): GenAiFields | undefined {
    return this.record.genAi;
  }
  get cost(): CostFields | undefined {
    return this.record.cost;
  }
  get session(): SessionFields | undefined {
    return this.record.session;
  }

  /** JSON.stringify (the spool's batch codec) writes the record. */
  toJSON(): SpanRecord {
    return this.record;
  }
}

/** The SpanRecord of a row span-row-binary.ts wrote (columns in SPAN_INSERT_COLUMNS order). */
export function decodeSpanRow(chunk: Buffer, start: number, end: number): SpanRecord {
  const r = new RowBinaryReader(chunk, start, end);
  const projectId = r.string();
  const startTime = r.uint64Big();
  const duration = r.uint64Big();
  const traceId = r.string();
  const spanId = r.string();
  const parentSpanId = r.string();
  r.string(); // service_name and environment: from the resource attributes, which the row also has
  r.string();
  const name = r.string();
  const kind = r.uint8() as OtlpSpanKind;
  const statusCode = r.uint8() as 0 | 1 | 2;
  const statusMessage = r.string();
  const scopeName = r.string();
  const scopeVersion = r.string();
  const genAi: GenAiFields = { isModelCall: r.uint8() === 1, properties: {} };
  optional(genAi, 'provider', r.string());
  optional(genAi, 'operation', r.string());
  optional(genAi, 'requestModel', r.string());
  optional(genAi, 'responseModel', r.string());
  for (const field of ['inputTokens', 'outputTokens', 'cacheReadInputTokens', 'cacheCreationInputTokens', 'reasoningOutputTokens'] as const) {
    if (r.uint8() !== 1) genAi[field] = r.uint64(); // 1: NULL
  }
  const cost: Partial<CostFields> = {};
  for (const field of ['inputUsd', 'outputUsd', 'cacheReadUsd', 'cacheWriteUsd', 'totalUsd', 'savedUsd'] as const) {
    if (r.uint8() !== 1) cost[field] = r.float64();
  }
  const costStatus = r.string();
  const pricedModel = r.string();
  if (pricedModel !== '') cost.pricedModel = pricedModel;
  if (r.uint8() === 0) genAi.timeToFirstChunk = r.float64();
  optional(genAi, 'userId', r.string());
  const sessionId = r.string();
  const sessionName = r.string();
  const sessionPath = r.string();
  const parentPath = r.string();
  const depth = r.uint16();
  optional(genAi, 'sessionId', sessionId);
  optional(genAi, 'sessionName', sessionName);
  optional(genAi, 'sessionPath', sessionPath);
  optional(genAi, 'promptId', r.string());
  optional(genAi, 'errorType', r.string());
  const resendCount = r.uint16();
  if (resendCount > 0) genAi.resendCount = resendCount;
  genAi.properties = r.stringMap();
  const attributes: Attributes = r.stringMap();
  const resourceAttributes: Attributes = r.stringMap();
  const times = Array.from({ length: r.varUint() }, () => r.uint64Big());
  const names = Array.from({ length: r.varUint() }, () => r.string());
  const eventAttributes = Array.from({ length: r.varUint() }, () => r.stringMap());
  r.uint64(); // version: the insert's
  if (!r.atEnd || names.length !== times.length || eventAttributes.length !== times.length) throw new RangeError('RowBinary span row does not end where the span does');
  const record: SpanRecord = {
    projectId,
    traceId,
    spanId,
    parentSpanId,
    name,
    kind,
    startTimeUnixNano: startTime,
    endTimeUnixNano: startTime + duration,
    statusCode,
    statusMessage,
    attributes,
    resourceAttributes,
    scopeName,
    scopeVersion,
    events: times.map((timeUnixNano, i) => ({ name: names[i]!, timeUnixNano, attributes: eventAttributes[i]! })),
    genAi,
  };
  if (costStatus !== '') record.cost = { ...cost, status: costStatus as CostFields['status'] };
  if (sessionId !== '' || parentPath !== '' || depth !== 0) {
    const session: SessionFields = { id: sessionId, path: sessionPath, parentPath, depth };
    if (sessionName !== '') session.name = sessionName;
    record.session = session;
  }
  return record;
}

function optional<K extends 'provider' | 'operation' | 'requestModel' | 'responseModel' | 'userId' | 'sessionId' | 'sessionName' | 'sessionPath' | 'promptId' | 'errorType'>(
  genAi: GenAiFields,
  field: K,
  value: string,
): void {
  if (value !== '') genAi[field] = value;
}
