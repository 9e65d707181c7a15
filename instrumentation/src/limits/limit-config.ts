/**
 * The `limits` option (and `TOKENTRACE_LIMITS_FILE`, a JSON file of the same shape; options win),
 * resolved once: budgets and policies as LimitPolicy, the store, the project.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config.js';
import type { BudgetConfig, LimitsConfig } from '../types.js';
import { formatPolicy, MIN_WINDOW_SECONDS, parseLimitPolicy, type LimitMode, type LimitPolicy, type LimitSegment } from './limit-policy.js';

export const ENV_LIMITS_FILE = 'TOKENTRACE_LIMITS_FILE';
export const ENV_LIMITS_REDIS_URL = 'TOKENTRACE_LIMITS_REDIS_URL';
export const DEFAULT_REDIS_KEY_PREFIX = 'tokentrace:limit:';
export const DEFAULT_REDIS_TIMEOUT_MS = 250;

export interface ResolvedLimitsConfig {
  /** Budgets and configured policies, for every call. */
  policies: LimitPolicy[];
  /** Mode of header and context policies. */
  mode: LimitMode;
  redis?: { url: string; keyPrefix: string; timeoutMs: number };
  project: string;
  now: () => number;
}

export function resolveLimitsConfig(option: LimitsConfig | undefined, env: NodeJS.ProcessEnv = process.env): ResolvedLimitsConfig {
  const file = env[ENV_LIMITS_FILE] ? readLimitsFile(env[ENV_LIMITS_FILE]) : {};
  const config: LimitsConfig = { ...file, ...option };
  const mode = config.mode ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'warn') throw new ConfigError('limits.mode', 'enforce or warn', mode);
  const policies = [
    ...(config.budgets ?? []).map((b, i) => budgetPolicy(b, `limits.budgets[${i}]`)),
    ...(config.policies ?? []).map((text, i) => {
      try {
        return { ...parseLimitPolicy(text, mode), id: `c:${text}` };
      } catch (err) {
        throw new ConfigError(`limits.policies[${i}]`, `a policy like 100;w=60;u=request;s=user (${(err as Error).message})`, text);
      }
    }),
  ];
  const url = config.redis?.url ?? env[ENV_LIMITS_REDIS_URL];
  const timeoutMs = config.redis?.timeoutMs ?? DEFAULT_REDIS_TIMEOUT_MS;
  if (url !== undefined && !/^rediss?:\/\//.test(url)) throw new ConfigError('limits.redis.url', 'a redis:// or rediss:// URL', url);
  return {
    policies,
    mode,
    ...(url && { redis: { url, keyPrefix: config.redis?.keyPrefix ?? DEFAULT_REDIS_KEY_PREFIX, timeoutMs } }),
    project: config.project ?? env.OTEL_SERVICE_NAME ?? 'default',
    now: config.now ?? Date.now,
  };
}

function readLimitsFile(path: string): LimitsConfig {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LimitsConfig;
  } catch (err) {
    throw new ConfigError(ENV_LIMITS_FILE, 'a readable JSON file of limits', `${path}: ${(err as Error).message}`);
  }
}

function budgetPolicy(budget: BudgetConfig, key: string): LimitPolicy {
  const amounts = (['requests', 'usd', 'cents'] as const).filter((k) => budget[k] !== undefined);
  if (amounts.length !== 1) throw new ConfigError(key, 'exactly one of requests, usd, cents', budget);
  const amount = budget[amounts[0]!]!;
  if (typeof amount !== 'number' || !(amount >= 0)) throw new ConfigError(`${key}.${amounts[0]}`, 'a number >= 0', amount);
  const window = budget.window;
  const windowOk =
    window === 'day' || window === 'month' ||
    (typeof window === 'object' && Number.isInteger(window?.seconds) && window.seconds >= MIN_WINDOW_SECONDS && (window.rolling === undefined || typeof window.rolling === 'boolean'));
  if (!windowOk) throw new ConfigError(`${key}.window`, `day, month or { seconds: n >= ${MIN_WINDOW_SECONDS}, rolling?: boolean }`, window);
  const per = budget.per ?? 'project';
  const segment: LimitSegment =
    per === 'project' ? { kind: 'global' } : per === 'user' ? { kind: 'user' } : typeof per === 'object' && per.property ? { kind: 'property', name: per.property.toLowerCase() } : invalid(`${key}.per`, per);
  const mode = budget.mode ?? 'enforce';
  if (mode !== 'enforce' && mode !== 'warn') throw new ConfigError(`${key}.mode`, 'enforce or warn', mode);
  const unit = amounts[0] === 'requests' ? 'request' : 'cents';
  const quota = amounts[0] === 'usd' ? Math.round(amount * 100 * 1e6) / 1e6 : amount;
  const text = formatPolicy(quota, window, unit, segment);
  const properties = budget.match?.properties && Object.fromEntries(Object.entries(budget.match.properties).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const match = budget.match && { ...budget.match, ...(properties && { properties }) };
  return { id: `b:${budget.name ?? text}:${JSON.stringify(match ?? {})}`, quota, window, unit, segment, mode, ...(match && { match }), text };
}

function invalid(key: string, got: unknown): never {
  throw new ConfigError(key, "'project', 'user' or { property: name }", got);
}

