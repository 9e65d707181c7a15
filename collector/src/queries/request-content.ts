/**
 * The captured content of a request, read from the GenAI content attributes when the app opted
 * in to capturing them (`gen_ai.system_instructions`, `gen_ai.input.messages`,
 * `gen_ai.output.messages`; semantic conventions v1.41.0). Instrumentation stores each as JSON
 * text; text cut at the configured size limit is no longer valid JSON and is returned as the
 * string it is, so nothing captured is hidden.
 */
import { ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS } from '@tokentrace/semconv';
import type { RequestDetail } from './query-model.js';

export function capturedContent(attributes: Record<string, string>): RequestDetail['content'] {
  const system = attributes[ATTR_GEN_AI_SYSTEM_INSTRUCTIONS];
  const input = attributes[ATTR_GEN_AI_INPUT_MESSAGES];
  const output = attributes[ATTR_GEN_AI_OUTPUT_MESSAGES];
  if (system === undefined && input === undefined && output === undefined) return null;
  return { system: parsed(system), input: parsed(input), output: parsed(output) };
}

function parsed(value: string | undefined): unknown {
  if (value === undefined) return null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
