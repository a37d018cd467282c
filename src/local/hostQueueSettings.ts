// host.json's queue settings, read the way the Functions host reads them, so that the local runner
// polls, retries and poisons exactly as the deployed app does.
import { readFile } from 'node:fs/promises';

export type MessageEncoding = 'base64' | 'none';

export interface HostQueueSettings {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxDequeueCount: number;
  /** How long a failed message stays hidden before it is tried again. */
  readonly visibilityTimeoutMs: number;
  readonly maxPollingIntervalMs: number;
  readonly messageEncoding: MessageEncoding;
}

/** The Functions defaults (storage extension 5.x) for settings host.json leaves out. */
export const HOST_QUEUE_DEFAULTS: HostQueueSettings = Object.freeze({
  batchSize: 16,
  newBatchThreshold: 8,
  maxDequeueCount: 5,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 60_000,
  messageEncoding: 'base64',
});

const MAX_BATCH_SIZE = 32;
const MIN_POLLING_INTERVAL_MS = 100;
// A .NET TimeSpan as JSON writes it: [d.]hh:mm:ss[.fffffff]
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/;

export class HostSettingsError extends Error {
  constructor(hostJsonPath: string, setting: string, problem: string) {
    super(`${hostJsonPath}: extensions.queues.${setting} ${problem}`);
    this.name = 'HostSettingsError';
  }
}

/** Milliseconds of a TimeSpan string such as `00:00:30` or `1.02:00:00.5`; null when it is not one. */
export function timeSpanToMs(text: string): number | null {
  const match = TIMESPAN.exec(text.trim());
  if (match === null) return null;
  const [, days, hours, minutes, seconds, fraction] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return null;
  const wholeSeconds = Number(days ?? 0) * 86_400 + Number(hours) * 3_600 + Number(minutes) * 60 + Number(seconds);
  return wholeSeconds * 1_000 + Math.round(Number(`0.${fraction ?? '0'}`) * 1_000);
}

function record(value: unknown): Readonly<Record<string, unknown>> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The queue settings of an already-parsed host.json; `source` names it in errors. */
export function hostQueueSettings(hostJson: unknown, source = 'host.json'): HostQueueSettings {
  const queues = record(record(record(hostJson).extensions).queues);
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const value = queues[name];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw new HostSettingsError(source, name, `must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
    }
    return value;
  };
  const span = (name: string, fallbackMs: number, minMs: number): number => {
    const value = queues[name];
    if (value === undefined) return fallbackMs;
    const ms = typeof value === 'string' ? timeSpanToMs(value) : null;
    if (ms === null || ms < minMs) {
      throw new HostSettingsError(
        source,
        name,
        `must be a time span such as "00:00:30"${minMs > 0 ? ` of at least ${minMs} ms` : ''}, not ${JSON.stringify(value)}`,
      );
    }
    return ms;
  };
  const batchSize = whole('batchSize', HOST_QUEUE_DEFAULTS.batchSize, 1, MAX_BATCH_SIZE);
  const encoding = queues.messageEncoding ?? HOST_QUEUE_DEFAULTS.messageEncoding;
  if (typeof encoding !== 'string' || !['base64', 'none'].includes(encoding.toLowerCase())) {
    throw new HostSettingsError(source, 'messageEncoding', `must be "base64" or "none", not ${JSON.stringify(encoding)}`);
  }
  return Object.freeze({
    batchSize,
    // The host's default is half a batch (per vCPU in Azure; one here).
    newBatchThreshold: whole('newBatchThreshold', Math.floor(batchSize / 2), 0, 1_000),
    maxDequeueCount: whole('maxDequeueCount', HOST_QUEUE_DEFAULTS.maxDequeueCount, 1, 1_000),
    visibilityTimeoutMs: span('visibilityTimeout', HOST_QUEUE_DEFAULTS.visibilityTimeoutMs, 0),
    maxPollingIntervalMs: span('maxPollingInterval', HOST_QUEUE_DEFAULTS.maxPollingIntervalMs, MIN_POLLING_INTERVAL_MS),
    messageEncoding: encoding.toLowerCase() === 'none' ? 'none' : 'base64',
  });
}

/** Reads host.json's `extensions.queues`, with the Functions defaults for anything absent. */
export async function readHostQueueSettings(hostJsonPath: string): Promise<HostQueueSettings> {
  const text = await readFile(hostJsonPath, 'utf8');
  let hostJson: unknown;
  try {
    hostJson = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new Error(`${hostJsonPath} is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return hostQueueSettings(hostJson, hostJsonPath);
}
