// A writing assistant with three features (chat, summarize, search) used by many simulated users
// on three plans (free, pro, enterprise). Each plan gets its own models, so cost differs by tier;
// every call carries the user, and `tier` and `feature` as properties, which is all it takes to
// answer "which users, tiers and features cost the most" (see report.js).
//
//   OPENAI_API_KEY=… ANTHROPIC_API_KEY=… GEMINI_API_KEY=… SIMULATED_USERS=10 \
//     node --import @tokentrace/instrumentation/register app.js
//
// With real keys, keep SIMULATED_USERS small: every simulated request is a real, billed call.
import { withContext } from '@tokentrace/instrumentation';
import { createAnthropic, createGemini, createOpenAI } from '../shared/providers.js';

const openai = createOpenAI();
const anthropic = createAnthropic();
const gemini = createGemini();

const USERS = Number(process.env.SIMULATED_USERS ?? 50);
const SEED = Number(process.env.SIMULATED_SEED ?? 7);
const CONCURRENCY = 6;
if (!Number.isInteger(USERS) || USERS < 1) throw new Error(`SIMULATED_USERS must be a positive integer, got ${process.env.SIMULATED_USERS}`);

const PLANS = {
  free: { chat: 'gpt-4o-mini', summarize: 'claude-haiku-4-5', search: 'gemini-2.5-flash', requests: [1, 4] },
  pro: { chat: 'gpt-4.1-mini', summarize: 'claude-haiku-4-5', search: 'gemini-2.5-flash', requests: [3, 8] },
  enterprise: { chat: 'gpt-4o', summarize: 'claude-sonnet-4-6', search: 'gemini-2.5-pro', requests: [6, 12] },
};

const QUESTIONS = [
  'Rewrite this sentence to sound more confident: "I think we could maybe try launching next week."',
  'Suggest three subject lines for an email announcing our new pricing.',
  'What is the difference between "affect" and "effect"? Give one example each.',
  'Make this paragraph shorter without losing the key point: our onboarding has five steps and most users drop off at step three because it asks for billing details too early.',
];
const DOCUMENT = 'Quarterly update. Revenue grew 12% on the previous quarter, driven by the pro plan. Churn fell to 2.1%. Support tickets rose after the March release because of a login regression, fixed in 3.4.1. Next quarter we focus on team workspaces, SSO for enterprise and a faster editor. ';
const SEARCHES = ['onboarding checklist for new customers', 'refund policy for annual plans', 'how to export documents to PDF', 'keyboard shortcuts in the editor'];

// mulberry32, a small seeded generator: the same users make the same requests on every run.
function random(seed) {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const rand = random(SEED);
const pick = (list) => list[Math.floor(rand() * list.length)];
const between = ([min, max]) => min + Math.floor(rand() * (max - min + 1));

const features = {
  chat: (plan, input) => openai.chat.completions.create({ model: plan.chat, messages: [{ role: 'user', content: input }], max_tokens: 300 }),
  summarize: (plan, input) =>
    anthropic.messages.create({ model: plan.summarize, max_tokens: 200, messages: [{ role: 'user', content: `Summarize in two sentences:\n\n${input}` }] }),
  search: async (plan, input) => {
    await gemini.models.embedContent({ model: 'gemini-embedding-001', contents: input });
    return gemini.models.generateContent({ model: plan.search, contents: `Answer from the help center: ${input}` });
  },
};
const inputs = { chat: () => pick(QUESTIONS), summarize: () => DOCUMENT.repeat(between([1, 6])), search: () => pick(SEARCHES) };

// The simulated users: one in ten is enterprise, one in three pro, the rest free.
const users = Array.from({ length: USERS }, (_, i) => {
  const tier = i % 10 === 9 ? 'enterprise' : i % 3 === 2 ? 'pro' : 'free';
  const requests = Array.from({ length: between(PLANS[tier].requests) }, () => {
    const feature = pick(['chat', 'chat', 'summarize', 'search']);
    return { feature, input: inputs[feature]() };
  });
  return { id: `user-${String(i + 1).padStart(3, '0')}`, tier, requests };
});

async function simulate(user) {
  for (const { feature, input } of user.requests) {
    await withContext({ userId: user.id, properties: { tier: user.tier, feature, app: 'writing-assistant' } }, () => features[feature](PLANS[user.tier], input));
  }
}

// A few users at a time, like real traffic.
const queue = [...users];
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  for (let user = queue.shift(); user; user = queue.shift()) await simulate(user);
}));

// Search makes two calls (embedding, then answer); chat and summarize one.
const callsOf = (requests) => requests.reduce((n, r) => n + (r.feature === 'search' ? 2 : 1), 0);
for (const [tier, list] of Object.entries(Object.groupBy(users, (u) => u.tier))) {
  const requests = list.flatMap((u) => u.requests);
  console.log(`[cost-by-tier] ${tier}: ${list.length} users, ${requests.length} requests, ${callsOf(requests)} LLM calls`);
}
for (const [feature, requests] of Object.entries(Object.groupBy(users.flatMap((u) => u.requests), (r) => r.feature))) {
  console.log(`[cost-by-tier] ${feature}: ${requests.length} requests, ${callsOf(requests)} LLM calls`);
}
console.log(`[cost-by-tier] ${users.length} users made ${callsOf(users.flatMap((u) => u.requests))} LLM calls`);
