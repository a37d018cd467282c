// `image-sync report` on a ledger of 10,000 registrations (DESIGN §16): the time to list the rows
// from a real Azurite table (what the command reads) and the time to build and render the report
// from them, each measured over several runs. Prints the figures; asserts nothing.
//   npm run bench:report            (ROWS=20000 npm run bench:report for another size)
import { performance } from 'node:perf_hooks';
import { buildLedgerReport, renderLedgerReport } from '../src/cli/ledgerReport';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/log';
import { startAzurite } from '../src/local/startAzurite';
import { createSharedClients } from '../src/runtime/createSyncDeps';
import { newLedgerEntry } from '../src/steps/ledgerTransitions';
import type { NewLedgerEntry } from '../src/ports';

const ROWS = Number(process.env['ROWS'] ?? 10_000);
const RUNS = 5;
const DAY_MS = 24 * 3600 * 1000;
const ERRORS = ['internalServerError', 'sourceImageNotGeneralized', 'osVersionNotSupported'];

/** Two years of registrations of 40 display names: mostly ready in 20-200 minutes, some failed, some still uploading. */
function registration(index: number, now: number): NewLedgerEntry {
  const created = new Date(now - ((index * 730) / ROWS) * DAY_MS);
  const name = `img-${index % 40}`;
  const entry = newLedgerEntry({
    sourceImageResourceId: `/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/images/${name}`,
    displayName: name,
    version: `1.${Math.floor(index / 40)}.0`,
  });
  const failed = index % 17 === 0;
  const minutes = 20 + ((index * 37) % 180);
  return {
    ...entry,
    state: failed ? 'failed' : index % 101 === 0 ? 'pending' : 'ready',
    deviceImageId: `00000000-0000-4000-8000-${index.toString().padStart(12, '0')}`,
    errorCode: failed ? (ERRORS[index % ERRORS.length] ?? null) : null,
    imageCreatedAt: created.toISOString(),
    readyAt: failed || index % 101 === 0 ? null : new Date(created.getTime() + minutes * 60_000).toISOString(),
  };
}

function summary(label: string, samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${label.padEnd(34)} median ${median.toFixed(1)} ms, min ${(sorted[0] ?? 0).toFixed(1)} ms, max ${(sorted[sorted.length - 1] ?? 0).toFixed(1)} ms (${samples.length} runs)`;
}

async function main(): Promise<void> {
  const azurite = await startAzurite();
  try {
    const config = loadConfig({
      AzureWebJobsStorage: azurite.connectionString,
      IMAGE_SYNC_SUBSCRIPTION_IDS: '11111111-1111-4111-8111-111111111111',
      IMAGE_SYNC_TABLE: 'benchreport',
    });
    const clients = createSharedClients(
      config,
      createLogger(() => undefined, 'error'),
    );
    const now = Date.now();
    const filled = performance.now();
    const entries = Array.from({ length: ROWS }, (_, index) => registration(index, now));
    await clients.ledger.insertMany(entries, new Date(now));
    await clients.slotCounts.record({ inUse: 14, limit: 20, keepVersions: 0, at: new Date(now).toISOString() });
    console.log(`ledger of ${ROWS} registrations written to Azurite in ${((performance.now() - filled) / 1000).toFixed(1)} s`);

    const reads: number[] = [];
    const builds: number[] = [];
    const totals: number[] = [];
    let lines = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const start = performance.now();
      const [rows, count] = await Promise.all([clients.ledger.list(), clients.slotCounts.latest()]);
      const read = performance.now();
      const text = renderLedgerReport(buildLedgerReport(rows, count, new Date(now)), config.tenantImageLimit);
      const built = performance.now();
      reads.push(read - start);
      builds.push(built - read);
      totals.push(built - start);
      lines = text.split('\n').length;
      if (rows.length !== ROWS) throw new Error(`read ${rows.length} rows, wrote ${ROWS}`);
    }
    console.log(summary('read the ledger (Azurite, paged)', reads));
    console.log(summary('build and render the report', builds));
    console.log(summary('report, end to end (no process start)', totals));
    console.log(`${lines} lines of report; node ${process.version}, ${process.platform}`);
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
