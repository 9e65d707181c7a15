// Renders received OTLP spans as an indented tree, one line per span: the name, duration, and for
// LLM calls the tokens, time to first chunk and who/which session the call belongs to.
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
  if (a['gen_ai.provider.name'] && num(a['gen_ai.usage.input_tokens']) !== undefined) {
    parts.push(`${a['gen_ai.provider.name']}`, `in ${a['gen_ai.usage.input_tokens']} / out ${a['gen_ai.usage.output_tokens'] ?? 0} tokens`);
    if (a['gen_ai.response.time_to_first_chunk'] !== undefined) parts.push(`ttfc ${(num(a['gen_ai.response.time_to_first_chunk']) * 1000).toFixed(0)} ms`);
    if (a['tokentrace.session.path']) parts.push(`path ${a['tokentrace.session.path']}`);
  }
  if (a['error.type']) parts.push(`ERROR ${a['error.type']}`);
  if (!a['gen_ai.operation.name']) parts.push('(http)');
  return parts.join('  ·  ');
}
