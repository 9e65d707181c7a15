/**
 * The API key form, shown when the API answers 401 (the collector has keys configured) or when
 * the header's "API key" button is pressed. The key maps to a project on the collector; it is
 * kept in this browser's localStorage and sent with every API call.
 */
import { getApiKey, setApiKey } from './api.js';
import { h, notice } from './dom.js';

/** Renders the form into `root`; `onDone` runs after the key was saved or cleared. */
export function renderKeyPrompt(root, { unauthorized, message, onDone }) {
  const input = h('input', { type: 'password', name: 'api-key', autocomplete: 'off', placeholder: 'API key', value: getApiKey(), required: true });
  const save = (event) => {
    event.preventDefault();
    setApiKey(input.value.trim());
    onDone();
  };
  const clear = () => {
    setApiKey('');
    onDone();
  };
  root.replaceChildren(h('div', { class: 'page' },
    h('section', { class: 'panel key-prompt' },
      h('h1', null, 'API key'),
      unauthorized
        ? notice('error', 'The collector refused the request (401): ', message ?? 'missing or unknown API key', '. Enter a key of your project.')
        : h('p', null, 'The key of your project, as configured in the collector\'s apiKeys. Clear it when the collector has no keys.'),
      h('form', { onsubmit: save },
        input,
        h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', class: 'secondary', onclick: clear }, 'Clear'),
      ),
      h('p', { class: 'muted' }, 'Kept in this browser only (localStorage) and sent as "Authorization: Bearer <key>".'),
    ),
  ));
  input.focus();
}
