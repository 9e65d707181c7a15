#!/usr/bin/env node
/**
 * `tokentrace <command>`: `collector` starts the collector, `reprice` re-prices stored spans, and
 * the query commands (issue 4) read the collector's HTTP API: `tree`, `cost`, `requests`, `top`.
 */
import { runCollector } from './collector-main.js';
import { ALERTS_USAGE, runAlertsCommand } from './alerts-command.js';
import { runCostCommand, COST_USAGE } from './cost-command.js';
import { runExplainCommand, EXPLAIN_USAGE } from './explain-command.js';
import { runForecastCommand, FORECAST_USAGE } from './forecast-command.js';
import { COMMON_USAGE } from './query-command.js';
import { runReprice } from './reprice-command.js';
import { runRequestsCommand, REQUESTS_USAGE } from './requests-command.js';
import { runTopCommand, TOP_USAGE } from './top-command.js';
import { runTreeCommand, TREE_USAGE } from './tree-command.js';

const USAGE = `usage: tokentrace collector [--config file.json]
       tokentrace reprice [--since YYYY-MM-DD] [--project id] [--config file.json]
       ${TREE_USAGE}
       ${COST_USAGE}
       ${REQUESTS_USAGE}
       ${TOP_USAGE}
       ${EXPLAIN_USAGE}
       ${FORECAST_USAGE}
       ${ALERTS_USAGE}
${COMMON_USAGE}
filter language: model = "gpt-4o" and property.Feature = "chat" and cost > 0.01 and user != "test"`;

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'collector':
    await runCollector(rest);
    break;
  case 'reprice':
    await runReprice(rest).catch((err: Error) => {
      console.error(`tokentrace reprice: ${err.message}`);
      process.exitCode = 1;
    });
    break;
  case 'tree':
    process.exitCode = await runTreeCommand(rest);
    break;
  case 'cost':
    process.exitCode = await runCostCommand(rest);
    break;
  case 'requests':
    process.exitCode = await runRequestsCommand(rest);
    break;
  case 'top':
    process.exitCode = await runTopCommand(rest);
    break;
  case 'explain':
    process.exitCode = await runExplainCommand(rest);
    break;
  case 'forecast':
    process.exitCode = await runForecastCommand(rest);
    break;
  case 'alerts':
    process.exitCode = await runAlertsCommand(rest);
    break;
  case '--help':
  case '-h':
  case 'help':
    console.log(USAGE);
    break;
  default:
    console.error(`${USAGE}${command ? `\nunknown command: ${command}` : ''}`);
    process.exitCode = command ? 1 : 0;
}
