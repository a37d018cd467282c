import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/cli/cliIo';
import { describeFailure, failureLine, wantsJson } from '../../../src/cli/commandFailure';
import { StorageNotAnsweringError } from '../../../src/cli/storagePreflight';
import { ConfigError } from '../../../src/config';
import { PermanentError } from '../../../src/errors';
import { StorageUnreachableError } from '../../../src/storage/classifyStorageError';

const QUEUE = 'http://127.0.0.1:9/devstoreaccount1';

describe('describeFailure', () => {
  it('names the setting of a settings error', () => {
    const failure = describeFailure(new ConfigError('IMAGE_SYNC_TAG', '"x" is not key=value', 'set key=value'), 'plan');
    expect(failure).toEqual({
      kind: 'setting',
      message: 'IMAGE_SYNC_TAG: "x" is not key=value. Fix: set key=value',
      setting: 'IMAGE_SYNC_TAG',
      endpoint: null,
    });
    expect(failureLine(failure, 'plan')).toBe('image-sync: IMAGE_SYNC_TAG: "x" is not key=value. Fix: set key=value');
  });

  it('names the endpoint and the setting of storage that did not answer the start-up check', () => {
    const failure = describeFailure(
      new StorageNotAnsweringError(`storage is unreachable at ${QUEUE} (ECONNREFUSED)`, QUEUE, 'AzureWebJobsStorage'),
      'status',
    );
    expect(failure).toEqual({
      kind: 'storage-unreachable',
      message: `storage is unreachable at ${QUEUE} (ECONNREFUSED)`,
      setting: 'AzureWebJobsStorage',
      endpoint: QUEUE,
    });
  });

  it('names the endpoint of storage lost during a run', () => {
    expect(describeFailure(new StorageUnreachableError('storage is unreachable', QUEUE), 'sync')).toMatchObject({
      kind: 'storage-unreachable',
      setting: null,
      endpoint: QUEUE,
    });
  });

  it('points a usage error at the command help, and names the command on stderr', () => {
    const failure = describeFailure(new UsageError('--port "x" is not a port number (0-65535)'), 'emulator');
    expect(failure).toEqual({
      kind: 'usage',
      message: '--port "x" is not a port number (0-65535). See image-sync emulator --help',
      setting: null,
      endpoint: null,
    });
    expect(failureLine(failure, 'emulator')).toBe(
      'image-sync emulator: --port "x" is not a port number (0-65535). See image-sync emulator --help',
    );
  });

  it('keeps the first line of an unexpected error, secrets removed', () => {
    const failure = describeFailure(new Error('boom AccountKey=abc123==;\n    at somewhere'), 'plan');
    expect(failure.kind).toBe('failed');
    expect(failure.message).not.toContain('abc123');
    expect(failure.message).not.toContain('\n');
  });

  it('keeps a classified error whole', () => {
    expect(
      describeFailure(new PermanentError({ message: 'Graph answered 403 Forbidden: grant CloudPC.ReadWrite.All', status: 403 }), 'plan'),
    ).toMatchObject({
      kind: 'failed',
      message: 'Graph answered 403 Forbidden: grant CloudPC.ReadWrite.All',
    });
  });
});

describe('wantsJson', () => {
  it('sees --json among the options, not after --', () => {
    expect(wantsJson(['--json'])).toBe(true);
    expect(wantsJson(['--verbose', '--json'])).toBe(true);
    expect(wantsJson(['--', '--json'])).toBe(false);
    expect(wantsJson([])).toBe(false);
  });
});
