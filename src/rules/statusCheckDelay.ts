import type { Config } from '../config';

/** Check n (0-based) waits interval × 2ⁿ seconds, capped at the maximum interval. */
export function statusCheckDelaySeconds(config: Pick<Config, 'pollIntervalSeconds' | 'pollMaxIntervalSeconds'>, check: number): number {
  return Math.min(config.pollIntervalSeconds * 2 ** Math.min(check, 30), config.pollMaxIntervalSeconds);
}
