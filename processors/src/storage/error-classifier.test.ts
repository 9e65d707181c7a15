import { ClickHouseError, type ClickHouseClient } from '@clickhouse/client';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../pipeline/span-record.js';
import { createClickHouseClient } from './clickhouse-client.js';
import { classifyClickHouseError, DATA_CODES, REFUSED_CODES, TRANSIENT_CODES, type ClickHouseFailure } from './error-classifier.js';
import { insertJsonEachRow } from './json-each-row-insert.js';
import { ensureSchema } from './schema.js';
import { toSpanRow } from './span-row.js';
import { SPAN_INSERT_COLUMNS } from './span-table.js';
import { utcMidnightNs } from './testing/span-times.js';

/** A server's (or the embedded engine's) error as the client parses it: the code as a string, the name as `type`. */
const current = (code: number, type: string) => new ClickHouseError({ message: 'something', code: String(code), type });

describe('classifyClickHouseError', () => {
  const data = [6, 19, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 128, 130, 131, 190, 321, 349, 376, 407, 441, 467, 469, 691];
  const refused = [8, 10, 16, 20, 36, 43, 44, 46, 47, 48, 50, 56, 62, 73, 80, 115, 164, 192, 193, 194, 195, 291, 497, 516];
  const transient = [32, 33, 60, 81, 159, 160, 173, 201, 202, 203, 209, 210, 225, 236, 241, 242, 243, 252, 279, 285, 319, 394, 999];

  it('lists each code once, in one kind', () => {
    expect([...DATA_CODES.keys()].sort((a, b) => a - b)).toEqual(data);
    expect([...REFUSED_CODES.keys()].sort((a, b) => a - b)).toEqual(refused);
    expect([...TRANSIENT_CODES.keys()].sort((a, b) => a - b)).toEqual(transient);
  });

  for (const [kind, codes] of [['data', data], ['refused', refused], ['transient', transient]] as const) {
    it(`treats ${codes.join(', ')} as ${kind}`, () => {
      for (const code of codes) {
        const name = DATA_CODES.get(code) ?? REFUSED_CODES.get(code) ?? TRANSIENT_CODES.get(code);
        expect(classifyClickHouseError(current(code, name!)), `current code ${code}`).toEqual({ kind, serverCode: code, reason: name });
      }
    });
  }

  it('reads no code from message text: a plain Error that looks like a server error is retried', () => {
    const text = new Error('Code: 25. DB::Exception: Cannot parse escape sequence (CANNOT_PARSE_ESCAPE_SEQUENCE)');
    expect(classifyClickHouseError(text)).toEqual({ kind: 'transient', reason: 'unknown' });
  });

  it('retries a code it does not know, named as the server named it', () => {
    expect(classifyClickHouseError(current(1002, 'UNKNOWN_EXCEPTION'))).toEqual({ kind: 'transient', serverCode: 1002, reason: 'UNKNOWN_EXCEPTION' });
  });

  it("takes the client's code over a code-like text in the message", () => {
    const err = new ClickHouseError({ message: 'Code: 25, something the row held', code: '241', type: 'MEMORY_LIMIT_EXCEEDED' });
    expect(classifyClickHouseError(err)).toMatchObject({ kind: 'transient', serverCode: 241 });
  });

  it('retries socket failures, timeouts and unknown failures', () => {
    const refusedSocket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    expect(classifyClickHouseError(refusedSocket)).toEqual({ kind: 'transient', reason: 'ECONNREFUSED' });
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(classifyClickHouseError(reset)).toEqual({ kind: 'transient', reason: 'ECONNRESET' });
    expect(classifyClickHouseError(new Error('Timeout error.'))).toEqual({ kind: 'transient', reason: 'timeout' });
    expect(classifyClickHouseError(new Error('socket hang up'))).toEqual({ kind: 'transient', reason: 'timeout' });
    expect(classifyClickHouseError(new Error('<html>502 Bad Gateway</html>'))).toEqual({ kind: 'transient', reason: 'unknown' });
    expect(classifyClickHouseError('a string')).toEqual({ kind: 'transient', reason: 'unknown' });
  });

  it('calls the errors of turning spans into rows data', () => {
    expect(classifyClickHouseError(new TypeError('Do not know how to serialize a BigInt'))).toEqual({ kind: 'data', reason: 'TypeError' });
    expect(classifyClickHouseError(new RangeError('Maximum call stack size exceeded'))).toEqual({ kind: 'data', reason: 'RangeError' });
  });
});

