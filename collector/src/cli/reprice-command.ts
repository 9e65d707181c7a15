/**
 * `tokentrace reprice [--since YYYY-MM-DD] [--project id] [--config file]`: re-prices stored spans
 * after a price change (updated @pydantic/genai-prices data or an edited price file), using the
 * collector's configuration to find its storage (the embedded engine when no URL is set).
 */
import { parseArgs } from 'node:util';
import { createClickHouseClient, createPricingProcessor, repriceStoredSpans } from '@tokentrace/processors';
import { clickhouseConnection, loadCollectorConfig } from '../config/collector-config.js';

export async function runReprice(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, since: { type: 'string' }, project: { type: 'string' } } });
  const config = loadCollectorConfig(values.config);
  const client = createClickHouseClient(clickhouseConnection(config));
  try {
    const pricing = createPricingProcessor({ priceFile: config.pricing.priceFile });
    const result = await repriceStoredSpans(client, config.clickhouse.database, pricing, { since: values.since, projectId: values.project });
    console.log(`re-priced: ${result.changed} of ${result.scanned} model-call spans changed cost`);
  } finally {
    await client.close();
  }
}
