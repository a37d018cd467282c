// On the wire a message is base64 of its JSON text: the Functions host's default `messageEncoding`
// (host.json) decodes it before the handler sees it. The storage-queue SDK sends text as given.

/** A message text that is not valid base64; the host moves such a message to the poison queue at once. */
export class MessageDecodingError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'MessageDecodingError';
  }
}

// What .NET's Convert.FromBase64String (the host's decoder) accepts: the standard alphabet, padding
// only at the end, a length that is a multiple of four once whitespace is removed.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** base64 of the UTF-8 JSON text of `message`. */
export function encodeMessage(message: unknown): string {
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError('a queue message must be JSON-serialisable');
  return Buffer.from(json, 'utf8').toString('base64');
}

/** The UTF-8 text inside a base64 message text; throws MessageDecodingError when it is not base64. */
export function decodeMessageText(base64: string): string {
  const compact = base64.replace(/[\t\n\r ]/g, '');
  if (!BASE64.test(compact)) throw new MessageDecodingError('the message text is not valid base64');
  return Buffer.from(compact, 'base64').toString('utf8');
}
