import { describe, expect, it } from 'vitest';
import { MessageDecodingError, decodeMessageText, encodeMessage } from '../../../src/queue/messageEncoding';
import { parseRegisterJob } from '../../../src/parse/parseMessage';
import { isContractValid } from './contractSchema';
import { registerJob, statusCheck } from './messageBuilders';

describe('encodeMessage', () => {
  it('is base64 of the JSON text, the Functions default messageEncoding', () => {
    const job = registerJob();
    expect(Buffer.from(encodeMessage(job), 'base64').toString('utf8')).toBe(JSON.stringify(job));
  });

  it('keeps non-ASCII text intact through decodeMessageText', () => {
    const job = registerJob({ displayName: 'Windows 11 – Büro 日本' });
    expect(parseRegisterJob(decodeMessageText(encodeMessage(job)))).toEqual(job);
  });

  it('produces messages the contract accepts', () => {
    for (const message of [registerJob(), registerJob({ trigger: 'event', osBuildNumber: '26100' })]) {
      expect(isContractValid('registerJob', JSON.parse(decodeMessageText(encodeMessage(message))))).toBe(true);
    }
    expect(isContractValid('statusCheck', JSON.parse(decodeMessageText(encodeMessage(statusCheck({ check: 4 })))))).toBe(true);
  });

  it('refuses a value JSON cannot represent', () => {
    expect(() => encodeMessage(undefined)).toThrow(TypeError);
  });
});

describe('decodeMessageText', () => {
  it.each([
    ['aGVsbG8=', 'hello'],
    ['aGVsbG8h', 'hello!'],
    ['aGVsbA==', 'hell'],
    ['', ''],
    ['aGVs\r\nbG8h', 'hello!'],
  ])('decodes %j', (text, expected) => {
    expect(decodeMessageText(text)).toBe(expected);
  });

  it.each([
    ['{"v":1}', 'JSON sent without encoding'],
    ['aGVsbG8', 'a length that is not a multiple of four'],
    ['aGVs=bG8', 'padding in the middle'],
    ['aGVsbG8===', 'too much padding'],
    ['aGVs_G8h', 'the URL-safe alphabet'],
    ['hello world!', 'plain text'],
  ])('rejects %j (%s), as the host does', (text) => {
    expect(() => decodeMessageText(text)).toThrow(MessageDecodingError);
  });
});
