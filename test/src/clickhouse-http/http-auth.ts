/**
 * Who is asking, the way ClickHouse's HTTP interface reads it (src/Server/HTTP/authenticateUserByHTTP.cpp):
 * `X-ClickHouse-User`/`X-ClickHouse-Key` headers, or `Authorization: Basic`, or the `user` and
 * `password` URL parameters, never two of them at once; `default` with an empty password when
 * none is given. The server knows one user; any mismatch is 516 AUTHENTICATION_FAILED with
 * ClickHouse's message (src/Access/AccessControl.cpp).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { exceptions } from './clickhouse-exception.js';

export interface ServerUser {
  username: string;
  password: string;
}

/** Throws a 516 ClickHouseException unless the request names `user` with its password. */
export function authenticate(headers: IncomingHttpHeaders, params: URLSearchParams, user: ServerUser): void {
  const headerUser = single(headers['x-clickhouse-user']);
  const headerKey = single(headers['x-clickhouse-key']);
  const authorization = single(headers.authorization);
  const inHeaders = headerUser !== '' || headerKey !== '';
  const inParams = params.has('user') || params.has('password');
  let name: string;
  let password: string;
  if (inHeaders) {
    if (authorization !== '') throw mixed('X-ClickHouse HTTP headers', 'Authorization HTTP header');
    if (inParams) throw mixed('X-ClickHouse HTTP headers', 'authentication via parameters');
    [name, password] = [headerUser, headerKey];
    if (name === '') throw exceptions.authenticationFailed('Got an empty user name from X-ClickHouse HTTP headers');
  } else if (authorization !== '') {
    if (inParams) throw mixed('Authorization HTTP header', 'authentication via parameters');
    const [scheme = '', info = ''] = authorization.split(/\s+/, 2);
    if (scheme.toLowerCase() !== 'basic') {
      throw exceptions.authenticationFailed(`Invalid authentication: '${scheme}' HTTP Authorization scheme is not supported`);
    }
    const decoded = Buffer.from(info, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    [name, password] = colon < 0 ? [decoded, ''] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
    if (name === '') throw exceptions.authenticationFailed('Got an empty user name from Authorization HTTP header');
  } else {
    name = params.get('user') ?? 'default';
    password = params.get('password') ?? '';
    if (name === '') throw exceptions.authenticationFailed('Got an empty user name from authentication via parameters');
  }
  if (name !== user.username || password !== user.password) throw failed(name);
}

function failed(name: string): Error {
  let message = `${name}: Authentication failed: password is incorrect, or there is no user with such name.`;
  if (name === 'default') {
    message += '\n\nIf you have installed ClickHouse and forgot password you can reset it in the configuration file.\n'
      + 'The password for default user is typically located at /etc/clickhouse-server/users.d/default-password.xml\n'
      + 'and deleting this file will reset the password.\n'
      + 'See also /etc/clickhouse-server/users.xml on the server where ClickHouse is installed.\n\n';
  }
  return exceptions.authenticationFailed(message);
}

function mixed(a: string, b: string): Error {
  return exceptions.authenticationFailed(`Invalid authentication: it is not allowed to use ${a} and ${b} simultaneously`);
}

function single(value: string | string[] | undefined): string {
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}
