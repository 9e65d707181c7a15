import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskSpool, SpoolFullError } from './disk-spool.js';

describe('DiskSpool', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tokentrace-spool-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps batches in append order, across a reopen, and drops half-written files', async () => {
    const spool = new DiskSpool(dir, 1_000);
    await spool.open();
    await Promise.all(['a', 'bb', 'ccc'].map((s) => spool.append(Buffer.from(s))));
    await writeFile(join(dir, '00000000000000000099.batch.tmp'), 'half');
    expect(spool.bytes).toBe(6);

    const again = new DiskSpool(dir, 1_000);
    await again.open();
    expect(again.count).toBe(3);
    expect(again.bytes).toBe(6);
    const seen: string[] = [];
    for (let entry = again.oldest(); entry; entry = again.oldest()) {
      seen.push((await again.read(entry)).toString());
      await again.remove(entry);
    }
    expect(seen).toEqual(['a', 'bb', 'ccc']);
    expect(again.bytes).toBe(0);
    await again.append(Buffer.from('d'));
    expect((await readdir(dir)).sort()).toEqual(['00000000000000000004.batch']);
  });

  it('refuses an append beyond maxBytes unless forced', async () => {
    const spool = new DiskSpool(dir, 10);
    await spool.open();
    await spool.append(Buffer.alloc(6));
    await expect(spool.append(Buffer.alloc(5))).rejects.toBeInstanceOf(SpoolFullError);
    expect(spool.count).toBe(1);
    await spool.append(Buffer.alloc(5), { force: true });
    expect(spool.bytes).toBe(11);
  });

  it('sets a batch aside in rejected/ with its reason', async () => {
    const spool = new DiskSpool(dir, 100);
    await spool.open();
    const entry = await spool.append(Buffer.from('bad'));
    const target = await spool.reject(entry, 'refused: CANNOT_PARSE_TEXT');
    expect(spool.count).toBe(0);
    expect(await readFile(target, 'utf8')).toBe('bad');
    expect(await readFile(`${target}.reason`, 'utf8')).toContain('CANNOT_PARSE_TEXT');
  });
});
