/**
 * Sends each batch to a primary consumer (storage, the system of record: its failure is the
 * caller's) and to secondary ones (forwarding to another backend: best effort, their failures are
 * reported to `onSecondaryError` and never hold up or fail storage).
 */
import type { SpanConsumer } from './processor.js';
import type { SpanRecord } from './span-record.js';

export class FanOutConsumer implements SpanConsumer {
  constructor(
    private readonly primary: SpanConsumer,
    private readonly secondary: readonly SpanConsumer[],
    private readonly onSecondaryError: (err: unknown) => void = () => undefined,
  ) {}

  async consume(spans: SpanRecord[]): Promise<void> {
    for (const consumer of this.secondary) consumer.consume(spans).catch(this.onSecondaryError);
    await this.primary.consume(spans);
  }
}
