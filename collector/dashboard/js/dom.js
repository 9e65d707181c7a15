/**
 * Builds DOM elements without ever parsing HTML. Span names, user ids, prompts and completions
 * are user data: they go into the page only as text nodes or attribute values, so a span named
 * `<img onerror=…>` shows as those characters and runs nothing.
 */

/**
 * `h('a', { href: '#/x', class: 'y', onclick: fn }, 'text', child)`. Props: `class`, `dataset`
 * (object), `style` (object, set through the CSSOM, which the page's CSP allows), `on<event>`
 * (listener), anything else as an attribute (`false`/`null`/`undefined` leave it out).
 * Children: strings and numbers become text nodes, arrays are flattened, null/false skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') Object.assign(el.style, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children as h() does. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A hash link inside the app; path segments are URI-encoded (ids are user data too). */
export function route(...segments) {
  return '#/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

/**
 * `route()` plus a query string from an object, leaving out empty values. Encoded with
 * encodeURIComponent (spaces as %20, not URLSearchParams' `+`), so a filter in the address bar
 * reads as typed once decoded; URLSearchParams parses both.
 */
export function routeWithQuery(path, query) {
  const pairs = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return pairs.length > 0 ? `${path}?${pairs.join('&')}` : path;
}

/** A titled box that groups a part of a page. */
export function panel(title, ...children) {
  return h('section', { class: 'panel' }, title ? h('h2', null, title) : null, ...children);
}

/** A message box (`kind`: info | error). */
export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, ...children);
}

/** A definition list of [label, value] pairs, values left out when empty. */
export function facts(pairs) {
  const dl = h('dl', { class: 'facts' });
  for (const [label, value] of pairs) {
    if (value === undefined || value === null || value === '') continue;
    dl.append(h('dt', null, label), h('dd', null, value));
  }
  return dl;
}
