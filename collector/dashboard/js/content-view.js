/**
 * Captured content of a request (opt-in at the instrumentation), rendered readably: the GenAI
 * conventions' message shape (`{ role, parts: [{ type: 'text', content } | tool_call | …] }`,
 * system instructions as a list of parts) becomes one block per message with its role; anything
 * else (truncated JSON kept as text, other shapes) is shown as formatted text.
 */
import { h } from './dom.js';

/** `content`: RequestDetail.content ({ system, input, output }) or null. */
export function contentView(content) {
  if (!content) return h('p', { class: 'muted' }, 'No content was captured for this request (content capture is opt-in).');
  return h('div', { class: 'content' },
    section('System', content.system, 'system'),
    section('Input', content.input, 'user'),
    section('Output', content.output, 'assistant'),
  );
}

function section(title, value, defaultRole) {
  if (value === null || value === undefined) return null;
  return h('div', { class: 'content-section', dataset: { section: title.toLowerCase() } }, h('h3', null, title), messages(value, defaultRole));
}

function messages(value, defaultRole) {
  if (typeof value === 'string') return h('pre', { class: 'message-text' }, value);
  if (!Array.isArray(value)) return json(value);
  // System instructions are a bare list of parts: one message.
  if (value.every((item) => item && typeof item === 'object' && 'type' in item && !('parts' in item))) {
    return message({ role: defaultRole, parts: value });
  }
  return h('div', null, value.map((item) => (item && typeof item === 'object' && Array.isArray(item.parts) ? message(item) : json(item))));
}

function message(msg) {
  return h('article', { class: `message role-${String(msg.role ?? 'unknown').replace(/[^a-z_-]/gi, '')}` },
    h('header', null, h('span', { class: 'role' }, String(msg.role ?? 'message')), msg.finish_reason ? h('span', { class: 'muted' }, ` · finish: ${msg.finish_reason}`) : null),
    msg.parts.map(part),
  );
}

function part(p) {
  if (!p || typeof p !== 'object') return json(p);
  switch (p.type) {
    case 'text':
      return h('pre', { class: 'message-text' }, String(p.content ?? ''));
    case 'reasoning':
      return h('div', { class: 'part reasoning' }, h('span', { class: 'part-label' }, 'reasoning'), h('pre', { class: 'message-text' }, String(p.content ?? '')));
    case 'tool_call':
      return h('div', { class: 'part tool' }, h('span', { class: 'part-label' }, `tool call ${p.name ?? ''}${p.id ? ` (${p.id})` : ''}`), json(p.arguments));
    case 'tool_call_response':
      return h('div', { class: 'part tool' }, h('span', { class: 'part-label' }, `tool result${p.id ? ` (${p.id})` : ''}`), json(p.response));
    case 'blob':
    case 'uri':
    case 'file':
      // Inline bytes are not rendered: a label says what was sent.
      return h('div', { class: 'part media' }, h('span', { class: 'part-label' }, `${p.modality ?? 'media'} ${p.type}`), ` ${p.mime_type ?? ''} ${p.uri ?? p.file_id ?? ''}`);
    default:
      return json(p);
  }
}

function json(value) {
  return h('pre', { class: 'message-json' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}
