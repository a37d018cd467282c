#!/usr/bin/env node
import { setFlagsFromString } from 'node:v8';
import { processIo } from './cliIo';
import { runCli } from './runCli';

// A sync allocates fast and keeps little, and V8 lets the old generation grow to about four times
// what survived its last full collection before it collects again: 250 MB of RSS for 45 MB live in
// the benchmark's 10,000-image run. Growing by a quarter keeps that run near 180 MB at no measurable
// CPU cost (docs/performance.md). V8 reads this at every full collection, so it takes effect here.
setFlagsFromString('--heap-growing-percent=25');

// A reader that stops early (`image-sync status | head`) closes the pipe: stop quietly, as other commands do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});

void runCli(process.argv.slice(2), processIo).then((code) => {
  process.exitCode = code;
});
