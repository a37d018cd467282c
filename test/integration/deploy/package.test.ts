import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');
const PACKAGE_SCRIPT = path.join(REPO, 'scripts/package.mjs');
const workDirs: string[] = [];

afterAll(() => {
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-sync-package-'));
  workDirs.push(dir);
  return dir;
}

function write(root: string, relative: string, text: string): void {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

interface PackageResult {
  zip: string;
  staging: string;
  entries: string[];
  zipBytes: number;
  bundleBytes: number;
}

function runPackage(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [PACKAGE_SCRIPT, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function packageJson(root: string, out: string): PackageResult {
  const run = runPackage(['--root', root, '--out', out, '--json']);
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as PackageResult;
}

/** A small project laid out like this one: compiled entry points, sources, tests, secrets. */
function fixtureProject(): string {
  const root = workDir();
  const manifest = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as Record<string, unknown>;
  write(root, 'package.json', JSON.stringify({ ...manifest, main: 'dist/functions/*.js' }, null, 2));
  write(root, 'host.json', readFileSync(path.join(REPO, 'host.json'), 'utf8'));
  write(root, '.funcignore', `${readFileSync(path.join(REPO, '.funcignore'), 'utf8')}\nnotes.txt\n`);
  write(root, 'dist/src/schedule.js', "exports.schedule = '%IMAGE_SYNC_SCHEDULE%';\n");
  write(
    root,
    'dist/functions/reconcile.js',
    "const { app } = require('@azure/functions');\nconst { schedule } = require('../src/schedule');\napp.timer('reconcile', { schedule, handler: async () => undefined });\n",
  );
  write(
    root,
    'dist/functions/registerImage.js',
    "const { app } = require('@azure/functions');\napp.storageQueue('registerImage', { queueName: 'image-register', connection: 'AzureWebJobsStorage', handler: async () => undefined });\n",
  );
  write(root, 'dist/functions/reconcile.js.map', '{}');
  write(root, 'functions/reconcile.ts', 'export {};\n');
  write(root, 'src/schedule.ts', 'export {};\n');
  write(root, 'test/unit/schedule.test.ts', 'export {};\n');
  write(root, 'local.settings.json', '{ "Values": { "AzureWebJobsStorage": "AccountKey=secret" } }\n');
  write(root, 'README.md', '# readme\n');
  write(root, 'notes.txt', 'listed in .funcignore\n');
  write(root, 'LICENSE', 'MIT\n');
  write(root, 'infra/main.bicep', "targetScope = 'subscription'\n");
  // The bundler resolves @azure/functions from here, as it would in the project itself.
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'), 'junction');
  return root;
}

interface Registration {
  name: string;
  triggers: string[];
}

/** Loads the packaged app the way the Node.js worker does: require(main), with the worker's core API. */
function loadPackagedApp(staging: string, env: Record<string, string> = {}): { registrations: Registration[]; loadMs: number } {
  const stub = path.join(staging, 'node_modules/@azure/functions-core/index.js');
  write(
    staging,
    path.relative(staging, stub),
    [
      'const registrations = [];',
      'process.on("exit", () => process.stdout.write(JSON.stringify({ registrations, loadMs: globalThis.__loadMs })));',
      'module.exports = {',
      '  registerFunction(metadata) {',
      '    const triggers = Object.values(metadata.bindings).filter((b) => b.direction === "in" && /Trigger$/.test(b.type)).map((b) => b.type);',
      '    registrations.push({ name: metadata.name, triggers });',
      '    return { dispose() {} };',
      '  },',
      '  registerHook() { return { dispose() {} }; },',
      '  setProgrammingModel() {},',
      '  log() {},',
      '};',
    ].join('\n'),
  );
  const main = (JSON.parse(readFileSync(path.join(staging, 'package.json'), 'utf8')) as { main: string }).main;
  const loader = `const t = process.hrtime.bigint(); require(${JSON.stringify(path.join(staging, main))}); globalThis.__loadMs = Number(process.hrtime.bigint() - t) / 1e6;`;
  const run = spawnSync(process.execPath, ['-e', loader], {
    cwd: staging,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, ...env },
  });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as { registrations: Registration[]; loadMs: number };
}

describe('npm run package (scripts/package.mjs)', () => {
  // One fixture packaged once, with the defaults, as `npm run package` runs it.
  let fixture: { root: string; zip: string; staging: string; stdout: string };
  beforeAll(() => {
    const root = fixtureProject();
    const run = runPackage(['--root', root]);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    fixture = {
      root,
      zip: path.join(root, 'artifacts/cloudpc-image-sync.zip'),
      staging: path.join(root, 'artifacts/cloudpc-image-sync'),
      stdout: run.stdout,
    };
  });

  it('prints the package, its entries and its size', () => {
    expect(fixture.stdout).toContain('Bundled 2 function entry point(s): dist/functions/reconcile.js, dist/functions/registerImage.js');
    expect(fixture.stdout).toContain('artifacts/cloudpc-image-sync.zip');
    expect(fixture.stdout).toMatch(/Size: \d+\.\d{2} MB zipped, \d+\.\d{2} MB unpacked \(bundle \d+\.\d{2} MB\)/);
  });

  it('zips the bundle, host.json and package.json, and leaves out sources, tests and secrets', () => {
    const zipped = unzipSync(readFileSync(fixture.zip));
    const entries = Object.keys(zipped).sort();
    expect(entries).toEqual(expect.arrayContaining(['dist/main.js', 'host.json', 'package.json', 'LICENSE']));
    const forbidden = entries.filter((entry) =>
      /(^|\/)(src|functions|test|infra|node_modules)\/|\.ts$|\.map$|local\.settings|README\.md|notes\.txt|\.funcignore/.test(entry),
    );
    expect(forbidden).toEqual([]);
    // Only the bundle is code: the tsc output is replaced, not shipped beside it.
    expect(entries.filter((entry) => entry.endsWith('.js'))).toEqual(['dist/main.js']);

    const deployed = JSON.parse(Buffer.from(zipped['package.json'] ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
    expect(deployed).toMatchObject({ name: 'cloudpc-image-sync', main: 'dist/main.js', type: 'commonjs' });
    expect(deployed).not.toHaveProperty('dependencies');
    expect(deployed).not.toHaveProperty('devDependencies');
    expect(deployed).not.toHaveProperty('scripts');
    expect(Buffer.from(zipped['host.json'] ?? new Uint8Array()).toString('utf8')).toBe(readFileSync(path.join(REPO, 'host.json'), 'utf8'));

    // The unzipped copy beside the zip (azd's `dist`) holds exactly the same files.
    expect(readdirSync(fixture.staging).sort()).toEqual([...new Set(entries.map((entry) => entry.split('/')[0]))].sort());
    for (const entry of entries) {
      expect(Buffer.from(zipped[entry] ?? new Uint8Array()).equals(readFileSync(path.join(fixture.staging, entry)))).toBe(true);
    }
  });

  it('ships a bundle that registers every function when the worker loads package.json main', () => {
    const { registrations } = loadPackagedApp(fixture.staging);
    expect(registrations).toEqual([
      { name: 'reconcile', triggers: ['timerTrigger'] },
      { name: 'registerImage', triggers: ['queueTrigger'] },
    ]);
  });

  it('writes the same zip from the same inputs', () => {
    const again = packageJson(fixture.root, path.join(workDir(), 'again.zip'));
    expect(readFileSync(again.zip).equals(readFileSync(fixture.zip))).toBe(true);
  });

  it('refuses to package when nothing has been compiled, and says to build', () => {
    const root = fixtureProject();
    rmSync(path.join(root, 'dist'), { recursive: true });
    const run = runPackage(['--root', root]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /no compiled function entry points match package\.json "main" \(dist\/functions\/\*\.js\); run "npm run build" first/,
    );
    expect(existsSync(path.join(root, 'artifacts/cloudpc-image-sync.zip'))).toBe(false);
  });

  it('refuses a .funcignore that would leave out host.json', () => {
    const root = fixtureProject();
    write(root, '.funcignore', 'host.json\n');
    const run = runPackage(['--root', root]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('host.json is missing or excluded by .funcignore');
  });

  const compiled = path.join(REPO, 'dist/functions');
  const hasCompiledFunctions = existsSync(compiled) && readdirSync(compiled).some((name) => name.endsWith('.js'));

  it.skipIf(!hasCompiledFunctions)('packages this project: the five functions load from the zip with their triggers', () => {
    const result = packageJson(REPO, path.join(workDir(), 'cloudpc-image-sync.zip'));
    // Only the bundle and what the host reads: a new top-level folder must be listed in .funcignore
    // (or added here on purpose).
    expect(result.entries.filter((entry) => entry !== 'dist/main.js.LEGAL.txt')).toEqual(['dist/main.js', 'host.json', 'package.json']);
    const { registrations, loadMs } = loadPackagedApp(result.staging, {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      IMAGE_SYNC_SUBSCRIPTION_IDS: '11111111-1111-4111-8111-111111111111',
    });
    const byName = Object.fromEntries(registrations.map((registration) => [registration.name, registration.triggers]));
    expect(byName).toMatchObject({
      reconcile: ['timerTrigger'],
      imageWritten: ['eventGridTrigger'],
      registerImage: ['queueTrigger'],
      pollImageStatus: ['queueTrigger'],
    });
    // poisonMessages listens on two queues: one registration per queue, named as the app chooses.
    const poison = registrations.filter((registration) => /poison/i.test(registration.name));
    expect(poison.length).toBeGreaterThanOrEqual(1);
    expect(poison.every((registration) => registration.triggers.join() === 'queueTrigger')).toBe(true);
    console.info(
      `package: ${(result.zipBytes / 1024 / 1024).toFixed(2)} MB zipped, bundle ${(result.bundleBytes / 1024 / 1024).toFixed(2)} MB, loaded in ${loadMs.toFixed(0)} ms`,
    );
  });
});
