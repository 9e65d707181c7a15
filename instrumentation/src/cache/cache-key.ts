/**
 * The cache key of a request: a SHA-256 of what determines the answer (provider and API, host,
 * method, the path and query that select a model or deployment, the request body in canonical
 * form without the ignored keys, the seed, the accepted encodings) and never of a credential. A
 * hash of the credential partitions the entries, so that two API keys (two projects, two
 * tenants) never share one unless `shareAcrossKeys` is set.
 */
import { crypto } from '../capture/lazy-builtins.js';
import type { GateRequest } from '../gate/request-gate.js';
import type { CallCacheOptions } from './call-options.js';

/** Bumped when the key or the stored answer changes shape: old entries are then never read. */
const KEY_VERSION = 'v1';

/** Headers that carry a credential, or choose the account (OpenAI's organization and project). */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key', 'x-goog-api-key', 'openai-organization', 'openai-project'];
/** Query parameters that carry a credential (Gemini's `key=`). */
const CREDENTIAL_PARAMS = new Set(['key', 'api_key', 'api-key']);

export function cacheKey(request: GateRequest, options: CallCacheOptions, shareAcrossKeys: boolean): string {
  const { path, credentialParams } = splitCredentialParams(request.path);
  const parts = [
    KEY_VERSION,
    request.endpoint.provider,
    request.endpoint.api,
    `${request.endpoint.serverAddress}:${request.endpoint.serverPort}`,
    request.method,
    path,
    options.seed,
    request.header('accept-encoding') ?? '',
    shareAcrossKeys ? '' : credentialPartition(request, credentialParams),
  ];
  const hash = crypto().createHash('sha256');
  hash.update(JSON.stringify(parts));
  hash.update('\n');
  hash.update(canonicalBody(request.body, options.ignoreKeys));
  return hash.digest('base64url');
}

/** A JSON body with sorted keys and the ignored top-level keys removed; any other body as it is. */
export function canonicalBody(body: Buffer, ignoreKeys: readonly string[]): string | Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && ignoreKeys.length > 0) {
    const copy = { ...(parsed as Record<string, unknown>) };
    for (const key of ignoreKeys) delete copy[key];
    parsed = copy;
  }
  return stableStringify(parsed);
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(record[k])}`).join(',')}}`;
}

/** A short hash of the request's credentials; '' when it sends none. */
function credentialPartition(request: GateRequest, credentialParams: string): string {
  const hash = crypto().createHash('sha256');
  let any = credentialParams !== '';
  hash.update(credentialParams);
  for (const name of CREDENTIAL_HEADERS) {
    const value = request.header(name);
    if (value === undefined) continue;
    any = true;
    hash.update(`\n${name}:${name === 'authorization' ? stableCredential(value) : value}`);
  }
  return any ? hash.digest('base64url').slice(0, 22) : '';
}

/** AWS SigV4 signs each request anew: only its access key id names the account. */
function stableCredential(authorization: string): string {
  const sigv4 = /^AWS4-HMAC-SHA256\s+Credential=([^/,\s]+)/.exec(authorization);
  return sigv4 ? `sigv4:${sigv4[1]}` : authorization;
}

/** The path without credential parameters (kept apart for the partition), other parameters kept in order. */
function splitCredentialParams(pathAndQuery: string): { path: string; credentialParams: string } {
  const q = pathAndQuery.indexOf('?');
  if (q === -1) return { path: pathAndQuery, credentialParams: '' };
  const kept: string[] = [];
  const credentials: string[] = [];
  for (const pair of pathAndQuery.slice(q + 1).split('&')) {
    const name = decodeURIComponent(pair.split('=')[0] ?? '').toLowerCase();
    (CREDENTIAL_PARAMS.has(name) ? credentials : kept).push(pair);
  }
  return { path: pathAndQuery.slice(0, q) + (kept.length ? `?${kept.join('&')}` : ''), credentialParams: credentials.join('&') };
}
