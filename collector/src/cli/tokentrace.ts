#!/usr/bin/env node
/** `tokentrace <command>`: `collector` starts the collector (more commands come with the query API). */
import { runCollector } from './collector-main.js';

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'collector':
    await runCollector(rest);
    break;
  default:
    console.error(`usage: tokentrace collector [--config file.json]${command ? `\nunknown command: ${command}` : ''}`);
    process.exitCode = command ? 1 : 0;
}
