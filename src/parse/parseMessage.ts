// Queue messages arrive as `unknown`: the Functions Node worker hands a handler an already-parsed
// object when the text was JSON, else the string (a Buffer for binary data). Each is parsed here into
// a domain type, or rejected with InvalidMessageError naming the field and what is wrong, in one line.
import { TextDecoder } from 'node:util';
import type { z } from 'zod';
import { DEFAULTS } from '../config';
import type { RegisterJob, StatusCheck } from '../domain';
import { InvalidMessageError, errorMessage } from '../errors';
import { registerJobSchema, statusCheckSchema } from './messageSchemas';

/** Azure Storage's limit for one queue message. */
export const MAX_MESSAGE_BYTES = 64 * 1024;
/** Issues reported per message; the rest are summarised as a count. */
const REPORTED_ISSUES = 3;

function sizeCheck(bytes: number, queue: string): void {
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new InvalidMessageError({
      queue,
      message: `${queue} message is ${bytes} bytes, over the ${MAX_MESSAGE_BYTES}-byte (64 KB) limit`,
    });
  }
}

function fromText(text: string, queue: string): unknown {
  sizeCheck(Buffer.byteLength(text, 'utf8'), queue);
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw new InvalidMessageError({ queue, message: `${queue} message is empty` });
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    throw new InvalidMessageError({ queue, message: `${queue} message is not valid JSON (${errorMessage(error)})` });
  }
}

function messageValue(input: unknown, queue: string): unknown {
  if (typeof input === 'string') return fromText(input, queue);
  if (input instanceof Uint8Array) {
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new InvalidMessageError({ queue, message: `${queue} message is not UTF-8 text` });
    }
    return fromText(text, queue);
  }
  if (input !== null && typeof input === 'object') {
    let json: string | undefined;
    try {
      json = JSON.stringify(input);
    } catch (error) {
      throw new InvalidMessageError({ queue, message: `${queue} message cannot be read as JSON (${errorMessage(error)})` });
    }
    sizeCheck(Buffer.byteLength(json ?? '', 'utf8'), queue);
  }
  return input;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], queue: string): string {
  // A wrong `v` explains every other difference: report it alone.
  const versionIssue = issues.find((issue) => issue.path.length === 1 && issue.path[0] === 'v');
  const reported = versionIssue === undefined ? issues : [versionIssue];
  const parts = reported.slice(0, REPORTED_ISSUES).map((issue) => {
    const field = issue.path.map(String).join('.');
    return field === '' ? `${queue} message ${issue.message}` : `${field} ${issue.message}`;
  });
  const more = reported.length > REPORTED_ISSUES ? `; and ${reported.length - REPORTED_ISSUES} more` : '';
  const text = parts.join('; ');
  return text.startsWith(`${queue} message`) ? `${text}${more}` : `${queue} message: ${text}${more}`;
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown, queue: string): T {
  const result = schema.safeParse(messageValue(input, queue));
  if (!result.success) throw new InvalidMessageError({ queue, message: describeIssues(result.error.issues, queue) });
  return result.data;
}

/** Parses an `image-register` message. `queue` only names the queue in the error. */
export function parseRegisterJob(input: unknown, queue: string = DEFAULTS.IMAGE_SYNC_REGISTER_QUEUE): RegisterJob {
  return parseWith<RegisterJob>(registerJobSchema, input, queue);
}

/** Parses an `image-status` message. `queue` only names the queue in the error. */
export function parseStatusCheck(input: unknown, queue: string = DEFAULTS.IMAGE_SYNC_STATUS_QUEUE): StatusCheck {
  return parseWith<StatusCheck>(statusCheckSchema, input, queue);
}
