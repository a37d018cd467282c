import { describe, expect, it } from 'vitest';
import { isDateTimeText } from '../../../src/parse/dateTimeText';
import { isContractValid } from '../queue/contractSchema';
import { statusCheck } from '../queue/messageBuilders';

const contractAccepts = (since: string): boolean => isContractValid('statusCheck', statusCheck({ since }));

describe('isDateTimeText', () => {
  const cases = [
    '2024-05-01T12:00:00Z',
    '2024-05-01T12:00:00.5Z',
    '2024-05-01T12:00:00.123456789Z',
    '2024-05-01T14:00:00+02:00',
    '2024-05-01T14:00:00-0530',
    '2024-05-01 12:00:00Z',
    '2024-05-01t12:00:00z',
    '2000-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-05-01T12:00:00',
    '2024-05-01T12:60:00Z',
    '2024-05-01T12:00:00+24:00',
    '2024-05-01',
    '12:00:00Z',
    '2024-5-1T12:00:00Z',
    'Wed, 01 May 2024 12:00:00 GMT',
    '',
  ];

  it.each(cases)('agrees with the contract (ajv-formats date-time) on %j', (text) => {
    expect(isDateTimeText(text)).toBe(contractAccepts(text));
  });

  it.each(['2016-12-31T23:59:60Z', '2024-05-01T14:00:00+02'])('refuses %j, which the contract allows but Date cannot read', (text) => {
    expect(contractAccepts(text)).toBe(true);
    expect(Date.parse(text)).toBeNaN();
    expect(isDateTimeText(text)).toBe(false);
  });

  it('accepts what Date.toISOString produces', () => {
    expect(isDateTimeText(new Date(0).toISOString())).toBe(true);
    expect(isDateTimeText(new Date('2099-12-31T23:59:59.999Z').toISOString())).toBe(true);
  });
});
