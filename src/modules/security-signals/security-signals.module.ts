import { Global, Module } from '@nestjs/common';
import { SECURITY_EVENTS } from '../../common/security-events.js';
import { AppConfig } from '../../config/app-config.js';
import { RedisConnection } from '../../infrastructure/redis/redis.connection.js';
import { AuditSecurityEventSink } from '../audit/audit-security-event.sink.js';
import { FieldCipher } from '../encryption/field-cipher.js';
import { InProcessWindowCounter } from './counters/in-process-window-counter.js';
import { RedisWindowCounter } from './counters/redis-window-counter.js';
import { WINDOW_COUNTER, type WindowCounter } from './counters/window-counter.js';
import { AuthFailureBurstDetector } from './detectors/auth-failure-burst.detector.js';
import { KeyOutsideCidrsDetector } from './detectors/key-outside-cidrs.detector.js';
import { MassExportDetector } from './detectors/mass-export.detector.js';
import { NetworkSwitchDetector } from './detectors/network-switch.detector.js';
import { NewDeviceDetector } from './detectors/new-device.detector.js';
import { KnownDevicesRepository } from './known-devices.repository.js';
import { ObservedSecurityEventSink } from './observed-security-event.sink.js';
import { SECURITY_DETECTORS, type SecurityDetector } from './security-signal.js';
import { SecuritySignalsController } from './security-signals.controller.js';
import { SecuritySignalsReader } from './security-signals.reader.js';
import { SecuritySignals } from './security-signals.service.js';
import { securitySignalsCounter } from './signal-metrics.js';
import { SignalSubjects } from './signal-subjects.js';

/** Redis when configured (every replica counts into the same windows), in process otherwise; chosen at boot. */
function windowCounterFor(config: AppConfig, redis: RedisConnection): WindowCounter {
  const local = new InProcessWindowCounter(config.securitySignals.counterMaxEntries);
  return redis.client ? new RedisWindowCounter(redis.client, local) : local;
}

function detectorsFor(
  config: AppConfig,
  counter: WindowCounter,
  cipher: FieldCipher,
  devices: KnownDevicesRepository,
): SecurityDetector[] {
  const settings = config.securitySignals;
  const subjects = new SignalSubjects(cipher, config.queuePrefix);
  return [
    new AuthFailureBurstDetector(counter, subjects, {
      burst: settings.authFailureBurst,
      windowSeconds: settings.authFailureWindowSeconds,
    }),
    new NewDeviceDetector(devices),
    new NetworkSwitchDetector(counter, new InProcessWindowCounter(settings.counterMaxEntries), subjects, {
      windowSeconds: settings.networkSwitchWindowSeconds,
      prefixes: { ipv4: settings.networkIpv4Prefix, ipv6: settings.networkIpv6Prefix },
    }),
    new KeyOutsideCidrsDetector(counter, subjects, { windowSeconds: settings.keyCidrWindowSeconds }),
    new MassExportDetector(counter, subjects, {
      rows: settings.massExportRows,
      windowSeconds: settings.massExportWindowSeconds,
    }),
  ];
}

/**
 * Rule-based security signals (docs/security.md). Global: it provides `SECURITY_EVENTS` to every
 * feature (the audit sink, observed by the detectors) and `SecuritySignals`, which the login,
 * the session guard and the bulk-read routes report their observations to.
 */
@Global()
@Module({
  controllers: [SecuritySignalsController],
  providers: [
    KnownDevicesRepository,
    SecuritySignalsReader,
    SecuritySignals,
    securitySignalsCounter,
    { provide: WINDOW_COUNTER, inject: [AppConfig, RedisConnection], useFactory: windowCounterFor },
    {
      provide: SECURITY_DETECTORS,
      inject: [AppConfig, WINDOW_COUNTER, FieldCipher, KnownDevicesRepository],
      useFactory: detectorsFor,
    },
    {
      provide: SECURITY_EVENTS,
      inject: [AuditSecurityEventSink, SecuritySignals],
      useFactory: (trail: AuditSecurityEventSink, signals: SecuritySignals) =>
        new ObservedSecurityEventSink(trail, signals),
    },
  ],
  exports: [SECURITY_EVENTS, SecuritySignals],
})
export class SecuritySignalsModule {}
