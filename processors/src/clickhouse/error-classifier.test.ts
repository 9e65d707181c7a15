import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { classifyClickHouseError } from './error-classifier.js';

describe('classifyClickHouseError', () => {
  it('reads the code from an 18.16 message, which the client leaves unparsed', () => {
    const parse = new Error('Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected " before: notnum: (at row 1)\n, e.what() = DB::Exception\n');
    expect(classifyClickHouseError(parse)).toEqual({ retryable: false, serverCode: 27, reason: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
    const password = new Error('Code: 193, e.displayText() = DB::Exception: Wrong password for user default, e.what() = DB::Exception');
    expect(classifyClickHouseError(password).retryable).toBe(false);
    const memory = new Error('Code: 241, e.displayText() = DB::Exception: Memory limit (for query) exceeded, e.what() = DB::Exception');
    expect(classifyClickHouseError(memory)).toEqual({ retryable: true, serverCode: 241, reason: 'code 241' });
    const noTable = new Error("Code: 60, e.displayText() = DB::Exception: Table tokentrace.spans doesn't exist., e.what() = DB::Exception");
    expect(classifyClickHouseError(noTable).retryable).toBe(true);
  });

  it('reads the code of a current server, as the client parsed it', () => {
    const err = new ClickHouseError({ message: 'Cannot parse input', code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
    expect(classifyClickHouseError(err)).toMatchObject({ retryable: false, serverCode: 27 });
    const parts = new ClickHouseError({ message: 'Too many parts', code: '252', type: 'TOO_MANY_PARTS' });
    expect(classifyClickHouseError(parts)).toMatchObject({ retryable: true, serverCode: 252 });
  });

  it('retries socket failures, timeouts and unknown failures; not programming errors', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    expect(classifyClickHouseError(refused)).toEqual({ retryable: true, reason: 'ECONNREFUSED' });
    expect(classifyClickHouseError(new Error('Timeout error.')).retryable).toBe(true);
    expect(classifyClickHouseError(new Error('socket hang up')).retryable).toBe(true);
    expect(classifyClickHouseError(new Error('<html>502 Bad Gateway</html>')).retryable).toBe(true);
    expect(classifyClickHouseError(new TypeError('Do not know how to serialize a BigInt')).retryable).toBe(false);
  });
});
