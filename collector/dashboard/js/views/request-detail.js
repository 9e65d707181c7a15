/**
 * One request in full (GET /api/v1/requests/{traceId}/{spanId}): what was called and how it
 * went, the cost by token kind, the captured content (system / input / output messages), the
 * custom properties, and every attribute, resource attribute and event as stored. Links lead to
 * the request's trace and session trees.
 */
import { apiGet, segment } from '../api.js';
import { contentView } from '../content-view.js';
import { append, facts, h, panel, route } from '../dom.js';
import { count, dateTime, duration, usdExact } from '../format.js';
import { attemptBadge, attemptsHref, statusBadge } from './requests.js';

export async function render({ root, params, signal }) {
  const r = await apiGet(`requests/${segment(params.traceId)}/${segment(params.spanId)}`, null, signal);

  append(root, [
    h('div', { class: 'page-head' },
      h('h1', null, r.name || 'Request', ' ', statusBadge(r), r.resendCount > 0 ? [' ', attemptBadge(r)] : null),
      h('nav', { class: 'links' },
        h('a', { href: route('traces', r.traceId) }, 'Trace tree'),
        r.sessionId ? h('a', { href: route('sessions', r.sessionId) }, 'Session tree') : null,
        r.resendCount > 0 ? h('a', { href: attemptsHref(r), class: 'attempts-link' }, 'All attempts') : null,
        h('a', { href: '#/requests' }, 'All requests'),
      ),
    ),
    h('div', { class: 'columns two' },
      panel('Request', facts([
        ['Time', dateTime(r.startTime)],
        ['Duration', duration(r.durationMs)],
        ['Time to first token', r.ttftMs === null ? null : duration(r.ttftMs)],
        ['Provider', r.provider],
        ['Operation', r.operation],
        ['Requested model', r.requestModel],
        ['Response model', r.responseModel],
        ['User', r.userId],
        ['Session', r.sessionId ? h('a', { href: route('sessions', r.sessionId) }, r.sessionName ? `${r.sessionName} · ${r.sessionId}` : r.sessionId) : null],
        ['Session path', r.sessionPath],
        ['Prompt', r.promptId],
        ['Service', r.serviceName],
        ['Environment', r.environment],
        ['Status', r.status === 'error' ? `error ${r.errorType}${r.statusMessage ? `: ${r.statusMessage}` : ''}` : r.status],
        ['Attempt', r.resendCount > 0 ? `${r.resendCount + 1} (retry ${r.resendCount} of the same request)` : '1'],
        ['Trace id', h('a', { href: route('traces', r.traceId) }, r.traceId)],
        ['Span id', r.spanId],
        ['Parent span id', r.parentSpanId],
        ['Span kind', r.kind],
        ['Instrumentation', r.scopeName ? `${r.scopeName} ${r.scopeVersion}` : null],
      ])),
      panel('Cost', costTable(r), facts([['Priced as', r.pricedModel], ['Cost status', r.costStatus]])),
    ),
    Object.keys(r.properties ?? {}).length > 0 ? panel('Properties', keyValues(r.properties)) : null,
    panel('Content', contentView(r.content)),
    panel('Attributes', keyValues(r.attributes)),
    panel('Resource', keyValues(r.resourceAttributes)),
    r.events.length > 0 ? panel('Events', r.events.map((e) => h('div', { class: 'event' }, h('h3', null, `${dateTime(e.time)} ${e.name}`), keyValues(e.attributes)))) : null,
  ]);
}

function costTable(r) {
  const row = (label, tokens, cost) => h('tr', null, h('th', { scope: 'row' }, label), h('td', { class: 'num' }, count(tokens)), h('td', { class: 'num' }, usdExact(cost)));
  return h('table', { class: 'data compact cost-breakdown' },
    h('thead', null, h('tr', null, h('th', null, ''), h('th', { class: 'num' }, 'Tokens'), h('th', { class: 'num' }, 'Cost'))),
    h('tbody', null,
      row('Input', r.inputTokens, r.cost.inputUsd),
      row('Output', r.outputTokens, r.cost.outputUsd),
      row('Cache read', r.cacheReadTokens, r.cost.cacheReadUsd),
      row('Cache write', r.cacheCreationTokens, r.cost.cacheWriteUsd),
      r.reasoningTokens === null ? null : h('tr', { class: 'muted' }, h('th', { scope: 'row' }, 'of which reasoning'), h('td', { class: 'num' }, count(r.reasoningTokens)), h('td', null, '')),
    ),
    h('tfoot', null, h('tr', null, h('th', { scope: 'row' }, 'Total'), h('td', null, ''), h('td', { class: 'num total' }, usdExact(r.cost.totalUsd)))),
  );
}

/** Attributes sorted by key, values as stored (strings: a non-string attribute is stored as its JSON text). */
function keyValues(object) {
  const keys = Object.keys(object ?? {}).sort();
  if (keys.length === 0) return h('p', { class: 'muted' }, 'None.');
  return h('table', { class: 'data compact kv' }, h('tbody', null, keys.map((key) => {
    const value = object[key];
    return h('tr', null, h('th', { scope: 'row' }, key), h('td', null, h('span', { class: 'kv-value' }, typeof value === 'string' ? value : JSON.stringify(value))));
  })));
}
