// Creates the provider SDK clients the examples use, from the environment, and says where each
// one points. With a provider's API key set (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY)
// the client calls the real API. examples/shared/run-example.js runs an example without keys: it
// starts local provider emulators (same wire formats, no request leaves the machine) and passes
// their URLs in DEMO_OPENAI_BASE_URL, DEMO_ANTHROPIC_BASE_URL and DEMO_GEMINI_BASE_URL, the
// variables the quickstart uses too.
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';

const PROVIDERS = {
  openai: { keyVar: 'OPENAI_API_KEY', urlVar: 'DEMO_OPENAI_BASE_URL', realHost: 'api.openai.com' },
  anthropic: { keyVar: 'ANTHROPIC_API_KEY', urlVar: 'DEMO_ANTHROPIC_BASE_URL', realHost: 'api.anthropic.com' },
  gemini: { keyVar: 'GEMINI_API_KEY', urlVar: 'DEMO_GEMINI_BASE_URL', realHost: 'generativelanguage.googleapis.com' },
};

/** Where the client for `provider` points: the emulator URL when one is given, else the real API (which needs the key). */
export function providerTarget(provider, env = process.env) {
  const { keyVar, urlVar, realHost } = PROVIDERS[provider];
  const emulatorUrl = env[urlVar] || undefined;
  if (!emulatorUrl && !env[keyVar]) {
    throw new Error(
      `${keyVar} is not set. Set it to call ${realHost}, or run the example with ` +
        '`node examples/shared/run-example.js <example>`, which starts local provider emulators.',
    );
  }
  return { apiKey: env[keyVar], baseUrl: emulatorUrl, emulated: Boolean(emulatorUrl), realHost };
}

function announce(provider, target) {
  console.log(
    target.emulated
      ? `[providers] ${provider}: local EMULATOR at ${target.baseUrl} (a stand-in speaking the ${target.realHost} wire format; not the real service)`
      : `[providers] ${provider}: ${target.realHost} (${PROVIDERS[provider].keyVar} is set)`,
  );
}

export function createOpenAI() {
  const target = providerTarget('openai');
  announce('openai', target);
  return new OpenAI({ apiKey: target.apiKey, baseURL: target.baseUrl });
}

export function createAnthropic() {
  const target = providerTarget('anthropic');
  announce('anthropic', target);
  return new Anthropic({ apiKey: target.apiKey, baseURL: target.baseUrl });
}

export function createGemini() {
  const target = providerTarget('gemini');
  announce('gemini', target);
  return new GoogleGenAI({ apiKey: target.apiKey, httpOptions: target.baseUrl ? { baseUrl: target.baseUrl } : undefined });
}
