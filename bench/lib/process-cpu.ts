import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) a process has used so far, from /proc; undefined off Linux.
 * Dividing a run's CPU by its requests gives a cost per request that, unlike req/s, does not
 * move much when other work shares the machine.
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** A backend's process title: `postgres: [<cluster>: ]<user> <database> <client> <state>`. */
const BACKEND_TITLE = /^postgres: (?:\S+: )?\S+ (\S+) /;

/**
 * CPU seconds so far of every Postgres backend serving `database`, by pid; the server's shared
 * processes (WAL writer, checkpointer) are not in it.
 */
export function databaseBackendsCpu(database: string): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (BACKEND_TITLE.exec(commandLine(Number(entry)))?.[1] !== database) continue;
    const seconds = processCpuSeconds(Number(entry));
    if (seconds !== undefined) cpu.set(Number(entry), seconds);
  }
  return cpu;
}

/** A process's command line as it set it ('' once it is gone). */
function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
}

/** CPU seconds the backends used between two `databaseBackendsCpu` readings (new backends from 0). */
export function backendsCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}
