/**
 * The ClickHouse HTTP test server through the real `@clickhouse/client` over a real socket: what
 * the client sends and parses (pings, inserts, query parameters, exceptions with code and type,
 * credentials, compression) and what a server-mode test needs from it (refused connections, a
 * server killed mid-insert and started again, late answers, cut connections). Synchronisation is
 * explicit (waitFor, holdNext); the one real timer is the client's own request timeout, which
 * cannot race: the held request is only released after the client gave up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseClientConfigOptions } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from './clickhouse-http-server.js';

const USER = { username: 'writer', password: 's3cret' };
const TABLE = 'default.events';

let dataDir: string;
let server: ClickHouseHttpServer;
let client: ClickHouseClient;
const clients: ClickHouseClient[] = [];

function newClient(options: ClickHouseClientConfigOptions = {}): ClickHouseClient {
  const c = createClient({ url: server.url, ...USER, log: { level: ClickHouseLogLevel.OFF }, ...options });
  clients.push(c);
  return c;
}

async function names(where = '1'): Promise<string[]> {
  const rows = await (await client.query({ query: `SELECT name FROM ${TABLE} WHERE ${where} ORDER BY n`, format: 'JSONEachRow' })).json<{ name: string }>();
  return rows.map((r) => r.name);
}

function jsonEachRow(rows: ReadonlyArray<{ name: string; n: number }>): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/** The error an awaited promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; type?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string; type?: string };
  }
  throw new Error('expected a rejection');
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'tokentrace-clickhouse-http-'));
  server = await ClickHouseHttpServer.start({ dataDir, ...USER });
  client = newClient();
  await client.command({ query: `CREATE TABLE ${TABLE} (name String, n UInt32) ENGINE = MergeTree ORDER BY n` });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('ClickHouseHttpServer', () => {
  it('answers ping() on /ping, and a SELECT ping with credentials', async () => {
    expect(await client.ping()).toEqual({ success: true });
    expect(await client.ping({ select: true })).toEqual({ success: true });
    const res = await fetch(`${server.url}/ping`);
    expect([res.status, await res.text()]).toEqual([200, 'Ok.\n']);
  });

  it('inserts JSONEachRow and selects with query parameters in ClickHouse text form', async () => {
    const before = server.requests.insertsExecuted;
    await client.insert({
      table: TABLE,
      format: 'JSONEachRow',
      values: [{ name: "it's", n: 1 }, { name: 'tab\there', n: 2 }, { name: 'back\\slash', n: 3 }, { name: 'other', n: 4 }],
    });
    expect(server.requests.insertsExecuted).toBe(before + 1);

    const byName = await client.query({
      query: `SELECT n FROM ${TABLE} WHERE name = {name:String}`,
      query_params: { name: "it's" },
      format: 'JSONEachRow',
      query_id: 'select-by-name',
    });
    expect(byName.query_id).toBe('select-by-name');
    expect(byName.response_headers['x-clickhouse-format']).toBe('JSONEachRow');
    expect(await byName.json()).toEqual([{ n: 1 }]);

    const inList = await client.query({
      query: `SELECT name FROM ${TABLE} WHERE name IN {names:Array(String)} OR n = {n:UInt32} ORDER BY n`,
      query_params: { names: ['tab\there', "it's"], n: 3 },
      format: 'JSONEachRow',
    });
    expect(await inList.json()).toEqual([{ name: "it's" }, { name: 'tab\there' }, { name: 'back\\slash' }]);
    expect(server.statements.at(-1)?.params).toEqual({ names: "['tab\\there','it\\'s']", n: '3' });
  });

  it('answers a syntax error as ClickHouse does: 400, the exception code header, code 62 SYNTAX_ERROR', async () => {
    const err = await failure(client.command({ query: 'SELEC 1' }));
    expect(err).toBeInstanceOf(ClickHouseError);
    expect(err).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });

    const res = await fetch(`${server.url}/?query=SELEC%201`, { method: 'POST', headers: { 'X-ClickHouse-User': USER.username, 'X-ClickHouse-Key': USER.password } });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-clickhouse-exception-code')).toBe('62');
    // The query parameter is followed by a newline and the (empty) body, so the quoted query spans two lines.
    expect(await res.text()).toMatch(new RegExp(`^Code: 62\\. DB::Exception: Syntax error: [\\s\\S]+\\. \\(SYNTAX_ERROR\\) \\(version ${server.version.replace(/\./g, '\\.')}\\)\\n$`));
  });

  it('refuses a lone surrogate in JSONEachRow with code 25 and inserts nothing', async () => {
    const body = `${JSON.stringify({ name: 'good', n: 100 })}\n${JSON.stringify({ name: 'bad \ud800', n: 101 })}\n`;
    expect(body).toContain('\\ud800');
    const err = await failure(client.exec({ query: `INSERT INTO ${TABLE} FORMAT JSONEachRow`, values: Readable.from([body]) }));
    expect(err).toMatchObject({ code: '25', type: 'CANNOT_PARSE_ESCAPE_SEQUENCE' });
    expect(await names('n >= 100')).toEqual([]);
  });

  it('refuses a wrong password with 516 AUTHENTICATION_FAILED (HTTP 403); /ping needs no credentials', async () => {
    const intruder = newClient({ password: 'wrong' });
    const err = await failure(intruder.command({ query: 'SELECT 1' }));
    expect(err).toBeInstanceOf(ClickHouseError);
    expect(err).toMatchObject({ code: '516', type: 'AUTHENTICATION_FAILED' });
    expect(err.message).toContain('writer: Authentication failed: password is incorrect, or there is no user with such name.');
    expect(await intruder.ping()).toEqual({ success: true });

    const res = await fetch(`${server.url}/?query=SELECT%201`, { headers: { Authorization: `Basic ${Buffer.from('writer:nope').toString('base64')}` } });
    expect([res.status, res.headers.get('x-clickhouse-exception-code')]).toEqual([403, '516']);
  });

  it('kill() mid-insert: the client sees the connection reset, nothing is inserted, start() serves again', async () => {
    const before = server.requests;
    const body = new PassThrough();
    const insert = client.exec({ query: `INSERT INTO ${TABLE} FORMAT JSONEachRow`, values: body });
    const firstHalf = jsonEachRow([{ name: 'half-1', n: 200 }, { name: 'half-2', n: 201 }]);
    body.write(firstHalf);
    await server.waitFor((c) => c.bodyBytes >= before.bodyBytes + Buffer.byteLength(firstHalf));

    await server.kill();
    const err = await failure(insert);
    expect(['ECONNRESET', 'EPIPE']).toContain(err.code);
    expect(server.requests.notExecuted).toBe(before.notExecuted + 1);
    expect(server.requests.executed).toBe(before.executed);
    const refused = await client.ping();
    expect(refused.success).toBe(false);

    await server.start();
    expect(await names('n >= 200')).toEqual([]);
    await client.exec({ query: `INSERT INTO ${TABLE} FORMAT JSONEachRow`, values: Readable.from([firstHalf]) });
    expect(await names('n >= 200')).toEqual(['half-1', 'half-2']);
  });

  it('kill() while a request waits to run: it never runs, not even after start()', async () => {
    const before = server.requests;
    const held = server.holdNext();
    const insert = client.insert({ table: TABLE, format: 'JSONEachRow', values: [{ name: 'never', n: 260 }] });
    await held.arrived;
    await server.kill();
    expect((await failure(insert)).code).toBe('ECONNRESET');
    held.release();
    await server.start();
    expect(await names('n = 260')).toEqual([]);
    expect(server.requests.notExecuted).toBe(before.notExecuted + 1);
  });

  it('a client that goes away mid-body inserts nothing, while the server keeps serving', async () => {
    const before = server.requests;
    const abort = new AbortController();
    const body = new PassThrough();
    const insert = client.exec({ query: `INSERT INTO ${TABLE} FORMAT JSONEachRow`, values: body, abort_signal: abort.signal });
    const firstHalf = jsonEachRow([{ name: 'abandoned', n: 250 }]);
    body.write(firstHalf);
    await server.waitFor((c) => c.bodyBytes >= before.bodyBytes + Buffer.byteLength(firstHalf));

    abort.abort();
    expect((await failure(insert)).message).toBe('The user aborted a request.');
    await server.waitFor((c) => c.notExecuted + c.executed > before.notExecuted + before.executed);
    expect([server.requests.notExecuted, server.requests.executed]).toEqual([before.notExecuted + 1, before.executed]);
    expect(await names('n = 250')).toEqual([]);
  });

  it('stop() refuses connections but waits for the request in flight; start() serves the same data', async () => {
    await client.insert({ table: TABLE, format: 'JSONEachRow', values: [{ name: 'kept', n: 300 }] });
    const held = server.holdNext();
    const inFlight = client.query({ query: `SELECT name FROM ${TABLE} WHERE n = 300`, format: 'JSONEachRow' }).then((rs) => rs.json());
    await held.arrived;
    let stopped = false;
    const stopping = server.stop().then(() => { stopped = true; });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    held.release();
    await stopping;
    expect(await inFlight).toEqual([{ name: 'kept' }]);

    const refused = await client.ping();
    expect(refused.success).toBe(false);
    expect(refused.success === false && (refused.error as Error & { code?: string }).code).toBe('ECONNREFUSED');

    await server.start();
    expect(await names('n = 300')).toEqual(['kept']);
  });

  it('reads a gzip request body and gzips the answer when the client asks', async () => {
    const before = server.requests.bodyBytes;
    const rows = Array.from({ length: 200 }, (_, i) => ({ name: `compressed row with a repetitive text ${i}`, n: 1000 + i }));
    const gzipClient = newClient({ compression: { request: true, response: true } });
    await gzipClient.insert({ table: TABLE, format: 'JSONEachRow', values: rows });
    const sent = server.requests.bodyBytes - before;
    expect(sent).toBeGreaterThan(0);
    expect(sent).toBeLessThan(Buffer.byteLength(jsonEachRow(rows)) / 4);

    const count = await (await gzipClient.query({ query: `SELECT toUInt32(count()) AS c FROM ${TABLE} WHERE n >= 1000`, format: 'JSONEachRow' })).json();
    expect(count).toEqual([{ c: 200 }]);
    const raw = await gzipClient.exec({ query: 'SELECT 1 FORMAT TabSeparated', decompress_response_stream: false });
    const bytes = Buffer.concat(await raw.stream.toArray());
    expect(raw.response_headers['content-encoding']).toBe('gzip');
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
  });

  it('failNext() answers a scripted exception and runs nothing', async () => {
    server.failNext(241, 'MEMORY_LIMIT_EXCEEDED', 'Memory limit (total) exceeded: would use 1.00 GiB');
    const err = await failure(client.insert({ table: TABLE, format: 'JSONEachRow', values: [{ name: 'refused', n: 400 }] }));
    expect(err).toMatchObject({ code: '241', type: 'MEMORY_LIMIT_EXCEEDED' });
    expect(await names('n = 400')).toEqual([]);
  });

  it('holdNext(): the client times out; the insert, once read, still runs when released', async () => {
    const impatient = newClient({ request_timeout: 200 });
    const before = server.requests.insertsExecuted;
    const held = server.holdNext();
    const insert = impatient.insert({ table: TABLE, format: 'JSONEachRow', values: [{ name: 'late', n: 500 }] });
    await held.arrived;
    expect((await failure(insert)).message).toBe('Timeout error.');
    held.release();
    await server.waitFor((c) => c.insertsExecuted === before + 1);
    expect(await names('n = 500')).toEqual(['late']);
  });

  it('dropNext(): the connection is cut before or after the statement ran', async () => {
    server.dropNext();
    const before = await failure(client.insert({ table: TABLE, format: 'JSONEachRow', values: [{ name: 'dropped', n: 600 }] }));
    expect(before.code).toBe('ECONNRESET');
    expect(await names('n = 600')).toEqual([]);

    server.dropNext({ afterExecute: true });
    const after = await failure(client.insert({ table: TABLE, format: 'JSONEachRow', values: [{ name: 'committed', n: 601 }] }));
    expect(after.code).toBe('ECONNRESET');
    expect(await names('n = 601')).toEqual(['committed']);
  });

  it('runs GET requests read-only and names unknown tables with 404 UNKNOWN_TABLE', async () => {
    const auth = { Authorization: `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString('base64')}` };
    const insert = await fetch(`${server.url}/?query=${encodeURIComponent(`INSERT INTO ${TABLE} VALUES ('get', 700)`)}`, { headers: auth });
    expect([insert.status, insert.headers.get('x-clickhouse-exception-code')]).toEqual([500, '164']);
    expect(await insert.text()).toContain('(READONLY)');

    const missing = await fetch(`${server.url}/?query=SELECT%20*%20FROM%20nowhere`, { headers: auth });
    expect([missing.status, missing.headers.get('x-clickhouse-exception-code')]).toEqual([404, '60']);
  });

  it('close() keeps the data on disk for the next server on the same directory', async () => {
    await server.close();
    server = await ClickHouseHttpServer.start({ dataDir, ...USER });
    const reopened = newClient();
    const rows = await (await reopened.query({ query: `SELECT name FROM ${TABLE} WHERE n = 300`, format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ name: 'kept' }]);
  });
});
