// How long a throttled or unavailable answer asks the caller to wait, read from its headers: the one
// parser the Graph retry policy and the ARM error classification share.

/** Response headers as both fetch (`Headers`) and the Azure SDK (`HttpHeaders`) offer them. */
export interface HeaderSource {
  get(name: string): string | null | undefined;
}

/**
 * How long a 429/503 answer asks to wait: `retry-after-ms` / `x-ms-retry-after-ms` (Azure), else
 * `Retry-After` in seconds or as an HTTP date; null when none is sent or readable.
 */
export function retryAfterMs(headers: HeaderSource | undefined, now = Date.now()): number | null {
  if (headers === undefined) return null;
  const milliseconds = headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms');
  if (typeof milliseconds === 'string' && /^\d+$/.test(milliseconds.trim())) return Number(milliseconds.trim());
  const value = headers.get('retry-after');
  if (typeof value !== 'string') return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value.trim()) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
