/** Runs a batch through the configured processors in order, then hands it to the next consumer. */
import type { SpanConsumer, SpanProcessor } from './processor.js';
import type { SpanRecord } from './span-record.js';

export class ProcessingConsumer implements SpanConsumer {
  constructor(
    private readonly processors: readonly SpanProcessor[],
    private readonly next: SpanConsumer,
  ) {}

  async consume(spans: SpanRecord[]): Promise<void> {
    let batch = spans;
    for (const processor of this.processors) batch = await processor.process(batch);
    await this.next.consume(batch);
  }
}
