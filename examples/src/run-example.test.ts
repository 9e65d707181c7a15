/**
 * The runner (examples/shared/run-example.js) as a command, and the apps' provider set-up when
 * neither a key nor an emulator is given.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runExample } from '../shared/run-example.js';

const exec = promisify(execFile);
const runner = fileURLToPath(new URL('../shared/run-example.js', import.meta.url));
const noKeys = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GEMINI_API_KEY: '' };

describe('node examples/shared/run-example.js', () => {
  it('runs an example against the emulators, says so, and prints the exported spans as a tree', async () => {
    const { stdout } = await exec(process.execPath, [runner, 'own-otel-sdk'], { env: noKeys });
    expect(stdout).toContain('[providers] openai: local EMULATOR at http://127.0.0.1:');
    expect(stdout).toContain('LLM provider EMULATORS (local test doubles, not the real services');
    expect(stdout).toContain('$ (cd examples/own-otel-sdk && node --import ./tracing.js --import @tokentrace/instrumentation/register app.js)  →  exit 0');
    expect(stdout).toMatch(/^POST .*\n {2}summarize-ticket .*\n {4}chat gpt-4o-mini .*openai .*in \d+ \/ out \d+ tokens/m);
  });

  it('refuses an unknown example with the list of examples', async () => {
    const failed = await exec(process.execPath, [runner, 'no-such-example'], { env: noKeys }).catch((err) => err);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain('healthcare-triage|research-agents|cost-by-tier|own-otel-sdk');
    // @ts-expect-error: the missing option is the point
    await expect(runExample('healthcare-triage', {})).rejects.toThrow('options.otlpEndpoint is required');
  });
});

describe('an example run with neither a key nor an emulator', () => {
  it('stops before any call and says how to run it', async () => {
    const app = fileURLToPath(new URL('../healthcare-triage/app.js', import.meta.url));
    const failed = await exec(process.execPath, [app], { env: { ...noKeys, DEMO_OPENAI_BASE_URL: '' } }).catch((err) => err);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('OPENAI_API_KEY is not set. Set it to call api.openai.com, or run the example with `node examples/shared/run-example.js <example>`');
  });
});
