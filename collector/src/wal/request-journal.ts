/**
 * The write-ahead log seen from the receivers (issue 11): a trace export whose spans the pipeline
 * took is appended to the log before it is answered, and marked done once the BatchProcessor's
 * delivery mark passed every span it had taken by then (inserted, spooled or set aside). At
 * start-up, before the receivers listen, the requests an earlier process left are fed through the
 * same decode and pipeline again; spans that were already stored come back as duplicates, which
 * the table removes (ReplacingMergeTree by span identity).
 */
import type { TraceJournal } from '../receivers/types.js';
import type { OtlpEncoding } from '../receivers/trace-codec.js';
import { ReceiverFailure } from '../receivers/receiver-failure.js';
import { decodeRequestRecord, encodeRequestRecord, type RequestRecord } from './request-record.js';
import type { WalTicket, WriteAheadLog } from './write-ahead-log.js';

/** What the journal needs of the BatchProcessor. */
export interface DeliveryMarks {
  readonly received: number;
  whenDelivered(mark: number): Promise<void>;
}

export interface ReplayResult {
  requests: number;
  /** Records that could not be read or decoded, logged and dropped from the log. */
  unreadable: number;
}

export class RequestJournal implements TraceJournal {
  constructor(
    private readonly wal: WriteAheadLog,
    private readonly marks: DeliveryMarks,
    private readonly log: (message: string) => void,
  ) {}

  async record(body: Uint8Array, encoding: OtlpEncoding, projectId: string): Promise<void> {
    // Read before the append: the pipeline took this request's spans already, so the mark covers them.
    const mark = this.marks.received;
    const ticket = await this.wal.append(encodeRequestRecord({ body, encoding, projectId }));
    this.doneAt(mark, ticket);
  }

  /**
   * Feeds the recovered records through `exportOne` (decode + pipeline), oldest first. A record
   * the pipeline cannot take yet (throttled, unavailable) is offered again after `retryDelayMs`;
   * one that cannot be read or decoded is logged and marked done.
   */
  async replay(
    records: readonly { ticket: WalTicket; payload: Buffer }[],
    exportOne: (record: RequestRecord) => Promise<unknown>,
    retryDelayMs = 200,
  ): Promise<ReplayResult> {
    const result: ReplayResult = { requests: 0, unreadable: 0 };
    for (const { ticket, payload } of records) {
      for (;;) {
        try {
          await exportOne(decodeRequestRecord(payload));
          result.requests++;
          break;
        } catch (err) {
          if (err instanceof ReceiverFailure && (err.kind === 'throttled' || err.kind === 'unavailable')) {
            await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
            continue;
          }
          this.log(`write-ahead log: dropping a request that cannot be replayed (segment ${ticket.segment}): ${(err as Error).message}`);
          result.unreadable++;
          break;
        }
      }
      this.doneAt(this.marks.received, ticket);
    }
    return result;
  }

  private doneAt(mark: number, ticket: WalTicket): void {
    void this.marks.whenDelivered(mark)
      .then(() => this.wal.done(ticket))
      .catch((err: unknown) => this.log(`write-ahead log: ${(err as Error).message}`)); // a bug, not the sender's: never crash the collector for it
  }
}
