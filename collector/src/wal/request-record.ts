/**
 * One accepted trace export as the write-ahead log keeps it: the request body as received (after
 * gzip, before decoding: no re-encoding on the way in), its encoding and its project. Format
 * version byte first, so that a later format can still read what this one wrote.
 */
import type { OtlpEncoding } from '../receivers/trace-codec.js';

export interface RequestRecord {
  encoding: OtlpEncoding;
  projectId: string;
  body: Uint8Array;
}

const VERSION = 1;
const ENCODINGS: readonly OtlpEncoding[] = ['protobuf', 'json'];

export class RequestRecordError extends Error {
  readonly code = 'TOKENTRACE_WAL_RECORD_UNREADABLE';
  constructor(message: string) {
    super(message);
    this.name = 'RequestRecordError';
  }
}

/** The record's parts, for WriteAheadLog.append() (the body is not copied here). */
export function encodeRequestRecord(record: RequestRecord): Uint8Array[] {
  const project = Buffer.from(record.projectId, 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt8(VERSION, 0);
  head.writeUInt8(ENCODINGS.indexOf(record.encoding), 1);
  head.writeUInt16LE(project.length, 2);
  return [head, project, record.body];
}

export function decodeRequestRecord(payload: Buffer): RequestRecord {
  if (payload.length < 4 || payload.readUInt8(0) !== VERSION) throw new RequestRecordError(`not a version ${VERSION} request record`);
  const encoding = ENCODINGS[payload.readUInt8(1)];
  const projectEnd = 4 + payload.readUInt16LE(2);
  if (!encoding || projectEnd > payload.length) throw new RequestRecordError('request record header is not valid');
  return { encoding, projectId: payload.toString('utf8', 4, projectEnd), body: payload.subarray(projectEnd) };
}
