import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPriceFile, parsePriceFile, priceAt, PriceFileError } from './price-file.js';

describe('parsePriceFile', () => {
  it('groups entries of one model into a price history, oldest first', () => {
    const file = parsePriceFile({
      models: [
        { id: 'acme-large', provider: 'Acme', input_mtok: 3, output_mtok: 9, valid_from: '2025-06-01' },
        { id: 'acme-large', provider: 'Acme', input_mtok: 4, output_mtok: 12, cache_read_mtok: 0.4, reasoning_mtok: 12 },
        { id: 'acme-small', match: { starts_with: 'acme-small' }, input_mtok: 0.1, output_mtok: 0.2 },
      ],
    });
    expect(file.models.map((m) => [m.id, m.provider, m.versions.length])).toEqual([
      ['acme-large', 'acme', 2],
      ['acme-small', undefined, 1],
    ]);
    const large = file.models[0]!;
    expect(priceAt(large, new Date('2025-05-31T23:59:59Z'))).toEqual({ input_mtok: 4, output_mtok: 12, cache_read_mtok: 0.4, output_reasoning_mtok: 12 });
    expect(priceAt(large, new Date('2025-06-01T00:00:00Z'))).toEqual({ input_mtok: 3, output_mtok: 9 });
    expect(file.models[1]!.matches('acme-small-2')).toBe(true);
    expect(file.models[1]!.matches('acme-large')).toBe(false);
  });

  it('applies nothing before the first valid_from when every entry is dated', () => {
    const [model] = parsePriceFile({ models: [{ id: 'm', input_mtok: 1, output_mtok: 1, valid_from: '2025-01-01' }] }).models;
    expect(priceAt(model!, new Date('2024-12-31T00:00:00Z'))).toBeUndefined();
  });

  it.each([
    [{}, 'models'],
    [{ models: [{ input_mtok: 1, output_mtok: 1 }] }, 'models[0].id'],
    [{ models: [{ id: 'm', output_mtok: 1 }] }, 'models[0].input_mtok'],
    [{ models: [{ id: 'm', input_mtok: -1, output_mtok: 1 }] }, 'models[0].input_mtok'],
    [{ models: [{ id: 'm', input_mtok: 1, output_mtok: 1, cache_read_mtok: '0.1' }] }, 'models[0].cache_read_mtok'],
    [{ models: [{ id: 'm', input_mtok: 1, output_mtok: 1, valid_from: '2025-13-01' }] }, 'models[0].valid_from'],
    [{ models: [{ id: 'm', input_mtok: 1, output_mtok: 1, input_per_million: 1 }] }, 'models[0].input_per_million'],
    [{ models: [{ id: 'm', input_mtok: 1, output_mtok: 1, match: { prefix: 'm' } }] }, 'models[0].match'],
    [{ models: [{ id: 'm', input_mtok: 1, output_mtok: 1, match: { or: [{ regex: '(' }] } }] }, 'models[0].match.or[0].regex'],
    [{ models: [{ id: 'm', input_mtok: 1, output_mtok: 1 }, { id: 'M', input_mtok: 2, output_mtok: 2 }] }, 'models[1].valid_from'],
  ])('rejects %j naming %s', (json, key) => {
    let error: unknown;
    try {
      parsePriceFile(json);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PriceFileError);
    expect((error as PriceFileError).key).toBe(key);
    expect((error as PriceFileError).code).toBe('TOKENTRACE_PRICE_FILE_INVALID');
  });
});

describe('loadPriceFile', () => {
  it('reads JSON from disk and names the file when it cannot', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokentrace-prices-'));
    const path = join(dir, 'prices.json');
    writeFileSync(path, JSON.stringify({ models: [{ id: 'm', input_mtok: 1, output_mtok: 2 }] }));
    expect(loadPriceFile(path).models[0]!.versions).toEqual([{ prices: { input_mtok: 1, output_mtok: 2 } }]);
    expect(() => loadPriceFile(join(dir, 'missing.json'))).toThrow(/pricing\.priceFile/);
    writeFileSync(path, '{ not json');
    expect(() => loadPriceFile(path)).toThrow(PriceFileError);
  });
});