describe('classifyClickHouseError on the engine\'s own errors (embedded ClickHouse, a v3 spans table)', () => {
  let root: string;
  let client: ClickHouseClient;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tokentrace-classifier-'));
    client = createClickHouseClient({ url: '', dataDir: join(root, 'clickhouse') });
    await ensureSchema(client, 'tt_codes');
  });
  afterAll(async () => {
    await client?.close();
    await rm(root, { recursive: true, force: true });
  });

  const span: SpanRecord = {
    projectId: 'p', traceId: '1'.repeat(32), spanId: '2'.repeat(16), parentSpanId: '', name: 'n', kind: 3,
    startTimeUnixNano: utcMidnightNs(1), endTimeUnixNano: utcMidnightNs(1) + 5n, statusCode: 0, statusMessage: '',
    attributes: { a: 'b' }, resourceAttributes: {}, scopeName: '', scopeVersion: '', events: [{ name: 'e', timeUnixNano: utcMidnightNs(1) + 1n, attributes: {} }],
  };
  const good = toSpanRow(span, 1);
  const failure = async (row: object, columns: readonly string[] = SPAN_INSERT_COLUMNS): Promise<ClickHouseFailure> => {
    const err = await insertJsonEachRow(client, 'tt_codes.spans', columns, [Buffer.from(`${JSON.stringify(row)}\n`)]).then(() => undefined, (e: unknown) => e);
    expect(err, JSON.stringify(row).slice(0, 80)).toBeDefined();
    return classifyClickHouseError(err);
  };

  it('stores the row the exporter writes', async () => {
    await insertJsonEachRow(client, 'tt_codes.spans', SPAN_INSERT_COLUMNS, [Buffer.from(`${JSON.stringify(good)}\n`)]);
    expect(await (await client.query({ query: 'SELECT count() AS n FROM tt_codes.spans', format: 'JSONEachRow' })).json()).toEqual([{ n: '1' }]);
  });

  it('calls a row the engine cannot read into its v3 columns data, by the code the engine sends', async () => {
    const cases: Array<[object, number, string]> = [
      [{ ...good, name: 'chat \ud800' }, 25, 'CANNOT_PARSE_ESCAPE_SEQUENCE'], // issue 10
      [{ ...good, 'events.name': ['e', 'f'] }, 190, 'SIZES_OF_ARRAYS_DONT_MATCH'], // Nested columns of different lengths
      [{ ...good, kind: 'sideways' }, 691, 'UNKNOWN_ELEMENT_OF_ENUM'],
      [{ ...good, duration_ns: '-1' }, 72, 'CANNOT_PARSE_NUMBER'],
      [{ ...good, start_time: 'yesterday' }, 41, 'CANNOT_PARSE_DATETIME'],
      [{ ...good, 'events.time': ['soon'] }, 41, 'CANNOT_PARSE_DATETIME'],
      [{ ...good, input_tokens: 1.5 }, 27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
    ];
    for (const [row, code, name] of cases) expect(await failure(row)).toEqual({ kind: 'data', serverCode: code, reason: name });
  });

  it('calls a statement the table does not fit refused, and a missing table transient, naming codes it does not list as the engine does', async () => {
    expect(await failure({ ...good, extra: 1 }, [...SPAN_INSERT_COLUMNS, 'extra'])).toMatchObject({ kind: 'refused', reason: 'NO_SUCH_COLUMN_IN_TABLE' });
    const missing = await client.command({ query: 'INSERT INTO tt_codes.nope (a) VALUES (1)' }).then(() => undefined, (e: unknown) => e);
    expect(classifyClickHouseError(missing)).toEqual({ kind: 'transient', serverCode: 60, reason: 'UNKNOWN_TABLE' });
    const exists = await client.command({ query: 'CREATE TABLE tt_codes.schema_migrations (a UInt8) ENGINE = Memory' }).then(() => undefined, (e: unknown) => e);
    expect(classifyClickHouseError(exists)).toEqual({ kind: 'transient', serverCode: 57, reason: 'TABLE_ALREADY_EXISTS' });
  });
});
