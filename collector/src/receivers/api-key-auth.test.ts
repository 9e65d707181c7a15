/** API keys → project: header forms, auth off, and the failures a receiver maps to 401/403/503. */
import { describe, expect, it } from 'vitest';
import { apiKeyFrom, createApiKeyAuthenticator, DEFAULT_PROJECT_ID, projectFor } from './api-key-auth.js';
import { ReceiverFailure } from './receiver-failure.js';

describe('api key auth', () => {
  const authenticate = createApiKeyAuthenticator(new Map([['k-a', 'project-a'], ['k-b', 'project-b']]));

  it('reads Bearer (any case) before x-api-key', () => {
    expect(apiKeyFrom({ authorization: 'Bearer k-a' })).toBe('k-a');
    expect(apiKeyFrom({ authorization: 'bearer   k-a ' })).toBe('k-a');
    expect(apiKeyFrom({ 'x-api-key': ' k-b ' })).toBe('k-b');
    expect(apiKeyFrom({ authorization: 'Bearer k-a', 'x-api-key': 'k-b' })).toBe('k-a');
    expect(apiKeyFrom({ authorization: 'Basic dTpw' })).toBeUndefined();
    expect(apiKeyFrom({ authorization: 'Basic dTpw', 'x-api-key': 'k-b' })).toBe('k-b');
    expect(apiKeyFrom({})).toBeUndefined();
  });

  it('maps each key to its project and unknown or missing keys to no project', () => {
    expect(authenticate({ authorization: 'Bearer k-a' })).toBe('project-a');
    expect(authenticate({ 'x-api-key': 'k-b' })).toBe('project-b');
    expect(authenticate({ 'x-api-key': 'k-' })).toBeUndefined();
    expect(authenticate({})).toBeUndefined();
  });

  it('with no keys, puts every request in the default project', () => {
    const open = createApiKeyAuthenticator(new Map());
    expect(open({})).toBe(DEFAULT_PROJECT_ID);
    expect(open({ authorization: 'Bearer anything' })).toBe('default');
  });

  it('turns outcomes into receiver failures: none → unauthenticated, thrown failure kept, crash → unavailable', () => {
    expect(projectFor(authenticate, { 'x-api-key': 'k-a' })).toBe('project-a');
    expect(() => projectFor(authenticate, {})).toThrow(expect.objectContaining({ kind: 'unauthenticated' }));
    const forbidden = new ReceiverFailure('forbidden', 'project suspended');
    expect(() => projectFor(() => { throw forbidden; }, {})).toThrow(forbidden);
    expect(() => projectFor(() => { throw new Error('key store down'); }, {})).toThrow(expect.objectContaining({ kind: 'unavailable', message: expect.stringMatching(/key store down/) }));
  });
});
