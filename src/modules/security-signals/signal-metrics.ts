import { makeCounterProvider } from '@willsoto/nestjs-prometheus';

export const SIGNALS_METRIC = 'security_signals_total';

/** Labels are the detector and severity only: never a subject, user or key id. */
export const securitySignalsCounter = makeCounterProvider({
  name: SIGNALS_METRIC,
  help: 'Security signals raised by this process, by detector and severity',
  labelNames: ['detector', 'severity'],
});
