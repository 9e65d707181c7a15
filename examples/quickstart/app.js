// A small support assistant, instrumented with no code change beyond the optional tracking API:
// run it with `node --import @tokentrace/instrumentation/register app.js`.
// It classifies a ticket with OpenAI, drafts a streamed answer with Anthropic, and embeds the
// ticket with Gemini for search, inside a workflow and agent spans, for one user and session.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { withAgent, withContext, withTool, withWorkflow } from '@tokentrace/instrumentation';

const openai = new OpenAI({ apiKey: process.env.OPENAI_API_KEY, baseURL: process.env.DEMO_OPENAI_BASE_URL });
const anthropic = new Anthropic({ apiKey: process.env.ANTHROPIC_API_KEY, baseURL: process.env.DEMO_ANTHROPIC_BASE_URL });
const gemini = new GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY, httpOptions: { baseUrl: process.env.DEMO_GEMINI_BASE_URL } });

const ticket = 'My invoice for March was charged twice. Can you refund the duplicate?';

await withContext({ userId: 'customer-1017', sessionId: 'ticket-4711', sessionName: 'support-ticket', properties: { app: 'support-desk', environment: 'demo' } }, () =>
  withWorkflow('answer-ticket', async () => {
    const category = await withAgent({ name: 'triage' }, async () => {
      const res = await openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Classify the ticket: billing, technical or other.' }, { role: 'user', content: ticket }] },
        { headers: { 'Helicone-Session-Path': '/triage', 'Helicone-Prompt-Id': 'triage-v2' } },
      );
      return res.choices[0].message.content;
    });

    await withTool({ name: 'search_similar_tickets' }, () =>
      withContext({ sessionPath: '/search' }, () => gemini.models.embedContent({ model: 'text-embedding-004', contents: ticket })),
    );

    const answer = await withAgent({ name: 'writer' }, () =>
      withContext({ sessionPath: '/draft' }, async () => {
        const stream = await anthropic.messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 300,
          system: `You answer ${category} tickets politely.`,
          messages: [{ role: 'user', content: ticket }],
          stream: true,
        });
        let text = '';
        for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
        return text;
      }),
    );
    console.log(`[app] category: ${category}`);
    console.log(`[app] answer: ${answer.slice(0, 100)}${answer.length > 100 ? '…' : ''}`);
  }),
);
