#!/usr/bin/env node
// The `tessera` command: a thin shim over the compiled CLI (built by `npm install` through `prepare`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
