// `npm run bench`: builds, then measures the pipeline against the local emulator (see
// docs/performance.md). Prints the tables and writes bench/results.json (or --out) and the
// Markdown tables beside it.
//
// Node reads NODE_EXTRA_CA_CERTS only at start, and the event measurement talks to the emulator
// from this process, so the bench makes the emulator's certificate first and runs itself again
// with the certificate trusted; every emulator of the run serves that certificate.
import { spawn } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { estate, makeCertificate, managedImage, resourceGroup, startEmulator, subscription, writeCertificate } from '../src/emulator';
import { packageRoot } from '../src/local/packageRoot';
import { startAzurite } from '../src/local/startAzurite';
import { subscriptionIdOf } from './benchEstate';
import { type ColdStart, measureColdStart } from './coldStart';
import { type EventLatency, measureEventLatency } from './eventLatency';
import { type PreviousRelease, preparePreviousRelease } from './previousRelease';
import type { BenchResults } from './benchResults';
import { renderMarkdown, renderText } from './report';
import { type ScenarioResult, POLL_INTERVAL_SECONDS, runScenario } from './runScenario';
import { SCENARIOS } from './scenarios';

const TLS_DIR = 'IMAGE_SYNC_BENCH_TLS_DIR';
const HELP = `Usage: npm run bench [-- --only RUN,RUN,...] [--against REF] [--out FILE.json]

Runs: ${[...SCENARIOS.map((scenario) => scenario.name), 'event', 'cold-start'].join(', ')}.

Runs image-sync sync against the local emulator (fixed latency per call) on generated estates and
prints wall time, requests against the minimum the APIs allow, peak RSS, status checks per image,
early retries, the throttled run's use of its budget, event-to-POST latency and the function app's
cold start. Runs with a plain sequential client beside them (faulty, acceptance, slow-api,
enterprise, enterprise-rg) report the app's figures as ratios to the client's in the same run.
--against REF also runs the CLI of commit REF (e.g. 30b33d4, the previous release: built from
git archive in a temporary folder) on each run's estate, and reports now / then.
Writes FILE.json (default bench/results.json, or bench/results.local.json, git-ignored,
when --only picks some runs) and, for a full run, FILE.md: the tables in Markdown.`;

const say = (line: string) => process.stderr.write(`${line}\n`);

async function withTrustedCertificate(): Promise<number> {
  const certificate = await makeCertificate();
  const files = await writeCertificate(certificate, 'image-sync-bench-tls-');
  try {
    const child = spawn(process.execPath, [__filename, ...process.argv.slice(2)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: files.certPath, [TLS_DIR]: files.directory },
      stdio: 'inherit',
    });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    return await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    await rm(files.directory, { recursive: true, force: true });
  }
}

async function measureEvents(tls: { cert: string; key: string; certPath: string }): Promise<EventLatency> {
  const subscriptionId = subscriptionIdOf(0);
  const eventEstate = estate({
    uploadSeconds: 1,
    graph: { pageSize: 100, maxDeviceImages: 100 },
    subscriptions: [
      subscription({ id: subscriptionId, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'seed-1.0.0' })])] }),
    ],
  });
  const [azurite, emulator] = await Promise.all([startAzurite(), startEmulator({ estate: eventEstate, tls, faults: [{ latencyMs: 20 }] })]);
  try {
    const { NODE_EXTRA_CA_CERTS: _trusted, ...endpoints } = emulator.settings();
    return await measureEventLatency(
      emulator,
      { AzureWebJobsStorage: azurite.connectionString, ...endpoints, IMAGE_SYNC_POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS) },
      subscriptionId,
    );
  } finally {
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
  }
}

async function bench(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { only: { type: 'string' }, out: { type: 'string' }, against: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const root = packageRoot();
  const wanted = values.only === undefined ? null : new Set(values.only.split(',').map((name) => name.trim()));
  const known = new Set([...SCENARIOS.map((scenario) => scenario.name), 'event', 'cold-start']);
  for (const name of wanted ?? []) if (!known.has(name)) throw new Error(`--only: unknown run "${name}"; runs: ${[...known].join(', ')}`);
  const selected = (name: string) => wanted === null || wanted.has(name);
  // A partial run does not replace the full results (results.local.json is git-ignored).
  const out = path.resolve(values.out ?? path.join(root, wanted === null ? 'bench/results.json' : 'bench/results.local.json'));

  const directory = process.env[TLS_DIR];
  if (directory === undefined) throw new Error(`${TLS_DIR} is not set`);
  const certPath = path.join(directory, 'emulator-cert.pem');
  const tls = { cert: await readFile(certPath, 'utf8'), key: await readFile(path.join(directory, 'emulator-key.pem'), 'utf8'), certPath };

  let previous: PreviousRelease | null = null;
  if (values.against !== undefined) {
    say(`bench: building ${values.against} (the release to compare with) in a temporary folder…`);
    previous = await preparePreviousRelease(values.against);
  }
  const scenarios: ScenarioResult[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (!selected(scenario.name)) continue;
      say(
        `bench: ${scenario.name} (${scenario.summary}, ${scenario.latencyMs} ms per call${scenario.budget === undefined ? '' : `, budget ${scenario.budget.perSecond}/s`})…`,
      );
      const result = await runScenario(scenario, tls, previous);
      say(
        `bench: ${scenario.name}: ${(result.wallMs / 1000).toFixed(1)} s, ${result.requests.total.count} requests (minimum ${result.requests.total.minimum})${result.complete ? '' : `, NOT settled (exit ${result.exitCode ?? '?'})\n${result.stderrTail}`}${result.baseline === null ? '' : `; plain client ${(result.baseline.wallMs / 1000).toFixed(1)} s, ${result.baseline.requests} requests`}${result.previous === null ? '' : `; ${values.against ?? ''} ${(result.previous.wallMs / 1000).toFixed(1)} s`}`,
      );
      scenarios.push(result);
    }
  } finally {
    await previous?.remove();
  }
  let eventLatency: EventLatency | null = null;
  if (selected('event')) {
    say('bench: event to POST in the local runner…');
    eventLatency = await measureEvents(tls);
  }
  let coldStart: ColdStart | null = null;
  if (selected('cold-start')) {
    say('bench: cold start of the function app and the deployment package…');
    coldStart = await measureColdStart();
  }
  const results: BenchResults = {
    at: new Date().toISOString(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    scenarios,
    eventLatency,
    coldStart,
  };
  process.stdout.write(`${renderText(results)}\n`);
  await writeFile(out, `${JSON.stringify(results, null, 2)}\n`);
  // The Markdown tables (docs/performance.md, the README) come from full runs.
  if (wanted === null) await writeFile(`${out.replace(/\.json$/, '')}.md`, `${renderMarkdown(results)}\n`);
  say(`bench: wrote ${path.relative(process.cwd(), out) || out}`);
  return 0;
}

if (process.env[TLS_DIR] === undefined) {
  void withTrustedCertificate().then((code) => {
    process.exitCode = code;
  });
} else {
  void bench().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      say(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    },
  );
}
