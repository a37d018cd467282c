// The storage names and the timer: queues, the ledger table, the reconcile schedule.
import { z } from 'zod';
import type { Environment } from './configError';
import { textDefault } from './list';
import { orListDefault, text } from './read';
import { parseSettings, refusal, refuse } from './schema';

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

function queueName(name: 'IMAGE_SYNC_REGISTER_QUEUE' | 'IMAGE_SYNC_STATUS_QUEUE') {
  const queue = z.string().refine(
    (value) => QUEUE_NAME.test(value),
    refusal(
      (value) => `"${value}" is not a valid queue name`,
      `use 3-63 lower-case letters, digits and single hyphens, e.g. ${textDefault(name)}`,
    ),
  );
  return orListDefault(name, queue);
}

const tableName = z.string().refine(
  (value) => TABLE_NAME.test(value),
  refusal((value) => `"${value}" is not a valid table name`, 'use 3-63 letters and digits, starting with a letter, e.g. imagesync'),
);

function isSchedule(value: string): boolean {
  const fields = value.split(/\s+/);
  return (fields.length === 6 && fields.every((field) => NCRONTAB_FIELD.test(field))) || TIMESPAN.test(value);
}

const schedule = z.string().refine(
  isSchedule,
  refusal(
    (value) => `"${value}" is not an NCRONTAB expression`,
    'use six fields {second} {minute} {hour} {day} {month} {day-of-week}, e.g. "0 */15 * * * *" for every 15 minutes',
  ),
);

const queuesSchema = z
  .object({
    IMAGE_SYNC_REGISTER_QUEUE: queueName('IMAGE_SYNC_REGISTER_QUEUE'),
    IMAGE_SYNC_STATUS_QUEUE: queueName('IMAGE_SYNC_STATUS_QUEUE'),
    IMAGE_SYNC_TABLE: orListDefault('IMAGE_SYNC_TABLE', tableName),
    IMAGE_SYNC_SCHEDULE: orListDefault('IMAGE_SYNC_SCHEDULE', schedule),
  })
  .transform((settings, context): QueuesPart => {
    if (settings.IMAGE_SYNC_REGISTER_QUEUE === settings.IMAGE_SYNC_STATUS_QUEUE) {
      return refuse(
        context,
        `is the same queue as IMAGE_SYNC_REGISTER_QUEUE ("${settings.IMAGE_SYNC_STATUS_QUEUE}")`,
        'give the two queues different names',
        'IMAGE_SYNC_STATUS_QUEUE',
      );
    }
    return {
      schedule: settings.IMAGE_SYNC_SCHEDULE,
      registerQueue: settings.IMAGE_SYNC_REGISTER_QUEUE,
      statusQueue: settings.IMAGE_SYNC_STATUS_QUEUE,
      table: settings.IMAGE_SYNC_TABLE,
    };
  });

export function loadQueues(env: Environment): QueuesPart {
  return parseSettings(queuesSchema, env);
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
