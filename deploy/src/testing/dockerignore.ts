/**
 * .dockerignore matching as BuildKit does it (moby/patternmatcher): patterns are cleaned paths
 * relative to the context root; `*` and `?` stay within one path segment, `**` spans any number
 * of segments; a pattern also matches everything below a matching directory; `!` re-includes;
 * the last matching pattern wins.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

interface Pattern {
  exclusion: boolean;
  regex: RegExp;
}

export function readDockerignore(path: string): (relativePath: string) => boolean {
  const patterns: Pattern[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const exclusion = line.startsWith('!');
    if (exclusion) line = line.slice(1).trim();
    line = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    patterns.push({ exclusion, regex: globToRegExp(line) });
  }
  /** True when the path is left out of the build context. */
  return (relativePath) => {
    const segments = relativePath.split('/');
    let ignored = false;
    for (const pattern of patterns) {
      // The path itself or any of its parent directories.
      const matches = segments.some((_, i) => pattern.regex.test(segments.slice(0, i + 1).join('/')));
      if (matches) ignored = !pattern.exclusion;
    }
    return ignored;
  };
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches zero or more segments; a trailing `**` matches everything.
      if (glob[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
