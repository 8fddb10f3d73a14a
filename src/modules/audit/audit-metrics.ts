import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const AUDIT_APPENDED_METRIC = 'audit_events_appended_total';

/** Counted after commit, so a rolled-back request's event is not counted. */
export const auditAppendedCounter = makeCounterProvider({
  name: AUDIT_APPENDED_METRIC,
  help: 'Audit events committed to the trail by this process',
});

export const AUDIT_VERIFICATIONS_METRIC = 'audit_verifications_total';

/** Verification runs in this process (API), by result: `ok`, or `broken` when any chain or checkpoint fails. */
export const auditVerificationsCounter = makeCounterProvider({
  name: AUDIT_VERIFICATIONS_METRIC,
  help: 'Audit trail verifications run by this process, by result (ok, broken)',
  labelNames: ['result'],
});
