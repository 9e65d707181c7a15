import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { classifyClickHouseError, DATA_CODES, REFUSED_CODES, TRANSIENT_CODES } from './error-classifier.js';

/** A server's (or the embedded engine's) error as the client parses it: the code as a string, the name as `type`. */
const current = (code: number, type: string) => new ClickHouseError({ message: 'something', code: String(code), type });

describe('classifyClickHouseError', () => {
  const data = [6, 19, 25, 26, 27, 38, 41, 53, 69, 70, 72, 117, 128, 130, 131, 190, 321, 349, 376, 407, 441, 467, 469, 691];
  const refused = [8, 10, 16, 20, 43, 44, 46, 47, 48, 50, 56, 62, 73, 80, 115, 164, 192, 193, 194, 195, 291, 497, 516];
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
