/**
 * A trace or a session as a tree / waterfall (GET /api/v1/traces/{id} or /sessions/{id}): the
 * run's totals, then every step with its timing, own cost and subtree totals. A session groups
 * its spans by session path (`/research/search-2`), and its traces are listed with links.
 */
import { apiGet, segment } from '../api.js';
import { append, h, panel, route } from '../dom.js';
import { count, dateTime, duration, tokenPair, usd } from '../format.js';
import { waterfall } from '../waterfall.js';

export async function render({ root, params, signal }) {
  const isSession = params.sessionId !== undefined;
  const id = isSession ? params.sessionId : params.traceId;
  const tree = await apiGet(`${isSession ? 'sessions' : 'traces'}/${segment(id)}`, null, signal);
  const t = tree.totals;
  const view = waterfall(tree);

  append(root, [
    h('div', { class: 'page-head' },
      h('h1', null, isSession ? 'Session ' : 'Trace ', h('code', null, id)),
      h('nav', { class: 'links' }, isSession ? h('a', { href: '#/sessions' }, 'All sessions') : null, h('a', { href: '#/requests' }, 'Requests')),
    ),
    h('div', { class: 'cards compact', dataset: { section: 'run-totals' } },
      stat('Cost', usd(t.costUsd), 'cost'),
      stat('Model calls', count(t.modelCalls), 'model-calls'),
      stat('Steps', count(t.spans), 'spans'),
      stat('Tokens in → out', tokenPair(t.inputTokens, t.outputTokens), 'tokens'),
      stat('Duration', duration(tree.durationMs), 'duration'),
      stat('Errors', count(t.errors), 'errors'),
      stat('Started', dateTime(tree.startTime), 'start'),
    ),
    isSession && tree.traceIds.length > 0
      ? h('p', { class: 'trace-links' }, `${tree.traceIds.length === 1 ? 'Trace' : `${tree.traceIds.length} traces`}: `, tree.traceIds.map((traceId, i) => [i > 0 ? ', ' : '', h('a', { href: route('traces', traceId) }, h('code', null, traceId))]))
      : null,
    panel(null,
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', class: 'secondary', onclick: view.expandAll }, 'Expand all'),
        h('button', { type: 'button', class: 'secondary', onclick: view.collapseAll }, 'Collapse all'),
      ),
      view.element,
    ),
  ]);
}

function stat(label, value, name) {
  return h('div', { class: `card${name === 'errors' && value !== '0' ? ' has-errors' : ''}`, dataset: { card: name } },
    h('div', { class: 'card-label' }, label),
    h('div', { class: 'card-value' }, value),
  );
}
