// helpdesk-api: a small HTTP service whose handler summarises a support ticket with OpenAI. It
// already traces itself with its own OpenTelemetry SDK (tracing.js): a server span per request
// and its own `summarize-ticket` span. Run with tokentrace joining that setup:
//
//   OPENAI_API_KEY=… OTLP_BACKEND_URL=http://localhost:4318 \
//     node --import ./tracing.js --import @tokentrace/instrumentation/register app.js
//
// The LLM span then appears as a child of `summarize-ticket`, in the same trace, exported once,
// by the app's exporter to the app's backend.
import { createServer } from 'node:http';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { withContext } from '@tokentrace/instrumentation';
import { createOpenAI } from '../shared/providers.js';

const tracer = trace.getTracer('helpdesk-api');
const openai = createOpenAI();

const tickets = {
  'T-1001': { customer: 'acme-corp', text: 'Since Monday our SSO login loops back to the sign-in page for everyone on Safari. Chrome works. We changed nothing on our side.' },
  'T-1002': { customer: 'globex', text: 'We were charged for 40 seats but only have 32 active members. Please correct the invoice for November.' },
};

function summarizeTicket(id) {
  const ticket = tickets[id];
  // The app's own span; tokentrace's LLM span nests under it like any other child.
  return tracer.startActiveSpan('summarize-ticket', { attributes: { 'helpdesk.ticket.id': id } }, async (span) => {
    try {
      const res = await withContext({ userId: ticket.customer, properties: { app: 'helpdesk-api', feature: 'ticket-summary' } }, () =>
        openai.chat.completions.create({
          model: 'gpt-4o-mini',
          max_tokens: 120,
          messages: [
            { role: 'system', content: 'Summarise the support ticket in one sentence for the on-call engineer.' },
            { role: 'user', content: ticket.text },
          ],
        }),
      );
      return res.choices[0].message.content;
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

const server = createServer(async (req, res) => {
  const id = /^\/tickets\/([\w-]+)\/summary$/.exec(req.url ?? '')?.[1];
  if (req.method !== 'POST' || !id || !tickets[id]) {
    res.writeHead(404).end();
    return;
  }
  try {
    const summary = await summarizeTicket(id);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, summary }));
  } catch (err) {
    res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(err) }));
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;

// A short run: ask the service for each ticket's summary, then stop.
for (const id of Object.keys(tickets)) {
  const res = await fetch(`${base}/tickets/${id}/summary`, { method: 'POST' });
  const body = await res.json();
  console.log(`[helpdesk-api] POST /tickets/${id}/summary → ${res.status}: ${body.summary ?? body.error}`);
}
server.close();
