// CPU use over time of the processes a run shares the machine with: the sync, Azurite and the
// benchmark itself (the emulator), sampled from /proc every 100 ms. It tells a phase that waited on
// latency from one that waited on a core, which the request log alone cannot.
import { processCpuMs } from './processCpu';

const SAMPLE_EVERY_MS = 100;

export interface CpuSample {
  /** Date.now() of the sample. */
  readonly at: number;
  /** Cumulative CPU time of each process, ms; null where it cannot be read. */
  readonly sync: number | null;
  readonly azurite: number | null;
  readonly emulator: number;
}

/** How busy a window was: each process's CPU time in it, as a share of the window. */
export interface WindowCpu {
  readonly fromMs: number;
  readonly toMs: number;
  /** Share of one core the sync used (it runs the app on one thread). */
  readonly sync: number | null;
  /** Share of all cores the three processes used together. */
  readonly machine: number | null;
}

export interface CpuTimeline {
  stop(): CpuSample[];
}

export function startCpuTimeline(pids: { readonly sync: number | undefined; readonly azurite: number | undefined }): CpuTimeline {
  const samples: CpuSample[] = [];
  const sample = async (): Promise<void> => {
    const [sync, azurite] = await Promise.all([processCpuMs(pids.sync), processCpuMs(pids.azurite)]);
    const own = process.cpuUsage();
    samples.push({ at: Date.now(), sync, azurite, emulator: (own.user + own.system) / 1000 });
  };
  void sample();
  const timer = setInterval(() => void sample(), SAMPLE_EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

/** From the readable samples nearest the window's ends (the sync's /proc entry goes when it exits); nulls for a window under two samples. */
export function windowCpu(samples: readonly CpuSample[], fromMs: number, toMs: number, cpus: number): WindowCpu {
  const readable = samples.filter((sample) => sample.sync !== null && sample.azurite !== null);
  const nearest = (at: number) =>
    readable.reduce<CpuSample | undefined>(
      (best, sample) => (best === undefined || Math.abs(sample.at - at) < Math.abs(best.at - at) ? sample : best),
      undefined,
    );
  const start = nearest(fromMs);
  const end = nearest(toMs);
  if (start === undefined || end === undefined || end.at - start.at < 2 * SAMPLE_EVERY_MS)
    return { fromMs, toMs, sync: null, machine: null };
  const span = end.at - start.at;
  const used = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  const sync = used(start.sync, end.sync);
  const azurite = used(start.azurite, end.azurite);
  const emulator = end.emulator - start.emulator;
  return {
    fromMs,
    toMs,
    sync: sync === null ? null : sync / span,
    machine: sync === null || azurite === null ? null : (sync + azurite + emulator) / (span * cpus),
  };
}
