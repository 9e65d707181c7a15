/**
 * Finds a ClickHouse server executable on this machine. Debian's package (18.16) installs
 * `/usr/sbin/clickhouse-server`, which is not on a normal user's PATH; current releases ship one
 * `clickhouse` binary that runs the server as `clickhouse server`
 * (https://clickhouse.com/docs/install). The first match wins, in the order of `candidates()`.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';

/** How to run the server: `command` with `args` in front of `--config-file=...`. */
export interface ClickHouseServerCommand {
  command: string;
  args: string[];
}

/** What was looked at, for the error message when nothing is found. */
export function searchedLocations(): string[] {
  return ['clickhouse-server on PATH', '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', 'clickhouse on PATH (as `clickhouse server`)', '/usr/bin/clickhouse'];
}

/**
 * `explicit` (a path to `clickhouse-server` or to the single `clickhouse` binary) is used as given
 * when set; otherwise the usual places are searched. Returns undefined when nothing executable exists.
 */
export function findClickHouseServer(explicit?: string, pathEnv: string = process.env.PATH ?? ''): ClickHouseServerCommand | undefined {
  if (explicit) return isExecutable(explicit) ? commandFor(explicit) : undefined;
  const onPath = (name: string) => pathEnv.split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  const candidates = [...onPath('clickhouse-server'), '/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server', ...onPath('clickhouse'), '/usr/bin/clickhouse'];
  const found = candidates.find(isExecutable);
  return found ? commandFor(found) : undefined;
}

function commandFor(path: string): ClickHouseServerCommand {
  // The all-in-one binary dispatches on its first argument (or on the name it is called by).
  return basename(path) === 'clickhouse' ? { command: path, args: ['server'] } : { command: path, args: [] };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
