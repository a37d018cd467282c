import { describe, expect, it } from 'vitest';
import {
  collectNameVersionClaims,
  nameVersionKey,
  type NameVersionClaim,
  resolveNameVersionClaims,
} from '../../../src/rules/nameVersionClaims';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImageId } from '../../fixtures/sourceImage';

const A = sourceImageId('a-1.0.0');
const B = sourceImageId('b-1.0.0');
const C = sourceImageId('c-1.0.0');

function claim(
  sourceImageResourceId: string,
  basis: NameVersionClaim['basis'],
  holds: boolean,
  displayName = 'win11',
  version = '1.0.0',
): NameVersionClaim {
  return { sourceImageResourceId, displayName, version, basis, holds };
}

function losers(claims: NameVersionClaim[]): Record<string, readonly string[]> {
  return Object.fromEntries(resolveNameVersionClaims(claims));
}

const key = (id: string) => id.toLowerCase();

describe('nameVersionKey', () => {
  it('ignores case, surrounding space, Unicode form and version spelling', () => {
    expect(nameVersionKey(' Win11 Café ', 'v01.0.0')).toBe(nameVersionKey('win11 cafe\u0301', '1.0.0'));
    expect(nameVersionKey('win11', '1.0.0')).not.toBe(nameVersionKey('win11', '1.0.1'));
    expect(nameVersionKey('win1', '11.0.0')).not.toBe(nameVersionKey('win11', '1.0.0'));
  });
});

describe('resolveNameVersionClaims', () => {
  it('finds no loser when one source claims a pair, however many times', () => {
    expect(losers([claim(A, 'device-image', true), claim(A.toUpperCase(), 'ledger', true), claim(A, 'listing', true)])).toEqual({});
  });

  it('finds no loser among different pairs', () => {
    expect(losers([claim(A, 'listing', false, 'x'), claim(B, 'listing', false, 'y'), claim(C, 'listing', false, 'x', '2.0.0')])).toEqual(
      {},
    );
  });

  it('skips every claimant when nobody holds the pair, each naming the others', () => {
    expect(losers([claim(A, 'listing', false), claim(B, 'listing', false), claim(C, 'listing', false)])).toEqual({
      [key(A)]: [B, C],
      [key(B)]: [A, C],
      [key(C)]: [A, B],
    });
  });

  it('lets the one holder keep the pair', () => {
    expect(losers([claim(A, 'listing', false), claim(B, 'listing', true), claim(C, 'listing', false)])).toEqual({
      [key(A)]: [B],
      [key(C)]: [B],
    });
    expect(losers([claim(A, 'listing', false), claim(B, 'ledger', true)])).toEqual({ [key(A)]: [B] });
  });

  it('lets the device image in Graph keep the pair over ledger holders', () => {
    expect(losers([claim(A, 'ledger', true), claim(B, 'device-image', true), claim(C, 'listing', true)])).toEqual({
      [key(A)]: [B],
      [key(C)]: [B],
    });
  });

  it('names no keeper when two ledger rows hold the same pair', () => {
    expect(losers([claim(A, 'ledger', true), claim(B, 'ledger', true), claim(C, 'listing', false)])).toEqual({
      [key(A)]: [B, C],
      [key(B)]: [A, C],
      [key(C)]: [A, B],
    });
  });

  it('names no keeper when Graph (against its own rule) holds one pair for two sources', () => {
    const result = losers([claim(A, 'device-image', true), claim(B, 'device-image', true), claim(C, 'listing', false)]);
    expect(result[key(C)]).toEqual([A, B]);
  });

  it("displays a source by the listing's id when it has one", () => {
    const armCased = B.replace('rg-images', 'RG-Images');
    const result = losers([claim(A, 'listing', false), claim(B.toLowerCase(), 'ledger', false), claim(armCased, 'listing', false)]);
    expect(result[key(A)]).toEqual([armCased]);
  });
});

describe('collectNameVersionClaims', () => {
  it('collects device images, rows that are not skipped of unlisted sources, and candidates', () => {
    const claims = collectNameVersionClaims({
      deviceImages: [deviceImage({ sourceImageResourceId: A, displayName: 'a', version: '1.0.0' })],
      ledger: [
        ledgerRow({ sourceImageResourceId: B, displayName: 'b', version: '1.0.0', state: 'queued' }),
        ledgerRow({ sourceImageResourceId: C, displayName: 'c', version: '1.0.0', state: 'skipped' }),
        ledgerRow({ sourceImageResourceId: sourceImageId('listed'), displayName: 'l', version: '1.0.0', state: 'ready' }),
        ledgerRow({ sourceImageResourceId: sourceImageId('unnamed'), displayName: null, version: null, state: 'failed' }),
      ],
      listed: new Set([sourceImageId('listed').toLowerCase()]),
      candidates: [
        { sourceImageResourceId: sourceImageId('new'), displayName: 'n', version: '1.0.0', row: undefined },
        {
          sourceImageResourceId: sourceImageId('held'),
          displayName: 'H',
          version: '01.0.0',
          row: ledgerRow({ displayName: 'h', version: '1.0.0', state: 'creating' }),
        },
        {
          sourceImageResourceId: sourceImageId('was-skipped'),
          displayName: 's',
          version: '1.0.0',
          row: ledgerRow({ displayName: 's', version: '1.0.0', state: 'skipped' }),
        },
      ],
    });
    expect(claims.map(({ displayName, basis, holds }) => [displayName, basis, holds])).toEqual([
      ['a', 'device-image', true],
      ['b', 'ledger', true],
      ['n', 'listing', false],
      ['H', 'listing', true],
      ['s', 'listing', false],
    ]);
  });
});
