/**
 * The user's price file: prices for private or new models, and overrides of the catalog, layered
 * over `@pydantic/genai-prices`. JSON, loaded and validated once at start-up; errors name the key.
 *
 *   { "models": [ { "id": "acme-large", "provider": "acme", "match": { "starts_with": "acme-large" },
 *                   "input_mtok": 2, "output_mtok": 8, "cache_read_mtok": 0.2, "cache_write_mtok": 2.5,
 *                   "reasoning_mtok": 8, "valid_from": "2025-01-01" } ] }
 *
 * Prices are USD per million tokens, named as in genai-prices. `provider` (a `gen_ai.provider.name`
 * value; any provider when absent) and `match` (genai-prices match logic; `id` exactly when absent)
 * decide which spans an entry prices. Several entries with one id and provider are one model's price
 * history: each applies from its `valid_from` (UTC midnight); before the earliest, the catalog does.
 */
import { readFileSync } from 'node:fs';
import type { MatchLogic, ModelPrice } from '@pydantic/genai-prices';
import { normalizeProviderName } from '../normalization/provider-names.js';
import { compileMatch, type ModelMatcher } from './model-match.js';

export interface PriceFileModel {
  id: string;
  /** Normalized `gen_ai.provider.name`; undefined matches any provider. */
  provider?: string;
  /** Tests a lower-case model id against the entry's `match` (or its id). */
  matches: ModelMatcher;
  /** Oldest first. */
  versions: Array<{ validFrom?: Date; prices: ModelPrice }>;
}

export interface PriceFile {
  models: PriceFileModel[];
}

export class PriceFileError extends Error {
  readonly code = 'TOKENTRACE_PRICE_FILE_INVALID';
  constructor(readonly key: string, expected: string, got: unknown, options?: { cause?: unknown }) {
    super(`tokentrace price file: invalid ${key}: expected ${expected}, got ${JSON.stringify(got)}`, options);
    this.name = 'PriceFileError';
  }
}

/** Price file field → genai-prices price key. */
const PRICE_FIELDS: ReadonlyArray<[string, string, boolean]> = [
  ['input_mtok', 'input_mtok', true],
  ['output_mtok', 'output_mtok', true],
  ['cache_read_mtok', 'cache_read_mtok', false],
  ['cache_write_mtok', 'cache_write_mtok', false],
  ['reasoning_mtok', 'output_reasoning_mtok', false],
];
const ENTRY_KEYS: ReadonlySet<string> = new Set(['id', 'provider', 'match', 'valid_from', ...PRICE_FIELDS.map(([field]) => field)]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function loadPriceFile(path: string): PriceFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PriceFileError('pricing.priceFile', `a readable file at ${path}`, (err as Error).message, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PriceFileError(path, 'JSON', (err as Error).message, { cause: err });
  }
  return parsePriceFile(json);
}

export function parsePriceFile(json: unknown): PriceFile {
  if (!isObject(json) || !Array.isArray(json.models)) throw new PriceFileError('models', 'an array of model prices', json);
  const byKey = new Map<string, PriceFileModel>();
  json.models.forEach((entry: unknown, index: number) => {
    const key = `models[${index}]`;
    if (!isObject(entry)) throw new PriceFileError(key, 'an object', entry);
    for (const name of Object.keys(entry)) if (!ENTRY_KEYS.has(name)) throw new PriceFileError(`${key}.${name}`, `one of ${[...ENTRY_KEYS].join(', ')}`, name);
    if (typeof entry.id !== 'string' || entry.id.trim() === '') throw new PriceFileError(`${key}.id`, 'a non-empty model id', entry.id);
    if (entry.provider !== undefined && (typeof entry.provider !== 'string' || entry.provider === '')) {
      throw new PriceFileError(`${key}.provider`, 'a gen_ai.provider.name value', entry.provider);
    }
    const id = entry.id.trim();
    const provider = entry.provider === undefined ? undefined : normalizeProviderName(entry.provider);
    const match = entry.match === undefined ? { equals: id } : checkMatch(entry.match, `${key}.match`);
    const prices: ModelPrice = {};
    for (const [field, priceKey, required] of PRICE_FIELDS) {
      const value = entry[field];
      if (value === undefined && !required) continue;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PriceFileError(`${key}.${field}`, 'USD per million tokens, a number ≥ 0', value);
      prices[priceKey] = value;
    }
    let validFrom: Date | undefined;
    if (entry.valid_from !== undefined) {
      validFrom = typeof entry.valid_from === 'string' && DATE.test(entry.valid_from) ? new Date(`${entry.valid_from}T00:00:00Z`) : undefined;
      if (!validFrom || Number.isNaN(validFrom.getTime())) throw new PriceFileError(`${key}.valid_from`, 'a date YYYY-MM-DD', entry.valid_from);
    }

    const modelKey = `${provider ?? '*'}\u0000${id.toLowerCase()}`;
    const model = byKey.get(modelKey) ?? { id, ...(provider === undefined ? {} : { provider }), matches: compileMatch(match), versions: [] };
    if (model.versions.some((v) => v.validFrom?.getTime() === validFrom?.getTime())) {
      throw new PriceFileError(`${key}.valid_from`, `a date not already given for ${id}`, entry.valid_from ?? null);
    }
    model.versions.push(validFrom === undefined ? { prices } : { validFrom, prices });
    byKey.set(modelKey, model);
  });
  const models = [...byKey.values()];
  for (const model of models) model.versions.sort((a, b) => (a.validFrom?.getTime() ?? -Infinity) - (b.validFrom?.getTime() ?? -Infinity));
  return { models };
}

/** The version in force at `at`, or undefined before the first `valid_from`. */
export function priceAt(model: PriceFileModel, at: Date): ModelPrice | undefined {
  const time = at.getTime();
  for (let i = model.versions.length - 1; i >= 0; i--) {
    const version = model.versions[i] as PriceFileModel['versions'][number];
    if (version.validFrom === undefined || version.validFrom.getTime() <= time) return version.prices;
  }
  return undefined;
}

const MATCH_STRING_KEYS: ReadonlySet<string> = new Set(['equals', 'starts_with', 'ends_with', 'contains', 'regex']);

/** genai-prices match logic: exactly one of equals/starts_with/ends_with/contains/regex (a string) or and/or (a list). */
function checkMatch(value: unknown, key: string): MatchLogic {
  const expected = 'one of {equals|starts_with|ends_with|contains|regex: string} or {and|or: [match, ...]}';
  if (!isObject(value) || Object.keys(value).length !== 1) throw new PriceFileError(key, expected, value);
  const [name, operand] = Object.entries(value)[0] as [string, unknown];
  if (name === 'and' || name === 'or') {
    if (!Array.isArray(operand) || operand.length === 0) throw new PriceFileError(`${key}.${name}`, 'a non-empty list of matches', operand);
    operand.forEach((inner, i) => checkMatch(inner, `${key}.${name}[${i}]`));
  } else if (!MATCH_STRING_KEYS.has(name) || typeof operand !== 'string' || operand === '') {
    throw new PriceFileError(key, expected, value);
  } else if (name === 'regex') {
    try {
      new RegExp(operand);
    } catch (err) {
      throw new PriceFileError(`${key}.regex`, 'a valid regular expression', operand, { cause: err });
    }
  }
  return value as MatchLogic;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
