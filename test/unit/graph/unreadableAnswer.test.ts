import { describe, expect, it } from 'vitest';
import { PermanentError, UNREADABLE_ANSWER, UnexpectedResponseError } from '../../../src/errors';
import { toDeviceImage } from '../../../src/graph/toDeviceImage';
import { toPage } from '../../../src/graph/toPage';
import { toProvisioningPolicy } from '../../../src/graph/toProvisioningPolicy';
import { toSourceImageResourceId } from '../../../src/graph/toSourceImageResourceId';

/** What a conversion throws; one that succeeds fails the test. */
function thrown(convert: () => unknown): unknown {
  try {
    convert();
  } catch (error) {
    return error;
  }
  throw new Error('expected the conversion to throw');
}

describe('a Graph answer that cannot be read', () => {
  it.each([
    ['a device image', () => toDeviceImage({ displayName: 'win11-ent' }), /^Graph returned a device image that cannot be read: id: /],
    ['a provisioning policy', () => toProvisioningPolicy('<html>'), /^Graph returned a provisioning policy that cannot be read: body: /],
    [
      'a source image',
      () => toSourceImageResourceId({ displayName: 'x' }),
      /^Graph returned a source image that cannot be read: resourceId: /,
    ],
    [
      'a collection page',
      () => toPage({ '@odata.context': 'x' }, 'a collection page'),
      /^Graph returned a collection page that cannot be read: value: /,
    ],
  ])('is a PermanentError (UnreadableGraphAnswer, no status) for %s, naming the field', (_what, convert, message) => {
    const error = thrown(convert);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).toMatchObject({ code: UNREADABLE_ANSWER, status: null });
    expect(error instanceof Error ? error.message : '').toMatch(message);
  });
});

describe('toPage', () => {
  it('reads the items and the next page of a collection page', () => {
    expect(toPage({ value: [{ id: 'a' }], '@odata.nextLink': 'https://graph.example/v1.0/x?$skiptoken=1' }, 'a page')).toEqual({
      items: [{ id: 'a' }],
      nextLink: 'https://graph.example/v1.0/x?$skiptoken=1',
    });
  });

  it('reads a last page (no nextLink, or null) and an empty one', () => {
    expect(toPage({ value: [] }, 'a page')).toEqual({ items: [], nextLink: null });
    expect(toPage({ value: [1], '@odata.nextLink': null }, 'a page')).toEqual({ items: [1], nextLink: null });
  });

  it('refuses a value that is not a list, rather than reading it as an empty collection', () => {
    expect(() => toPage({ value: {} }, 'a page')).toThrow(/: value: /);
    expect(() => toPage({ value: 'abc' }, 'a page')).toThrow(/: value: /);
  });

  it('refuses a nextLink that is not text', () => {
    expect(() => toPage({ value: [], '@odata.nextLink': 3 }, 'a page')).toThrow(/: @odata\.nextLink: /);
  });
});
