// The image-sync command as an administrator installs it: `npm pack` of this repository, then
// `npm install -g` of the tarball into a prefix of its own, then the installed bin run with nothing
// but Node on the PATH and an empty home. The suite builds first (`npm test`), so the pack skips the
// prepack rebuild: rebuilding dist/ here would pull it from under the other test files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../src/emulator';
import { startChild } from '../support/cliChild';
import { contractErrors } from '../support/contract';
import { startTestEmulator } from '../support/emulator';
import { REPO_ROOT } from '../support/functionApp';
import { commandSettings } from '../support/cliProcess';

const SUBSCRIPTION = '33333333-3333-4333-8333-333333333333';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const WINDOWS = process.platform === 'win32';
const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};

interface PackedFile {
  readonly path: string;
  readonly size: number;
}
interface Packed {
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly PackedFile[];
}
interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

let work = '';
let packed: Packed;
let prefix = '';
let installed = '';
let bin = '';

/** npm as the developer runs it, minus what `npm test` sets for its own script. */
function npm(args: readonly string[], timeoutMs: number): { stdout: string; ms: number } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_(lifecycle|package)_/i.test(name)));
  const started = Date.now();
  const run = spawnSync(WINDOWS ? 'npm.cmd' : 'npm', args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: timeoutMs, shell: WINDOWS });
  if (run.status !== 0) throw new Error(`npm ${args.join(' ')} exited ${run.status ?? run.signal}: ${run.stderr}`);
  return { stdout: run.stdout, ms: Date.now() - started };
}

/** The installed image-sync, with only Node's folder on the PATH and a home of its own. */
function imageSync(args: readonly string[], env: Readonly<Record<string, string>> = {}, timeoutMs = 60_000): Promise<Run> {
  const child = startChild(
    bin,
    args,
    {
      env: { PATH: path.dirname(process.execPath), HOME: path.join(work, 'home'), USERPROFILE: path.join(work, 'home'), ...env },
      shell: WINDOWS,
    },
    timeoutMs,
  );
  return child.done.then(({ code, stdout, stderr, wallMs }) => ({ code, stdout, stderr, ms: wallMs }));
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** A local port that accepts connections and never answers (a firewall that drops, a hung proxy). */
async function silentPort(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const storageAt = (port: number) =>
  `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};QueueEndpoint=http://127.0.0.1:${port}/devstoreaccount1;TableEndpoint=http://127.0.0.1:${port}/devstoreaccount1;`;

const lines = (text: string) => text.trim().split('\n');

beforeAll(() => {
  if (!existsSync(path.join(REPO_ROOT, 'dist/src/cli/main.js')))
    throw new Error('dist/src/cli/main.js is missing: run "npm run build" first (npm test does)');
  work = mkdtempSync(path.join(tmpdir(), 'image-sync-cli-package-'));
  mkdirSync(path.join(work, 'home'));
  const pack = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], 60_000);
  const [result] = JSON.parse(pack.stdout) as Packed[];
  if (result === undefined) throw new Error(`npm pack printed no result: ${pack.stdout}`);
  packed = result;
  prefix = path.join(work, 'global');
  // --prefer-offline: the dependencies come from the npm cache that `npm ci` filled, the registry
  // only for what is missing there.
  const install = npm(
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      path.join(work, packed.filename),
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    180_000,
  );
  installed = WINDOWS ? path.join(prefix, 'node_modules/cloudpc-image-sync') : path.join(prefix, 'lib/node_modules/cloudpc-image-sync');
  bin = WINDOWS ? path.join(prefix, 'image-sync.cmd') : path.join(prefix, 'bin/image-sync');
  console.info(
    `cli package: ${packed.filename} ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked, ${packed.files.length} files; npm pack ${(pack.ms / 1000).toFixed(1)} s, npm install -g ${(install.ms / 1000).toFixed(1)} s`,
  );
}, 240_000);

afterAll(() => {
  if (work !== '') rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs only what the command needs at run time: compiled code, the list of settings, host.json, README and package.json', () => {
    const paths = packed.files.map((file) => file.path).sort();
    const unexpected = paths.filter(
      (file) =>
        !/^(package\.json|README\.md|host\.json|dist\/src\/.+\.js|dist\/src\/settings\/settings\.json|dist\/functions\/[^/]+\.js)$/.test(
          file,
        ) || /^dist\/src\/(emulator\/|cli\/start\.js|local\/startAzurite\.js)/.test(file),
    );
    expect(unexpected).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/src/cli/main.js',
        'dist/src/local/runLocalSync.js',
        'dist/src/settings/settings.json',
        'host.json',
        'package.json',
      ]),
    );
    expect(packed.size).toBeLessThan(250 * 1024);
  });
});

