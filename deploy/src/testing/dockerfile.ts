/**
 * A small reader for deploy/docker/Dockerfile, enough for the deploy tests: instructions with
 * line continuations joined, grouped by stage, ARG defaults substituted into FROM, and the
 * image's ENV. Not a general Dockerfile parser (no heredocs, no escape directive).
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  stages: Stage[];
  stage(name: string): Stage;
}

export function readDockerfile(path: string): Dockerfile {
  const logical: string[] = [];
  let pending = '';
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const space = line.search(/\s/);
    const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : line.slice(space + 1).trim();
    if (keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = args.split('=');
      globalArgs.set(name, value);
    } else if (keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!m) throw new Error(`unreadable FROM: ${args}`);
      const from = m[1].replace(/\$\{(\w+)\}/g, (_, name: string) => globalArgs.get(name) ?? '');
      stages.push({ name: m[2] ?? String(stages.length), from, instructions: [] });
    } else {
      if (stages.length === 0) throw new Error(`${keyword} before the first FROM`);
      stages.at(-1)!.instructions.push({ keyword, args });
    }
  }
  return {
    stages,
    stage(name) {
      const found = stages.find((s) => s.name === name);
      if (!found) throw new Error(`no stage ${name} (stages: ${stages.map((s) => s.name).join(', ')})`);
      return found;
    },
  };
}

export function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** ENV instructions of a stage (`ENV A=1 B=2` form). */
export function stageEnv(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const args of instructions(stage, 'ENV')) {
    for (const m of args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
  }
  return env;
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export function copies(stage: Stage): Copy[] {
  return instructions(stage, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    let from: string | undefined;
    while (words[0]?.startsWith('--')) {
      const flag = words.shift()!;
      if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    }
    const dest = words.pop()!;
    return { from, sources: words, dest };
  });
}

/** The exec-form (JSON array) arguments of ENTRYPOINT / CMD / HEALTHCHECK ... CMD. */
export function execForm(args: string): string[] {
  const json = args.slice(args.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/** Where a file of an image stage comes from: a stage (`from`) or the build context (`from` undefined), and the repository-relative path there. */
export interface Origin {
  from?: string;
  path: string;
}

/**
 * Follows a stage's COPY instructions (newest first) from a path in that stage back to the build
 * context, or through `COPY --from=<stage>` to that stage's WORKDIR, which for these stages holds
 * the repository layout. Directory sources copy their contents (Docker's rule); `isDirectory`
 * tells a repository path's kind. Undefined when no COPY produces the path.
 */
export function originOf(file: Dockerfile, stageName: string, imagePath: string, isDirectory: (repoPath: string) => boolean): Origin | undefined {
  const stage = file.stage(stageName);
  const workdir = instructions(stage, 'WORKDIR').at(-1) ?? '/';
  for (const copy of copies(stage).reverse()) {
    const dest = posix.resolve(workdir, copy.dest);
    for (const source of copy.sources) {
      const fromWorkdir = copy.from ? (instructions(file.stage(copy.from), 'WORKDIR').at(-1) ?? '/') : '/';
      const inStage = copy.from ? posix.resolve(fromWorkdir, source) : posix.resolve('/', source);
      const repoPath = posix.relative(fromWorkdir, inStage);
      if (repoPath.startsWith('..')) continue;
      const target = isDirectory(repoPath) || !copy.dest.endsWith('/') ? dest : posix.join(dest, posix.basename(source));
      if (imagePath !== target && !imagePath.startsWith(`${target === '/' ? '' : target}/`)) continue;
      return { from: copy.from, path: posix.join(repoPath, posix.relative(target, imagePath)) || '.' };
    }
  }
  return undefined;
}
