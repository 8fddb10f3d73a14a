import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const AUDIT_APPENDED_METRIC = 'audit_events_appended_total';

/** Counted after commit, so a rolled-back request's event is not counted. */
export const auditAppendedCounter = makeCounterProvider({
  name: AUDIT_APPENDED_METRIC,
  help: 'Audit events committed to the trail by this process',
});
