// npm run demo: runs examples/quickstart/app.js as users run their apps, with
// `node --import @tokentrace/instrumentation/register`, exporting OTLP to a local receiver, and
// prints the spans it produced as a tree. Without provider keys in the environment the app talks
// to local provider emulators that speak each provider's wire format (and this says so).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ATTR_GEN_AI_CONVERSATION_ID, ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, ATTR_USER_ID } from '@tokentrace/semconv';
import { startOtlpReceiver, startProviderEmulators } from '@tokentrace/test';
import { renderSpanTree } from './span-tree.js';

const haveKeys = Boolean(process.env.OPENAI_API_KEY && process.env.ANTHROPIC_API_KEY && process.env.GEMINI_API_KEY);
const receiver = await startOtlpReceiver();
const emulators = haveKeys ? undefined : await startProviderEmulators();
console.log(haveKeys ? 'Using the real providers (keys found in the environment).' : emulators.describe());

const env = {
  ...process.env,
  ...receiver.env(),
  OTEL_SERVICE_NAME: 'support-desk-demo',
  OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=demo',
};
if (emulators) {
  Object.assign(env, {
    OPENAI_API_KEY: 'sk-demo-emulator',
    ANTHROPIC_API_KEY: 'sk-ant-demo-emulator',
    GEMINI_API_KEY: 'demo-emulator-key',
    DEMO_OPENAI_BASE_URL: emulators.urls.openai,
    DEMO_ANTHROPIC_BASE_URL: emulators.urls.anthropic,
    DEMO_GEMINI_BASE_URL: emulators.urls.gemini,
    TOKENTRACE_ENDPOINTS: `openai=${emulators.openai.url},anthropic=${emulators.anthropic.url},gcp.gemini=${emulators.gemini.url}`,
  });
}

const app = fileURLToPath(new URL('./app.js', import.meta.url));
console.log(`\n$ node --import @tokentrace/instrumentation/register ${app}`);
const child = spawn(process.execPath, ['--import', '@tokentrace/instrumentation/register', app], { env, stdio: 'inherit' });
const [code] = await once(child, 'exit');
if (code !== 0) throw new Error(`the app exited with ${code}`);

const llmSpans = receiver.spans.filter((s) => s.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] !== undefined);
console.log(`\nSpans exported by the app (${receiver.spans.length}, ${llmSpans.length} LLM calls):\n`);
console.log(renderSpanTree(receiver.spans));
const totals = llmSpans.reduce((t, s) => ({ in: t.in + Number(s.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]), out: t.out + Number(s.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] ?? 0) }), { in: 0, out: 0 });
console.log(`\nTotal: ${llmSpans.length} LLM calls, ${totals.in} input and ${totals.out} output tokens, user ${llmSpans[0]?.attributes[ATTR_USER_ID]}, session ${llmSpans[0]?.attributes[ATTR_GEN_AI_CONVERSATION_ID]}.`);

await Promise.all([receiver.close(), emulators?.close()]);
// The demo checks itself: three LLM calls under one workflow, or it fails.
if (llmSpans.length !== 3 || !receiver.spans.some((s) => s.name === 'invoke_workflow answer-ticket')) {
  console.error('demo check failed: expected 3 LLM spans under the answer-ticket workflow');
  process.exit(1);
}