describe('the installed image-sync', () => {
  it('is an executable bin', () => {
    expect(existsSync(bin)).toBe(true);
    if (!WINDOWS) expect(statSync(bin).mode & 0o111).toBe(0o111);
  });

  it('loads only its own files and its dependencies: no development dependency at run time', async () => {
    const main = path.join(installed, 'dist/src/cli/main.js');
    const result = await build({
      entryPoints: [main],
      bundle: true,
      platform: 'node',
      packages: 'external',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // The emulator is left out of the package on purpose; its command says so (below).
      plugins: [
        {
          name: 'emulator-left-out',
          setup: (plugin) =>
            plugin.onResolve({ filter: /\/emulator\/serveEmulator\.js$/ }, (args) => ({ path: args.path, external: true })),
        },
      ],
    });
    const packages = new Set<string>();
    for (const input of Object.values(result.metafile.inputs)) {
      for (const imported of input.imports) {
        // require.resolve only asks whether a package is there (the emulator command's check).
        if (
          !imported.external ||
          imported.kind === 'require-resolve' ||
          imported.path.startsWith('node:') ||
          imported.path.includes('/emulator/')
        )
          continue;
        packages.add(imported.path.startsWith('@') ? imported.path.split('/').slice(0, 2).join('/') : (imported.path.split('/')[0] ?? ''));
      }
    }
    expect([...packages].filter((name) => !(name in manifest.dependencies))).toEqual([]);
    expect(packages.has('@azure/data-tables')).toBe(true);
  });

  it('prints its version for --version and -V, exit code 0', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await imageSync([flag]);
      expect(run).toMatchObject({ code: 0, stdout: `${manifest.version}\n`, stderr: '' });
    }
  });

  it('explains itself and its commands with --help, exit code 0', async () => {
    const help = await imageSync(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: image-sync <command> \[options\]/);
    const status = await imageSync(['status', '--help']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Usage: image-sync status/);
  });

  it('prints its usage to stderr and exits 1 without a command', async () => {
    const run = await imageSync([]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: image-sync <command> \[options\]/);
  });

  it('names a wrong setting in one line, and with --json prints it as a JSON error on stdout', async () => {
    const run = await imageSync(['status', '--json'], { AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^image-sync: IMAGE_SYNC_SUBSCRIPTION_IDS: is not set\. Fix: /)]);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        kind: 'setting',
        message: expect.stringMatching(/^IMAGE_SYNC_SUBSCRIPTION_IDS: is not set/),
        setting: 'IMAGE_SYNC_SUBSCRIPTION_IDS',
        endpoint: null,
      },
    });
  });

  it('refuses Microsoft Graph for China at start-up, naming GRAPH_ENDPOINT and why', async () => {
    const run = await imageSync(['plan'], {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTION,
      GRAPH_ENDPOINT: 'https://microsoftgraph.chinacloudapi.cn',
    });
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^image-sync: GRAPH_ENDPOINT: .* China .*the Cloud PC device image API does not exist\. Fix: /),
    ]);
  });

  it('says storage is unreachable, naming the setting and the endpoint, within 30 s: status, plan and sync', async () => {
    const port = await closedPort();
    const silent = await silentPort();
    const settings = { AzureWebJobsStorage: storageAt(port), IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTION };
    try {
      const runs = await Promise.all([
        imageSync(['status', '--json'], settings),
        imageSync(['plan', '--json'], settings),
        imageSync(['sync', '--json', '--timeout', '600'], settings),
        imageSync(['status', '--json'], { ...settings, AzureWebJobsStorage: storageAt(silent.port) }),
      ]);
      console.info(
        `storage unreachable: status ${runs[0]?.ms} ms, plan ${runs[1]?.ms} ms, sync ${runs[2]?.ms} ms; storage that never answers: status ${runs[3]?.ms} ms`,
      );
      for (const [index, run] of runs.entries()) {
        const endpoint = `http://127.0.0.1:${index === 3 ? silent.port : port}/devstoreaccount1`;
        expect(run.code, run.stderr).toBe(1);
        expect(run.ms).toBeLessThan(30_000);
        expect(lines(run.stderr)).toEqual([`image-sync: ${(JSON.parse(run.stdout) as { error: { message: string } }).error.message}`]);
        expect(run.stderr).toMatch(
          new RegExp(`^image-sync: storage is unreachable at ${endpoint.replace(/[.]/g, '\\.')} .*AzureWebJobsStorage`),
        );
        expect(JSON.parse(run.stdout)).toEqual({
          error: { kind: 'storage-unreachable', message: expect.any(String), setting: 'AzureWebJobsStorage', endpoint },
        });
        expect(run.stdout + run.stderr).not.toContain(AZURITE_KEY.slice(0, 20));
      }
    } finally {
      await silent.close();
    }
  }, 60_000);

  it('says the emulator needs the development install, exit code 1', async () => {
    const run = await imageSync(['emulator']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        /^image-sync: the emulator is a development tool and is not part of the installed package: run it from a clone of the repository after npm ci/,
      ),
    ]);
  });

  it('registers an image through the real queues and table, with the host.json it ships', async () => {
    const image = 'win11-ent-1.0.0';
    const emulator = await startTestEmulator(
      estate({
        subscriptions: [
          subscription({
            id: SUBSCRIPTION,
            resourceGroups: [resourceGroup('rg-images', [managedImage({ name: image, upload: { outcome: 'ready', seconds: 0.3 } })])],
          }),
        ],
      }),
    );
    try {
      const env = commandSettings(emulator, 'pkg', {
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
        IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTION,
        IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '1',
      });
      const sync = await imageSync(['sync', '--json', '--timeout', '60'], env, 90_000);
      expect(sync.code, sync.stderr).toBe(0);
      const report = JSON.parse(sync.stdout) as { images: { sourceImageResourceId: string; state: string }[] };
      expect(contractErrors('status', report)).toBeNull();
      expect(report.images).toEqual([
        expect.objectContaining({ sourceImageResourceId: managedImageResourceId(SUBSCRIPTION, 'rg-images', image), state: 'ready' }),
      ]);
      const status = await imageSync(['status', '--json'], env);
      expect(status.code).toBe(0);
      expect(contractErrors('status', JSON.parse(status.stdout))).toBeNull();
    } finally {
      await emulator.stop();
    }
  }, 120_000);
});
