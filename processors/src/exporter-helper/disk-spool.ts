/**
 * A bounded, crash-safe FIFO of byte blobs in a directory: one file per batch, named by a
 * zero-padded sequence number so that the directory listing is the replay order.
 *
 * A batch is durable before append() resolves: it is written to `<name>.tmp`, fsync'd, renamed
 * to its final name, and the directory is fsync'd (rename is atomic on POSIX file systems, so a
 * crash leaves either no file or a whole one; a left-over `.tmp` is deleted at open). Appends are
 * serialized, so files appear in sequence order. `maxBytes` bounds the sum of the files' sizes;
 * an append beyond it fails with SpoolFullError unless forced (shutdown persists what is in
 * flight even if that overshoots the bound, rather than lose it).
 *
 * What cannot be delivered goes to `rejected/` with a `.reason` file next to it, set aside for a
 * person to look at, never deleted silently: a spooled file that cannot be read or whose delivery
 * was refused (moved there), and the spans a store refused as bad data (written there, in the
 * same batch format, from a direct delivery or from a replay).
 */
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export interface SpoolEntry {
  readonly seq: number;
  readonly file: string;
  readonly bytes: number;
}

export class SpoolFullError extends Error {
  readonly code = 'TOKENTRACE_SPOOL_FULL';
  constructor(message: string) {
    super(message);
    this.name = 'SpoolFullError';
  }
}

const SUFFIX = '.batch';
const NAME = /^(\d{20})\.batch$/;

export class DiskSpool {
  private readonly entries: SpoolEntry[] = [];
  /** Bytes on disk plus bytes reserved by appends in progress. */
  private usedBytes = 0;
  private nextSeq = 1;
  private appendTail: Promise<unknown> = Promise.resolve();
  private opened = false;
  /** Batches written straight to rejected/ by this process (rejectBatch). */
  private directRejects = 0;

  constructor(
    readonly directory: string,
    readonly maxBytes: number,
  ) {
    if (!directory) throw new TypeError('invalid spool.directory: expected a directory path');
    if (!(Number.isFinite(maxBytes) && maxBytes > 0)) throw new TypeError(`invalid spool.maxBytes: expected a positive number, got ${maxBytes}`);
  }

  get rejectedDirectory(): string {
    return join(this.directory, 'rejected');
  }

  /** Creates the directory, drops half-written files and indexes what an earlier process left. */
  async open(): Promise<void> {
    if (this.opened) return;
    await mkdir(this.directory, { recursive: true });
    for (const name of await readdir(this.directory)) {
      if (name.endsWith('.tmp')) {
        await rm(join(this.directory, name), { force: true });
        continue;
      }
      const match = NAME.exec(name);
      if (!match) continue;
      const file = join(this.directory, name);
      const bytes = (await stat(file)).size;
      this.entries.push({ seq: Number(match[1]), file, bytes });
      this.usedBytes += bytes;
    }
    this.entries.sort((a, b) => a.seq - b.seq);
    this.nextSeq = (this.entries.at(-1)?.seq ?? 0) + 1;
    this.opened = true;
  }

  /** Batches waiting. */
  get count(): number {
    return this.entries.length;
  }

  /** Bytes of the waiting batches (and of appends in progress). */
  get bytes(): number {
    return this.usedBytes;
  }

  /** Appends `data` durably; rejects with SpoolFullError when it would exceed maxBytes (unless `force`). */
  append(data: Buffer, options: { force?: boolean } = {}): Promise<SpoolEntry> {
    if (!this.opened) return Promise.reject(new Error('DiskSpool.open() has not been called'));
    if (!options.force && this.usedBytes + data.length > this.maxBytes) {
      return Promise.reject(new SpoolFullError(`spool full: ${this.usedBytes} of ${this.maxBytes} bytes used, batch of ${data.length} bytes refused`));
    }
    // Reserve now, so that concurrent appends respect the bound; write in order.
    this.usedBytes += data.length;
    const seq = this.nextSeq++;
    const write = this.appendTail.then(() => this.write(seq, data));
    this.appendTail = write.catch(() => undefined);
    return write.catch((err: unknown) => {
      this.usedBytes -= data.length;
      throw err;
    });
  }

  /** The oldest batch, or undefined when the spool is empty. */
  oldest(): SpoolEntry | undefined {
    return this.entries[0];
  }

  /** The oldest batches, in order, as many as fit in `maxBytes` (always at least one when not empty). */
  oldestUpTo(maxBytes: number): SpoolEntry[] {
    const picked: SpoolEntry[] = [];
    let bytes = 0;
    for (const entry of this.entries) {
      if (picked.length > 0 && bytes + entry.bytes > maxBytes) break;
      picked.push(entry);
      bytes += entry.bytes;
    }
    return picked;
  }

  async read(entry: SpoolEntry): Promise<Buffer> {
    return readFile(entry.file);
  }

  /** Deletes a batch that has been delivered. */
  async remove(entry: SpoolEntry): Promise<void> {
    await rm(entry.file, { force: true });
    this.forget(entry);
  }

  /** Moves a batch that can never be delivered to `rejected/`, with the reason beside it. */
  async reject(entry: SpoolEntry, reason: string): Promise<string> {
    const target = await this.intoRejected(basename(entry.file), reason, (to) => rename(entry.file, to));
    this.forget(entry);
    return target;
  }

  /**
   * Writes spans that can never be delivered (refused as bad data) straight to `rejected/`, with
   * the reason beside it, durably: a replay deletes the spooled files they came from next. Named
   * `<origin>-<time>-<pid>-<n>.batch` (origin `direct` for a first delivery), so that it cannot
   * meet a queued batch's name moved there later.
   */
  async rejectBatch(data: Buffer, reason: string, origin = 'direct'): Promise<string> {
    const stamp = new Date().toISOString().replace(/[-:.]/g, '');
    return this.intoRejected(`${origin}-${stamp}-${process.pid}-${this.directRejects++}${SUFFIX}`, reason, (to) => writeDurably(to, data));
  }

  /** Puts a batch into `rejected/` as `name` with `put`, then writes the reason beside it. */
  private async intoRejected(name: string, reason: string, put: (target: string) => Promise<void>): Promise<string> {
    await mkdir(this.rejectedDirectory, { recursive: true });
    const target = join(this.rejectedDirectory, name);
    await put(target);
    await writeFile(`${target}.reason`, `${new Date().toISOString()} ${reason}\n`);
    await syncDirectory(this.rejectedDirectory);
    return target;
  }

  /** Resolves when appends in progress are on disk. */
  async flush(): Promise<void> {
    await this.appendTail;
  }

  private async write(seq: number, data: Buffer): Promise<SpoolEntry> {
    const name = `${String(seq).padStart(20, '0')}${SUFFIX}`;
    const file = join(this.directory, name);
    const tmp = `${file}.tmp`;
    try {
      await writeDurably(tmp, data);
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await syncDirectory(this.directory);
    const entry: SpoolEntry = { seq, file, bytes: data.length };
    this.entries.push(entry); // appends are serialized: sequence order holds
    return entry;
  }

  private forget(entry: SpoolEntry): void {
    const index = this.entries.indexOf(entry);
    if (index < 0) return;
    this.entries.splice(index, 1);
    this.usedBytes -= entry.bytes;
  }
}

/** Writes `data` to `file` and fsyncs it. */
async function writeDurably(file: string, data: Buffer): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a rename durable (fsync on the directory); a no-op where directories cannot be opened (Windows). */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // not supported on this platform: the rename is still atomic, only its durability is weaker
  } finally {
    await handle?.close();
  }
}
