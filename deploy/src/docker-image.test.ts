/**
 * deploy/docker/: the collector's Dockerfile, its build context (Dockerfile.dockerignore) and the
 * prod-deps script, read against the repository: workspaces, build, ports, entry file, env.
 * No Docker engine runs here; these checks are what can be known without one.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ConfigError } from '@tokentrace/processors';
import { DEFAULT_CONFIG } from '../../collector/src/config/collector-config.js';
import { pruneDevManifests } from '../docker/prune-dev-manifests.mjs';
import { copies, execForm, instructions, originOf, readDockerfile, stageEnv } from './testing/dockerfile.js';
import { readDockerignore } from './testing/dockerignore.js';
import { loadAndTrace } from './testing/collector-env.js';
import { deployDir, isRepoDirectory, repoRoot } from './testing/repo.js';
import { readJson, rootManifest, runtimeClosure, workspace, workspaces } from './testing/workspaces.js';

const dockerfile = readDockerfile(join(deployDir, 'docker/Dockerfile'));
const build = dockerfile.stage('build');
const prodDeps = dockerfile.stage('prod-deps');
const runtime = dockerfile.stage('runtime');
const collector = workspace('@tokentrace/collector');
const origin = (imagePath: string) => originOf(dockerfile, 'runtime', imagePath, isRepoDirectory);

describe('deploy/docker/Dockerfile', () => {
  it('builds on Node 24 slim, a version the repository supports', () => {
    for (const stage of dockerfile.stages) expect(stage.from).toBe('node:24-bookworm-slim');
    const minimum = Number(/>=\s*(\d+)/.exec(rootManifest.engines.node)![1]);
    expect(24).toBeGreaterThanOrEqual(minimum);
  });

  it('copies every workspace manifest before `npm ci` (the lock file lists them all)', () => {
    for (const stage of [build, prodDeps]) {
      const copied = copies(stage).filter((c) => !c.from).flatMap((c) => c.sources);
      for (const w of workspaces) expect(copied, `${stage.name} stage`).toContain(`${w.dir}/package.json`);
      expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
      const npmCi = stage.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('npm ci'));
      const lastManifest = stage.instructions.findLastIndex((i) => i.keyword === 'COPY' && i.args.includes('package.json'));
      expect(npmCi).toBeGreaterThan(lastManifest);
    }
  });

  it('copies every TypeScript project the root tsconfig references, then runs the repository build', () => {
    const runs = instructions(build, 'RUN');
    expect(runs.at(-1)).toBe('node scripts/build.mjs');
    const buildIndex = build.instructions.findLastIndex((i) => i.keyword === 'RUN');
    const copiedBefore = copies({ ...build, instructions: build.instructions.slice(0, buildIndex) }).flatMap((c) => c.sources);
    const projects = (readJson('tsconfig.json').references as { path: string }[]).map((r) => r.path);
    for (const project of projects) expect(copiedBefore, project).toContain(`${project}/`);
    for (const file of ['tsconfig.json', 'tsconfig.base.json', 'scripts/build.mjs']) expect(copiedBefore).toContain(file);
  });

  it('installs only the collector in prod-deps, after pruning the manifests of the same workspace', () => {
    const run = instructions(prodDeps, 'RUN').join(' ');
    expect(run).toContain(`node /tmp/prune-dev-manifests.mjs ${collector.name}`);
    expect(run).toMatch(new RegExp(`npm ci --omit=dev --workspace ${collector.name}\\b`));
    expect(run.indexOf('prune-dev-manifests')).toBeLessThan(run.indexOf('npm ci'));
  });

  it('ships the dist/ of the collector and of every workspace it depends on at run time, and the dashboard', () => {
    const closure = runtimeClosure(collector.name);
    expect(closure).toEqual(['collector', 'processors', 'semconv']);
    for (const dir of closure) {
      expect(origin(`/app/${dir}/dist/index.js`), dir).toEqual({ from: 'build', path: `${dir}/dist/index.js` });
      expect(origin(`/app/${dir}/package.json`), dir).toEqual({ from: 'prod-deps', path: `${dir}/package.json` });
    }
    // src/dashboard/dashboard-assets.ts serves ../../dashboard/ relative to dist/dashboard/.
    expect(origin('/app/collector/dashboard/index.html')).toEqual({ from: 'build', path: 'collector/dashboard/index.html' });
    expect(existsSync(join(repoRoot, 'collector/dashboard/index.html'))).toBe(true);
    expect(origin('/app/node_modules/express/package.json')).toEqual({ from: 'prod-deps', path: 'node_modules/express/package.json' });
    // Nothing else comes from the build stage: no other workspace's output, no dev dependencies.
    const fromBuild = copies(runtime).filter((c) => c.from === 'build').flatMap((c) => c.sources);
    expect(fromBuild.sort()).toEqual([...closure.map((dir) => `/src/${dir}/dist`), '/src/collector/dashboard'].sort());
  });

  it('starts the file the build produces for the tokentrace-collector bin, by its absolute path', () => {
    const entry = execForm(instructions(runtime, 'ENTRYPOINT')[0]);
    expect(entry[0]).toBe('node');
    expect(entry[1]).toMatch(/^\//);
    const entryOrigin = origin(entry[1]);
    expect(entryOrigin?.from).toBe('build');
    const repoPath = entryOrigin?.path;
    expect(repoPath).toBe(join('collector', collector.manifest.bin['tokentrace-collector']));
    // tsc maps collector/src → collector/dist (collector/tsconfig.json); the source must exist,
    // and after `node scripts/build.mjs` so does the output.
    const { rootDir, outDir } = readJson('collector/tsconfig.json').compilerOptions;
    const source = repoPath!.replace(`collector/${outDir}/`, `collector/${rootDir}/`).replace(/\.js$/, '.ts');
    expect(existsSync(join(repoRoot, source)), source).toBe(true);
    expect(existsSync(join(repoRoot, repoPath!)), `${repoPath} (run node scripts/build.mjs)`).toBe(true);
    expect(execForm(instructions(runtime, 'CMD')[0])).toEqual([]);
  });

  it('exposes the collector default ports', () => {
    const exposed = instructions(runtime, 'EXPOSE').flatMap((a) => a.split(/\s+/)).map(Number).sort();
    expect(exposed).toEqual([DEFAULT_CONFIG.grpc.port, DEFAULT_CONFIG.http.port].sort());
  });

  it('sets only variables the collector reads, listens on all interfaces and refuses to do so without API keys', () => {
    const env = stageEnv(runtime);
    expect(env.TOKENTRACE_COLLECTOR_HTTP_HOST).toBe('0.0.0.0');
    expect(env.TOKENTRACE_COLLECTOR_GRPC_HOST).toBe('0.0.0.0');
    const tokentraceEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('TOKENTRACE_')));
    expect(() => loadAndTrace(undefined, tokentraceEnv)).toThrow(ConfigError);
    expect(() => loadAndTrace(undefined, tokentraceEnv)).toThrow(/TOKENTRACE_API_KEYS/);
    const { config, unknown, notApplied } = loadAndTrace(undefined, { ...tokentraceEnv, TOKENTRACE_API_KEYS: 'k=p' });
    expect(unknown).toEqual([]);
    expect(notApplied).toEqual([]);
    expect(config.http.host).toBe('0.0.0.0');
  });

  it('keeps the spool on a volume owned by the non-root user it runs as', () => {
    const spoolDir = stageEnv(runtime).TOKENTRACE_SPOOL_DIR;
    expect(instructions(runtime, 'VOLUME')).toEqual([spoolDir]);
    const [user, group] = instructions(runtime, 'USER').at(-1)!.split(':').map(Number);
    expect(user).toBeGreaterThan(0);
    expect(group).toBeGreaterThan(0);
    const run = instructions(runtime, 'RUN').join(' ');
    expect(run).toContain(`mkdir -p ${spoolDir}`);
    expect(run).toMatch(new RegExp(`chown -R ${user}:${group} ${dirname(spoolDir)}`));
    // The directory must exist and be chowned before VOLUME, or a new volume is root's.
    const volumeAt = runtime.instructions.findIndex((i) => i.keyword === 'VOLUME');
    const chownAt = runtime.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.includes('chown'));
    expect(chownAt).toBeLessThan(volumeAt);
  });

  it('health-checks with a script the image contains', () => {
    const check = instructions(runtime, 'HEALTHCHECK')[0];
    const command = execForm(check.slice(check.indexOf('CMD')));
    expect(command[0]).toBe('node');
    expect(origin(command[1])).toEqual({ from: undefined, path: 'deploy/docker/healthcheck.mjs' });
    expect(existsSync(join(repoRoot, 'deploy/docker/healthcheck.mjs'))).toBe(true);
  });
});

describe('deploy/docker/Dockerfile.dockerignore', () => {
  const ignored = readDockerignore(join(deployDir, 'docker/Dockerfile.dockerignore'));
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: repoRoot, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && existsSync(join(repoRoot, f)));

  it('lets in every file the Dockerfile copies from the build context', () => {
    const sources = dockerfile.stages.flatMap((s) => copies(s).filter((c) => !c.from).flatMap((c) => c.sources));
    expect(sources.length).toBeGreaterThan(20);
    for (const source of sources) {
      const prefix = source.replace(/\/$/, '');
      const under = files.filter((f) => f === prefix || f.startsWith(`${prefix}/`));
      expect(under.length, `${source}: no file in the checkout`).toBeGreaterThan(0);
      expect(under.filter(ignored), `${source}: left out of the context`).toEqual([]);
    }
  });

  it('leaves out local installs, build output, data and the rest of the repository', () => {
    for (const path of [
      'node_modules/.package-lock.json',
      'collector/node_modules/protobufjs/package.json',
      'collector/dist/index.js',
      'semconv/dist/index.js',
      'collector/tsconfig.tsbuildinfo',
      '.data/spool/000001.batch',
      'collector/.data/clickhouse/config.xml',
      '.git/HEAD',
      '.tools/node_modules/node/bin/node',
      'deploy/compose/.env',
      'deploy/kubernetes/secret.yaml',
      'examples/quickstart/app.js',
    ]) {
      expect(ignored(path), path).toBe(true);
    }
    expect(files.some((f) => f.startsWith('collector/src/'))).toBe(true);
    expect(ignored('collector/src/collector.ts')).toBe(false);
  });
});

describe('deploy/docker/prune-dev-manifests.mjs', () => {
  it('drops devDependencies of the runtime workspaces only, in package.json and the lock file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-prune-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    for (const file of ['package.json', 'package-lock.json', ...workspaces.map((w) => `${w.dir}/package.json`)]) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      cpSync(join(repoRoot, file), join(dir, file));
    }
    const before = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    expect(before.packages.collector.devDependencies).toBeDefined(); // otherwise this proves nothing

    const pruned = pruneDevManifests(dir, collector.name);

    expect(pruned).toEqual(runtimeClosure(collector.name));
    const after = JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8'));
    for (const w of workspaces) {
      const manifest = JSON.parse(readFileSync(join(dir, w.dir, 'package.json'), 'utf8'));
      if (pruned.includes(w.dir)) {
        expect(manifest.devDependencies, w.dir).toBeUndefined();
        expect(after.packages[w.dir].devDependencies, w.dir).toBeUndefined();
        expect(manifest.dependencies).toEqual(w.manifest.dependencies);
      } else {
        expect(manifest).toEqual(w.manifest);
        expect(after.packages[w.dir]).toEqual(before.packages[w.dir]);
      }
    }
    // Every resolved package stays as locked.
    for (const [key, entry] of Object.entries(before.packages)) {
      if (!pruned.includes(key)) expect(after.packages[key], key).toEqual(entry);
    }
  });

  it('refuses a name that is not a workspace', () => {
    expect(() => pruneDevManifests(repoRoot, '@tokentrace/nope')).toThrow(/not a workspace/);
  });
});
