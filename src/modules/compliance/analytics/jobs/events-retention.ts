export const EVENTS_RETENTION = Symbol('EVENTS_RETENTION');

/** What `GET /health` shows of the layout's maintenance; `degraded` never fails the check. */
export interface RetentionReport {
  degraded: boolean;
  details: Record<string, unknown>;
}

/**
 * Keeps `compliance_events` within retention, chosen at boot from the layout: the partition job on
 * plain Postgres; on a hypertable, TimescaleDB's own policies, watched (and run by the app when
 * TimescaleDB's scheduler keeps failing them).
 */
export interface EventsRetention {
  /** Runs maintenance now and says what it did or found, in one line. */
  maintain(): Promise<string>;
  /** Undefined when there is nothing to report beyond what the logs say (the partition job). */
  report(): Promise<RetentionReport | undefined>;
}
