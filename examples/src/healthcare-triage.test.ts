/**
 * examples/healthcare-triage run as users run it (`node --import …/register app.js`) against the
 * provider emulators: every LLM call carries the patient, department, app, environment and the
 * prompt id, and no patient text is recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver, startProviderEmulators, type OtlpReceiver, type ProviderEmulators } from '@tokentrace/test';
import { runExample } from '../shared/run-example.js';
import { llmCalls } from './span-queries.js';

let receiver: OtlpReceiver;
let emulators: ProviderEmulators;

beforeAll(async () => {
  [receiver, emulators] = await Promise.all([startOtlpReceiver(), startProviderEmulators()]);
});
afterAll(async () => Promise.all([receiver.close(), emulators.close()]));

const PATIENTS = { 'patient-20417': 'cardiology', 'patient-31822': 'dermatology', 'patient-11960': 'pediatrics' };

describe('examples/healthcare-triage', () => {
  it('tags every LLM call with patient, department, app, environment and prompt id', async () => {
    const run = await runExample('healthcare-triage', { otlpEndpoint: receiver.url, providers: 'emulator', emulators, environment: 'staging' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.unusedReplies).toBe(0);
    expect(run.stdout).toContain('[providers] openai: local EMULATOR');
    expect(run.stdout).toMatch(/\[triage\] patient-11960 \(pediatrics\): same-day/);

    const calls = llmCalls(receiver.spans);
    expect(calls).toHaveLength(6);
    for (const call of calls) {
      const patient = call.attributes['user.id'] as keyof typeof PATIENTS;
      expect(Object.keys(PATIENTS)).toContain(patient);
      expect(call.attributes).toMatchObject({
        'tokentrace.property.department': PATIENTS[patient],
        'tokentrace.property.app': 'triage-assistant',
        'tokentrace.property.environment': 'staging',
      });
      expect(call.resource['deployment.environment.name']).toBe('staging');
      expect(call.status.code).not.toBe(2);
    }
    // One urgency rating (OpenAI) and one drafted reply (Anthropic) per patient, each with its prompt.
    const prompts = calls.map((c) => `${c.attributes['user.id']} ${c.attributes['gen_ai.provider.name']} ${c.attributes['tokentrace.prompt.id']}`).sort();
    expect(prompts).toEqual(
      Object.keys(PATIENTS).flatMap((p) => [`${p} anthropic patient-reply-v2`, `${p} openai triage-urgency-v3`]).sort(),
    );
    expect(calls.filter((c) => c.attributes['gen_ai.provider.name'] === 'openai').every((c) => c.attributes['gen_ai.output.type'] === 'json')).toBe(true);

    // The tracking headers became attributes and never reached the provider; nor did patient text reach the spans.
    for (const exchange of [...emulators.openai.requests, ...emulators.anthropic.requests]) {
      expect(Object.keys(exchange.request.headers).filter((h) => h.startsWith('helicone-'))).toEqual([]);
    }
    expect(emulators.openai.requests[0].request.body).toContain('fluttering');
    expect(JSON.stringify(receiver.spans)).not.toContain('fluttering');
  });
});
