import { describe, expect, it } from 'vitest';
import { normalizeProviderName } from './provider-names.js';

describe('normalizeProviderName', () => {
  it.each([
    ['openai', 'openai'],
    ['OpenAI', 'openai'],
    ['Anthropic', 'anthropic'],
    ['az.ai.openai', 'azure.ai.openai'],
    ['azure', 'azure.ai.openai'],
    ['az.ai.inference', 'azure.ai.inference'],
    ['aws', 'aws.bedrock'],
    ['Bedrock', 'aws.bedrock'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['gemini', 'gcp.gemini'],
    ['google', 'gcp.gemini'],
    ['vertexai', 'gcp.vertex_ai'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['vertex.anthropic.messages', 'gcp.vertex_ai'],
    ['google.generative-ai', 'gcp.gemini'],
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['azure.chat', 'azure.ai.openai'],
    ['mistralai', 'mistral_ai'],
    ['mistral.chat', 'mistral_ai'],
    ['xai', 'x_ai'],
    ['xai.chat', 'x_ai'],
    ['groq.chat', 'groq'],
    ['deepseek.chat', 'deepseek'],
    ['togetherai.chat', 'together_ai'],
    ['ibm.watsonx.ai', 'ibm.watsonx.ai'],
    [' Acme-Cloud ', 'acme-cloud'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeProviderName(raw)).toBe(expected);
  });
});
