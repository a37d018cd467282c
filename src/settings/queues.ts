// The storage names and the timer: queues, the ledger table, the reconcile schedule.
import { ConfigError, type Environment } from './configError';
import { textDefault } from './list';
import { text } from './read';

export interface QueuesPart {
  readonly schedule: string;
  readonly registerQueue: string;
  readonly statusQueue: string;
  readonly table: string;
}

const QUEUE_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const NCRONTAB_FIELD = /^[0-9A-Za-z*,/\-?]+$/;
const TIMESPAN = /^\d{1,2}:\d{2}:\d{2}$/;

export function loadQueues(env: Environment): QueuesPart {
  const registerQueue = queueName(env, 'IMAGE_SYNC_REGISTER_QUEUE');
  const statusQueue = queueName(env, 'IMAGE_SYNC_STATUS_QUEUE');
  if (registerQueue === statusQueue) {
    throw new ConfigError(
      'IMAGE_SYNC_STATUS_QUEUE',
      `is the same queue as IMAGE_SYNC_REGISTER_QUEUE ("${statusQueue}")`,
      'give the two queues different names',
    );
  }
  const table = text(env, 'IMAGE_SYNC_TABLE') ?? textDefault('IMAGE_SYNC_TABLE');
  if (!TABLE_NAME.test(table)) {
    throw new ConfigError(
      'IMAGE_SYNC_TABLE',
      `"${table}" is not a valid table name`,
      'use 3-63 letters and digits, starting with a letter, e.g. imagesync',
    );
  }
  return { schedule: schedule(env), registerQueue, statusQueue, table };
}

function schedule(env: Environment): string {
  const raw = text(env, 'IMAGE_SYNC_SCHEDULE') ?? textDefault('IMAGE_SYNC_SCHEDULE');
  const fields = raw.split(/\s+/);
  const isNcrontab = fields.length === 6 && fields.every((field) => NCRONTAB_FIELD.test(field));
  if (!isNcrontab && !TIMESPAN.test(raw)) {
    throw new ConfigError(
      'IMAGE_SYNC_SCHEDULE',
      `"${raw}" is not an NCRONTAB expression`,
      'use six fields {second} {minute} {hour} {day} {month} {day-of-week}, e.g. "0 */15 * * * *" for every 15 minutes',
    );
  }
  return raw;
}

function queueName(env: Environment, name: 'IMAGE_SYNC_REGISTER_QUEUE' | 'IMAGE_SYNC_STATUS_QUEUE'): string {
  const fallback = textDefault(name);
  const value = text(env, name) ?? fallback;
  if (!QUEUE_NAME.test(value)) {
    throw new ConfigError(
      name,
      `"${value}" is not a valid queue name`,
      `use 3-63 lower-case letters, digits and single hyphens, e.g. ${fallback}`,
    );
  }
  return value;
}

/**
 * A trigger setting for the Functions host: `%NAME%` (resolved by the host from app settings) when
 * the setting is present, else the documented default, so an app without the setting still starts.
 */
export function bindingSetting(
  env: Environment,
  name: 'IMAGE_SYNC_SCHEDULE' | 'IMAGE_SYNC_REGISTER_QUEUE' | 'IMAGE_SYNC_STATUS_QUEUE',
): string {
  return text(env, name) === undefined ? textDefault(name) : `%${name}%`;
}
