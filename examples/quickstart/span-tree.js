// Renders received OTLP spans as an indented tree, one line per span: the name, duration, and for
// LLM calls the tokens, time to first chunk and who/which session the call belongs to.
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_TOKENTRACE_SESSION_PATH,
} from '@tokentrace/semconv';

const num = (v) => (typeof v === 'number' ? v : v === undefined ? undefined : Number(v));

export function renderSpanTree(spans) {
  const byParent = new Map();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    const parent = span.parentSpanId && ids.has(span.parentSpanId) ? span.parentSpanId : 'root';
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(span);
  }
  for (const list of byParent.values()) list.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
  const lines = [];
  const walk = (parent, depth) => {
    for (const span of byParent.get(parent) ?? []) {
      lines.push(`${'  '.repeat(depth)}${describeSpan(span)}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk('root', 0);
  return lines.join('\n');
}

function describeSpan(span) {
  const a = span.attributes;
  const ms = Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6;
  const parts = [`${span.name}`, `${ms.toFixed(1)} ms`];
  if (a[ATTR_GEN_AI_PROVIDER_NAME] && num(a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]) !== undefined) {
    parts.push(`${a[ATTR_GEN_AI_PROVIDER_NAME]}`, `in ${a[ATTR_GEN_AI_USAGE_INPUT_TOKENS]} / out ${a[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] ?? 0} tokens`);
    const ttfc = num(a[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]);
    if (ttfc !== undefined) parts.push(`ttfc ${(ttfc * 1000).toFixed(0)} ms`);
    if (a[ATTR_TOKENTRACE_SESSION_PATH]) parts.push(`path ${a[ATTR_TOKENTRACE_SESSION_PATH]}`);
  }
  if (a[ATTR_ERROR_TYPE]) parts.push(`ERROR ${a[ATTR_ERROR_TYPE]}`);
  if (!a[ATTR_GEN_AI_OPERATION_NAME]) parts.push('(http)');
  return parts.join('  ·  ');
}
