/**
 * Host patterns of the allow and deny lists (`allowHosts`, `denyHosts`): `gpu-box`, `gpu-box:8000`,
 * `*.internal.example` (any subdomain), `[::1]:8080`. Matched only after a request was recognised,
 * so traffic that is not an LLM call never reaches them.
 */

export interface HostPattern {
  /** Lower-case host name, without brackets; for `*.suffix`, the `.suffix` part. */
  host: string;
  wildcard: boolean;
  /** Undefined: any port. */
  port?: number;
}

const HOST = /^[a-z0-9_.-]+$|^[0-9a-f:.]+$/;

export function parseHostPattern(entry: string): HostPattern | undefined {
  let text = entry.trim().toLowerCase();
  if (!text) return undefined;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) {
    text = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else {
    const colon = text.lastIndexOf(':');
    if (colon !== -1 && text.indexOf(':') === colon) {
      const p = text.slice(colon + 1);
      if (!/^\d+$/.test(p)) return undefined;
      port = Number(p);
      text = text.slice(0, colon);
    }
  }
  if (port !== undefined && (port < 1 || port > 65535)) return undefined;
  const wildcard = text.startsWith('*.');
  const host = wildcard ? text.slice(1) : text;
  if (!host || !HOST.test(wildcard ? host.slice(1) : host)) return undefined;
  return { host, wildcard, port };
}

export function hostMatches(patterns: readonly HostPattern[], hostname: string, port: number): boolean {
  const name = hostname.toLowerCase();
  for (const p of patterns) {
    if (p.port !== undefined && p.port !== port) continue;
    if (p.wildcard ? name.endsWith(p.host) : name === p.host) return true;
  }
  return false;
}
