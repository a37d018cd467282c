// What the Functions host and the Node worker hand a queue-triggered handler for a message text:
// base64-decoded per host.json's messageEncoding, then JSON-parsed when it parses (the worker's
// `tryJsonParse`), else the string itself.
import { decodeMessageText } from '../queue/messageEncoding';
import type { MessageEncoding } from './hostQueueSettings';

/** Throws MessageDecodingError when the encoding is base64 and the text is not. */
export function toTriggerInput(messageText: string, encoding: MessageEncoding): unknown {
  const text = encoding === 'base64' ? decodeMessageText(messageText) : messageText;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
