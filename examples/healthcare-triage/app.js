// A patient-portal triage assistant. Messages arrive through each department's portal; the
// assistant rates their urgency with OpenAI (structured output) and drafts a reply for the care
// team with Anthropic. Every LLM call is tagged with the patient (as the user), the department,
// the app and the environment, and with the id of the prompt that made it, so cost and quality
// can be followed per patient, per department and per prompt version.
//
//   OPENAI_API_KEY=… ANTHROPIC_API_KEY=… node --import @tokentrace/instrumentation/register app.js
//
// Only ids and tags are recorded: message content is not captured unless
// OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true, which a health app should leave off.
import { withContext } from '@tokentrace/instrumentation';
import { createAnthropic, createOpenAI } from '../shared/providers.js';

const openai = createOpenAI();
const anthropic = createAnthropic();
const environment = process.env.APP_ENV ?? 'development';

const inbox = [
  { patientId: 'patient-20417', department: 'cardiology', message: 'Since this morning my heart keeps fluttering and I feel dizzy when I stand up. I take bisoprolol 5 mg.' },
  { patientId: 'patient-31822', department: 'dermatology', message: 'The rash on my forearm from last week is spreading and feels warm to the touch. No fever.' },
  { patientId: 'patient-11960', department: 'pediatrics', message: 'My 4-year-old has had a fever of 38.5 °C for two days and is drinking less than usual.' },
];

const URGENCY_SCHEMA = {
  name: 'triage',
  strict: true,
  schema: {
    type: 'object',
    properties: {
      urgency: { type: 'string', enum: ['emergency', 'same-day', 'routine'] },
      reason: { type: 'string' },
    },
    required: ['urgency', 'reason'],
    additionalProperties: false,
  },
};

async function rateUrgency({ department, message }) {
  const res = await openai.chat.completions.create(
    {
      model: 'gpt-4o-mini',
      temperature: 0,
      response_format: { type: 'json_schema', json_schema: URGENCY_SCHEMA },
      messages: [
        { role: 'system', content: `You triage patient messages for the ${department} department. Rate the urgency: emergency (call 112 now), same-day (a clinician calls back today) or routine.` },
        { role: 'user', content: message },
      ],
    },
    // The Helicone headers work without the Helicone proxy: tokentrace reads them into the span.
    { headers: { 'Helicone-Prompt-Id': 'triage-urgency-v3' } },
  );
  return JSON.parse(res.choices[0].message.content);
}

async function draftReply({ department, message }, triage) {
  const res = await anthropic.messages.create(
    {
      model: 'claude-sonnet-4-6',
      max_tokens: 400,
      system: `You draft replies for the ${department} care team to review before sending. Be kind and concrete; never diagnose. The message was triaged as ${triage.urgency}: ${triage.reason}`,
      messages: [{ role: 'user', content: message }],
    },
    { headers: { 'Helicone-Prompt-Id': 'patient-reply-v2' } },
  );
  return res.content.filter((block) => block.type === 'text').map((block) => block.text).join('');
}

for (const item of inbox) {
  // Everything inside carries the patient and the tags; async children inherit them.
  await withContext({ userId: item.patientId, properties: { department: item.department, app: 'triage-assistant', environment } }, async () => {
    const triage = await rateUrgency(item);
    const draft = await draftReply(item, triage);
    console.log(`[triage] ${item.patientId} (${item.department}): ${triage.urgency} (${triage.reason})`);
    console.log(`         draft: ${draft.slice(0, 90)}${draft.length > 90 ? '…' : ''}`);
  });
}
