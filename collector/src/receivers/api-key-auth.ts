/**
 * API keys → project (tenant), read from `Authorization: Bearer <key>` or `x-api-key: <key>`
 * (HTTP headers or gRPC metadata, which grpc-js lower-cases the same way). With no keys
 * configured, auth is off and every request belongs to the project `default` (issue 3: "A local
 * default without keys listens on loopback only" — the config enforces the loopback part).
 *
 * Keys are compared by their SHA-256 digest, so the lookup's timing does not depend on how many
 * leading characters of a guess are right.
 */
import { createHash } from 'node:crypto';
import { ReceiverFailure } from './receiver-failure.js';

/** Request headers or gRPC metadata, keys lower-case. */
export type RequestHeaders = Record<string, string | string[] | undefined>;

/**
 * Maps a request to its project: the project id, or undefined when the request carries no valid
 * credentials (answered 401 / UNAUTHENTICATED). May throw a ReceiverFailure (`forbidden` → 403 /
 * PERMISSION_DENIED); any other throw is treated as a retryable failure of the auth backend.
 */
export type Authenticate = (headers: RequestHeaders) => string | undefined;

export const DEFAULT_PROJECT_ID = 'default';

export function createApiKeyAuthenticator(keys: ReadonlyMap<string, string>): Authenticate {
  if (keys.size === 0) return () => DEFAULT_PROJECT_ID;
  const byDigest = new Map<string, string>();
  for (const [key, projectId] of keys) byDigest.set(digest(key), projectId);
  return (headers) => {
    const key = apiKeyFrom(headers);
    return key === undefined ? undefined : byDigest.get(digest(key));
  };
}

/** The key of `Authorization: Bearer <key>` (scheme case-insensitive, RFC 9110 §11.1) or else of `x-api-key`. */
export function apiKeyFrom(headers: RequestHeaders): string | undefined {
  const authorization = first(headers['authorization']);
  const bearer = authorization && /^bearer\s+(\S+)\s*$/i.exec(authorization);
  if (bearer) return bearer[1];
  return first(headers['x-api-key'])?.trim() || undefined;
}

/** Runs `authenticate`, turning "no project" and a crashing authenticator into ReceiverFailures. */
export function projectFor(authenticate: Authenticate, headers: RequestHeaders): string {
  let projectId: string | undefined;
  try {
    projectId = authenticate(headers);
  } catch (err) {
    if (err instanceof ReceiverFailure) throw err;
    throw new ReceiverFailure('unavailable', `authentication failed, retry: ${(err as Error).message}`, undefined, { cause: err });
  }
  if (projectId === undefined || projectId === '') {
    throw new ReceiverFailure('unauthenticated', 'missing or unknown API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"');
  }
  return projectId;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}
