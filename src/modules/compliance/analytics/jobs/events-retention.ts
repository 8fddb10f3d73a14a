export const EVENTS_RETENTION = Symbol('EVENTS_RETENTION');

/**
 * Keeps `compliance_events` within retention, chosen at boot from the layout: the partition job on
 * plain Postgres, TimescaleDB's own policies (checked, not run) on a hypertable.
 */
export interface EventsRetention {
  /** Runs maintenance now (or checks the policies that do it) and says what it found, in one line. */
  maintain(): Promise<string>;
}
