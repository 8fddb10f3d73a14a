import type { KnownDevicesRepository } from '../known-devices.repository.js';
import type { SecurityDetector, SecurityObservation, SecuritySignal } from '../security-signal.js';

/** Hex characters of the device fingerprint shown in a signal: enough to match it against sessions. */
const DEVICE_CHARS = 12;

/**
 * A successful login from a device (fingerprint) the account never logged in from. Devices are
 * remembered in Postgres per user, by fingerprint HMAC only; an account's first device is not a
 * signal, and a device is new only once.
 */
export class NewDeviceDetector implements SecurityDetector {
  readonly name = 'new-device';
  readonly observes = ['login'] as const;

  constructor(private readonly devices: KnownDevicesRepository) {}

  async observe(observation: SecurityObservation): Promise<SecuritySignal[]> {
    if (observation.kind !== 'login') return [];
    const { userId, deviceFingerprint } = observation;
    const { isNew, knownBefore } = await this.devices.remember(userId, deviceFingerprint);
    if (!isNew || knownBefore === 0) return [];
    return [
      {
        detector: this.name,
        severity: 'info',
        actorId: userId,
        resourceType: 'user',
        resourceId: userId,
        details: { device: deviceFingerprint.slice(0, DEVICE_CHARS), knownDevices: knownBefore },
      },
    ];
  }
}
