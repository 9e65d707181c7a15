/**
 * Entry point for `node --import @tokentrace/instrumentation/register app.js` (ESM and CommonJS
 * apps alike): starts tracing before the app's first line runs. Never throws into the app.
 */
import { startTokentrace } from './sdk/start-sdk.js';

try {
  startTokentrace();
} catch (err) {
  console.error(`[tokentrace] not started: ${err instanceof Error ? err.message : String(err)}`);
}
