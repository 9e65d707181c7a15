/**
 * The CLI's side of the query API: GET /api/v1/... on the collector with the API key, JSON back.
 * An error answer becomes a QueryClientError carrying the API's code, message and filter
 * position, so the command can point at the spot in the filter; a collector that cannot be
 * reached says which URL was tried and how to point elsewhere.
 */

export interface QueryClientOptions {
  /** The collector's base URL (`http://127.0.0.1:4318`); a trailing `/api/v1` is accepted too. */
  url: string;
  apiKey?: string;
  timeoutMs?: number;
}

export class QueryClientError extends Error {
  constructor(
    message: string,
    /** The API's error code (`TOKENTRACE_INVALID_FILTER`, ...) or `TOKENTRACE_UNREACHABLE`. */
    readonly code: string,
    readonly status?: number,
    readonly position?: number,
    readonly path?: string,
  ) {
    super(message);
    this.name = 'QueryClientError';
  }
}

export class QueryClient {
  private readonly base: string;

  constructor(private readonly options: QueryClientOptions) {
    this.base = options.url.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  }

  /** GET `/api/v1${path}` with the defined parameters; resolves the JSON body of a 2xx answer. */
  get<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
    return this.send<T>('GET', path, params);
  }

  /** `method` `/api/v1${path}` with a JSON body; resolves the JSON body of a 2xx answer (undefined for 204). */
  async send<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, params: Record<string, string | number | undefined> = {}, body?: unknown): Promise<T> {
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(name, String(value));
    const url = `${this.base}/api/v1${path}${query.size > 0 ? `?${query}` : ''}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (err) {
      const reason = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new QueryClientError(`cannot reach the collector at ${this.base} (${reason}); set --url or TOKENTRACE_URL`, 'TOKENTRACE_UNREACHABLE');
    }
    const text = await response.text();
    if (response.status === 204) return undefined as T;
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new QueryClientError(`unexpected answer from ${url}: HTTP ${response.status}, not JSON (is ${this.base} a tokentrace collector?)`, 'TOKENTRACE_BAD_ANSWER', response.status);
    }
    if (!response.ok) {
      const error = (answer as { error?: { code?: string; message?: string; position?: number; path?: string } }).error ?? {};
      throw new QueryClientError(error.message ?? `HTTP ${response.status}`, error.code ?? 'TOKENTRACE_HTTP_ERROR', response.status, error.position, error.path);
    }
    return answer as T;
  }
}
