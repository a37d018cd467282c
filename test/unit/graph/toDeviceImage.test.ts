import { describe, expect, it } from 'vitest';
import { toDeviceImage } from '../../../src/graph/toDeviceImage';
import { sourceImageId } from '../../fixtures/sourceImage';

/** A v1.0 cloudPcDeviceImage body as Graph sends it for a ready image. */
function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'a1b2c3d4-0000-4000-8000-000000000001',
    displayName: 'win11-ent',
    version: '1.2.0',
    sourceImageResourceId: sourceImageId('win11-ent-1.2.0'),
    status: 'ready',
    errorCode: null,
    operatingSystem: 'Windows 11 Enterprise',
    osBuildNumber: '24H2',
    lastModifiedDateTime: '2026-11-20T12:00:00Z',
    osStatus: 'supported',
    expirationDate: '2028-10-14',
    ...overrides,
  };
}

describe('toDeviceImage osStatus and expirationDate', () => {
  it('reads osStatus and expirationDate as Graph sends them', () => {
    expect(toDeviceImage(body())).toMatchObject({ osStatus: 'supported', expirationDate: '2028-10-14' });
  });

  it('keeps an osStatus it does not know, as received', () => {
    expect(toDeviceImage(body({ osStatus: 'supportedWithWarning' })).osStatus).toBe('supportedWithWarning');
    expect(toDeviceImage(body({ osStatus: 'unknownFutureValue' })).osStatus).toBe('unknownFutureValue');
  });

  it('reads null, absent and empty values as null (before the upload is ready)', () => {
    expect(toDeviceImage(body({ osStatus: null, expirationDate: null }))).toMatchObject({ osStatus: null, expirationDate: null });
    const { osStatus: _osStatus, expirationDate: _expirationDate, ...withoutThem } = body();
    expect(toDeviceImage(withoutThem)).toMatchObject({ osStatus: null, expirationDate: null });
    expect(toDeviceImage(body({ osStatus: '', expirationDate: '' }))).toMatchObject({ osStatus: null, expirationDate: null });
  });

  it('keeps only the date of a date-time expirationDate', () => {
    expect(toDeviceImage(body({ expirationDate: '2028-10-14T00:00:00Z' })).expirationDate).toBe('2028-10-14');
    expect(toDeviceImage(body({ expirationDate: '2028-10-14T23:30:00.000+02:00' })).expirationDate).toBe('2028-10-14');
  });

  it('reads an expirationDate that is no date as null rather than refusing the image', () => {
    expect(toDeviceImage(body({ expirationDate: 'soon' })).expirationDate).toBeNull();
  });

  it('refuses a non-text osStatus with a one-line error naming the field', () => {
    expect(() => toDeviceImage(body({ osStatus: 3 }))).toThrow(/^Graph returned a device image that cannot be read: osStatus: /);
  });

  it('refuses a non-text expirationDate with a one-line error naming the field', () => {
    expect(() => toDeviceImage(body({ expirationDate: 20281014 }))).toThrow(
      /^Graph returned a device image that cannot be read: expirationDate: /,
    );
  });
});

describe('toDeviceImage status', () => {
  it.each([
    ['ready', 'ready'],
    ['Pending', 'pending'],
    ['FAILED', 'failed'],
    ['warning', 'warning'],
    ['unknownFutureValue', 'unknown'],
    ['somethingGraphAddsLater', 'unknown'],
    [null, 'unknown'],
  ])('reads %s as %s: a closed set past the edge', (status, expected) => {
    expect(toDeviceImage(body({ status })).status).toBe(expected);
  });
});
