import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../../src/errors';
import { MAX_MESSAGE_BYTES, parseRegisterJob, parseStatusCheck } from '../../../src/parse/parseMessage';
import { isContractValid } from '../queue/contractSchema';
import { SOURCE_IMAGE_ID, registerJob, statusCheck } from '../queue/messageBuilders';

function rejection(parse: () => unknown): InvalidMessageError {
  try {
    parse();
  } catch (error) {
    if (error instanceof InvalidMessageError) return error;
    throw error;
  }
  throw new Error('expected the message to be rejected');
}

describe('parseRegisterJob', () => {
  it('accepts the object the Functions worker hands over when the text was JSON', () => {
    expect(parseRegisterJob(registerJob())).toEqual(registerJob());
  });

  it('accepts the JSON text as a string and as a Buffer', () => {
    const text = JSON.stringify(registerJob({ operatingSystem: 'Windows 11', osBuildNumber: '22631' }));
    expect(parseRegisterJob(text)).toEqual(registerJob({ operatingSystem: 'Windows 11', osBuildNumber: '22631' }));
    expect(parseRegisterJob(Buffer.from(text, 'utf8'))).toEqual(registerJob({ operatingSystem: 'Windows 11', osBuildNumber: '22631' }));
  });

  it('ignores a byte-order mark before the JSON text', () => {
    expect(parseRegisterJob(`\uFEFF${JSON.stringify(registerJob())}`)).toEqual(registerJob());
  });

  it('drops fields the contract does not name, as the schema allows them', () => {
    const parsed = parseRegisterJob({ ...registerJob(), addedLater: 'x' });
    expect(parsed).toEqual(registerJob());
    expect(parsed).not.toHaveProperty('addedLater');
  });

  it('accepts every trigger the contract names', () => {
    for (const trigger of ['reconcile', 'event', 'manual'] as const) {
      expect(parseRegisterJob(registerJob({ trigger })).trigger).toBe(trigger);
    }
  });

  it('keeps whether image-sync register was given --version, and names the field when it is not a boolean', () => {
    expect(parseRegisterJob(registerJob({ trigger: 'manual', versionFromCaller: false })).versionFromCaller).toBe(false);
    expect(parseRegisterJob(registerJob({ trigger: 'manual', versionFromCaller: true })).versionFromCaller).toBe(true);
    expect(parseRegisterJob(registerJob()).versionFromCaller).toBeUndefined();
    const error = rejection(() => parseRegisterJob({ ...registerJob(), versionFromCaller: 'yes' }));
    expect(error.message).toMatch(/versionFromCaller must be true, false or absent, not "yes"/);
  });

  it('accepts a managed-image id in any casing, as ARM and Graph differ', () => {
    const id = SOURCE_IMAGE_ID.toLowerCase();
    expect(parseRegisterJob(registerJob({ sourceImageResourceId: id })).sourceImageResourceId).toBe(id);
    const upper = SOURCE_IMAGE_ID.toUpperCase();
    expect(parseRegisterJob(registerJob({ sourceImageResourceId: upper })).sourceImageResourceId).toBe(upper);
  });

  it.each([
    ['another resource type', SOURCE_IMAGE_ID.replace('/images/', '/galleries/')],
    ['extra segments', `${SOURCE_IMAGE_ID}/versions/1`],
    ['a subscription that is not a GUID', SOURCE_IMAGE_ID.replace('11111111-1111-4111-8111-111111111111', 'my-sub')],
    ['an image name over 80 characters', SOURCE_IMAGE_ID.replace('win11-ent-1.2.0', 'a'.repeat(81))],
    ['no leading slash', SOURCE_IMAGE_ID.slice(1)],
    ['a space in the name', SOURCE_IMAGE_ID.replace('win11-ent-1.2.0', 'win 11')],
  ])('rejects a sourceImageResourceId with %s', (_, sourceImageResourceId) => {
    const error = rejection(() => parseRegisterJob(registerJob({ sourceImageResourceId })));
    expect(error.message).toMatch(/^image-register message: sourceImageResourceId is not a managed-image id/);
  });

  it.each([['1.2'], ['v1.2.0'], ['1.2.0-beta'], ['1.2.x'], ['']])('rejects version %j', (version) => {
    expect(rejection(() => parseRegisterJob(registerJob({ version }))).message).toMatch(
      /^image-register message: version must be MAJOR\.MINOR\.PATCH in digits/,
    );
  });

  it('rejects an unknown message version alone, as it explains every other difference', () => {
    const error = rejection(() => parseRegisterJob({ ...registerJob(), v: 2, version: 'x' }));
    expect(error.message).toBe('image-register message: v must be 1, the only message version this app reads, not 2');
  });

  it.each([
    [{ v: '1' }, 'v must be 1, the only message version this app reads, not "1"'],
    [{ v: undefined }, 'v is missing'],
    [{ displayName: '' }, 'displayName must not be empty'],
    [{ displayName: 7 }, 'displayName must be a string, not 7'],
    [{ trigger: 'timer' }, 'trigger must be reconcile, event or manual, not "timer"'],
    [{ operatingSystem: null }, 'operatingSystem must be a string, not null'],
    [{ enqueuedAt: 'yesterday' }, 'enqueuedAt must be an RFC 3339 date-time with a time zone, e.g. 2024-05-01T12:00:00Z, not "yesterday"'],
  ])('names the field and what is wrong: %j', (overrides, expected) => {
    const error = rejection(() => parseRegisterJob({ ...registerJob(), ...overrides }));
    expect(error.message).toBe(`image-register message: ${expected}`);
    expect(error.queue).toBe('image-register');
  });

  it('reports a missing field as missing', () => {
    const { displayName: _omitted, ...rest } = registerJob();
    expect(rejection(() => parseRegisterJob(rest)).message).toBe('image-register message: displayName is missing');
  });

  it('names several wrong fields on one line, at most three', () => {
    const error = rejection(() => parseRegisterJob({ v: 1 }));
    expect(error.message).toMatch(
      /^image-register message: sourceImageResourceId is missing; displayName is missing; version is missing; and 2 more$/,
    );
    expect(error.message).not.toContain('\n');
  });

  it.each([
    ['2024-05-01T12:00:00Z'],
    ['2024-05-01T12:00:00.123456Z'],
    ['2024-05-01T14:00:00+02:00'],
    ['2024-05-01t12:00:00z'],
    ['2024-02-29T00:00:00Z'],
  ])('accepts the date-time %s', (enqueuedAt) => {
    expect(parseRegisterJob(registerJob({ enqueuedAt })).enqueuedAt).toBe(enqueuedAt);
  });

  it.each([
    ['2024-05-01T12:00:00', 'no time zone'],
    ['2024-05-01', 'no time'],
    ['2023-02-29T00:00:00Z', 'not a leap year'],
    ['2024-13-01T00:00:00Z', 'month 13'],
    ['2024-05-01T24:00:00Z', 'hour 24'],
    ['2016-12-31T23:59:60Z', 'a leap second, which Date cannot read'],
    ['1714564800000', 'epoch milliseconds'],
  ])('rejects the date-time %s (%s)', (enqueuedAt) => {
    expect(rejection(() => parseRegisterJob(registerJob({ enqueuedAt }))).message).toMatch(
      /^image-register message: enqueuedAt must be an RFC 3339 date-time/,
    );
  });

  it.each([
    ['{"v":1,', /^image-register message is not valid JSON \(/],
    ['', /^image-register message is empty$/],
    ['   ', /^image-register message is empty$/],
    ['[1,2]', /^image-register message must be a JSON object, not an array$/],
    ['42', /^image-register message must be a JSON object, not 42$/],
    ['null', /^image-register message must be a JSON object, not null$/],
    ['hello', /^image-register message is not valid JSON/],
  ])('rejects the text %j', (text, expected) => {
    expect(rejection(() => parseRegisterJob(text)).message).toMatch(expected);
  });

  it('rejects values that are not messages at all', () => {
    expect(rejection(() => parseRegisterJob(undefined)).message).toBe('image-register message must be a JSON object, not nothing');
    expect(rejection(() => parseRegisterJob(12)).message).toBe('image-register message must be a JSON object, not 12');
    expect(rejection(() => parseRegisterJob([registerJob()])).message).toBe('image-register message must be a JSON object, not an array');
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(rejection(() => parseRegisterJob(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).message).toBe(
      'image-register message is not UTF-8 text',
    );
  });

  it('rejects a message over 64 KB, as text and as an object', () => {
    const big = registerJob({ displayName: 'x'.repeat(MAX_MESSAGE_BYTES) });
    expect(rejection(() => parseRegisterJob(JSON.stringify(big))).message).toMatch(
      /^image-register message is \d+ bytes, over the 65536-byte \(64 KB\) limit$/,
    );
    expect(rejection(() => parseRegisterJob(big)).message).toMatch(/over the 65536-byte \(64 KB\) limit$/);
  });

  it('accepts a message of exactly 64 KB', () => {
    const base = JSON.stringify(registerJob({ displayName: '' }));
    const job = registerJob({ displayName: 'x'.repeat(MAX_MESSAGE_BYTES - base.length) });
    expect(Buffer.byteLength(JSON.stringify(job))).toBe(MAX_MESSAGE_BYTES);
    expect(parseRegisterJob(JSON.stringify(job)).displayName).toHaveLength(MAX_MESSAGE_BYTES - base.length);
  });

  it('names the queue it was given in the error', () => {
    const error = rejection(() => parseRegisterJob('nope', 'custom-register'));
    expect(error.queue).toBe('custom-register');
    expect(error.message).toMatch(/^custom-register message/);
  });
});

describe('parseStatusCheck', () => {
  it('accepts a status check as object, text and Buffer', () => {
    const check = statusCheck({ check: 3, retryUploads: 1 });
    expect(parseStatusCheck(check)).toEqual(check);
    expect(parseStatusCheck(JSON.stringify(check))).toEqual(check);
    expect(parseStatusCheck(Buffer.from(JSON.stringify(check)))).toEqual(check);
  });

  it.each([
    [{ check: -1 }, 'check must be 0 or more, not -1'],
    [{ check: 1.5 }, 'check must be a whole number, not 1.5'],
    [{ check: '2' }, 'check must be a whole number, not "2"'],
    [{ retryUploads: -2 }, 'retryUploads must be 0 or more, not -2'],
    [{ deviceImageId: '' }, 'deviceImageId must not be empty'],
    [
      { since: '2024-05-01 12:00' },
      'since must be an RFC 3339 date-time with a time zone, e.g. 2024-05-01T12:00:00Z, not "2024-05-01 12:00"',
    ],
    [{ v: 0 }, 'v must be 1, the only message version this app reads, not 0'],
  ])('names the field and what is wrong: %j', (overrides, expected) => {
    const error = rejection(() => parseStatusCheck({ ...statusCheck(), ...overrides }));
    expect(error.message).toBe(`image-status message: ${expected}`);
    expect(error.queue).toBe('image-status');
  });

  it('rejects a register job sent to the status queue', () => {
    expect(rejection(() => parseStatusCheck(registerJob())).message).toMatch(
      /^image-status message: deviceImageId is missing; check is missing; since is missing/,
    );
  });
});

describe('the schemas agree with contract/messages.schema.json', () => {
  const registerCases: unknown[] = [
    registerJob(),
    registerJob({ operatingSystem: 'Windows 11', osBuildNumber: '22631' }),
    { ...registerJob(), addedLater: true },
    { ...registerJob(), v: 2 },
    { ...registerJob(), version: '1.2' },
    { ...registerJob(), trigger: 'timer' },
    { ...registerJob(), enqueuedAt: '2024-05-01T12:00:00' },
    { ...registerJob(), enqueuedAt: '2024-05-01T14:00:00+02:00' },
    { ...registerJob(), sourceImageResourceId: SOURCE_IMAGE_ID.toLowerCase() },
    { ...registerJob(), sourceImageResourceId: `${SOURCE_IMAGE_ID}/x` },
    { ...registerJob(), displayName: '' },
    { ...registerJob(), operatingSystem: 3 },
  ];
  const statusCases: unknown[] = [
    statusCheck(),
    statusCheck({ check: 12, retryUploads: 2 }),
    { ...statusCheck(), check: -1 },
    { ...statusCheck(), check: 1.5 },
    { ...statusCheck(), deviceImageId: '' },
    { ...statusCheck(), since: 'later' },
  ];

  const accepts = (parse: () => unknown): boolean => {
    try {
      parse();
      return true;
    } catch {
      return false;
    }
  };

  it.each(registerCases.map((message, index) => [index, message]))(
    'register case %i: accepted exactly when the contract accepts it',
    (_, message) => {
      expect(accepts(() => parseRegisterJob(message))).toBe(isContractValid('registerJob', message));
    },
  );

  it.each(statusCases.map((message, index) => [index, message]))(
    'status case %i: accepted exactly when the contract accepts it',
    (_, message) => {
      expect(accepts(() => parseStatusCheck(message))).toBe(isContractValid('statusCheck', message));
    },
  );

  it('what parsing returns is valid against the contract', () => {
    expect(isContractValid('registerJob', parseRegisterJob(registerJob({ operatingSystem: 'Windows 11' })))).toBe(true);
    expect(isContractValid('statusCheck', parseStatusCheck(statusCheck()))).toBe(true);
  });
});
