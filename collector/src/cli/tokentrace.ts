#!/usr/bin/env node
/** `tokentrace <command>`: `collector` starts the collector, `reprice` re-prices stored spans. */
import { runCollector } from './collector-main.js';
import { runReprice } from './reprice-command.js';

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
  default:
    console.error(`usage: tokentrace collector [--config file.json]\n       tokentrace reprice [--since YYYY-MM-DD] [--project id] [--config file.json]${command ? `\nunknown command: ${command}` : ''}`);
    process.exitCode = command ? 1 : 0;
}
