import { describe, expect, it } from 'vitest';
import { daysUntil, osWarnings, sourceWarnings, warningsOf } from '../../../src/rules/warnings';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImage } from '../../fixtures/sourceImage';

const NOW = new Date('2026-12-01T15:00:00Z');
const codes = (warnings: readonly { code: string }[]) => warnings.map((warning) => warning.code);

describe('OS support warnings', () => {
  it('counts whole days to the expiration date from today (UTC)', () => {
    expect(daysUntil('2026-12-31', NOW)).toBe(30);
    expect(daysUntil('2026-11-30', NOW)).toBe(-1);
    expect(daysUntil('2026-12-01T00:00:00Z', NOW)).toBe(0);
    expect(daysUntil('soon', NOW)).toBeNull();
  });

  it('warns within IMAGE_SYNC_EXPIRY_WARNING_DAYS and after the date, not before the window', () => {
    expect(codes(osWarnings({ osStatus: 'supported', expirationDate: '2026-12-31' }, NOW, 30))).toEqual(['os-support-ending']);
    expect(codes(osWarnings({ osStatus: 'supported', expirationDate: '2027-01-01' }, NOW, 30))).toEqual([]);
    expect(codes(osWarnings({ osStatus: 'supported', expirationDate: '2026-11-01' }, NOW, 30))).toEqual(['os-support-ended']);
    expect(osWarnings({ osStatus: null, expirationDate: '2026-12-10' }, NOW, 30)[0]?.text).toMatch(/2026-12-10 \(in 9 days\)/);
  });

  it('warns on supportedWithWarning whatever its casing, and never on supported or unknown', () => {
    expect(codes(osWarnings({ osStatus: 'SupportedWithWarning', expirationDate: null }, NOW, 30))).toEqual(['os-support-warning']);
    expect(codes(osWarnings({ osStatus: 'unknown', expirationDate: null }, NOW, 30))).toEqual([]);
  });

  it('shows warnings of ready registrations only', () => {
    const row = ledgerRow({ osStatus: 'supportedWithWarning', expirationDate: '2026-12-02' });
    expect(codes(warningsOf(row, NOW, 30))).toEqual(['os-support-warning', 'os-support-ending']);
    expect(warningsOf({ ...row, state: 'retired' }, NOW, 30)).toEqual([]);
  });
});

describe('source warnings', () => {
  const registered = { displayName: 'win11-ent', version: '1.2.0', contentFingerprint: 'vm-build-1' };

  it('says version-unchanged, with the fix, when the source was rebuilt under the registered version', () => {
    const [warning] = sourceWarnings(registered, sourceImage({ contentFingerprint: 'vm-build-2' }), {
      displayName: 'win11-ent',
      version: '1.2.0',
    });
    expect(warning?.code).toBe('version-unchanged');
    expect(warning?.text).toMatch(/bump cloudpc-version/i);
  });

  it('says nothing for the same capture, another version, or an unknown capture', () => {
    expect(
      sourceWarnings(registered, sourceImage({ contentFingerprint: 'vm-build-1' }), { displayName: 'win11-ent', version: '1.2.0' }),
    ).toEqual([]);
    expect(
      sourceWarnings(registered, sourceImage({ contentFingerprint: 'vm-build-2' }), { displayName: 'win11-ent', version: '1.3.0' }),
    ).toEqual([]);
    expect(sourceWarnings(registered, sourceImage({ contentFingerprint: null }), { displayName: 'win11-ent', version: '1.2.0' })).toEqual(
      [],
    );
  });

  it('reports a changed display name as drift, never a rename', () => {
    const warnings = sourceWarnings(registered, sourceImage({ contentFingerprint: 'vm-build-1' }), {
      displayName: 'Windows 11 Engineering',
      version: '1.2.0',
    });
    expect(codes(warnings)).toEqual(['display-name-changed']);
    expect(warnings[0]?.text).toMatch(/never renames/);
    expect(
      sourceWarnings(registered, sourceImage({ contentFingerprint: 'vm-build-1' }), { displayName: 'WIN11-ENT', version: '1.2.0' }),
    ).toEqual([]);
  });
});
