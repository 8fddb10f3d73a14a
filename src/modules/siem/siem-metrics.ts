import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const SIEM_SHIPPED_METRIC = 'siem_events_shipped_total';
export const SIEM_FAILURES_METRIC = 'siem_delivery_failures_total';

/** Counted per send, so an event shipped again after a lost acknowledgement counts twice. */
export const siemShippedCounter = makeCounterProvider({
  name: SIEM_SHIPPED_METRIC,
  help: 'Audit events handed to a SIEM sink',
  labelNames: ['sink'],
});

/** `kind`: `transient` (receiver unavailable, retried for ever) or `permanent` (counts towards the dead letter). */
export const siemFailuresCounter = makeCounterProvider({
  name: SIEM_FAILURES_METRIC,
  help: 'Failed sends to a SIEM sink, per failure kind',
  labelNames: ['sink', 'kind'],
});
