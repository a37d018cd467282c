// CPU time of another process, read from /proc (Linux); null where that is not available. The
// benchmark's runs share the machine's cores among the sync, Azurite and the emulator, so each
// one's share explains where the time went.
import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc reports CPU time in ticks of 1/100 s on every common platform. */
const TICKS_PER_SECOND = 100;

export async function processCpuMs(pid: number | undefined): Promise<number | null> {
  if (pid === undefined || process.platform !== 'linux') return null;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which is in parentheses and may hold spaces): utime is the 14th, stime the 15th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
