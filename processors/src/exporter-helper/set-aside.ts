/**
 * What the SpoolingConsumer puts into the spool's `rejected/` folder, and how it reports it: one
 * log line and one `onRejected` per refused delivery (issue 10). Spans refused one by one (a
 * SpansRefusedError) are written there alone, in the spool's batch format, with a `.reason` file
 * naming each span and why; a delivery refused without naming spans goes there whole.
 */
import type { SpanRecord } from '../pipeline/span-record.js';
import { encodeBatch } from './batch-codec.js';
import type { DiskSpool, SpoolEntry } from './disk-spool.js';
import { errorText, type HelperLogger } from './logger.js';
import { SpansRefusedError } from './spans-refused-error.js';

export interface SetAsideReport {
  /** Spans set aside (0 for a spooled file that cannot be read), and the first reason. */
  onRejected?(spans: number, reason: string): void;
}

export class SetAside {
  constructor(
    private readonly spool: DiskSpool,
    private readonly logger: HelperLogger,
    private readonly report: SetAsideReport,
  ) {}

  /** A direct delivery of `spans` refused with `err` (a PermanentError); throws when rejected/ cannot be written. */
  async direct(spans: SpanRecord[], err: unknown): Promise<void> {
    const setAside = err instanceof SpansRefusedError ? err.refused.map((r) => r.span) : spans;
    const reason = err instanceof SpansRefusedError ? err.report() : `refused: ${errorText(err)}`;
    const target = await this.spool.rejectBatch(encodeBatch(setAside), reason);
    this.reported(setAside.length, spans.length, target, err);
  }

  /**
   * A replay of `entries` (holding `spans`) refused with `err`: the refused spans, or, when `err`
   * names none, every file of the delivery. Returns how many spans were set aside; the caller
   * deletes the files (those moved here are gone already).
   */
  async replayed(entries: SpoolEntry[], spans: SpanRecord[], err: unknown): Promise<number> {
    if (err instanceof SpansRefusedError) {
      const target = await this.spool.rejectBatch(encodeBatch(err.refused.map((r) => r.span)), err.report(), `spooled-${entries[0].seq}`);
      this.reported(err.refused.length, spans.length, target, err);
      return err.refused.length;
    }
    const reason = `refused: ${errorText(err)}`;
    let target = '';
    for (const entry of entries) target = await this.spool.reject(entry, reason);
    this.reported(spans.length, spans.length, entries.length > 1 ? `${entries.length} files up to ${target}` : target, err);
    return spans.length;
  }

  /** A spooled file that cannot be decoded: moved there as it is. */
  async unreadable(entry: SpoolEntry, err: unknown): Promise<void> {
    const reason = `unreadable: ${errorText(err)}`;
    const target = await this.spool.reject(entry, reason);
    this.logger.error(`spooled batch ${target} set aside (${reason})`);
    this.report.onRejected?.(0, reason);
  }

  private reported(setAside: number, total: number, where: string, err: unknown): void {
    const first = err instanceof SpansRefusedError ? err.refused[0].reason : errorText(err);
    this.logger.error(`${setAside} of ${total} spans refused, set aside in ${where} (first reason: ${first})`);
    this.report.onRejected?.(setAside, `refused: ${first}`);
  }
}
