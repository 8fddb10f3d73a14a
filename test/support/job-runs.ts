/** One job of a repeatable schedule taken by a replica, from the `job <name> <id> attempt <n> …` debug lines. */
export interface JobRun {
  job: string;
  /** The interval: Bull names a repeatable job's id after its slot (`repeat:<key>:<ms>`). */
  slot: number;
  replica: string;
  /** `skipped`: the interval had run already (BullJobQueue's claim). */
  phase: 'started' | 'skipped';
  done: boolean;
}

export interface JobRunSummary {
  job: string;
  everyMs: number;
  /** Handler runs, on all replicas together. */
  runs: number;
  /** Jobs Bull handed out for an interval that had run already, skipped by the claim. */
  skipped: number;
  /** Intervals from the first run's to the last run's, each of which should have exactly one run. */
  intervals: number;
  /** Slots in that span that no replica ran. */
  missedSlots: number[];
  /** Intervals whose handler ran more than once. */
  runTwice: number;
  /** Runs started and never finished: the replica died under them. */
  unfinished: number;
  perReplica: Record<string, number>;
}

const JOB_LINE = /^job (\S+) repeat:[0-9a-f]+:(\d+) attempt \d+ (started|done|skipped)\b/;

/** The repeatable-job lines in a replica's pino output (`LOG_LEVEL=debug`); other lines are skipped. */
export function jobRunsIn(output: string, replica: string): JobRun[] {
  const runs: JobRun[] = [];
  for (const line of output.split('\n')) {
    if (!line.includes('"Jobs"')) continue;
    const match = JOB_LINE.exec(messageOf(line) ?? '');
    if (!match) continue;
    const [, job, slotText, phase] = match;
    const slot = Number(slotText);
    if (phase !== 'done') runs.push({ job, slot, replica, phase: phase as JobRun['phase'], done: phase === 'skipped' });
    else {
      const run = runs.findLast((r) => r.job === job && r.slot === slot && !r.done);
      if (run) run.done = true;
    }
  }
  return runs;
}

function messageOf(line: string): string | undefined {
  try {
    const { msg } = JSON.parse(line) as { msg?: unknown };
    return typeof msg === 'string' ? msg : undefined;
  } catch {
    return undefined;
  }
}

/** Per job: how many intervals it covered, and which it ran more than once or not at all. */
export function summarizeJobRuns(all: JobRun[], intervals: Record<string, number>): JobRunSummary[] {
  return Object.entries(intervals).map(([job, everyMs]) => {
    const runs = all.filter((run) => run.job === job && run.phase === 'started');
    const bySlot = new Map<number, number>();
    for (const run of runs) bySlot.set(run.slot, (bySlot.get(run.slot) ?? 0) + 1);
    const slots = [...bySlot.keys()].sort((a, b) => a - b);
    const span = slots.length ? Math.round((slots.at(-1)! - slots[0]) / everyMs) + 1 : 0;
    const perReplica: Record<string, number> = {};
    for (const run of runs) perReplica[run.replica] = (perReplica[run.replica] ?? 0) + 1;
    return {
      job,
      everyMs,
      runs: runs.length,
      skipped: all.filter((run) => run.job === job && run.phase === 'skipped').length,
      intervals: span,
      missedSlots: Array.from({ length: span }, (_, i) => slots[0] + i * everyMs).filter((slot) => !bySlot.has(slot)),
      runTwice: [...bySlot.values()].filter((count) => count > 1).length,
      unfinished: runs.filter((run) => !run.done).length,
      perReplica,
    };
  });
}
