// A multi-agent research workflow across three providers: a planner (OpenAI) splits the topic
// into three questions, three searchers run in parallel (OpenAI, Anthropic, Gemini; each calls a
// search tool), a summariser (Anthropic, streamed) condenses their findings and a synthesiser
// (OpenAI, streamed) writes the brief. One session holds the whole run; each step has its own
// session path, so the run shows as a tree both by span and by path.
//
//   OPENAI_API_KEY=… ANTHROPIC_API_KEY=… GEMINI_API_KEY=… \
//     node --import @tokentrace/instrumentation/register app.js ["your research topic"]
import { randomUUID } from 'node:crypto';
import { withAgent, withContext, withWorkflow } from '@tokentrace/instrumentation';
import { createAnthropic, createGemini, createOpenAI } from '../shared/providers.js';
import { anthropicSearcher, geminiSearcher, openaiSearcher } from './searchers.js';

const openai = createOpenAI();
const anthropic = createAnthropic();
const gemini = createGemini();

const topic = process.argv[2] ?? 'How are European cities protecting residents from summer heatwaves, and what does it cost?';
const sessionId = `research-${randomUUID().slice(0, 8)}`;

const PLAN_SCHEMA = {
  name: 'research_plan',
  strict: true,
  schema: {
    type: 'object',
    properties: { questions: { type: 'array', items: { type: 'string' }, minItems: 3, maxItems: 3 } },
    required: ['questions'],
    additionalProperties: false,
  },
};

async function plan() {
  const res = await openai.chat.completions.create({
    model: 'gpt-4o-mini',
    response_format: { type: 'json_schema', json_schema: PLAN_SCHEMA },
    messages: [
      { role: 'system', content: 'You plan research. Split the topic into exactly three independent questions a searcher can answer.' },
      { role: 'user', content: topic },
    ],
  });
  const { questions } = JSON.parse(res.choices[0].message.content);
  if (questions.length !== 3) throw new Error(`the planner returned ${questions.length} questions, not 3`);
  return questions;
}

async function summarise(findings) {
  const stream = await anthropic.messages.create({
    model: 'claude-sonnet-4-6',
    max_tokens: 800,
    system: 'Condense the findings into bullet-point notes. Keep every document id cited.',
    messages: [{ role: 'user', content: findings.map((f, i) => `Finding ${i + 1}: ${f}`).join('\n\n') }],
    stream: true,
  });
  let notes = '';
  for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') notes += event.delta.text;
  return notes;
}

async function synthesise(notes) {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o',
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: 'Write a one-paragraph brief for a city council from the research notes.' },
      { role: 'user', content: `Topic: ${topic}\n\nNotes:\n${notes}` },
    ],
  });
  let brief = '';
  for await (const chunk of stream) brief += chunk.choices[0]?.delta?.content ?? '';
  return brief;
}

const searchers = [
  { name: 'searcher-openai', provider: 'openai', model: 'gpt-4o-mini', run: openaiSearcher(openai) },
  { name: 'searcher-anthropic', provider: 'anthropic', model: 'claude-haiku-4-5', run: anthropicSearcher(anthropic) },
  { name: 'searcher-gemini', provider: 'gcp.gemini', model: 'gemini-2.5-flash', run: geminiSearcher(gemini) },
];

console.log(`[research] session ${sessionId}: ${topic}`);
await withContext({ userId: 'analyst-0042', sessionId, sessionName: 'research-brief' }, () =>
  withWorkflow('research-brief', async () => {
    const questions = await withContext({ sessionPath: '/plan' }, () => withAgent({ name: 'planner', model: 'gpt-4o-mini', provider: 'openai' }, plan));
    // Parallel branches: each keeps its own agent span and session path.
    const findings = await Promise.all(
      questions.map((question, i) =>
        withContext({ sessionPath: `/research/search-${i + 1}` }, () =>
          withAgent({ name: searchers[i].name, model: searchers[i].model, provider: searchers[i].provider }, () => searchers[i].run(question)),
        ),
      ),
    );
    const notes = await withContext({ sessionPath: '/summarise' }, () => withAgent({ name: 'summariser', model: 'claude-sonnet-4-6', provider: 'anthropic' }, () => summarise(findings)));
    const brief = await withContext({ sessionPath: '/synthesise' }, () => withAgent({ name: 'synthesiser', model: 'gpt-4o', provider: 'openai' }, () => synthesise(notes)));
    questions.forEach((q, i) => console.log(`[research] question ${i + 1}: ${q}`));
    console.log(`[research] brief: ${brief.slice(0, 160)}${brief.length > 160 ? '…' : ''}`);
  }),
);
