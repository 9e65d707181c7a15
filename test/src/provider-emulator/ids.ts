// Identifier generators in each provider's visible format (chatcmpl-…, resp_…, msg_01…, toolu_01…),
// so instrumentation that records response ids sees realistic values.
import { randomBytes, randomUUID } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Random base-62 string of the given length. */
export function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return out;
}

/** Random lowercase hex string of the given length. */
export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

export const newId = {
  chatCompletion: (): string => `chatcmpl-${randomAlphanumeric(29)}`,
  completion: (): string => `cmpl-${randomAlphanumeric(29)}`,
  openAiToolCall: (): string => `call_${randomAlphanumeric(24)}`,
  openAiRequest: (): string => `req_${randomHex(32)}`,
  response: (): string => `resp_${randomHex(48)}`,
  responseMessage: (): string => `msg_${randomHex(48)}`,
  responseReasoning: (): string => `rs_${randomHex(48)}`,
  responseFunctionCall: (): string => `fc_${randomHex(48)}`,
  systemFingerprint: (): string => `fp_${randomHex(10)}`,
  anthropicMessage: (): string => `msg_01${randomAlphanumeric(22)}`,
  anthropicToolUse: (): string => `toolu_01${randomAlphanumeric(22)}`,
  anthropicRequest: (): string => `req_01${randomAlphanumeric(22)}`,
  geminiResponse: (): string => randomAlphanumeric(22),
  bedrockToolUse: (): string => `tooluse_${randomAlphanumeric(22)}`,
  uuid: (): string => randomUUID(),
};
