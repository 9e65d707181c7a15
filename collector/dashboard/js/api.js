/**
 * The HTTP API client of the pages (/api/v1, same origin as the dashboard). Sends the API key the
 * user entered (kept in localStorage) as `Authorization: Bearer`; with no key configured on the
 * collector none is needed. Failures become ApiError carrying the API's error body
 * (`{ error: { code, message, position?, path? } }`), so a page can show where a filter is wrong.
 */

const KEY_STORAGE = 'tokentrace.apiKey';

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** 0-based offset in the filter text, for TOKENTRACE_INVALID_FILTER. */
    this.position = details.position;
    this.path = details.path;
  }
}

export function getApiKey() {
  return localStorage.getItem(KEY_STORAGE) ?? '';
}

export function setApiKey(key) {
  if (key) localStorage.setItem(KEY_STORAGE, key);
  else localStorage.removeItem(KEY_STORAGE);
}

/**
 * The API lives at /api/v1 next to /dashboard/; resolving against the page keeps working when a
 * reverse proxy serves the collector under a path prefix.
 */
function apiUrl(path, params) {
  const url = new URL(`../api/v1/${path}`, document.baseURI);
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
  }
  return url;
}

async function send(url, init) {
  const headers = { Accept: 'application/json', ...(init.headers ?? {}) };
  const key = getApiKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(url, { ...init, headers });
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (a proxy's error page): reported below with the status line.
  }
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? `HTTP_${response.status}`, error.message ?? `${response.status} ${response.statusText}`, error);
  }
  return body;
}

/** GET /api/v1/<path>?<params>; empty params are left out. */
export function apiGet(path, params, signal) {
  return send(apiUrl(path, params), { method: 'GET', signal });
}

/** POST /api/v1/<path> with a JSON body. */
export function apiPost(path, body, signal) {
  return send(apiUrl(path), { method: 'POST', signal, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

/** PUT / DELETE (and any method) on /api/v1/<path>, with a JSON body when given; null for 204. */
export function apiSend(method, path, body, signal) {
  const init = { method, signal };
  if (body !== undefined) Object.assign(init, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return send(apiUrl(path), init);
}

/** A path segment of the API (ids are user data). */
export function segment(value) {
  return encodeURIComponent(value);
}
