import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  HOST_QUEUE_DEFAULTS,
  HostSettingsError,
  hostQueueSettings,
  readHostQueueSettings,
  timeSpanToMs,
} from '../../../src/local/hostQueueSettings';

const REPO_HOST_JSON = path.resolve(__dirname, '../../..', 'host.json');

async function hostJsonFile(text: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'host-json-')), 'host.json');
  await writeFile(file, text, 'utf8');
  return file;
}

describe('readHostQueueSettings', () => {
  it("reads the app's host.json", async () => {
    expect(await readHostQueueSettings(REPO_HOST_JSON)).toEqual({
      batchSize: 16,
      newBatchThreshold: 8,
      maxDequeueCount: 5,
      visibilityTimeoutMs: 30_000,
      maxPollingIntervalMs: 2_000,
      messageEncoding: 'base64',
    });
  });

  it('uses the Functions defaults for anything absent', async () => {
    expect(await readHostQueueSettings(await hostJsonFile('{"version":"2.0"}'))).toEqual(HOST_QUEUE_DEFAULTS);
    expect(hostQueueSettings({ extensions: { queues: { batchSize: 5 } } })).toEqual({
      ...HOST_QUEUE_DEFAULTS,
      batchSize: 5,
      newBatchThreshold: 2,
    });
  });

  it('reads a host.json that starts with a byte-order mark', async () => {
    const settings = await readHostQueueSettings(await hostJsonFile('\uFEFF{"extensions":{"queues":{"messageEncoding":"None"}}}'));
    expect(settings.messageEncoding).toBe('none');
  });

  it('names the file when it is not JSON', async () => {
    const file = await hostJsonFile('{ nope');
    await expect(readHostQueueSettings(file)).rejects.toThrow(`${file} is not valid JSON`);
  });

  it.each([
    [{ batchSize: 64 }, 'extensions.queues.batchSize must be a whole number from 1 to 32, not 64'],
    [{ maxDequeueCount: 0 }, 'extensions.queues.maxDequeueCount must be a whole number from 1 to 1000, not 0'],
    [{ visibilityTimeout: 30 }, 'extensions.queues.visibilityTimeout must be a time span such as "00:00:30", not 30'],
    [
      { maxPollingInterval: '00:00:00' },
      'extensions.queues.maxPollingInterval must be a time span such as "00:00:30" of at least 100 ms, not "00:00:00"',
    ],
    [{ messageEncoding: 'utf8' }, 'extensions.queues.messageEncoding must be "base64" or "none", not "utf8"'],
  ])('refuses %j with a line naming the setting', (queues, expected) => {
    expect(() => hostQueueSettings({ extensions: { queues } }, 'host.json')).toThrow(HostSettingsError);
    expect(() => hostQueueSettings({ extensions: { queues } }, 'host.json')).toThrow(`host.json: ${expected}`);
  });
});

describe('timeSpanToMs', () => {
  it.each([
    ['00:00:30', 30_000],
    ['00:01:00', 60_000],
    ['1.02:03:04', 93_784_000],
    ['00:00:00.5', 500],
    ['00:00:01.2500000', 1_250],
  ])('reads %s as %d ms', (text, ms) => {
    expect(timeSpanToMs(text)).toBe(ms);
  });

  it.each(['30', '00:60:00', '24:00:00', 'PT30S', ''])('refuses %j', (text) => {
    expect(timeSpanToMs(text)).toBeNull();
  });
});
