import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { siemFailuresCounter, siemShippedCounter } from './siem-metrics.js';
import { SiemShipping } from './siem-shipping.js';
import { SIEM_SINKS } from './siem-sink.js';
import { createSiemSinks } from './siem-sinks.js';

/** Ships every audit event (security events included) to the configured SIEM sinks through the outbox. */
@Module({
  providers: [
    siemShippedCounter,
    siemFailuresCounter,
    { provide: SIEM_SINKS, inject: [AppConfig], useFactory: createSiemSinks },
    SiemShipping,
  ],
})
export class SiemModule {}
