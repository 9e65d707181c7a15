/**
 * Issue 14 §2, cost budgets with real prices (the @pydantic/genai-prices catalog the collector
 * prices spans with): a budget in USD per user per day, for the users of one tier only. Each call
 * is charged an estimate before it goes out (its input at ~4 characters per token × the input
 * price) and its actual cost once the answer is complete; the call that finds the budget spent is
 * answered with the provider's 429 and never reaches the emulator.
 */
import { calcPrice } from '@pydantic/genai-prices';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_TOKENTRACE_RATE_LIMIT_DECISION, ATTR_TOKENTRACE_RATE_LIMIT_REMAINING, ATTR_TOKENTRACE_RATE_LIMIT_UNIT } from '@tokentrace/semconv';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setupTracing } from '../harness/in-process-tracing.js';
import { genAiSpans } from '../harness/span-assertions.js';
import { startOpenAIEmulator, type ProviderEmulator } from '../provider-emulator/index.js';

const harness = setupTracing({});
let openai: ProviderEmulator;
const USAGE = { inputTokens: 100_000, outputTokens: 50_000 };
/** What one call costs, in cents, at the catalog's gpt-4o-mini prices. */
const CALL_CENTS = calcPrice({ input_tokens: USAGE.inputTokens, output_tokens: USAGE.outputTokens }, 'gpt-4o-mini', { providerId: 'openai' })!.total_price * 100;
/** Room for two and a half calls. */
const BUDGET_USD = (2.5 * CALL_CENTS) / 100;
const NOON = Date.UTC(2026, 11, 6, 12);

beforeAll(async () => {
  openai = await startOpenAIEmulator({ defaultReply: { text: 'An answer.', ...USAGE } });
  harness.instrumentation.setConfig({
    endpoints: [{ baseUrl: openai.url, provider: 'openai' }],
    limits: { now: () => NOON, budgets: [{ name: 'free-tier', usd: BUDGET_USD, window: 'day', per: 'user', match: { properties: { Tier: 'free' } } }] },
  });
});
afterAll(async () => {
  await openai.close();
  await harness.shutdown();
});

const client = (user: string, tier: string) =>
  new OpenAI({ apiKey: 'sk-budget', baseURL: openai.baseUrl, maxRetries: 0, defaultHeaders: { 'Helicone-User-Id': user, 'Helicone-Property-Tier': tier } });
const ask = (c: OpenAI) => c.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'What does the FAQ say about refunds?' }] });
const byStart = (spans: readonly ReadableSpan[]) => [...spans].sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);

it('a free-tier user is stopped once the day\'s budget is spent; other tiers and users are not', async () => {
  expect(CALL_CENTS).toBeGreaterThan(0.5); // real prices: $0.15/M input, $0.60/M output at the time of writing
  const free = client('u-free', 'free');
  // Each answer's actual cost is charged when it completes; its span ends after that.
  for (let i = 1; i <= 3; i++) {
    await ask(free);
    await harness.waitForSpans((s) => genAiSpans(s).length === i);
  }
  const err = await ask(free).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(OpenAI.RateLimitError);
  expect(openai.requests).toHaveLength(3);
  await ask(client('u-paid', 'pro')); // not matched by the budget
  await ask(client('u-free-2', 'free')); // another user's own budget
  expect(openai.requests).toHaveLength(5);

  const spans = byStart(genAiSpans(await harness.waitForSpans((s) => genAiSpans(s).length === 6)));
  const freeSpans = spans.filter((s) => s.attributes['user.id'] === 'u-free');
  expect(freeSpans.map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION])).toEqual(['allowed', 'allowed', 'allowed', 'limited']);
  expect(freeSpans[0].attributes[ATTR_TOKENTRACE_RATE_LIMIT_UNIT]).toBe('cents');
  // Remaining at each check: the budget less the actual cost of the answers before, less this call's estimate (a few input tokens).
  const remaining = freeSpans.slice(0, 3).map((s) => s.attributes[ATTR_TOKENTRACE_RATE_LIMIT_REMAINING] as number);
  remaining.forEach((r, i) => {
    expect(r).toBeLessThanOrEqual(2.5 * CALL_CENTS - i * CALL_CENTS);
    expect(r).toBeGreaterThan(2.5 * CALL_CENTS - i * CALL_CENTS - 0.01);
  });
  expect(spans.find((s) => s.attributes['user.id'] === 'u-paid')?.attributes[ATTR_TOKENTRACE_RATE_LIMIT_DECISION]).toBeUndefined();
});
