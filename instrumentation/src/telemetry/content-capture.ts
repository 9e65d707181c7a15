/**
 * Opt-in message content (gen_ai.input.messages, gen_ai.output.messages,
 * gen_ai.system_instructions): redaction hook, then JSON in the conventions' shape, shortened to
 * the configured size so that the result stays valid JSON of the same shape: first the longest
 * strings are cut, then, when many short items remain, items are dropped from the middle of the
 * longest arrays (the first and the latest messages are the ones worth keeping).
 */
import type { ContentKind, RedactContentHook } from '../types.js';

const TRUNCATION_MARK = '…[truncated]';

export interface SerializedContent {
  json: string;
  truncated: boolean;
}

/** Returns undefined when the hook dropped the content. Throws only if the hook throws. */
export function serializeContent(
  content: unknown,
  kind: ContentKind,
  maxLength: number,
  redact?: RedactContentHook,
): SerializedContent | undefined {
  const value = redact ? redact(structuredClone(content), kind) : content;
  if (value === undefined || value === null) return undefined;
  let json = JSON.stringify(value);
  if (json.length <= maxLength) return { json, truncated: false };
  const copy = structuredClone(value);
  // Halve the longest string until the whole fits; bounded because each pass shrinks it.
  for (let pass = 0; pass < 64 && json.length > maxLength; pass++) {
    const longest = findLongestString(copy);
    if (!longest || longest.value.length <= TRUNCATION_MARK.length * 2) break;
    const excess = json.length - maxLength;
    const keep = Math.max(0, Math.min(Math.floor(longest.value.length / 2), longest.value.length - excess - TRUNCATION_MARK.length));
    longest.holder[longest.key] = longest.value.slice(0, keep) + TRUNCATION_MARK;
    json = JSON.stringify(copy);
  }
  for (let pass = 0; pass < 10_000 && json.length > maxLength; pass++) {
    const longest = findLongestArray(copy);
    if (!longest) break;
    longest.splice(Math.floor(longest.length / 2), 1);
    json = JSON.stringify(copy);
  }
  if (json.length > maxLength) json = Array.isArray(copy) ? '[]' : '{}';
  return { json, truncated: true };
}

function findLongestArray(root: unknown): unknown[] | undefined {
  let best: unknown[] | undefined;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    if (Array.isArray(node) && node.length > 1 && (!best || node.length > best.length)) best = node;
    for (const v of Object.values(node)) if (v !== null && typeof v === 'object') stack.push(v);
  }
  return best;
}

interface StringSlot {
  holder: Record<string | number, unknown>;
  key: string | number;
  value: string;
}

function findLongestString(root: unknown): StringSlot | undefined {
  let best: StringSlot | undefined;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const holder = node as Record<string | number, unknown>;
    for (const key of Object.keys(holder)) {
      const v = holder[key];
      if (typeof v === 'string') {
        if (!best || v.length > best.value.length) best = { holder, key, value: v };
      } else if (v !== null && typeof v === 'object') stack.push(v);
    }
  }
  return best;
}
