/**
 * Reads one response header from the headers object a client hands over (node:http's
 * IncomingMessage.headers, node:http2's 'response' headers, undici 7's onResponseStart): names
 * are lower case, a repeated header reads as its values joined with `, `.
 */
export function objectHeaderLookup(headers: unknown): (name: string) => string | undefined {
  return (name) => {
    if (!headers || typeof headers !== 'object') return undefined;
    const value = (headers as Record<string, unknown>)[name];
    return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value);
  };
}
