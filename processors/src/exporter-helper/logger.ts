/** The little logging the exporter helpers do (what was spooled, replayed, set aside); console by default. */

export interface HelperLogger {
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: HelperLogger = {
  warn: (message) => console.warn(`tokentrace: ${message}`),
  error: (message) => console.error(`tokentrace: ${message}`),
};

/** A logger that drops everything (tests, or when the caller counts instead). */
export const silentLogger: HelperLogger = { warn: () => {}, error: () => {} };

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}
