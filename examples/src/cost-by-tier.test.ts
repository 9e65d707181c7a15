/**
 * examples/cost-by-tier against the provider emulators: 50 simulated users on three plans make
 * calls tagged with user, tier and feature; every call it reports making arrives as a span with
 * those tags, on the plan's model.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, type OtlpReceiver } from '@tokentrace/test';
import { runExample } from '../shared/run-example.js';
import { llmCalls } from './span-queries.js';

let receiver: OtlpReceiver;
beforeAll(async () => { receiver = await startOtlpReceiver(); });
afterAll(async () => receiver.close());

// The plans of app.js: one user in ten is enterprise, one in three pro, the rest free.
const tierOf = (userId: string) => {
  const i = Number(userId.slice('user-'.length)) - 1;
  return i % 10 === 9 ? 'enterprise' : i % 3 === 2 ? 'pro' : 'free';
};
const MODELS: Record<string, Record<string, string[]>> = {
  free: { chat: ['gpt-4o-mini'], summarize: ['claude-haiku-4-5'], search: ['gemini-embedding-001', 'gemini-2.5-flash'] },
  pro: { chat: ['gpt-4.1-mini'], summarize: ['claude-haiku-4-5'], search: ['gemini-embedding-001', 'gemini-2.5-flash'] },
  enterprise: { chat: ['gpt-4o'], summarize: ['claude-sonnet-4-6'], search: ['gemini-embedding-001', 'gemini-2.5-pro'] },
};

describe('examples/cost-by-tier', () => {
  it('emits one span per call, each tagged with its user, tier and feature', async () => {
    const run = await runExample('cost-by-tier', { otlpEndpoint: receiver.url, providers: 'emulator', environment: 'production' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const total = Number(/50 users made (\d+) LLM calls/.exec(run.stdout)?.[1]);
    expect(total).toBeGreaterThan(100);

    const calls = llmCalls(receiver.spans);
    expect(calls).toHaveLength(total);
    const users = new Set<string>();
    const requestsByTier: Record<string, number> = {};
    const callsByFeature: Record<string, number> = {};
    for (const call of calls) {
      const a = call.attributes;
      const user = String(a['user.id']);
      const tier = String(a['tokentrace.property.tier']);
      const feature = String(a['tokentrace.property.feature']);
      users.add(user);
      expect(user).toMatch(/^user-\d{3}$/);
      expect({ user, tier, app: a['tokentrace.property.app'] }).toEqual({ user, tier: tierOf(user), app: 'writing-assistant' });
      expect(MODELS[tier][feature]).toContain(a['gen_ai.request.model']);
      expect(a['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(call.resource['deployment.environment.name']).toBe('production');
      callsByFeature[feature] = (callsByFeature[feature] ?? 0) + 1;
      // A search is two calls (embedding, answer); count each request once.
      if (a['gen_ai.operation.name'] !== 'embeddings') requestsByTier[tier] = (requestsByTier[tier] ?? 0) + 1;
    }
    expect(users.size).toBe(50);
    const printed = Object.fromEntries([...run.stdout.matchAll(/\[cost-by-tier\] (\w+): \d+ users, (\d+) requests/g)].map((m) => [m[1], Number(m[2])]));
    expect(requestsByTier).toEqual(printed);
    expect(Object.keys(printed).sort()).toEqual(['enterprise', 'free', 'pro']);
    const printedFeatures = Object.fromEntries([...run.stdout.matchAll(/\[cost-by-tier\] (\w+): \d+ requests, (\d+) LLM calls/g)].map((m) => [m[1], Number(m[2])]));
    expect(callsByFeature).toEqual(printedFeatures);
    expect(Object.keys(printedFeatures).sort()).toEqual(['chat', 'search', 'summarize']);
  });
});
