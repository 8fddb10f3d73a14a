/**
 * A WAL position as Postgres prints it (`16/B374D848`) in a fixed-width form
 * (`00000016B374D848`) whose string order is WAL order, so Redis and JS compare them as text.
 */
export function orderedLsn(lsn: string): string {
  const [high, low] = lsn.toUpperCase().split('/');
  return high.padStart(8, '0') + low.padStart(8, '0');
}

/** Whether `replayed` (as Postgres prints it) is at or past `wanted` (ordered); unknown is behind. */
export function hasReached(replayed: string | null | undefined, wanted: string): boolean {
  return !!replayed && orderedLsn(replayed) >= wanted;
}
