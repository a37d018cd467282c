import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../src/cli/cliIo';
import { USAGE, runCli } from '../../../src/cli/runCli';

const SUBSCRIPTION = '11111111-1111-4111-8111-111111111111';
const VERSION = (JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as { version: string }).version;

interface Captured {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** runCli in process with the given settings; nothing here reaches a network (each case fails before). */
async function run(argv: readonly string[], env: Record<string, string> = {}): Promise<Captured> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env,
    stdout: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => (stderr += text.endsWith('\n') ? text : `${text}\n`),
    interactive: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

describe('image-sync without a command', () => {
  it('prints its usage to stderr and exits 1', async () => {
    const result = await run([]);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${USAGE}\n` });
  });

  it.each([['--help'], ['-h'], ['help']])('prints its usage to stdout for %s and exits 0', async (flag) => {
    const result = await run([flag]);
    expect(result).toEqual({ code: 0, stdout: `${USAGE}\n`, stderr: '' });
  });

  it.each([['--version'], ['-V']])('prints the package version for %s and exits 0', async (flag) => {
    const result = await run([flag]);
    expect(result).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('lists --version and the JSON error in its usage', () => {
    expect(USAGE).toMatch(/-V, --version/);
    expect(USAGE).toContain('{ "error": { "kind", "message", "setting", "endpoint" } }');
  });
});

describe('a command that cannot run', () => {
  it('says why in one line on stderr, and prints nothing on stdout without --json', async () => {
    const result = await run(['status'], { AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^image-sync: IMAGE_SYNC_SUBSCRIPTION_IDS: is not set\. Fix: [^\n]+\n$/);
  });

  it('with --json, also prints the error as JSON on stdout, naming the setting', async () => {
    const result = await run(['status', '--json'], { AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toEqual({
      error: {
        kind: 'setting',
        message: expect.stringMatching(/^IMAGE_SYNC_SUBSCRIPTION_IDS: is not set\. Fix: /),
        setting: 'IMAGE_SYNC_SUBSCRIPTION_IDS',
        endpoint: null,
      },
    });
  });

  it('refuses an unsupported Graph cloud at start-up, naming GRAPH_ENDPOINT', async () => {
    const env = {
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTION,
      GRAPH_ENDPOINT: 'https://dod-graph.microsoft.us',
    };
    const result = await run(['plan', '--json'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^image-sync: GRAPH_ENDPOINT: "https:\/\/dod-graph\.microsoft\.us" is Microsoft Graph for US Government L5 \(DoD\), where the Cloud PC device image API does not exist\. Fix: [^\n]+\n$/,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { kind: 'setting', setting: 'GRAPH_ENDPOINT' } });
  });

  it('with --json, prints a usage error as JSON too, and names the command on stderr', async () => {
    const result = await run(['status', '--json', '--colour']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^image-sync status: .*--colour.*\. See image-sync status --help\n$/);
    expect(JSON.parse(result.stdout)).toEqual({
      error: { kind: 'usage', message: expect.stringMatching(/--colour.*See image-sync status --help$/), setting: null, endpoint: null },
    });
  });

  it('with --json, prints an unknown command as a JSON usage error', async () => {
    const result = await run(['stauts', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^image-sync: unknown command "stauts"\. Commands: plan, sync, register, status, prune, rollback, report, login, logout, emulator\. See image-sync --help\n$/,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { kind: 'usage' } });
  });

  it('reads --json as an option only before --', async () => {
    const result = await run(['register', '--', '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^image-sync register: "--json" is not a managed image id/);
  });
});
