/**
 * The dashboard's entry: a hash router over the views (one module each, loaded on first use).
 * Each navigation renders into a fresh container and aborts the previous view's API calls, so a
 * slow answer for a page already left never paints over the current one. `body[data-state]`
 * says loading / ready / error (tests and screen readers wait on it).
 */
import { ApiError } from './api.js';
import { h, notice } from './dom.js';
import { renderKeyPrompt } from './key-prompt.js';

/** [pattern, view module, nav section]; `:x` captures a path segment. */
const ROUTES = [
  ['overview', './views/overview.js', 'overview'],
  ['requests', './views/requests.js', 'requests'],
  ['requests/:traceId/:spanId', './views/request-detail.js', 'requests'],
  ['traces/:traceId', './views/run-tree.js', 'sessions'],
  ['sessions', './views/sessions.js', 'sessions'],
  ['sessions/:sessionId', './views/run-tree.js', 'sessions'],
  ['users', './views/users.js', 'users'],
  ['explain', './views/explain.js', 'explain'],
  ['forecast', './views/forecast.js', 'forecast'],
  ['alerts', './views/alerts.js', 'alerts'],
  ['alerts/:id', './views/alert-editor.js', 'alerts'],
];

const view = document.getElementById('view');
let current = null;

/** `#/requests/t/s?filter=x` → { path: ['requests','t','s'], query }. */
function parseHash() {
  const raw = location.hash.replace(/^#\/?/, '');
  const [pathText, queryText = ''] = raw.split(/\?(.*)/s, 2);
  const path = pathText.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  return { path, query: new URLSearchParams(queryText) };
}

function match(path) {
  for (const [pattern, module, section] of ROUTES) {
    const parts = pattern.split('/');
    if (parts.length !== path.length) continue;
    const params = {};
    if (parts.every((p, i) => (p.startsWith(':') ? ((params[p.slice(1)] = path[i]), true) : p === path[i]))) return { module, section, params };
  }
  return null;
}

async function navigate() {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { path, query } = parseHash();
  if (path.length === 0) {
    location.replace('#/overview');
    return;
  }
  const route = match(path);
  for (const link of document.querySelectorAll('[data-nav]')) {
    link.toggleAttribute('aria-current', link.dataset.nav === route?.section);
  }
  const root = h('div', { class: 'page' });
  view.replaceChildren(root);
  document.body.dataset.state = 'loading';
  try {
    if (!route) throw new Error(`No page at #/${path.join('/')}`);
    const module = await import(route.module);
    await module.render({ root, params: route.params, query, path, signal: controller.signal, go: (hash) => (location.hash = hash) });
    if (!controller.signal.aborted) document.body.dataset.state = 'ready';
  } catch (err) {
    if (controller.signal.aborted) return;
    showFailure(err);
  }
}

/** A failed view: the key form on 401, else the error in place of the page. */
function showFailure(err) {
  document.body.dataset.state = 'error';
  if (err instanceof ApiError && err.status === 401) {
    renderKeyPrompt(view, { unauthorized: true, message: err.message, onDone: navigate });
    return;
  }
  const detail = err instanceof ApiError ? `${err.message} (${err.code}, HTTP ${err.status})` : err.message;
  view.replaceChildren(h('div', { class: 'page' }, notice('error', detail)));
}

document.getElementById('api-key-button').addEventListener('click', () => {
  current?.abort();
  renderKeyPrompt(view, { unauthorized: false, onDone: navigate });
});
window.addEventListener('hashchange', navigate);
navigate();
