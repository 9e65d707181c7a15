/** The README's Quick start demo, run as a test so it never rots. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm run demo', () => {
  it('runs the instrumented example against the emulators and prints its span tree', async () => {
    const demo = fileURLToPath(new URL('../../examples/quickstart/run-demo.js', import.meta.url));
    const env = { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GEMINI_API_KEY: '' };
    const { stdout } = await run(process.execPath, [demo], { env });
    expect(stdout).toContain('EMULATORS (local test doubles, not the real services');
    expect(stdout).toMatch(/^invoke_workflow answer-ticket/m);
    expect(stdout).toMatch(/^ {4}chat gpt-4o-mini .*openai .*in \d+ \/ out \d+ tokens .*path \/triage$/m);
    expect(stdout).toMatch(/^ {4}embeddings text-embedding-004 .*gcp\.gemini/m);
    expect(stdout).toMatch(/^ {6}POST .*\(http\)$/m);
    expect(stdout).toMatch(/Total: 3 LLM calls, \d+ input and \d+ output tokens, user customer-1017, session ticket-4711\./);
  });
});
