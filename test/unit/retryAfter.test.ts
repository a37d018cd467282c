import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../../src/retryAfter';

const headers = (values: Record<string, string>) => ({ get: (name: string) => values[name.toLowerCase()] });
const NOW = Date.parse('2026-12-06T10:00:00Z');

describe('retryAfterMs', () => {
  it("prefers Azure's millisecond headers, then Retry-After in seconds (decimals rounded up)", () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), NOW)).toBe(1500);
    expect(retryAfterMs(headers({ 'x-ms-retry-after-ms': ' 250 ' }), NOW)).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '2' }), NOW)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': '0.2501' }), NOW)).toBe(251);
  });

  it('reads an HTTP date as the time left until it, never less than nothing', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 06 Dec 2026 10:00:30 GMT' }), NOW)).toBe(30_000);
    expect(retryAfterMs(headers({ 'retry-after': 'Sun, 06 Dec 2026 09:59:00 GMT' }), NOW)).toBe(0);
  });

  it('is null when no header is sent or none can be read', () => {
    expect(retryAfterMs(undefined, NOW)).toBeNull();
    expect(retryAfterMs(headers({}), NOW)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), NOW)).toBeNull();
    expect(retryAfterMs(headers({ 'retry-after-ms': '-5', 'retry-after': 'later' }), NOW)).toBeNull();
  });
});
