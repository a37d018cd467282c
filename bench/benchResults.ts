// What one `npm run bench` measured: the figures results.json holds and the tables render.
import type { ColdStart } from './coldStart';
import type { EventLatency } from './eventLatency';
import type { ScenarioResult } from './runScenario';

export interface BenchResults {
  readonly at: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly scenarios: readonly ScenarioResult[];
  readonly eventLatency: EventLatency | null;
  readonly coldStart: ColdStart | null;
}
